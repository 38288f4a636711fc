"""The city's comparison of its communes: figures, ranks, filters, permissions, export, API, cost.

Hải Phòng here is built small: a Sở KH&CN with a supervisor, and communes each with one issued 2026
plan, two reporting offices, four periods (Quý I, Quý II, 6 tháng, Quý III) and two indicators
linked to the city's catalogue (a count and a rate). "Today" is 01/07/2026: Quý I, Quý II and
6 tháng are past their report deadline, Quý III is not.
"""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import get_resolver, include, path
from django.utils import timezone
from openpyxl import load_workbook

from kehoach.operations.choices import AlertState, ScenarioKind, Severity
from kehoach.operations.city import CommuneRow, city_for, compare, rank_rows
from kehoach.operations.freshness import forget
from kehoach.operations.models import Alert, Scenario
from kehoach.plans.choices import DeadlineKind, Direction, PlanField, PlanStatus, TaskStatus
from kehoach.plans.models import CityIndicator, Indicator, Plan, Task
from kehoach.reports.models import Report, ReportState
from kehoach.tracking.choices import Assessment, PeriodKind, ReportStatus
from kehoach.tracking.models import Measurement, Period
from kehoach.tracking.periods import period_bounds
from kehoach.units.choices import Role, UnitKind
from kehoach.units.models import Membership, Unit, User

TODAY = datetime.date(2026, 7, 1)
YEAR = 2026
PAGE = "/dieu-hanh/thanh-pho/"
XLSX = "/dieu-hanh/thanh-pho/so-sanh.xlsx"
API = "/api/v1/city"
COUNT, RATE = "TP-KHCN-01", "TP-CDS-05"


# The pages are included into the `operations` namespace by operations/urls.py, which the root
# URLconf may not include yet: then these tests mount that module (or, failing that, ours) themselves.
def _urlpatterns() -> list:
    from kehoach.urls import urlpatterns as root

    if "operations" in get_resolver("kehoach.urls").namespace_dict:
        return list(root)
    try:
        return [*root, path("", include("kehoach.operations.urls"))]
    except ImportError:
        return [*root, path("", include(("kehoach.operations.urls_city", "operations")))]


urlpatterns = _urlpatterns()
pytestmark = pytest.mark.urls(__name__)


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch: pytest.MonkeyPatch) -> datetime.date:
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: TODAY)
    return TODAY


# Builders ----------------------------------------------------------------------------------------
def make_city(name: str, username: str) -> dict:
    city = Unit.objects.create(
        name=f"Ủy ban nhân dân thành phố {name}", short_name=name, kind=UnitKind.PROVINCE
    )
    dept = Unit.objects.create(name=f"Sở Khoa học và Công nghệ {name}", kind=UnitKind.AGENCY, parent=city)
    supervisor = User.objects.create_user(username, password="x", full_name=f"Cấp trên {name}")
    Membership.objects.create(user=supervisor, unit=dept, role=Role.SUPERVISOR)
    catalogue = {
        COUNT: CityIndicator.objects.create(
            city=city, code=COUNT, name="Số sáng kiến được công nhận", unit_of_measure="sáng kiến", position=1
        ),
        RATE: CityIndicator.objects.create(
            city=city,
            code=RATE,
            name="Tỷ lệ cán bộ được bồi dưỡng kỹ năng số",
            unit_of_measure="%",
            position=2,
        ),
    }
    return {"city": city, "dept": dept, "supervisor": supervisor, "catalogue": catalogue}


