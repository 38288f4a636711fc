"""A unit's everyday reporting journey in a real browser (Debian's chromium), on a desktop and a phone.

Staff of Phòng VH-XH (a lead unit) and of Phòng Kinh tế (a coordinating unit) start from their unit's
home, which lists what they owe this period with its deadline; they open the report (nothing is
written by opening it), type the % and the text, attach an evidence file (the typed text stays on the
screen and is saved into the draft), are warned before leaving with unsaved changes, save and submit.
No page is wider than the screen. Today is pinned to 27/11/2026, inside Quý IV/2026 (due 19/12/2026).
"""

import datetime
import os
import re

import pytest
from django.utils import timezone

from kehoach.plans.models import Task
from kehoach.tracking.choices import ReportStatus
from kehoach.tracking.models import Evidence, Period, ProgressReport
from kehoach.units.models import Unit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TODAY = datetime.date(2026, 11, 27)
TASK5 = "Triển khai kế hoạch chuyển đổi số xã năm 2026"
WIDTHS = {"may-tinh": (1366, 900), "dien-thoai": (390, 844)}
STAFF = {
    "vhxh": {"unit": "Phòng VH-XH", "label": "Kết quả đạt được", "results": "Đã triển khai 6/10 nội dung."},
    "kinhte": {
        "unit": "Phòng KT",
        "label": "Phần việc đơn vị phối hợp đã thực hiện",
        "results": "Phòng Kinh tế đã hướng dẫn 12 hộ kinh doanh thanh toán không dùng tiền mặt.",
    },
}


@pytest.fixture
def pinned_today(monkeypatch):
    real = timezone.localdate

    def fake(value=None, timezone=None):
        return TODAY if value is None else real(value, timezone)

    monkeypatch.setattr("django.utils.timezone.localdate", fake)
    return TODAY


