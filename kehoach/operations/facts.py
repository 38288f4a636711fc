"""What the operations centre and the scenarios read about one plan, loaded once in a fixed number of queries.

`PlanFacts(plan, today)` gathers the plan's tasks, the lead units' accepted progress, its periods, its
indicators' accepted values per period and the issued periodic reports. Each property is computed on
first use and kept, so the centre page and a scenario evaluation of the same plan never query twice.

At-risk (có nguy cơ) is decided here only, for an open task that is not overdue:
- its deadline is within `window` days and no lead unit has an accepted progress report;
- or its latest accepted progress is behind the straight line from its start (or 1 January) to its
  deadline by more than `RISK_TOLERANCE` percentage points, measured at that report's cut-off date;
- or it is a conditional task whose trigger has come and whose lead time is running.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property
from typing import NamedTuple

from kehoach.plans.choices import Comparator, DeadlineKind, TaskStatus
from kehoach.plans.models import Indicator, Plan, Task
from kehoach.plans.selectors import tasks_with_units
from kehoach.tracking.assessment import assess, combine, year_fraction
from kehoach.tracking.choices import Assessment, PeriodKind, ReporterRole, ReportStatus
from kehoach.tracking.models import Measurement, Period, ProgressReport

RISK_WINDOW_DAYS = 30
RISK_TOLERANCE = 10  # percentage points behind the straight line before a task is "at risk"


class Figure(NamedTuple):
    """An accepted figure as `assessment.combine` reads it."""

    value: Decimal | None
    numerator: Decimal | None
    denominator: Decimal | None
    is_computed: bool


@dataclass
class Risk:
    task: Task
    reason: str
    days_left: int
    percent: int | None = None
    expected: int | None = None


@dataclass
class Tile:
    """One indicator on the centre: latest accepted value against its target, and its trend."""

    indicator: Indicator
    value: Decimal | None = None
    period: Period | None = None
    assessment: Assessment = Assessment.NO_DATA
    achievement: Decimal | None = None
    forecast: Decimal | None = None
    forecast_short: bool = False
    computed: bool = False
    trend: list[Decimal | None] = field(default_factory=list)
    trend_labels: list[str] = field(default_factory=list)

    @property
    def colour(self) -> str:
        return {
            Assessment.EXCEEDED: "success",
            Assessment.MET: "success",
            Assessment.ON_TRACK: "success",
            Assessment.AT_RISK: "warning",
            Assessment.BEHIND: "danger",
            Assessment.NOT_MET: "danger",
        }.get(self.assessment, "secondary")


def achievement(indicator: Indicator, value: Decimal | None) -> Decimal | None:
    """How much of the target is reached, in %, whatever the comparator's direction."""
    if value is None:
        return None
    target = indicator.target
    if indicator.comparator == Comparator.AT_MOST:
        if value <= 0:
            return Decimal(100)
        result = target / value * 100
    elif indicator.comparator == Comparator.BETWEEN and indicator.target_max is not None and value >= target:
        result = Decimal(100) if value <= indicator.target_max else indicator.target_max / value * 100
    elif target == 0:
        return Decimal(100)
    else:
        result = value / target * 100
    return result.quantize(Decimal("1"), ROUND_HALF_UP)


def forecast_year_end(
    indicator: Indicator, points: list[tuple[datetime.date, Decimal]], year: int
) -> Decimal | None:
    """A plain projection of the year-end value from the accepted figures so far.

    Counts are cumulative from 1 January, so they are scaled by the share of the year elapsed; rates
    are continued along the slope of their last two figures and kept within 0–100 %.
    """
    if not points:
        return None
    day, value = points[-1]
    if indicator.is_rate:
        if len(points) < 2:
            return value
        (day0, value0) = points[-2]
        span = (day - day0).days
        if span <= 0:
            return value
        remaining = (datetime.date(year, 12, 31) - day).days
        projected = value + (value - value0) * Decimal(remaining) / Decimal(span)
        return max(Decimal(0), min(Decimal(100), projected)).quantize(Decimal("0.1"), ROUND_HALF_UP)
    fraction = year_fraction(day, year)
    if fraction <= 0:
        return None
    return (value / fraction).quantize(Decimal("0.1"), ROUND_HALF_UP)


