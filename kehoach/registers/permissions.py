from django.core.exceptions import PermissionDenied

from kehoach.units.access import access_for
from kehoach.units.choices import Role
from kehoach.units.models import Unit


def can_keep(user, unit: Unit) -> bool:
    """A register row is kept by the people of its unit (staff or đầu mối of it or of a unit above)."""
    access = access_for(user)
    return access.acts_for(unit, Role.STAFF) or access.acts_for(unit, Role.COORDINATOR)


def ensure_can_keep(user, unit: Unit) -> None:
    if not can_keep(user, unit):
        raise PermissionDenied(f"Chỉ cán bộ của {unit} mới được cập nhật sổ theo dõi của đơn vị này.")


def keeping_units(user) -> list[Unit]:
    """Units whose registers the user keeps: their own units (not a whole commune)."""
    access = access_for(user)
    return [
        u
        for u in access.member_units
        if not u.is_administrative
        and (access.acts_for(u, Role.STAFF) or access.acts_for(u, Role.COORDINATOR))
    ]
