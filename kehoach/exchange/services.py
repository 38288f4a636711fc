"""Reliable delivery of payloads to the city's reporting system (see docs/exchange.md).

The outbox pattern: `enqueue` writes a `Delivery` in the caller's transaction, so a payload exists
exactly when the thing it reports does. After commit one attempt starts in the background
(`core.jobs`); `deliver_due` — run by `kehoach deliver` or `kehoach worker` — sends whatever is due,
retrying temporary failures with exponential backoff for up to MAX_AGE. Every attempt carries the
delivery's idempotency key and the receiver keeps one copy per key, so a payload sent twice (an
answer lost on the way back, a runner killed mid-send) is still received once.
"""

import datetime
import json
import logging
import random
import time
from dataclasses import dataclass
from functools import partial
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from kehoach.core.audit import audit_change
from kehoach.core.jobs import STALE_AFTER, jobs_mode, run_after_commit
from kehoach.core.models import AuditEntry
from kehoach.core.templatetags.vn import format_number
from kehoach.units.access import access_for
from kehoach.units.choices import ADMINISTRATIVE_KINDS, Role
from kehoach.units.models import Unit, User

from . import transport
from .models import Delivery, DeliveryAttempt

log = logging.getLogger(__name__)

State = Delivery.State

# Why nothing is sent, for people (stored on the waiting deliveries, shown on their pages) and, naming
# the setting to change, for the administrator (the admin, `kehoach deliver`, the logs).
NOT_CONFIGURED = "Chưa thiết lập việc gửi dữ liệu lên cấp trên"
NOT_CONFIGURED_DETAIL = "Chưa cấu hình địa chỉ nhận (KEHOACH_EXCHANGE_URL)"
MISCONFIGURED = "Việc gửi dữ liệu lên cấp trên đang được thiết lập sai"
MISCONFIGURED_DETAIL = "Địa chỉ nhận không hợp lệ (KEHOACH_EXCHANGE_URL): cần dạng https://máy-chủ/đường-dẫn"
BACKOFF_START = datetime.timedelta(seconds=30)
BACKOFF_MAX = datetime.timedelta(minutes=30)
RETRY_ROLES = (Role.COORDINATOR, Role.LEADER, Role.ADMIN)


# Configuration -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Endpoint:
    url: str
    token: str
    timeout: float
    max_age: datetime.timedelta
    problem: str  # why nothing can be sent, in words for people; "" when deliveries go out
    detail: str = ""  # the same for the administrator: which setting, what is wrong with it

    @property
    def enabled(self) -> bool:
        return not self.problem

    @property
    def display_url(self) -> str:
        """The address without credentials or query string, safe to show on a page."""
        parts = urlsplit(self.url)
        host = parts.hostname or ""
        if ":" in host:
            host = f"[{host}]"
        port = f":{parts.port}" if parts.port else ""
        return f"{parts.scheme}://{host}{port}{parts.path}" if host else ""

    @property
    def has_token(self) -> bool:
        return bool(self.token)


def endpoint() -> Endpoint:
    url = (getattr(settings, "KEHOACH_EXCHANGE_URL", "") or "").strip()
    problem = detail = ""
    if not url:
        problem, detail = NOT_CONFIGURED, NOT_CONFIGURED_DETAIL
    else:
        try:
            parts = urlsplit(url)
            valid = parts.scheme in ("http", "https") and bool(parts.hostname)
            parts.port  # noqa: B018 (raises ValueError for a bad port)
        except ValueError:
            valid = False
        if not valid:
            problem, detail = MISCONFIGURED, MISCONFIGURED_DETAIL
    return Endpoint(
        url=url,
        token=(getattr(settings, "KEHOACH_EXCHANGE_TOKEN", "") or "").strip(),
        timeout=float(getattr(settings, "KEHOACH_EXCHANGE_TIMEOUT", 10) or 10),
        max_age=datetime.timedelta(
            hours=float(getattr(settings, "KEHOACH_EXCHANGE_MAX_AGE_HOURS", 72) or 72)
        ),
        problem=problem,
        detail=detail,
    )