def below_target(indicator: Indicator, value: Decimal | None, share: Decimal = Decimal(100)) -> bool:
    """The value misses `share` % of the target in the comparator's direction."""
    if value is None:
        return False
    if indicator.comparator == Comparator.AT_MOST:
        return value > indicator.target * 100 / share if share else True
    return value < indicator.target * share / 100


class PlanFacts:
    def __init__(self, plan: Plan, today: datetime.date, *, window: int = RISK_WINDOW_DAYS):
        self.plan = plan
        self.today = today
        self.window = window

    # Tasks --------------------------------------------------------------------------------------
    @cached_property
    def tasks(self) -> list[Task]:
        return _load_tasks([self.plan.pk], self.today)[self.plan.pk]

    @cached_property
    def lead_progress(self) -> dict[int, dict[int, tuple[int, datetime.date]]]:
        """task id → lead unit id → (percent, cut-off) of that unit's latest accepted lead report."""
        return self._lead_reports[0]

    @cached_property
    def spent(self) -> dict[int, int]:
        """task id → money used so far, summed over lead units' latest accepted reports that give it."""
        return self._lead_reports[1]

    @cached_property
    def _lead_reports(self) -> tuple[dict[int, dict[int, tuple[int, datetime.date]]], dict[int, int]]:
        return _load_lead_reports([self.plan.pk])[self.plan.pk]

    @cached_property
    def reported_periods(self) -> dict[int, set[int]]:
        """task id → ids of periods in which a lead unit sent (or had accepted) a progress report."""
        return _load_reported_periods([self.plan.pk])[self.plan.pk]

    def progress_of(self, task: Task) -> tuple[int, datetime.date] | None:
        """The task's accepted progress: the least advanced lead unit counts, at its report's cut-off."""
        by_unit = self.lead_progress.get(task.pk)
        if not by_unit:
            return None
        leads = [u.pk for u in task.lead_units] or list(by_unit)
        if any(pk not in by_unit for pk in leads):
            # A lead unit that never had a report accepted holds the task at 0 % from the start.
            return 0, max(ends for _, ends in by_unit.values())
        return min(by_unit[pk] for pk in leads)

    def task_start(self, task: Task) -> datetime.date:
        if task.deadline_kind == DeadlineKind.CONDITIONAL and task.trigger and task.trigger.occurred_on:
            return task.trigger.occurred_on
        return task.starts_on or datetime.date(self.plan.year, 1, 1)

    def expected_percent(self, task: Task, day: datetime.date) -> int:
        start, due = self.task_start(task), task.due_on
        if due is None or due <= start:
            return 100 if day >= (due or start) else 0
        share = (day - start).days / (due - start).days
        return round(100 * max(0.0, min(1.0, share)))

    @cached_property
    def overdue(self) -> list[Task]:
        rows = [t for t in self.tasks if t.current_status == TaskStatus.OVERDUE]
        for task in rows:
            task.days_late = (self.today - task.due_on).days
        return sorted(rows, key=lambda t: -t.days_late)

    @cached_property
    def at_risk(self) -> list[Risk]:
        return self.risks_within(self.window)

    def risks_within(self, window: int) -> list[Risk]:
        risks = []
        for task in self.tasks:
            if (
                task.current_status not in (TaskStatus.ON_TRACK, TaskStatus.NOT_STARTED)
                or task.due_on is None
            ):
                continue
            if risk := self.risk_of(task, window):
                risks.append(risk)
        return sorted(risks, key=lambda r: r.days_left)

    def risk_of(self, task: Task, window: int) -> Risk | None:
        days_left = (task.due_on - self.today).days
        progress = self.progress_of(task)
        trigger = task.trigger
        if (
            task.deadline_kind == DeadlineKind.CONDITIONAL
            and trigger is not None
            and trigger.occurred_on is not None
            and trigger.occurred_on <= self.today <= task.due_on
            and (progress is None or progress[0] < 100)
        ):
            return Risk(
                task,
                f"Sự kiện “{trigger.description}” đã xảy ra ngày {trigger.occurred_on:%d/%m/%Y}; "
                f"còn {days_left} ngày theo thời hạn thực hiện",
                days_left,
                progress[0] if progress else None,
            )
        if progress is None and 0 <= days_left <= window:
            return Risk(
                task, f"Còn {days_left} ngày đến hạn, chưa có báo cáo tiến độ được chấp nhận", days_left
            )
        if progress is not None and progress[0] < 100:
            percent, as_of = progress
            expected = self.expected_percent(task, as_of)
            if percent + RISK_TOLERANCE < expected:
                return Risk(
                    task,
                    f"Tiến độ {percent}% khi đáng lẽ khoảng {expected}% (tính đến {as_of:%d/%m/%Y})",
                    days_left,
                    percent,
                    expected,
                )
        return None

    @cached_property
    def status_counts(self) -> dict[str, int]:
        counts = dict.fromkeys(TaskStatus, 0)
        for task in self.tasks:
            counts[task.current_status] += 1
        return counts

    @cached_property
    def status_by_unit(self) -> list[dict]:
        """Each lead unit with its tasks counted by status; a task with two leads counts for both."""
        rows: dict[int, dict] = {}
        for task in self.tasks:
            for unit in task.lead_units:
                row = rows.setdefault(
                    unit.pk, {"unit": unit, "counts": dict.fromkeys(TaskStatus, 0), "total": 0}
                )
                row["counts"][task.current_status] += 1
                row["total"] += 1
        return sorted(rows.values(), key=lambda r: (-r["total"], r["unit"].name))

    @cached_property
    def budget(self) -> dict:
        """Planned budget per task and per source, where the plan gives amounts."""
        tasks = [t for t in self.tasks if t.budget_amount]
        for task in tasks:
            task.spent_amount = self.spent.get(task.pk)
        by_source: dict[str, int] = defaultdict(int)
        for task in tasks:
            by_source[task.get_budget_source_display() or "Chưa ghi nguồn"] += task.budget_amount
        result = {
            "tasks": tasks,
            "by_source": sorted(by_source.items(), key=lambda kv: -kv[1]),
            "total": sum(t.budget_amount for t in tasks),
            "spent": sum(t.spent_amount or 0 for t in tasks),
        }
        total, spent = result["total"], result["spent"]
        result["total_millions"] = round(Decimal(total) / 1_000_000, 1)
        result["spent_millions"] = round(Decimal(spent) / 1_000_000, 1)
        result["spent_share"] = round(100 * spent / total) if total else None
        return result

    # Periods and reports -----------------------------------------------------------------------------
    @cached_property
    def periods(self) -> list[Period]:
        return _load_periods([self.plan.pk])[self.plan.pk]

    @cached_property
    def finest_kind(self) -> str | None:
        order = [PeriodKind.MONTH, PeriodKind.QUARTER, PeriodKind.HALF, PeriodKind.NINE, PeriodKind.YEAR]
        kinds = {p.kind for p in self.periods}
        return next((k for k in order if k in kinds), None)

    @cached_property
    def current_period(self) -> Period | None:
        """The finest period whose reports are being prepared now: the first not yet past its due date."""
        finest = [p for p in self.periods if p.kind == self.finest_kind]
        return next((p for p in finest if p.due_on >= self.today and p.starts_on <= self.today), None)

    @cached_property
    def last_closed_period(self) -> Period | None:
        """The latest finest period whose submission deadline has passed."""
        past = [p for p in self.periods if p.kind == self.finest_kind and p.due_on < self.today]
        return past[-1] if past else None

    @cached_property
    def issued_reports(self) -> set[tuple[str, int]]:
        """(period kind, number) of the periodic reports issued for the plan."""
        return _load_issued_reports([self.plan.pk])[self.plan.pk]

    # Who owes what -------------------------------------------------------------------------------
    @cached_property
    def owing_periods(self) -> list[Period]:
        """The periods the centre chases: the last one past its deadline and the one being reported."""
        return [p for p in (self.last_closed_period, self.current_period) if p is not None]

    # Indicators -----------------------------------------------------------------------------------
    @cached_property
    def indicators(self) -> list[Indicator]:
        return _load_indicators([self.plan.pk])[self.plan.pk]

    @cached_property
    def accepted_figures(self) -> dict[tuple[int, int], list[Figure]]:
        return _load_accepted_figures([self.plan.pk])[self.plan.pk]

    @cached_property
    def tiles(self) -> list[Tile]:
        finest = [p for p in self.periods if p.kind == self.finest_kind]
        started = [p for p in finest if p.starts_on <= self.today]
        tiles = []
        for indicator in self.indicators:
            tile = Tile(indicator=indicator, trend_labels=[p.label for p in finest])
            points: list[tuple[datetime.date, Decimal]] = []
            for period in finest:
                figures = self.accepted_figures.get((indicator.pk, period.pk), [])
                value = combine(indicator, figures) if period in started else None
                tile.trend.append(value)
                tile.computed = tile.computed or any(f.is_computed for f in figures)
                if value is not None:
                    tile.value, tile.period = value, period
                    points.append((min(period.ends_on, self.today), value))
            if tile.period is not None:
                as_of = min(tile.period.ends_on, self.today)
                tile.assessment = assess(indicator, tile.value, period_end=as_of, year=self.plan.year)
                tile.achievement = achievement(indicator, tile.value)
                tile.forecast = forecast_year_end(indicator, points, self.plan.year)
                tile.forecast_short = below_target(indicator, tile.forecast)
            tiles.append(tile)
        return tiles


