"""`kehoach daily [--date YYYY-MM-DD] [--force]`: the day's work (reminders, scenarios, digest) by hand.

`kehoach worker` — started by `kehoach serve` — runs it by itself after KEHOACH_DAILY_AT; this command
is for cron or a systemd timer on installs without the worker, and to rerun a day with --force.
See docs/operations.md, "Reminders (đôn đốc)".
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kehoach.operations.daily import daily_details, daily_problems, daily_run, daily_summary
from kehoach.tracking.management.commands.remind import add_day_argument, day_or_today


class Command(BaseCommand):
    help = (
        "Công việc hằng ngày: nhắc việc (đôn đốc), đánh giá kịch bản điều hành, rồi gửi mỗi người "
        "một thư tổng hợp. Mỗi ngày chỉ chạy một lần dù gọi nhiều lần hay từ nhiều máy."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        add_day_argument(parser)
        parser.add_argument(
            "--force", action="store_true", help="Chạy lại dù công việc của ngày này đã chạy xong"
        )

    def handle(self, *args: Any, day: str | None, force: bool, **options: Any) -> None:
        today = day_or_today(day)
        result = daily_run(today=today, force=force)
        self.stdout.write(daily_summary(result))
        if options["verbosity"] > 1:
            for line in daily_details(result):
                self.stdout.write(f"  {line}")
        # A non-zero exit lets cron or systemd report a failure.
        problems = daily_problems(result)
        if problems:
            raise CommandError(" ".join(problems))
