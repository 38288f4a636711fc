"""Delivery: the outbox, retries with backoff, exactly-once with a deduplicating receiver, retry rights."""

import datetime
import json
import socket
import threading
import time

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connections, transaction
from django.utils import timezone

from kehoach.core import jobs
from kehoach.core.jobs import STALE_AFTER
from kehoach.core.models import AuditEntry
from kehoach.exchange import services, transport
from kehoach.exchange.models import Delivery, DeliveryAttempt, DeliveryQuerySet
from kehoach.exchange.receiver import ReceiverHandler
from kehoach.exchange.services import backoff, deliver_due, enqueue, retry
from kehoach.units.choices import Role, UnitKind
from kehoach.units.models import Membership, Unit, User

from .helpers import free_port, queue, report_payload

State = Delivery.State
SECOND = datetime.timedelta(seconds=1)


@pytest.fixture
def commune(units):
    return units["UBND xã Hà Bắc"]


def fresh(delivery: Delivery) -> Delivery:
    return Delivery.objects.get(pk=delivery.pk)


def stored(receiver) -> list[dict]:
    return [json.loads(path.read_text(encoding="utf-8")) for path in receiver.files()]


# The key scenario --------------------------------------------------------------------------------


def test_deliveries_reach_a_receiver_that_was_down_exactly_once(commune, users, exchange, start_receiver):
    port = free_port()
    exchange.KEHOACH_EXCHANGE_URL = f"http://127.0.0.1:{port}/nhan"
    first = queue(commune, 1, actor=users["daumoi"])
    second = queue(commune, 2, actor=users["daumoi"])
    assert {first.state, second.state} == {State.QUEUED} and first.attempts == 0

    # The receiver is down: both wait, with the reason and a time for the next try.
    t0 = timezone.now()
    assert deliver_due(now=t0) == {
        "claimed": 2,
        "delivered": 0,
        "retrying": 2,
        "failed": 0,
        "disabled": False,
    }
    for delivery in (first, second):
        delivery = fresh(delivery)
        assert delivery.state == State.QUEUED and delivery.attempts == 1
        assert delivery.last_error.startswith("Không kết nối được"), delivery.last_error
        assert t0 + 30 * SECOND <= delivery.next_attempt_at <= t0 + 34 * SECOND
        assert delivery.first_attempt_at == t0
    attempt = DeliveryAttempt.objects.filter(delivery=first).get()
    assert attempt.outcome == "tam_loi" and attempt.http_status is None and attempt.number == 1

    # Not yet due: nothing is sent.
    assert deliver_due(now=t0 + 20 * SECOND)["claimed"] == 0
    assert DeliveryAttempt.objects.count() == 2

    # Due again, still down: a second try and a longer wait.
    t1 = max(fresh(first).next_attempt_at, fresh(second).next_attempt_at) + SECOND
    assert deliver_due(now=t1)["retrying"] == 2
    for delivery in (first, second):
        delivery = fresh(delivery)
        assert delivery.attempts == 2 and delivery.state == State.QUEUED
        assert t1 + 60 * SECOND <= delivery.next_attempt_at <= t1 + 67 * SECOND

    # The receiver comes up on the same address: both are delivered, once each.
    receiver = start_receiver(port=port)
    t2 = max(fresh(first).next_attempt_at, fresh(second).next_attempt_at) + SECOND
    assert deliver_due(now=t2) == {
        "claimed": 2,
        "delivered": 2,
        "retrying": 0,
        "failed": 0,
        "disabled": False,
    }
    for delivery in (first, second):
        delivery = fresh(delivery)
        assert delivery.state == State.DELIVERED and delivery.attempts == 3 and delivery.last_error == ""
        assert delivery.delivered_at >= t2 and delivery.next_attempt_at is None
        assert delivery.receipt["status"] == "received"
        assert delivery.receipt["key"] == delivery.idempotency_key
    assert len(receiver.files()) == 2
    assert sorted(stored(receiver), key=lambda p: p["report"]["id"]) == [
        fresh(first).payload,
        fresh(second).payload,
    ]
    assert dict(receiver.requests) == {first.idempotency_key: 1, second.idempotency_key: 1}

    # Nothing is sent again, however late.
    assert deliver_due(now=t2 + datetime.timedelta(days=30))["claimed"] == 0
    again = queue(commune, 1, actor=users["daumoi"])
    assert again.pk == first.pk and again.state == State.DELIVERED
    assert Delivery.objects.count() == 2
    assert deliver_due(now=t2 + datetime.timedelta(days=31))["claimed"] == 0
    assert sum(receiver.requests.values()) == 2 and len(receiver.files()) == 2
    assert DeliveryAttempt.objects.filter(delivery=first).count() == 3

    # Created and delivered are in the change log; temporary failures only in the attempts.
    summaries = list(
        AuditEntry.objects.filter(object_id=str(first.pk), content_type__model="delivery")
        .order_by("at", "id")
        .values_list("summary", flat=True)
    )
    assert summaries == ["Đưa vào hàng chờ gửi lên cấp trên", "Đã gửi lên cấp trên"]