# Loading ---------------------------------------------------------------------------------------------
# Each loader reads one kind of fact for several plans in one query, keyed by plan id; a PlanFacts reads
# its own plan through them, and `facts_for` seeds many at once so a city-wide evaluation runs the same
# handful of queries whatever the number of plans.


def _load_tasks(plan_ids: list[int], today: datetime.date) -> dict[int, list[Task]]:
    result: dict[int, list[Task]] = {pk: [] for pk in plan_ids}
    tasks = (
        tasks_with_units(Task.objects.filter(plan_id__in=plan_ids))
        .defer("description", "search_text")
        .order_by("plan_id", "position", "pk")
    )
    for task in tasks:
        task.current_status = task.status(today)
        result[task.plan_id].append(task)
    return result


def _load_lead_reports(
    plan_ids: list[int],
) -> dict[int, tuple[dict[int, dict[int, tuple[int, datetime.date]]], dict[int, int]]]:
    progress: dict[int, dict[int, dict[int, tuple[int, datetime.date]]]] = defaultdict(
        lambda: defaultdict(dict)
    )
    latest_spent: dict[int, dict[tuple[int, int], int]] = defaultdict(dict)
    rows = (
        ProgressReport.objects.filter(
            period__plan_id__in=plan_ids, role=ReporterRole.LEAD, status=ReportStatus.ACCEPTED
        )
        .order_by("period__ends_on", "pk")
        .values_list(
            "period__plan_id", "task_id", "unit_id", "percent_complete", "period__ends_on", "spent_amount"
        )
    )
    for plan_id, task_id, unit_id, percent, ends_on, amount in rows:
        progress[plan_id][task_id][unit_id] = (percent, ends_on)
        if amount is not None:
            latest_spent[plan_id][(task_id, unit_id)] = amount
    result = {}
    for plan_id in plan_ids:
        spent: dict[int, int] = defaultdict(int)
        for (task_id, _), amount in latest_spent[plan_id].items():
            spent[task_id] += amount
        result[plan_id] = (progress[plan_id], dict(spent))
    return result


