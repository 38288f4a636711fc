"""Importing a plan document in a real browser: upload, wait for the reading, review, publish."""

import os
import re

import pytest

from kehoach.importer import jobs
from kehoach.importer.models import ImportJob
from kehoach.importer.tests.test_web import NEW_UNIT, PLAN_TEXT
from kehoach.plans.models import Plan
from kehoach.units.models import Unit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def login(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(os.environ["KEHOACH_DEMO_PASSWORD"])
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(re.compile(r".*/(viec-cua-don-vi|dieu-hanh/ke-hoach/\d+)/$"))


@pytest.mark.parametrize("mode", ["thread", "sync"])
def test_coordinator_imports_reviews_and_publishes(page, live_server, habac, media, settings, mode):
    settings.KEHOACH_JOBS = mode
    login(page, live_server, "daumoi")
    page.goto(f"{live_server.url}/ke-hoach/")
    page.get_by_role("link", name="Nhập từ văn bản").click()
    page.get_by_label("Tệp kế hoạch").set_input_files(
        files=[{"name": "ke-hoach-15.txt", "mimeType": "text/plain", "buffer": PLAN_TEXT.encode()}]
    )
    page.get_by_label("Lĩnh vực").select_option(label="Chuyển đổi số")
    page.get_by_role("button", name="Tải lên và đọc văn bản").click()

    # In thread mode the job page shows the progress bar, then reloads into the review screen.
    heading = page.get_by_role("heading", name="Rà soát kế hoạch nhập từ văn bản")
    heading.wait_for()
    assert re.search(r"/ke-hoach/nhap/\d+/$", page.url)
    assert "Số: 15/KH-UBND" in page.locator("pre.import-source").inner_text()
    assert page.get_by_label("Số, ký hiệu").first.input_value() == "15/KH-UBND"
    assert Plan.objects.filter(number="15/KH-UBND", owner_unit__name="Ủy ban nhân dân xã Hà Bắc").count() == 0

    # Add an indicator by hand with the "+ Thêm chỉ tiêu" button.
    page.get_by_role("button", name="+ Thêm chỉ tiêu").click()
    indicators = page.locator("#chi-tieu .import-row")
    new_row = indicators.last
    new_row.get_by_label("Tên chỉ tiêu").fill("Số điểm truy cập Wi-Fi công cộng miễn phí")
    new_row.get_by_label("Mục tiêu").fill("12")
    new_row.get_by_label("Đơn vị tính").fill("điểm")

    # The unknown unit is shown as unmatched; confirm it as a new unit.
    unknown = page.locator(f'[data-unit-name="{NEW_UNIT}"]')
    assert "Chưa khớp" in unknown.inner_text()
    unknown.get_by_label("Tạo đơn vị mới").check()
    page.get_by_label("Ban hành ngay").check()
    page.get_by_role("button", name="Công bố kế hoạch").click()

    page.wait_for_url(re.compile(r"/ke-hoach/\d+/$"))
    assert "Đã tạo kế hoạch" in page.locator(".alert-success").inner_text()
    plan = ImportJob.objects.get().plan
    assert page.url.endswith(plan.get_absolute_url())
    assert "15/KH-UBND" in page.locator("main").inner_text()
    assert plan.indicators.count() == 3 and plan.tasks.count() == 3
    assert Unit.objects.filter(name=NEW_UNIT, parent=plan.owner_unit).exists()
    assert jobs.wait_for_threads(timeout=10)