def test_what_is_sent(commune, users, exchange, start_receiver):
    receiver = start_receiver(token="mat-ma")
    exchange.KEHOACH_EXCHANGE_URL = receiver.url
    exchange.KEHOACH_EXCHANGE_TOKEN = "mat-ma"
    delivery = queue(commune, 5, actor=users["daumoi"])
    assert deliver_due()["delivered"] == 1
    headers = receiver.headers[0]
    assert headers["Content-Type"] == "application/json; charset=utf-8"
    assert headers["Authorization"] == "Bearer mat-ma"
    assert headers["Idempotency-Key"] == delivery.idempotency_key
    assert headers["User-Agent"] == "kehoach"
    raw = receiver.files()[0].read_bytes()
    assert "Báo cáo quý 5".encode() in raw  # UTF-8, not \u escapes
    assert json.loads(raw) == fresh(delivery).payload


def test_the_envelope(commune, users, exchange):
    delivery = queue(commune, 3, actor=users["daumoi"])
    payload = delivery.payload
    assert payload["schema"] == "kehoach.report/1"
    assert payload["kind"] == "report.issued"
    assert payload["idempotency_key"] == "kehoach:test:report:3"
    assert payload["sender"] == {"unit_id": commune.pk, "unit_code": "", "unit_name": commune.name}
    created = datetime.datetime.fromisoformat(payload["created_at"])
    assert created.utcoffset() == datetime.timedelta(hours=7)
    assert payload["report"] == report_payload(3)["report"]
    assert delivery.created_by == users["daumoi"]
    assert delivery.summary == "Báo cáo số 03/BC-UBND – Quý I năm 2026"
    assert (delivery.source_type, delivery.source_id, delivery.unit) == ("reports.report", 3, commune)

    # The caller's own envelope fields stand; dates and decimals become JSON strings once.
    from decimal import Decimal

    own = enqueue(
        kind="indicators.period",
        payload={
            "schema": "kehoach.indicators/1",
            "created_at": "2026-04-01T08:00:00+07:00",
            "period": {"ends_on": datetime.date(2026, 3, 31), "value": Decimal("12.50")},
        },
        key="kehoach:test:indicators:1",
        unit=commune,
        source_type="tracking.period",
        source_id=9,
        summary="Số liệu quý I năm 2026",
        actor=None,
    )
    assert own.payload["created_at"] == "2026-04-01T08:00:00+07:00"
    assert own.payload["period"] == {"ends_on": "2026-03-31", "value": "12.50"}
    assert own.created_by is None


@pytest.mark.parametrize(
    "payload, message",
    [
        ({"report": {}}, "thiếu trường “schema”"),
        ({"schema": "x/1", "kind": "report.withdrawn"}, "khác loại dữ liệu"),
        ({"schema": "x/1", "value": object()}, "không chuyển được sang JSON"),
        (["schema"], "phải là một đối tượng JSON"),
    ],
)
def test_enqueue_refuses_a_bad_payload(commune, exchange, payload, message):
    with pytest.raises(ValidationError) as error:
        enqueue(
            kind="report.issued",
            payload=payload,
            key="k1",
            unit=commune,
            source_type="reports.report",
            source_id=1,
            summary="x",
            actor=None,
        )
    assert message in " ".join(error.value.messages)
    assert not Delivery.objects.exists()


def test_enqueue_needs_a_key(commune, exchange):
    with pytest.raises(ValidationError, match="khóa chống trùng"):
        queue(commune, 1, key="   ")
    with pytest.raises(ValidationError, match="200 ký tự"):
        queue(commune, 1, key="k" * 201)


