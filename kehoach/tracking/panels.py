from django.template.loader import render_to_string
from django.utils import timezone

from kehoach.core.panels import register
from kehoach.units.access import access_for

from . import selectors
from .services.periods import current_period, periods_sync
from .services.progress import reporter_role


@register("task_detail")
def task_reports(request, task) -> str:
    plan = task.plan
    if not plan.periods.exists():
        periods_sync(plan=plan)
    period = current_period(plan, timezone.localdate())
    reports = list(selectors.task_reports(task))
    existing = {(r.period_id, r.unit_id) for r in reports}
    units = [u for u in access_for(request.user).member_units if reporter_role(task, u)]
    can_open = [u for u in units if period and (period.pk, u.pk) not in existing and not period.is_closed]
    return render_to_string(
        "tracking/_task_panel.html",
        {"task": task, "reports": reports, "period": period, "can_open": can_open},
        request=request,
    )
