from django.core.management.base import BaseCommand

from kehoach.demo.services import ensure_demo_accounts, load_habac
from kehoach.units.choices import Role


class Command(BaseCommand):
    help = "Nạp Kế hoạch 97/KH-UBND của xã Hà Bắc cùng cây đơn vị, tạo tài khoản mẫu và in ra mật khẩu."

    def handle(self, *args, **options):
        plan, created = load_habac()
        state = "đã nạp" if created else "đã có sẵn"
        self.stdout.write(f"Kế hoạch {plan.number} ({plan.title}): {state}.")
        self.stdout.write("")
        self.stdout.write("Tài khoản mẫu (tên đăng nhập / mật khẩu — vai trò, đơn vị):")
        for account, password in ensure_demo_accounts():
            role = Role(account.role).label
            extra = ", quản trị Django" if account.superuser else ""
            self.stdout.write(f"  {account.username:<10} {password:<16} {role}{extra} — {account.unit}")
