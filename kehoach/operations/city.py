"""The city's comparison of its communes ("So sánh các xã, phường"): read-only selectors.

A city department follows every commune of its city on one table: the value each commune reached on
one indicator of the city's shared catalogue, its rank, how its tasks stand, its late periodic reports
and its open red alerts. Pages, the XLSX export and the API all read `compare`, so they agree.

Cost: `compare` runs a fixed number of grouped queries (communes, plans, linked indicators, indicator
values, task statuses, late reports, red alerts: seven) whatever the number of communes, tasks,
periods or figures; nothing is queried per commune. Every query is bounded by the city's path, so
the work follows the city the user reads, never the whole country.

Definitions (shown to users in `DEFINITIONS`):
- plans: the communes' plans of the year in state "Đã ban hành"; a commune's plans are those issued by
  the commune or by a unit inside it.
- value: the commune's indicators linked to the catalogue entry; for each, the latest period (by
  cut-off date, the longer period when two share one) holding an accepted figure with a value; there
  the accepted figures of all the commune's reporting units are combined as
  `tracking.assessment.combine` does, but in the database: counts and amounts are summed; rates (unit
  "%") are Σ numerator ÷ Σ denominator × 100 when every figure gives both (denominator not zero),
  otherwise the mean of the values. When a commune has several linked indicators (several plans), the
  one with the most recent data counts.
- achievement: value ÷ target × 100 for "at least" and range targets (the range's lower bound);
  target ÷ value × 100 for "at most" targets; none when the divisor is zero.
- rank: over every commune of the city (filters and pages do not change it), by value in the
  catalogue entry's direction (higher is better for "tăng", lower for "giảm"); equal values share a
  rank and the next rank skips (1, 2, 2, 4); communes without a value have no rank and come last.
- late periodic reports: reporting periods (`Period`) of the commune's plans whose report deadline
  (`due_on`) is before today and for which the plan has no issued `Report` of the same kind and number.
  A report issued after the deadline stops counting once it is issued.
- open red alerts: alerts of severity "đỏ" on the commune's plans that are not resolved (open or
  acknowledged).
"""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum, TextChoices
from django.urls import NoReverseMatch, reverse
from openpyxl import Workbook
from openpyxl.styles import Font

from kehoach.core.text import search_terms
from kehoach.plans.choices import Comparator, Direction, PlanStatus, TaskStatus
from kehoach.plans.models import CityIndicator, Indicator, Plan, Task
from kehoach.plans.status import STATUS_BADGES, status_case
from kehoach.reports.models import Report, ReportState
from kehoach.tracking.assessment import ASSESSMENT_BADGES, assess
from kehoach.tracking.choices import Assessment, ReportStatus
from kehoach.tracking.exports import _number as xlsx_number
from kehoach.tracking.models import Measurement, Period
from kehoach.tracking.periods import period_label
from kehoach.units.access import access_for
from kehoach.units.choices import UnitKind
from kehoach.units.models import Unit

from .choices import Severity
from .freshness import cached, city_scope, version_key
from .models import Alert

PAGE_SIZE = 50
# The chart draws the communes of the table's current page (at most PAGE_SIZE), in the table's order:
# the bars and the rows the user is looking at are the same communes, and a page of 50 horizontal bars
# stays legible on a phone. Communes without a value are listed under the chart instead of drawn.
CHART_BAR_HEIGHT = 22
CHART_MAX_HEIGHT = 460

# What `target_in_words`, `assess` and `achievement` read of a commune's indicator.
INDICATOR_FIELDS = (
    "pk",
    "plan_id",
    "code",
    "name",
    "comparator",
    "target",
    "target_max",
    "unit_of_measure",
    "commitment",
    "baseline",
)

HUNDRED = Decimal(100)
CENT = Decimal("0.01")
TENTH = Decimal("0.1")


class SortKey(TextChoices):
    NAME = "ten", "Tên xã, phường"
    VALUE = "gia_tri", "Giá trị chỉ tiêu (xếp hạng)"
    OVERDUE = "ty_le_qua_han", "Tỷ lệ nhiệm vụ quá hạn"
    RED = "canh_bao_do", "Số cảnh báo đỏ"