def make_commune(ctx: dict, name: str, *, parent: Unit | None = None, number: str = "") -> dict:
    commune = Unit.objects.create(name=name, kind=UnitKind.COMMUNE, parent=parent or ctx["city"])
    office = Unit.objects.create(name="Phòng Văn hóa - Xã hội", kind=UnitKind.AGENCY, parent=commune)
    secretariat = Unit.objects.create(name="Văn phòng HĐND và UBND", kind=UnitKind.AGENCY, parent=commune)
    plan = Plan.objects.create(
        number=number or f"{commune.pk}/KH-UBND",
        title=f"Kế hoạch khoa học và công nghệ {name} năm {YEAR}",
        year=YEAR,
        owner_unit=commune,
        lead_unit=office,
        field=PlanField.SCIENCE,
        status=PlanStatus.ISSUED,
    )
    periods = {}
    for key, kind, n in (
        ("q1", PeriodKind.QUARTER, 1),
        ("q2", PeriodKind.QUARTER, 2),
        ("h1", PeriodKind.HALF, 1),
        ("q3", PeriodKind.QUARTER, 3),
    ):
        b = period_bounds(kind, YEAR, n)
        periods[key] = Period.objects.create(
            plan=plan,
            kind=kind,
            year=YEAR,
            number=n,
            starts_on=b.starts_on,
            ends_on=b.ends_on,
            due_on=b.due_on,
        )
    count = Indicator.objects.create(
        plan=plan,
        code="CT01",
        name="Sáng kiến",
        target=10,
        unit_of_measure="sáng kiến",
        city_indicator=ctx["catalogue"][COUNT],
    )
    rate = Indicator.objects.create(
        plan=plan,
        code="CT02",
        name="Cán bộ có kỹ năng số",
        target=80,
        unit_of_measure="%",
        city_indicator=ctx["catalogue"][RATE],
    )
    return {
        "commune": commune,
        "office": office,
        "secretariat": secretariat,
        "plan": plan,
        "periods": periods,
        "count": count,
        "rate": rate,
    }


def figure(
    indicator, period, unit, value=None, numerator=None, denominator=None, status=ReportStatus.ACCEPTED
):
    return Measurement.objects.create(
        indicator=indicator,
        period=period,
        unit=unit,
        value=value,
        numerator=numerator,
        denominator=denominator,
        status=status,
    )


STATUS_FIELDS = {
    TaskStatus.DONE_ON_TIME: {
        "due_on": datetime.date(2026, 6, 30),
        "completed_on": datetime.date(2026, 5, 1),
    },
    TaskStatus.DONE_LATE: {"due_on": datetime.date(2026, 6, 1), "completed_on": datetime.date(2026, 6, 20)},
    TaskStatus.WAITING: {"deadline_kind": DeadlineKind.CONDITIONAL},
    TaskStatus.NOT_STARTED: {"starts_on": datetime.date(2026, 8, 1), "due_on": datetime.date(2026, 12, 31)},
    TaskStatus.ON_TRACK: {"starts_on": datetime.date(2026, 1, 1), "due_on": datetime.date(2026, 12, 31)},
    TaskStatus.OVERDUE: {"due_on": datetime.date(2026, 6, 1)},
}


def task(plan: Plan, status: TaskStatus) -> Task:
    fields = {"deadline_kind": DeadlineKind.DATE, **STATUS_FIELDS[status]}
    created = Task.objects.create(
        plan=plan, title=f"Nhiệm vụ {status.label}", deadline_text="Năm 2026", **fields
    )
    assert created.status(TODAY) == status
    return created


def alert(plan: Plan, severity: str, state: str = AlertState.OPEN) -> Alert:
    scenario, _ = Scenario.objects.get_or_create(
        plan=plan, kind=ScenarioKind.TASK_OVERDUE, defaults={"name": "Nhiệm vụ quá hạn", "severity": severity}
    )
    return Alert.objects.create(
        scenario=scenario,
        plan=plan,
        key=f"k{Alert.objects.count()}",
        severity=severity,
        state=state,
        title="Cảnh báo",
        raised_at=timezone.now(),
        raised_on=TODAY,
    )


def report(plan: Plan, kind: str, number: int, state: str = ReportState.ISSUED) -> Report:
    return Report.objects.create(
        plan=plan, period_kind=kind, period_number=number, state=state, title="Báo cáo"
    )


