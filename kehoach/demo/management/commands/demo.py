import time

from django.core.management.base import BaseCommand
from django.utils import timezone

from kehoach.demo.services import ensure_demo_accounts, load_habac
from kehoach.units.choices import Role


class Command(BaseCommand):
    help = (
        "Nạp Kế hoạch 97/KH-UBND của xã Hà Bắc cùng cây đơn vị, dựng số liệu thực hiện đến hôm nay, "
        "đánh giá kịch bản điều hành, tạo tài khoản mẫu và in ra mật khẩu."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--communes",
            type=int,
            default=0,
            help="Thêm chừng này xã, phường mẫu (kehoach demo-city, hạt giống 1) để so sánh cấp thành phố",
        )

    def step(self, text: str) -> None:
        self.stdout.write(text)
        self.stdout.flush()

    def handle(self, *args, **options):
        from kehoach.operations.models import Alert
        from kehoach.operations.services.alerts import alerts_evaluate

        started = time.monotonic()
        self.step(
            "Đang nạp Kế hoạch 97/KH-UBND và số liệu thực hiện đến hôm nay (lần đầu mất chừng nửa phút)…"
        )
        plan, created = load_habac()
        state = "đã nạp, có số liệu báo cáo các kỳ đã qua" if created else "đã có sẵn"
        self.step(f"Kế hoạch {plan.number} ({plan.title}): {state}.")
        self.step("Đang đánh giá kịch bản điều hành…")
        alerts_evaluate(today=timezone.localdate())
        open_alerts = Alert.objects.filter(plan=plan).active().count()
        self.step(
            f"Kịch bản điều hành: {open_alerts} cảnh báo đang mở ({time.monotonic() - started:.0f} giây)."
        )
        if options["communes"]:
            from django.core.management import call_command

            self.step(f"Đang dựng {options['communes']} xã, phường mẫu lân cận để so sánh cấp thành phố…")
            call_command("demo_city", communes=options["communes"], seed=1, stdout=self.stdout)
        self.stdout.write("")
        self.stdout.write("Tài khoản mẫu (tên đăng nhập / mật khẩu — vai trò, đơn vị):")
        for account, password in ensure_demo_accounts():
            role = Role(account.role).label
            extra = ", quản trị Django" if account.superuser else ""
            self.stdout.write(f"  {account.username:<10} {password:<16} {role}{extra} — {account.unit}")
