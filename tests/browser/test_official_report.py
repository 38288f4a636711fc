"""The quarterly report from draft to issued document, in a real browser (Debian's chromium):
đầu mối compiles, edits and submits it for signature, the chairman signs it after the confirmation
step, and the PDF carries the register number."""

import os
import re

import pypdfium2
import pytest

from kehoach.core.jobs import wait_for_threads
from kehoach.documents.models import OutgoingDocument
from kehoach.reports.models import Report, ReportState
from kehoach.reports.tests.conftest import make_accepted_q1
from kehoach.tracking.choices import PeriodKind
from kehoach.tracking.models import Period
from kehoach.units.models import Unit, User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PROPOSAL = "Đề nghị Sở Khoa học và Công nghệ hỗ trợ kinh phí tập huấn kỹ năng số cho người dân."


def login(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(os.environ["KEHOACH_DEMO_PASSWORD"])
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(re.compile(r".*/(viec-cua-don-vi|dieu-hanh/ke-hoach/\d+)/$"))


def logout(page) -> None:
    page.locator("nav .dropdown-toggle").click()
    page.get_by_role("button", name="Đăng xuất").click()


def test_daumoi_compiles_and_chairman_issues(browser, page, live_server, habac, settings, tmp_path):
    from playwright.sync_api import expect

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.KEHOACH_EXCHANGE_URL = ""
    users = {u.username: u for u in User.objects.all()}
    units = {u.short_name or u.name: u for u in Unit.objects.all()}
    make_accepted_q1(habac, users, units, Period.objects.get(plan=habac, kind=PeriodKind.QUARTER, number=1))

    login(page, live_server, "daumoi")
    page.goto(f"{live_server.url}{habac.get_absolute_url()}")
    page.get_by_role("link", name="Báo cáo định kỳ").first.click()
    page.get_by_label("Kỳ báo cáo").first.select_option(label="Quý I/2026")
    page.get_by_role("button", name="Lập dự thảo").click()
    page.wait_for_url(re.compile(r".*/bao-cao-dinh-ky/\d+/sua/$"))
    # Prefilled from the unit's accepted progress report.
    expect(page.get_by_label("Tồn tại, hạn chế và nguyên nhân")).to_have_value(
        re.compile("Thiếu cán bộ có chuyên môn công nghệ thông tin")
    )
    page.get_by_label("Đề xuất, kiến nghị").fill(PROPOSAL)
    page.get_by_role("button", name="Lưu dự thảo").click()
    page.wait_for_url(re.compile(r".*/bao-cao-dinh-ky/\d+/$"))
    preview = page.locator(".official-document")
    expect(preview).to_contain_text("BÁO CÁO")
    expect(preview).to_contain_text(PROPOSAL)
    expect(preview).to_contain_text("DỰ THẢO")
    expect(page.get_by_role("link", name="Ký ban hành…")).to_have_count(0)
    page.get_by_role("button", name="Trình ký").click()
    expect(page.get_by_role("alert").filter(has_text="Đã trình ký báo cáo Quý I/2026")).to_be_visible()
    report = Report.objects.get()
    logout(page)

    login(page, live_server, "lanhdao")
    page.goto(f"{live_server.url}{report.get_absolute_url()}")
    page.get_by_role("link", name="Ký ban hành…").click()
    page.get_by_role("button", name="Xác nhận ký ban hành").click()
    expect(page.get_by_role("alert").filter(has_text="Đã ban hành báo cáo số 01/BC-UBND.")).to_be_visible()
    expect(page.locator(".official-document")).to_contain_text("Số: 01/BC-UBND")
    report.refresh_from_db()
    assert report.state == ReportState.ISSUED
    assert OutgoingDocument.objects.get().number_symbol == "01/BC-UBND"

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Tải PDF").click()
    download = download_info.value
    assert download.suggested_filename == "01-BC-UBND-2026.pdf"
    path = tmp_path / "bao-cao.pdf"
    download.save_as(path)
    text = pypdfium2.PdfDocument(str(path))[0].get_textpage().get_text_range()
    assert "01/BC-UBND" in text and "BÁO CÁO" in text

    # The register lists it.
    page.get_by_role("link", name="Văn bản đi").click()
    expect(page.locator("table")).to_contain_text("01/BC-UBND")
    # The issued files were stored once, after commit, in the background.
    assert wait_for_threads()
    entry = OutgoingDocument.objects.get()
    assert entry.pdf and len(entry.pdf_sha256) == 64
