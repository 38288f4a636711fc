"""The reporting workflow shared by progress reports and indicator data.

nháp → đã gửi → đã chấp nhận, or → trả lại (with a reason) → đã gửi again. Units edit only their own
drafts and returned reports while the period is open; đầu mối accepts, returns and reopens (lãnh đạo,
for the lead unit's own records, where the plan separates duties: `permissions.ensure_can_review_record`).
Every step is one transaction with its audit row; notifications go out after commit.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from kehoach.core.audit import audit_change, diff, display_value, history_for, snapshot
from kehoach.core.models import AuditEntry

from ..choices import NotificationKind, ReportStatus
from ..models import WorkflowModel
from ..permissions import ensure_can_report, ensure_can_review_record, reviewed_by_leaders
from .notifications import notify_on_commit, plan_leaders, plan_reviewers, record_handled, unit_people


@dataclass
class ConflictError(Exception):
    """Someone else saved the same record since the user opened it."""

    current: WorkflowModel
    changes: dict[str, list[Any]]

    def __str__(self) -> str:
        from kehoach.core.audit import history_for

        last = history_for(self.current).first()
        who = last.actor if last and last.actor else "người khác"
        what = str(type(self.current)._meta.verbose_name).capitalize()
        return f"{what} vừa được {who} cập nhật trong lúc bạn sửa; dữ liệu bạn nhập vẫn còn, xin xem lại."


def _plan(record: WorkflowModel):
    return record.period.plan


def _locked_message(record: WorkflowModel) -> str | None:
    if record.period.is_closed:
        return f"Kỳ {record.period.label} đã khóa sổ: không sửa hoặc gửi báo cáo được."
    if record.status == ReportStatus.ACCEPTED:
        return "Báo cáo đã được chấp nhận và đã khóa; cần đầu mối mở lại nếu phải sửa."
    if record.status == ReportStatus.SUBMITTED:
        return "Báo cáo đã gửi, đang chờ đầu mối xem xét: không sửa được."
    return None


def lock_for_update(record: WorkflowModel) -> WorkflowModel:
    return type(record).objects.select_for_update().select_related("period__plan", "unit").get(pk=record.pk)


def save_fields(
    *,
    actor,
    record: WorkflowModel,
    data: dict[str, Any],
    fields: tuple[str, ...],
    version: int | None,
    validate,
    autosave: bool = False,
) -> WorkflowModel:
    """Write a unit's draft. `version` is the one the user started from; a newer one is a conflict.

    Nothing changed, nothing written: the version stays, so an autosave that repeats itself does not
    turn the user's next save into a conflict. `autosave` files the change compactly (`audit_autosave`).
    """
    current = lock_for_update(record)
    ensure_can_report(actor, current.unit)
    if message := _locked_message(current):
        raise ValidationError(message)
    if version is not None and version != current.version:
        if _unchanged(current, data, fields):
            # Sending what is already stored (an autosave repeated, a save racing its own autosave)
            # overwrites nothing: no conflict to show.
            return current
        theirs = snapshot(current)
        mine = dict(theirs)
        for key in fields:
            if key in data:
                label = str(type(current)._meta.get_field(key).verbose_name)
                mine[label] = display_value(data[key])
        changes = {
            k: [theirs.get(k), mine.get(k)]
            for k in theirs
            if k in mine and str(theirs.get(k)) != str(mine.get(k))
        }
        raise ConflictError(current=current, changes=changes)
    before = snapshot(current)
    for key in fields:
        if key in data:
            setattr(current, key, data[key])
    validate(current)
    after = snapshot(current)
    if after == before:
        return current
    current.version += 1
    current.save()
    if autosave:
        audit_autosave(
            actor=actor, record=current, action=AuditEntry.Action.UPDATE, before=before, after=after
        )
    else:
        audit_change(
            actor=actor,
            obj=current,
            action=AuditEntry.Action.UPDATE,
            before=before,
            after=after,
            context=_plan(current),
        )
    return current


def _unchanged(current: WorkflowModel, data: dict[str, Any], fields: tuple[str, ...]) -> bool:
    return all(
        display_value(getattr(current, key)) == display_value(data[key]) for key in fields if key in data
    )


def create(
    *, actor, record: WorkflowModel, data: dict[str, Any], fields: tuple[str, ...], validate, autosave: bool
) -> WorkflowModel:
    """Store a unit's new draft (built, checked and not yet saved by the caller) with what the user typed.

    Drafts are written on the first save, autosave or attached file, never on opening the page.
    """
    for key in fields:
        if key in data:
            setattr(record, key, data[key])
    validate(record)
    record.save()
    if autosave:
        audit_autosave(
            actor=actor, record=record, action=AuditEntry.Action.CREATE, before=None, after=snapshot(record)
        )
    else:
        audit_change(
            actor=actor,
            obj=record,
            action=AuditEntry.Action.CREATE,
            after=snapshot(record),
            context=_plan(record),
        )
    return record


AUTOSAVE_SUMMARY = "Tự động lưu bản nháp"
# Autosaves by one person with no other change between them, each within this time of the last, are
# one editing session and one row of history.
AUTOSAVE_SESSION = datetime.timedelta(minutes=30)


def start(
    *,
    actor,
    record: WorkflowModel,
    data: dict[str, Any],
    fields: tuple[str, ...],
    validate,
    autosave: bool,
    reread: Callable[[], WorkflowModel],
    save: Callable[[WorkflowModel], WorkflowModel],
) -> WorkflowModel:
    """The first save of a record opened blank: create it with what the user typed. If it exists by now
    (this page's own autosave, another tab, a colleague), `save` it from the user's version instead, so
    their text never silently overwrites someone else's; `reread` fetches the one stored meanwhile."""
    if record.pk is None:
        try:
            with transaction.atomic():
                return create(
                    actor=actor, record=record, data=data, fields=fields, validate=validate, autosave=autosave
                )
        except IntegrityError:
            record = reread()
    return save(record)


def audit_autosave(*, actor, record: WorkflowModel, action: str, before, after) -> None:
    """The audit row of an autosave: one row per editing session, not one per pause in typing.

    The page saves the draft a second or two after the user stops typing, so a report written in ten
    minutes would leave dozens of rows. Consecutive autosaves of one person are folded into the row of
    the first: it keeps the values from before the session and takes the latest ones (and the time of
    the latest), so the history still says who changed what from what to what. Anything else in
    between (an explicit save, a colleague's autosave, a submit) starts a new row; an explicit "Lưu
    nháp" is always a row of its own.
    """
    last = history_for(record).first()
    now = timezone.now()
    if (
        last is None
        or last.summary != AUTOSAVE_SUMMARY
        or last.actor_id != getattr(actor, "pk", None)
        or now - last.at > AUTOSAVE_SESSION
    ):
        audit_change(
            actor=actor,
            obj=record,
            action=action,
            before=before,
            after=after,
            context=_plan(record),
            summary=AUTOSAVE_SUMMARY,
        )
        return
    step = diff(before, after)
    merged = {}
    for key in dict.fromkeys([*last.changes, *step]):
        start = last.changes[key][0] if key in last.changes else step[key][0]
        end = after.get(key)
        if start != end:
            merged[key] = [start, end]
    AuditEntry.objects.filter(pk=last.pk).update(changes=merged, at=now)


def submit(*, actor, record: WorkflowModel, validate_submit) -> WorkflowModel:
    current = lock_for_update(record)
    ensure_can_report(actor, current.unit)
    if message := _locked_message(current):
        raise ValidationError(message)
    validate_submit(current)
    previous = current.status
    current.status = ReportStatus.SUBMITTED
    current.submitted_at, current.submitted_by = timezone.now(), actor
    current.version += 1
    current.save()
    _event(actor, current, "Gửi báo cáo", previous)
    record_handled(current, "submit")
    return current


def accept(*, actor, record: WorkflowModel) -> WorkflowModel:
    current = lock_for_update(record)
    ensure_can_review_record(actor, current)
    if current.period.is_closed:
        raise ValidationError(f"Kỳ {current.period.label} đã khóa sổ.")
    if current.status != ReportStatus.SUBMITTED:
        raise ValidationError("Chỉ chấp nhận được báo cáo đã gửi.")
    previous = current.status
    current.status = ReportStatus.ACCEPTED
    current.reviewed_at, current.reviewed_by = timezone.now(), actor
    current.return_reason = ""
    current.version += 1
    current.save()
    _event(actor, current, "Chấp nhận báo cáo", previous)
    record_handled(current, "accept")
    return current


def return_(*, actor, record: WorkflowModel, reason: str) -> WorkflowModel:
    current = lock_for_update(record)
    ensure_can_review_record(actor, current)
    if current.period.is_closed:
        raise ValidationError(f"Kỳ {current.period.label} đã khóa sổ.")
    if current.status != ReportStatus.SUBMITTED:
        raise ValidationError("Chỉ trả lại được báo cáo đã gửi.")
    if not reason.strip():
        raise ValidationError({"reason": "Cần ghi lý do trả lại để đơn vị biết phải sửa gì."})
    current.status = ReportStatus.RETURNED
    current.return_reason = reason.strip()
    current.reviewed_at, current.reviewed_by = timezone.now(), actor
    current.version += 1
    current.save()
    _event(actor, current, f"Trả lại báo cáo: {current.return_reason}", ReportStatus.SUBMITTED)
    record_handled(current, "return")
    return current


def reopen(*, actor, record: WorkflowModel, reason: str) -> WorkflowModel:
    """An accepted report back to "trả lại" so its unit can correct it; needs đầu mối and a reason."""
    current = lock_for_update(record)
    ensure_can_review_record(actor, current)
    if current.period.is_closed:
        raise ValidationError(f"Kỳ {current.period.label} đã khóa sổ: mở lại kỳ trước.")
    if current.status != ReportStatus.ACCEPTED:
        raise ValidationError("Chỉ mở lại được báo cáo đã chấp nhận.")
    if not reason.strip():
        raise ValidationError({"reason": "Cần ghi lý do mở lại báo cáo."})
    current.status = ReportStatus.RETURNED
    current.return_reason = reason.strip()
    current.reviewed_at, current.reviewed_by = timezone.now(), actor
    current.version += 1
    current.save()
    _event(actor, current, f"Mở lại báo cáo đã chấp nhận: {current.return_reason}", ReportStatus.ACCEPTED)
    return current


def _event(actor, record: WorkflowModel, summary: str, previous: str) -> None:
    audit_change(
        actor=actor,
        obj=record,
        action=AuditEntry.Action.EVENT,
        before={"Trạng thái": ReportStatus(previous).label},
        after={"Trạng thái": record.get_status_display()},
        context=_plan(record),
        summary=summary,
    )


def notify_submitted(record: WorkflowModel) -> None:
    """Tell whoever reviews it — the plan's đầu mối, or its lãnh đạo for the lead unit's own records
    where the plan separates duties — that a unit sent something to review (after commit)."""
    plan = record.period.plan
    notify_on_commit(
        users=plan_leaders(plan) if reviewed_by_leaders(plan, record.unit) else plan_reviewers(plan),
        kind=NotificationKind.SUBMITTED,
        key=f"submitted:{record.key_prefix}:{record.pk}:{record.version}",
        title=f"{record.unit} gửi {record.noun} {record.period.label}: {record.subject}",
        url=record.get_absolute_url(),
    )


def notify_returned(record: WorkflowModel, *, reopened: bool = False) -> None:
    """Tell the unit's people that their record came back, with the reason (after commit)."""
    what = "được mở lại để sửa" if reopened else "bị trả lại"
    notify_on_commit(
        users=unit_people(record.unit),
        kind=NotificationKind.RETURNED,
        key=f"returned:{record.key_prefix}:{record.pk}:{record.version}",
        title=f"{record.noun.capitalize()} {record.period.label} {what}: {record.subject}",
        body=record.return_reason,
        url=record.get_absolute_url(),
    )