def populate(c: dict) -> None:
    """A bit of everything, for the query-count test."""
    figure(c["count"], c["periods"]["q2"], c["office"], value=3)
    figure(c["rate"], c["periods"]["q1"], c["office"], value=50, numerator=5, denominator=10)
    for status in (TaskStatus.OVERDUE, TaskStatus.ON_TRACK, TaskStatus.DONE_ON_TIME):
        task(c["plan"], status)
    alert(c["plan"], Severity.RED)
    report(c["plan"], PeriodKind.QUARTER, 1)


@pytest.fixture
def hp(db) -> dict:
    """Hải Phòng with Hà Bắc, An Lão, Tiên Lãng (figures) and Vĩnh Bảo (no accepted figure)."""
    ctx = make_city("Hải Phòng", "captren_hp")
    habac = make_commune(ctx, "Xã Hà Bắc")
    anlao = make_commune(ctx, "Xã An Lão")
    tienlang = make_commune(ctx, "Xã Tiên Lãng")
    vinhbao = make_commune(ctx, "Xã Vĩnh Bảo")
    # Counts: Hà Bắc 6 + 6 = 12 in Quý II (its 5 in Quý I is older), An Lão 12, Tiên Lãng 7.
    figure(habac["count"], habac["periods"]["q1"], habac["office"], value=5)
    figure(habac["count"], habac["periods"]["q2"], habac["office"], value=6)
    figure(habac["count"], habac["periods"]["q2"], habac["secretariat"], value=6)
    figure(anlao["count"], anlao["periods"]["q2"], anlao["office"], value=12)
    figure(tienlang["count"], tienlang["periods"]["q1"], tienlang["office"], value=7)
    # Vĩnh Bảo only has figures nobody accepted yet.
    figure(
        vinhbao["count"], vinhbao["periods"]["q2"], vinhbao["office"], value=99, status=ReportStatus.SUBMITTED
    )
    # Rates: Hà Bắc 45/50 and 10/25 → 55/75 = 73,33 % (the mean of 90 and 40 would be 65);
    # An Lão: one unit without numerator/denominator → mean of 80 and 60 = 70.
    figure(habac["rate"], habac["periods"]["q2"], habac["office"], value=90, numerator=45, denominator=50)
    figure(
        habac["rate"], habac["periods"]["q2"], habac["secretariat"], value=40, numerator=10, denominator=25
    )
    figure(anlao["rate"], anlao["periods"]["q2"], anlao["office"], value=80)
    figure(
        anlao["rate"], anlao["periods"]["q2"], anlao["secretariat"], value=60, numerator=30, denominator=50
    )
    # Tasks: Hà Bắc has one of every status and a second overdue one; An Lão one overdue, one done late.
    for status in TaskStatus:
        task(habac["plan"], status)
    task(habac["plan"], TaskStatus.OVERDUE)
    task(anlao["plan"], TaskStatus.OVERDUE)
    task(anlao["plan"], TaskStatus.DONE_LATE)
    # Reports: Hà Bắc issued Quý I, has only a draft for Quý II, nothing for 6 tháng → 2 late.
    # An Lão issued all three → 0 late. Tiên Lãng nothing → 3 late (Quý III is not due yet).
    report(habac["plan"], PeriodKind.QUARTER, 1)
    report(habac["plan"], PeriodKind.QUARTER, 2, state=ReportState.DRAFT)
    for kind, n in ((PeriodKind.QUARTER, 1), (PeriodKind.QUARTER, 2), (PeriodKind.HALF, 1)):
        report(anlao["plan"], kind, n)
    # Alerts: Hà Bắc has an open and an acknowledged red one (2); resolved and orange ones do not count.
    alert(habac["plan"], Severity.RED)
    alert(habac["plan"], Severity.RED, AlertState.ACKNOWLEDGED)
    alert(habac["plan"], Severity.RED, AlertState.RESOLVED)
    alert(habac["plan"], Severity.ORANGE)
    alert(anlao["plan"], Severity.RED)
    return {**ctx, "habac": habac, "anlao": anlao, "tienlang": tienlang, "vinhbao": vinhbao}