# Inside the caller's transaction -----------------------------------------------------------------


def test_enqueue_sends_only_after_the_callers_transaction_commits(
    commune, users, exchange, start_receiver, django_capture_on_commit_callbacks
):
    receiver = start_receiver()
    exchange.KEHOACH_EXCHANGE_URL = receiver.url
    exchange.KEHOACH_JOBS = "sync"
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            delivery = queue(commune, 1, actor=users["daumoi"])
            assert delivery.state == State.QUEUED
        assert sum(receiver.requests.values()) == 0  # not while the transaction was open
    assert fresh(delivery).state == State.DELIVERED
    assert len(receiver.files()) == 1


def test_a_rolled_back_transaction_sends_nothing(
    commune, users, exchange, start_receiver, django_capture_on_commit_callbacks
):
    receiver = start_receiver()
    exchange.KEHOACH_EXCHANGE_URL = receiver.url
    exchange.KEHOACH_JOBS = "sync"
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        queue(commune, 1, actor=users["daumoi"])
        raise RuntimeError("the report could not be issued")
    assert callbacks == []
    assert not Delivery.objects.exists() and sum(receiver.requests.values()) == 0


def test_worker_mode_leaves_the_attempt_to_the_worker(
    commune, exchange, start_receiver, django_capture_on_commit_callbacks
):
    receiver = start_receiver()
    exchange.KEHOACH_EXCHANGE_URL = receiver.url
    with django_capture_on_commit_callbacks(execute=True):
        delivery = queue(commune, 1)
    assert fresh(delivery).state == State.QUEUED and sum(receiver.requests.values()) == 0


# What the receiver's answer means ----------------------------------------------------------------


def answering(status: int, body: dict | None = None, *, store: bool = False):
    class Fixed(ReceiverHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if store:
                self.store(self.headers["Idempotency-Key"], b"{}")
            self.respond(status, body or {"error": "x", "message": f"lỗi {status}"})

    return Fixed


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 422])
def test_a_refusal_fails_at_once(commune, exchange, start_receiver, status):
    receiver = start_receiver(handler=answering(status))
    exchange.KEHOACH_EXCHANGE_URL = receiver.url
    delivery = queue(commune, 1)
    assert deliver_due()["failed"] == 1
    delivery = fresh(delivery)
    assert delivery.state == State.FAILED and delivery.attempts == 1 and delivery.next_attempt_at is None
    assert delivery.last_error == f"Máy nhận trả lỗi HTTP {status}: lỗi {status}"
    assert DeliveryAttempt.objects.get(delivery=delivery).http_status == status
    assert AuditEntry.objects.filter(summary="Gửi lên cấp trên thất bại", object_id=str(delivery.pk)).exists()
    assert deliver_due(now=timezone.now() + datetime.timedelta(days=1))["claimed"] == 0


def test_a_wrong_token_fails_at_once(commune, exchange, start_receiver):
    receiver = start_receiver(token="dung")
    exchange.KEHOACH_EXCHANGE_URL = receiver.url
    exchange.KEHOACH_EXCHANGE_TOKEN = "sai"
    delivery = queue(commune, 1)
    deliver_due()
    delivery = fresh(delivery)
    assert delivery.state == State.FAILED
    assert delivery.last_error.startswith("Máy nhận trả lỗi HTTP 401")
    assert "mã xác thực" in delivery.last_error and "KEHOACH_" not in delivery.last_error
    assert receiver.files() == []


@pytest.mark.parametrize("status", [408, 425, 429, 500, 502, 503, 504])
def test_a_temporary_error_is_retried(commune, exchange, start_receiver, status):
    receiver = start_receiver(handler=answering(status, {"message": "bận"}))
    exchange.KEHOACH_EXCHANGE_URL = receiver.url
    delivery = queue(commune, 1)
    now = timezone.now()
    assert deliver_due(now=now)["retrying"] == 1
    delivery = fresh(delivery)
    assert delivery.state == State.QUEUED and delivery.last_error == f"Máy nhận trả lỗi HTTP {status}: bận"
    assert delivery.next_attempt_at > now + 29 * SECOND