def _load_reported_periods(plan_ids: list[int]) -> dict[int, dict[int, set[int]]]:
    result: dict[int, dict[int, set[int]]] = {pk: defaultdict(set) for pk in plan_ids}
    rows = ProgressReport.objects.filter(
        period__plan_id__in=plan_ids,
        role=ReporterRole.LEAD,
        status__in=[ReportStatus.SUBMITTED, ReportStatus.ACCEPTED],
    ).values_list("period__plan_id", "task_id", "period_id")
    for plan_id, task_id, period_id in rows:
        result[plan_id][task_id].add(period_id)
    return result


def _load_periods(plan_ids: list[int]) -> dict[int, list[Period]]:
    result: dict[int, list[Period]] = {pk: [] for pk in plan_ids}
    for period in Period.objects.filter(plan_id__in=plan_ids).order_by("ends_on", "-starts_on", "pk"):
        result[period.plan_id].append(period)
    return result


def _load_issued_reports(plan_ids: list[int]) -> dict[int, set[tuple[str, int]]]:
    from kehoach.reports.models import Report, ReportState

    result: dict[int, set[tuple[str, int]]] = {pk: set() for pk in plan_ids}
    rows = Report.objects.filter(plan_id__in=plan_ids, state=ReportState.ISSUED).values_list(
        "plan_id", "period_kind", "period_number"
    )
    for plan_id, kind, number in rows:
        result[plan_id].add((kind, number))
    return result