DEFINITIONS = {
    "value": (
        "Giá trị của kỳ gần nhất có số liệu đã được chấp nhận, cộng dồn các đơn vị báo cáo của xã: chỉ tiêu"
        " đếm được thì cộng; chỉ tiêu tỷ lệ (%) lấy tổng tử số ÷ tổng mẫu số khi mọi đơn vị đều báo cáo tử số"
        " và mẫu số, nếu không thì lấy bình quân các giá trị."
    ),
    "achievement": (
        "Tỷ lệ đạt = giá trị ÷ mục tiêu × 100 với mục tiêu tối thiểu hoặc trong khoảng (cận dưới);"
        " = mục tiêu ÷ giá trị × 100 với mục tiêu tối đa."
    ),
    "rank": (
        "Xếp hạng trong toàn thành phố theo giá trị, theo chiều tốt của chỉ tiêu; giá trị bằng nhau cùng"
        " hạng; xã, phường chưa có số liệu không xếp hạng và đứng cuối."
    ),
    "overdue": "Số nhiệm vụ đã quá hạn hoàn thành mà chưa hoàn thành; tỷ lệ tính trên tổng số nhiệm vụ.",
    "late_reports": (
        "Số kỳ báo cáo đã quá hạn gửi (hạn gửi trước hôm nay) mà kế hoạch chưa có báo cáo định kỳ"
        " đã ban hành cho kỳ đó."
    ),
    "red_alerts": "Số cảnh báo mức đỏ chưa xử lý xong (đang mở hoặc đã tiếp nhận).",
}


# Rows --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PlanRef:
    id: int
    number: str
    title: str


@dataclass(frozen=True)
class StatusCount:
    status: TaskStatus
    count: int
    percent: float  # share of the commune's tasks, for the width of the stacked bar

    @property
    def badge(self) -> str:
        return STATUS_BADGES[self.status]

    @property
    def label(self) -> str:
        return self.status.label


@dataclass
class CommuneRow:
    """One commune on the comparison; None/empty where there is nothing to show."""

    commune: Unit
    group: Unit | None = None
    plans: list[PlanRef] = field(default_factory=list)
    # The plan the "Xem trung tâm điều hành" link opens: the one holding the compared value, else the first.
    plan: PlanRef | None = None
    indicator: Indicator | None = None
    value: Decimal | None = None
    period_label: str = ""
    period_end: datetime.date | None = None
    achievement: Decimal | None = None
    assessment: Assessment = Assessment.NO_DATA
    rank: int | None = None
    status_counts: dict[str, int] = field(default_factory=dict)
    task_total: int = 0
    late_reports: int = 0
    red_alerts: int = 0

    @property
    def has_value(self) -> bool:
        return self.value is not None

    @property
    def missing_reason(self) -> str:
        """Why the value is missing, so the city knows whom to ask for what."""
        if self.value is not None:
            return ""
        if not self.plans:
            return "Chưa có kế hoạch đã ban hành trong năm"
        if self.indicator is None:
            return "Kế hoạch chưa liên kết chỉ tiêu này"
        return "Chưa có số liệu được chấp nhận"

    @property
    def unit_of_measure(self) -> str:
        return (self.indicator.unit_of_measure or "").strip() if self.indicator else ""

    @property
    def target(self) -> Decimal | None:
        return self.indicator.target if self.indicator else None

    @property
    def target_text(self) -> str:
        return self.indicator.target_in_words if self.indicator else ""

    @property
    def assessment_badge(self) -> str:
        return ASSESSMENT_BADGES[self.assessment]

    @property
    def overdue(self) -> int:
        return self.status_counts.get(TaskStatus.OVERDUE.value, 0)

    @property
    def overdue_rate(self) -> Decimal | None:
        if not self.task_total:
            return None
        return (Decimal(self.overdue) * HUNDRED / self.task_total).quantize(TENTH, ROUND_HALF_UP)

    @property
    def status_mix(self) -> list[StatusCount]:
        """Counts per status in the order of `TaskStatus`, zero counts left out."""
        total = self.task_total or 1
        return [
            StatusCount(status, count, round(100 * count / total, 1))
            for status in TaskStatus
            if (count := self.status_counts.get(status.value, 0))
        ]


