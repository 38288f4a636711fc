"""The operations centre and the city's comparison walked in a real browser on the demo as shipped."""

import io
import os
import re

import pytest
from django.utils import timezone

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "mat-khau-trinh-duyet"


@pytest.fixture
def demo(monkeypatch, settings, tmp_path):
    """What `kehoach demo --communes 4` loads: Hà Bắc played up to today, neighbours, alerts."""
    from kehoach.demo.city import build_city
    from kehoach.demo.services import ensure_demo_accounts, load_habac
    from kehoach.operations.services.alerts import alerts_evaluate

    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setenv("KEHOACH_DEMO_PASSWORD", PASSWORD)
    plan, _ = load_habac()
    build_city(communes=4, seed=1, today=timezone.localdate())
    alerts_evaluate(today=timezone.localdate())
    ensure_demo_accounts()
    return plan


def login(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(os.environ.get("KEHOACH_DEMO_PASSWORD", PASSWORD))
    page.get_by_role("button", name="Đăng nhập").click()


def test_chairman_lands_on_the_centre_and_sees_what_is_late(browser, live_server, demo):
    from playwright.sync_api import expect

    context = browser.new_context(locale="vi-VN", viewport={"width": 1366, "height": 768})
    page = context.new_page()
    page.set_default_timeout(20000)
    login(page, live_server, "lanhdao")
    page.wait_for_url(re.compile(rf".*/dieu-hanh/ke-hoach/{demo.pk}/$"))

    # The first screenful holds the headline, the tiles, the alerts and the overdue and at-risk lists.
    for selector in ("#tong-quan", "#chi-tieu-title", "#canh-bao", "#qua-han", "#nguy-co"):
        box = page.locator(selector).bounding_box()
        assert box is not None and box["y"] < 768, selector
    assert page.locator("#qua-han li .badge.text-bg-danger").count() >= 1
    assert page.locator("#nguy-co li .badge.text-bg-warning").count() >= 1
    assert page.locator(".tile-danger, .tile-warning").count() >= 1
    expect(page.locator("#canh-bao .badge.text-bg-danger").first).to_be_visible()
    # The tasks-by-unit chart is drawn, and its numbers are there as a table too.
    page.wait_for_selector("[data-kh-chart] canvas")
    assert "Phòng VH-XH" in page.locator(".kh-chart-data").first.inner_text()

    # One click chases a late unit (đôn đốc); the answer replaces the button in place.
    page.locator("#no-bao-cao button", has_text="Đôn đốc").first.click()
    expect(page.locator("#no-bao-cao [role=status]").first).to_contain_text("Đã đôn đốc")

    # Drill down: an overdue task opens its page.
    page.locator("#qua-han li a").first.click()
    page.wait_for_url(re.compile(r".*/nhiem-vu/\d+/$"))

    # Printed, the centre is one A4 landscape page.
    page.goto(f"{live_server.url}/dieu-hanh/ke-hoach/{demo.pk}/")
    page.wait_for_selector("[data-kh-chart] canvas")
    page.emulate_media(media="print")
    pdf = page.pdf(format="A4", landscape=True, print_background=True)
    import pypdfium2

    document = pypdfium2.PdfDocument(io.BytesIO(pdf))
    assert len(document) == 1
    context.close()


def test_centre_on_a_phone_has_no_sideways_scrolling(browser, live_server, demo):
    context = browser.new_context(locale="vi-VN", viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    page.set_default_timeout(20000)
    login(page, live_server, "daumoi")
    page.wait_for_url(re.compile(r".*/dieu-hanh/ke-hoach/\d+/$"))
    page.wait_for_selector("[data-kh-chart] canvas")
    width = page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= 390, width
    assert page.locator(".tile").count() == 11
    context.close()


def test_city_department_compares_its_communes_and_drills_into_one(page, live_server, demo):
    login(page, live_server, "captren")
    page.wait_for_url(re.compile(r".*/dieu-hanh/thanh-pho/.*"))
    page.wait_for_selector("[data-kh-chart] canvas")
    text = page.locator("main").inner_text()
    assert "Hà Bắc" in text and "So sánh các xã, phường" in text
    # Hà Bắc and the four neighbours, each with a link to its centre.
    links = page.get_by_role("link", name=re.compile("Xem trung tâm điều hành"))
    assert links.count() >= 5
    from playwright.sync_api import expect

    page.get_by_label("Tìm xã, phường").fill("ha bac")
    # Typing without diacritics finds Hà Bắc alone; the table is swapped in place.
    expect(page.get_by_role("link", name=re.compile("Xem trung tâm điều hành"))).to_have_count(1)
    page.wait_for_load_state("networkidle")
    page.get_by_role("link", name=re.compile("Xem trung tâm điều hành")).click()
    page.wait_for_url(re.compile(rf".*/dieu-hanh/ke-hoach/{demo.pk}/$"))
    assert "Ủy ban nhân dân xã Hà Bắc" in page.locator("main").inner_text()
