"""The day's scheduled work, run once a day whoever starts it: `kehoach worker`, `kehoach daily`, cron.

`daily_run` does, in this order:
1. reminders (`reminders_run`): due-soon, overdue and missing-report notifications;
2. scenario evaluation (`alerts_evaluate`): the operating scenarios' alerts and their notifications;
3. the e-mail digest (`digest_send`), last, so that the day's alerts are in it.

Each step is isolated: one that raises is logged and recorded in the run's result, and the others
still run. Every step is itself idempotent, so a rerun (`--force`, or a reclaimed run) repeats nothing.

Exactly one process runs the day: the run is claimed by creating the day's `DailyRun` row (unique
day) or, for a row left by a run that died, by a conditional update; whoever loses sees the row and
skips. `daily_due` tells the worker's loop when it is time (settings.KEHOACH_DAILY_AT, local time).
"""

import datetime
import logging
import re
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction
from django.utils import timezone

from kehoach.tracking.services.reminders import digest_send, reminders_run

from .models import DailyRun

logger = logging.getLogger(__name__)

# A run still unfinished after this long was cut off (server stopped, worker killed): a later call
# takes the day over. The whole job takes seconds to minutes, so two hours is never a live run.
ABANDONED_AFTER = datetime.timedelta(hours=2)


def daily_at() -> datetime.time:
    """settings.KEHOACH_DAILY_AT ("HH:MM", Việt Nam time) as a time; a bad value stops start-up."""
    value = str(getattr(settings, "KEHOACH_DAILY_AT", "06:00")).strip()
    match = re.fullmatch(r"(\d{1,2}):(\d{2})", value)
    if not match or int(match[1]) > 23 or int(match[2]) > 59:
        raise ImproperlyConfigured(
            f"KEHOACH_DAILY_AT phải có dạng HH:MM (giờ Việt Nam), ví dụ 06:00, không phải “{value}”."
        )
    return datetime.time(int(match[1]), int(match[2]))


def daily_due(now: datetime.datetime | None = None) -> bool:
    """True once the configured hour has passed today (local time) and today's run has not finished."""
    local = timezone.localtime(now)
    if local.time() < daily_at():
        return False
    return not DailyRun.objects.filter(day=local.date(), finished_at__isnull=False).exists()


def _claim(today: datetime.date, *, force: bool, now: datetime.datetime) -> tuple[DailyRun | None, str]:
    """(the run this process now owns, "") or (None, why not: "done" or "running")."""
    try:
        with transaction.atomic():
            run, created = DailyRun.objects.get_or_create(day=today, defaults={"started_at": now})
    except IntegrityError:
        # Another process created the day's row at the same moment and has not committed yet.
        return None, "running"
    if created:
        return run, ""
    if run.finished_at is None and run.started_at > now - ABANDONED_AFTER:
        # Even with force: two processes must never run the same day at once.
        return None, "running"
    if run.finished_at is not None and not force:
        return None, "done"
    # Finished (and forced) or abandoned: take it over only if nobody else did in the meantime.
    taken = DailyRun.objects.filter(pk=run.pk, started_at=run.started_at, finished_at=run.finished_at).update(
        started_at=now, finished_at=None
    )
    if not taken:
        return None, "running"
    if run.finished_at is None:
        logger.warning("Lần chạy hằng ngày %s bỏ dở từ %s được chạy lại.", today, run.started_at)
    run.started_at, run.finished_at = now, None
    return run, ""


def _alerts(today: datetime.date) -> dict[str, int] | None:
    """Scenario evaluation, or None where the operations centre's evaluator is not installed."""
    try:
        from kehoach.operations.services.alerts import alerts_evaluate
    except ImportError as exc:
        logger.warning("Bỏ qua bước đánh giá kịch bản điều hành: %s", exc)
        return None
    return alerts_evaluate(today=today)


def _steps(today: datetime.date) -> list[tuple[str, Callable[[], dict[str, Any] | None]]]:
    # Looked up at call time so each step can be replaced on its own (tests, a step switched off).
    return [
        ("reminders", lambda: reminders_run(today=today)),
        ("alerts", lambda: _alerts(today)),
        ("digest", lambda: digest_send(today=today)),
    ]


def daily_run(*, today: datetime.date, force: bool = False) -> dict[str, Any]:
    """Run the day's work once for `today`; with `force`, again even if it already finished.

    Returns {"skipped": True, "reason": "done" | "running", ...} when another run has it, else the
    run's result: each step's counts by name, "errors" (step → message) for the steps that raised and
    "unavailable" for those not installed. The same result is stored on the day's DailyRun.
    """
    now = timezone.now()
    run, reason = _claim(today, force=force, now=now)
    if run is None:
        existing = DailyRun.objects.filter(day=today).values("started_at", "finished_at").first() or {}
        return {"skipped": True, "reason": reason, "day": today.isoformat(), **existing}
    result: dict[str, Any] = {"day": today.isoformat(), "errors": {}, "unavailable": []}
    for name, step in _steps(today):
        try:
            counts = step()
        except Exception as exc:
            logger.exception("Công việc hằng ngày %s: bước “%s” lỗi.", today, name)
            result["errors"][name] = f"{type(exc).__name__}: {exc}"[:500]
            continue
        if counts is None:
            result["unavailable"].append(name)
        else:
            result[name] = counts
    finished = DailyRun.objects.filter(pk=run.pk, started_at=now).update(
        finished_at=timezone.now(), result=result
    )
    if not finished:
        logger.warning("Lần chạy hằng ngày %s đã bị tiến trình khác nhận lại; không ghi kết quả.", today)
    return {"skipped": False, **result}


