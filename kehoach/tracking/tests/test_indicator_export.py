"""The XLSX of a period's indicators for upper-level systems: a plain machine-readable table (one header
row, one row per indicator, numbers as numbers, dates as dates, nothing merged), accepted figures only,
the same readers as the desk, and a fixed number of queries.
"""

import datetime
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from kehoach.plans.models import Indicator
from kehoach.tracking.choices import Assessment, PeriodKind
from kehoach.tracking.exports import COLUMNS, indicators_xlsx
from kehoach.tracking.models import Measurement, Period
from kehoach.tracking.services import measurements as services

TODAY = datetime.date(2026, 11, 27)
HEADERS = [
    "Mã kế hoạch",
    "Năm",
    "Kỳ",
    "Kỳ số",
    "Từ ngày",
    "Đến ngày",
    "Mã chỉ tiêu",
    "Tên chỉ tiêu",
    "Đơn vị tính",
    "So sánh",
    "Mục tiêu",
    "Mục tiêu tối đa",
    "Giá trị kỳ này",
    "Đánh giá",
    "Mã đánh giá",
    "Đơn vị chủ trì",
    "Nguồn",
]
HABAC_USERS = [
    "lanhdao",
    "daumoi",
    "vhxh",
    "vanphong",
    "kinhte",
    "congan",
    "pvhcc",
    "dvsnc",
    "mttq",
    "captren",
    "quantri",
]
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch):
    """Pin timezone.localdate() to 27/11/2026, as the other tracking tests do."""
    real = timezone.localdate

    def fake(value=None, timezone=None):
        return TODAY if value is None else real(value, timezone)

    monkeypatch.setattr("django.utils.timezone.localdate", fake)
    return TODAY


@pytest.fixture
def q2(habac) -> Period:
    return Period.objects.get(plan=habac, kind=PeriodKind.QUARTER, year=2026, number=2)


def indicator(plan, code: str) -> Indicator:
    return Indicator.objects.get(plan=plan, code=code)


def submitted(user, ind, period, unit, **data) -> Measurement:
    m = services.measurement_open(actor=user, indicator=ind, period=period, unit=unit)
    m = services.measurement_save(
        actor=user, measurement=m, data={"source": "Sổ theo dõi của phòng", **data}, version=None
    )
    return services.measurement_submit(actor=user, measurement=m)


@pytest.fixture
def figures(habac, users, units, q2) -> dict[str, Measurement]:
    """CT01 and CT04 accepted, CT05 only sent, CT07 computed from its register (accepted as computed)."""
    daumoi = users["daumoi"]
    ct01 = submitted(users["vhxh"], indicator(habac, "CT01"), q2, units["Phòng VH-XH"], value=Decimal("4"))
    ct01 = services.measurement_accept(actor=daumoi, measurement=ct01)
    ct04 = submitted(users["vhxh"], indicator(habac, "CT04"), q2, units["Phòng VH-XH"], value=Decimal("62.5"))
    ct04 = services.measurement_accept(actor=daumoi, measurement=ct04)
    ct05 = submitted(
        users["vanphong"],
        indicator(habac, "CT05"),
        q2,
        units["Văn phòng HĐND và UBND"],
        value=Decimal("80"),
    )
    ct07 = services.measurement_record_computed(
        indicator=indicator(habac, "CT07"),
        period=q2,
        unit=units["TT PVHCC"],
        value=Decimal("95.5"),
        numerator=Decimal("191"),
        denominator=Decimal("200"),
        source="Sổ thủ tục hành chính",
        explanation={},
    )
    return {"CT01": ct01, "CT04": ct04, "CT05": ct05, "CT07": ct07}


def read(content: bytes):
    workbook = load_workbook(io.BytesIO(content))
    assert workbook.sheetnames == ["Chỉ tiêu"]
    return workbook["Chỉ tiêu"]


def rows_by_code(sheet) -> dict[str, dict]:
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    return {row[6]: dict(zip(HEADERS, row, strict=True)) for row in rows}


def url(plan, period) -> str:
    return f"/ke-hoach/{plan.pk}/ky/{period.pk}/chi-tieu.xlsx"


