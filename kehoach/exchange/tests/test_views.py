"""Pages: the delivery log and a delivery's detail for each role, "Gửi lại", query counts."""

import datetime
import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kehoach.exchange import services
from kehoach.exchange.models import Delivery, DeliveryAttempt

from .helpers import queue

State = Delivery.State
HABAC_READERS = ["daumoi", "lanhdao", "vhxh", "kinhte", "captren", "quantri"]


def page_text(response) -> str:
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", response.content.decode(), flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", body))).strip()


@pytest.fixture
def log(units, users, exchange):
    """Three deliveries of Hà Bắc: one delivered, one waiting after an error, one failed."""
    exchange.KEHOACH_EXCHANGE_URL = "https://baocao.example.vn/nhan"
    commune = units["UBND xã Hà Bắc"]
    now = timezone.now()
    delivered, waiting, failed = (queue(commune, n, actor=users["daumoi"]) for n in (1, 2, 3))
    Delivery.objects.filter(pk=delivered.pk).update(
        state=State.DELIVERED, attempts=1, delivered_at=now, receipt={"status": "received"}, last_error=""
    )
    Delivery.objects.filter(pk=waiting.pk).update(
        attempts=2,
        next_attempt_at=now + datetime.timedelta(minutes=1),
        last_error="Máy nhận trả lỗi HTTP 503",
    )
    Delivery.objects.filter(pk=failed.pk).update(
        state=State.FAILED, attempts=1, last_error="Máy nhận trả lỗi HTTP 422: thiếu trường kỳ báo cáo"
    )
    for delivery, outcome, status in [
        (delivered, "ok", 201),
        (waiting, "tam_loi", 503),
        (failed, "loi", 422),
    ]:
        DeliveryAttempt.objects.create(
            delivery=delivery, number=1, started_at=now, duration_ms=1234, http_status=status, outcome=outcome
        )
    return {"delivered": delivered, "waiting": waiting, "failed": failed}


@pytest.mark.parametrize("username", HABAC_READERS)
def test_habac_people_and_the_city_read_the_log(log, users, client_for, username):
    client = client_for(users[username])
    response = client.get("/trao-doi/")
    assert response.status_code == 200
    text = page_text(response)
    assert "Gửi dữ liệu lên cấp trên" in text
    for n in (1, 2, 3):
        assert f"Báo cáo số {n:02d}/BC-UBND – Quý I năm 2026" in text
    assert "Đã gửi: 1" in text and "Chờ gửi: 1" in text and "Thất bại: 1" in text
    assert "Máy nhận trả lỗi HTTP 422: thiếu trường kỳ báo cáo" in text
    next_at = timezone.localtime(log["waiting"].next_attempt_at + datetime.timedelta(minutes=1))
    assert f"gửi lần tới {next_at:%d/%m/%Y %H:%M}" in text
    detail = client.get(f"/trao-doi/{log['failed'].pk}/")
    assert detail.status_code == 200
    assert "kehoach:test:report:3" in page_text(detail)


@pytest.mark.parametrize("who", ["supervisor", "coordinator"])
def test_another_city_sees_nothing(log, other_city, client_for, who):
    client = client_for(other_city[who])
    text = page_text(client.get("/trao-doi/"))
    assert "BC-UBND" not in text and "Không có gói dữ liệu nào phù hợp." in text
    for delivery in log.values():
        response = client.get(f"/trao-doi/{delivery.pk}/")
        assert response.status_code == 403
        assert "Báo cáo số" not in page_text(response)
        assert client.post(f"/trao-doi/{delivery.pk}/gui-lai/").status_code == 403
    assert Delivery.objects.get(pk=log["failed"].pk).state == State.FAILED


def test_anonymous_is_sent_to_login(log, client):
    assert client.get("/trao-doi/").status_code == 302
    assert client.get(f"/trao-doi/{log['failed'].pk}/").status_code == 302


def test_filters(log, users, client_for):
    client = client_for(users["daumoi"])
    text = page_text(client.get("/trao-doi/?state=that_bai"))
    assert "03/BC-UBND" in text and "01/BC-UBND" not in text and "02/BC-UBND" not in text
    assert "Không có gói dữ liệu nào phù hợp." in page_text(client.get("/trao-doi/?kind=indicators.period"))
    assert "01/BC-UBND" in page_text(client.get("/trao-doi/?kind=report.issued&state=da_gui"))
    assert "Bộ lọc không hợp lệ" in page_text(client.get("/trao-doi/?state=khong-co"))


def test_detail_shows_attempts_payload_and_history(log, users, client_for):
    response = client_for(users["vhxh"]).get(f"/trao-doi/{log['waiting'].pk}/")
    body = response.content.decode()
    text = page_text(response)
    assert "Các lần gửi" in text and "Lỗi tạm thời" in text and "1.234 ms" in text and "503" in text
    # The payload and keys are the administrator's: officials read the attempts, not the JSON.
    assert '<details id="noi-dung-gui">' not in body and "kehoach.report/1" not in body
    assert "Đưa vào hàng chờ gửi lên cấp trên" in text  # the change log
    assert "Gửi lại" not in text
    admin_body = client_for(users["quantri"]).get(f"/trao-doi/{log['waiting'].pk}/").content.decode()
    assert '<details id="noi-dung-gui">' in admin_body
    assert "&quot;schema&quot;: &quot;kehoach.report/1&quot;" in admin_body
    assert "Báo cáo quý 2 năm 2026" in admin_body  # UTF-8 JSON, readable


