"""Everyday journeys of reviewing and signing, in a real browser at desktop (1366 px) and phone (390 px)
width, each page checked to be no wider than the screen:

- đầu mối returns one unit's progress report and accepts another on the period's desk; lãnh đạo turns
  on "lãnh đạo duyệt báo cáo của đơn vị đầu mối"; the lead unit's next report then waits for lãnh đạo,
  who finds it in the notifications and accepts it, while đầu mối is not offered to;
- đầu mối compiles the periodic report, is shown what is missing with a link to it, submits it for
  signature (trình ký); lãnh đạo is notified, returns it with a reason, đầu mối submits again, and
  lãnh đạo signs through the confirmation page that shows number, date and recipients.
"""

import datetime
import os
import re

import pytest

from kehoach.core.jobs import wait_for_threads
from kehoach.plans.models import Task
from kehoach.plans.selectors import tasks_with_units
from kehoach.reports.models import Report, ReportState
from kehoach.reports.tests.conftest import make_accepted_q1
from kehoach.tracking.choices import PeriodKind, ReportStatus
from kehoach.tracking.models import Period, ProgressReport
from kehoach.tracking.services import progress as p_services
from kehoach.units.models import Unit, User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = {
    "1366": {"viewport": {"width": 1366, "height": 900}},
    "390": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
}


@pytest.fixture(params=list(VIEWPORTS))
def screen(request):
    return request.param


@pytest.fixture
def open_as(browser, live_server, screen):
    """open_as(username) → a page logged in as that user, in its own browser context at the screen size."""
    contexts = []

    def make(username: str):
        context = browser.new_context(locale="vi-VN", **VIEWPORTS[screen])
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15000)
        page.goto(f"{live_server.url}/dang-nhap/")
        page.get_by_label("Tên đăng nhập").fill(username)
        page.get_by_label("Mật khẩu").fill(os.environ["KEHOACH_DEMO_PASSWORD"])
        page.get_by_role("button", name="Đăng nhập").click()
        page.wait_for_url(re.compile(r".*/(viec-cua-don-vi|dieu-hanh/ke-hoach/\d+)/$"))
        return page

    yield make
    for context in contexts:
        context.close()


def fits(page) -> None:
    """The page is no wider than the screen: nothing to scroll sideways."""
    page.wait_for_load_state("load")
    width, screen = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width <= screen, f"{page.url} rộng {width}px trên màn hình {screen}px"


def sent(actor: User, task: Task, period: Period, unit: Unit) -> ProgressReport:
    report = p_services.progress_report_open(actor=actor, task=task, period=period, unit=unit)
    report = p_services.progress_report_save(
        actor=actor, report=report, version=None, data={"percent_complete": 30, "results": "Đã triển khai"}
    )
    return p_services.progress_report_submit(actor=actor, report=report)


