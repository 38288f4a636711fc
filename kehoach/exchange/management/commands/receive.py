"""`kehoach receive --port 8765 --dir DIR [--token T] [--host 127.0.0.1]`: the reference receiver.

Stores each payload once per idempotency key under DIR; see kehoach/exchange/receiver.py.
"""

import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kehoach.exchange.receiver import ReceiverError, build_receiver


class Command(BaseCommand):
    help = (
        "Máy nhận mẫu (chỉ để thử nghiệm, chỉ nghe trên 127.0.0.1): nhận gói dữ liệu, lưu mỗi khóa chống "
        "trùng một tệp JSON trong thư mục --dir, trả “duplicate” khi nhận lại cùng khóa."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--port", type=int, default=8765, help="Cổng (mặc định 8765; 0: cổng trống bất kỳ)"
        )
        parser.add_argument(
            "--dir", dest="directory", required=True, help="Thư mục lưu các gói dữ liệu nhận được"
        )
        parser.add_argument("--token", default="", help="Mã xác thực bắt buộc (Authorization: Bearer …)")
        parser.add_argument(
            "--host", default="127.0.0.1", help="Địa chỉ lắng nghe, chỉ loopback (mặc định 127.0.0.1)"
        )

    def handle(self, *args: Any, port: int, directory: str, token: str, host: str, **options: Any) -> None:
        def log(line: str) -> None:
            self.stdout.write(line)
            self.stdout.flush()

        try:
            server = build_receiver(directory=directory, host=host, port=port, token=token, log=log)
        except ReceiverError as error:
            raise CommandError(str(error)) from None
        except OSError as error:
            raise CommandError(f"Không mở được cổng {port} trên {host}: {error}") from None
        if threading.current_thread() is threading.main_thread():
            # systemd and `kill` stop it like Ctrl+C does.
            signal.signal(signal.SIGTERM, signal.default_int_handler)
        auth = "có kiểm tra mã xác thực" if token else "không kiểm tra mã xác thực"
        log(f"Máy nhận mẫu đang nghe tại {server.url} ({auth}), lưu vào {server.directory}. Ctrl+C để dừng.")
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
        log("Đã dừng máy nhận mẫu.")