@dataclass
class Comparison:
    city: Unit
    year: int
    city_indicator: CityIndicator | None
    # Every commune of the city, ranked: ranks are computed over these.
    all_rows: list[CommuneRow]
    # The communes the filters keep, in the chosen order (the view pages them; exports take them all).
    rows: list[CommuneRow]
    # Intermediate administrative parents of the communes (e.g. districts); empty when there are none.
    groups: list[Unit]
    sort: str
    definitions: dict[str, str] = field(default_factory=lambda: DEFINITIONS)
    # The cache key of the ranked rows (see `freshness`): pages cache their rendering under it too.
    data_key: str = ""

    @property
    def commune_count(self) -> int:
        return len(self.all_rows)

    def narrowed(self, *, query: str = "", group: int | None = None, sort: str | None = None) -> Comparison:
        """The same comparison keeping the communes that match, in `sort` order; no query is run.

        `query` keeps communes whose name, short name or other names contain every word typed, accents
        ignored (the folded `search_text` the unit stores, as the API's searches use it); `group` keeps
        the communes under that intermediate parent. Ranks stay those of the whole city. An unknown
        `sort` falls back to the value (or to the name when no indicator is compared).
        """
        shown = self.all_rows
        if group is not None:
            shown = [row for row in shown if row.group is not None and row.group.pk == group]
        terms = search_terms(query)
        if terms:
            shown = [row for row in shown if all(term in row.commune.search_text for term in terms)]
        if sort not in SortKey.values:
            sort = SortKey.VALUE if self.city_indicator is not None else SortKey.NAME
        return replace(self, rows=_sort(shown, sort), sort=sort)

    @property
    def missing(self) -> list[CommuneRow]:
        return [row for row in self.rows if row.value is None]

    @property
    def direction_label(self) -> str:
        return self.city_indicator.get_direction_display() if self.city_indicator else ""

    def totals(self) -> dict[str, int]:
        return {
            "communes": len(self.rows),
            "with_value": sum(1 for row in self.rows if row.value is not None),
            "overdue": sum(row.overdue for row in self.rows),
            "late_reports": sum(row.late_reports for row in self.rows),
            "red_alerts": sum(row.red_alerts for row in self.rows),
        }


# Cities ------------------------------------------------------------------------------------------
def city_for(user) -> list[Unit]:
    """The cities (units of kind "tinh") the user reads as a city, by name.

    A member of the city's own tree (a city department, the city's people's committee) reads at the
    city level; a superuser reads every city; a commune's user reads only its commune and gets none.
    """
    access = access_for(user)
    cities = Unit.objects.filter(kind=UnitKind.PROVINCE)
    if not access.is_superuser:
        if not access.read_roots:
            return []
        cities = cities.filter(path__in=access.read_roots)
    return list(cities.order_by("name", "pk"))


def catalogue(city: Unit) -> list[CityIndicator]:
    """The city's shared indicator catalogue, in its order."""
    return list(CityIndicator.objects.filter(city=city).order_by("position", "code", "pk"))


def catalogue_entry(entries: list[CityIndicator], ref: str | int | None) -> CityIndicator | None:
    """An entry of `entries` by id or by code (case ignored); None when `ref` names none of them."""
    if ref in (None, ""):
        return None
    text = str(ref).strip()
    by_id = next((entry for entry in entries if str(entry.pk) == text), None)
    if by_id is not None:
        return by_id
    return next((entry for entry in entries if entry.code.casefold() == text.casefold()), None)