def test_daumoi_returns_and_accepts_then_leader_reviews_the_lead_unit(open_as, live_server, habac, screen):
    from playwright.sync_api import expect

    users = {u.username: u for u in User.objects.all()}
    units = {u.short_name or u.name: u for u in Unit.objects.all()}
    q1 = Period.objects.get(plan=habac, kind=PeriodKind.QUARTER, number=1)
    task4, task5 = (tasks_with_units(Task.objects.filter(plan=habac, position=p)).get() for p in (4, 5))
    to_return = sent(users["congan"], task5, q1, units["Công an xã"])
    to_accept = sent(users["dvsnc"], task4, q1, units["TT DVSNC"])

    # Đầu mối reviews on the period's desk, in place.
    daumoi = open_as("daumoi")
    daumoi.goto(f"{live_server.url}/ke-hoach/{habac.pk}/ky/{q1.pk}/")
    fits(daumoi)
    returned_slot = daumoi.locator(f"#slot-report-{to_return.pk}-{to_return.unit_id}")
    returned_slot.get_by_label("Lý do trả lại").fill("Bổ sung số liệu người dân được hướng dẫn")
    returned_slot.get_by_role("button", name="Trả lại").click()
    expect(daumoi.locator(f"#slot-report-{to_return.pk}-{to_return.unit_id}")).to_contain_text("Trả lại")
    accepted_slot = daumoi.locator(f"#slot-report-{to_accept.pk}-{to_accept.unit_id}")
    accepted_slot.get_by_role("button", name="Chấp nhận").click()
    expect(daumoi.locator(f"#slot-report-{to_accept.pk}-{to_accept.unit_id}")).to_contain_text("Đã chấp nhận")
    fits(daumoi)
    to_return.refresh_from_db()
    to_accept.refresh_from_db()
    assert to_return.status == ReportStatus.RETURNED
    assert to_return.return_reason == "Bổ sung số liệu người dân được hướng dẫn"
    assert to_accept.status == ReportStatus.ACCEPTED and to_accept.reviewed_by == users["daumoi"]

    # Lãnh đạo separates duties on the plan.
    lanhdao = open_as("lanhdao")
    lanhdao.goto(f"{live_server.url}{habac.get_absolute_url()}")
    lanhdao.get_by_role("link", name="Cách duyệt báo cáo").click()
    fits(lanhdao)
    lanhdao.get_by_label(re.compile("^Lãnh đạo UBND chấp nhận hoặc trả lại")).check()
    lanhdao.get_by_role("button", name="Lưu").click()
    expect(lanhdao.get_by_role("alert").filter(has_text="do lãnh đạo UBND chấp nhận")).to_be_visible()
    expect(lanhdao.locator("main")).to_contain_text("Lãnh đạo UBND chấp nhận")
    habac.refresh_from_db()
    assert habac.leader_reviews_lead_unit

    # The lead unit's own report now waits for lãnh đạo, not for đầu mối.
    own = sent(users["vhxh"], task5, q1, units["Phòng VH-XH"])
    daumoi.goto(f"{live_server.url}{own.get_absolute_url()}")
    expect(daumoi.locator("main")).to_contain_text("lãnh đạo UBND chấp nhận hoặc trả lại")
    expect(daumoi.get_by_role("button", name="Chấp nhận")).to_have_count(0)
    fits(daumoi)

    lanhdao.goto(f"{live_server.url}/thong-bao/")
    fits(lanhdao)
    lanhdao.get_by_role("link", name=f"{own.unit} gửi báo cáo {q1.label}").click()
    lanhdao.wait_for_url(f"{live_server.url}{own.get_absolute_url()}")
    fits(lanhdao)
    lanhdao.get_by_role("button", name="Chấp nhận").click()
    expect(lanhdao.get_by_role("alert").filter(has_text="Đã chấp nhận.")).to_be_visible()
    fits(lanhdao)
    own.refresh_from_db()
    assert own.status == ReportStatus.ACCEPTED and own.reviewed_by == users["lanhdao"]


