"""Request tests for the reporting pages: periods, the đầu mối's desk (with htmx accept/return), progress
reports and indicator figures with evidence, conflicts, closed periods, permissions per role, the
missing-data view, notifications and query counts.

Each test drives the Django test client as one of the Hà Bắc demo users and checks what the user sees
(page text, messages, the htmx fragment) and what is in the database afterwards.
"""

import datetime
import html
import io
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kehoach.core.models import AuditEntry
from kehoach.plans.models import Indicator, Plan, Task
from kehoach.plans.services.tasks import task_save
from kehoach.tracking.choices import ReportStatus
from kehoach.tracking.models import (
    Evidence,
    Measurement,
    Notification,
    Period,
    ProgressReport,
    ReportingConfig,
)
from kehoach.tracking.services import progress as progress_services
from kehoach.units.models import Unit

D = datetime.date
TODAY = D(2026, 11, 27)

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
PERIOD_LABELS = [
    "Quý I/2026",
    "Quý II/2026",
    "6 tháng đầu năm 2026",
    "Quý III/2026",
    "Quý IV/2026",
    "Năm 2026",
]
TASK5 = "Triển khai kế hoạch chuyển đổi số xã năm 2026"
CONFLICT_TEXT = "Có người vừa lưu báo cáo này trong lúc bạn sửa."
BAD_TYPE_TEXT = "không phải loại được phép"


# Helpers -------------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch):
    """Pin timezone.localdate() (periods, status, validation) to 27/11/2026: Quý IV/2026 is current."""
    real = timezone.localdate

    def fake(value=None, timezone=None):
        return TODAY if value is None else real(value, timezone)

    monkeypatch.setattr("django.utils.timezone.localdate", fake)
    return TODAY


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def q4(habac) -> Period:
    return Period.objects.get(plan=habac, kind="quy", year=2026, number=4)


def page_text(response) -> str:
    """The visible text of an HTML response, entities decoded and whitespace collapsed."""
    body = response.content.decode()
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    body = re.sub(r"<[^>]+>", " ", body)
    return re.sub(r"\s+", " ", html.unescape(body)).strip()


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def card(response, header_start: str) -> str:
    """Raw HTML of the card whose header starts with `header_start`, up to the next card."""
    body = response.content.decode()
    start = body.index(f'<div class="card-header">{header_start}')
    end = body.find('<div class="card shadow-sm', start + 1)
    return body[start : end if end != -1 else None]


def rows_of(fragment: str) -> list[str]:
    """Text of each body row of the table in an HTML fragment."""
    tbody = fragment.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [
        re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", row))).strip()
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", tbody, flags=re.S)
    ]


def form_value(response, name: str) -> str:
    """The value of the input or the text of the textarea called `name` in the page."""
    body = response.content.decode()
    textarea = re.search(rf'<textarea[^>]*name="{name}"[^>]*>(.*?)</textarea>', body, flags=re.S)
    if textarea:
        return html.unescape(textarea.group(1)).strip()
    tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', body)
    assert tag, f"no field {name}"
    value = re.search(r'value="([^"]*)"', tag.group(0))
    return html.unescape(value.group(1)) if value else ""


def task_at(plan: Plan, position: int) -> Task:
    return Task.objects.get(plan=plan, position=position)


def indicator(plan: Plan, code: str) -> Indicator:
    return Indicator.objects.get(plan=plan, code=code)


def unit(short_name: str) -> Unit:
    return Unit.objects.get(short_name=short_name)


