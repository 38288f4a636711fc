"""`kehoach remind [--date YYYY-MM-DD] [--no-email]`: the daily reminder job (đôn đốc).

Creates the day's in-app reminders for every issued plan, then e-mails each user at most one digest.
Safe to run several times a day: nothing is created or sent twice. Meant for cron or a systemd timer;
see docs/operations.md, "Reminders (đôn đốc)".
"""

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from kehoach.tracking.services.reminders import digest_send, reminders_run


def parse_day(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"Ngày “{value}” không hợp lệ: cần dạng YYYY-MM-DD, ví dụ 2026-07-01.") from None


def add_day_argument(parser: CommandParser) -> None:
    """`--date YYYY-MM-DD`, the day a daily job runs for (today in Vietnam by default)."""
    parser.add_argument(
        "--date",
        dest="day",
        default=None,
        metavar="YYYY-MM-DD",
        help="Ngày chạy (mặc định: hôm nay theo giờ Việt Nam)",
    )


def day_or_today(value: str | None) -> datetime.date:
    return parse_day(value) if value else timezone.localdate()


class Command(BaseCommand):
    help = (
        "Nhắc việc (đôn đốc): tạo thông báo về nhiệm vụ sắp đến hạn, quá hạn và báo cáo chưa gửi "
        "sau ngày chốt số liệu, rồi gửi mỗi người có địa chỉ thư nhiều nhất một thư tổng hợp mỗi ngày."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        add_day_argument(parser)
        parser.add_argument(
            "--no-email", action="store_true", help="Chỉ tạo thông báo trên hệ thống, không gửi thư"
        )

    def handle(self, *args: Any, day: str | None, no_email: bool, **options: Any) -> None:
        today = day_or_today(day)
        created = reminders_run(today=today)
        sent = None if no_email else digest_send(today=today)
        summary = f"Đã tạo {created['created']} thông báo"
        if sent is None:
            self.stdout.write(f"{summary}, không gửi thư (--no-email).")
        else:
            self.stdout.write(f"{summary}, gửi {sent['sent']} thư nhắc việc.")
        if options["verbosity"] > 1:
            self.stdout.write(
                f"Ngày {today:%d/%m/%Y}, {created['plans']} kế hoạch đã ban hành: "
                f"{created['due_soon']} nhắc sắp đến hạn, {created['overdue']} nhắc quá hạn, "
                f"{created['missing']} nhắc đơn vị chưa gửi báo cáo, "
                f"{created['missing_summary']} tổng hợp thiếu báo cáo cho đầu mối."
            )
        # A non-zero exit lets cron or systemd report a failure; the next run makes up for it.
        problems = []
        if created["failed_plans"]:
            problems.append(
                f"Không tạo được thông báo cho {created['failed_plans']} kế hoạch (xem nhật ký lỗi)."
            )
        if sent and sent["failed"]:
            problems.append(
                f"Không gửi được {sent['failed']} thư nhắc việc; sẽ gửi lại ở lần chạy sau. "
                "Kiểm tra cấu hình máy chủ thư (EMAIL_HOST, EMAIL_PORT…)."
            )
        if problems:
            raise CommandError(" ".join(problems))
