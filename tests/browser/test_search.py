"""The one search from the navigation bar, on a desktop and on a phone (Debian's chromium)."""

import re

import pytest

from kehoach.plans.models import Task

from .test_journeys import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

QUERY = "chuyen doi so"


def no_wider_than_the_viewport(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.evaluate("window.innerWidth")
    assert width <= viewport, f"{page.url}: trang rộng {width}px, màn hình {viewport}px"


def search_from_navbar(page, live_server) -> None:
    box = page.get_by_role("search").get_by_role("searchbox")
    box.fill(QUERY)
    box.press("Enter")
    page.wait_for_url(re.compile(r".*/tim-kiem/\?q=chuyen\+doi\+so$"))


def check_results(page, habac) -> str:
    """Grouped, counted, highlighted; returns the title of a task found."""
    main = page.locator("main")
    assert main.get_by_role("heading", name=re.compile(r"^Kế hoạch \d+$")).is_visible()
    tasks_heading = main.get_by_role("heading", name=re.compile(r"^Nhiệm vụ \d+$"))
    assert tasks_heading.is_visible()
    expected = Task.objects.filter(plan=habac, search_text__contains=QUERY).count()
    assert tasks_heading.inner_text().split()[-1] == str(expected)
    assert "Tìm thấy" in page.locator("#search-summary").inner_text()
    # The words are marked on the accented text.
    marks = [text.lower() for text in page.locator("#nhiem-vu mark").all_inner_texts()]
    assert "chuyển đổi số" in marks
    assert page.get_by_role("link", name=re.compile(r"^Nhiệm vụ \d+$")).is_visible()  # the kind tabs
    return page.locator("#nhiem-vu .search-hit strong").first.inner_text()


@pytest.mark.parametrize("width", [1366, 390])
def test_navbar_search_finds_grouped_highlighted_results(page, live_server, habac, width):
    page.set_viewport_size({"width": width, "height": 900})
    login(page, live_server, "vhxh")
    no_wider_than_the_viewport(page)
    if width < 1200:
        page.get_by_role("button", name="Mở danh mục chức năng").click()
    search_from_navbar(page, live_server)
    title = check_results(page, habac)
    no_wider_than_the_viewport(page)

    page.locator("#nhiem-vu .search-hit").first.click()
    task = Task.objects.get(plan=habac, title=title)
    page.wait_for_url(f"{live_server.url}{task.get_absolute_url()}")
    assert page.get_by_role("heading", name=title).is_visible()
    no_wider_than_the_viewport(page)

    # A kind alone, paged on its own.
    page.go_back()
    page.get_by_role("link", name=re.compile(r"^Nhiệm vụ \d+$")).click()
    page.wait_for_url(re.compile(r".*loai=nhiem-vu"))
    assert page.locator("section.search-group").count() == 1
    no_wider_than_the_viewport(page)


def test_plan_list_search_on_a_phone(page, live_server, habac):
    page.set_viewport_size({"width": 390, "height": 900})
    login(page, live_server, "vhxh")
    page.goto(f"{live_server.url}/ke-hoach/")
    box = page.get_by_placeholder(re.compile("Tìm theo số, trích yếu"))
    box.fill(QUERY)
    # htmx swaps the results in as the person types.
    page.wait_for_selector("#plan-results mark")
    assert habac.title in page.locator("#plan-results").inner_text()
    no_wider_than_the_viewport(page)