def test_retry_after_is_respected(commune, exchange, start_receiver):
    class Busy(ReceiverHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers["Content-Length"]))
            self.send_response(429)
            self.send_header("Retry-After", "600")
            self.send_header("Content-Length", "0")
            self.end_headers()

    exchange.KEHOACH_EXCHANGE_URL = start_receiver(handler=Busy).url
    delivery = queue(commune, 1)
    now = timezone.now()
    deliver_due(now=now)
    assert fresh(delivery).next_attempt_at >= now + 600 * SECOND


def test_a_receiver_too_slow_to_answer_is_a_timeout(commune, exchange, start_receiver):
    release = threading.Event()

    class Slow(ReceiverHandler):
        def do_POST(self):
            release.wait(5)
            super().do_POST()

    exchange.KEHOACH_EXCHANGE_URL = start_receiver(handler=Slow).url
    exchange.KEHOACH_EXCHANGE_TIMEOUT = 0.3
    delivery = queue(commune, 1)
    try:
        deliver_due()
    finally:
        release.set()
    delivery = fresh(delivery)
    assert delivery.state == State.QUEUED and delivery.last_error == "Quá thời gian chờ 0,3 giây"


def test_a_redirect_is_an_error_to_fix(commune, exchange, start_receiver):
    exchange.KEHOACH_EXCHANGE_URL = start_receiver(handler=answering(301)).url
    delivery = queue(commune, 1)
    deliver_due()
    assert fresh(delivery).state == State.FAILED
    assert "kiểm tra lại địa chỉ nhận" in fresh(delivery).last_error


def test_network_errors_read_in_vietnamese():
    assert transport.network_error(socket.gaierror(-2, "Name or service not known"), timeout=10).startswith(
        "Không kết nối được: không tìm thấy máy nhận"
    )
    assert transport.network_error(TimeoutError(), timeout=10) == "Quá thời gian chờ 10 giây"
    assert transport.network_error(ConnectionRefusedError(111, "Connection refused"), timeout=10).startswith(
        "Không kết nối được: máy nhận từ chối kết nối"
    )


# A lost answer -----------------------------------------------------------------------------------


class DropsTheFirstAnswer(ReceiverHandler):
    """Stores the payload, then closes the connection without answering (the answer is lost)."""

    def answer_stored(self, key, received_at):
        self.close_connection = True
        self.wfile.flush()
        self.connection.shutdown(socket.SHUT_RDWR)


class FailsAfterStoring(ReceiverHandler):
    """Stores the payload, then answers 503 (e.g. its own database commit failed after the file write)."""

    def answer_stored(self, key, received_at):
        self.respond(503, {"error": "unavailable", "message": "lỗi sau khi lưu"})


class DuplicateIs409(ReceiverHandler):
    """Like the reference receiver, but says "duplicate" with 409 (some receivers do)."""

    def answer_stored(self, key, received_at):
        self.respond(503, {"error": "unavailable"})

    def respond(self, status, body, *, note=""):
        if body.get("status") == "duplicate":
            status = 409
        super().respond(status, body, note=note)


@pytest.mark.parametrize("handler", [DropsTheFirstAnswer, FailsAfterStoring, DuplicateIs409])
def test_a_lost_answer_is_retried_with_the_same_key_and_stored_once(
    commune, exchange, start_receiver, handler
):
    receiver = start_receiver(handler=handler)
    exchange.KEHOACH_EXCHANGE_URL = receiver.url
    delivery = queue(commune, 1)
    now = timezone.now()
    deliver_due(now=now)
    delivery = fresh(delivery)
    assert delivery.state == State.QUEUED and delivery.attempts == 1
    assert len(receiver.files()) == 1  # it did arrive; the sender could not know

    deliver_due(now=delivery.next_attempt_at)
    delivery = fresh(delivery)
    assert delivery.state == State.DELIVERED and delivery.attempts == 2
    assert delivery.receipt == {"status": "duplicate", "key": delivery.idempotency_key}
    assert receiver.requests == {delivery.idempotency_key: 2}
    assert len(receiver.files()) == 1


# Age, staleness, configuration -------------------------------------------------------------------