# 1. The workbook --------------------------------------------------------------------------------------


def test_one_header_row_and_one_row_per_indicator(habac, q2, figures):
    sheet = read(indicators_xlsx(habac, q2))
    assert [c.value for c in sheet[1]] == HEADERS == [title for title, _ in COLUMNS]
    assert all(c.font.bold for c in sheet[1])
    assert sheet.max_row == 1 + 11 and sheet.max_column == len(HEADERS)
    assert not sheet.merged_cells.ranges
    assert sheet.freeze_panes == "A2"
    codes = [row[6] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert codes == [f"CT{i:02d}" for i in range(1, 12)]
    # No row is a title or a total: every row below the header is an indicator of the plan.
    assert all(row[0] == "97/KH-UBND" for row in sheet.iter_rows(min_row=2, values_only=True))
    assert sheet.column_dimensions["H"].width >= 40


def test_period_columns_are_codes_and_real_dates(habac, q2, figures):
    sheet = read(indicators_xlsx(habac, q2))
    for row in sheet.iter_rows(min_row=2):
        year, kind, number, starts, ends = (c.value for c in row[1:6])
        assert (year, kind, number) == (2026, "quy", 2)
        assert isinstance(starts, datetime.datetime) and isinstance(ends, datetime.datetime)
        assert (starts.date(), ends.date()) == (q2.starts_on, q2.ends_on)
        assert row[4].number_format == row[5].number_format == "dd/mm/yyyy"
        assert row[4].is_date and row[5].is_date


def test_accepted_figures_are_numbers_with_their_assessment(habac, q2, figures):
    rows = rows_by_code(read(indicators_xlsx(habac, q2)))

    ct01 = rows["CT01"]
    assert ct01["Tên chỉ tiêu"] == "Số lượng sáng kiến được công nhận hiệu quả, phạm vi ảnh hưởng xã"
    assert (ct01["Đơn vị tính"], ct01["So sánh"], ct01["Mục tiêu"]) == ("sáng kiến", ">=", 10)
    assert ct01["Giá trị kỳ này"] == 4 and isinstance(ct01["Giá trị kỳ này"], int)
    assert ct01["Đơn vị chủ trì"] == "Phòng Văn hóa - Xã hội"
    assert ct01["Nguồn"] == "nhập tay"

    ct04 = rows["CT04"]
    assert (ct04["Đơn vị tính"], ct04["Mục tiêu"], ct04["Giá trị kỳ này"]) == ("%", 50, 62.5)
    assert isinstance(ct04["Giá trị kỳ này"], float)

    ct07 = rows["CT07"]
    assert ct07["Giá trị kỳ này"] == 95.5
    assert ct07["Nguồn"] == "tính từ sổ"
    assert ct07["Đơn vị chủ trì"] == "Trung tâm Phục vụ Hành chính công"

    for code in ["CT01", "CT04", "CT07"]:
        assessment = Assessment(rows[code]["Mã đánh giá"])
        assert assessment != Assessment.NO_DATA, code
        assert rows[code]["Đánh giá"] == assessment.label
    # Mid-year (Quý II) the figures are judged against the year's straight line, not as final results.
    assert rows["CT04"]["Mã đánh giá"] == Assessment.ON_TRACK
    assert rows["CT04"]["Đánh giá"] == "Đúng tiến độ"


def test_figures_not_yet_accepted_are_not_exported(habac, users, q2, figures):
    rows = rows_by_code(read(indicators_xlsx(habac, q2)))
    # CT05 was sent but not accepted; the others were never entered.
    for code in ["CT02", "CT03", "CT05", "CT06", "CT08", "CT09", "CT10", "CT11"]:
        assert rows[code]["Giá trị kỳ này"] is None, code
        assert (rows[code]["Mã đánh giá"], rows[code]["Đánh giá"]) == ("chua_co_so_lieu", "Chưa có số liệu")
        assert isinstance(rows[code]["Mục tiêu"], int), code

    services.measurement_accept(actor=users["daumoi"], measurement=figures["CT05"])
    rows = rows_by_code(read(indicators_xlsx(habac, q2)))
    assert rows["CT05"]["Giá trị kỳ này"] == 80


def test_a_period_without_figures_still_lists_every_indicator(habac):
    q1 = Period.objects.get(plan=habac, kind=PeriodKind.QUARTER, year=2026, number=1)
    sheet = read(indicators_xlsx(habac, q1))
    assert sheet.max_row == 12
    assert {row[12] for row in sheet.iter_rows(min_row=2, values_only=True)} == {None}


# 2. The download --------------------------------------------------------------------------------------


def test_desk_links_to_the_export(habac, users, client_for, q2):
    body = client_for(users["vhxh"]).get(f"/ke-hoach/{habac.pk}/ky/{q2.pk}/").content.decode()
    assert "Tải bảng chỉ tiêu (XLSX)" in body
    assert f'href="{url(habac, q2)}"' in body


@pytest.mark.parametrize("username", HABAC_USERS)
def test_every_habac_reader_downloads_it(habac, users, client_for, q2, figures, username):
    response = client_for(users[username]).get(url(habac, q2))
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_TYPE
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="chi-tieu-97-KH-UBND-quy-2-2026.xlsx"; ')
    assert "filename*=UTF-8''" in disposition
    assert rows_by_code(read(response.content))["CT01"]["Giá trị kỳ này"] == 4


@pytest.mark.parametrize("who", ["supervisor", "coordinator"])
def test_another_city_is_refused(habac, other_city, client_for, q2, figures, who):
    response = client_for(other_city[who]).get(url(habac, q2))
    assert response.status_code == 403
    assert "Content-Disposition" not in response


def test_a_period_of_another_plan_is_not_found(habac, users, other_city, client_for, q2):
    from kehoach.tracking.services.periods import periods_sync

    foreign = periods_sync(plan=other_city["plan"])[0]
    client = client_for(users["daumoi"])
    assert client.get(f"/ke-hoach/{habac.pk}/ky/{foreign.pk}/chi-tieu.xlsx").status_code == 404
    assert client_for(other_city["coordinator"]).get(url(other_city["plan"], foreign)).status_code == 200


def test_anonymous_is_sent_to_the_login_page(habac, q2):
    response = Client().get(url(habac, q2))
    assert response.status_code == 302
    assert response["Location"].startswith("/dang-nhap/?next=")


def test_post_is_not_allowed(habac, users, client_for, q2):
    assert client_for(users["daumoi"]).post(url(habac, q2)).status_code == 405


def _count(client: Client, address: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(address).status_code == 200
    return len(ctx.captured_queries)


def test_queries_do_not_grow_with_the_indicators(
    habac, users, units, client_for, q2, figures, django_assert_max_num_queries
):
    client = client_for(users["daumoi"])
    address = url(habac, q2)
    client.get(address)  # warm the session and content-type caches
    baseline = _count(client, address)

    for i in range(12, 32):
        extra = Indicator.objects.create(
            plan=habac,
            position=i,
            code=f"CT{i}",
            name=f"Chỉ tiêu bổ sung {i}",
            target=Decimal("5"),
            unit_of_measure="lớp",
            lead_unit=units["Phòng KT"],
        )
        extra.coordinating_units.add(units["Phòng VH-XH"])
        m = submitted(users["kinhte"], extra, q2, units["Phòng KT"], value=Decimal(i))
        services.measurement_accept(actor=users["daumoi"], measurement=m)

    with django_assert_max_num_queries(baseline):
        response = client.get(address)
    rows = rows_by_code(read(response.content))
    assert len(rows) == 31
    assert rows["CT31"]["Giá trị kỳ này"] == 31


def test_text_that_looks_like_a_formula_stays_text(habac, q2):
    from kehoach.plans.models import Indicator

    Indicator.objects.filter(plan=habac, code="CT01").update(name='=HYPERLINK("http://x","bấm")')
    sheet = read(indicators_xlsx(habac, q2))
    cell = next(row[7] for row in sheet.iter_rows(min_row=2) if row[6].value == "CT01")
    assert cell.data_type == "s" and cell.value.startswith("=HYPERLINK")
