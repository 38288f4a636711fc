"""What a periodic report states, gathered from accepted data into plain JSON-ready values.

The result is frozen into `Report.data` at issue and feeds the document, the exchange payload and the
API, so all three say the same thing. Only accepted reports and figures count.
"""

import datetime
from collections import Counter
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q

from kehoach.core.templatetags.vn import format_number
from kehoach.plans.choices import TaskStatus
from kehoach.plans.models import Plan, Task
from kehoach.plans.selectors import tasks_with_units
from kehoach.plans.services.wording import target_in_words
from kehoach.plans.status import StatusInput, compute_status
from kehoach.tracking.choices import Assessment, PeriodKind, ReporterRole, ReportStatus
from kehoach.tracking.models import Period, ProgressReport
from kehoach.tracking.periods import PeriodBounds, period_bounds, period_label
from kehoach.tracking.selectors import indicator_rows
from kehoach.tracking.services.periods import reporting_config

from .models import Report

DONE = (TaskStatus.DONE_ON_TIME, TaskStatus.DONE_LATE)
MET = (Assessment.EXCEEDED, Assessment.MET, Assessment.ON_TRACK)


def bounds_of(plan: Plan, kind: str, number: int) -> PeriodBounds:
    config = reporting_config(plan)
    return period_bounds(
        kind, plan.year, number, cutoff_day=config.cutoff_day, submit_days=config.submit_days
    )


def source_period(plan: Plan, bounds: PeriodBounds) -> Period | None:
    """The reporting period whose accepted data the report states: the same period when units report
    on it, else the shortest one with the same cut-off (Quý III for "9 tháng"), preferring one with data."""
    candidates = list(
        Period.objects.filter(plan=plan, ends_on=bounds.ends_on).annotate(
            accepted=Count("progress_reports", filter=Q(progress_reports__status=ReportStatus.ACCEPTED))
            + Count("measurements", filter=Q(measurements__status=ReportStatus.ACCEPTED))
        )
    )
    if not candidates:
        return None
    exact = [p for p in candidates if (p.kind, p.number) == (bounds.kind, bounds.number)]
    if exact and exact[0].accepted:
        return exact[0]
    with_data = [p for p in candidates if p.accepted]
    pool = with_data or exact or candidates
    return min(pool, key=lambda p: (p.ends_on - p.starts_on, p.pk))


def _num(value: Decimal | None) -> str | None:
    # Decimals travel as strings so JSON never rounds them.
    if value is None:
        return None
    return str(value.normalize()) if value == value.to_integral_value() else str(value)


def _iso(value: datetime.date | None) -> str | None:
    return value.isoformat() if value else None


def period_phrase(kind: str, year: int, number: int) -> str:
    """The period as a report title says it: "quý I năm 2026", "6 tháng đầu năm 2026"."""
    if kind == PeriodKind.QUARTER:
        return f"quý {('I', 'II', 'III', 'IV')[number - 1]} năm {year}"
    if kind == PeriodKind.MONTH:
        return f"tháng {number:02d} năm {year}"
    if kind in (PeriodKind.HALF, PeriodKind.NINE):
        return period_label(kind, year, number)  # "6 tháng đầu năm 2026" already reads as a phrase
    return f"năm {year}"


def lead_percent(lead_ids: list[int], by_lead: dict[int, ProgressReport]) -> int | None:
    """An open task's progress: the least advanced lead unit's, as the task is done only when all are.

    A lead unit with no accepted report counts 0%, as its next report would start from; no lead
    report at all gives no figure.
    """
    if not by_lead:
        return None
    return min(by_lead[pk].percent_complete if pk in by_lead else 0 for pk in lead_ids)