def plan_years(city: Unit, today: datetime.date) -> list[int]:
    """Years in which a unit of the city has an issued plan, latest first.

    A scan of every plan of the city (thousands at country scale): kept per city data version and day.
    """

    def read() -> list[int]:
        years = (
            Plan.objects.filter(owner_unit__path__startswith=city.path, status=PlanStatus.ISSUED)
            .order_by("-year")
            .values_list("year", flat=True)
            .distinct()
        )
        return list(years)

    return cached(version_key(city_scope(city.pk), today, ("years",)), read)


# The comparison ----------------------------------------------------------------------------------
def _communes(city: Unit) -> list[Unit]:
    """The city's communes with only what the comparison shows, each with its parent when that is a
    grouping between them and the city (two queries; thousands of rows at country scale)."""
    communes = list(
        Unit.objects.filter(kind=UnitKind.COMMUNE, path__startswith=city.path)
        .exclude(pk=city.pk)
        .only("pk", "name", "short_name", "path", "search_text", "parent_id", "kind")
        .order_by("search_text", "name", "pk")
    )
    group_ids = {c.parent_id for c in communes if c.parent_id != city.pk}
    groups = {u.pk: u for u in Unit.objects.filter(pk__in=group_ids)} if group_ids else {}
    for commune in communes:
        commune.parent = city if commune.parent_id == city.pk else groups.get(commune.parent_id)
    return communes


def _plans(city: Unit, year: int) -> QuerySet[Plan]:
    return Plan.objects.filter(
        owner_unit__path__startswith=city.path, year=year, status=PlanStatus.ISSUED
    ).order_by("issued_on", "pk")


def _commune_of(path: str, by_path: dict[str, CommuneRow]) -> CommuneRow | None:
    """The commune a unit path lies in: the first ancestor-or-self path that is a commune's."""
    prefix = "/"
    for part in path.strip("/").split("/"):
        prefix += f"{part}/"
        row = by_path.get(prefix)
        if row is not None:
            return row
    return None


def _quantize(value: Decimal) -> Decimal:
    return value.quantize(CENT, ROUND_HALF_UP)


def _combined(indicator: Indicator, data: dict) -> Decimal:
    """`assessment.combine` on the database's sums: rates from Σ numerator ÷ Σ denominator when every
    figure gave both, else the mean of the values; counts and amounts summed."""
    total = Decimal(str(data["total"]))
    if indicator.is_rate:
        denominator = Decimal(str(data["denominators"] or 0))
        if data["ratios"] == data["figures"] and denominator:
            return _quantize(Decimal(str(data["numerators"])) * HUNDRED / denominator)
        return _quantize(total / data["figures"])
    return total


def _latest_values(indicator_ids: list[int]) -> dict[int, dict]:
    """Indicator id → its latest period with accepted data and the combined value there.

    The sums are grouped by indicator and period in the database; of each indicator's periods the
    latest cut-off wins here (the shortest period on a tie, so Quý II before 6 tháng). A correlated
    "latest period" subquery per row was measured at 200 ms to 1,3 s over 3.321 communes on PostgreSQL.
    """
    accepted = Q(status=ReportStatus.ACCEPTED, value__isnull=False)
    ratio = Q(numerator__isnull=False, denominator__isnull=False) & ~Q(denominator=0)
    rows = (
        Measurement.objects.filter(accepted, indicator_id__in=indicator_ids)
        .values(
            "indicator_id",
            "period_id",
            "period__kind",
            "period__year",
            "period__number",
            "period__ends_on",
            "period__starts_on",
        )
        .annotate(
            figures=Count("pk"),
            ratios=Count("pk", filter=ratio),
            total=Sum("value"),
            numerators=Sum("numerator", filter=ratio),
            denominators=Sum("denominator", filter=ratio),
        )
        .order_by()
    )
    latest: dict[int, dict] = {}
    for row in rows:
        key = (row["period__ends_on"], row["period__starts_on"], row["period_id"])
        best = latest.get(row["indicator_id"])
        if best is None or key > (best["period__ends_on"], best["period__starts_on"], best["period_id"]):
            latest[row["indicator_id"]] = row
    return latest


