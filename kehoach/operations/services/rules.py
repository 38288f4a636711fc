"""Each scenario kind as a rule: from a plan's facts, the conditions that hold today.

A condition's `key` names what it is about (a task, an indicator, an indicator in a period…) so the
same condition found again tomorrow is recognised as the alert already open, never a second one.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.urls import reverse

from kehoach.core.templatetags.vn import format_number
from kehoach.plans.choices import DeadlineKind, TaskStatus
from kehoach.plans.models import Indicator, Task
from kehoach.tracking.choices import Assessment
from kehoach.tracking.models import Period
from kehoach.units.models import Unit

from ..choices import ScenarioKind
from ..facts import PlanFacts, below_target
from ..models import Scenario


@dataclass
class Condition:
    key: str
    title: str
    detail: str = ""
    url: str = ""
    unit: Unit | None = None
    task: Task | None = None
    indicator: Indicator | None = None
    period: Period | None = None


def _num(value: Decimal | None, unit: str = "") -> str:
    if value is None:
        return "—"
    text = format_number(value)
    return f"{text}%" if unit.strip() == "%" else f"{text} {unit}".strip()


def _lead(task: Task) -> Unit | None:
    leads = task.lead_units
    return leads[0] if leads else None


def _leads_text(task: Task) -> str:
    return ", ".join(u.short_name or u.name for u in task.lead_units) or "chưa giao đơn vị chủ trì"


def indicator_below(scenario: Scenario, facts: PlanFacts) -> list[Condition]:
    share = scenario.threshold if scenario.threshold is not None else Decimal(100)
    result = []
    for tile in facts.tiles:
        ind = tile.indicator
        if tile.value is None:
            continue
        unit = ind.unit_of_measure
        reasons = []
        if tile.assessment in (Assessment.BEHIND, Assessment.NOT_MET) or (
            ind.is_rate and below_target(ind, tile.value, share)
        ):
            value = _num(tile.value, unit)
            reasons.append(f"giá trị {value} ({tile.period.label}) so với mục tiêu {ind.target_in_words}")
        if scenario.use_forecast and below_target(ind, tile.forecast, share):
            reasons.append(f"dự báo cuối năm {_num(tile.forecast, unit)}")
        if not reasons:
            continue
        result.append(
            Condition(
                key=f"indicator:{ind.pk}",
                title=f"Chỉ tiêu {ind.code} có nguy cơ không đạt: {ind.name}",
                detail="; ".join(reasons).capitalize() + ".",
                url=ind.get_absolute_url(),
                unit=ind.lead_unit or facts.plan.lead_unit,
                indicator=ind,
                period=tile.period,
            )
        )
    return result


def figure_missing(scenario: Scenario, facts: PlanFacts) -> list[Condition]:
    """An indicator without an accepted figure `days` days after a period's cut-off."""
    limit = facts.today - datetime.timedelta(days=scenario.days)
    result = []
    for period in facts.periods:
        if period.kind != facts.finest_kind or period.ends_on >= limit:
            continue
        for ind in facts.indicators:
            if facts.accepted_figures.get((ind.pk, period.pk)):
                continue
            late = (facts.today - period.ends_on).days
            result.append(
                Condition(
                    key=f"figure:{ind.pk}:{period.pk}",
                    title=f"Chưa có số liệu {ind.code} kỳ {period.label} ({late} ngày sau ngày chốt)",
                    detail=f"Chỉ tiêu “{ind.name}”: số liệu chốt ngày {period.ends_on:%d/%m/%Y} chưa được "
                    "gửi hoặc chưa được đầu mối chấp nhận.",
                    url=reverse("tracking:missing", args=[facts.plan.pk, period.pk]),
                    unit=ind.lead_unit or facts.plan.lead_unit,
                    indicator=ind,
                    period=period,
                )
            )
    return result


def task_overdue(scenario: Scenario, facts: PlanFacts) -> list[Condition]:
    return [
        Condition(
            key=f"task:{task.pk}",
            title=f"Quá hạn {task.days_late} ngày: {task.title}",
            detail=f"Hạn {task.due_on:%d/%m/%Y}; đơn vị chủ trì: {_leads_text(task)}.",
            url=task.get_absolute_url(),
            unit=_lead(task),
            task=task,
        )
        for task in facts.overdue
    ]


