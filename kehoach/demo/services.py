"""The Hà Bắc installation: the Hải Phòng unit tree, plan 97/KH-UBND and one demo account per role."""

import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction

from kehoach.plans.choices import PlanField
from kehoach.plans.models import Plan
from kehoach.plans.services.contract import plan_create_from_contract
from kehoach.tracking.services.periods import periods_sync
from kehoach.units.choices import Role
from kehoach.units.models import Membership, Unit, User

SEED_DIR = Path(__file__).resolve().parent / "seed"
PLAN_FILE = SEED_DIR / "habac-97-kh-ubnd-2026.json"
UNITS_FILE = SEED_DIR / "hai-phong-units.json"
CITY = "Ủy ban nhân dân thành phố Hải Phòng"
COMMUNE = "Ủy ban nhân dân xã Hà Bắc"
LEAD_UNIT = "Phòng Văn hóa - Xã hội"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    full_name: str
    position_title: str
    unit: str
    role: str
    superuser: bool = False


ACCOUNTS = [
    DemoAccount("lanhdao", "Nguyễn Anh Tuấn", "Chủ tịch UBND xã", COMMUNE, Role.LEADER),
    DemoAccount(
        "daumoi", "Trần Thị Hương", "Công chức Văn hóa - Xã hội (đầu mối)", LEAD_UNIT, Role.COORDINATOR
    ),
    DemoAccount("vhxh", "Lê Văn Minh", "Công chức Phòng Văn hóa - Xã hội", LEAD_UNIT, Role.STAFF),
    DemoAccount(
        "vanphong",
        "Phạm Thị Lan",
        "Chuyên viên Văn phòng HĐND và UBND",
        "Văn phòng Hội đồng nhân dân và Ủy ban nhân dân",
        Role.STAFF,
    ),
    DemoAccount("kinhte", "Hoàng Văn Nam", "Chuyên viên Phòng Kinh tế", "Phòng Kinh tế", Role.STAFF),
    DemoAccount("congan", "Vũ Đức Thắng", "Cán bộ Công an xã", "Công an xã", Role.STAFF),
    DemoAccount(
        "pvhcc",
        "Đỗ Thị Mai",
        "Viên chức Trung tâm Phục vụ Hành chính công",
        "Trung tâm Phục vụ Hành chính công",
        Role.STAFF,
    ),
    DemoAccount(
        "dvsnc",
        "Bùi Văn Hải",
        "Viên chức Trung tâm Dịch vụ sự nghiệp công",
        "Trung tâm Dịch vụ sự nghiệp công",
        Role.STAFF,
    ),
    DemoAccount(
        "mttq",
        "Ngô Thị Thu",
        "Cán bộ Ủy ban MTTQ Việt Nam xã",
        "Ủy ban Mặt trận Tổ quốc Việt Nam xã",
        Role.STAFF,
    ),
    DemoAccount(
        "captren",
        "Đinh Quang Huy",
        "Chuyên viên Sở Khoa học và Công nghệ",
        "Sở Khoa học và Công nghệ thành phố Hải Phòng",
        Role.SUPERVISOR,
    ),
    DemoAccount("quantri", "Quản trị hệ thống", "Quản trị hệ thống", COMMUNE, Role.ADMIN, superuser=True),
]


def _load_units(node: dict[str, Any], parent: Unit | None, position: int = 0) -> None:
    unit, _ = Unit.objects.get_or_create(
        parent=parent,
        name=node["name"],
        defaults={
            "short_name": node.get("short_name", ""),
            "aliases": "\n".join(node.get("aliases", [])),
            "kind": node["kind"],
            "position": position,
        },
    )
    for i, child in enumerate(node.get("children", []), start=1):
        _load_units(child, unit, i)


def load_habac(*, computed: bool = True, story: bool = True) -> tuple[Plan, bool]:
    """Load the unit tree and plan 97/KH-UBND unless already there. Returns (plan, created).

    With `computed` the indicators are bound to the registers that feed them (as shipped); without it
    units enter every figure by hand, which is how plans without registers work.

    With `story` (and `computed`: its figures come from the registers) a newly created plan is not left
    empty: `demo.story` plays the year up to today through the services, so the first screens show the
    product at work. An existing plan is never touched, so running `kehoach demo` again changes nothing.
    """
    plan, created = _load_habac(computed=computed, story=story and computed)
    if created and story and computed:
        # The issued report's files render in a background thread once the story commits; the command
        # exits right after, so wait for them rather than leave the files to be rendered on every download.
        from kehoach.core.jobs import wait_for_threads

        wait_for_threads(timeout=120)
    return plan, created