def tiny_pdf() -> bytes:
    """A small, valid one-page PDF."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(text="Bao cao ket qua trien khai chuyen doi so 2026")
    return bytes(pdf.output())


# A 1×1 GIF: an image type the system does not take.
GIF = (
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00"
    b",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
)


def upload(client: Client, record, name: str, content: bytes, *, is_output=False, kind="bao-cao"):
    handle = io.BytesIO(content)
    handle.name = name
    data = {"file": handle, "description": "Báo cáo kết quả"}
    if is_output:
        data["is_output"] = "on"
    return client.post(f"/minh-chung/{kind}/{record.pk}/tai-len/", data, follow=True)


def open_report(client: Client, task: Task, period: Period, unit_: Unit, **kwargs):
    """The first "Lưu nháp" of a new report: opening the page writes nothing, this creates the draft."""
    return client.post(
        "/bao-cao-tien-do/lap/",
        {"task": task.pk, "period": period.pk, "unit": unit_.pk, "version": "0", "percent_complete": "0"},
        **kwargs,
    )


def open_measurement(client: Client, ind: Indicator, period: Period, unit_: Unit, **kwargs):
    """The first "Lưu nháp" of a new figure (see `open_report`)."""
    data = {"indicator": ind.pk, "period": period.pk, "unit": unit_.pk, "version": "0"}
    return client.post("/so-lieu/lap/", data, **kwargs)


def report_data(report: ProgressReport, *, action: str = "save", version=None, **fields) -> dict:
    """The report form as the browser posts it, starting from what is stored."""
    data = {
        "percent_complete": str(report.percent_complete),
        "results": report.results,
        "outputs": report.outputs,
        "completed_on": report.completed_on.isoformat() if report.completed_on else "",
        "difficulties": report.difficulties,
        "proposals": report.proposals,
        "next_steps": report.next_steps,
        "version": str(report.version if version is None else version),
        action: "",
    }
    if report.output_delivered:
        data["output_delivered"] = "on"
    for key, value in fields.items():
        if key == "output_delivered":
            if value:
                data["output_delivered"] = "on"
            else:
                data.pop("output_delivered", None)
        else:
            data[key] = value
    return data


def measurement_data(m: Measurement, *, action: str = "save", version=None, **fields) -> dict:
    data = {
        "value": "" if m.value is None else str(m.value).replace(".", ","),
        "source": m.source,
        "note": m.note,
        "version": str(m.version if version is None else version),
        action: "",
    }
    if m.indicator.is_rate:
        data["numerator"] = "" if m.numerator is None else str(m.numerator).replace(".", ",")
        data["denominator"] = "" if m.denominator is None else str(m.denominator).replace(".", ",")
    data.update(fields)
    return data


def make_report(habac, users, q4, *, status=ReportStatus.DRAFT, position=5, **fields) -> ProgressReport:
    """A Phòng VH-XH report on task `position` for Quý IV, taken to `status` through the services."""
    task = task_at(habac, position)
    report = progress_services.progress_report_open(
        actor=users["vhxh"], task=task, period=q4, unit=unit("Phòng VH-XH")
    )
    data = {"percent_complete": 60, "results": "Đã triển khai 6/10 nội dung của kế hoạch."} | fields
    report = progress_services.progress_report_save(
        actor=users["vhxh"], report=report, data=data, version=report.version
    )
    if status in (ReportStatus.SUBMITTED, ReportStatus.ACCEPTED, ReportStatus.RETURNED):
        report = progress_services.progress_report_submit(actor=users["vhxh"], report=report)
    if status == ReportStatus.ACCEPTED:
        report = progress_services.progress_report_accept(actor=users["daumoi"], report=report)
    if status == ReportStatus.RETURNED:
        report = progress_services.progress_report_return(
            actor=users["daumoi"], report=report, reason="Bổ sung số liệu."
        )
    return report


def htmx(client: Client, url: str, data=None):
    return client.post(url, data or {}, HTTP_HX_REQUEST="true")


# 1. Periods page -----------------------------------------------------------------------------------


@pytest.mark.parametrize("username", HABAC_USERS)
def test_periods_page_readable_by_every_habac_role(habac, users, client_for, username):
    response = client_for(users[username]).get(f"/ke-hoach/{habac.pk}/bao-cao/")

    assert response.status_code == 200
    text = page_text(response)
    positions = [text.index(label) for label in PERIOD_LABELS]
    assert positions == sorted(positions), "theo ngày chốt; cùng ngày chốt thì kỳ ngắn trước"
    assert Period.objects.filter(plan=habac).count() == 6
    assert "Quý I/2026 15/12/2025 – 14/03/2026 19/03/2026 Đã chốt số liệu" in text
    assert "Quý IV/2026 kỳ hiện tại 15/09/2026 – 14/12/2026 19/12/2026 Đang diễn ra" in text
    assert "0/9 nhiệm vụ đã hoàn thành" in text and "0 nhiệm vụ quá hạn" in text
    assert "Tỷ lệ đúng hạn —" in text
    assert "9 nhiệm vụ" in text
    assert "Chờ điều kiện 3" in text and "Đang thực hiện (trong hạn) 6" in text
    # The configuration belongs to the plan's đầu mối only.
    assert ("Cấu hình kỳ báo cáo" in text) == (username == "daumoi")
    assert ("Lưu cấu hình" in text) == (username == "daumoi")


def test_periods_page_shows_the_plan_rates(habac, users, client_for):
    # Task 5 done on time, task 6 past its deadline and unfinished.
    Task.objects.filter(pk=task_at(habac, 5).pk).update(completed_on=D(2026, 10, 1))
    Task.objects.filter(pk=task_at(habac, 6).pk).update(due_on=D(2026, 10, 31))

    text = page_text(client_for(users["captren"]).get(f"/ke-hoach/{habac.pk}/bao-cao/"))

    assert "1/9 nhiệm vụ đã hoàn thành" in text
    assert "1 nhiệm vụ quá hạn Số nhiệm vụ đã quá hạn hoàn thành mà chưa hoàn thành." in text
    # on time = 1 ÷ 2 tasks due, with its definition beside it.
    assert re.search(
        r"Tỷ lệ đúng hạn 50(,0)?% Tỷ lệ đúng hạn: số nhiệm vụ hoàn thành đúng hạn ÷ số nhiệm vụ đã đến hạn"
        r" hoặc đã hoàn thành\. \(1/2 nhiệm vụ\)",
        text,
    ), text
    # The reporting formula, 1 ÷ (1 + 1), only after its definition.
    assert re.search(
        r"Tỷ lệ hoàn thành theo cách tính báo cáo: số nhiệm vụ đã hoàn thành ÷ \(số nhiệm vụ đã hoàn thành"
        r" \+ số nhiệm vụ quá hạn chưa hoàn thành\); không tính nhiệm vụ chưa đến hạn\. Kết quả: 50(,0)?%\.",
        text,
    ), text
    assert "Hoàn thành đúng hạn 1" in text
    assert "Đang thực hiện (quá hạn) 1" in text


def test_periods_page_does_not_headline_100_percent_when_one_task_of_nine_is_done(habac, users, client_for):
    # One task done on time, the eight others open and none overdue: the reporting formula gives 100%.
    Task.objects.filter(pk=task_at(habac, 5).pk).update(completed_on=D(2026, 10, 1))

    text = page_text(client_for(users["captren"]).get(f"/ke-hoach/{habac.pk}/bao-cao/"))

    assert "1/9 nhiệm vụ đã hoàn thành" in text and "0 nhiệm vụ quá hạn" in text
    assert not re.search(r"Tỷ lệ hoàn thành \d", text), "no bare completion percentage"
    # What leads the page is "1/9", with no percentage; the reporting formula's 100% comes only after its
    # definition, below the headline figures.
    headline = text.split("Tỷ lệ đúng hạn")[0]
    assert "1/9 nhiệm vụ đã hoàn thành" in headline and "%" not in headline
    assert text.index("Tỷ lệ hoàn thành theo cách tính báo cáo") < text.index("Kết quả: 100%.")
    assert text.index("1/9 nhiệm vụ đã hoàn thành") < text.index("Kết quả: 100%.")


@pytest.mark.parametrize("who", ["supervisor", "coordinator"])
def test_periods_page_forbidden_to_another_city(habac, users, other_city, client_for, who):
    client = client_for(other_city[who])
    before = list(Period.objects.filter(plan=habac).values_list("starts_on", "ends_on", "due_on"))

    assert client.get(f"/ke-hoach/{habac.pk}/bao-cao/").status_code == 403
    response = client.post(
        f"/ke-hoach/{habac.pk}/bao-cao/", {"kinds": ["quy"], "cutoff_day": "10", "submit_days": "3"}
    )
    assert response.status_code == 403
    assert list(Period.objects.filter(plan=habac).values_list("starts_on", "ends_on", "due_on")) == before


def test_daumoi_changes_the_cutoff_and_the_periods_move(habac, users, client_for):
    client = client_for(users["daumoi"])
    q1 = Period.objects.get(plan=habac, kind="quy", number=1)
    audit_before = AuditEntry.objects.count()

    response = client.post(
        f"/ke-hoach/{habac.pk}/bao-cao/",
        {"kinds": ["quy", "6thang", "nam"], "cutoff_day": "10", "submit_days": "7"},
        follow=True,
    )

    assert response.redirect_chain[-1][0] == f"/ke-hoach/{habac.pk}/bao-cao/"
    assert "Đã lưu cấu hình kỳ báo cáo." in messages_of(response)
    q1.refresh_from_db()
    assert (q1.starts_on, q1.ends_on, q1.due_on) == (D(2025, 12, 11), D(2026, 3, 10), D(2026, 3, 17))
    year = Period.objects.get(plan=habac, kind="nam")
    assert (year.starts_on, year.ends_on, year.due_on) == (D(2025, 12, 11), D(2026, 12, 10), D(2026, 12, 17))
    text = page_text(response)
    assert "Quý I/2026 11/12/2025 – 10/03/2026 17/03/2026" in text
    config = ReportingConfig.objects.get(plan=habac)
    assert (config.cutoff_day, config.submit_days) == (10, 7)
    assert AuditEntry.objects.count() > audit_before


def test_adding_monthly_reporting_creates_the_months(habac, users, client_for):
    client = client_for(users["daumoi"])
    client.post(
        f"/ke-hoach/{habac.pk}/bao-cao/",
        {"kinds": ["thang", "quy", "6thang", "nam"], "cutoff_day": "14", "submit_days": "5"},
    )
    months = Period.objects.filter(plan=habac, kind="thang")
    assert months.count() == 12
    nov = months.get(number=11)
    assert (nov.starts_on, nov.ends_on, nov.due_on) == (D(2026, 10, 15), D(2026, 11, 14), D(2026, 11, 19))
    assert "Tháng 11/2026" in page_text(client.get(f"/ke-hoach/{habac.pk}/bao-cao/"))


def test_cutoff_change_leaves_closed_periods_alone(habac, users, client_for):
    client = client_for(users["daumoi"])
    q1 = Period.objects.get(plan=habac, kind="quy", number=1)
    assert client.post(f"/ke-hoach/{habac.pk}/ky/{q1.pk}/khoa-so/").status_code == 302

    client.post(
        f"/ke-hoach/{habac.pk}/bao-cao/",
        {"kinds": ["quy", "6thang", "nam"], "cutoff_day": "10", "submit_days": "5"},
    )

    q1.refresh_from_db()
    assert (q1.starts_on, q1.ends_on) == (D(2025, 12, 15), D(2026, 3, 14))
    assert Period.objects.get(plan=habac, kind="quy", number=2).ends_on == D(2026, 6, 10)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"cutoff_day": "31", "submit_days": "5", "kinds": ["quy"]}, "28"),
        ({"cutoff_day": "14", "submit_days": "5"}, "Chọn ít nhất một loại kỳ báo cáo."),
        ({"cutoff_day": "abc", "submit_days": "5", "kinds": ["quy"]}, "số"),
    ],
)
def test_bad_config_is_refused_with_a_message(habac, users, client_for, data, message):
    before = list(Period.objects.filter(plan=habac).values_list("starts_on", "ends_on", "due_on"))

    response = client_for(users["daumoi"]).post(f"/ke-hoach/{habac.pk}/bao-cao/", data)

    assert response.status_code == 200
    assert message in " ".join(e for errors in response.context["form"].errors.values() for e in errors)
    assert list(Period.objects.filter(plan=habac).values_list("starts_on", "ends_on", "due_on")) == before
    assert ReportingConfig.objects.get(plan=habac).cutoff_day == 14


@pytest.mark.parametrize("username", ["vhxh", "captren", "lanhdao", "kinhte"])
def test_config_post_by_others_is_forbidden(habac, users, client_for, username):
    before = list(Period.objects.filter(plan=habac).values_list("starts_on", "ends_on", "due_on"))

    response = client_for(users[username]).post(
        f"/ke-hoach/{habac.pk}/bao-cao/",
        {"kinds": ["quy", "6thang", "nam"], "cutoff_day": "10", "submit_days": "7"},
    )

    assert response.status_code == 403
    assert list(Period.objects.filter(plan=habac).values_list("starts_on", "ends_on", "due_on")) == before


def test_periods_page_needs_login(habac):
    response = Client().get(f"/ke-hoach/{habac.pk}/bao-cao/")
    assert response.status_code == 302 and "/dang-nhap/" in response["Location"]


# 2. The đầu mối's desk -----------------------------------------------------------------------------


def desk_url(habac, period, query: str = "") -> str:
    return f"/ke-hoach/{habac.pk}/ky/{period.pk}/{query}"


def test_desk_lists_tasks_owing_reports_and_the_indicators(habac, users, client_for, q4):
    response = client_for(users["daumoi"]).get(desk_url(habac, q4))

    assert response.status_code == 200
    text = page_text(response)
    assert "Kỳ Quý IV/2026" in text
    assert "Số liệu từ 15/09/2026 đến 14/12/2026 · hạn gửi 19/12/2026" in text
    task_rows = rows_of(card(response, "Báo cáo tiến độ nhiệm vụ"))
    # Tasks 1–3 still wait on the city's plan: no report owed yet.
    assert [row.split(" ", 1)[0] for row in task_rows] == ["4", "5", "6", "7", "8", "9"]
    assert "Báo cáo tiến độ nhiệm vụ (6)" in text
    assert not any("Ban hành Kế hoạch về khoa học" in row for row in task_rows)
    assert any(TASK5 in row and "Đang thực hiện (trong hạn)" in row for row in task_rows)
    assert "Phòng VH-XH: Chưa lập" in task_rows[0] and "TT DVSNC: Chưa lập" in task_rows[0]
    indicator_rows = rows_of(card(response, "Số liệu chỉ tiêu"))
    assert "Số liệu chỉ tiêu (11)" in text
    assert [row.split(" ", 1)[0] for row in indicator_rows] == [f"CT{n:02d}" for n in range(1, 12)]
    assert "tối thiểu 10 sáng kiến" in indicator_rows[0] and "Chưa có số liệu" in indicator_rows[0]
    assert "TT PVHCC: Chưa lập" in indicator_rows[6]
    assert "Phòng KT: Chưa lập" in indicator_rows[9] and "Phòng VH-XH (phối hợp)" in indicator_rows[9]


def test_desk_shows_conditional_tasks_once_their_condition_is_met(habac, users, client_for, q4):
    from kehoach.plans.services.tasks import trigger_record

    trigger = task_at(habac, 1).trigger
    trigger_record(
        actor=users["daumoi"], trigger=trigger, occurred_on=D(2026, 10, 20), document_number="123/KH-UBND"
    )

    rows = rows_of(card(client_for(users["daumoi"]).get(desk_url(habac, q4)), "Báo cáo tiến độ nhiệm vụ"))

    assert [row.split(" ", 1)[0] for row in rows] == [str(n) for n in range(1, 10)]
    # Task 3 has two lead units: both owe a report.
    assert "Phòng VH-XH: Chưa lập" in rows[2] and "TT PVHCC: Chưa lập" in rows[2]


def test_desk_filter_by_unit(habac, users, client_for, q4):
    client = client_for(users["daumoi"])

    response = client.get(desk_url(habac, q4, f"?don_vi={unit('TT DVSNC').pk}"))
    task_rows = rows_of(card(response, "Báo cáo tiến độ nhiệm vụ"))
    assert len(task_rows) == 1 and "Tuyên truyền triển khai Cuộc thi viết thư quốc tế UPU" in task_rows[0]
    assert "TT DVSNC: Chưa lập" in task_rows[0] and "Phòng VH-XH" not in task_rows[0]
    assert "Số liệu chỉ tiêu (0)" in page_text(response)

    response = client.get(desk_url(habac, q4, f"?don_vi={unit('Phòng KT').pk}"))
    assert "Báo cáo tiến độ nhiệm vụ (0)" in page_text(response)
    codes = [row.split(" ", 1)[0] for row in rows_of(card(response, "Số liệu chỉ tiêu"))]
    assert codes == ["CT10", "CT11"]
    # The selected unit stays selected in the filter.
    assert f'<option value="{unit("Phòng KT").pk}" selected>' in response.content.decode()


def test_desk_filter_by_state(habac, users, client_for, q4):
    make_report(habac, users, q4, status=ReportStatus.SUBMITTED, position=5)
    make_report(habac, users, q4, status=ReportStatus.DRAFT, position=6)
    client = client_for(users["daumoi"])

    submitted = rows_of(card(client.get(desk_url(habac, q4, "?trang_thai=da_gui")), "Báo cáo tiến độ"))
    assert len(submitted) == 1 and TASK5 in submitted[0] and "Đã gửi 60%" in submitted[0]

    drafts = rows_of(card(client.get(desk_url(habac, q4, "?trang_thai=nhap")), "Báo cáo tiến độ"))
    assert len(drafts) == 1 and "Bình dân học vụ số" in drafts[0]

    response = client.get(desk_url(habac, q4, "?trang_thai=chua_lap"))
    not_started = rows_of(card(response, "Báo cáo tiến độ"))
    assert [row.split(" ", 1)[0] for row in not_started] == ["4", "7", "8", "9"]
    assert "Số liệu chỉ tiêu (11)" in page_text(response)

    response = client.get(desk_url(habac, q4, f"?trang_thai=da_gui&don_vi={unit('TT DVSNC').pk}"))
    assert "Báo cáo tiến độ nhiệm vụ (0)" in page_text(response)


def open_buttons(response, action: str) -> list[tuple[int, int]]:
    """(task or indicator pk, unit pk) of each "Lập báo cáo"/"Nhập số liệu" link on the page."""
    body = response.content.decode()
    field = "task" if action.endswith("bao-cao-tien-do/lap/") else "indicator"
    pattern = rf'href="{action}\?{field}=(\d+)&amp;period=\d+&amp;unit=(\d+)"'
    return [(int(item), int(unit_)) for item, unit_ in re.findall(pattern, body)]


@pytest.mark.parametrize(
    ("username", "report_units", "figure_units"),
    [
        ("vhxh", {"Phòng VH-XH": 6}, {"Phòng VH-XH": 6}),
        ("daumoi", {"Phòng VH-XH": 6}, {"Phòng VH-XH": 6}),
        ("dvsnc", {"TT DVSNC": 1}, {}),
        ("kinhte", {}, {"Phòng KT": 2}),
        ("pvhcc", {}, {"TT PVHCC": 3}),
        ("vanphong", {}, {"Văn phòng HĐND và UBND": 3}),
        ("captren", {}, {}),
        ("lanhdao", {}, {}),
    ],
)
def test_desk_offers_to_open_reports_only_for_the_viewers_units(
    habac, users, client_for, q4, username, report_units, figure_units
):
    response = client_for(users[username]).get(desk_url(habac, q4))
    assert response.status_code == 200

    def count(pairs):
        by_unit: dict[str, int] = {}
        for _, unit_pk in pairs:
            name = Unit.objects.get(pk=unit_pk).short_name
            by_unit[name] = by_unit.get(name, 0) + 1
        return by_unit

    assert count(open_buttons(response, "/bao-cao-tien-do/lap/")) == report_units
    assert count(open_buttons(response, "/so-lieu/lap/")) == figure_units
    assert page_text(response).count("Lập báo cáo") == sum(report_units.values())


@pytest.mark.parametrize("username", ["daumoi", "vhxh", "captren", "lanhdao", "kinhte", "quantri"])
def test_desk_review_buttons_only_for_daumoi(habac, users, client_for, q4, username):
    report = make_report(habac, users, q4, status=ReportStatus.SUBMITTED)

    response = client_for(users[username]).get(desk_url(habac, q4))

    body = response.content.decode()
    accept = f'hx-post="/bao-cao-tien-do/{report.pk}/accept/"'
    give_back = f'hx-post="/bao-cao-tien-do/{report.pk}/return/"'
    assert (accept in body) == (username == "daumoi")
    assert (give_back in body) == (username == "daumoi")
    assert ("Khóa sổ kỳ" in page_text(response)) == (username == "daumoi")


def test_htmx_accept_returns_the_refreshed_slot(habac, users, client_for, q4):
    report = make_report(habac, users, q4, status=ReportStatus.SUBMITTED)

    response = htmx(client_for(users["daumoi"]), f"/bao-cao-tien-do/{report.pk}/accept/")

    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" not in body and "<nav" not in body, "chỉ trả về ô của đơn vị"
    assert body.lstrip().startswith('<div class="slot')
    assert f'id="slot-report-{report.pk}-{report.unit_id}"' in body
    text = page_text(response)
    assert "Phòng VH-XH: Đã chấp nhận 60%" in text
    assert "Chấp nhận" not in text.replace("Đã chấp nhận", "")
    report.refresh_from_db()
    assert report.status == ReportStatus.ACCEPTED
    assert report.reviewed_by == users["daumoi"]
    assert AuditEntry.objects.filter(object_id=str(report.pk), summary="Chấp nhận báo cáo").exists()


def test_htmx_return_without_reason_changes_nothing(habac, users, client_for, q4):
    report = make_report(habac, users, q4, status=ReportStatus.SUBMITTED)
    audit_before = AuditEntry.objects.count()

    response = htmx(client_for(users["daumoi"]), f"/bao-cao-tien-do/{report.pk}/return/", {"reason": "  "})

    assert response.status_code == 200
    text = page_text(response)
    assert "<html" not in response.content.decode()
    assert "Cần ghi lý do." in text
    assert "Phòng VH-XH: Đã gửi" in text
    assert 'role="alert"' in response.content.decode()
    fresh = ProgressReport.objects.get(pk=report.pk)
    assert (fresh.status, fresh.version, fresh.return_reason) == (ReportStatus.SUBMITTED, report.version, "")
    assert AuditEntry.objects.count() == audit_before
    assert not Notification.objects.filter(kind="tra_lai").exists()


def test_htmx_return_with_reason(habac, users, client_for, q4, django_capture_on_commit_callbacks):
    report = make_report(habac, users, q4, status=ReportStatus.SUBMITTED)

    with django_capture_on_commit_callbacks(execute=True):
        response = htmx(
            client_for(users["daumoi"]),
            f"/bao-cao-tien-do/{report.pk}/return/",
            {"reason": "Thiếu số liệu về dịch vụ công trực tuyến."},
        )

    assert response.status_code == 200
    text = page_text(response)
    assert "Phòng VH-XH: Trả lại" in text
    assert "Trả lại cho đơn vị" not in text and "Lý do trả lại" not in text
    report.refresh_from_db()
    assert report.status == ReportStatus.RETURNED
    assert report.return_reason == "Thiếu số liệu về dịch vụ công trực tuyến."
    assert Notification.objects.filter(user=users["vhxh"], kind="tra_lai").count() == 1


def test_htmx_accept_of_a_figure(habac, users, client_for, q4):
    client = client_for(users["pvhcc"])
    m = opened(client, indicator(habac, "CT07"), q4, unit("TT PVHCC"))
    client.post(
        m.get_absolute_url(), measurement_data(m, action="submit", value="95", source="Một cửa điện tử")
    )
    m.refresh_from_db()
    assert m.status == ReportStatus.SUBMITTED

    response = htmx(client_for(users["daumoi"]), f"/so-lieu/{m.pk}/accept/")

    assert "TT PVHCC: Đã chấp nhận 95" in page_text(response)
    m.refresh_from_db()
    assert m.status == ReportStatus.ACCEPTED
    desk = client_for(users["daumoi"]).get(desk_url(habac, q4))
    row = rows_of(card(desk, "Số liệu chỉ tiêu"))[6]
    assert row.startswith("CT07") and "95%" in row


def test_non_htmx_review_redirects_with_a_message(habac, users, client_for, q4):
    client = client_for(users["daumoi"])
    report = make_report(habac, users, q4, status=ReportStatus.SUBMITTED)

    response = client.post(f"/bao-cao-tien-do/{report.pk}/return/", {"reason": ""}, follow=True)
    assert response.redirect_chain[0] == (f"/bao-cao-tien-do/{report.pk}/", 302)
    assert "Cần ghi lý do." in messages_of(response)
    assert ProgressReport.objects.get(pk=report.pk).status == ReportStatus.SUBMITTED

    response = client.post(
        f"/bao-cao-tien-do/{report.pk}/accept/", {"next": desk_url(habac, q4)}, follow=True
    )
    assert response.redirect_chain[0] == (desk_url(habac, q4), 302)
    assert "Đã chấp nhận." in messages_of(response)
    assert ProgressReport.objects.get(pk=report.pk).status == ReportStatus.ACCEPTED

    # A second accept is refused with the reason, the report stays as it is.
    response = client.post(f"/bao-cao-tien-do/{report.pk}/accept/", follow=True)
    assert "Chỉ chấp nhận được báo cáo đã gửi." in messages_of(response)


def test_review_does_not_redirect_off_site(habac, users, client_for, q4):
    report = make_report(habac, users, q4, status=ReportStatus.SUBMITTED)

    response = client_for(users["daumoi"]).post(
        f"/bao-cao-tien-do/{report.pk}/accept/", {"next": "https://evil.example/phishing"}
    )

    assert response.status_code == 302
    assert not response["Location"].startswith("https://evil.example")


def test_review_with_an_unknown_action_is_not_found(habac, users, client_for, q4):
    report = make_report(habac, users, q4, status=ReportStatus.SUBMITTED)
    assert client_for(users["daumoi"]).post(f"/bao-cao-tien-do/{report.pk}/xoa-het/").status_code == 404
    assert ProgressReport.objects.get(pk=report.pk).status == ReportStatus.SUBMITTED


@pytest.mark.parametrize("username", ["vhxh", "captren", "lanhdao", "kinhte"])
def test_review_by_anyone_but_daumoi_is_forbidden(habac, users, client_for, q4, username):
    report = make_report(habac, users, q4, status=ReportStatus.SUBMITTED)
    client = client_for(users[username])

    assert htmx(client, f"/bao-cao-tien-do/{report.pk}/accept/").status_code == 403
    assert client.post(f"/bao-cao-tien-do/{report.pk}/return/", {"reason": "Sai"}).status_code == 403
    assert ProgressReport.objects.get(pk=report.pk).status == ReportStatus.SUBMITTED


def test_desk_of_another_plans_period_is_not_found(habac, users, client_for, other_city, q4):
    plan = other_city["plan"]
    assert client_for(other_city["coordinator"]).get(f"/ke-hoach/{plan.pk}/ky/{q4.pk}/").status_code == 404


# 3. Progress report flow ---------------------------------------------------------------------------


def test_report_flow_from_draft_to_done_and_reopened(
    habac, users, client_for, q4, media, django_capture_on_commit_callbacks
):
    vhxh = client_for(users["vhxh"])
    task = task_at(habac, 5)

    # Open: a draft is created and the user lands on it.
    response = open_report(vhxh, task, q4, unit("Phòng VH-XH"))
    report = ProgressReport.objects.get(task=task, period=q4, unit=unit("Phòng VH-XH"))
    assert response.status_code == 302 and response["Location"] == f"/bao-cao-tien-do/{report.pk}/"
    assert (report.status, report.role, report.percent_complete) == (ReportStatus.DRAFT, "chu_tri", 0)
    # Opening again leads to the same report.
    assert open_report(vhxh, task, q4, unit("Phòng VH-XH"))["Location"] == response["Location"]
    assert ProgressReport.objects.filter(task=task).count() == 1

    page = vhxh.get(report.get_absolute_url())
    text = page_text(page)
    assert TASK5 in text and "Báo cáo tiến độ kỳ Quý IV/2026 · Phòng Văn hóa - Xã hội (chủ trì)" in text
    assert "Lưu nháp" in text and "Lưu và gửi đầu mối" in text
    assert "Đã có kết quả/sản phẩm: “Báo cáo”" in text

    # Save a draft.
    response = vhxh.post(
        report.get_absolute_url(),
        report_data(report, percent_complete="40", results="", difficulties="Thiếu kinh phí."),
        follow=True,
    )
    assert "Đã lưu bản nháp." in messages_of(response)
    report.refresh_from_db()
    assert (report.percent_complete, report.difficulties, report.version) == (40, "Thiếu kinh phí.", 2)

    # Submitting without results: the form comes back with the reason, still a draft.
    response = vhxh.post(report.get_absolute_url(), report_data(report, action="submit"))
    assert response.status_code == 200
    assert "Cần ghi kết quả đạt được trong kỳ trước khi gửi." in page_text(response)
    assert ProgressReport.objects.get(pk=report.pk).status == ReportStatus.DRAFT
    report.refresh_from_db()

    # Evidence: a real PDF is kept, a GIF dressed as a PDF is refused.
    response = upload(vhxh, report, "bao-cao-cds.pdf", tiny_pdf(), is_output=True)
    assert "Đã đính kèm “bao-cao-cds.pdf”." in messages_of(response)
    evidence = Evidence.objects.get(progress_report=report)
    assert (evidence.content_type, evidence.is_output, evidence.original_name) == (
        "application/pdf",
        True,
        "bao-cao-cds.pdf",
    )
    assert evidence.file.path.startswith(str(media))
    assert "bao-cao-cds" not in evidence.file.name, "tên lưu trữ không lộ tên tệp gốc"
    assert "bao-cao-cds.pdf" in page_text(response) and "kết quả/sản phẩm" in page_text(response)

    response = upload(vhxh, report, "anh-chup.pdf", GIF, is_output=True)
    errors = " ".join(messages_of(response))
    assert BAD_TYPE_TEXT in errors and "anh-chup.pdf" in errors
    assert Evidence.objects.filter(progress_report=report).count() == 1

    # Submit at 100% with the output and its evidence.
    response = vhxh.post(
        report.get_absolute_url(),
        report_data(
            report,
            action="submit",
            percent_complete="100",
            results="Hoàn thành toàn bộ nội dung kế hoạch chuyển đổi số.",
            output_delivered=True,
            completed_on=TODAY.isoformat(),
        ),
        follow=True,
    )
    assert "Đã gửi báo cáo cho đầu mối." in messages_of(response)
    assert "Đã gửi" in page_text(response)
    assert "Lưu và gửi đầu mối" not in page_text(response), "báo cáo đã gửi không sửa được"
    report.refresh_from_db()
    assert (report.status, report.submitted_by) == (ReportStatus.SUBMITTED, users["vhxh"])
    # Once sent, the unit cannot change it.
    refused = vhxh.post(report.get_absolute_url(), report_data(report, results="Sửa"))
    assert "Báo cáo đã gửi, đang chờ đầu mối xem xét: không sửa được." in page_text(refused)
    report.refresh_from_db()
    assert report.results != "Sửa" and report.status == ReportStatus.SUBMITTED

    # Đầu mối accepts: the task is done on time.
    daumoi = client_for(users["daumoi"])
    response = daumoi.post(f"/bao-cao-tien-do/{report.pk}/accept/", follow=True)
    assert "Đã chấp nhận." in messages_of(response)
    task.refresh_from_db()
    assert task.completed_on == TODAY
    task_page = page_text(vhxh.get(task.get_absolute_url()))
    assert "Hoàn thành đúng hạn" in task_page
    assert "Ngày hoàn thành 27/11/2026" in task_page
    assert "Kỳ Quý IV/2026 – Phòng Văn hóa - Xã hội (chủ trì) 100%" in task_page
    refused = vhxh.post(report.get_absolute_url(), report_data(report, results="Sửa"))
    assert "Báo cáo đã được chấp nhận và đã khóa; cần đầu mối mở lại nếu phải sửa." in page_text(refused)
    report.refresh_from_db()
    assert report.results != "Sửa" and report.status == ReportStatus.ACCEPTED

    # Reopening needs a reason, then the unit may edit again and the task is no longer done.
    response = daumoi.post(f"/bao-cao-tien-do/{report.pk}/reopen/", {"reason": ""}, follow=True)
    assert "Cần ghi lý do." in messages_of(response)
    assert ProgressReport.objects.get(pk=report.pk).status == ReportStatus.ACCEPTED
    with django_capture_on_commit_callbacks(execute=True):
        response = daumoi.post(
            f"/bao-cao-tien-do/{report.pk}/reopen/",
            {"reason": "Cần bổ sung biên bản nghiệm thu."},
            follow=True,
        )
    assert "Đã mở lại để đơn vị sửa." in messages_of(response)
    report.refresh_from_db()
    assert report.status == ReportStatus.RETURNED
    task.refresh_from_db()
    assert task.completed_on is None
    assert "Đang thực hiện (trong hạn)" in page_text(vhxh.get(task.get_absolute_url()))

    page = vhxh.get(report.get_absolute_url())
    text = page_text(page)
    assert "Lý do trả lại: Cần bổ sung biên bản nghiệm thu." in text
    assert "Lưu và gửi đầu mối" in text
    response = vhxh.post(
        report.get_absolute_url(), report_data(report, outputs="Báo cáo và biên bản nghiệm thu."), follow=True
    )
    assert "Đã lưu bản nháp." in messages_of(response)
    assert ProgressReport.objects.get(pk=report.pk).outputs == "Báo cáo và biên bản nghiệm thu."
    # The whole trail is in the history.
    summaries = set(
        AuditEntry.objects.filter(object_id=str(report.pk), content_type__model="progressreport").values_list(
            "summary", flat=True
        )
    )
    assert {"Gửi báo cáo", "Chấp nhận báo cáo"} <= summaries
    assert any(s.startswith("Mở lại báo cáo đã chấp nhận") for s in summaries)


def test_submit_at_100_percent_needs_output_evidence(habac, users, client_for, q4, media):
    vhxh = client_for(users["vhxh"])
    report = make_report(habac, users, q4)
    upload(vhxh, report, "anh-hoi-nghi.pdf", tiny_pdf(), is_output=False)

    response = vhxh.post(
        report.get_absolute_url(),
        report_data(report, action="submit", percent_complete="100", output_delivered=False, completed_on=""),
    )

    text = page_text(response)
    assert "Nhiệm vụ hoàn thành 100% cần xác nhận đã có “Báo cáo”." in text
    assert "Cần ghi ngày hoàn thành nhiệm vụ." in text
    assert "Cần đính kèm minh chứng là “Báo cáo” (đánh dấu “là kết quả/sản phẩm”)." in text
    assert ProgressReport.objects.get(pk=report.pk).status == ReportStatus.DRAFT


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"percent_complete": "120"}, "100"),
        ({"percent_complete": "mười"}, "Tỷ lệ hoàn thành phải là số nguyên từ 0 đến 100."),
        ({"completed_on": "2026-12-31"}, "Ngày hoàn thành không được sau ngày hôm nay."),
        ({"completed_on": "31/02/2026"}, "Ngày hoàn thành không hợp lệ (dd/mm/yyyy)."),
    ],
)
def test_report_form_validation_messages(habac, users, client_for, q4, fields, message):
    vhxh = client_for(users["vhxh"])
    report = make_report(habac, users, q4)

    response = vhxh.post(report.get_absolute_url(), report_data(report, **fields))

    assert response.status_code == 200
    assert message in page_text(response)
    fresh = ProgressReport.objects.get(pk=report.pk)
    assert (fresh.version, fresh.percent_complete, fresh.completed_on) == (report.version, 60, None)


def test_failed_submit_can_be_fixed_and_sent(habac, users, client_for, q4):
    vhxh = client_for(users["vhxh"])
    report = make_report(habac, users, q4, results="")

    response = vhxh.post(
        report.get_absolute_url(), report_data(report, action="submit", percent_complete="70")
    )
    assert "Cần ghi kết quả đạt được trong kỳ trước khi gửi." in page_text(response)

    # The user adds the missing text in the form they were given back and sends again.
    data = report_data(report, action="submit", percent_complete="70", results="Đã tập huấn 120 cán bộ.")
    data["version"] = form_value(response, "version")
    response = vhxh.post(report.get_absolute_url(), data, follow=True)

    assert CONFLICT_TEXT not in page_text(response)
    assert ProgressReport.objects.get(pk=report.pk).status == ReportStatus.SUBMITTED


def test_two_people_save_the_same_report(habac, users, client_for, q4):
    report = make_report(habac, users, q4)
    first, second = client_for(users["vhxh"]), client_for(users["daumoi"])
    form_first = first.get(report.get_absolute_url())
    form_second = second.get(report.get_absolute_url())
    version = form_value(form_first, "version")
    assert version == form_value(form_second, "version") == str(report.version)

    response = first.post(
        report.get_absolute_url(),
        report_data(report, version=version, results="Bản của anh Minh: đã triển khai 8/10 nội dung."),
    )
    assert response.status_code == 302

    response = second.post(
        report.get_absolute_url(),
        report_data(
            report,
            version=version,
            percent_complete="75",
            results="Bản của chị Hương: đã triển khai 7/10 nội dung.",
        ),
    )

    assert response.status_code == 200
    text = page_text(response)
    assert CONFLICT_TEXT in text
    assert "Nội dung bạn nhập vẫn còn" in text
    conflict = rows_of(response.content.decode().split('<div class="alert alert-warning"', 1)[1])
    assert (
        "Kết quả đạt được Bản của anh Minh: đã triển khai 8/10 nội dung. "
        "Bản của chị Hương: đã triển khai 7/10 nội dung."
    ) in conflict
    assert "Tỷ lệ hoàn thành (%) 60 75" in conflict
    # What the second person typed is still in the form, with the version that is now current.
    assert form_value(response, "results") == "Bản của chị Hương: đã triển khai 7/10 nội dung."
    assert form_value(response, "percent_complete") == "75"
    stored = ProgressReport.objects.get(pk=report.pk)
    assert stored.results == "Bản của anh Minh: đã triển khai 8/10 nội dung."
    assert stored.percent_complete == 60
    assert form_value(response, "version") == str(stored.version)

    # Saving again from that page keeps the second person's text on purpose.
    data = report_data(stored, percent_complete="75", results=form_value(response, "results"))
    data["version"] = form_value(response, "version")
    assert second.post(report.get_absolute_url(), data).status_code == 302
    assert ProgressReport.objects.get(pk=report.pk).results.startswith("Bản của chị Hương")


def test_conflict_table_lists_only_fields_that_differ(habac, users, client_for, q4):
    report = make_report(habac, users, q4, completed_on=TODAY, percent_complete=90)
    first, second = client_for(users["vhxh"]), client_for(users["daumoi"])
    version = str(report.version)
    first.post(report.get_absolute_url(), report_data(report, version=version, results="Bản thứ nhất."))

    response = second.post(
        report.get_absolute_url(), report_data(report, version=version, results="Bản hai.")
    )

    conflict = rows_of(response.content.decode().split('<div class="alert alert-warning"', 1)[1])
    assert [row.split(" ", 1)[0] for row in conflict] == ["Kết"]


def test_second_save_after_the_report_was_sent_keeps_the_typed_text(habac, users, client_for, q4):
    report = make_report(habac, users, q4)
    first, second = client_for(users["vhxh"]), client_for(users["daumoi"])
    version = form_value(second.get(report.get_absolute_url()), "version")
    first.post(report.get_absolute_url(), report_data(report, action="submit", version=version))
    assert ProgressReport.objects.get(pk=report.pk).status == ReportStatus.SUBMITTED

    response = second.post(
        report.get_absolute_url(),
        report_data(report, version=version, results="Nội dung chị Hương gõ dở: tập huấn 3 lớp."),
    )

    assert response.status_code == 200
    assert "Nội dung chị Hương gõ dở: tập huấn 3 lớp." in page_text(response)
    assert "đã gửi" in page_text(response).lower()
    fresh = ProgressReport.objects.get(pk=report.pk)
    assert fresh.status == ReportStatus.SUBMITTED and fresh.results == report.results


def test_a_report_the_unit_could_send_reaches_the_desk(habac, users, client_for, q4):
    vhxh = client_for(users["vhxh"])
    waiting = task_at(habac, 1)
    assert waiting.status(TODAY) == "cho_dieu_kien"

    open_report(vhxh, waiting, q4, unit("Phòng VH-XH"))
    report = ProgressReport.objects.filter(task=waiting).first()
    if report is None:
        # Acceptable too: nothing is owed, so nothing can be opened and nothing is offered.
        assert "Lập báo cáo kỳ" not in page_text(vhxh.get(waiting.get_absolute_url()))
        return
    vhxh.post(report.get_absolute_url(), report_data(report, action="submit", results="Đã dự thảo kế hoạch."))
    assert ProgressReport.objects.get(pk=report.pk).status == ReportStatus.SUBMITTED

    desk = client_for(users["daumoi"]).get(desk_url(habac, q4))
    assert f'hx-post="/bao-cao-tien-do/{report.pk}/accept/"' in desk.content.decode()


def test_submit_endpoint(habac, users, client_for, q4):
    vhxh = client_for(users["vhxh"])
    report = make_report(habac, users, q4, results="")

    response = vhxh.post(f"/bao-cao-tien-do/{report.pk}/gui/", follow=True)
    assert "Cần ghi kết quả đạt được trong kỳ trước khi gửi." in messages_of(response)
    assert ProgressReport.objects.get(pk=report.pk).status == ReportStatus.DRAFT

    ProgressReport.objects.filter(pk=report.pk).update(results="Đã tập huấn 3 lớp.")
    response = vhxh.post(f"/bao-cao-tien-do/{report.pk}/gui/", follow=True)
    assert "Đã gửi báo cáo cho đầu mối." in messages_of(response)
    assert ProgressReport.objects.get(pk=report.pk).status == ReportStatus.SUBMITTED
    response = vhxh.post(f"/bao-cao-tien-do/{report.pk}/gui/", follow=True)
    assert "Báo cáo đã gửi, đang chờ đầu mối xem xét: không sửa được." in messages_of(response)


def docx_bytes() -> bytes:
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<Types><Override PartName="/word/document.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
        )
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "stored_type"),
    [
        ("bien-ban.docx", "docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("anh.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "image/png"),
        ("ten-sai.docx", "pdf", "application/pdf"),
        ("script.pdf", b"<script>alert(1)</script>", None),
        ("nen.docx", b"PK\x03\x04 not really a zip", None),
    ],
)
def test_evidence_type_is_read_from_the_content(
    habac, users, client_for, q4, media, name, content, stored_type
):
    content = {"docx": docx_bytes(), "pdf": tiny_pdf()}.get(content, content)
    report = make_report(habac, users, q4)

    response = upload(client_for(users["vhxh"]), report, name, content)

    evidence = Evidence.objects.filter(progress_report=report).first()
    if stored_type is None:
        assert evidence is None
        assert any(BAD_TYPE_TEXT in m and name in m for m in messages_of(response))
    else:
        assert evidence.content_type == stored_type
        assert f"Đã đính kèm “{name}”." in messages_of(response)


def test_evidence_size_limit(habac, users, client_for, q4, media, settings):
    settings.KEHOACH_EVIDENCE_MAX_BYTES = 2 * 1024 * 1024
    report = make_report(habac, users, q4)
    big = tiny_pdf() + b"\n%" + b"0" * (2 * 1024 * 1024)

    response = upload(client_for(users["vhxh"]), report, "qua-lon.pdf", big)

    assert any("lớn hơn giới hạn 2 MB" in m for m in messages_of(response))
    assert not Evidence.objects.exists()


def test_evidence_refused_once_report_is_sent(habac, users, client_for, q4, media):
    report = make_report(habac, users, q4, status=ReportStatus.SUBMITTED)

    response = upload(client_for(users["vhxh"]), report, "them.pdf", tiny_pdf())

    assert any("không thêm minh chứng được" in m for m in messages_of(response))
    assert not Evidence.objects.filter(progress_report=report).exists()


def test_empty_upload_is_refused(habac, users, client_for, q4, media):
    report = make_report(habac, users, q4)
    response = upload(client_for(users["vhxh"]), report, "rong.pdf", b"")
    assert messages_of(response) and not Evidence.objects.exists()


def test_evidence_delete_by_the_unit(habac, users, client_for, q4, media):
    vhxh = client_for(users["vhxh"])
    report = make_report(habac, users, q4)
    upload(vhxh, report, "nham.pdf", tiny_pdf())
    evidence = Evidence.objects.get(progress_report=report)

    assert client_for(users["captren"]).post(f"/minh-chung/{evidence.pk}/xoa/").status_code == 403
    assert client_for(users["kinhte"]).post(f"/minh-chung/{evidence.pk}/xoa/").status_code == 403
    response = vhxh.post(f"/minh-chung/{evidence.pk}/xoa/", follow=True)

    assert "Đã xóa minh chứng “nham.pdf”." in messages_of(response)
    assert not Evidence.objects.filter(pk=evidence.pk).exists()


def test_coordinating_unit_writes_its_own_part(habac, users, client_for, q4):
    kinhte = client_for(users["kinhte"])
    task = task_at(habac, 5)

    response = open_report(kinhte, task, q4, unit("Phòng KT"))

    report = ProgressReport.objects.get(task=task, unit=unit("Phòng KT"))
    assert response["Location"] == report.get_absolute_url()
    assert report.role == "phoi_hop"
    page = kinhte.get(report.get_absolute_url())
    text = page_text(page)
    assert "Phần việc đơn vị phối hợp đã thực hiện" in text
    assert 'name="output_delivered"' not in page.content.decode()
    response = kinhte.post(
        report.get_absolute_url(),
        report_data(report, action="submit", percent_complete="50", results="Phối hợp rà soát hạ tầng."),
        follow=True,
    )
    assert "Đã gửi báo cáo cho đầu mối." in messages_of(response)
    row = rows_of(card(client_for(users["daumoi"]).get(desk_url(habac, q4)), "Báo cáo tiến độ"))[1]
    assert "Phòng KT (phối hợp) : Đã gửi 50%" in row


# 4. Indicator figures ------------------------------------------------------------------------------


def opened(client: Client, ind: Indicator, period: Period, unit_: Unit) -> Measurement:
    response = open_measurement(client, ind, period, unit_)
    assert response.status_code == 302, response
    m = Measurement.objects.get(indicator=ind, period=period, unit=unit_)
    assert response["Location"] == m.get_absolute_url()
    return m


def test_measurement_values_and_messages(habac, users, client_for, q4):
    pvhcc = client_for(users["pvhcc"])
    ct07 = indicator(habac, "CT07")
    assert "được số hóa" in ct07.name
    m = opened(pvhcc, ct07, q4, unit("TT PVHCC"))
    page = pvhcc.get(m.get_absolute_url())
    assert page.status_code == 200
    text = page_text(page)
    assert "CT07. Kết quả giải quyết thủ tục hành chính được số hóa theo quy định" in text
    assert "Giá trị lũy kế (%)" in text and "Tử số" in text and "Mẫu số" in text

    # A decimal comma.
    response = pvhcc.post(m.get_absolute_url(), measurement_data(m, value="12,5"), follow=True)
    assert "Đã lưu bản nháp." in messages_of(response)
    m.refresh_from_db()
    assert m.value == Decimal("12.5")

    # Numerator and denominator give the rate.
    pvhcc.post(m.get_absolute_url(), measurement_data(m, value="", numerator="30", denominator="40"))
    m.refresh_from_db()
    assert (m.numerator, m.denominator, m.value) == (Decimal(30), Decimal(40), Decimal(75))

    version = m.version
    for fields, message in [
        (
            {"value": "abc"},
            "Phải là số (dấu phẩy ngăn phần thập phân, ví dụ 12,5 hoặc 1.234,5), không có chữ.",
        ),
        ({"value": "120", "numerator": "", "denominator": ""}, "Tỷ lệ phải nằm trong khoảng từ 0 đến 100%."),
        ({"value": "-3", "numerator": "", "denominator": ""}, "Giá trị không được âm."),
        ({"numerator": "50", "denominator": "40"}, "Tử số không được lớn hơn mẫu số."),
        ({"numerator": "5", "denominator": "0"}, "Mẫu số phải lớn hơn 0."),
        ({"numerator": "5", "denominator": ""}, "Đã nhập tử số thì cần nhập cả mẫu số."),
    ]:
        response = pvhcc.post(m.get_absolute_url(), measurement_data(m, **fields))
        assert response.status_code == 200, fields
        assert message in page_text(response), fields
        m.refresh_from_db()
        assert (m.value, m.version) == (Decimal(75), version), fields

    # Sending needs a source.
    response = pvhcc.post(m.get_absolute_url(), measurement_data(m, action="submit", source=""))
    assert "Cần ghi nguồn số liệu." in page_text(response)
    assert Measurement.objects.get(pk=m.pk).status == ReportStatus.DRAFT
    m.refresh_from_db()
    response = pvhcc.post(
        m.get_absolute_url(),
        measurement_data(m, action="submit", source="Hệ thống thông tin giải quyết TTHC"),
        follow=True,
    )
    assert "Đã gửi số liệu cho đầu mối." in messages_of(response)
    assert Measurement.objects.get(pk=m.pk).status == ReportStatus.SUBMITTED


def test_count_indicator_needs_a_whole_number(habac, users, client_for, q4):
    kinhte = client_for(users["kinhte"])
    ct10 = indicator(habac, "CT10")
    m = opened(kinhte, ct10, q4, unit("Phòng KT"))
    page_text_ = page_text(kinhte.get(m.get_absolute_url()))
    assert "Giá trị lũy kế (doanh nghiệp)" in page_text_ and "Tử số" not in page_text_

    response = kinhte.post(m.get_absolute_url(), measurement_data(m, value="2,5"))

    assert "Chỉ tiêu đếm số doanh nghiệp: giá trị phải là số nguyên." in page_text(response)
    assert Measurement.objects.get(pk=m.pk).value is None
    kinhte.post(m.get_absolute_url(), measurement_data(m, value="2"))
    assert Measurement.objects.get(pk=m.pk).value == Decimal(2)


def test_value_typed_with_thousands_separator(habac, users, client_for, q4):
    budget = Indicator.objects.create(
        plan=habac,
        code="CT12",
        position=12,
        name="Kinh phí xã hội hóa cho chuyển đổi số",
        target=Decimal(50_000_000),
        unit_of_measure="đồng",
        lead_unit=unit("Phòng VH-XH"),
    )
    vhxh = client_for(users["vhxh"])
    m = opened(vhxh, budget, q4, unit("Phòng VH-XH"))

    vhxh.post(m.get_absolute_url(), measurement_data(m, value="1.500"))
    assert Measurement.objects.get(pk=m.pk).value == Decimal(1500)

    m.refresh_from_db()
    vhxh.post(m.get_absolute_url(), measurement_data(m, value="12.500.000,5"))
    assert Measurement.objects.get(pk=m.pk).value == Decimal("12500000.5")


def test_measurement_open_refused_for_units_not_assigned(habac, users, client_for, q4):
    pvhcc = client_for(users["pvhcc"])
    ct01 = indicator(habac, "CT01")

    # Their own unit is not assigned to CT01: a message, nothing created.
    response = open_measurement(pvhcc, ct01, q4, unit("TT PVHCC"), follow=True)
    assert response.redirect_chain[0][0] == ct01.get_absolute_url()
    assert messages_of(response) == [f"{unit('TT PVHCC')} không được giao báo cáo chỉ tiêu này."]
    # Another unit's figure: refused outright.
    assert open_measurement(pvhcc, ct01, q4, unit("Phòng VH-XH")).status_code == 403
    assert not Measurement.objects.exists()


def test_closed_period_takes_no_more_data(habac, users, client_for, q4):
    pvhcc = client_for(users["pvhcc"])
    daumoi = client_for(users["daumoi"])
    m = opened(pvhcc, indicator(habac, "CT07"), q4, unit("TT PVHCC"))
    pvhcc.post(m.get_absolute_url(), measurement_data(m, value="80"))
    m.refresh_from_db()

    # Only the đầu mối closes a period.
    assert pvhcc.post(f"/ke-hoach/{habac.pk}/ky/{q4.pk}/khoa-so/").status_code == 403
    response = daumoi.post(f"/ke-hoach/{habac.pk}/ky/{q4.pk}/khoa-so/", follow=True)
    assert "Đã khóa sổ kỳ Quý IV/2026: báo cáo và số liệu của kỳ không sửa được nữa." in messages_of(response)
    assert "Đã khóa sổ" in page_text(response) and "Mở lại kỳ" in page_text(response)
    q4.refresh_from_db()
    assert q4.is_closed and q4.closed_by == users["daumoi"]

    page = pvhcc.get(m.get_absolute_url())
    text = page_text(page)
    assert "Kỳ đã khóa sổ" in text
    assert "Lưu nháp" not in text and 'name="value"' not in page.content.decode()
    assert "80%" in text
    # A form left open before the close: the page comes back with the reason and the typed value kept.
    late = pvhcc.post(m.get_absolute_url(), measurement_data(m, value="90"))
    assert late.status_code == 200
    assert "Kỳ Quý IV/2026 đã khóa sổ: không sửa hoặc gửi báo cáo được." in page_text(late)
    assert 'value="90"' in late.content.decode()
    assert Measurement.objects.get(pk=m.pk).value == Decimal(80)
    # No new figure nor report in a closed period, and no button to start one.
    response = open_measurement(pvhcc, indicator(habac, "CT08"), q4, unit("TT PVHCC"), follow=True)
    assert "Kỳ Quý IV/2026 đã khóa sổ: không nhập số liệu được." in messages_of(response)
    assert not Measurement.objects.filter(indicator__code="CT08").exists()
    vhxh = client_for(users["vhxh"])
    response = open_report(vhxh, task_at(habac, 6), q4, unit("Phòng VH-XH"), follow=True)
    assert "Kỳ Quý IV/2026 đã khóa sổ: không lập báo cáo mới được." in messages_of(response)
    assert not ProgressReport.objects.exists()
    assert open_buttons(vhxh.get(desk_url(habac, q4)), "/bao-cao-tien-do/lap/") == []
    assert "Lập báo cáo kỳ" not in page_text(vhxh.get(task_at(habac, 6).get_absolute_url()))

    # Reopening the period needs a reason; then the unit can write again.
    response = daumoi.post(f"/ke-hoach/{habac.pk}/ky/{q4.pk}/mo-lai/", {"reason": ""}, follow=True)
    assert "Cần ghi lý do mở lại kỳ báo cáo." in messages_of(response)
    response = daumoi.post(
        f"/ke-hoach/{habac.pk}/ky/{q4.pk}/mo-lai/", {"reason": "TT PVHCC điều chỉnh số liệu."}, follow=True
    )
    assert "Đã mở lại kỳ Quý IV/2026." in messages_of(response)
    assert pvhcc.post(m.get_absolute_url(), measurement_data(m, value="90")).status_code == 302
    assert Measurement.objects.get(pk=m.pk).value == Decimal(90)


# 5. Permissions ------------------------------------------------------------------------------------


def test_kinhte_cannot_report_for_phong_vhxh(habac, users, client_for, q4):
    kinhte = client_for(users["kinhte"])
    report = make_report(habac, users, q4)

    response = open_report(kinhte, task_at(habac, 6), q4, unit("Phòng VH-XH"))
    assert response.status_code == 403
    assert "Chỉ cán bộ của Phòng Văn hóa - Xã hội mới được lập và gửi báo cáo của đơn vị này." in page_text(
        response
    )
    assert not ProgressReport.objects.filter(task=task_at(habac, 6)).exists()

    # Reading the report is fine inside the commune; writing is not.
    page = kinhte.get(report.get_absolute_url())
    assert page.status_code == 200 and "Lưu nháp" not in page_text(page)
    assert kinhte.post(report.get_absolute_url(), report_data(report, results="Ghi đè")).status_code == 403
    assert kinhte.post(f"/bao-cao-tien-do/{report.pk}/gui/").status_code == 403
    fresh = ProgressReport.objects.get(pk=report.pk)
    assert (fresh.results, fresh.version, fresh.status) == (
        report.results,
        report.version,
        ReportStatus.DRAFT,
    )


def test_kinhte_cannot_upload_to_phong_vhxh_report(habac, users, client_for, q4, media):
    report = make_report(habac, users, q4)
    response = upload(client_for(users["kinhte"]), report, "x.pdf", tiny_pdf())
    assert response.status_code == 403
    assert not Evidence.objects.exists()


def test_captren_reads_but_does_not_write(habac, users, client_for, q4, media):
    vhxh = client_for(users["vhxh"])
    report = make_report(habac, users, q4)
    pdf = tiny_pdf()
    upload(vhxh, report, "ket-qua.pdf", pdf, is_output=True)
    report = progress_services.progress_report_submit(actor=users["vhxh"], report=report)
    m = opened(client_for(users["pvhcc"]), indicator(habac, "CT07"), q4, unit("TT PVHCC"))
    captren = client_for(users["captren"])

    for url in [
        f"/ke-hoach/{habac.pk}/bao-cao/",
        desk_url(habac, q4),
        f"/ke-hoach/{habac.pk}/ky/{q4.pk}/thieu-so-lieu/",
        report.get_absolute_url(),
        m.get_absolute_url(),
        task_at(habac, 5).get_absolute_url(),
    ]:
        assert captren.get(url).status_code == 200, url
    assert "Chấp nhận" not in page_text(captren.get(report.get_absolute_url())).replace("Đã chấp nhận", "")

    before = (ProgressReport.objects.get(pk=report.pk).version, Measurement.objects.get(pk=m.pk).version)
    writes = [
        (
            "/bao-cao-tien-do/lap/",
            {"task": task_at(habac, 6).pk, "period": q4.pk, "unit": unit("Phòng VH-XH").pk},
        ),
        (report.get_absolute_url(), report_data(report, results="Cấp trên sửa")),
        (f"/bao-cao-tien-do/{report.pk}/accept/", {}),
        (f"/bao-cao-tien-do/{report.pk}/return/", {"reason": "Không đạt"}),
        (
            "/so-lieu/lap/",
            {"indicator": indicator(habac, "CT08").pk, "period": q4.pk, "unit": unit("TT PVHCC").pk},
        ),
        (m.get_absolute_url(), measurement_data(m, value="50")),
        (f"/ke-hoach/{habac.pk}/ky/{q4.pk}/khoa-so/", {}),
        (f"/ke-hoach/{habac.pk}/bao-cao/", {"kinds": ["quy"], "cutoff_day": "10", "submit_days": "5"}),
    ]
    for url, data in writes:
        assert captren.post(url, data).status_code == 403, url
    assert upload(captren, m, "x.pdf", tiny_pdf(), kind="so-lieu").status_code == 403
    assert (
        ProgressReport.objects.get(pk=report.pk).version,
        Measurement.objects.get(pk=m.pk).version,
    ) == before
    assert ProgressReport.objects.count() == 1 and Measurement.objects.count() == 1
    assert not Period.objects.get(pk=q4.pk).is_closed

    # Evidence is downloadable by those who read the plan.
    evidence = Evidence.objects.get(progress_report=report)
    response = captren.get(evidence.get_absolute_url())
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == pdf
    assert response["Content-Type"] == "application/pdf"
    assert (
        "attachment" in response["Content-Disposition"] and "ket-qua.pdf" in response["Content-Disposition"]
    )
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("who", ["supervisor", "coordinator"])
def test_another_city_is_refused_everywhere(habac, users, client_for, q4, other_city, media, who):
    vhxh = client_for(users["vhxh"])
    report = make_report(habac, users, q4)
    upload(vhxh, report, "ket-qua.pdf", tiny_pdf(), is_output=True)
    report = progress_services.progress_report_submit(actor=users["vhxh"], report=report)
    m = opened(client_for(users["pvhcc"]), indicator(habac, "CT07"), q4, unit("TT PVHCC"))
    evidence = Evidence.objects.get(progress_report=report)
    outsider = client_for(other_city[who])

    for url in [
        f"/ke-hoach/{habac.pk}/bao-cao/",
        desk_url(habac, q4),
        f"/ke-hoach/{habac.pk}/ky/{q4.pk}/thieu-so-lieu/",
        report.get_absolute_url(),
        m.get_absolute_url(),
        evidence.get_absolute_url(),
    ]:
        assert outsider.get(url).status_code == 403, url
    for url, data in [
        (
            "/bao-cao-tien-do/lap/",
            {"task": task_at(habac, 6).pk, "period": q4.pk, "unit": unit("Phòng VH-XH").pk},
        ),
        (
            "/bao-cao-tien-do/lap/",
            {"task": task_at(habac, 6).pk, "period": q4.pk, "unit": other_city["office"].pk},
        ),
        (report.get_absolute_url(), report_data(report, results="Sóc Sơn sửa")),
        (f"/bao-cao-tien-do/{report.pk}/gui/", {}),
        (f"/bao-cao-tien-do/{report.pk}/accept/", {}),
        (f"/bao-cao-tien-do/{report.pk}/return/", {"reason": "Không đạt"}),
        (m.get_absolute_url(), measurement_data(m, value="50")),
        (f"/so-lieu/{m.pk}/accept/", {}),
        (
            "/so-lieu/lap/",
            {"indicator": indicator(habac, "CT08").pk, "period": q4.pk, "unit": unit("TT PVHCC").pk},
        ),
        (f"/ke-hoach/{habac.pk}/ky/{q4.pk}/khoa-so/", {}),
        (f"/ke-hoach/{habac.pk}/ky/{q4.pk}/mo-lai/", {"reason": "x"}),
        (f"/minh-chung/{evidence.pk}/xoa/", {}),
    ]:
        assert outsider.post(url, data).status_code == 403, url
    assert upload(outsider, report, "x.pdf", tiny_pdf()).status_code == 403
    assert htmx(outsider, f"/bao-cao-tien-do/{report.pk}/accept/").status_code == 403
    fresh = ProgressReport.objects.get(pk=report.pk)
    assert (fresh.status, fresh.version) == (ReportStatus.SUBMITTED, report.version)
    assert Evidence.objects.filter(pk=evidence.pk).exists()
    assert ProgressReport.objects.count() == 1 and Measurement.objects.count() == 1
    assert not Period.objects.get(pk=q4.pk).is_closed


def test_evidence_download_missing_file_is_not_found(habac, users, client_for, q4, media):
    vhxh = client_for(users["vhxh"])
    report = make_report(habac, users, q4)
    upload(vhxh, report, "mat.pdf", tiny_pdf())
    evidence = Evidence.objects.get(progress_report=report)
    evidence.file.storage.delete(evidence.file.name)

    assert vhxh.get(evidence.get_absolute_url()).status_code == 404


def test_reporting_pages_need_login(habac, q4):
    anonymous = Client()
    for url in [desk_url(habac, q4), f"/ke-hoach/{habac.pk}/ky/{q4.pk}/thieu-so-lieu/", "/thong-bao/"]:
        response = anonymous.get(url)
        assert response.status_code == 302 and "/dang-nhap/" in response["Location"], url
    assert anonymous.post("/bao-cao-tien-do/lap/", {}).status_code == 302


# 6. Missing data and notifications -----------------------------------------------------------------


def missing_cards(response) -> dict[str, str]:
    """Unit → "thiếu N báo cáo nhiệm vụ, M số liệu chỉ tiêu", from the card headers."""
    headers = re.findall(
        r'<div class="card-header"><a href="[^"]*">([^<]+)</a> — ([^<]+)</div>', response.content.decode()
    )
    return {html.unescape(name): html.unescape(counts).strip() for name, counts in headers}


def test_missing_page_lists_who_owes_what(habac, users, client_for, q4):
    daumoi = client_for(users["daumoi"])
    url = f"/ke-hoach/{habac.pk}/ky/{q4.pk}/thieu-so-lieu/"

    response = daumoi.get(url)
    assert response.status_code == 200
    text = page_text(response)
    assert "Thiếu số liệu kỳ Quý IV/2026" in text and "Hạn gửi 19/12/2026" in text
    assert "đã quá hạn" not in text
    cards = missing_cards(response)
    assert cards == {
        "Phòng Văn hóa - Xã hội": "thiếu 6 báo cáo nhiệm vụ, 6 số liệu chỉ tiêu",
        "Văn phòng Hội đồng nhân dân và Ủy ban nhân dân": "thiếu 0 báo cáo nhiệm vụ, 3 số liệu chỉ tiêu",
        "Phòng Kinh tế": "thiếu 0 báo cáo nhiệm vụ, 2 số liệu chỉ tiêu",
        "Trung tâm Phục vụ Hành chính công": "thiếu 0 báo cáo nhiệm vụ, 3 số liệu chỉ tiêu",
        "Trung tâm Dịch vụ sự nghiệp công": "thiếu 1 báo cáo nhiệm vụ, 0 số liệu chỉ tiêu",
    }
    assert f"Nhiệm vụ 5 {TASK5} (chưa lập)" in text

    # A draft still counts as missing; a sent report does not.
    report = make_report(habac, users, q4)
    text = page_text(daumoi.get(url))
    assert f"Nhiệm vụ 5 {TASK5} (nháp)" in text
    progress_services.progress_report_submit(actor=users["vhxh"], report=report)
    response = daumoi.get(url)
    assert missing_cards(response)["Phòng Văn hóa - Xã hội"] == "thiếu 5 báo cáo nhiệm vụ, 6 số liệu chỉ tiêu"
    assert f"Nhiệm vụ 5 {TASK5}" not in page_text(response)


def test_missing_page_marks_a_late_period(habac, users, client_for):
    q3 = Period.objects.get(plan=habac, kind="quy", number=3)
    text = page_text(client_for(users["vhxh"]).get(f"/ke-hoach/{habac.pk}/ky/{q3.pk}/thieu-so-lieu/"))
    assert "Hạn gửi 19/09/2026 — đã quá hạn" in text


def test_returned_report_notifies_the_unit(habac, users, client_for, q4, django_capture_on_commit_callbacks):
    vhxh, daumoi = client_for(users["vhxh"]), client_for(users["daumoi"])
    with django_capture_on_commit_callbacks(execute=True):
        report = make_report(habac, users, q4, status=ReportStatus.SUBMITTED)
    # The đầu mối was told a report waits for review.
    waiting = Notification.objects.get(user=users["daumoi"], kind="cho_duyet")
    assert waiting.url == report.get_absolute_url()

    with django_capture_on_commit_callbacks(execute=True):
        daumoi.post(
            f"/bao-cao-tien-do/{report.pk}/return/", {"reason": "Thiếu minh chứng hội nghị triển khai."}
        )

    page = vhxh.get("/thong-bao/")
    text = page_text(page)
    assert f"Báo cáo Quý IV/2026 bị trả lại: {TASK5}" in text
    assert "Thiếu minh chứng hội nghị triển khai." in text
    assert re.search(r"Thông báo 1\b", page_text(vhxh.get(desk_url(habac, q4)))), "số thông báo chưa đọc"
    notification = Notification.objects.get(user=users["vhxh"], kind="tra_lai")
    assert notification.read_at is None
    assert f'href="{report.get_absolute_url()}"' in page.content.decode()

    # Someone else cannot mark it read.
    client_for(users["kinhte"]).post("/thong-bao/da-doc/", {"id": notification.pk})
    assert Notification.objects.get(pk=notification.pk).read_at is None

    response = vhxh.post("/thong-bao/da-doc/", {"id": notification.pk}, follow=True)
    assert "Đã đánh dấu 1 thông báo là đã đọc." in messages_of(response)
    assert Notification.objects.get(pk=notification.pk).read_at is not None
    assert "đã đọc" in page_text(response)
    assert not re.search(r"Thông báo \d", page_text(response))

    # Mark all read (htmx asks the page to refresh).
    response = htmx(daumoi, "/thong-bao/da-doc/")
    assert response.status_code == 204 and response["HX-Refresh"] == "true"
    assert not Notification.objects.filter(user=users["daumoi"], read_at__isnull=True).exists()


def test_notifications_page_is_personal(
    habac, users, client_for, other_city, q4, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        make_report(habac, users, q4, status=ReportStatus.RETURNED)
    assert "bị trả lại" in page_text(client_for(users["vhxh"]).get("/thong-bao/"))
    for user in [users["kinhte"], users["captren"], other_city["coordinator"]]:
        assert "Chưa có thông báo." in page_text(client_for(user).get("/thong-bao/"))


# 7. Query counts -----------------------------------------------------------------------------------


def add_tasks(habac, users, count: int, q4) -> None:
    """`count` more tasks with lead and coordinating units, half of them with a sent report."""
    leads = [unit("Phòng VH-XH"), unit("Phòng KT"), unit("TT PVHCC"), unit("TT DVSNC"), unit("Công an xã")]
    for i in range(count):
        lead = leads[i % len(leads)]
        task = task_save(
            actor=users["daumoi"],
            plan=habac,
            data={"title": f"Nhiệm vụ bổ sung số {i + 1}", "output": "Báo cáo", "deadline_text": "Cả năm"},
            lead_units=[lead, leads[(i + 1) % len(leads)]],
            coordinating_units=[unit("Văn phòng HĐND và UBND")],
        )
        if i % 2 == 0:
            ProgressReport.objects.create(
                task=task,
                period=q4,
                unit=lead,
                role="chu_tri",
                status=ReportStatus.SUBMITTED,
                percent_complete=50,
                results="Đang làm",
                submitted_by=users["vhxh"],
            )


def count_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("page", ["desk", "periods", "missing"])
def test_page_queries_do_not_grow_with_tasks(
    habac, users, client_for, q4, django_assert_max_num_queries, page
):
    url = {
        "desk": desk_url(habac, q4),
        "periods": f"/ke-hoach/{habac.pk}/bao-cao/",
        "missing": f"/ke-hoach/{habac.pk}/ky/{q4.pk}/thieu-so-lieu/",
    }[page]
    client = client_for(users["daumoi"])
    make_report(habac, users, q4, status=ReportStatus.SUBMITTED)
    client.get(url)  # warm the session and content-type caches
    baseline = count_queries(client, url)

    add_tasks(habac, users, 20, q4)
    assert Task.objects.filter(plan=habac).count() == 29

    with django_assert_max_num_queries(baseline):
        response = client.get(url)
    if page == "desk":
        assert "Báo cáo tiến độ nhiệm vụ (26)" in page_text(response)
        assert "Nhiệm vụ bổ sung số 20" in page_text(response)


def test_task_page_report_panel(habac, users, client_for, q4):
    task = task_at(habac, 4)

    text = page_text(client_for(users["vhxh"]).get(task.get_absolute_url()))
    assert "Báo cáo tiến độ" in text and "Kỳ Quý IV/2026" in text
    assert "Lập báo cáo kỳ Quý IV/2026" in text
    assert "Chưa có báo cáo tiến độ." in text
    assert "Lập báo cáo kỳ" not in page_text(client_for(users["captren"]).get(task.get_absolute_url()))

    make_report(habac, users, q4, position=4)
    text = page_text(client_for(users["vhxh"]).get(task.get_absolute_url()))
    assert "Lập báo cáo kỳ" not in text
    assert "Kỳ Quý IV/2026 – Phòng Văn hóa - Xã hội (chủ trì) 60% · Đã triển khai 6/10 nội dung" in text


# 8. Tasks with several lead units --------------------------------------------------------------------


def lead_output_report(users, username: str, task: Task, period: Period, unit_name: str, completed_on):
    """A lead unit's report declaring the task's output, with the output file attached, sent for review."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from kehoach.tracking.services.evidence import evidence_add

    actor = users[username]
    report = progress_services.progress_report_open(
        actor=actor, task=task, period=period, unit=unit(unit_name)
    )
    evidence_add(
        actor=actor,
        upload=SimpleUploadedFile("bai-tuyen-truyen.pdf", tiny_pdf()),
        report=report,
        is_output=True,
    )
    report = progress_services.progress_report_save(
        actor=actor,
        report=report,
        data={
            "percent_complete": 100,
            "output_delivered": True,
            "completed_on": completed_on,
            "results": "Đã đăng các bài tuyên truyền về Cuộc thi UPU.",
        },
        version=report.version,
    )
    return progress_services.progress_report_submit(actor=actor, report=report)


