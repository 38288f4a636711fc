from django.template.loader import render_to_string
from django.utils import timezone

from kehoach.core.panels import register
from kehoach.units.access import access_for

from . import selectors
from .services.periods import current_period, periods_sync
from .services.progress import completion_date, lead_parts, reporter_role


@register("task_detail")
def task_reports(request, task) -> str:
    plan = task.plan
    if not plan.periods.exists():
        periods_sync(plan=plan)
    period = current_period(plan, timezone.localdate())
    reports = list(selectors.task_reports(task))
    existing = {(r.period_id, r.unit_id) for r in reports}
    units = [u for u in access_for(request.user).member_units if reporter_role(task, u)]
    owes = period is not None and selectors.tasks_in_period(plan, period).filter(pk=task.pk).exists()
    can_open = [u for u in units if owes and (period.pk, u.pk) not in existing and not period.is_closed]
    # Built from the reports already loaded (period, evidence prefetched): no query per lead unit.
    parts = lead_parts(task.lead_units, reports)
    return render_to_string(
        "tracking/_task_panel.html",
        {
            "task": task,
            "reports": reports,
            "period": period,
            "can_open": can_open,
            "lead_parts": parts,
            "parts_completed_on": completion_date(parts),
        },
        request=request,
    )


@register("unit_work")
def unit_obligations(request, units) -> str:
    """What the units owe in the current period of each plan they work on, and what came back."""
    from kehoach.plans.models import Plan

    from .choices import ReportStatus
    from .models import Measurement, ProgressReport

    if not units:
        return ""
    today = timezone.localdate()
    unit_ids = {u.pk for u in units}
    rows = []
    plans = (
        Plan.objects.readable_by(request.user)
        .filter(status="ban_hanh")
        .select_related("owner_unit", "lead_unit")
    )
    # This year's plans only: a commune runs a handful at once, each costing a fixed few queries.
    for plan in plans.filter(owner_unit__in={a for u in units for a in u.ancestor_ids}, year=today.year):
        period = current_period(plan, today)
        if period is None:
            continue
        missing = [row for row in selectors.missing(plan, period, today=today) if row["unit"].pk in unit_ids]
        if missing:
            rows.append({"plan": plan, "period": period, "missing": missing})
    returned = list(
        ProgressReport.objects.filter(unit__in=unit_ids, status=ReportStatus.RETURNED)
        .select_related("task", "period")
        .order_by("-reviewed_at")[:20]
    ) + list(
        Measurement.objects.filter(unit__in=unit_ids, status=ReportStatus.RETURNED)
        .select_related("indicator", "period")
        .order_by("-reviewed_at")[:20]
    )
    if not rows and not returned:
        return ""
    return render_to_string(
        "tracking/_unit_panel.html", {"rows": rows, "returned": returned, "units": units}, request=request
    )