def collect(report: Report, *, today: datetime.date) -> dict[str, Any]:
    plan = report.plan
    bounds = bounds_of(plan, report.period_kind, report.period_number)
    period = source_period(plan, bounds)
    # Statuses are stated as they stood at the cut-off, or today if the report is written earlier.
    as_of = min(today, bounds.ends_on)
    indicators: list[dict[str, Any]] = []
    tasks: list[dict[str, Any]] = []
    narratives: dict[str, list[str]] = {"difficulties": [], "proposals": [], "next_steps": []}
    rows = indicator_rows(plan, period) if period is not None else []
    for row in rows:
        ind = row.indicator
        computed = any(s.record is not None and getattr(s.record, "is_computed", False) for s in row.slots)
        indicators.append(
            {
                "code": ind.code,
                "name": ind.name,
                "group": ind.group.name if ind.group_id else "",
                "unit_of_measure": ind.unit_of_measure,
                "comparator": ind.comparator,
                "target": _num(ind.target),
                "target_max": _num(ind.target_max),
                "target_text": target_in_words(ind),
                "value": _num(row.value),
                "value_text": format_number(row.value) if row.value is not None else "",
                "assessment": str(row.assessment),
                "assessment_label": Assessment(row.assessment).label,
                "lead_unit": ind.lead_unit.name if ind.lead_unit_id else "",
                "source": "so_theo_doi" if computed else "nhap_tay",
            }
        )
    # Tasks over the report's own span (a 9-month report includes what was finished in Quý I), each
    # unit's latest accepted report up to the cut-off.
    latest: dict[tuple[int, int], ProgressReport] = {}
    accepted = (
        ProgressReport.objects.filter(
            period__plan=plan,
            status=ReportStatus.ACCEPTED,
            period__ends_on__gte=bounds.starts_on,
            period__ends_on__lte=bounds.ends_on,
        )
        .select_related("unit")
        .order_by("period__ends_on", "-period__starts_on", "pk")
    )
    for record in accepted:
        latest[(record.task_id, record.unit_id)] = record
    by_task: dict[int, list[ProgressReport]] = {}
    for (task_id, _), record in latest.items():
        by_task.setdefault(task_id, []).append(record)
    tasks_qs = (
        tasks_with_units(Task.objects.filter(plan=plan))
        .filter(Q(starts_on__isnull=True) | Q(starts_on__lte=bounds.ends_on))
        .filter(Q(completed_on__isnull=True) | Q(completed_on__gte=bounds.starts_on))
        .order_by("position", "pk")
    )
    for task in tasks_qs:
        completed = task.completed_on if task.completed_on and task.completed_on <= as_of else None
        status = compute_status(
            StatusInput(task.deadline_kind, task.starts_on, task.due_on, completed), as_of
        )
        records = sorted(by_task.get(task.pk, []), key=lambda r: (r.role != ReporterRole.LEAD, r.unit.path))
        lead_ids = [u.pk for u in task.lead_units]
        by_lead = {r.unit_id: r for r in records if r.role == ReporterRole.LEAD and r.unit_id in lead_ids}
        leads = [by_lead[pk] for pk in lead_ids if pk in by_lead]
        # With several lead units each one's part is named; one lead speaks for the task unnamed.
        several = len(leads) > 1
        results = []
        for record in records:
            if record.results.strip():
                named = record.role != ReporterRole.LEAD or several
                results.append((f"{record.unit.name}: " if named else "") + record.results.strip())
            for key, text in (
                ("difficulties", record.difficulties),
                ("proposals", record.proposals),
                ("next_steps", record.next_steps),
            ):
                if text.strip():
                    narratives[key].append(f"{record.unit.name} ({task.title[:80]}): {text.strip()}")
        tasks.append(
            {
                "code": f"NV{task.position:02d}" if task.position else f"NV-{task.pk}",
                "position": task.position,
                "title": task.title,
                "lead_units": [u.name for u in task.lead_units],
                "coordinating_units": [u.name for u in task.coordinating_units],
                "deadline_text": task.deadline_text,
                "due_on": _iso(task.due_on),
                "completed_on": _iso(completed),
                "status": str(status),
                "status_label": TaskStatus(status).label,
                "percent_complete": 100 if completed else lead_percent(lead_ids, by_lead),
                "results": "\n".join(results),
                "outputs": "; ".join(
                    (f"{r.unit.name}: " if several else "") + r.outputs.strip()
                    for r in leads
                    if r.outputs.strip()
                )
                or (task.output if completed else ""),
                "expected_output": task.output,
            }
        )
    task_counts = Counter(t["status"] for t in tasks)
    assessment_counts = Counter(i["assessment"] for i in indicators)
    return {
        "plan": {
            "id": plan.pk,
            "number": plan.number,
            "title": plan.title,
            "year": plan.year,
            "issued_on": _iso(plan.issued_on),
        },
        "period": {
            "kind": bounds.kind,
            "year": bounds.year,
            "number": bounds.number,
            "label": bounds.label,
            "starts_on": _iso(bounds.starts_on),
            "ends_on": _iso(bounds.ends_on),
            "source_period_id": period.pk if period else None,
            "source_period_label": period.label if period else "",
        },
        "as_of": as_of.isoformat(),
        "indicators": indicators,
        "tasks": tasks,
        "summary": {
            "tasks_total": len(tasks),
            "tasks_by_status": {s.value: task_counts.get(s.value, 0) for s in TaskStatus},
            "indicators_total": len(indicators),
            "indicators_by_assessment": {a.value: assessment_counts.get(a.value, 0) for a in Assessment},
            "indicators_met": sum(assessment_counts.get(a.value, 0) for a in MET),
            "tasks_done": sum(task_counts.get(s.value, 0) for s in DONE),
        },
        "narratives": {key: list(dict.fromkeys(items)) for key, items in narratives.items()},
    }
