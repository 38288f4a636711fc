"""Who may report for a unit and who reviews: the unit's own people report, the plan's đầu mối reviews.

A plan may separate duties (`Plan.leader_reviews_lead_unit`): then the reports and figures of the lead
unit itself — đầu mối's own unit — are accepted, returned and reopened by the commune's lãnh đạo, and
đầu mối keeps reviewing every other unit. Period administration (close, reopen, configure) stays with
đầu mối either way (`can_review(user, plan)`).
"""

from django.core.exceptions import PermissionDenied

from kehoach.plans.permissions import can_manage_plan, is_plan_leader
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
    """Đầu mối of the plan: reviews the units' reports and runs the periods."""
    return can_manage_plan(user, plan)


def ensure_can_review(user, plan) -> None:
    if not can_review(user, plan):
        raise PermissionDenied("Chỉ đơn vị đầu mối của kế hoạch mới được duyệt, trả lại hoặc mở lại báo cáo.")


def reviewed_by_leaders(plan, unit: Unit) -> bool:
    """The plan separates duties and `unit` is its lead unit (or below it): lãnh đạo reviews."""
    return plan.leader_reviews_lead_unit and unit.path.startswith(plan.lead_unit.path)


class ReviewScope:
    """Whose reports a user may accept, return or reopen in one plan: `unit in scope`.

    Built once per page; truthy when the user reviews anything in the plan.
    """

    def __init__(self, user, plan):
        self.plan = plan
        self.coordinator = can_manage_plan(user, plan)
        self.leader = plan.leader_reviews_lead_unit and is_plan_leader(user, plan)

    def __contains__(self, unit: Unit) -> bool:
        if reviewed_by_leaders(self.plan, unit):
            return self.leader
        return self.coordinator

    def __bool__(self) -> bool:
        return self.coordinator or self.leader


def can_review_record(user, record) -> bool:
    """May `user` accept, return or reopen this progress report or figure."""
    return record.unit in ReviewScope(user, record.period.plan)


def ensure_can_review_record(user, record) -> None:
    plan = record.period.plan
    if not reviewed_by_leaders(plan, record.unit):
        ensure_can_review(user, plan)
        return
    if is_plan_leader(user, plan):
        return
    if can_manage_plan(user, plan):
        raise PermissionDenied(
            f"Kế hoạch này giao lãnh đạo UBND chấp nhận báo cáo của {record.unit} (đơn vị đầu mối): "
            "đầu mối không tự chấp nhận, trả lại hay mở lại báo cáo của đơn vị mình. "
            "Báo cáo đã gửi đang chờ lãnh đạo UBND xem xét."
        )
    raise PermissionDenied(
        f"Chỉ lãnh đạo UBND mới được chấp nhận, trả lại hoặc mở lại báo cáo của {record.unit} "
        "(đơn vị đầu mối)."
    )