def lead_parts_rows(response) -> list[str]:
    body = response.content.decode()
    return rows_of(body.split('id="phan-viec-chu-tri"', 1)[1].split("</table>", 1)[0])


def test_a_two_lead_task_is_done_only_once_both_leads_outputs_are_accepted(
    habac, users, client_for, q4, media
):
    task = task_at(habac, 4)  # Phòng VH-XH and TT DVSNC lead; due 31/12/2026
    daumoi, vhxh = client_for(users["daumoi"]), client_for(users["vhxh"])
    vhxh_report = lead_output_report(users, "vhxh", task, q4, "Phòng VH-XH", D(2026, 11, 20))
    dvsnc_report = lead_output_report(users, "dvsnc", task, q4, "TT DVSNC", D(2026, 11, 10))

    # Phòng VH-XH's output is accepted; TT DVSNC's report still waits: the task is not done.
    response = daumoi.post(f"/bao-cao-tien-do/{vhxh_report.pk}/accept/", follow=True)
    assert "Đã chấp nhận." in messages_of(response)
    task.refresh_from_db()
    assert task.completed_on is None
    page = vhxh.get(task.get_absolute_url())
    text = page_text(page)
    assert "Đang thực hiện (trong hạn)" in text and "Hoàn thành đúng hạn" not in text
    assert "Ngày hoàn thành chưa hoàn thành" in text
    assert "Phần việc của từng đơn vị chủ trì" in text
    assert lead_parts_rows(page) == [
        "Phòng Văn hóa - Xã hội Kỳ Quý IV/2026 Đã chấp nhận 100% Đã được chấp nhận"
        " (hoàn thành ngày 20/11/2026)",
        "Trung tâm Dịch vụ sự nghiệp công Kỳ Quý IV/2026 Đã gửi 100% Chưa được chấp nhận",
    ]
    assert "Nhiệm vụ chưa hoàn thành: còn đơn vị chủ trì chưa có kết quả/sản phẩm được chấp nhận." in text

    # TT DVSNC's output accepted too: done, on the day the later of the two finished.
    daumoi.post(f"/bao-cao-tien-do/{dvsnc_report.pk}/accept/", follow=True)
    task.refresh_from_db()
    assert task.completed_on == D(2026, 11, 20)
    page = vhxh.get(task.get_absolute_url())
    text = page_text(page)
    assert "Hoàn thành đúng hạn" in text and "Ngày hoàn thành 20/11/2026" in text
    assert lead_parts_rows(page)[1] == (
        "Trung tâm Dịch vụ sự nghiệp công Kỳ Quý IV/2026 Đã chấp nhận 100% Đã được chấp nhận"
        " (hoàn thành ngày 10/11/2026)"
    )
    assert (
        "Mọi đơn vị chủ trì đã có kết quả/sản phẩm được chấp nhận: nhiệm vụ hoàn thành ngày 20/11/2026."
        in text
    )

    # Reopening TT DVSNC's report takes the completion back.
    response = daumoi.post(
        f"/bao-cao-tien-do/{dvsnc_report.pk}/reopen/", {"reason": "Thiếu đường dẫn bài đăng."}, follow=True
    )
    assert "Đã mở lại để đơn vị sửa." in messages_of(response)
    task.refresh_from_db()
    assert task.completed_on is None
    page = vhxh.get(task.get_absolute_url())
    assert "Đang thực hiện (trong hạn)" in page_text(page)
    assert lead_parts_rows(page)[1] == (
        "Trung tâm Dịch vụ sự nghiệp công Kỳ Quý IV/2026 Trả lại 100% Chưa được chấp nhận"
    )


