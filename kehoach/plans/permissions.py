"""Plan-level permission checks, shared by views, API and services."""

from django.core.exceptions import PermissionDenied

from kehoach.units.access import access_for

from .models import Plan


def can_read_plan(user, plan: Plan) -> bool:
    return access_for(user).can_read_unit(plan.owner_unit)


def can_manage_plan(user, plan: Plan) -> bool:
    return access_for(user).can_manage_plans_of(plan.lead_unit)


def ensure_can_read(user, plan: Plan) -> None:
    if not can_read_plan(user, plan):
        raise PermissionDenied("Bạn không có quyền xem kế hoạch này.")


def ensure_can_manage(user, plan: Plan) -> None:
    if not can_manage_plan(user, plan):
        raise PermissionDenied("Chỉ đơn vị đầu mối của kế hoạch mới được thay đổi kế hoạch này.")
