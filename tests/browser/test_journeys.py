"""The main journeys in a real browser (Debian's chromium driven by Playwright)."""

import datetime
import os
import re

import pytest

from kehoach.plans.models import Task

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def login(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(os.environ["KEHOACH_DEMO_PASSWORD"])
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(re.compile(r".*/(viec-cua-don-vi|dieu-hanh/ke-hoach/\d+)/$"))


def test_login_plan_page_task_page(page, live_server, habac):
    login(page, live_server, "vhxh")
    assert page.get_by_role("heading", name="Việc của đơn vị").is_visible()

    page.get_by_role("link", name="Kế hoạch", exact=True).first.click()
    page.get_by_role("link", name="Kế hoạch Khoa học và Công nghệ xã Hà Bắc năm 2026").click()
    page.wait_for_url(f"{live_server.url}/ke-hoach/{habac.pk}/")

    body = page.locator("main")
    assert "97/KH-UBND" in body.inner_text()
    assert "28/02/2026" in body.inner_text()
    assert page.locator("#chi-tieu tbody tr").count() == 11
    assert page.locator("#nhiem-vu tbody tr").count() == 9
    assert "tối thiểu 10 sáng kiến" in page.locator("#chi-tieu").inner_text()
    # Staff read the plan but are not offered edits.
    assert page.get_by_role("link", name="Sửa thông tin").count() == 0

    page.get_by_role("link", name="Tuyên truyền triển khai Cuộc thi viết thư quốc tế UPU").click()
    assert page.get_by_role(
        "heading", name="Tuyên truyền triển khai Cuộc thi viết thư quốc tế UPU"
    ).is_visible()
    details = page.locator("main").inner_text()
    assert "Trung tâm Dịch vụ sự nghiệp công" in details
    assert "Bài tuyên truyền" in details
    assert "31/12/2026" in details


def test_lead_department_records_trigger(page, live_server, habac):
    login(page, live_server, "daumoi")
    page.goto(f"{live_server.url}/ke-hoach/{habac.pk}/")
    page.get_by_role("link", name="Ghi nhận sự kiện").click()
    page.get_by_label("Số, ký hiệu văn bản").fill("123/KH-UBND")
    occurred = datetime.date.today() - datetime.timedelta(days=3)
    page.get_by_label("Ngày ban hành").fill(occurred.isoformat())
    page.get_by_label("Cơ quan ban hành").fill("UBND thành phố Hải Phòng")
    page.get_by_role("button", name="Ghi nhận").click()
    page.wait_for_url(f"{live_server.url}/ke-hoach/{habac.pk}/")
    assert "3 nhiệm vụ đã có hạn hoàn thành" in page.locator(".alert").inner_text()
    due = occurred + datetime.timedelta(days=30)
    assert Task.objects.filter(plan=habac, due_on=due).count() == 3
    assert "Chờ điều kiện" not in page.locator("#nhiem-vu tbody").inner_text()


def test_phone_layout_keeps_plan_readable(browser, live_server, habac):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    login(page, live_server, "lanhdao")
    page.goto(f"{live_server.url}/ke-hoach/{habac.pk}/")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 400, f"trang rộng {width}px trên điện thoại"
    assert page.locator("#nhiem-vu").is_visible()
    context.close()