def backoff(attempts: int) -> datetime.timedelta:
    """Wait before the next try after `attempts` tries: 30 s doubling to 30 min, plus up to 10 %.

    The jitter keeps deliveries that failed together (the receiver was down) from coming back in
    lockstep the moment it is up again.
    """
    delay = min(BACKOFF_START * 2 ** min(max(attempts - 1, 0), 20), BACKOFF_MAX)
    return delay * (1 + random.uniform(0, 0.1))


# Permissions -------------------------------------------------------------------------------------


def can_read(user, delivery: Delivery) -> bool:
    return access_for(user).can_read_unit(delivery.unit)


def can_retry(user, delivery: Delivery) -> bool:
    """Đầu mối, lãnh đạo or quản trị of the sending unit, of a unit above it, or of one of its offices.

    A commune's report is sent in the commune's name while its đầu mối sits in an office of the
    commune, so a role in a unit inside the sender counts — unless a level of government lies in
    between (a commune's đầu mối does not act for the city's deliveries).
    """
    access = access_for(user)
    unit = delivery.unit
    if any(access.acts_for(unit, role) for role in RETRY_ROLES):
        return True
    for member in access.member_units:
        if member.pk == unit.pk or not member.path.startswith(unit.path):
            continue
        if not any(member.path in access.role_paths.get(role, ()) for role in RETRY_ROLES):
            continue
        ancestors = member.ancestor_ids
        between = [*ancestors[ancestors.index(unit.pk) + 1 :], member.pk]
        if not Unit.objects.filter(pk__in=between, kind__in=ADMINISTRATIVE_KINDS).exists():
            return True
    return False


def ensure_can_retry(user, delivery: Delivery) -> None:
    if not can_retry(user, delivery):
        raise PermissionDenied(
            f"Chỉ đầu mối, lãnh đạo hoặc quản trị của {delivery.unit} mới được gửi lại gói dữ liệu này."
        )


# Enqueue -----------------------------------------------------------------------------------------


def _audit_view(delivery: Delivery) -> dict[str, Any]:
    """What the change log keeps of a delivery: its state, not the (large) payload."""
    return {
        "Loại dữ liệu": delivery.kind_label,
        "Nội dung tóm tắt": delivery.summary,
        "Khóa chống trùng": delivery.idempotency_key,
        "Trạng thái": delivery.get_state_display(),
        "Gửi lần tới lúc": timezone.localtime(delivery.next_attempt_at) if delivery.next_attempt_at else None,
        "Lỗi gần nhất": delivery.last_error or None,
    }


def _envelope(
    *, kind: str, payload: dict[str, Any], key: str, unit: Unit, now: datetime.datetime
) -> dict[str, Any]:
    if not isinstance(payload, dict):
        raise ValidationError("Nội dung gửi phải là một đối tượng JSON.")
    try:
        # Dates, decimals and UUIDs become strings once, here, so every attempt sends the same bytes.
        data = json.loads(json.dumps(payload, cls=DjangoJSONEncoder))
    except (TypeError, ValueError) as error:
        raise ValidationError(f"Nội dung gửi không chuyển được sang JSON: {error}") from None
    if not data.get("schema"):
        raise ValidationError("Nội dung gửi thiếu trường “schema” (ví dụ “kehoach.report/1”).")
    if data.setdefault("kind", kind) != kind:
        raise ValidationError(f"Trường “kind” của nội dung ({data['kind']}) khác loại dữ liệu ({kind}).")
    data["idempotency_key"] = key
    data.setdefault("created_at", timezone.localtime(now).isoformat(timespec="seconds"))
    data.setdefault(
        "sender",
        {"unit_id": unit.pk, "unit_code": unit.code, "unit_name": unit.name},
    )
    return data


