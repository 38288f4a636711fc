"""Every role's main pages fit a phone (390 px) without sideways scrolling, and the menu fits a laptop;
long pages carry a table of contents and fold in parts."""

import re

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1200, "height": 800}  # the narrowest window that shows the full menu


def upload_for_review(plan) -> str:
    """A plan document uploaded by đầu mối and read: the address of its review."""
    from kehoach.importer.tests.test_web import plan_file
    from kehoach.units.models import User

    coordinator = Client()
    coordinator.force_login(User.objects.get(username="daumoi"))
    response = coordinator.post(
        "/ke-hoach/nhap/", {"file": plan_file(), "lead_unit": plan.lead_unit_id, "field": "cds"}
    )
    assert response.status_code == 302
    return response.headers["Location"]


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.KEHOACH_JOBS = "sync"


@pytest.fixture
def demo(media):
    """What `kehoach demo --communes 2` loads, plus a plan document waiting for review by đầu mối."""
    from kehoach.demo.city import build_city
    from kehoach.demo.services import load_habac
    from kehoach.operations.services.alerts import alerts_evaluate

    plan, _ = load_habac()
    build_city(communes=2, seed=1, today=timezone.localdate())
    alerts_evaluate(today=timezone.localdate())
    return {"plan": plan, "review": upload_for_review(plan)}


def open_as(browser, live_server, username: str, viewport: dict):
    """A browser page signed in as `username` (the session made by Django's test client)."""
    from kehoach.units.models import User

    client = Client()
    client.force_login(User.objects.get(username=username))
    phone = viewport["width"] < 600
    context = browser.new_context(locale="vi-VN", viewport=viewport, is_mobile=phone, has_touch=phone)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    page = context.new_page()
    page.set_default_timeout(20000)
    return page


def too_wide(page, width: int) -> str | None:
    """What sticks out of a `width` px window, or None. A phone's window grows to fit what is too
    wide, so the page is measured against the width asked for rather than window.innerWidth."""
    sizes = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    if max(sizes) <= width:
        return None
    culprits = page.evaluate(
        """(width) => [...document.querySelectorAll('body *')].filter(e => {
            const r = e.getBoundingClientRect();
            if (r.width === 0 || r.right <= width + 1) return false;
            for (let p = e.parentElement; p && p !== document.body; p = p.parentElement) {
              const s = getComputedStyle(p);
              if (s.overflowX !== 'visible' && p.getBoundingClientRect().right <= width + 1) return false;
            }
            return true;
          }).slice(0, 3).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
            + (e.className && e.className.baseVal === undefined ? '.' + e.className.split(' ').join('.') : '')
            + ' “' + (e.innerText || '').slice(0, 40).replace(/\\s+/g, ' ') + '”')""",
        width,
    )
    return f"rộng {sizes[0]}px (cửa sổ {width}px): {'; '.join(culprits)}"


def main_pages(page, live_server, extra: list[str]) -> list[str]:
    """The role's home page, every page of its menu, then `extra`."""
    page.goto(f"{live_server.url}/")
    home = page.url.removeprefix(live_server.url)
    menu = page.eval_on_selector_all(
        "#nav a.nav-link[href]:not(.dropdown-toggle), #nav a.dropdown-item[href]",
        "links => links.map(a => a.getAttribute('href'))",
    )
    return list(dict.fromkeys([home, *menu, *extra]))