@pytest.fixture
def hn(db) -> dict:
    ctx = make_city("Hà Nội", "captren_hn")
    socson = make_commune(ctx, "Xã Sóc Sơn")
    figure(socson["count"], socson["periods"]["q2"], socson["office"], value=4)
    return {**ctx, "socson": socson}


def rows_by_name(comparison) -> dict[str, CommuneRow]:
    return {row.commune.name: row for row in comparison.rows}


def run(ctx: dict, code: str = COUNT, **kwargs):
    return compare(city=ctx["city"], year=YEAR, city_indicator=ctx["catalogue"][code], today=TODAY, **kwargs)


# Selectors ---------------------------------------------------------------------------------------
def test_ranks_share_ties_and_put_missing_last(hp):
    comparison = run(hp)
    rows = rows_by_name(comparison)
    assert rows["Xã Hà Bắc"].value == 12
    assert rows["Xã Hà Bắc"].period_label == "Quý II/2026"
    assert rows["Xã Tiên Lãng"].period_label == "Quý I/2026"
    assert [rows[n].rank for n in ("Xã An Lão", "Xã Hà Bắc", "Xã Tiên Lãng", "Xã Vĩnh Bảo")] == [
        1,
        1,
        3,
        None,
    ]
    # Sorted by value: the tie by name, the commune without accepted data last and marked so.
    assert [r.commune.name for r in comparison.rows] == [
        "Xã An Lão",
        "Xã Hà Bắc",
        "Xã Tiên Lãng",
        "Xã Vĩnh Bảo",
    ]
    missing = rows["Xã Vĩnh Bảo"]
    assert missing.value is None and missing.assessment == Assessment.NO_DATA
    assert missing.missing_reason == "Chưa có số liệu được chấp nhận"
    assert rows["Xã Hà Bắc"].achievement == Decimal("120.0")
    assert rows["Xã Tiên Lãng"].achievement == Decimal("70.0")
    assert [r.commune.name for r in comparison.missing] == ["Xã Vĩnh Bảo"]


def test_lower_is_better_ranks_the_smallest_first():
    rows = [CommuneRow(commune=Unit(name=n)) for n in "abcd"]
    for row, value in zip(rows, (Decimal(3), Decimal(1), None, Decimal(1)), strict=True):
        row.value = value
    rank_rows(rows, Direction.LOWER)
    assert [row.rank for row in rows] == [3, 1, None, 1]


def test_rates_combine_numerators_and_denominators_else_the_mean(hp):
    rows = rows_by_name(run(hp, RATE))
    assert rows["Xã Hà Bắc"].value == Decimal("73.33")
    assert rows["Xã An Lão"].value == Decimal("70.00")
    assert rows["Xã Hà Bắc"].rank == 1 and rows["Xã An Lão"].rank == 2
    assert rows["Xã Tiên Lãng"].rank is None


def test_status_mix_overdue_late_reports_and_red_alerts(hp):
    rows = rows_by_name(run(hp))
    habac, anlao, tienlang = rows["Xã Hà Bắc"], rows["Xã An Lão"], rows["Xã Tiên Lãng"]
    assert habac.status_counts == {s.value: 2 if s == TaskStatus.OVERDUE else 1 for s in TaskStatus}
    assert habac.task_total == 7 and habac.overdue == 2
    assert habac.overdue_rate == Decimal("28.6")
    assert anlao.status_counts == {TaskStatus.OVERDUE.value: 1, TaskStatus.DONE_LATE.value: 1}
    assert tienlang.task_total == 0 and tienlang.overdue_rate is None
    assert (habac.late_reports, anlao.late_reports, tienlang.late_reports) == (2, 0, 3)
    assert (habac.red_alerts, anlao.red_alerts, tienlang.red_alerts) == (2, 1, 0)


