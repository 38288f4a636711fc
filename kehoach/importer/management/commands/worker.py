"""`kehoach worker`: the background loop next to the web server.

Each pass reads uploaded plan documents queued by the web app (KEHOACH_JOBS="worker"), sends the
deliveries that are due (kehoach.exchange) and, once a day after KEHOACH_DAILY_AT, runs the day's
work (kehoach.operations.daily: reminders, scenario evaluation, e-mail digest). `kehoach serve`
starts it by default, so a single-machine install needs no cron.
"""

import datetime
import logging
import signal
import threading

from django.core.management.base import BaseCommand
from django.db import connections
from django.utils import timezone

from kehoach.importer.jobs import jobs_mode, jobs_work

log = logging.getLogger(__name__)


def deliver_pass() -> None:
    """Deliveries to the city's reporting system (kehoach.exchange) ride on the worker's loop."""
    from kehoach.exchange.services import deliver_due

    try:
        deliver_due()
    except Exception:
        # A delivery problem must never stop the reading of plan documents.
        log.exception("Delivery pass failed")
        connections.close_all()


def daily_pass(now: datetime.datetime | None = None) -> dict | None:
    """The day's work when it is due; None when it is not, or when it failed (logged, tried again).

    Cheap when there is nothing to do (before the hour, or once the day has finished): one indexed
    lookup at most, so it can ride on every pass of the loop.
    """
    from kehoach.operations.daily import daily_due, daily_problems, daily_run, daily_summary

    try:
        now = now or timezone.now()
        if not daily_due(now):
            return None
        result = daily_run(today=timezone.localdate(now))
    except Exception:
        # Like a delivery problem, a broken daily job must never stop the loop; with the day's run
        # unfinished it is tried again on a later pass (or taken over after it is abandoned).
        log.exception("Daily run failed")
        connections.close_all()
        return None
    if not result["skipped"]:
        log.info("%s", daily_summary(result))
        for problem in daily_problems(result):
            log.error("%s", problem)
    return result


class Command(BaseCommand):
    help = (
        "Tiến trình nền: đọc các văn bản kế hoạch đang chờ (chế độ KEHOACH_JOBS=worker), gửi dữ liệu "
        "lên cấp trên và chạy công việc hằng ngày (nhắc việc, kịch bản điều hành, thư tổng hợp) sau "
        "giờ KEHOACH_DAILY_AT. Chạy liên tục; --once để xử lý hết việc đang chờ rồi thoát."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Xử lý hết việc đang chờ rồi thoát")
        parser.add_argument(
            "--sleep",
            type=float,
            default=2.0,
            help="Số giây chờ giữa hai lần kiểm tra khi không có việc (mặc định 2)",
        )

    def handle(self, *args, **options):
        from kehoach.operations.daily import daily_at

        # In "thread" and "sync" modes the web process reads each upload itself, right after it is
        # saved: a worker claiming the same queued job would read it a second time.
        documents = jobs_mode() == "worker"
        stop = threading.Event()
        if not options["once"] and threading.current_thread() is threading.main_thread():
            # systemd and Ctrl+C stop the loop between two jobs, never in the middle of one.
            for sig in (signal.SIGINT, signal.SIGTERM):
                signal.signal(sig, lambda *_: stop.set())
            at = daily_at()  # a bad KEHOACH_DAILY_AT stops here, not on every pass
            waiting = "Đang chờ văn bản cần đọc" if documents else "Tiến trình nền đang chạy"
            self.stdout.write(
                f"{waiting}; công việc hằng ngày chạy lúc {at:%H:%M} (giờ Việt Nam)… (Ctrl+C để dừng)"
            )
            self.stdout.flush()
        if options["once"]:
            done = jobs_work(once=True) if documents else 0
            deliver_pass()
        else:
            done = 0
            while not stop.is_set():
                if documents:
                    done += jobs_work(once=True, stop=stop)
                deliver_pass()
                daily_pass()
                connections.close_all()  # do not hold a connection while idle
                stop.wait(options["sleep"])
        self.stdout.write(f"Đã xử lý {done} văn bản.")
