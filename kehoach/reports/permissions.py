"""Who may write, issue and read periodic reports: đầu mối compiles, lãnh đạo issues, readers of the
plan read what was issued. Drafts stay inside the commune's leadership and the lead department."""

from django.core.exceptions import PermissionDenied

from kehoach.plans.permissions import can_manage_plan, can_read_plan
from kehoach.units.access import access_for, governments_with_role
from kehoach.units.choices import Role

from .models import Report


def is_leader_of(user, report: Report) -> bool:
    """Lãnh đạo of the commune that owns the plan (not of the city above it)."""
    return report.plan.owner_unit_id in governments_with_role(access_for(user), [Role.LEADER])


def can_edit(user, report: Report) -> bool:
    return report.is_draft and can_manage_plan(user, report.plan)


def can_issue(user, report: Report) -> bool:
    return report.is_draft and is_leader_of(user, report)


def can_read(user, report: Report) -> bool:
    if not can_read_plan(user, report.plan):
        return False
    if report.is_draft:
        return can_manage_plan(user, report.plan) or is_leader_of(user, report)
    return True


def ensure_can_edit(user, report: Report) -> None:
    if not can_manage_plan(user, report.plan):
        raise PermissionDenied("Chỉ đơn vị đầu mối của kế hoạch mới được lập và sửa báo cáo.")
    if not report.is_draft:
        raise PermissionDenied("Báo cáo đã ban hành không sửa được; hãy lập báo cáo mới nếu cần đính chính.")


def ensure_can_issue(user, report: Report) -> None:
    if not is_leader_of(user, report):
        raise PermissionDenied("Chỉ lãnh đạo UBND cấp ban hành báo cáo mới được ký ban hành.")
    if not report.is_draft:
        raise PermissionDenied("Báo cáo này đã được ban hành.")
