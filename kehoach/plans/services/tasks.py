"""Writes to tasks and the triggers they wait on; every write keeps `starts_on`/`due_on` current."""

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from kehoach.core.audit import audit_change, snapshot
from kehoach.core.models import AuditEntry
from kehoach.units.models import Unit

from ..choices import DeadlineKind, TaskUnitRole
from ..deadlines import DeadlineError, parse_deadline, schedule
from ..models import Plan, Task, TaskUnit, Trigger
from ..permissions import ensure_can_manage

TASK_FIELDS = (
    "position",
    "title",
    "description",
    "output",
    "deadline_text",
    "lead_time_days",
    "coordinates_all_units",
    "budget_amount",
    "budget_source",
    "budget_note",
)


def _apply_deadline(task: Task, plan: Plan, trigger: Trigger | None) -> None:
    """Read the deadline text and fix kind, date, trigger and the derived schedule."""
    try:
        deadline = parse_deadline(task.deadline_text, year=plan.year)
    except DeadlineError as exc:
        raise ValidationError({"deadline_text": str(exc)}) from exc
    task.deadline_kind = deadline.kind
    task.deadline_date = deadline.date
    if deadline.kind == DeadlineKind.CONDITIONAL:
        if trigger is None:
            raise ValidationError(
                {"trigger": "Nhiệm vụ có thời hạn theo điều kiện cần chọn sự kiện điều kiện."}
            )
        if trigger.plan_id != plan.pk:
            raise ValidationError({"trigger": "Sự kiện điều kiện không thuộc kế hoạch này."})
        task.trigger = trigger
    else:
        task.trigger = None
    refresh_schedule(task, starts_on=deadline.starts_on)


def refresh_schedule(task: Task, *, starts_on: datetime.date | None = None) -> None:
    trigger = task.trigger
    result = schedule(
        kind=task.deadline_kind,
        deadline_date=task.deadline_date,
        starts_on=starts_on if task.deadline_kind != DeadlineKind.DATE else None,
        trigger_date=trigger.occurred_on if trigger else None,
        lead_time_days=task.effective_lead_time_days,
    )
    task.starts_on, task.due_on = result.starts_on, result.due_on


def _units_extra(lead_units: list[Unit], coordinating_units: list[Unit]) -> dict[str, list[str]]:
    return {
        "Đơn vị chủ trì": [str(u) for u in lead_units],
        "Đơn vị phối hợp": [str(u) for u in coordinating_units],
    }


def _set_units(task: Task, plan: Plan, lead_units: list[Unit], coordinating_units: list[Unit]) -> None:
    if not lead_units:
        raise ValidationError({"lead_units": "Nhiệm vụ cần ít nhất một đơn vị chủ trì."})
    for field, units in (("lead_units", lead_units), ("coordinating_units", coordinating_units)):
        seen: set[int] = set()
        for unit in units:
            if unit.pk in seen:
                raise ValidationError({field: f"{unit} được ghi hai lần."})
            seen.add(unit.pk)
    both = {u.pk for u in lead_units} & {u.pk for u in coordinating_units}
    if both:
        name = next(str(u) for u in lead_units if u.pk in both)
        raise ValidationError(
            {"coordinating_units": f"{name} đã là đơn vị chủ trì, không ghi thêm là phối hợp."}
        )
    for field, units in (("lead_units", lead_units), ("coordinating_units", coordinating_units)):
        for unit in units:
            if not unit.path.startswith(plan.owner_unit.path):
                raise ValidationError({field: f"{unit} không thuộc cơ quan ban hành kế hoạch."})
    TaskUnit.objects.filter(task=task).delete()
    TaskUnit.objects.bulk_create(
        [TaskUnit(task=task, unit=u, role=TaskUnitRole.LEAD, position=i) for i, u in enumerate(lead_units)]
        + [
            TaskUnit(task=task, unit=u, role=TaskUnitRole.COORDINATE, position=i)
            for i, u in enumerate(coordinating_units)
        ]
    )


@transaction.atomic
def task_save(
    *,
    actor,
    plan: Plan,
    data: dict[str, Any],
    lead_units: list[Unit],
    coordinating_units: list[Unit] | None = None,
    trigger: Trigger | None = None,
    new_trigger: str = "",
    task: Task | None = None,
) -> Task:
    """Create or update a task. `new_trigger` names an event to create when the deadline waits on one."""
    ensure_can_manage(actor, plan)
    coordinating_units = coordinating_units or []
    if trigger is not None:
        # The caller's copy may predate the trigger being recorded; its date decides the deadline.
        trigger = Trigger.objects.get(pk=trigger.pk)
    if task is None:
        task = Task(plan=plan)
        before = None
        action = AuditEntry.Action.CREATE
    else:
        task = Task.objects.select_for_update().get(pk=task.pk, plan=plan)
        before = snapshot(task, extra=_units_extra(task.lead_units, task.coordinating_units))
        action = AuditEntry.Action.UPDATE
    for key, value in data.items():
        if key in TASK_FIELDS:
            setattr(task, key, value)
    if task.budget_amount is not None and task.budget_amount < 0:
        raise ValidationError({"budget_amount": "Kinh phí không được âm."})
    if task.budget_amount and not task.budget_source:
        raise ValidationError({"budget_source": "Có kinh phí thì phải ghi rõ nguồn kinh phí."})
    if not task.position:
        last = Task.objects.filter(plan=plan).order_by("-position").first()
        task.position = (last.position + 1) if last else 1
    if trigger is None and new_trigger.strip():
        try:
            waits = parse_deadline(task.deadline_text, year=plan.year).kind == DeadlineKind.CONDITIONAL
        except DeadlineError as exc:
            raise ValidationError({"deadline_text": str(exc)}) from exc
        if not waits:
            raise ValidationError(
                {"new_trigger": "Chỉ ghi sự kiện điều kiện khi thời hạn là “Sau khi …” (chờ một sự kiện)."}
            )
        trigger = trigger_save(actor=actor, plan=plan, description=new_trigger)
    _apply_deadline(task, plan, trigger)
    task.full_clean(exclude=["plan", "trigger"])
    task.save()
    _set_units(task, plan, lead_units, coordinating_units)
    task = Task.objects.prefetch_related("task_units__unit").get(pk=task.pk)
    after = snapshot(task, extra=_units_extra(task.lead_units, task.coordinating_units))
    audit_change(actor=actor, obj=task, action=action, before=before, after=after, context=plan)
    return task


