"""Who may read and do what, derived from memberships and the unit tree.

Every view, API endpoint and selector asks the `Access` of its user instead of looking at roles
itself, so the rule lives here once:
- a member of any unit reads everything of the level of government it belongs to (its commune or
  city) and everything below it; a city department therefore reads every commune of its city;
- a đầu mối manages the plans led by its unit or by a unit below it;
- superusers read everything and have the Django admin, but act in the app only through roles.
"""

from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.db.models import Q

from .choices import ADMINISTRATIVE_KINDS, Role
from .models import Membership, Unit


@dataclass(frozen=True)
class Access:
    user_id: int | None
    is_superuser: bool = False
    read_roots: tuple[str, ...] = ()
    roles: frozenset[str] = frozenset()
    member_units: tuple[Unit, ...] = ()
    role_paths: dict[str, tuple[str, ...]] = field(default_factory=dict)

    # Reading -----------------------------------------------------------------------------------
    def read_q(self, path_field: str) -> Q:
        """A filter on a unit path field that keeps what this user may read."""
        if self.is_superuser:
            return Q()
        if not self.read_roots:
            return Q(pk__in=[])
        return reduce(or_, (Q(**{f"{path_field}__startswith": root}) for root in self.read_roots))

    def can_read_unit(self, unit: Unit) -> bool:
        return self.is_superuser or any(unit.path.startswith(root) for root in self.read_roots)

    # Acting ------------------------------------------------------------------------------------
    def has_role(self, role: str) -> bool:
        return role in self.roles

    def acts_for(self, unit: Unit, role: str | None = None) -> bool:
        """Holds `role` (any role if None) in `unit` or in a unit above it."""
        roles = [role] if role else list(self.role_paths)
        return any(unit.path.startswith(path) for r in roles for path in self.role_paths.get(r, ()))

    def can_manage_plans_of(self, lead_unit: Unit) -> bool:
        return self.acts_for(lead_unit, Role.COORDINATOR)

    @property
    def coordinator_units(self) -> list[Unit]:
        return [u for u in self.member_units if u.path in self.role_paths.get(Role.COORDINATOR, ())]

    @property
    def is_member(self) -> bool:
        return bool(self.member_units)


ANONYMOUS = Access(user_id=None)


def governments_with_role(access: Access, roles) -> set[int]:
    """Ids of the levels of government (commune, city) in which the user holds one of `roles`, in the
    unit itself or in one of its offices. A city leader is not a leader of its communes: acting in a
    commune's name (signing, numbering) needs a role inside that commune."""
    members = [u for u in access.member_units if any(u.path in access.role_paths.get(r, ()) for r in roles)]
    if not members:
        return set()
    ids = {pk for u in members for pk in (*u.ancestor_ids, u.pk)}
    administrative = set(
        Unit.objects.filter(pk__in=ids, kind__in=ADMINISTRATIVE_KINDS).values_list("pk", flat=True)
    )
    result = set()
    for unit in members:
        nearest = next((pk for pk in reversed([*unit.ancestor_ids, unit.pk]) if pk in administrative), None)
        if nearest is not None:
            result.add(nearest)
    return result


def access_for(user) -> Access:
    """The user's access, computed once per user object (two queries)."""
    if user is None or not user.is_authenticated:
        return ANONYMOUS
    cached = getattr(user, "_kehoach_access", None)
    if cached is not None:
        return cached
    memberships = list(Membership.objects.filter(user=user).select_related("unit"))
    ancestor_ids = {pk for m in memberships for pk in m.unit.ancestor_ids}
    administrative = {
        u.pk: u
        for u in Unit.objects.filter(pk__in=ancestor_ids, kind__in=ADMINISTRATIVE_KINDS).only("pk", "path")
    }
    roots: set[str] = set()
    role_paths: dict[str, set[str]] = {}
    units: dict[int, Unit] = {}
    for m in memberships:
        units[m.unit.pk] = m.unit
        role_paths.setdefault(m.role, set()).add(m.unit.path)
        if m.unit.is_administrative:
            roots.add(m.unit.path)
            continue
        # The nearest level of government above the unit: its plans are the unit's plans.
        nearest = next(
            (administrative[pk] for pk in reversed(m.unit.ancestor_ids) if pk in administrative), None
        )
        roots.add(nearest.path if nearest else m.unit.path)
    # A root inside another root adds nothing.
    minimal = tuple(sorted(r for r in roots if not any(r != o and r.startswith(o) for o in roots)))
    access = Access(
        user_id=user.pk,
        is_superuser=user.is_superuser,
        read_roots=minimal,
        roles=frozenset(role_paths),
        member_units=tuple(sorted(units.values(), key=lambda u: u.path)),
        role_paths={role: tuple(sorted(paths)) for role, paths in role_paths.items()},
    )
    user._kehoach_access = access
    return access
