"""Who may write, submit, sign and read periodic reports: đầu mối compiles and submits for signature
(trình ký), lãnh đạo signs (ký ban hành) or returns it, readers of the plan read what was issued.
Reports not yet issued stay inside the commune's leadership and the lead department."""

from django.core.exceptions import PermissionDenied, ValidationError

from kehoach.plans.permissions import can_manage_plan, can_read_plan, is_plan_leader

from .models import Report


def is_leader_of(user, report: Report) -> bool:
    """Lãnh đạo of the commune that owns the plan (not of the city above it)."""
    return is_plan_leader(user, report.plan)


def can_edit(user, report: Report) -> bool:
    """Edit, refill, delete and submit for signature: đầu mối, while the report is a draft."""
    return report.is_draft and can_manage_plan(user, report.plan)


def can_withdraw(user, report: Report) -> bool:
    """Take a report awaiting signature back to the draft: đầu mối."""
    return report.is_submitted and can_manage_plan(user, report.plan)


def can_issue(user, report: Report) -> bool:
    """Sign (ký ban hành) or return: lãnh đạo, once đầu mối has submitted the report."""
    return report.is_submitted and is_leader_of(user, report)


def can_read(user, report: Report) -> bool:
    if not can_read_plan(user, report.plan):
        return False
    if not report.is_issued:
        return can_manage_plan(user, report.plan) or is_leader_of(user, report)
    return True


def ensure_can_edit(user, report: Report) -> None:
    if not can_manage_plan(user, report.plan):
        raise PermissionDenied("Chỉ đơn vị đầu mối của kế hoạch mới được lập, sửa và trình ký báo cáo.")
    if report.is_issued:
        raise PermissionDenied("Báo cáo đã ban hành không sửa được; hãy lập báo cáo mới nếu cần đính chính.")
    if report.is_submitted:
        raise ValidationError(
            "Báo cáo đang chờ lãnh đạo ký nên không sửa được; bấm “Rút lại để sửa” hoặc chờ lãnh đạo trả lại."
        )


def ensure_can_withdraw(user, report: Report) -> None:
    if not can_manage_plan(user, report.plan):
        raise PermissionDenied("Chỉ đơn vị đầu mối của kế hoạch mới được rút lại báo cáo đã trình ký.")
    if not report.is_submitted:
        raise ValidationError("Chỉ rút lại được báo cáo đang chờ ký.")


def ensure_can_issue(user, report: Report, *, action: str = "ký ban hành") -> None:
    if not is_leader_of(user, report):
        raise PermissionDenied(f"Chỉ lãnh đạo UBND cấp ban hành báo cáo mới được {action}.")
    if report.is_issued:
        raise PermissionDenied("Báo cáo này đã được ban hành.")
    if not report.is_submitted:
        raise ValidationError(
            f"Báo cáo chưa được trình ký: đầu mối trình ký xong thì lãnh đạo mới {action} được."
        )