def test_sorts_by_overdue_rate_and_red_alerts(hp):
    by_overdue = [r.commune.name for r in run(hp, sort="ty_le_qua_han").rows]
    assert by_overdue[:2] == ["Xã An Lão", "Xã Hà Bắc"]  # 50 % before 28,6 %
    by_red = [r.commune.name for r in run(hp, sort="canh_bao_do").rows]
    assert by_red[:2] == ["Xã Hà Bắc", "Xã An Lão"]
    by_name = [r.commune.name for r in run(hp, sort="ten").rows]
    assert by_name == ["Xã An Lão", "Xã Hà Bắc", "Xã Tiên Lãng", "Xã Vĩnh Bảo"]


def test_search_ignores_diacritics_and_keeps_city_ranks(hp):
    comparison = run(hp, query="ha bac")
    assert [r.commune.name for r in comparison.rows] == ["Xã Hà Bắc"]
    assert comparison.rows[0].rank == 1 and comparison.commune_count == 4


def test_groups_appear_only_where_the_tree_has_an_intermediate_level(hp):
    assert run(hp).groups == []
    district = Unit.objects.create(name="Huyện Thủy Nguyên", kind=UnitKind.AGENCY, parent=hp["city"])
    make_commune(hp, "Xã Thủy Đường", parent=district)
    comparison = run(hp)
    assert comparison.groups == [district]
    narrowed = run(hp, group=district.pk)
    assert [r.commune.name for r in narrowed.rows] == ["Xã Thủy Đường"]


def test_city_for_by_role(hp, hn):
    assert city_for(hp["supervisor"]) == [hp["city"]]
    commune_user = User.objects.create_user("daumoi_habac", password="x")
    Membership.objects.create(user=commune_user, unit=hp["habac"]["office"], role=Role.COORDINATOR)
    assert city_for(commune_user) == []
    admin = User.objects.create_superuser("root", password="x")
    assert set(city_for(admin)) == {hp["city"], hn["city"]}


# Page --------------------------------------------------------------------------------------------
def test_page_shows_the_table_the_chart_and_the_missing(hp, client_for):
    response = client_for(hp["supervisor"]).get(PAGE)
    assert response.status_code == 200
    html = response.content.decode()
    assert "So sánh các xã, phường" in html
    for name in ("Xã Hà Bắc", "Xã An Lão", "Xã Tiên Lãng", "Xã Vĩnh Bảo"):
        assert name in html
    assert "data-kh-chart" in html
    assert "Chưa có số liệu (1):</strong> Xã Vĩnh Bảo." in html
    assert "12 sáng kiến" in html and "Quý II/2026" in html
    assert "Xem trung tâm điều hành" in html
    assert f"/dieu-hanh/ke-hoach/{hp['habac']['plan'].pk}/" in html