def enqueue(
    *,
    kind: str,
    payload: dict,
    key: str,
    unit: Unit,
    source_type: str,
    source_id: int,
    summary: str,
    actor: User | None,
) -> Delivery:
    """Queue `payload` for the receiver; the same `key` again returns the existing row unchanged.

    Call it inside the transaction that creates the thing reported: the row commits (or rolls back)
    with it, and the first attempt starts only after commit.
    """
    key = (key or "").strip()
    if not key:
        raise ValidationError("Thiếu khóa chống trùng (idempotency key) của gói dữ liệu.")
    if len(key) > Delivery._meta.get_field("idempotency_key").max_length:
        raise ValidationError("Khóa chống trùng dài quá 200 ký tự.")
    summary = (summary or "").strip()[:300] or f"{kind} #{source_id}"
    existing = Delivery.objects.filter(idempotency_key=key).first()
    if existing is not None:
        _warn_if_other_source(existing, kind=kind, source_type=source_type, source_id=source_id)
        return existing
    now = timezone.now()
    data = _envelope(kind=kind, payload=payload, key=key, unit=unit, now=now)
    endpoint_problem = endpoint().problem
    with transaction.atomic():
        try:
            # A savepoint: a concurrent enqueue of the same key must not break the caller's transaction.
            with transaction.atomic():
                delivery = Delivery.objects.create(
                    kind=kind,
                    idempotency_key=key,
                    payload=data,
                    unit=unit,
                    source_type=source_type,
                    source_id=source_id,
                    summary=summary,
                    next_attempt_at=now,
                    last_error=endpoint_problem,
                    created_by=actor if getattr(actor, "is_authenticated", False) else None,
                )
        except IntegrityError:
            existing = Delivery.objects.filter(idempotency_key=key).first()
            if existing is None:
                raise
            return existing
        audit_change(
            actor=actor,
            obj=delivery,
            action=AuditEntry.Action.CREATE,
            after={**_audit_view(delivery), "Đơn vị gửi": str(unit)},
            summary="Đưa vào hàng chờ gửi lên cấp trên",
        )
        transaction.on_commit(partial(_start, delivery.pk), robust=True)
    if not connection.in_atomic_block:
        delivery.refresh_from_db()  # sync mode has tried it already
    return delivery


def _warn_if_other_source(delivery: Delivery, *, kind: str, source_type: str, source_id: int) -> None:
    if (delivery.kind, delivery.source_type, delivery.source_id) != (kind, source_type, source_id):
        log.warning(
            "Idempotency key %r already used by delivery %s (%s %s:%s); not queued again",
            delivery.idempotency_key,
            delivery.pk,
            delivery.kind,
            delivery.source_type,
            delivery.source_id,
        )


def _start(pk: int) -> None:
    """After commit: one attempt now (thread or inline); in worker mode the worker picks it up."""
    if jobs_mode() == "worker":
        return
    run_after_commit(deliver_one, pk, name=f"kehoach-gui-{pk}", on_crash=_crashed)


def _crashed(pk: int) -> None:
    Delivery.objects.filter(pk=pk, state=State.SENDING).update(
        state=State.QUEUED,
        next_attempt_at=timezone.now() + BACKOFF_START,
        last_error="Lỗi hệ thống khi gửi; sẽ thử lại",
        updated_at=timezone.now(),
    )


# Sending -----------------------------------------------------------------------------------------


def _due_q(now: datetime.datetime) -> Q:
    # A row left "sending" by a runner that died (server restarted, worker killed) is due again.
    return Q(state=State.QUEUED, next_attempt_at__lte=now) | Q(
        state=State.SENDING, updated_at__lt=now - STALE_AFTER
    )