@transaction.atomic
def task_delete(*, actor, task: Task) -> None:
    ensure_can_manage(actor, task.plan)
    audit_change(
        actor=actor, obj=task, action=AuditEntry.Action.DELETE, before=snapshot(task), context=task.plan
    )
    task.delete()


@transaction.atomic
def trigger_save(*, actor, plan: Plan, description: str, trigger: Trigger | None = None) -> Trigger:
    ensure_can_manage(actor, plan)
    description = description.strip()
    if not description:
        raise ValidationError({"description": "Chưa nhập nội dung điều kiện."})
    before = snapshot(trigger) if trigger else None
    trigger = trigger or Trigger(plan=plan)
    trigger.description = description
    trigger.save()
    audit_change(
        actor=actor,
        obj=trigger,
        action=AuditEntry.Action.UPDATE if before else AuditEntry.Action.CREATE,
        before=before,
        after=snapshot(trigger),
        context=plan,
    )
    return trigger


@transaction.atomic
def trigger_record(
    *,
    actor,
    trigger: Trigger,
    occurred_on: datetime.date,
    document_number: str,
    document_issuer: str = "",
    document_title: str = "",
) -> list[Task]:
    """The awaited event happened: the waiting tasks get a deadline of that date plus their lead time."""
    trigger = Trigger.objects.select_for_update().select_related("plan").get(pk=trigger.pk)
    plan = trigger.plan
    ensure_can_manage(actor, plan)
    errors = {}
    if not document_number.strip():
        errors["document_number"] = "Cần ghi số, ký hiệu văn bản đáp ứng điều kiện."
    if occurred_on is None:
        errors["occurred_on"] = "Cần ghi ngày ban hành văn bản."
    elif occurred_on > timezone.localdate():
        errors["occurred_on"] = "Ngày ban hành văn bản không được sau ngày hôm nay."
    elif plan.issued_on and occurred_on < plan.issued_on - datetime.timedelta(days=366):
        errors["occurred_on"] = "Ngày ban hành văn bản quá xa so với ngày ban hành kế hoạch."
    if errors:
        raise ValidationError(errors)
    before = snapshot(trigger)
    trigger.occurred_on = occurred_on
    trigger.document_number = document_number.strip()
    trigger.document_issuer = document_issuer.strip()
    trigger.document_title = document_title.strip()
    trigger.recorded_at = timezone.now()
    trigger.recorded_by = actor
    trigger.save()
    audit_change(
        actor=actor,
        obj=trigger,
        action=AuditEntry.Action.EVENT,
        before=before,
        after=snapshot(trigger),
        context=plan,
        summary=f"Ghi nhận điều kiện: {trigger.description} ({trigger.document_number})",
    )
    changed = []
    for task in (
        Task.objects.select_for_update(of=("self",)).filter(trigger=trigger).select_related("trigger")
    ):
        old = snapshot(task)
        refresh_schedule(task)
        task.save(update_fields=["starts_on", "due_on", "updated_at"])
        audit_change(
            actor=actor,
            obj=task,
            action=AuditEntry.Action.UPDATE,
            before=old,
            after=snapshot(task, extra={"Hạn hoàn thành": task.due_on}),
            context=plan,
            summary=f"Có hạn hoàn thành sau khi ghi nhận “{trigger.description}”",
        )
        changed.append(task)
    return changed


@transaction.atomic
def plan_reschedule_tasks(*, actor, plan: Plan) -> None:
    """Re-read every deadline after the plan's year changed (texts such as "Cả năm" depend on it)."""
    # of=("self",): PostgreSQL cannot lock the nullable side of the outer join to the trigger.
    for task in Task.objects.select_for_update(of=("self",)).filter(plan=plan).select_related("trigger"):
        try:
            deadline = parse_deadline(task.deadline_text, year=plan.year)
        except DeadlineError:
            continue
        before = snapshot(task, extra={"Hạn hoàn thành": task.due_on})
        task.deadline_kind, task.deadline_date = deadline.kind, deadline.date
        refresh_schedule(task, starts_on=deadline.starts_on)
        task.save(update_fields=["deadline_kind", "deadline_date", "starts_on", "due_on", "updated_at"])
        audit_change(
            actor=actor,
            obj=task,
            action=AuditEntry.Action.UPDATE,
            before=before,
            after=snapshot(task, extra={"Hạn hoàn thành": task.due_on}),
            context=plan,
            summary=f"Tính lại thời hạn theo năm kế hoạch {plan.year}",
        )
