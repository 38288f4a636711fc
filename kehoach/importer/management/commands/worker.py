"""`kehoach worker`: read uploaded plan documents queued by the web app (KEHOACH_JOBS="worker")."""

import signal
import threading

from django.core.management.base import BaseCommand

from kehoach.importer.jobs import jobs_work


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
        done = jobs_work(once=options["once"], sleep=options["sleep"], stop=stop)
        self.stdout.write(f"Đã xử lý {done} văn bản.")
