"""Đầu mối imports a plan that already exists: warned on the review screen, refused on publishing
with the choice to open the existing plan (or replace a draft), on a desktop and on a phone."""

import os
import re

import pytest

from kehoach.importer.models import ImportJob
from kehoach.importer.tests.test_extract import HABAC_EXCERPT
from kehoach.plans.choices import PlanStatus
from kehoach.plans.models import Plan

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = {"desktop": (1366, 900), "phone": (390, 844)}


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.KEHOACH_JOBS = "sync"
    return settings.MEDIA_ROOT


@pytest.fixture(params=list(VIEWPORTS))
def screen(request, browser):
    width, height = VIEWPORTS[request.param]
    phone = width < 500
    context = browser.new_context(
        locale="vi-VN", viewport={"width": width, "height": height}, is_mobile=phone, has_touch=phone
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


def fits(page) -> None:
    width, viewport = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width <= viewport, f"{page.url}: trang rộng {width}px, màn hình {viewport}px"


def login(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(os.environ["KEHOACH_DEMO_PASSWORD"])
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(lambda url: "/dang-nhap/" not in url)


def upload_habac(page, live_server) -> None:
    page.goto(f"{live_server.url}/ke-hoach/nhap/")
    fits(page)
    page.get_by_label("Tệp kế hoạch").set_input_files(
        files=[{"name": "ke-hoach-97.txt", "mimeType": "text/plain", "buffer": HABAC_EXCERPT.encode()}]
    )
    page.get_by_label("Lĩnh vực").select_option(label="Khoa học, công nghệ và đổi mới sáng tạo")
    page.get_by_role("button", name="Tải lên và đọc văn bản").click()
    page.get_by_role("heading", name="Rà soát kế hoạch nhập từ văn bản").wait_for()


def test_dau_moi_imports_a_plan_that_already_exists(screen, live_server, habac, media):
    page = screen
    login(page, live_server, "daumoi")
    upload_habac(page, live_server)

    # Warned before publishing: the plan is there, issued; it can be opened, not replaced.
    warning = page.locator("#ke-hoach-trung")
    assert warning.is_visible()
    assert "Kế hoạch này đã có trong hệ thống." in warning.inner_text()
    assert "97/KH-UBND" in warning.inner_text() and "đã ban hành" in warning.inner_text()
    assert warning.get_by_role("link", name="Mở kế hoạch đã có").is_visible()
    assert warning.get_by_role("button", name=re.compile("Thay bản dự thảo")).count() == 0
    fits(page)

    # Publishing anyway is refused; nothing is created.
    page.get_by_label("Ban hành ngay").check()
    page.get_by_role("button", name="Công bố kế hoạch").click()
    refused = page.get_by_role("alert").filter(has_text="Chưa công bố: kế hoạch này đã có trong hệ thống.")
    refused.wait_for()
    assert "Kế hoạch đã ban hành không được thay thế" in refused.inner_text()
    assert Plan.objects.filter(number="97/KH-UBND").count() == 1
    assert ImportJob.objects.get().status == ImportJob.Status.DONE
    fits(page)

    # The choice: open the plan that exists.
    refused.get_by_role("link", name="Mở kế hoạch đã có").click()
    page.wait_for_url(f"{live_server.url}{habac.get_absolute_url()}")
    assert "97/KH-UBND" in page.locator("main").inner_text()
    fits(page)


def test_dau_moi_replaces_a_draft_of_the_same_plan(screen, live_server, habac, media):
    Plan.objects.filter(pk=habac.pk).update(status=PlanStatus.DRAFT)
    page = screen
    login(page, live_server, "daumoi")
    upload_habac(page, live_server)

    warning = page.locator("#ke-hoach-trung")
    assert "dự thảo" in warning.inner_text()
    assert warning.get_by_role("link", name="Mở kế hoạch đã có").is_visible()
    fits(page)
    warning.get_by_role("button", name="Thay bản dự thảo bằng văn bản này").click()

    page.wait_for_url(re.compile(r"/ke-hoach/\d+/$"))
    assert "Bản dự thảo cũ đã được thay bằng kế hoạch này." in page.locator(".alert-success").inner_text()
    plan = ImportJob.objects.get().plan
    assert list(Plan.objects.filter(number="97/KH-UBND")) == [plan] and plan.pk != habac.pk
    assert plan.signer_authority == "TM. ỦY BAN NHÂN DÂN"
    fits(page)
