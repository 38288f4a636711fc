"""Who may report for a unit and who reviews: the unit's own people report, the plan's đầu mối reviews."""

from django.core.exceptions import PermissionDenied

from kehoach.plans.permissions import can_manage_plan
from kehoach.units.access import access_for
from kehoach.units.choices import Role
from kehoach.units.models import Unit


def can_report_for(user, unit: Unit) -> bool:
    access = access_for(user)
    return access.acts_for(unit, Role.STAFF) or access.acts_for(unit, Role.COORDINATOR)


def ensure_can_report(user, unit: Unit) -> None:
    if not can_report_for(user, unit):
        raise PermissionDenied(f"Chỉ cán bộ của {unit} mới được lập và gửi báo cáo của đơn vị này.")


def can_review(user, plan) -> bool:
    return can_manage_plan(user, plan)


def ensure_can_review(user, plan) -> None:
    if not can_review(user, plan):
        raise PermissionDenied("Chỉ đơn vị đầu mối của kế hoạch mới được duyệt, trả lại hoặc mở lại báo cáo.")
