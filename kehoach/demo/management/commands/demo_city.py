import datetime
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from kehoach.demo.city import build_city
from kehoach.demo.services import CITY


def _number(value: int) -> str:
    return f"{value:,}".replace(",", ".")


def _day(text: str) -> datetime.date:
    try:
        return datetime.datetime.strptime(text, "%d/%m/%Y").date()
    except ValueError:
        raise CommandError(
            f"Ngày “{text}” không hợp lệ; ghi theo dạng dd/mm/yyyy, ví dụ 06/12/2026."
        ) from None


class Command(BaseCommand):
    help = (
        "Tạo các xã, phường mẫu dưới một thành phố (kế hoạch, nhiệm vụ, số liệu, báo cáo) để xem và đo "
        "màn hình so sánh của thành phố. Cùng tham số thì chạy lại không tạo thêm gì."
    )

    def add_arguments(self, parser):
        parser.add_argument("--communes", type=int, required=True, help="Số xã, phường cần có.")
        parser.add_argument("--seed", type=int, default=1, help="Hạt giống ngẫu nhiên (mặc định 1).")
        parser.add_argument("--city", default=CITY, help=f"Tên thành phố (mặc định “{CITY}”).")
        parser.add_argument(
            "--years", type=int, default=2, help="Số năm kế hoạch, tính cả năm nay (mặc định 2)."
        )
        parser.add_argument(
            "--today", type=_day, default=None, help="Coi hôm nay là ngày này (dd/mm/yyyy), để tạo lại y hệt."
        )

    def handle(self, *args, **options):
        today = options["today"] or timezone.localdate()
        started = time.monotonic()

        def progress(done: int, total: int) -> None:
            elapsed = time.monotonic() - started
            self.stdout.write(f"Đã tạo {_number(done)}/{_number(total)} xã… ({elapsed:.0f} giây)")

        try:
            result = build_city(
                communes=options["communes"],
                seed=options["seed"],
                city_name=options["city"],
                years=options["years"],
                today=today,
                progress=progress,
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        city = result["city"]
        if result["city_created"]:
            self.stdout.write(f"Đã tạo đơn vị gốc {city.name}.")
        if result["catalogue_created"]:
            self.stdout.write(
                f"Đã thêm {result['catalogue_created']} chỉ tiêu vào danh mục dùng chung của thành phố."
            )
        if result["habac_linked"]:
            self.stdout.write(
                f"Đã liên kết {result['habac_linked']} chỉ tiêu của xã Hà Bắc với danh mục dùng chung."
            )
        if result["existing"]:
            self.stdout.write(f"{_number(result['existing'])} xã, phường đã có sẵn, giữ nguyên.")
        rows = sum(result["rows"].values())
        elapsed = time.monotonic() - started
        self.stdout.write(
            f"Xong: tạo {_number(result['created'])} xã, phường mới dưới {city.name} "
            f"({_number(rows)} bản ghi) trong {elapsed:.1f} giây."
        )
        if result["created"]:
            from kehoach.operations.services.alerts import alerts_evaluate
            from kehoach.plans.models import Plan

            # The comparison's "cảnh báo đỏ" column reads the alerts: raise them now rather than at 06:00.
            self.stdout.write("Đang đánh giá kịch bản điều hành của các xã, phường mới…")
            self.stdout.flush()
            plans = Plan.objects.filter(
                owner_unit__path__startswith=city.path, year=today.year, status="ban_hanh"
            )
            evaluated = alerts_evaluate(today=today, plans=plans)
            self.stdout.write(
                f"Kịch bản điều hành: {_number(evaluated['raised'])} cảnh báo "
                f"({time.monotonic() - started:.0f} giây)."
            )
