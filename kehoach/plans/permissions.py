"""Plan-level permission checks, shared by views, API and services."""

from django.core.exceptions import PermissionDenied

from kehoach.units.access import access_for, governments_with_role
from kehoach.units.choices import Role

from .models import Plan


def can_read_plan(user, plan: Plan) -> bool:
    return access_for(user).can_read_unit(plan.owner_unit)


def can_manage_plan(user, plan: Plan) -> bool:
    return access_for(user).can_manage_plans_of(plan.lead_unit)


def is_plan_leader(user, plan: Plan) -> bool:
    """Lãnh đạo of the commune that owns the plan (not of the city above it): signs its reports and,
    when the plan separates duties, accepts the lead unit's own reports."""
    return plan.owner_unit_id in governments_with_role(access_for(user), [Role.LEADER])


def can_change_review_setting(user, plan: Plan) -> bool:
    return can_manage_plan(user, plan) or is_plan_leader(user, plan)


def ensure_can_read(user, plan: Plan) -> None:
    if not can_read_plan(user, plan):
        raise PermissionDenied("Bạn không có quyền xem kế hoạch này.")


def ensure_can_manage(user, plan: Plan) -> None:
    if not can_manage_plan(user, plan):
        raise PermissionDenied("Chỉ đơn vị đầu mối của kế hoạch mới được thay đổi kế hoạch này.")
