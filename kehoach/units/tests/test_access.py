"""Who reads and manages what, from memberships and the unit tree (units.access)."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from kehoach.plans.choices import PlanField, PlanStatus
from kehoach.plans.models import Plan, Task
from kehoach.plans.permissions import can_manage_plan, can_read_plan, ensure_can_manage, ensure_can_read
from kehoach.units.access import ANONYMOUS, access_for
from kehoach.units.choices import Role, UnitKind
from kehoach.units.models import Membership, Unit, User

COMMUNE_ROLES = [
    "lanhdao",
    "daumoi",
    "vhxh",
    "vanphong",
    "kinhte",
    "congan",
    "pvhcc",
    "dvsnc",
    "mttq",
    "quantri",
]


def fresh(user: User) -> User:
    """The same user without the access cached on the instance."""
    return User.objects.get(pk=user.pk)


@pytest.fixture
def city(units):
    return units["UBND thành phố Hải Phòng"]


@pytest.fixture
def commune(units):
    return units["UBND xã Hà Bắc"]


@pytest.fixture
def city_plan(units):
    """A plan of the city itself: read by the city's departments, not by its communes."""
    return Plan.objects.create(
        number="350/KH-UBND",
        title="Kế hoạch khoa học, công nghệ thành phố Hải Phòng năm 2026",
        year=2026,
        owner_unit=units["UBND thành phố Hải Phòng"],
        lead_unit=units["Sở KH&CN Hải Phòng"],
        field=PlanField.SCIENCE,
        status=PlanStatus.ISSUED,
    )


# Read roots --------------------------------------------------------------------------------------


def test_supervisor_reads_the_whole_city_tree(users, city, commune, units):
    access = access_for(users["captren"])
    assert access.read_roots == (city.path,)
    assert access.has_role(Role.SUPERVISOR)
    for unit in Unit.objects.subtree_of(city):
        assert access.can_read_unit(unit), unit
    assert set(Unit.objects.readable_by(users["captren"])) == set(Unit.objects.subtree_of(city))


@pytest.mark.parametrize("username", COMMUNE_ROLES)
def test_commune_members_read_the_commune_subtree(users, commune, units, username):
    access = access_for(fresh(users[username]))
    assert access.read_roots == (commune.path,)
    assert access.is_member
    for unit in Unit.objects.subtree_of(commune):
        assert access.can_read_unit(unit), unit
    if username == "quantri":  # also a superuser: reads everything
        assert access.is_superuser
        assert access.can_read_unit(units["UBND thành phố Hải Phòng"])
    else:
        assert not access.can_read_unit(units["UBND thành phố Hải Phòng"])
        assert not access.can_read_unit(units["Sở KH&CN Hải Phòng"])


def test_commune_staff_unit_readable_set(users, commune):
    readable = set(Unit.objects.readable_by(fresh(users["kinhte"])))
    assert readable == set(Unit.objects.subtree_of(commune))
    assert len(readable) == 8  # the commune and its seven units


def test_other_city_supervisor_reads_nothing_of_habac(habac, other_city, units, city):
    supervisor = other_city["supervisor"]
    access = access_for(supervisor)
    assert access.read_roots == (other_city["city"].path,)
    for unit in Unit.objects.subtree_of(city):
        assert not access.can_read_unit(unit), unit
    assert access.can_read_unit(other_city["commune"])
    assert not Unit.objects.readable_by(supervisor).filter(path__startswith=city.path).exists()
    assert not can_read_plan(supervisor, habac)


def test_roots_inside_another_root_are_dropped(users, commune, city, units):
    user = User.objects.create_user("both_levels")
    Membership.objects.create(user=user, unit=units["Phòng KT"], role=Role.STAFF)
    Membership.objects.create(user=user, unit=units["Sở KH&CN Hải Phòng"], role=Role.SUPERVISOR)
    assert access_for(user).read_roots == (city.path,)


def test_members_of_two_communes_read_both(habac, other_city, units, commune):
    user = User.objects.create_user("two_communes")
    Membership.objects.create(user=user, unit=units["Phòng KT"], role=Role.STAFF)
    Membership.objects.create(user=user, unit=other_city["office"], role=Role.STAFF)
    assert access_for(user).read_roots == tuple(sorted([commune.path, other_city["commune"].path]))


def test_user_without_membership_reads_nothing(habac):
    user = User.objects.create_user("nobody")
    access = access_for(user)
    assert access.read_roots == ()
    assert not access.is_member
    assert not Plan.objects.readable_by(user).exists()
    assert not Task.objects.readable_by(user).exists()
    assert not Unit.objects.readable_by(user).exists()
    assert not can_read_plan(user, habac)


def test_anonymous_reads_nothing(habac):
    assert access_for(AnonymousUser()) is ANONYMOUS
    assert access_for(None) is ANONYMOUS
    assert not Plan.objects.readable_by(AnonymousUser()).exists()
    assert not Task.objects.readable_by(AnonymousUser()).exists()
    assert not ANONYMOUS.can_read_unit(habac.owner_unit)
    with pytest.raises(PermissionDenied) as exc:
        ensure_can_read(AnonymousUser(), habac)
    assert "không có quyền xem" in str(exc.value)