def task_at_risk(scenario: Scenario, facts: PlanFacts) -> list[Condition]:
    window = scenario.days
    return [
        Condition(
            key=f"task:{risk.task.pk}",
            title=f"Có nguy cơ chậm (còn {risk.days_left} ngày): {risk.task.title}",
            detail=f"{risk.reason}. Hạn {risk.task.due_on:%d/%m/%Y}; "
            f"đơn vị chủ trì: {_leads_text(risk.task)}.",
            url=risk.task.get_absolute_url(),
            unit=_lead(risk.task),
            task=risk.task,
        )
        for risk in facts.risks_within(window)
    ]


def trigger_late(scenario: Scenario, facts: PlanFacts) -> list[Condition]:
    """Conditional tasks still waiting `days` days after the date their trigger was expected."""
    by_trigger: dict[int, list[Task]] = {}
    for task in facts.tasks:
        trigger = task.trigger
        if (
            task.current_status == TaskStatus.WAITING
            and task.deadline_kind == DeadlineKind.CONDITIONAL
            and trigger is not None
            and trigger.expected_on is not None
            and trigger.expected_on + datetime.timedelta(days=scenario.days) < facts.today
        ):
            by_trigger.setdefault(trigger.pk, []).append(task)
    result = []
    for tasks in by_trigger.values():
        trigger = tasks[0].trigger
        late = (facts.today - trigger.expected_on).days
        result.append(
            Condition(
                key=f"trigger:{trigger.pk}",
                title=f"Chờ “{trigger.description}” đã {late} ngày "
                f"sau ngày dự kiến {trigger.expected_on:%d/%m/%Y}",
                detail=f"{len(tasks)} nhiệm vụ đang chờ: " + "; ".join(t.title for t in tasks) + ".",
                url=facts.plan.get_absolute_url() + "#dieu-kien",
                unit=facts.plan.lead_unit,
                task=tasks[0] if len(tasks) == 1 else None,
            )
        )
    return result


def no_progress(scenario: Scenario, facts: PlanFacts) -> list[Condition]:
    """Open tasks whose lead units sent no progress report in the last `days` finished periods (N ≥ 1)."""
    count = max(scenario.days, 1)
    finished = [p for p in facts.periods if p.kind == facts.finest_kind and p.due_on < facts.today]
    result = []
    for task in facts.tasks:
        if task.completed_on is not None or task.current_status == TaskStatus.WAITING:
            continue
        owed = [
            p
            for p in finished
            if (task.starts_on is None or task.starts_on <= p.ends_on)
            and not (task.trigger_id and task.trigger.occurred_on and task.trigger.occurred_on > p.ends_on)
        ][-count:]
        if len(owed) < count or facts.reported_periods.get(task.pk, set()) & {p.pk for p in owed}:
            continue
        labels = ", ".join(p.label for p in owed)
        result.append(
            Condition(
                key=f"progress:{task.pk}",
                title=f"{count} kỳ liền không có báo cáo tiến độ: {task.title}",
                detail=f"Các kỳ {labels}; đơn vị chủ trì: {_leads_text(task)}.",
                url=task.get_absolute_url(),
                unit=_lead(task),
                task=task,
            )
        )
    return result


def report_not_issued(scenario: Scenario, facts: PlanFacts) -> list[Condition]:
    """A periodic report not issued `days` days after the period's submission deadline."""
    limit = facts.today - datetime.timedelta(days=scenario.days)
    due = [p for p in facts.periods if p.due_on < limit]
    if not due:
        return []
    issued = facts.issued_reports
    result = []
    for period in due:
        if (period.kind, period.number) in issued:
            continue
        result.append(
            Condition(
                key=f"report:{period.pk}",
                title=f"Chưa ban hành báo cáo {period.label} (hạn {period.due_on:%d/%m/%Y})",
                detail="Báo cáo định kỳ gửi thành phố chưa được ký ban hành.",
                url=reverse("reports:plan_reports", args=[facts.plan.pk]),
                unit=facts.plan.lead_unit,
                period=period,
            )
        )
    return result


RULES: dict[str, Callable[[Scenario, PlanFacts], list[Condition]]] = {
    ScenarioKind.INDICATOR_BELOW: indicator_below,
    ScenarioKind.FIGURE_MISSING: figure_missing,
    ScenarioKind.TASK_OVERDUE: task_overdue,
    ScenarioKind.TASK_AT_RISK: task_at_risk,
    ScenarioKind.TRIGGER_LATE: trigger_late,
    ScenarioKind.NO_PROGRESS: no_progress,
    ScenarioKind.REPORT_NOT_ISSUED: report_not_issued,
}