def test_daumoi_submits_for_signature_and_leader_signs_with_confirmation(
    open_as, live_server, habac, screen, settings, tmp_path
):
    from playwright.sync_api import expect

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.KEHOACH_EXCHANGE_URL = ""
    users = {u.username: u for u in User.objects.all()}
    units = {u.short_name or u.name: u for u in Unit.objects.all()}
    make_accepted_q1(habac, users, units, Period.objects.get(plan=habac, kind=PeriodKind.QUARTER, number=1))

    # Đầu mối opens the report: the period due now comes first and selected.
    daumoi = open_as("daumoi")
    daumoi.goto(f"{live_server.url}{habac.get_absolute_url()}")
    daumoi.get_by_role("link", name="Báo cáo định kỳ").first.click()
    fits(daumoi)
    select = daumoi.get_by_label("Kỳ báo cáo")
    first = select.locator("option").first
    assert select.input_value() == first.get_attribute("value")
    assert not first.inner_text().startswith("Tháng")
    select.select_option(label="Quý I/2026")
    daumoi.get_by_role("button", name="Lập dự thảo").click()
    daumoi.wait_for_url(re.compile(r".*/bao-cao-dinh-ky/\d+/sua/$"))
    fits(daumoi)
    report = Report.objects.get()

    # Something required left empty: Trình ký is not offered, the missing part is linked.
    daumoi.get_by_label("Họ tên người ký").fill("")
    daumoi.get_by_role("button", name="Lưu dự thảo").click()
    daumoi.wait_for_url(f"{live_server.url}{report.get_absolute_url()}")
    fits(daumoi)
    missing = daumoi.locator("#chua-trinh-ky")
    expect(missing).to_contain_text("Mục “Họ tên người ký” còn trống.")
    expect(daumoi.get_by_role("button", name="Trình ký")).to_be_disabled()
    missing.get_by_role("link", name="Bổ sung").click()
    daumoi.wait_for_url(re.compile(r".*/sua/#id_signer_name$"))
    daumoi.get_by_label("Họ tên người ký").fill("Nguyễn Anh Tuấn")
    daumoi.get_by_role("button", name="Lưu dự thảo").click()
    # The browser keeps the fragment across the redirect back to the report.
    daumoi.wait_for_url(re.compile(rf".*{report.get_absolute_url()}(#id_signer_name)?$"))
    daumoi.get_by_role("button", name="Trình ký").click()
    expect(daumoi.get_by_role("alert").filter(has_text="Đã trình ký báo cáo Quý I/2026")).to_be_visible()
    expect(daumoi.locator(".page-header")).to_contain_text("Chờ ký")
    fits(daumoi)
    report.refresh_from_db()
    assert report.state == ReportState.SUBMITTED and report.submitted_by == users["daumoi"]

    # Lãnh đạo is notified and returns it with a reason.
    lanhdao = open_as("lanhdao")
    lanhdao.goto(f"{live_server.url}/thong-bao/")
    lanhdao.get_by_role("link", name="trình ký báo cáo Quý I/2026").click()
    lanhdao.wait_for_url(f"{live_server.url}{report.get_absolute_url()}")
    fits(lanhdao)
    lanhdao.get_by_label("Lý do trả lại").fill("Bổ sung kết quả tập huấn kỹ năng số")
    lanhdao.get_by_role("button", name="Trả lại cho đầu mối").click()
    expect(lanhdao.get_by_role("alert").filter(has_text="Đã trả lại báo cáo")).to_be_visible()
    report.refresh_from_db()
    assert report.state == ReportState.DRAFT and report.return_reason == "Bổ sung kết quả tập huấn kỹ năng số"

    # Đầu mối reads why and submits again.
    daumoi.goto(f"{live_server.url}/thong-bao/")
    daumoi.get_by_role("link", name="trả lại dự thảo báo cáo Quý I/2026").click()
    expect(daumoi.locator("#trinh-ky")).to_contain_text("Bổ sung kết quả tập huấn kỹ năng số")
    daumoi.get_by_role("button", name="Trình ký").click()
    expect(daumoi.get_by_role("alert").filter(has_text="Đã trình ký")).to_be_visible()

    # Lãnh đạo signs after confirming number, date and recipients.
    lanhdao.goto(f"{live_server.url}{report.get_absolute_url()}")
    lanhdao.get_by_role("link", name="Ký ban hành…").click()
    lanhdao.wait_for_url(re.compile(r".*/ban-hanh/$"))
    fits(lanhdao)
    expect(lanhdao.locator("#so-hieu")).to_have_text("01/BC-UBND")
    date = lanhdao.get_by_label("Ngày ban hành")
    expect(date).to_have_value(datetime.date.today().isoformat())
    # Another day is written out as the document will print it, never read month-first by mistake.
    date.fill("2026-03-20")
    expect(lanhdao.locator("#ngay-chu")).to_have_text("Hà Bắc, ngày 20 tháng 3 năm 2026")
    expect(lanhdao.locator("#noi-nhan")).to_contain_text("Sở Khoa học và Công nghệ thành phố")
    expect(lanhdao.locator("#khong-hoan-tac")).to_contain_text("không hoàn tác được")
    lanhdao.get_by_role("button", name="Xác nhận ký ban hành").click()
    expect(lanhdao.get_by_role("alert").filter(has_text="Đã ban hành báo cáo số 01/BC-UBND.")).to_be_visible()
    expect(lanhdao.locator(".official-document")).to_contain_text("Số: 01/BC-UBND")
    fits(lanhdao)
    report.refresh_from_db()
    assert report.state == ReportState.ISSUED and report.issued_by == users["lanhdao"]
    assert report.document.number_symbol == "01/BC-UBND"
    assert report.document.issued_on == datetime.date(2026, 3, 20)
    # The issued files are stored after commit in the background; let that finish inside the test.
    assert wait_for_threads()
