"""A unit reports on a task and the đầu mối accepts it in place, in a real browser (Debian's chromium).

Nothing is frozen: the period is the one current today and the task is completed today.
"""

import os
import re

import pytest
from django.utils import timezone

from kehoach.plans.models import Task
from kehoach.plans.status import task_status
from kehoach.tracking.choices import ReportStatus
from kehoach.tracking.models import Evidence, ProgressReport
from kehoach.tracking.services.periods import current_period

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TASK5 = "Triển khai kế hoạch chuyển đổi số xã năm 2026"
RESULTS = "Đã triển khai đủ 10 nội dung của kế hoạch chuyển đổi số; tổ chức 4 lớp tập huấn kỹ năng số."


def login(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(os.environ["KEHOACH_DEMO_PASSWORD"])
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(re.compile(r".*/(viec-cua-don-vi|dieu-hanh/ke-hoach/\d+)/$"))


def write_pdf(path) -> None:
    """A small, valid one-page PDF."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(text="Bao cao ket qua trien khai ke hoach chuyen doi so xa Ha Bac nam 2026")
    pdf.output(str(path))


def test_unit_reports_and_daumoi_accepts_in_place(browser, page, live_server, habac, settings, tmp_path):
    from playwright.sync_api import expect

    settings.MEDIA_ROOT = tmp_path / "media"
    evidence_file = tmp_path / "bao-cao-chuyen-doi-so.pdf"
    write_pdf(evidence_file)
    today = timezone.localdate()
    period = current_period(habac, today)
    task = Task.objects.get(plan=habac, title=TASK5)
    assert period is not None and not period.is_closed

    # Phòng VH-XH opens the report of the current period from the task page.
    login(page, live_server, "vhxh")
    page.goto(f"{live_server.url}{habac.get_absolute_url()}")
    page.get_by_role("link", name=TASK5).click()
    page.wait_for_url(f"{live_server.url}{task.get_absolute_url()}")
    page.get_by_role("link", name=f"Lập báo cáo kỳ {period.label}").click()
    page.wait_for_url(re.compile(r".*/bao-cao-tien-do/lap/\?.*"))
    expect(page.locator("h1")).to_have_text(TASK5)
    # Opening the form writes nothing: the draft is stored by the first save (or autosave).
    assert not ProgressReport.objects.filter(task=task, period=period).exists()

    page.get_by_label("Tỷ lệ hoàn thành (%)").fill("100")
    page.get_by_label("Kết quả đạt được").fill(RESULTS)
    page.get_by_label("Đã có kết quả/sản phẩm: “Báo cáo”").check()
    page.get_by_label("Ngày hoàn thành").fill(today.isoformat())
    page.get_by_role("button", name="Lưu nháp").click()
    expect(page.get_by_role("alert").filter(has_text="Đã lưu bản nháp.")).to_be_visible()
    page.wait_for_url(re.compile(r".*/bao-cao-tien-do/\d+/$"))
    report = ProgressReport.objects.get(task=task, period=period)
    assert report.status == ReportStatus.DRAFT

    # The evidence: a PDF marked as the task's output.
    page.get_by_label("Thêm tệp (PDF, DOCX, XLSX, PNG, JPEG)").set_input_files(str(evidence_file))
    page.get_by_label("Đây là kết quả/sản phẩm của nhiệm vụ").check()
    page.get_by_role("button", name="Tải lên").click()
    # Attached in place (htmx): only the evidence card changes.
    expect(page.locator("#minh-chung")).to_contain_text("Đã đính kèm “bao-cao-chuyen-doi-so.pdf”.")
    expect(page.locator("#minh-chung")).to_contain_text("kết quả/sản phẩm")
    # What was saved as a draft is still in the form.
    expect(page.get_by_label("Kết quả đạt được")).to_have_value(RESULTS)

    page.get_by_role("button", name="Lưu và gửi đầu mối").click()
    expect(page.get_by_role("alert").filter(has_text="Đã gửi báo cáo cho đầu mối.")).to_be_visible()
    expect(page.locator(".card-body .badge").first).to_have_text("Đã gửi")
    expect(page.get_by_role("button", name="Lưu và gửi đầu mối")).to_have_count(0)
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    assert (report.percent_complete, report.output_delivered, report.completed_on) == (100, True, today)
    evidence = Evidence.objects.get(progress_report=report)
    assert evidence.is_output and evidence.content_type == "application/pdf"
    assert evidence.file.path.startswith(str(settings.MEDIA_ROOT))

    # The đầu mối, in a browser of their own, accepts it on the desk of that period.
    context = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900})
    try:
        daumoi = context.new_page()
        daumoi.set_default_timeout(15000)
        login(daumoi, live_server, "daumoi")
        daumoi.goto(f"{live_server.url}{period.get_absolute_url()}")
        expect(daumoi.get_by_role("heading", name=f"Kỳ {period.label}")).to_be_visible()
        slot = daumoi.locator(f"#slot-report-{report.pk}-{report.unit_id}")
        expect(slot).to_contain_text("Đã gửi")
        expect(slot).to_contain_text("100%")
        daumoi.evaluate("window.__sameDocument = true")

        slot.get_by_role("button", name="Chấp nhận").click()

        slot = daumoi.locator(f"#slot-report-{report.pk}-{report.unit_id}")
        expect(slot).to_contain_text("Đã chấp nhận")
        expect(slot.get_by_role("button", name="Chấp nhận")).to_have_count(0)
        assert daumoi.evaluate("window.__sameDocument === true"), "trang không được tải lại"
        report.refresh_from_db()
        assert report.status == ReportStatus.ACCEPTED

        # The task is now done: on time if today is within its deadline.
        task.refresh_from_db()
        assert task.completed_on == today
        expected = task_status(task, today).label
        assert expected in ("Hoàn thành đúng hạn", "Hoàn thành quá hạn")
        daumoi.get_by_role("link", name=TASK5).click()
        daumoi.wait_for_url(f"{live_server.url}{task.get_absolute_url()}")
        expect(daumoi.locator(".page-header .status-badge")).to_have_text(expected)
        expect(daumoi.locator("#bao-cao-tien-do")).to_contain_text("Đã chấp nhận")
    finally:
        context.close()