def test_a_delivery_failing_beyond_max_age_fails_and_retry_puts_it_back(
    commune, users, exchange, start_receiver
):
    receiver = start_receiver(handler=answering(503, {"message": "bảo trì"}))
    exchange.KEHOACH_EXCHANGE_URL = receiver.url
    delivery = queue(commune, 1)
    t0 = timezone.now()
    deliver_due(now=t0)
    assert fresh(delivery).state == State.QUEUED
    deliver_due(now=t0 + datetime.timedelta(hours=71))
    assert fresh(delivery).state == State.QUEUED

    assert deliver_due(now=t0 + datetime.timedelta(hours=72, minutes=1))["failed"] == 1
    delivery = fresh(delivery)
    assert delivery.state == State.FAILED and delivery.attempts == 3
    assert delivery.last_error == (
        "Máy nhận trả lỗi HTTP 503: bảo trì. Đã thử 3 lần trong 72 giờ, ngừng tự gửi lại"
    )
    assert deliver_due(now=t0 + datetime.timedelta(days=10))["claimed"] == 0

    # Đầu mối sends it again once the receiver is back: a fresh window, audited.
    receiver.stop()
    exchange.KEHOACH_EXCHANGE_URL = start_receiver(directory=receiver.directory).url
    again = retry(delivery=delivery, actor=users["daumoi"])
    assert again.state == State.QUEUED and again.first_attempt_at is None and again.last_error == ""
    assert abs(again.next_attempt_at - timezone.now()) < 5 * SECOND
    entry = AuditEntry.objects.get(summary="Gửi lại gói dữ liệu lên cấp trên")
    assert entry.actor == users["daumoi"] and entry.changes["Trạng thái"] == ["Thất bại", "Chờ gửi"]
    assert deliver_due()["delivered"] == 1
    assert fresh(delivery).state == State.DELIVERED and fresh(delivery).attempts == 4

    with pytest.raises(ValidationError, match="Thất bại"):
        retry(delivery=fresh(delivery), actor=users["daumoi"])


@pytest.mark.parametrize("username", ["daumoi", "lanhdao", "quantri"])
def test_who_may_retry(commune, users, exchange, username):
    exchange.KEHOACH_EXCHANGE_URL = ""
    delivery = queue(commune, 1)
    Delivery.objects.filter(pk=delivery.pk).update(state=State.FAILED)
    assert retry(delivery=fresh(delivery), actor=users[username]).state == State.QUEUED


@pytest.mark.parametrize("who", ["vhxh", "kinhte", "captren", "other_coordinator", "other_supervisor"])
def test_who_may_not_retry(commune, users, other_city, exchange, who):
    actor = {
        "other_coordinator": other_city["coordinator"],
        "other_supervisor": other_city["supervisor"],
    }.get(who) or users[who]
    delivery = queue(commune, 1)
    Delivery.objects.filter(pk=delivery.pk).update(state=State.FAILED)
    with pytest.raises(PermissionDenied):
        retry(delivery=fresh(delivery), actor=actor)
    assert fresh(delivery).state == State.FAILED
    assert not AuditEntry.objects.filter(summary="Gửi lại gói dữ liệu lên cấp trên").exists()


def test_a_communes_coordinator_does_not_act_for_the_city(units, users, exchange):
    city = units["UBND thành phố Hải Phòng"]
    delivery = queue(city, 1)
    assert not services.can_retry(users["daumoi"], delivery)
    assert services.can_read(users["daumoi"], delivery) is False
    # An office's delivery: the commune's leader (above) may, a sibling office's staff may not.
    office = queue(units["Phòng VH-XH"], 2)
    assert services.can_retry(users["lanhdao"], office) and services.can_retry(users["daumoi"], office)
    assert not services.can_retry(users["kinhte"], office)


def test_a_delivery_left_sending_by_a_dead_runner_is_taken_again(commune, exchange, start_receiver):
    receiver = start_receiver()
    exchange.KEHOACH_EXCHANGE_URL = receiver.url
    stale, busy = queue(commune, 1), queue(commune, 2)
    now = timezone.now()
    Delivery.objects.filter(pk=stale.pk).update(
        state=State.SENDING, attempts=1, first_attempt_at=now, updated_at=now - STALE_AFTER - SECOND
    )
    Delivery.objects.filter(pk=busy.pk).update(
        state=State.SENDING, attempts=1, first_attempt_at=now, updated_at=now - 60 * SECOND
    )
    assert deliver_due(now=now)["delivered"] == 1
    assert fresh(stale).state == State.DELIVERED and fresh(stale).attempts == 2
    assert fresh(busy).state == State.SENDING  # still being sent by someone else
    assert receiver.requests == {stale.idempotency_key: 1}


