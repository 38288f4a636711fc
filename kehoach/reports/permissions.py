"""Who may write, issue and read periodic reports: đầu mối compiles, lãnh đạo issues, readers of the
plan read what was issued. Drafts stay inside the commune's leadership and the lead department."""

from django.core.exceptions import PermissionDenied

from kehoach.plans.permissions import can_manage_plan, can_read_plan
from kehoach.units.access import access_for
from kehoach.units.choices import Role

from .models import Report


def can_edit(user, report: Report) -> bool:
    return report.is_draft and can_manage_plan(user, report.plan)


def can_issue(user, report: Report) -> bool:
    return report.is_draft and access_for(user).acts_for(report.plan.owner_unit, Role.LEADER)


def can_read(user, report: Report) -> bool:
    if not can_read_plan(user, report.plan):
        return False
    if report.is_draft:
        return can_manage_plan(user, report.plan) or access_for(user).acts_for(
            report.plan.owner_unit, Role.LEADER
        )
    return True


def ensure_can_edit(user, report: Report) -> None:
    if not can_manage_plan(user, report.plan):
        raise PermissionDenied("Chỉ đơn vị đầu mối của kế hoạch mới được lập và sửa báo cáo.")
    if not report.is_draft:
        raise PermissionDenied("Báo cáo đã ban hành không sửa được; hãy lập báo cáo mới nếu cần đính chính.")


def ensure_can_issue(user, report: Report) -> None:
    if not access_for(user).acts_for(report.plan.owner_unit, Role.LEADER):
        raise PermissionDenied("Chỉ lãnh đạo UBND mới được ký ban hành báo cáo.")
    if not report.is_draft:
        raise PermissionDenied("Báo cáo này đã được ban hành.")
