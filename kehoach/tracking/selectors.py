"""Reads for the đầu mối's desk, the missing-data view and task pages, in a fixed number of queries."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch, Q, QuerySet

from kehoach.plans.choices import DeadlineKind
from kehoach.plans.models import Indicator, Plan, Task
from kehoach.plans.selectors import tasks_with_units
from kehoach.units.models import Unit

from .assessment import assess, combine
from .choices import Assessment, ReportStatus
from .models import Evidence, Measurement, Period, ProgressReport

DONE_STATES = (ReportStatus.SUBMITTED, ReportStatus.ACCEPTED)


@dataclass
class Slot:
    """One unit's expected report on one task or indicator in a period, and what it has done so far."""

    unit: Unit
    role: str
    record: ProgressReport | Measurement | None

    @property
    def state(self) -> str:
        return self.record.status if self.record else "chua_lap"

    @property
    def state_label(self) -> str:
        if self.record is not None and getattr(self.record, "is_computed", False):
            return "Tính từ sổ" + (" (đã điều chỉnh)" if self.record.override_reason else "")
        return self.record.get_status_display() if self.record else "Chưa lập"

    @property
    def missing(self) -> bool:
        return self.record is None or self.record.status not in DONE_STATES


@dataclass
class TaskRow:
    task: Task
    slots: list[Slot] = field(default_factory=list)
    status: str = ""


@dataclass
class IndicatorRow:
    indicator: Indicator
    slots: list[Slot] = field(default_factory=list)
    value: Decimal | None = None
    assessment: Assessment = Assessment.NO_DATA


def tasks_in_period(plan: Plan, period: Period) -> QuerySet[Task]:
    """Tasks that owe a report for the period: open by its cut-off and not finished before it began."""
    return (
        tasks_with_units(Task.objects.filter(plan=plan))
        .exclude(deadline_kind=DeadlineKind.CONDITIONAL, due_on__isnull=True)
        .filter(Q(starts_on__isnull=True) | Q(starts_on__lte=period.ends_on))
        .filter(Q(completed_on__isnull=True) | Q(completed_on__gte=period.starts_on))
        .order_by("position", "pk")
    )


def _task_row(task: Task, reports: dict[int, ProgressReport], today: datetime.date) -> TaskRow:
    """A task's report slots: its lead units, its coordinating units, then anyone else who wrote a part."""
    reports = dict(reports)
    row = TaskRow(task=task, status=task.status(today))
    for unit in task.lead_units:
        row.slots.append(Slot(unit, "chu_tri", reports.pop(unit.pk, None)))
    for unit in task.coordinating_units:
        row.slots.append(Slot(unit, "phoi_hop", reports.pop(unit.pk, None)))
    # Parts written by units that coordinate as "các phòng, cơ quan, đơn vị".
    row.slots.extend(Slot(report.unit, report.role, report) for report in reports.values())
    return row


def _indicators(plan: Plan) -> QuerySet[Indicator]:
    return (
        Indicator.objects.filter(plan=plan)
        .select_related("lead_unit", "group")
        .prefetch_related("coordinating_units")
        .order_by("position", "pk")
    )


def _indicator_row(
    plan: Plan, period: Period, indicator: Indicator, measurements: dict[tuple[int, int], Measurement]
) -> IndicatorRow:
    """An indicator's figure slots in the period, its accepted value and assessment."""
    row = IndicatorRow(indicator=indicator)
    units = [(indicator.lead_unit, "chu_tri")] if indicator.lead_unit_id else []
    units += [(u, "phoi_hop") for u in indicator.coordinating_units.all() if u.pk != indicator.lead_unit_id]
    computed = next(
        (m for (ind, _), m in measurements.items() if ind == indicator.pk and m.is_computed), None
    )
    if computed is not None:
        # Computed from a register: one figure, nobody owes a report for it.
        units = [(computed.unit, "chu_tri")]
    for unit, role in units:
        row.slots.append(Slot(unit, role, measurements.get((indicator.pk, unit.pk))))
    accepted = [s.record for s in row.slots if s.record and s.record.status == ReportStatus.ACCEPTED]
    row.value = combine(indicator, accepted)
    row.assessment = assess(indicator, row.value, period_end=period.ends_on, year=plan.year)
    return row


