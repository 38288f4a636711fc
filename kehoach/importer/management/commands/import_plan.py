"""`kehoach import-plan FILE [--json]`: read a plan document and print what the importer found."""

import json
import sys

from django.core.management.base import BaseCommand

from kehoach.importer.errors import DocumentError


class Command(BaseCommand):
    help = (
        "Đọc một kế hoạch (.txt, .docx, .pdf) và in cấu trúc trích xuất được (số, ngày, chỉ tiêu, nhiệm vụ…)."
    )
    requires_system_checks: list[str] = []  # a read-only command: skip the checks, start fast

    def run_from_argv(self, argv):
        """From the command line a document that cannot be read ends with a Vietnamese message on
        stderr and exit code 2, never a traceback; `call_command` callers get the DocumentError."""
        try:
            super().run_from_argv(argv)
        except DocumentError as exc:
            sys.stderr.write(f"Lỗi: {exc}\n")
            sys.stderr.flush()
            sys.exit(2)

    def add_arguments(self, parser):
        parser.add_argument("file", help="Đường dẫn tệp kế hoạch (.txt, .docx hoặc .pdf)")
        parser.add_argument(
            "--json", action="store_true", help="In đúng một đối tượng JSON theo hợp đồng nhập"
        )

    def handle(self, *args, **options):
        from kehoach.importer.contract import printed
        from kehoach.importer.services import plan_extract_file
        from kehoach.importer.summary import summary

        try:
            plan = plan_extract_file(path=options["file"])
        except RecursionError:
            raise DocumentError("Tệp có cấu trúc quá phức tạp, không đọc được.") from None
        if options["json"]:
            text = json.dumps(printed(plan), ensure_ascii=False) + "\n"
            buffer = getattr(sys.stdout, "buffer", None)
            if buffer is not None:  # UTF-8 whatever the terminal's locale says
                sys.stdout.flush()
                buffer.write(text.encode("utf-8"))
                buffer.flush()
            else:
                sys.stdout.write(text)
        else:
            self.stdout.write(summary(plan))