def _load_indicators(plan_ids: list[int]) -> dict[int, list[Indicator]]:
    result: dict[int, list[Indicator]] = {pk: [] for pk in plan_ids}
    indicators = (
        Indicator.objects.filter(plan_id__in=plan_ids)
        .select_related("lead_unit", "city_indicator")
        .prefetch_related("coordinating_units")
        .order_by("plan_id", "position", "pk")
    )
    for indicator in indicators:
        result[indicator.plan_id].append(indicator)
    return result


def _load_accepted_figures(plan_ids: list[int]) -> dict[int, dict[tuple[int, int], list[Figure]]]:
    result: dict[int, dict[tuple[int, int], list[Figure]]] = {pk: defaultdict(list) for pk in plan_ids}
    rows = (
        Measurement.objects.filter(period__plan_id__in=plan_ids, status=ReportStatus.ACCEPTED)
        .order_by()
        .values_list(
            "period__plan_id", "indicator_id", "period_id", "value", "numerator", "denominator", "is_computed"
        )
    )
    for plan_id, indicator_id, period_id, *figure in rows:
        result[plan_id][(indicator_id, period_id)].append(Figure(*figure))
    return result


def facts_for(plans: list[Plan], today: datetime.date, **options) -> dict[int, PlanFacts]:
    """PlanFacts of many plans with every fact loaded in one query per kind (about ten in all)."""
    ids = [plan.pk for plan in plans]
    loaded = {
        "tasks": _load_tasks(ids, today),
        "_lead_reports": _load_lead_reports(ids),
        "reported_periods": _load_reported_periods(ids),
        "periods": _load_periods(ids),
        "issued_reports": _load_issued_reports(ids),
        "indicators": _load_indicators(ids),
        "accepted_figures": _load_accepted_figures(ids),
    }
    result = {}
    for plan in plans:
        facts = PlanFacts(plan, today, **options)
        # cached_property keeps its value in the instance's __dict__ under its own name.
        for name, by_plan in loaded.items():
            facts.__dict__[name] = by_plan[plan.pk]
        result[plan.pk] = facts
    return result
