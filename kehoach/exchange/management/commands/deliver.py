"""`kehoach deliver [--loop] [--every 30]`: send what is due to the city's reporting system.

One pass suits cron (every minute); `--loop` keeps going until Ctrl+C or SIGTERM. See docs/exchange.md.
"""

import logging
import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections

from kehoach.core.templatetags.vn import format_number
from kehoach.exchange.services import deliver_due

log = logging.getLogger(__name__)


def summary_line(counts: dict[str, Any]) -> str:
    if counts.get("disabled"):
        return f"{counts['detail']}: {counts.get('waiting', 0)} gói dữ liệu đang chờ."
    if not counts["claimed"]:
        return "Không có gói dữ liệu nào đến lượt gửi."
    return (
        f"Đến lượt {counts['claimed']} gói dữ liệu: đã gửi {counts['delivered']}, "
        f"chờ gửi lại {counts['retrying']}, thất bại {counts['failed']}."
    )


class Command(BaseCommand):
    help = (
        "Gửi dữ liệu lên hệ thống báo cáo của cấp trên: gửi các gói dữ liệu đến lượt rồi thoát; "
        "--loop để chạy liên tục."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--loop", action="store_true", help="Chạy liên tục cho đến khi bị dừng (Ctrl+C)")
        parser.add_argument(
            "--every",
            type=float,
            default=30.0,
            help="Số giây giữa hai lượt gửi khi chạy liên tục (mặc định 30)",
        )
        parser.add_argument(
            "--limit", type=int, default=50, help="Số gói dữ liệu tối đa mỗi lượt (mặc định 50)"
        )

    def handle(self, *args: Any, loop: bool, every: float, limit: int, **options: Any) -> None:
        if every <= 0 or limit <= 0:
            raise CommandError("--every và --limit phải lớn hơn 0.")
        verbosity = options["verbosity"]
        if not loop:
            counts = deliver_due(limit=limit)
            if verbosity > 1 or counts["claimed"] or (verbosity and counts["disabled"] and counts["waiting"]):
                self.stdout.write(summary_line(counts))
            if counts["failed"]:
                # A non-zero exit lets cron or systemd report deliveries that need "Gửi lại".
                raise CommandError(f"{counts['failed']} gói dữ liệu gửi thất bại, cần gửi lại thủ công.")
            return
        stop = threading.Event()
        previous = {}
        if threading.current_thread() is threading.main_thread():
            # Ctrl+C and systemd stop between two passes, never in the middle of a delivery.
            for sig in (signal.SIGINT, signal.SIGTERM):
                previous[sig] = signal.signal(sig, lambda *_: stop.set())
        try:
            self.loop(stop, every=every, limit=limit, verbosity=verbosity)
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def loop(self, stop: threading.Event, *, every: float, limit: int, verbosity: int) -> None:
        if verbosity:
            self.stdout.write(
                f"Đang gửi dữ liệu lên cấp trên mỗi {format_number(every)} giây… (Ctrl+C để dừng)"
            )
        while not stop.is_set():
            try:
                counts = deliver_due(limit=limit)
            except Exception:
                # Logged, and the next pass tries again: the loop outlives a database hiccup.
                log.exception("Delivery pass failed")
            else:
                if verbosity > 1:
                    self.stdout.write(summary_line(counts))
                if counts["claimed"] == limit:
                    continue  # more may be due: no pause
            connections.close_all()  # do not hold a connection while idle
            stop.wait(every)
        if verbosity:
            self.stdout.write("Đã dừng.")