def test_a_late_runner_does_not_overwrite_the_outcome_of_the_one_that_took_over(commune, exchange):
    delivery = queue(commune, 1)
    now = timezone.now()
    Delivery.objects.filter(pk=delivery.pk).update(state=State.DELIVERED, attempts=2, first_attempt_at=now)
    late = fresh(delivery)
    late.state, late.attempts = State.SENDING, 1
    services._record(
        late,
        transport.Result(transport.TEMPORARY, error="Không kết nối được: x"),
        started=now,
        finished=now,
        duration_ms=1,
        target=services.endpoint(),
    )
    assert fresh(delivery).state == State.DELIVERED
    assert DeliveryAttempt.objects.filter(delivery=delivery).count() == 1  # the attempt is still logged


@pytest.mark.parametrize(
    "url, problem",
    [
        ("", "Chưa thiết lập việc gửi dữ liệu lên cấp trên"),
        ("127.0.0.1:8765", "Việc gửi dữ liệu lên cấp trên đang được thiết lập sai"),
    ],
)
def test_without_an_endpoint_deliveries_wait_with_the_reason(commune, exchange, start_receiver, url, problem):
    exchange.KEHOACH_EXCHANGE_URL = url
    delivery = queue(commune, 1)
    # People read the reason in words; the setting to change is named for the administrator only.
    assert delivery.last_error == problem
    counts = deliver_due(now=timezone.now() + datetime.timedelta(days=5))
    assert counts["disabled"] and counts["waiting"] == 1 and counts["problem"] == problem
    assert "(KEHOACH_EXCHANGE_URL)" in counts["detail"]
    delivery = fresh(delivery)
    assert delivery.state == State.QUEUED and delivery.attempts == 0 and delivery.first_attempt_at is None

    receiver = start_receiver()
    exchange.KEHOACH_EXCHANGE_URL = receiver.url
    assert deliver_due()["delivered"] == 1
    assert fresh(delivery).state == State.DELIVERED and fresh(delivery).last_error == ""


def test_the_endpoint_never_shows_credentials(settings):
    settings.KEHOACH_EXCHANGE_URL = "https://nguoi:bi-mat@baocao.example.vn:8443/nhan?token=abc"
    settings.KEHOACH_EXCHANGE_TOKEN = "ma-bi-mat"
    endpoint = services.endpoint()
    assert endpoint.enabled and endpoint.has_token
    assert endpoint.display_url == "https://baocao.example.vn:8443/nhan"


def test_backoff_doubles_from_30_seconds_to_30_minutes():
    for attempts, seconds in [(1, 30), (2, 60), (3, 120), (4, 240), (6, 960), (7, 1800), (50, 1800)]:
        wait = backoff(attempts).total_seconds()
        assert seconds <= wait <= seconds * 1.1, attempts


# Background runners ------------------------------------------------------------------------------


def small_tree() -> Unit:
    city = Unit.objects.create(name="Ủy ban nhân dân thành phố Thử", kind=UnitKind.PROVINCE)
    return Unit.objects.create(name="Ủy ban nhân dân xã Thử", kind=UnitKind.COMMUNE, parent=city)


@pytest.mark.django_db(transaction=True)
def test_thread_mode_sends_after_commit(settings, start_receiver):
    receiver = start_receiver()
    settings.KEHOACH_JOBS = "thread"
    settings.KEHOACH_EXCHANGE_URL = receiver.url
    commune = small_tree()
    delivery = queue(commune, 1)
    assert jobs.wait_for_threads(timeout=30)
    assert fresh(delivery).state == State.DELIVERED
    assert len(receiver.files()) == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_runners_never_send_a_delivery_twice(settings, start_receiver):
    class Slow(ReceiverHandler):
        def do_POST(self):
            time.sleep(0.05)  # keeps both runners busy at the same time
            super().do_POST()

    receiver = start_receiver(handler=Slow)
    settings.KEHOACH_JOBS = "worker"
    settings.KEHOACH_EXCHANGE_URL = receiver.url
    commune = small_tree()
    deliveries = [queue(commune, n) for n in range(1, 13)]
    start = threading.Barrier(2)
    passes: list[list[dict]] = [[], []]
    errors: list[BaseException] = []

    def runner(index: int) -> None:
        try:
            start.wait()
            while True:
                counts = deliver_due(limit=3)
                passes[index].append(counts)
                if not counts["claimed"]:
                    break
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=runner, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    assert all(sum(c["claimed"] for c in p) > 0 for p in passes), "both runners took part"
    assert sum(c["delivered"] for p in passes for c in p) == 12
    assert dict(receiver.requests) == {d.idempotency_key: 1 for d in deliveries}
    assert set(Delivery.objects.values_list("state", "attempts")) == {(State.DELIVERED, 1)}
    assert DeliveryAttempt.objects.count() == 12
    assert len(receiver.files()) == 12