def test_main_pages_fit_a_phone_and_the_menu_fits_a_laptop(browser, live_server, demo):
    from kehoach.documents.models import OutgoingDocument
    from kehoach.plans.models import Plan
    from kehoach.reports.models import Report
    from kehoach.tracking.models import ProgressReport

    plan = demo["plan"]
    task = plan.tasks.order_by("position").first()
    period = plan.periods.filter(starts_on__lte=timezone.localdate()).order_by("-starts_on").first()
    neighbour = Plan.objects.exclude(pk=plan.pk).order_by("pk").first()
    extra = {
        "lanhdao": [
            f"/ke-hoach/{plan.pk}/",
            f"/nhiem-vu/{task.pk}/",
            f"/ke-hoach/{plan.pk}/ky/{period.pk}/",
            f"/dieu-hanh/ke-hoach/{plan.pk}/canh-bao/",
            f"/ke-hoach/{plan.pk}/bao-cao-dinh-ky/",
            f"/bao-cao-dinh-ky/{Report.objects.filter(plan=plan).first().pk}/",
            f"/so-van-ban-di/{OutgoingDocument.objects.first().pk}/",
            f"/ke-hoach/{plan.pk}/van-ban/",
            f"/ke-hoach/{plan.pk}/lich-su/",
        ],
        "daumoi": [demo["review"], "/ke-hoach/nhap/", f"/ke-hoach/{plan.pk}/sua/", "/trao-doi/"],
        "vhxh": [f"/bao-cao-tien-do/{ProgressReport.objects.filter(task__plan=plan).first().pk}/"],
        "captren": [f"/ke-hoach/{neighbour.pk}/", "/dieu-hanh/thanh-pho/"],
        "quantri": ["/quan-tri/", "/quan-tri/plans/plan/", "/quan-tri/units/user/"],
    }
    problems = []
    for username, more in extra.items():
        page = open_as(browser, live_server, username, PHONE)
        for url in main_pages(page, live_server, more):
            page.goto(f"{live_server.url}{url}")
            if wide := too_wide(page, PHONE["width"]):
                problems.append(f"{username} {url} trên điện thoại: {wide}")
        page.context.close()

        page = open_as(browser, live_server, username, LAPTOP)
        for url in ("/", "/ke-hoach/"):
            page.goto(f"{live_server.url}{url}")
            if wide := too_wide(page, LAPTOP["width"]):
                problems.append(f"{username} {url} trên máy tính {LAPTOP['width']}px: {wide}")
            menu = page.locator("#nav").bounding_box()
            assert menu["height"] < 60, f"{username}: menu xuống dòng ({menu['height']:.0f}px)"
        page.context.close()
    assert not problems, "\n".join(problems)


def test_long_pages_have_contents_and_fold(browser, live_server, habac, media):
    from playwright.sync_api import expect

    plan, review = habac, upload_for_review(habac)
    # A wide screen: the contents stay at the top of the window while the page scrolls.
    page = open_as(browser, live_server, "daumoi", {"width": 1280, "height": 800})
    page.goto(f"{live_server.url}/ke-hoach/{plan.pk}/")
    toc = page.locator("nav.toc")
    expect(toc).to_be_visible()
    assert toc.locator("a").all_inner_texts()[:3] == ["Thông tin văn bản", "Căn cứ (11)", "I. Mục tiêu"]
    toc.get_by_role("link", name=re.compile(r"^Danh mục nhiệm vụ cụ thể")).click()
    page.wait_for_function("document.querySelector('#nhiem-vu').getBoundingClientRect().top < 200")
    assert toc.bounding_box()["y"] == 0
    expect(page.locator("#nhiem-vu tbody tr").first).to_be_in_viewport()
    # A part folds away and comes back.
    fold = page.locator("#chi-tieu .section-fold")
    fold.click()
    expect(page.locator("#chi-tieu table").first).to_be_hidden()
    expect(fold).to_have_attribute("aria-expanded", "false")
    toc.get_by_role("link", name=re.compile(r"^Chỉ tiêu")).click()
    expect(page.locator("#chi-tieu table").first).to_be_visible()
    # The import review lists its parts too, beside the document as read (monospace with Vietnamese).
    page.goto(f"{live_server.url}{review}")
    expect(page.locator("nav.toc").get_by_role("link", name="Đối chiếu đơn vị")).to_be_visible()
    font = page.locator("pre.import-source").evaluate("e => getComputedStyle(e).fontFamily")
    assert font.startswith('"kehoach Mono"')
    loaded = page.evaluate(
        "async () => { await document.fonts.ready; return [...document.fonts]"
        ".filter(f => f.family.includes('kehoach Mono')).map(f => f.status) }"
    )
    assert loaded == ["loaded"]
    page.context.close()

    # A phone: the contents are one folded line; a choice folds them again and shows the part.
    page = open_as(browser, live_server, "daumoi", PHONE)
    page.goto(f"{live_server.url}/ke-hoach/{plan.pk}/")
    toc = page.locator("nav.toc")
    expect(toc.locator("ol")).to_be_hidden()
    toc.get_by_text("Mục lục").click()
    toc.get_by_role("link", name=re.compile(r"^III\. Tổ chức thực hiện")).click()
    expect(toc.locator("ol")).to_be_hidden()
    expect(page.locator("#trach-nhiem .card-body")).to_be_in_viewport()
    # The review starts with the fields; the document as read is folded away until asked for.
    page.goto(f"{live_server.url}{review}")
    expect(page.locator("pre.import-source")).to_be_hidden()
    page.locator("#van-ban-goc .section-fold").click()
    expect(page.locator("pre.import-source")).to_be_visible()
    page.context.close()