def test_a_single_lead_task_page_shows_its_one_lead_part(habac, users, client_for, q4):
    make_report(habac, users, q4, position=5, status=ReportStatus.ACCEPTED)
    page = client_for(users["captren"]).get(task_at(habac, 5).get_absolute_url())
    assert lead_parts_rows(page) == [
        "Phòng Văn hóa - Xã hội Kỳ Quý IV/2026 Đã chấp nhận 60% Chưa được chấp nhận"
    ]
    assert "Nhiệm vụ chưa hoàn thành" not in page_text(page), "the summary line is for several leads"


def test_task_page_queries_do_not_grow_with_lead_units_and_reports(
    habac, users, client_for, q4, media, django_assert_max_num_queries
):
    task = task_at(habac, 4)
    client = client_for(users["daumoi"])
    lead_output_report(users, "vhxh", task, q4, "Phòng VH-XH", D(2026, 11, 20))
    client.get(task.get_absolute_url())  # warm the session and content-type caches
    baseline = count_queries(client, task.get_absolute_url())

    # A third lead unit, every lead with a report in two periods, each with evidence.
    task_save(
        actor=users["daumoi"],
        plan=habac,
        task=Task.objects.get(pk=task.pk),
        data={"title": task.title, "output": task.output, "deadline_text": task.deadline_text},
        lead_units=[unit("Phòng VH-XH"), unit("TT DVSNC"), unit("Phòng KT")],
        coordinating_units=[],
    )
    q3 = Period.objects.get(plan=habac, kind="quy", year=2026, number=3)
    for username, name in [("dvsnc", "TT DVSNC"), ("kinhte", "Phòng KT")]:
        lead_output_report(users, username, task, q4, name, D(2026, 11, 15))
    for name in ["Phòng VH-XH", "TT DVSNC", "Phòng KT"]:
        ProgressReport.objects.create(
            task=task, period=q3, unit=unit(name), role="chu_tri", percent_complete=50, results="Đang làm"
        )

    with django_assert_max_num_queries(baseline):
        page = client.get(task.get_absolute_url())
    assert len(lead_parts_rows(page)) == 3