def task_rows(plan: Plan, period: Period, *, today: datetime.date) -> list[TaskRow]:
    """Each task owing a report in the period, with every unit's report slot."""
    by_task: dict[int, dict[int, ProgressReport]] = {}
    reports_qs = ProgressReport.objects.filter(period=period).select_related(
        "unit", "submitted_by", "reviewed_by"
    )
    for r in reports_qs:
        by_task.setdefault(r.task_id, {})[r.unit_id] = r
    return [_task_row(task, by_task.get(task.pk, {}), today) for task in tasks_in_period(plan, period)]


def indicator_rows(plan: Plan, period: Period) -> list[IndicatorRow]:
    """Each indicator with its units' figures, the accepted value and its assessment."""
    measurements: dict[tuple[int, int], Measurement] = {
        (m.indicator_id, m.unit_id): m
        for m in Measurement.objects.filter(period=period).select_related("unit")
    }
    return [_indicator_row(plan, period, indicator, measurements) for indicator in _indicators(plan)]


def desk(plan: Plan, period: Period, *, today: datetime.date) -> tuple[list[TaskRow], list[IndicatorRow]]:
    return task_rows(plan, period, today=today), indicator_rows(plan, period)


def _missing_rows(task_rows: list[TaskRow], indicator_rows: list[IndicatorRow]) -> list[dict]:
    by_unit: dict[int, dict] = {}
    for row in task_rows:
        for slot in row.slots:
            if slot.missing:
                entry = by_unit.setdefault(slot.unit.pk, {"unit": slot.unit, "tasks": [], "indicators": []})
                entry["tasks"].append((row.task, slot))
    for row in indicator_rows:
        for slot in row.slots:
            if slot.missing:
                entry = by_unit.setdefault(slot.unit.pk, {"unit": slot.unit, "tasks": [], "indicators": []})
                entry["indicators"].append((row.indicator, slot))
    return sorted(by_unit.values(), key=lambda e: e["unit"].path)


def missing(plan: Plan, period: Period, *, today: datetime.date) -> list[dict]:
    """Who has not yet sent what for the period: one row per unit, with its tasks and indicators."""
    return _missing_rows(*desk(plan, period, today=today))


def missing_many(plan: Plan, periods: list[Period], *, today: datetime.date) -> dict[int, list[dict]]:
    """`missing` for several periods of one plan: reports, figures and indicators read once for all
    of them (the centre and the reminders ask about two or more periods at a time)."""
    ids = [p.pk for p in periods]
    reports: dict[tuple[int, int], dict[int, ProgressReport]] = {}
    for r in ProgressReport.objects.filter(period_id__in=ids).select_related("unit"):
        reports.setdefault((r.period_id, r.task_id), {})[r.unit_id] = r
    measurements: dict[int, dict[tuple[int, int], Measurement]] = {pk: {} for pk in ids}
    for m in Measurement.objects.filter(period_id__in=ids).select_related("unit"):
        measurements[m.period_id][(m.indicator_id, m.unit_id)] = m
    indicators = list(_indicators(plan)) if periods else []
    result = {}
    for period in periods:
        tasks = [
            _task_row(task, reports.get((period.pk, task.pk), {}), today)
            for task in tasks_in_period(plan, period)
        ]
        figures = [_indicator_row(plan, period, i, measurements[period.pk]) for i in indicators]
        result[period.pk] = _missing_rows(tasks, figures)
    return result


def task_reports(task: Task) -> QuerySet[ProgressReport]:
    return (
        ProgressReport.objects.filter(task=task)
        .select_related("period", "unit", "submitted_by", "reviewed_by")
        .prefetch_related(Prefetch("evidence", queryset=Evidence.objects.order_by("uploaded_at")))
        .order_by("-period__ends_on", "role", "unit__path")
    )


def latest_progress(task: Task) -> ProgressReport | None:
    return (
        ProgressReport.objects.filter(task=task, role="chu_tri", status=ReportStatus.ACCEPTED)
        .order_by("-period__ends_on")
        .first()
    )