def achievement(indicator: Indicator, value: Decimal | None) -> Decimal | None:
    """Value against target in percent; see the module's definitions."""
    if value is None:
        return None
    if indicator.comparator == Comparator.AT_MOST:
        if not value:
            return None
        return (indicator.target * HUNDRED / value).quantize(TENTH, ROUND_HALF_UP)
    if not indicator.target:
        return None
    return (value * HUNDRED / indicator.target).quantize(TENTH, ROUND_HALF_UP)


def rank_rows(rows: list[CommuneRow], direction: str) -> None:
    """Competition ranking (1, 2, 2, 4) by value in the given direction; no value, no rank."""
    ranked = sorted(
        (row for row in rows if row.value is not None),
        key=lambda row: row.value if direction == Direction.LOWER else -row.value,
    )
    previous: Decimal | None = None
    rank = 0
    for position, row in enumerate(ranked, start=1):
        if row.value != previous:
            rank, previous = position, row.value
        row.rank = rank
    for row in rows:
        if row.value is None:
            row.rank = None


def _sort(rows: list[CommuneRow], sort: str) -> list[CommuneRow]:
    def name(row: CommuneRow) -> tuple:
        return (row.commune.search_text, row.commune.name, row.commune.pk)

    if sort == SortKey.VALUE:
        return sorted(rows, key=lambda r: (r.rank is None, r.rank or 0, *name(r)))
    if sort == SortKey.OVERDUE:
        return sorted(
            rows, key=lambda r: (r.overdue_rate is None, -(r.overdue_rate or 0), -r.overdue, *name(r))
        )
    if sort == SortKey.RED:
        return sorted(rows, key=lambda r: (-r.red_alerts, *name(r)))
    return sorted(rows, key=name)


def _attach_plans(rows: list[CommuneRow], plans: QuerySet[Plan]) -> dict[int, CommuneRow]:
    """Each issued plan of the year on its commune's row; plan id → row."""
    by_path = {row.commune.path: row for row in rows}
    by_plan: dict[int, CommuneRow] = {}
    for plan in plans.values("pk", "number", "title", "owner_unit__path"):
        row = _commune_of(plan["owner_unit__path"], by_path)
        if row is not None:
            ref = PlanRef(plan["pk"], plan["number"], plan["title"])
            row.plans.append(ref)
            by_plan[ref.id] = row
    for row in rows:
        row.plan = row.plans[0] if row.plans else None
    return by_plan


def _use_indicator(row: CommuneRow, indicator: Indicator) -> None:
    row.indicator = indicator
    row.plan = next(plan for plan in row.plans if plan.id == indicator.plan_id)


def _attach_values(
    rows: list[CommuneRow],
    by_plan: dict[int, CommuneRow],
    city_indicator: CityIndicator,
    plans: list[int],
    year: int,
) -> None:
    """The compared value, its period, achievement, assessment and rank on every row (two queries)."""
    indicators = list(
        Indicator.objects.filter(city_indicator=city_indicator, plan_id__in=plans)
        .only(*INDICATOR_FIELDS)
        .order_by("plan_id", "position", "pk")
    )
    latest = _latest_values([indicator.pk for indicator in indicators])
    for indicator in indicators:
        row = by_plan.get(indicator.plan_id)
        if row is None:
            continue
        data = latest.get(indicator.pk)
        if data is None:
            if row.indicator is None:
                _use_indicator(row, indicator)
            continue
        ends_on = data["period__ends_on"]
        if row.value is not None and row.period_end is not None and row.period_end >= ends_on:
            continue  # another linked indicator of the commune has data as recent
        _use_indicator(row, indicator)
        row.value = _combined(indicator, data)
        row.period_end = ends_on
        row.period_label = period_label(data["period__kind"], data["period__year"], data["period__number"])
    for row in rows:
        if row.indicator is not None and row.value is not None and row.period_end is not None:
            row.achievement = achievement(row.indicator, row.value)
            row.assessment = assess(row.indicator, row.value, period_end=row.period_end, year=year)
    rank_rows(rows, city_indicator.direction)