def login(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(os.environ["KEHOACH_DEMO_PASSWORD"])
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(re.compile(r".*/viec-cua-don-vi/$"))


def write_pdf(path) -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(text="Minh chung ket qua thuc hien nhiem vu chuyen doi so")
    pdf.output(str(path))


def assert_fits(page, where: str) -> None:
    """No sideways scrolling: the page is no wider than the viewport."""
    overflow = page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{where}: trang rộng hơn màn hình {overflow}px"


@pytest.mark.parametrize("size", WIDTHS)
@pytest.mark.parametrize("username", STAFF)
def test_staff_report_progress_with_evidence_and_lose_nothing(
    browser, live_server, habac, settings, tmp_path, pinned_today, username, size
):
    from playwright.sync_api import expect

    settings.MEDIA_ROOT = tmp_path / "media"
    evidence_file = tmp_path / "minh-chung.pdf"
    write_pdf(evidence_file)
    who = STAFF[username]
    unit = Unit.objects.get(short_name=who["unit"])
    task = Task.objects.get(plan=habac, title=TASK5)
    q4 = Period.objects.get(plan=habac, kind="quy", year=2026, number=4)
    width, height = WIDTHS[size]
    context = browser.new_context(locale="vi-VN", viewport={"width": width, "height": height})
    page = context.new_page()
    page.set_default_timeout(15000)
    try:
        # 1. The unit's home says what it owes this period, with the deadline.
        login(page, live_server, username)
        owed = page.locator("#can-bao-cao")
        expect(owed).to_be_visible()
        period_block = owed.locator(f"#ky-{q4.pk}")
        expect(period_block).to_contain_text("Kỳ Quý IV/2026")
        expect(period_block).to_contain_text("Hạn gửi 19/12/2026")
        expect(period_block).to_contain_text("còn 22 ngày")
        if username == "vhxh":
            expect(period_block).to_contain_text("Còn 6 báo cáo tiến độ nhiệm vụ, 6 số liệu chỉ tiêu")
            item = period_block.locator(".owed-list li", has_text=TASK5)
            expect(item).to_contain_text("Chưa lập")
            assert_fits(page, "Việc của đơn vị")
            item.get_by_role("link", name="Lập báo cáo").click()
        else:
            # Its own figures are owed; its part of the shared tasks may be sent.
            expect(period_block).to_contain_text("Số liệu CT10")
            expect(period_block).to_contain_text("Số liệu CT11")
            period_block.locator("details.shared-parts summary").click()
            assert_fits(page, "Việc của đơn vị")
            period_block.locator(".shared-parts li", has_text=TASK5).get_by_role(
                "link", name="Báo cáo phần phối hợp"
            ).click()
        page.wait_for_url(re.compile(r".*/bao-cao-tien-do/lap/\?.*"))
        expect(page.locator("h1")).to_have_text(TASK5)
        assert not ProgressReport.objects.filter(task=task, unit=unit).exists(), "mở trang đã tạo nháp"
        assert_fits(page, "Lập báo cáo")

        # 2. Type, then attach a file: the page stays, the text stays, the draft holds both.
        page.evaluate("window.__sameDocument = true")
        page.get_by_label("Tỷ lệ hoàn thành (%)").fill("60")
        page.get_by_label(who["label"]).fill(who["results"])
        page.get_by_label("Thêm tệp (PDF, DOCX, XLSX, PNG, JPEG)").set_input_files(str(evidence_file))
        page.get_by_role("button", name="Tải lên").click()
        evidence = page.locator("#minh-chung")
        expect(evidence).to_contain_text("Đã đính kèm “minh-chung.pdf”.")
        expect(evidence.get_by_role("link", name="minh-chung.pdf")).to_be_visible()
        expect(page.get_by_label("Tỷ lệ hoàn thành (%)")).to_have_value("60")
        expect(page.get_by_label(who["label"])).to_have_value(who["results"])
        assert page.evaluate("window.__sameDocument === true"), "đính kèm không được tải lại trang"
        report = ProgressReport.objects.get(task=task, period=q4, unit=unit)
        assert (report.status, report.percent_complete, report.results) == (
            ReportStatus.DRAFT,
            60,
            who["results"],
        )
        assert Evidence.objects.filter(progress_report=report).count() == 1
        assert_fits(page, "Báo cáo sau khi đính kèm")

        # 3. Typing goes on and is saved as a draft a moment later, without any click.
        more = who["results"] + " Tổ chức 1 buổi tập huấn."
        page.get_by_label(who["label"]).fill(more)
        expect(page.locator("#record-form")).to_have_attribute("data-dirty", "1")
        page.wait_for_function("!document.getElementById('record-form').dataset.dirty")
        expect(page.locator("#autosave-status")).to_contain_text("Đã tự động lưu bản nháp")
        report.refresh_from_db()
        assert report.results == more

        # 4. Leaving with unsaved changes asks first; staying keeps the text.
        dialogs = []

        def on_dialog(dialog):
            dialogs.append(dialog.type)
            dialog.dismiss()

        page.on("dialog", on_dialog)
        page.get_by_label("Khó khăn, vướng mắc").fill("Thiếu kinh phí tập huấn.")
        assert page.evaluate("document.getElementById('record-form').dataset.dirty === '1'")
        page.evaluate("window.location.href = '/viec-cua-don-vi/'")
        page.wait_for_timeout(500)
        assert dialogs == ["beforeunload"], dialogs
        assert page.evaluate("window.__sameDocument === true")
        expect(page.get_by_label("Khó khăn, vướng mắc")).to_have_value("Thiếu kinh phí tập huấn.")
        page.remove_listener("dialog", on_dialog)

        # 5. Save, then submit.
        page.get_by_role("button", name="Lưu nháp").click()
        expect(page.get_by_role("alert").filter(has_text="Đã lưu bản nháp.")).to_be_visible()
        page.wait_for_url(f"{live_server.url}{report.get_absolute_url()}")
        expect(page.get_by_label("Khó khăn, vướng mắc")).to_have_value("Thiếu kinh phí tập huấn.")
        expect(page.get_by_label(who["label"])).to_have_value(more)
        page.get_by_role("button", name="Lưu và gửi đầu mối").click()
        expect(page.get_by_role("alert").filter(has_text="Đã gửi báo cáo cho đầu mối.")).to_be_visible()
        expect(page.locator(".card-body .badge").first).to_have_text("Đã gửi")
        assert_fits(page, "Báo cáo đã gửi")
        report.refresh_from_db()
        assert (report.status, report.percent_complete, report.results, report.difficulties) == (
            ReportStatus.SUBMITTED,
            60,
            more,
            "Thiếu kinh phí tập huấn.",
        )
        assert Evidence.objects.filter(progress_report=report).count() == 1

        # 6. Home again: the report is no longer owed.
        page.goto(f"{live_server.url}/viec-cua-don-vi/")
        page.wait_for_url(re.compile(r".*/viec-cua-don-vi/$"))
        period_block = page.locator(f"#can-bao-cao #ky-{q4.pk}")
        expect(period_block).to_be_visible()
        expect(period_block.locator(".owed-list li", has_text=TASK5)).to_have_count(0)
        expect(period_block.locator(".shared-parts li", has_text=TASK5)).to_have_count(0)
        if username == "vhxh":
            expect(period_block).to_contain_text("Còn 5 báo cáo tiến độ nhiệm vụ")
        assert_fits(page, "Việc của đơn vị sau khi gửi")
    finally:
        context.close()