@transaction.atomic
def _load_habac(*, computed: bool, story: bool) -> tuple[Plan, bool]:
    _load_units(json.loads(UNITS_FILE.read_text(encoding="utf-8")), None)
    commune = Unit.objects.get(parent__name=CITY, name=COMMUNE)
    data = json.loads(PLAN_FILE.read_text(encoding="utf-8"))
    existing = Plan.objects.filter(owner_unit=commune, number=data["number"], year=data["year"]).first()
    if existing:
        return existing, False
    plan = plan_create_from_contract(
        actor=None,
        data=data,
        owner_unit=commune,
        lead_unit=Unit.objects.get(parent=commune, name=LEAD_UNIT),
        field=PlanField.SCIENCE,
    )
    periods_sync(plan=plan)
    if computed:
        # The story recomputes once after writing its register rows; computing the empty registers first
        # would only be thrown away.
        bind_indicators(plan, data, refresh=not story)
    if story:
        from django.utils import timezone

        from .story import tell_story

        demo_people()
        tell_story(plan=plan, today=timezone.localdate())
    return plan, True


def _password_store() -> Path:
    return Path(settings.DATA_DIR) / "demo-passwords.json"


def _account_unit(city: Unit, name: str) -> Unit:
    """A demo account's unit: Hà Bắc's own office of that name, else the city's department.

    Synthetic neighbouring communes (`kehoach demo-city`) have offices with the same names."""
    commune = Unit.objects.get(parent=city, name=COMMUNE)
    if commune.name == name:
        return commune
    return (
        Unit.objects.filter(path__startswith=commune.path, name=name).first()
        or Unit.objects.get(parent=city, name=name)
    )


def demo_people() -> dict[str, User]:
    """The demo accounts with their memberships, by username; passwords are left to `ensure_demo_accounts`."""
    city = Unit.objects.get(parent__isnull=True, name=CITY)
    people = {}
    for account in ACCOUNTS:
        user, created = User.objects.get_or_create(username=account.username)
        if created:
            user.set_unusable_password()
        user.full_name = account.full_name
        user.position_title = account.position_title
        user.is_staff = user.is_superuser = account.superuser
        user.save()
        unit = _account_unit(city, account.unit)
        Membership.objects.get_or_create(user=user, unit=unit, role=account.role)
        people[account.username] = user
    return people


@transaction.atomic
def ensure_demo_accounts() -> list[tuple[DemoAccount, str]]:
    """Create or refresh the demo accounts; passwords come from KEHOACH_DEMO_PASSWORD or are kept on disk."""
    shared = os.environ.get("KEHOACH_DEMO_PASSWORD")
    store = _password_store()
    saved: dict[str, str] = json.loads(store.read_text()) if store.exists() else {}
    result = []
    people = demo_people()
    for account in ACCOUNTS:
        password = shared or saved.get(account.username) or secrets.token_urlsafe(9)
        saved[account.username] = password
        user = people[account.username]
        user.set_password(password)
        user.save(update_fields=["password"])
        result.append((account, password))
    if not shared:
        store.write_text(json.dumps(saved, ensure_ascii=False, indent=2))
        store.chmod(0o600)
    return result


def bind_indicators(plan: Plan, data: dict[str, Any], *, refresh: bool = True) -> None:
    """Every Hà Bắc indicator is computed from the register that feeds it (see docs/indicators.md)."""
    from kehoach.registers.computations import COMPUTATIONS
    from kehoach.registers.models import IndicatorBinding

    for item in data["indicators"]:
        key = item.get("computation")
        if key in COMPUTATIONS:
            indicator = plan.indicators.get(code=item["code"])
            IndicatorBinding.objects.get_or_create(indicator=indicator, defaults={"computation": key})
    if refresh:
        from kehoach.registers.services.computed import refresh_plan

        refresh_plan(plan=plan)
