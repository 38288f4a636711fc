"""The Hà Bắc installation: plan 97/KH-UBND against the corpus's expected output, idempotence, accounts."""

import json
import os
import stat
from collections import Counter
from pathlib import Path

import pytest

from kehoach.core.audit import history_for
from kehoach.demo.services import ACCOUNTS, ensure_demo_accounts, load_habac
from kehoach.plans.choices import DeadlineKind, PlanField, PlanStatus
from kehoach.plans.models import (
    Goal,
    Indicator,
    IndicatorGroup,
    Measure,
    MeasureSection,
    Plan,
    PlanReference,
    Responsibility,
    Task,
    TaskUnit,
    Trigger,
)
from kehoach.plans.services.contract import plan_to_contract
from kehoach.units.choices import Role
from kehoach.units.models import Membership, Unit, User

EXPECTED = (
    Path(__file__).resolve().parents[3].parent
    / "shared"
    / "corpus"
    / "plans"
    / "00_habac-97-kh-ubnd-khcn-2026.expected.json"
)
SCALAR_FIELDS = ["number", "date", "place", "issuer", "title", "signer"]
LIST_FIELDS = ["references", "goals", "indicators", "tasks", "measures", "responsibilities"]


@pytest.fixture
def expected():
    if not EXPECTED.exists():
        pytest.skip("../shared không có: bỏ qua so sánh với tệp kết quả mong đợi")
    return json.loads(EXPECTED.read_text(encoding="utf-8"))


@pytest.fixture
def contract(habac):
    return plan_to_contract(habac)


# Against the corpus -----------------------------------------------------------------------------


def test_contract_has_exactly_the_expected_fields(expected, contract):
    assert set(contract) == set(expected)


@pytest.mark.parametrize("field", SCALAR_FIELDS)
def test_contract_scalar_field_matches_expected(expected, contract, field):
    assert contract[field] == expected[field], (
        f"{field}: got {contract[field]!r}, expected {expected[field]!r}"
    )


@pytest.mark.parametrize("field", LIST_FIELDS)
def test_contract_list_matches_expected_item_by_item(expected, contract, field):
    got, want = contract[field], expected[field]
    for i, (g, w) in enumerate(zip(got, want, strict=False), start=1):
        if isinstance(w, dict):
            for key in w.keys() | g.keys():
                assert g.get(key) == w.get(key), (
                    f"{field}[{i}].{key}: got {g.get(key)!r}, expected {w.get(key)!r}"
                )
        else:
            assert g == w, f"{field}[{i}]: got {g!r}, expected {w!r}"
    assert len(got) == len(want), f"{field}: {len(got)} items, expected {len(want)}"


def test_contract_is_json_serialisable_and_equal_as_a_whole(expected, contract):
    assert json.loads(json.dumps(contract, ensure_ascii=False)) == expected


# Shape of the seeded plan -----------------------------------------------------------------------


def test_plan_identity(habac, units):
    assert habac.number == "97/KH-UBND"
    assert habac.issued_on.isoformat() == "2026-02-28"
    assert habac.year == 2026
    assert habac.field == PlanField.SCIENCE
    assert habac.status == PlanStatus.ISSUED
    assert habac.owner_unit == units["UBND xã Hà Bắc"]
    assert habac.lead_unit == units["Phòng VH-XH"]
    assert habac.signer_authority == "TM. ỦY BAN NHÂN DÂN"


def test_plan_counts(habac):
    assert Indicator.objects.filter(plan=habac).count() == 11
    groups = list(IndicatorGroup.objects.filter(plan=habac))
    assert len(groups) == 3
    assert Counter(i.group.name for i in Indicator.objects.filter(plan=habac).select_related("group")) == {
        groups[0].name: 2,
        groups[1].name: 7,
        groups[2].name: 2,
    }
    assert list(Indicator.objects.filter(plan=habac).values_list("code", flat=True)) == [
        f"CT{i:02d}" for i in range(1, 12)
    ]
    tasks = Task.objects.filter(plan=habac)
    assert tasks.count() == 9
    assert Counter(tasks.values_list("deadline_kind", flat=True)) == {
        DeadlineKind.CONDITIONAL: 3,
        DeadlineKind.PERIOD: 1,
        DeadlineKind.CONTINUOUS: 5,
    }
    assert Measure.objects.filter(section__plan=habac).count() == 17
    assert Responsibility.objects.filter(plan=habac).count() == 7
    assert PlanReference.objects.filter(plan=habac).count() == 11
    assert Goal.objects.filter(plan=habac).count() == 2


def test_measure_sections_keep_the_outline(habac):
    top = list(MeasureSection.objects.filter(plan=habac, parent=None).values_list("label", flat=True))
    assert top == ["1", "2", "3", "4"]
    sub = MeasureSection.objects.get(plan=habac, label="3")
    assert list(sub.children.values_list("label", "title")) == [
        ("a", "Về hoạt động bưu chính"),
        ("b", "Về lĩnh vực viễn thông"),
    ]


