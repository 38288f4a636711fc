"""Fixtures shared by every app's tests: the Hà Bắc installation, its demo users, and a second city."""

import shutil

import pytest
from django.test import Client

from kehoach.plans.choices import PlanField, PlanStatus
from kehoach.plans.models import Plan
from kehoach.units.choices import Role, UnitKind
from kehoach.units.models import Membership, Unit, User

DEMO_PASSWORD = "mat-khau-thu-nghiem"


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: its database is new, its cached pages must be too."""
    from django.core.cache import cache

    from kehoach.operations.freshness import forget

    cache.clear()
    forget()
    yield
    cache.clear()
    forget()


@pytest.fixture
def habac(db, monkeypatch):
    """Plan 97/KH-UBND loaded with the Hải Phòng unit tree and one demo account per role.

    Its indicators are entered by hand here; `habac_computed` binds them to their registers as shipped.
    """
    from kehoach.demo.services import ensure_demo_accounts, load_habac

    monkeypatch.setenv("KEHOACH_DEMO_PASSWORD", DEMO_PASSWORD)
    plan, _ = load_habac(computed=False)
    ensure_demo_accounts()
    return plan


@pytest.fixture
def habac_computed(habac):
    """The Hà Bắc plan with its 11 indicators computed from the registers, as the demo ships it."""
    import json

    from kehoach.demo.services import PLAN_FILE, bind_indicators

    bind_indicators(habac, json.loads(PLAN_FILE.read_text(encoding="utf-8")))
    return habac


@pytest.fixture
def users(habac) -> dict[str, User]:
    """Demo users by username: lanhdao, daumoi, vhxh, vanphong, kinhte, congan, pvhcc, dvsnc, mttq,
    captren, quantri."""
    return {u.username: u for u in User.objects.all()}


@pytest.fixture
def units(habac) -> dict[str, Unit]:
    """Units by short name, e.g. units["Phòng VH-XH"], units["UBND xã Hà Bắc"]."""
    return {u.short_name or u.name: u for u in Unit.objects.all()}


@pytest.fixture
def other_city(db):
    """Hà Nội with one commune, its own plan and a city supervisor: must never see Hà Bắc."""
    city = Unit.objects.create(
        name="Ủy ban nhân dân thành phố Hà Nội", short_name="UBND TP Hà Nội", kind=UnitKind.PROVINCE
    )
    dept = Unit.objects.create(name="Sở Khoa học và Công nghệ Hà Nội", kind=UnitKind.AGENCY, parent=city)
    commune = Unit.objects.create(
        name="Ủy ban nhân dân xã Sóc Sơn", short_name="UBND xã Sóc Sơn", kind=UnitKind.COMMUNE, parent=city
    )
    office = Unit.objects.create(name="Phòng Văn hóa - Xã hội", kind=UnitKind.AGENCY, parent=commune)
    supervisor = User.objects.create_user("captren_hn", password=DEMO_PASSWORD, full_name="Cấp trên Hà Nội")
    Membership.objects.create(user=supervisor, unit=dept, role=Role.SUPERVISOR)
    coordinator = User.objects.create_user(
        "daumoi_socson", password=DEMO_PASSWORD, full_name="Đầu mối Sóc Sơn"
    )
    Membership.objects.create(user=coordinator, unit=office, role=Role.COORDINATOR)
    plan = Plan.objects.create(
        number="15/KH-UBND",
        title="Kế hoạch chuyển đổi số xã Sóc Sơn năm 2026",
        year=2026,
        owner_unit=commune,
        lead_unit=office,
        field=PlanField.DIGITAL,
        status=PlanStatus.ISSUED,
    )
    return {
        "city": city,
        "commune": commune,
        "office": office,
        "supervisor": supervisor,
        "coordinator": coordinator,
        "plan": plan,
    }


@pytest.fixture
def client_for(db):
    """client_for(user) → a Django test client logged in as that user."""

    def make(user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make


# Browser tests (Debian's chromium through Playwright): one browser for the whole session, shared by
# tests/browser and the apps' own browser tests; a second sync Playwright in one process fails.
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    if not shutil.which("chromium") and not shutil.os.path.exists(CHROMIUM):
        pytest.skip("Chưa cài chromium (./test.sh tự cài): bỏ qua kiểm thử trình duyệt")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()