def _claim(*, now: datetime.datetime, limit: int, pk: int | None = None) -> list[Delivery]:
    """Mark up to `limit` due rows "sending" for this runner; concurrent runners never share a row.

    The attempt counter is raised in the claim, so (pk, attempts) identifies this runner's claim: a
    runner that was presumed dead and comes back cannot overwrite the outcome of the one that
    reclaimed its row.
    """
    due = Delivery.objects.filter(_due_q(now))
    if pk is not None:
        due = due.filter(pk=pk)
    due = due.order_by("next_attempt_at", "id")
    # A plain read first: an idle pass must not take SQLite's write lock.
    if not due.exists():
        return []
    claim = {
        "state": State.SENDING,
        "attempts": F("attempts") + 1,
        "first_attempt_at": Coalesce(F("first_attempt_at"), Value(now)),
        "updated_at": now,
    }
    claimed: list[int] = []
    with transaction.atomic():
        if connection.features.has_select_for_update_skip_locked:
            # PostgreSQL: rows another runner holds are skipped, not waited for.
            claimed = list(due.select_for_update(skip_locked=True).values_list("pk", flat=True)[:limit])
            if claimed:
                Delivery.objects.filter(pk__in=claimed).update(**claim)
        else:
            # SQLite runs transactions IMMEDIATE (one writer at a time); the conditional update makes
            # the claim safe even without that.
            for candidate in list(due.values_list("pk", flat=True)[:limit]):
                if Delivery.objects.filter(_due_q(now), pk=candidate).update(**claim):
                    claimed.append(candidate)
    if not claimed:
        return []
    return list(
        Delivery.objects.filter(pk__in=claimed).select_related("unit").order_by("next_attempt_at", "id")
    )


