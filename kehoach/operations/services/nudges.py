"""Đôn đốc from the centre: one click tells a unit what it still owes for a period, and is recorded."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from kehoach.core.audit import audit_change, snapshot
from kehoach.core.models import AuditEntry
from kehoach.plans.models import Plan
from kehoach.plans.permissions import can_manage_plan
from kehoach.tracking import selectors as tracking
from kehoach.tracking.choices import NotificationKind
from kehoach.tracking.models import Period
from kehoach.tracking.services.notifications import notify, unit_people
from kehoach.units.access import access_for
from kehoach.units.choices import Role
from kehoach.units.models import Unit, User

from ..models import Reminder


def can_nudge(user, plan: Plan) -> bool:
    """The plan's đầu mối and the commune's leaders chase units for their reports."""
    return can_manage_plan(user, plan) or access_for(user).acts_for(plan.owner_unit, Role.LEADER)


def owed_lines(row: dict) -> list[str]:
    lines = [f"- Báo cáo tiến độ: {task.title} ({slot.state_label.lower()})" for task, slot in row["tasks"]]
    lines += [
        f"- Số liệu {ind.code}: {ind.name} ({slot.state_label.lower()})" for ind, slot in row["indicators"]
    ]
    return lines


@transaction.atomic
def unit_nudge(*, actor: User, plan: Plan, period: Period, unit: Unit, today: datetime.date) -> Reminder:
    if not can_nudge(actor, plan):
        raise PermissionDenied("Chỉ đầu mối của kế hoạch hoặc lãnh đạo UBND mới đôn đốc được đơn vị.")
    if period.plan_id != plan.pk:
        raise ValidationError("Kỳ báo cáo không thuộc kế hoạch này.")
    row = next((r for r in tracking.missing(plan, period, today=today) if r["unit"].pk == unit.pk), None)
    if row is None:
        raise ValidationError(f"{unit} đã gửi đủ báo cáo và số liệu kỳ {period.label}: không cần đôn đốc.")
    people = unit_people(unit)
    if not people:
        raise ValidationError(f"{unit} chưa có tài khoản cán bộ nào để nhận đôn đốc; xin liên hệ trực tiếp.")
    now = timezone.now()
    lines = owed_lines(row)
    body = "\n".join(
        [
            f"{actor} đề nghị {unit} hoàn thành và gửi các báo cáo kỳ {period.label} "
            f"(số liệu chốt ngày {period.ends_on:%d/%m/%Y}, hạn gửi ngày {period.due_on:%d/%m/%Y}):",
            *lines,
        ]
    )
    late = " — đã quá hạn" if period.due_on < today else ""
    notify(
        users=people,
        kind=NotificationKind.NUDGE,
        key=f"nudge:{period.pk}:{unit.pk}:{now.timestamp():.0f}",
        title=f"Đôn đốc báo cáo kỳ {period.label}: còn {len(lines)} việc chưa gửi{late}",
        body=body,
        url=f"{reverse('tracking:desk', args=[plan.pk, period.pk])}?don_vi={unit.pk}",
    )
    reminder = Reminder.objects.create(
        plan=plan,
        period=period,
        unit=unit,
        sent_at=now,
        sent_by=actor,
        recipients=len(people),
        owed="\n".join(lines),
    )
    audit_change(
        actor=actor,
        obj=reminder,
        action=AuditEntry.Action.CREATE,
        after=snapshot(reminder),
        context=plan,
        summary=f"Đôn đốc {unit} báo cáo kỳ {period.label} ({len(lines)} việc)",
    )
    return reminder