# --- What a person reads ------------------------------------------------------------------------------

# The scenario evaluator's counts (operations/services/alerts.py); any other is shown by its name.
ALERT_LABELS = {
    "plans": "kế hoạch",
    "raised": "cảnh báo mới",
    "escalated": "cảnh báo chuyển cấp",
    "cleared": "cảnh báo tự đóng",
    "notified": "thông báo cảnh báo",
    "failed_plans": "kế hoạch lỗi",
}
STEP_LABELS = {
    "reminders": "nhắc việc",
    "alerts": "đánh giá kịch bản điều hành",
    "digest": "gửi thư tổng hợp",
}


def daily_summary(result: dict[str, Any]) -> str:
    """One Vietnamese line for the command's output and the worker's log."""
    day = datetime.date.fromisoformat(result["day"]).strftime("%d/%m/%Y")
    if result.get("skipped"):
        if result.get("reason") == "done":
            finished = result.get("finished_at")
            at = f" lúc {timezone.localtime(finished):%H:%M}" if finished else ""
            return f"Công việc ngày {day} đã chạy xong{at}; dùng --force để chạy lại."
        return f"Công việc ngày {day} đang do một tiến trình khác chạy; bỏ qua."
    parts = []
    if "reminders" in result:
        parts.append(f"tạo {result['reminders'].get('created', 0)} thông báo nhắc việc")
    if "alerts" in result:
        shown = ("raised", "escalated", "cleared")
        counts = [f"{result['alerts'][k]} {ALERT_LABELS[k]}" for k in shown if result["alerts"].get(k)]
        parts.append("đánh giá kịch bản điều hành" + (f" ({', '.join(counts)})" if counts else ""))
    if "digest" in result:
        parts.append(f"gửi {result['digest'].get('sent', 0)} thư nhắc việc")
    for name in result.get("unavailable", []):
        parts.append(f"chưa có bước {STEP_LABELS.get(name, name)}")
    for name in result.get("errors", {}):
        parts.append(f"bước {STEP_LABELS.get(name, name)} lỗi")
    return f"Công việc ngày {day}: {', '.join(parts)}."


def daily_details(result: dict[str, Any]) -> list[str]:
    """The counts of each step, one Vietnamese line per step (`kehoach daily -v 2`)."""
    if result.get("skipped"):
        return []
    lines = []
    if reminders := result.get("reminders"):
        lines.append(
            f"Nhắc việc: {reminders.get('plans', 0)} kế hoạch đã ban hành, "
            f"{reminders.get('due_soon', 0)} nhắc sắp đến hạn, {reminders.get('overdue', 0)} nhắc quá hạn, "
            f"{reminders.get('missing', 0)} nhắc đơn vị chưa gửi báo cáo, "
            f"{reminders.get('missing_summary', 0)} tổng hợp thiếu báo cáo cho đầu mối."
        )
    if (alerts := result.get("alerts")) is not None:
        counts = [f"{ALERT_LABELS.get(key, key)}: {value}" for key, value in alerts.items()]
        lines.append(f"Đánh giá kịch bản điều hành: {'; '.join(counts) or 'không có thay đổi'}.")
    if digest := result.get("digest"):
        lines.append(
            f"Thư tổng hợp: gửi {digest.get('sent', 0)} thư ({digest.get('notifications', 0)} thông báo), "
            f"{digest.get('failed', 0)} thư chưa gửi được."
        )
    return lines


def daily_problems(result: dict[str, Any]) -> list[str]:
    """What went wrong, in Vietnamese, for a non-zero exit or the worker's log; empty when all went well."""
    if result.get("skipped"):
        return []
    problems = [
        f"Bước {STEP_LABELS.get(name, name)} lỗi: {message} (xem nhật ký lỗi)."
        for name, message in result.get("errors", {}).items()
    ]
    failed_plans = result.get("reminders", {}).get("failed_plans", 0)
    if failed_plans:
        problems.append(f"Không tạo được thông báo nhắc việc cho {failed_plans} kế hoạch (xem nhật ký lỗi).")
    alerts_failed = result.get("alerts", {}).get("failed_plans", 0)
    if alerts_failed:
        problems.append(
            f"Không đánh giá được kịch bản điều hành của {alerts_failed} kế hoạch (xem nhật ký lỗi)."
        )
    if result.get("digest", {}).get("failed", 0):
        problems.append(
            f"Không gửi được {result['digest']['failed']} thư nhắc việc; "
            "kiểm tra cấu hình máy chủ thư (EMAIL_HOST, EMAIL_PORT…) rồi chạy lại: kehoach daily --force."
        )
    return problems