def deliver_due(*, now: datetime.datetime | None = None, limit: int = 50) -> dict[str, Any]:
    """One pass: claim what is due, send each outside the claim's transaction, record the outcomes.

    Returns counts: claimed, delivered, retrying (back in the queue), failed (thất bại), and with the
    endpoint not configured: disabled=True, problem and waiting (rows left queued).
    """
    now = now or timezone.now()
    target = endpoint()
    counts: dict[str, Any] = {"claimed": 0, "delivered": 0, "retrying": 0, "failed": 0, "disabled": False}
    if not target.enabled:
        _hold(target, now)
        counts.update(
            disabled=True,
            problem=target.problem,
            detail=target.detail,
            waiting=Delivery.objects.filter(state=State.QUEUED).count(),
        )
        return counts
    # Every claimed row must be sent well before another runner may take it as stale: with slow
    # answers (each up to `timeout`), claim fewer per pass.
    limit = max(1, min(limit, int(STALE_AFTER.total_seconds() // (2 * (target.timeout + 1)))))
    return _send_all(_claim(now=now, limit=limit), target=target, now=now, counts=counts)


def deliver_one(pk: int, *, now: datetime.datetime | None = None) -> dict[str, Any]:
    """Try one delivery now if it is due (the attempt started after enqueue or "Gửi lại")."""
    now = now or timezone.now()
    target = endpoint()
    counts: dict[str, Any] = {"claimed": 0, "delivered": 0, "retrying": 0, "failed": 0, "disabled": False}
    if not target.enabled:
        return {**counts, "disabled": True, "problem": target.problem, "detail": target.detail}
    return _send_all(_claim(now=now, limit=1, pk=pk), target=target, now=now, counts=counts)


def _hold(target: Endpoint, now: datetime.datetime) -> None:
    """Without an endpoint nothing is sent: say why on the queued rows (and free stuck ones)."""
    problem = target.problem
    waiting = Delivery.objects.filter(Q(state=State.QUEUED) | _due_q(now)).exclude(
        state=State.QUEUED, last_error=problem
    )
    if waiting.exists():
        # The retry window starts again once there is somewhere to send to.
        held = waiting.update(state=State.QUEUED, last_error=problem, first_attempt_at=None, updated_at=now)
        log.warning("%s: %s gói dữ liệu giữ lại chờ gửi", target.detail, held)


def _send_all(
    claimed: list[Delivery], *, target: Endpoint, now: datetime.datetime, counts: dict[str, Any]
) -> dict[str, Any]:
    counts["claimed"] = len(claimed)
    clock = time.monotonic()
    for delivery in claimed:
        # Times follow the pass's `now` (tests move it) plus the real time spent so far.
        started = now + datetime.timedelta(seconds=time.monotonic() - clock)
        start = time.monotonic()
        result = transport.post(
            url=target.url,
            body=transport.encode(delivery.payload),
            key=delivery.idempotency_key,
            token=target.token,
            timeout=target.timeout,
        )
        duration_ms = transport.monotonic_ms(start)
        finished = started + datetime.timedelta(milliseconds=duration_ms)
        state = _record(
            delivery, result, started=started, finished=finished, duration_ms=duration_ms, target=target
        )
        counts[{State.DELIVERED: "delivered", State.QUEUED: "retrying", State.FAILED: "failed"}[state]] += 1
    return counts


def _record(
    delivery: Delivery,
    result: transport.Result,
    *,
    started: datetime.datetime,
    finished: datetime.datetime,
    duration_ms: int,
    target: Endpoint,
) -> str:
    """Store the attempt and move the delivery on; returns the new state."""
    fields: dict[str, Any] = {"updated_at": finished}
    if result.outcome == transport.OK:
        state = State.DELIVERED
        fields.update(delivered_at=finished, receipt=result.receipt, last_error="", next_attempt_at=None)
    elif result.outcome == transport.TEMPORARY and finished - delivery.first_attempt_at < target.max_age:
        state = State.QUEUED
        wait = backoff(delivery.attempts)
        if result.retry_after:
            wait = max(wait, min(datetime.timedelta(seconds=result.retry_after), BACKOFF_MAX))
        fields.update(next_attempt_at=finished + wait, last_error=result.error)
    else:
        state = State.FAILED
        error = result.error
        if result.outcome == transport.TEMPORARY:
            hours = target.max_age.total_seconds() / 3600
            error = (
                f"{error}. Đã thử {delivery.attempts} lần trong {format_number(hours)} giờ, ngừng tự gửi lại"
            )
        fields.update(next_attempt_at=None, last_error=error)
    with transaction.atomic():
        DeliveryAttempt.objects.create(
            delivery=delivery,
            number=delivery.attempts,
            started_at=started,
            duration_ms=duration_ms,
            http_status=result.http_status,
            outcome=result.outcome,
            error=result.error,
        )
        before = _audit_view(delivery)
        updated = Delivery.objects.filter(
            pk=delivery.pk, state=State.SENDING, attempts=delivery.attempts
        ).update(state=state, **fields)
        if not updated:
            # Another runner reclaimed the row meanwhile; its outcome stands.
            return state
        for name, value in fields.items():
            setattr(delivery, name, value)
        delivery.state = state
        if state != State.QUEUED:
            audit_change(
                actor=None,
                obj=delivery,
                action=AuditEntry.Action.EVENT,
                before=before,
                after=_audit_view(delivery),
                summary="Đã gửi lên cấp trên" if state == State.DELIVERED else "Gửi lên cấp trên thất bại",
            )
    return state


# Manual retry ------------------------------------------------------------------------------------


def retry(*, delivery: Delivery, actor: User) -> Delivery:
    """Put a failed delivery back in the queue, due now, with a fresh MAX_AGE window."""
    ensure_can_retry(actor, delivery)
    with transaction.atomic():
        row = Delivery.objects.select_for_update().select_related("unit").get(pk=delivery.pk)
        if row.state != State.FAILED:
            raise ValidationError("Chỉ gửi lại được gói dữ liệu đang ở trạng thái “Thất bại”.")
        before = _audit_view(row)
        row.state = State.QUEUED
        row.next_attempt_at = timezone.now()
        row.first_attempt_at = None
        row.last_error = endpoint().problem
        row.save(update_fields=["state", "next_attempt_at", "first_attempt_at", "last_error", "updated_at"])
        audit_change(
            actor=actor,
            obj=row,
            action=AuditEntry.Action.UPDATE,
            before=before,
            after=_audit_view(row),
            summary="Gửi lại gói dữ liệu lên cấp trên",
        )
        transaction.on_commit(partial(_start, row.pk), robust=True)
    if not connection.in_atomic_block:
        row.refresh_from_db()
    return row