def test_seeded_task_schedule(habac):
    trigger = Trigger.objects.get(plan=habac)
    for task in Task.objects.filter(plan=habac):
        if task.deadline_kind == DeadlineKind.CONDITIONAL:
            assert task.trigger == trigger
            assert (task.deadline_date, task.starts_on, task.due_on) == (None, None, None)
        else:
            assert task.trigger is None
            assert task.due_on.isoformat() == "2026-12-31"
            assert task.starts_on.isoformat() == "2026-01-01"
        assert task.coordinates_all_units  # "Các phòng, cơ quan, đơn vị"
        assert task.lead_units, task.title


def test_load_twice_does_not_duplicate(habac):
    def counts():
        return {
            model.__name__: model.objects.count()
            for model in (
                Unit,
                Plan,
                Task,
                TaskUnit,
                Indicator,
                IndicatorGroup,
                Measure,
                Responsibility,
                Trigger,
            )
        }

    before = counts()
    plan, created = load_habac()
    assert not created
    assert plan == habac
    assert counts() == before
    assert history_for(habac).count() == 1


def test_first_load_reports_created(db, monkeypatch):
    _, created = load_habac()
    assert created
    assert Unit.objects.count() == 10  # city, city department, commune, seven commune units


# Demo accounts ----------------------------------------------------------------------------------

EXPECTED_ROLES = {
    "lanhdao": ("Ủy ban nhân dân xã Hà Bắc", Role.LEADER),
    "daumoi": ("Phòng Văn hóa - Xã hội", Role.COORDINATOR),
    "vhxh": ("Phòng Văn hóa - Xã hội", Role.STAFF),
    "vanphong": ("Văn phòng Hội đồng nhân dân và Ủy ban nhân dân", Role.STAFF),
    "kinhte": ("Phòng Kinh tế", Role.STAFF),
    "congan": ("Công an xã", Role.STAFF),
    "pvhcc": ("Trung tâm Phục vụ Hành chính công", Role.STAFF),
    "dvsnc": ("Trung tâm Dịch vụ sự nghiệp công", Role.STAFF),
    "mttq": ("Ủy ban Mặt trận Tổ quốc Việt Nam xã", Role.STAFF),
    "captren": ("Sở Khoa học và Công nghệ thành phố Hải Phòng", Role.SUPERVISOR),
    "quantri": ("Ủy ban nhân dân xã Hà Bắc", Role.ADMIN),
}


def test_demo_accounts_have_the_right_roles(habac):
    shared_password = os.environ["KEHOACH_DEMO_PASSWORD"]  # set by the habac fixture
    assert User.objects.count() == 11
    assert len(ACCOUNTS) == 11
    for username, (unit_name, role) in EXPECTED_ROLES.items():
        user = User.objects.get(username=username)
        memberships = list(Membership.objects.filter(user=user).select_related("unit"))
        assert [(m.unit.name, m.role) for m in memberships] == [(unit_name, role)], username
        assert user.is_superuser == (username == "quantri"), username
        assert user.is_staff == (username == "quantri"), username
        assert user.full_name, username
        assert user.check_password(shared_password), username
    assert User.objects.get(username="lanhdao").full_name == "Nguyễn Anh Tuấn"


def test_demo_accounts_twice_do_not_duplicate(habac):
    before = (User.objects.count(), Membership.objects.count())
    ensure_demo_accounts()
    assert (User.objects.count(), Membership.objects.count()) == before == (11, 11)


def test_demo_passwords_are_kept_on_disk_without_shared_password(db, monkeypatch, settings, tmp_path):
    monkeypatch.delenv("KEHOACH_DEMO_PASSWORD", raising=False)
    settings.DATA_DIR = tmp_path
    load_habac()
    first = {account.username: password for account, password in ensure_demo_accounts()}
    store = tmp_path / "demo-passwords.json"
    assert json.loads(store.read_text()) == first
    assert stat.S_IMODE(store.stat().st_mode) == 0o600
    assert len(set(first.values())) == 11  # one random password each
    second = {account.username: password for account, password in ensure_demo_accounts()}
    assert second == first
    assert User.objects.get(username="kinhte").check_password(first["kinhte"])


def test_demo_accounts_with_another_commune_present(other_city, monkeypatch):
    monkeypatch.setenv("KEHOACH_DEMO_PASSWORD", "mat-khau-thu-nghiem")
    load_habac()
    ensure_demo_accounts()
    daumoi = User.objects.get(username="daumoi")
    assert Membership.objects.get(user=daumoi).unit.parent.name == "Ủy ban nhân dân xã Hà Bắc"
