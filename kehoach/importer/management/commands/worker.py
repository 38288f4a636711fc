"""`kehoach worker`: read uploaded plan documents queued by the web app (KEHOACH_JOBS="worker").

Each pass also sends the deliveries that are due (kehoach.exchange).
"""

import logging
import signal
import threading

from django.core.management.base import BaseCommand
from django.db import connections

from kehoach.importer.jobs import jobs_work

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


class Command(BaseCommand):
    help = (
        "Xử lý các văn bản kế hoạch đang chờ đọc (chế độ KEHOACH_JOBS=worker). "
        "Chạy liên tục; --once để xử lý hết việc đang chờ rồi thoát."
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
        stop = threading.Event()
        if not options["once"] and threading.current_thread() is threading.main_thread():
            # systemd and Ctrl+C stop the loop between two jobs, never in the middle of one.
            for sig in (signal.SIGINT, signal.SIGTERM):
                signal.signal(sig, lambda *_: stop.set())
            self.stdout.write("Đang chờ văn bản cần đọc… (Ctrl+C để dừng)")
        if options["once"]:
            done = jobs_work(once=True)
            deliver_pass()
        else:
            done = 0
            while not stop.is_set():
                done += jobs_work(once=True, stop=stop)
                deliver_pass()
                connections.close_all()  # do not hold a connection while idle
                stop.wait(options["sleep"])
        self.stdout.write(f"Đã xử lý {done} văn bản.")