@pytest.mark.django_db(transaction=True)
def test_concurrent_enqueue_of_one_key_makes_one_delivery(settings):
    settings.KEHOACH_JOBS = "worker"
    settings.KEHOACH_EXCHANGE_URL = ""
    commune = small_tree()
    actor = User.objects.create_user("dm")
    Membership.objects.create(user=actor, unit=commune, role=Role.COORDINATOR)
    start = threading.Barrier(4)
    made: list[int] = []
    errors: list[BaseException] = []

    def one() -> None:
        try:
            start.wait()
            made.append(queue(commune, 7, actor=actor).pk)
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=one) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors, errors
    assert len(set(made)) == 1 and Delivery.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_runner_skips_the_rows_another_runner_is_claiming(settings, start_receiver, monkeypatch):
    """Runner A stops between locking its rows and marking them; runner B must take only the others."""
    from django.db import connection

    if not connection.features.has_select_for_update_skip_locked:
        pytest.skip("SQLite serialises claims with IMMEDIATE transactions (next test)")
    receiver = start_receiver()
    settings.KEHOACH_JOBS = "worker"
    settings.KEHOACH_EXCHANGE_URL = receiver.url
    commune = small_tree()
    deliveries = [queue(commune, n) for n in range(1, 7)]
    paused, go = threading.Event(), threading.Event()
    real_update = DeliveryQuerySet.update

    def update(self, **kwargs):
        if threading.current_thread().name == "runner-a" and not paused.is_set():
            paused.set()
            go.wait(10)
        return real_update(self, **kwargs)

    monkeypatch.setattr(DeliveryQuerySet, "update", update)
    results: dict[str, dict] = {}

    def run(name: str, limit: int) -> None:
        try:
            results[name] = deliver_due(limit=limit)
        finally:
            connections.close_all()

    a = threading.Thread(target=run, args=("runner-a", 3), name="runner-a")
    a.start()
    assert paused.wait(10)
    b = threading.Thread(target=run, args=("runner-b", 10), name="runner-b")
    b.start()
    b.join(10)
    go.set()
    a.join(10)
    assert results["runner-a"]["delivered"] == 3 and results["runner-b"]["delivered"] == 3
    assert dict(receiver.requests) == {d.idempotency_key: 1 for d in deliveries}
    assert set(Delivery.objects.values_list("state", "attempts")) == {(State.DELIVERED, 1)}


def test_a_row_claimed_meanwhile_is_not_claimed_again(commune, exchange, start_receiver, monkeypatch):
    """The conditional claim (SQLite's path): a row another runner took after we listed it is left alone."""
    from django.db import connection

    receiver = start_receiver()
    exchange.KEHOACH_EXCHANGE_URL = receiver.url
    first, second = queue(commune, 1), queue(commune, 2)
    monkeypatch.setattr(connection.features, "has_select_for_update_skip_locked", False)
    real_update = DeliveryQuerySet.update
    calls = []

    def update(self, **kwargs):
        if not calls:
            # Another runner claims the first row between our listing and our claim.
            real_update(Delivery.objects.filter(pk=first.pk), state=State.SENDING, updated_at=timezone.now())
        calls.append(kwargs)
        return real_update(self, **kwargs)

    monkeypatch.setattr(DeliveryQuerySet, "update", update)
    assert deliver_due()["claimed"] == 1
    assert receiver.requests == {second.idempotency_key: 1}
    assert fresh(first).state == State.SENDING and fresh(first).attempts == 0