def test_retry_button_and_action_for_the_coordinator(log, users, client_for):
    client = client_for(users["daumoi"])
    failed = log["failed"]
    page = page_text(client.get(f"/trao-doi/{failed.pk}/"))
    assert "Gửi lại" in page
    assert "Gửi lại" not in page_text(client.get(f"/trao-doi/{log['delivered'].pk}/"))
    assert client.get(f"/trao-doi/{failed.pk}/gui-lai/").status_code == 405

    response = client.post(f"/trao-doi/{failed.pk}/gui-lai/", follow=True)
    assert response.redirect_chain[-1] == (f"/trao-doi/{failed.pk}/", 302)
    assert "Đã đưa gói dữ liệu vào hàng chờ gửi lại." in page_text(response)
    assert Delivery.objects.get(pk=failed.pk).state == State.QUEUED

    again = client.post(f"/trao-doi/{failed.pk}/gui-lai/", follow=True)
    assert "Chỉ gửi lại được gói dữ liệu đang ở trạng thái “Thất bại”." in page_text(again)


@pytest.mark.parametrize("username", ["vhxh", "captren"])
def test_retry_is_refused_to_staff_and_the_city(log, users, client_for, username):
    client = client_for(users[username])
    failed = log["failed"]
    assert "Gửi lại" not in page_text(client.get(f"/trao-doi/{failed.pk}/"))
    assert client.post(f"/trao-doi/{failed.pk}/gui-lai/").status_code == 403
    assert Delivery.objects.get(pk=failed.pk).state == State.FAILED


def test_the_endpoint_is_shown_without_secrets(log, users, client_for, settings):
    client = client_for(users["vhxh"])
    settings.KEHOACH_EXCHANGE_URL = "https://nguoi:mat-khau@baocao.example.vn/nhan?token=bi-mat-1"
    settings.KEHOACH_EXCHANGE_TOKEN = "bi-mat-2"
    for url in ["/trao-doi/", f"/trao-doi/{log['waiting'].pk}/"]:
        body = client.get(url).content.decode()
        assert "https://baocao.example.vn/nhan" in body and "đã cấu hình mã xác thực" in body
        assert "mat-khau" not in body and "bi-mat" not in body

    settings.KEHOACH_EXCHANGE_URL = ""
    text = page_text(client.get("/trao-doi/"))
    assert "Chưa thiết lập việc gửi dữ liệu lên cấp trên." in text and "Hãy báo quản trị hệ thống." in text
    assert "gửi lần tới" not in text  # nothing goes out until there is an address
    detail = page_text(client.get(f"/trao-doi/{log['waiting'].pk}/"))
    assert "Gửi lần tới khi có địa chỉ nhận" in detail


@pytest.mark.parametrize("url", ["", "127.0.0.1:8765"])
def test_people_are_told_in_words_and_the_administrator_the_setting(log, users, client_for, settings, url):
    """The chairman reads that sending to the city is not set up and whom to ask; the setting's name is
    for the admin (and the logs, `kehoach deliver`)."""
    settings.KEHOACH_EXCHANGE_URL = url
    services.deliver_due()  # the waiting deliveries take the reason
    client = client_for(users["lanhdao"])
    for page in ["/trao-doi/", f"/trao-doi/{log['waiting'].pk}/"]:
        text = page_text(client.get(page))
        assert "gửi dữ liệu lên cấp trên" in text and "quản trị hệ thống" in text
        assert "KEHOACH_" not in text and "cấu hình địa chỉ nhận" not in text
    # The delivery's technical identity (key, source) is folded away with the JSON, for the administrator.
    body = client.get(f"/trao-doi/{log['waiting'].pk}/").content.decode()
    assert '<details id="noi-dung-gui">' not in body  # technical details are the administrator's
    admin = client_for(users["quantri"]).get("/quan-tri/exchange/delivery/", follow=True)
    assert "(KEHOACH_EXCHANGE_URL)" in admin.content.decode()


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


def test_query_counts_do_not_grow_with_rows(log, units, users, client_for, django_assert_max_num_queries):
    client = client_for(users["captren"])
    urls = {"/trao-doi/": 12, "/trao-doi/?state=cho_gui": 12, f"/trao-doi/{log['waiting'].pk}/": 12}
    for url in urls:
        client.get(url)  # warm per-process caches
    before = {url: count_queries(client, url) for url in urls}
    for url, bound in urls.items():
        with django_assert_max_num_queries(bound):
            client.get(url)
    now = timezone.now()
    for n in range(10, 40):
        delivery = queue(units["UBND xã Hà Bắc"] if n % 2 else units["Phòng VH-XH"], n)
        DeliveryAttempt.objects.bulk_create(
            DeliveryAttempt(delivery=delivery, number=i, started_at=now, outcome="tam_loi") for i in (1, 2)
        )
    DeliveryAttempt.objects.bulk_create(
        DeliveryAttempt(delivery=log["waiting"], number=i, started_at=now, outcome="tam_loi")
        for i in range(2, 30)
    )
    assert {url: count_queries(client, url) for url in urls} == before
    assert len(client.get("/trao-doi/").context["page"]) == 33