def test_htmx_filtering_answers_the_table_only(hp, client_for):
    response = client_for(hp["supervisor"]).get(
        PAGE, {"q": "tien lang"}, headers={"HX-Request": "true", "HX-Target": "city-results"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html and 'id="city-results"' in html
    assert "Xã Tiên Lãng" in html and "Xã Hà Bắc" not in html
    assert "HX-Request" in response["Vary"]


def test_page_takes_the_indicator_by_code(hp, client_for):
    html = client_for(hp["supervisor"]).get(PAGE, {"indicator": RATE}).content.decode()
    assert "73,33%" in html and "Bộ lọc không hợp lệ" not in html


def test_bad_filters_fall_back_to_defaults(hp, client_for):
    response = client_for(hp["supervisor"]).get(PAGE, {"year": "abc", "sort": "x", "indicator": "999999"})
    assert response.status_code == 200
    assert "Bộ lọc không hợp lệ" in response.content.decode()


def test_other_city_sees_none_of_hai_phong(hp, hn, client_for):
    client = client_for(hn["supervisor"])
    html = client.get(PAGE).content.decode()
    assert "Xã Sóc Sơn" in html
    assert "Hà Bắc" not in html and "An Lão" not in html
    assert client.get(PAGE, {"city": hp["city"].pk}).status_code == 404
    assert client.get(XLSX, {"city": hp["city"].pk}).status_code == 404
    sheet = load_workbook(io.BytesIO(client.get(XLSX).content)).active
    assert [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["Xã Sóc Sơn"]


def test_commune_user_is_refused_and_anonymous_sent_to_login(hp, client_for, client):
    commune_user = User.objects.create_user("daumoi_habac", password="x")
    Membership.objects.create(user=commune_user, unit=hp["habac"]["office"], role=Role.COORDINATOR)
    assert client_for(commune_user).get(PAGE).status_code == 403
    assert client_for(commune_user).get(XLSX).status_code == 403
    response = client.get(PAGE)
    assert response.status_code == 302 and "/dang-nhap/" in response["Location"]


def test_superuser_chooses_among_cities(hp, hn, client_for):
    admin = User.objects.create_superuser("root", password="x")
    client = client_for(admin)
    html = client.get(PAGE, {"city": hn["city"].pk}).content.decode()
    assert 'name="city"' in html and "Xã Sóc Sơn" in html and "Hà Bắc" not in html


def test_city_without_catalogue_compares_tasks_reports_and_alerts(db, client_for):
    ctx = make_city("Hải Phòng", "captren_hp")
    c = make_commune(ctx, "Xã Hà Bắc")
    CityIndicator.objects.filter(city=ctx["city"]).delete()  # the plan's indicators stay, unlinked
    task(c["plan"], TaskStatus.OVERDUE)
    Unit.objects.create(name="Xã Kiến Thụy", kind=UnitKind.COMMUNE, parent=ctx["city"])
    client = client_for(ctx["supervisor"])
    html = client.get(PAGE).content.decode()
    assert "Thành phố chưa có danh mục chỉ tiêu dùng chung" in html
    assert "Chưa có kế hoạch năm 2026 đã ban hành" in html and "Xã Kiến Thụy" in html
    sheet = load_workbook(io.BytesIO(client.get(XLSX).content)).active
    header = [cell.value for cell in sheet[1]]
    assert "Giá trị" not in header
    rows = {
        row[1]: dict(zip(header, row, strict=True)) for row in sheet.iter_rows(min_row=2, values_only=True)
    }
    assert (
        rows["Xã Hà Bắc"]["Đang thực hiện (quá hạn)"] == 1 and rows["Xã Kiến Thụy"]["Tổng số nhiệm vụ"] == 0
    )


# Export ------------------------------------------------------------------------------------------
def test_xlsx_has_every_commune_with_numbers_and_text_kept_text(hp, client_for):
    make_commune(hp, "Xã Hùng Thắng", number="=1+2")
    response = client_for(hp["supervisor"]).get(XLSX, {"indicator": hp["catalogue"][COUNT].pk, "sort": "ten"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    header = [cell.value for cell in sheet[1]]
    assert header[:4] == ["Hạng", "Xã, phường", "Kế hoạch", "Mã chỉ tiêu"]
    rows = {
        row[1]: dict(zip(header, row, strict=True)) for row in sheet.iter_rows(min_row=2, values_only=True)
    }
    assert set(rows) == {"Xã An Lão", "Xã Hà Bắc", "Xã Hùng Thắng", "Xã Tiên Lãng", "Xã Vĩnh Bảo"}
    habac = rows["Xã Hà Bắc"]
    assert habac["Giá trị"] == 12 and habac["Hạng"] == 1 and habac["Mục tiêu"] == 10
    assert (
        habac["Tỷ lệ đạt (%)"] == 120
        and habac["Báo cáo trễ hạn"] == 2
        and habac["Cảnh báo đỏ chưa xử lý"] == 2
    )
    assert habac["Đang thực hiện (quá hạn)"] == 2 and habac["Tổng số nhiệm vụ"] == 7
    assert rows["Xã Vĩnh Bảo"]["Giá trị"] is None
    formula_like = next(c for c in sheet["C"] if c.value == "=1+2")
    assert formula_like.data_type == "s"


# API ---------------------------------------------------------------------------------------------
def test_api_compare_matches_the_page(hp, client_for):
    client = client_for(hp["supervisor"])
    body = client.get(f"{API}/compare", {"year": YEAR, "indicator": RATE}).json()
    assert body["indicator"]["code"] == RATE and body["commune_count"] == 4 and body["pages"] == 1
    items = {item["commune"]["name"]: item for item in body["items"]}
    assert items["Xã Hà Bắc"]["value"] == pytest.approx(73.33)
    assert items["Xã Hà Bắc"]["rank"] == 1
    assert items["Xã Tiên Lãng"]["missing_reason"] == "Chưa có số liệu được chấp nhận"
    statuses = {s["status"]: s["count"] for s in items["Xã Hà Bắc"]["task_statuses"]}
    assert statuses[TaskStatus.OVERDUE.value] == 2
    assert items["Xã Hà Bắc"]["late_reports"] == 2 and items["Xã Hà Bắc"]["red_alerts"] == 2
    by_id = client.get(f"{API}/compare", {"indicator": hp["catalogue"][RATE].pk, "q": "ha bac"}).json()
    assert [i["commune"]["name"] for i in by_id["items"]] == ["Xã Hà Bắc"]
    catalogue = client.get(f"{API}/catalogue").json()
    assert [entry["code"] for entry in catalogue] == [COUNT, RATE]
    assert client.get(f"{API}/compare", {"indicator": "KHONG-CO"}).status_code == 404
    assert f"{API}/compare" in client.get("/api/v1/openapi.json").json()["paths"]


def test_api_permissions(hp, hn, client_for, client):
    assert client.get(f"{API}/compare").status_code == 401
    other = client_for(hn["supervisor"])
    body = other.get(f"{API}/compare").json()
    assert [item["commune"]["name"] for item in body["items"]] == ["Xã Sóc Sơn"]
    # As everywhere in the API: a city that exists but is not yours is 403, an id that is no city 404.
    assert other.get(f"{API}/compare", {"city": hp["city"].pk}).status_code == 403
    assert other.get(f"{API}/catalogue", {"city": hp["city"].pk}).status_code == 403
    assert other.get(f"{API}/compare", {"city": hp["habac"]["commune"].pk}).status_code == 404
    commune_user = User.objects.create_user("daumoi_habac", password="x")
    Membership.objects.create(user=commune_user, unit=hp["habac"]["office"], role=Role.COORDINATOR)
    assert client_for(commune_user).get(f"{API}/compare").status_code == 403


# Cost --------------------------------------------------------------------------------------------
def _queries(client, url: str, params: dict) -> int:
    """Queries of the page computed afresh (the ranked rows are otherwise cached per data version)."""
    cache.clear()  # rendered fragments
    forget()  # computed figures
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_query_count_does_not_grow_with_communes(db, client_for):
    ctx = make_city("Hải Phòng", "captren_hp")
    for n in range(3):
        populate(make_commune(ctx, f"Xã Thứ {n}"))
    client = client_for(ctx["supervisor"])
    params = {"indicator": ctx["catalogue"][COUNT].pk}
    client.get(PAGE, params)  # first request warms the session and caches
    page_3, xlsx_3, api_3 = (
        _queries(client, PAGE, params),
        _queries(client, XLSX, params),
        _queries(client, f"{API}/compare", {"indicator": COUNT}),
    )
    for n in range(3, 8):
        populate(make_commune(ctx, f"Xã Thứ {n}"))
    page_8, xlsx_8, api_8 = (
        _queries(client, PAGE, params),
        _queries(client, XLSX, params),
        _queries(client, f"{API}/compare", {"indicator": COUNT}),
    )
    assert (page_8, xlsx_8, api_8) == (page_3, xlsx_3, api_3)
    assert page_8 <= 17 and api_8 <= 14
    with CaptureQueriesContext(connection) as warm:
        client.get(PAGE, {**params, "sort": "ten"})  # another order of the same rows: from the cache
    assert len(warm) <= page_8 - 7