def test_superuser_without_membership_reads_everything(habac, other_city, city_plan):
    admin = User.objects.create_superuser("root_admin", password="x")
    access = access_for(admin)
    assert access.is_superuser
    assert set(Plan.objects.readable_by(admin)) == set(Plan.objects.all())
    assert set(Unit.objects.readable_by(admin)) == set(Unit.objects.all())
    assert Task.objects.readable_by(admin).count() == Task.objects.count()
    assert access.can_read_unit(other_city["commune"])
    # Superusers act in the app only through roles.
    assert not access.can_manage_plans_of(habac.lead_unit)
    assert not can_manage_plan(admin, habac)


def test_access_is_cached_per_user_object(users, django_assert_num_queries):
    user = fresh(users["kinhte"])
    with django_assert_num_queries(2):
        first = access_for(user)
    with django_assert_num_queries(0):
        assert access_for(user) is first


# Managing plans ----------------------------------------------------------------------------------


def test_only_daumoi_manages_plans_of_phong_vhxh_and_below(users, units, other_city):
    vhxh = units["Phòng VH-XH"]
    team = Unit.objects.create(name="Tổ chuyển đổi số", kind=UnitKind.AGENCY, parent=vhxh)
    daumoi = access_for(fresh(users["daumoi"]))
    assert daumoi.can_manage_plans_of(vhxh)
    assert daumoi.can_manage_plans_of(team)
    assert daumoi.coordinator_units == [vhxh]
    for unit in Unit.objects.exclude(pk__in=[vhxh.pk, team.pk]):
        assert not daumoi.can_manage_plans_of(unit), unit
    assert daumoi.acts_for(vhxh)
    assert not daumoi.acts_for(units["Phòng KT"])
    for username, user in users.items():
        if username == "daumoi":
            continue
        access = access_for(fresh(user))
        for unit in Unit.objects.all():
            assert not access.can_manage_plans_of(unit), (username, unit)
        assert access.coordinator_units == []


def test_other_city_coordinator_manages_only_own_office(habac, other_city, units):
    access = access_for(other_city["coordinator"])
    assert access.can_manage_plans_of(other_city["office"])
    assert not access.can_manage_plans_of(units["Phòng VH-XH"])  # same name, other commune
    assert can_manage_plan(other_city["coordinator"], other_city["plan"])
    assert not can_manage_plan(other_city["coordinator"], habac)


def test_plan_permissions_for_demo_roles(habac, users):
    assert can_manage_plan(users["daumoi"], habac)
    ensure_can_manage(users["daumoi"], habac)
    for username in ["lanhdao", "vhxh", "captren", "quantri", "mttq"]:
        assert can_read_plan(users[username], habac), username
        assert not can_manage_plan(users[username], habac), username


# Plan.objects.readable_by ------------------------------------------------------------------------


@pytest.mark.parametrize("username", COMMUNE_ROLES)
def test_commune_roles_read_commune_plans_only(habac, other_city, city_plan, users, username):
    readable = set(Plan.objects.readable_by(fresh(users[username])))
    if username == "quantri":  # also a superuser
        assert readable == {habac, other_city["plan"], city_plan}
    else:
        assert readable == {habac}


def test_supervisor_reads_commune_and_city_plans(habac, other_city, city_plan, users):
    assert set(Plan.objects.readable_by(users["captren"])) == {habac, city_plan}
    assert Task.objects.readable_by(users["captren"]).count() == habac.tasks.count()


def test_other_city_users_read_their_own_plan(habac, other_city, city_plan):
    assert set(Plan.objects.readable_by(other_city["supervisor"])) == {other_city["plan"]}
    assert set(Plan.objects.readable_by(other_city["coordinator"])) == {other_city["plan"]}
    assert not Task.objects.readable_by(other_city["supervisor"]).filter(plan=habac).exists()


def test_readable_by_is_a_path_prefix_not_a_string_prefix(habac, units):
    """A commune whose path string-prefixes Hà Bắc's ("/1/3/" vs "/1/30/") must stay separate."""
    habac_commune = units["UBND xã Hà Bắc"]
    sibling = Unit.objects.create(
        name="Ủy ban nhân dân xã Thử", kind=UnitKind.COMMUNE, parent=units["UBND thành phố Hải Phòng"]
    )
    lookalike = habac_commune.path[:-1] + "0/"
    Unit.objects.filter(pk=sibling.pk).update(path=lookalike)
    sibling.refresh_from_db()
    Plan.objects.create(title="Kế hoạch xã thử", year=2026, owner_unit=sibling, lead_unit=sibling)
    user = User.objects.create_user("habac_only")
    Membership.objects.create(user=user, unit=habac_commune, role=Role.LEADER)
    assert set(Plan.objects.readable_by(user)) == {habac}
    assert not access_for(user).can_read_unit(sibling)
