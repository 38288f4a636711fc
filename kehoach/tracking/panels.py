from dataclasses import dataclass

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from kehoach.core.panels import register
from kehoach.units.access import access_for

from . import selectors
from .choices import ReporterRole, ReportStatus
from .services.periods import current_period, periods_owed, periods_sync
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


@dataclass
class Owed:
    """One report or figure a unit owes in a period, with where to write it."""

    unit: object
    kind: str  # "report" | "measurement"
    item: object  # the task or the indicator
    slot: selectors.Slot
    url: str

    @property
    def returned(self) -> bool:
        return self.slot.state == ReportStatus.RETURNED


def _open_url(name: str, field: str, item, period, unit) -> str:
    return f"{reverse(name)}?{urlencode({field: item.pk, 'period': period.pk, 'unit': unit.pk})}"


def _owed(period, rows, unit_ids: set[int]) -> list[Owed]:
    owed = []
    for row in rows:
        if row["unit"].pk not in unit_ids:
            continue
        for task, slot in row["tasks"]:
            url = (
                slot.record.get_absolute_url()
                if slot.record
                else _open_url("tracking:report_open", "task", task, period, slot.unit)
            )
            owed.append(Owed(slot.unit, "report", task, slot, url))
        for indicator, slot in row["indicators"]:
            url = (
                slot.record.get_absolute_url()
                if slot.record
                else _open_url("tracking:measurement_open", "indicator", indicator, period, slot.unit)
            )
            owed.append(Owed(slot.unit, "measurement", indicator, slot, url))
    return owed


def _shared_parts(plan, period, units, owed: list[Owed], written: set[tuple[int, int]]) -> list[dict]:
    """Tasks every unit of the commune coordinates ("các phòng, cơ quan, đơn vị"): a unit may send its
    part. Not owed (the centre and the reminders do not chase them), so listed apart, each with its link."""
    taken = {(o.item.pk, o.unit.pk) for o in owed if o.kind == "report"}
    parts = []
    for task in selectors.tasks_in_period(plan, period).filter(coordinates_all_units=True):
        task.plan = plan  # its commune, already loaded: no query per task
        for unit in units:
            if (task.pk, unit.pk) in taken or (task.pk, unit.pk) in written:
                continue
            if reporter_role(task, unit) != ReporterRole.COORDINATE:
                continue
            url = _open_url("tracking:report_open", "task", task, period, unit)
            parts.append({"task": task, "unit": unit, "url": url})
    return parts


@register("unit_work")
def unit_obligations(request, units) -> str:
    """What the units owe now: per plan, the reports and figures of the period being reported and of the
    last one past its deadline, each with its deadline and a link to write it; what came back; and the
    shared tasks they may send a coordinating part for. The definition of "owes" is
    `selectors.missing_many`, the same as the operations centre and the reminders."""
    from kehoach.plans.models import Plan

    from .models import Measurement, ProgressReport

    if not units:
        return ""
    today = timezone.localdate()
    unit_ids = {u.pk for u in units}
    groups = []
    plans = (
        Plan.objects.readable_by(request.user)
        .filter(status="ban_hanh")
        .select_related("owner_unit", "lead_unit")
    )
    # This year's plans only: a commune runs a handful at once, each costing a fixed few queries.
    for plan in plans.filter(owner_unit__in={a for u in units for a in u.ancestor_ids}, year=today.year):
        periods = periods_owed(plan, today)
        if not periods:
            continue
        by_period = selectors.missing_many(plan, periods, today=today)
        written = set(
            ProgressReport.objects.filter(period=periods[-1], unit__in=unit_ids).values_list(
                "task_id", "unit_id"
            )
        )
        for period in periods:
            owed = _owed(period, by_period[period.pk], unit_ids)
            current = period.due_on >= today
            if not owed and not current:
                continue
            shared = _shared_parts(plan, period, units, owed, written) if current else []
            groups.append(
                {
                    "plan": plan,
                    "period": period,
                    "owed": owed,
                    "reports": sum(1 for o in owed if o.kind == "report"),
                    "figures": sum(1 for o in owed if o.kind == "measurement"),
                    "days_left": (period.due_on - today).days,
                    "days_over": (today - period.due_on).days,
                    "shared": shared,
                }
            )
    shown = {(o.kind, o.slot.record.pk) for g in groups for o in g["owed"] if o.slot.record}
    returned = [
        r
        for r in list(
            ProgressReport.objects.filter(unit__in=unit_ids, status=ReportStatus.RETURNED)
            .select_related("task", "period", "unit")
            .order_by("-reviewed_at")[:20]
        )
        + list(
            Measurement.objects.filter(unit__in=unit_ids, status=ReportStatus.RETURNED)
            .select_related("indicator", "period", "unit")
            .order_by("-reviewed_at")[:20]
        )
        if ("report" if isinstance(r, ProgressReport) else "measurement", r.pk) not in shown
    ]
    if not groups and not returned:
        return ""
    return render_to_string(
        "tracking/_unit_panel.html",
        {"groups": groups, "returned": returned, "units": units, "many_units": len(units) > 1},
        request=request,
    )
