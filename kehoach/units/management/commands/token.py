"""`kehoach token USERNAME [--name NAME]`: create a personal API token and show it once."""

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from kehoach.units.models import User
from kehoach.units.services import token_create


class Command(BaseCommand):
    help = (
        "Tạo mã truy cập API cho một người dùng và in ra một lần duy nhất. "
        "Mã được in riêng một dòng trên stdout để dùng trong tập lệnh; lời nhắc in trên stderr."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", help="Tên đăng nhập của người dùng")
        parser.add_argument(
            "--name", default="", help="Tên gợi nhớ của mã (mặc định: “Dòng lệnh, <ngày tạo>”)"
        )

    def handle(self, *args: Any, username: str, name: str, **options: Any) -> None:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"Không có người dùng “{username}”.")
        if not user.is_active:
            raise CommandError(f"Tài khoản “{username}” đang bị khóa; không tạo được mã truy cập.")
        name = name.strip() or f"Dòng lệnh, {timezone.localdate():%d/%m/%Y}"
        try:
            token, raw = token_create(user=user, name=name)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        # Only the token goes to stdout, so `TOKEN=$(kehoach token USERNAME)` captures exactly the token.
        self.stderr.write(
            f"Đã tạo mã truy cập “{token.name}” cho {user} ({user.username}):", style_func=self.style.SUCCESS
        )
        self.stdout.write(raw)
        self.stderr.write(
            "Hãy lưu mã này ngay: hệ thống chỉ lưu bản băm nên mã sẽ không được hiển thị lại. "
            "Gửi kèm mỗi yêu cầu trong tiêu đề “Authorization: Bearer <mã>”.",
            style_func=self.style.WARNING,
        )