def _attach_tasks(by_plan: dict[int, CommuneRow], plans: list[int], today: datetime.date) -> None:
    """Task counts per status, the status computed in SQL (one grouped query)."""
    statuses = (
        Task.objects.filter(plan_id__in=plans)
        .annotate(current=status_case(today))
        .values("plan_id", "current")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for item in statuses:
        if (row := by_plan.get(item["plan_id"])) is not None:
            row.status_counts[item["current"]] = row.status_counts.get(item["current"], 0) + item["n"]
            row.task_total += item["n"]


def _attach_late_reports(by_plan: dict[int, CommuneRow], plans: list[int], today: datetime.date) -> None:
    """Periods past their report deadline without an issued report of that period (one grouped query)."""
    issued = Report.objects.filter(
        plan_id=OuterRef("plan_id"),
        period_kind=OuterRef("kind"),
        period_number=OuterRef("number"),
        state=ReportState.ISSUED,
    )
    late = (
        Period.objects.filter(plan_id__in=plans, due_on__lt=today)
        .exclude(Exists(issued))
        .values("plan_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for item in late:
        if (row := by_plan.get(item["plan_id"])) is not None:
            row.late_reports += item["n"]


def _attach_red_alerts(by_plan: dict[int, CommuneRow], plans: list[int]) -> None:
    """Unresolved red alerts (one grouped query)."""
    red = (
        Alert.objects.active()
        .filter(plan_id__in=plans, severity=Severity.RED)
        .values("plan_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for item in red:
        if (row := by_plan.get(item["plan_id"])) is not None:
            row.red_alerts += item["n"]


def compare(
    *,
    city: Unit,
    year: int,
    city_indicator: CityIndicator | None = None,
    today: datetime.date,
    sort: str = SortKey.VALUE,
    query: str = "",
    group: int | None = None,
) -> Comparison:
    """Every commune of `city` for `year`, ranked over the whole city, then narrowed and ordered.

    `city` must come from `city_for(user)`: this selector does not check who asks. `query`, `group`
    and `sort` are applied by `Comparison.narrowed` after ranking, so a commune keeps its rank in the
    city whatever the filters. The ranked rows are cached per city data version, year, indicator and
    day (`freshness`): paging, sorting and filtering a comparison reads them once.
    """
    parts = ("compare", year, city_indicator.pk if city_indicator else "-")
    key = version_key(city_scope(city.pk), today, parts)
    everything = cached(key, lambda: _compare_all(city, year, city_indicator, today))
    # The catalogue entry as read now (its name may have been edited since the rows were cached).
    everything = replace(everything, city_indicator=city_indicator, data_key=key)
    return everything.narrowed(query=query, group=group, sort=sort)


def _compare_all(
    city: Unit, year: int, city_indicator: CityIndicator | None, today: datetime.date
) -> Comparison:
    """Every commune of the city, ranked, in no particular order: what `compare` caches."""
    rows = [
        CommuneRow(commune=commune, group=commune.parent if commune.parent_id != city.pk else None)
        for commune in _communes(city)
    ]
    by_plan = _attach_plans(rows, _plans(city, year))
    # The year's plan ids once, instead of the unit-path match repeated in every grouped query.
    plans = list(by_plan)
    if city_indicator is not None:
        _attach_values(rows, by_plan, city_indicator, plans, year)
    _attach_tasks(by_plan, plans, today)
    _attach_late_reports(by_plan, plans, today)
    _attach_red_alerts(by_plan, plans)

    groups = sorted({row.group.pk: row.group for row in rows if row.group}.values(), key=lambda u: u.name)
    return Comparison(
        city=city, year=year, city_indicator=city_indicator, all_rows=rows, rows=rows, groups=groups, sort=""
    )


# Links -------------------------------------------------------------------------------------------
def centre_url(row: CommuneRow) -> str | None:
    """The commune's operations centre for the plan shown; None while that page is not installed."""
    if row.plan is None:
        return None
    try:
        return reverse("operations:centre_plan", args=[row.plan.id])
    except NoReverseMatch:
        return None


# Chart -------------------------------------------------------------------------------------------
def chart_spec(comparison: Comparison, rows: list[CommuneRow], links: list[str | None]) -> dict | None:
    """The bar chart of the indicator over `rows` (the page shown), for `{% chart %}`.

    Only communes with a value are drawn; the dashed target line is drawn when they share one target,
    otherwise each commune's target is a second, lighter series.
    """
    entry = comparison.city_indicator
    drawn = [(row, link) for row, link in zip(rows, links, strict=True) if row.value is not None]
    if entry is None or not drawn:
        return None
    targets = {row.target for row, _ in drawn}
    unit = entry.unit_of_measure.strip()
    spec: dict = {
        "type": "bar",
        "horizontal": True,
        "categories": [row.commune.short_name or row.commune.name for row, _ in drawn],
        "series": [{"name": entry.name, "data": [row.value for row, _ in drawn], "color": "#2f5d8a"}],
        "links": [link for _, link in drawn],
        "unit": unit,
        "category_label": "Xã, phường",
        # Capped so the table below stays within reach: bars thin out rather than fill the screen.
        "height": min(
            CHART_MAX_HEIGHT, max(160, 60 + CHART_BAR_HEIGHT * len(drawn) * (1 if len(targets) == 1 else 2))
        ),
    }
    if len(targets) == 1:
        spec["target"] = targets.pop()
    else:
        spec["series"].append(
            {"name": "Mục tiêu", "data": [row.target for row, _ in drawn], "color": "#adb5bd"}
        )
    return spec


# Export ------------------------------------------------------------------------------------------
SHEET_TITLE = "So sánh xã, phường"


def xlsx_rows(comparison: Comparison) -> list[list]:
    """The comparison as a plain table, header first: every commune the filters keep, all pages."""
    entry = comparison.city_indicator
    with_groups = bool(comparison.groups)
    header = ["Hạng", "Xã, phường"]
    if with_groups:
        header.append("Nhóm")
    header += ["Kế hoạch"]
    if entry is not None:
        header += [
            "Mã chỉ tiêu",
            "Giá trị",
            "Đơn vị tính",
            "Kỳ số liệu",
            "Mục tiêu",
            "Tỷ lệ đạt (%)",
            "Đánh giá",
        ]
    header += ["Tổng số nhiệm vụ", *(status.label for status in TaskStatus)]
    header += ["Tỷ lệ quá hạn (%)", "Báo cáo trễ hạn", "Cảnh báo đỏ chưa xử lý"]
    table: list[list] = [header]
    for row in comparison.rows:
        values: list = [row.rank, row.commune.name]
        if with_groups:
            values.append(row.group.name if row.group else "")
        values.append("; ".join(plan.number or plan.title for plan in row.plans))
        if entry is not None:
            values += [
                entry.code,
                xlsx_number(row.value),
                row.unit_of_measure or entry.unit_of_measure,
                row.period_label or row.missing_reason,
                xlsx_number(row.target),
                xlsx_number(row.achievement),
                row.assessment.label,
            ]
        values += [row.task_total, *(row.status_counts.get(status.value, 0) for status in TaskStatus)]
        values += [xlsx_number(row.overdue_rate), row.late_reports, row.red_alerts]
        table.append(values)
    return table


def comparison_xlsx(comparison: Comparison) -> bytes:
    """One sheet, the header on row 1, numbers as number cells; text is never turned into a formula."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET_TITLE
    for values in xlsx_rows(comparison):
        sheet.append(values)
    for row in sheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, str) and cell.data_type == "f":
                # A commune or plan named "=…" stays text: an export must never carry a formula into Excel.
                cell.data_type = "s"
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        sheet.column_dimensions[cell.column_letter].width = max(10, min(40, len(str(cell.value)) + 4))
    sheet.column_dimensions["B"].width = 36
    sheet.freeze_panes = "C2"
    sheet.auto_filter.ref = sheet.dimensions
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
