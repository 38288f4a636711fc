"""Writes to plans and the parts that hang off them (references, goals, measures, responsibilities)."""

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from kehoach.core.audit import audit_change, snapshot
from kehoach.core.models import AuditEntry
from kehoach.units.access import access_for
from kehoach.units.models import Unit

from ..models import Goal, MeasureSection, Plan, PlanReference, Responsibility
from ..permissions import can_change_review_setting, ensure_can_manage

PLAN_FIELDS = (
    "number",
    "issued_on",
    "place",
    "title",
    "field",
    "year",
    "issuer_name",
    "lead_unit",
    "signer_name",
    "signer_position",
    "signer_authority",
    "recipients",
    "status",
)


def _check_lead_unit(actor, lead_unit: Unit, owner_unit: Unit) -> None:
    if not lead_unit.path.startswith(owner_unit.path):
        raise ValidationError({"lead_unit": "Đơn vị đầu mối phải thuộc cơ quan ban hành kế hoạch."})
    if not access_for(actor).can_manage_plans_of(lead_unit):
        raise ValidationError({"lead_unit": "Bạn chỉ được giao kế hoạch cho đơn vị mình làm đầu mối."})


def owner_unit_for(unit: Unit) -> Unit:
    """The level of government (commune, city) a unit belongs to: the issuer of its plans."""
    if unit.is_administrative:
        return unit
    for ancestor in Unit.objects.filter(pk__in=reversed(unit.ancestor_ids)).order_by("-depth"):
        if ancestor.is_administrative:
            return ancestor
    return unit


@transaction.atomic
def plan_create(*, actor, data: dict[str, Any]) -> Plan:
    lead_unit: Unit = data["lead_unit"]
    if not access_for(actor).can_manage_plans_of(lead_unit):
        raise PermissionDenied("Chỉ cán bộ đầu mối mới được tạo kế hoạch.")
    owner = owner_unit_for(lead_unit)
    plan = Plan(owner_unit=owner, **{k: v for k, v in data.items() if k in PLAN_FIELDS})
    if not plan.issuer_name:
        plan.issuer_name = owner.name
    plan.full_clean()
    plan.save()
    audit_change(
        actor=actor, obj=plan, action=AuditEntry.Action.CREATE, after=snapshot(plan), summary="Tạo kế hoạch"
    )
    return plan


@transaction.atomic
def plan_update(*, actor, plan: Plan, data: dict[str, Any]) -> Plan:
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    ensure_can_manage(actor, plan)
    before = snapshot(plan)
    for key, value in data.items():
        if key in PLAN_FIELDS:
            setattr(plan, key, value)
    _check_lead_unit(actor, plan.lead_unit, plan.owner_unit)
    plan.full_clean()
    plan.save()
    year_changed = before.get(str(Plan._meta.get_field("year").verbose_name)) != plan.year
    audit_change(actor=actor, obj=plan, action=AuditEntry.Action.UPDATE, before=before, after=snapshot(plan))
    if year_changed:
        from .tasks import plan_reschedule_tasks

        plan_reschedule_tasks(actor=actor, plan=plan)
    return plan


@transaction.atomic
def plan_review_setting_update(*, actor, plan: Plan, leader_reviews_lead_unit: bool) -> Plan:
    """Who accepts the lead unit's own progress reports and figures: đầu mối (off) or lãnh đạo (on).

    Changed by đầu mối or lãnh đạo of the plan; reports already sent go to whoever the setting names now.
    """
    plan = Plan.objects.select_for_update().select_related("owner_unit", "lead_unit").get(pk=plan.pk)
    if not can_change_review_setting(actor, plan):
        raise PermissionDenied("Chỉ đầu mối hoặc lãnh đạo UBND của kế hoạch mới được đổi cách duyệt báo cáo.")
    value = bool(leader_reviews_lead_unit)
    if plan.leader_reviews_lead_unit == value:
        return plan
    before = snapshot(plan)
    plan.leader_reviews_lead_unit = value
    plan.save(update_fields=["leader_reviews_lead_unit", "updated_at"])
    audit_change(
        actor=actor,
        obj=plan,
        action=AuditEntry.Action.UPDATE,
        before=before,
        after=snapshot(plan),
        summary=(
            f"Báo cáo của {plan.lead_unit} (đơn vị đầu mối) do lãnh đạo UBND chấp nhận"
            if value
            else f"Báo cáo của {plan.lead_unit} (đơn vị đầu mối) do đầu mối chấp nhận"
        ),
    )
    return plan


def _reference_text(ref: PlanReference) -> str:
    parts = [ref.number or "(không số)"]
    if ref.issued_on:
        parts.append(ref.issued_on.strftime("%d/%m/%Y"))
    parts += [p for p in (ref.issuer, ref.title) if p]
    return " – ".join(parts)


def _row_text(row) -> str:
    return _reference_text(row) if isinstance(row, PlanReference) else row.text


def _replace_rows(*, actor, plan: Plan, model, rows: list[dict[str, Any]], label: str) -> None:
    """Replace an ordered list of simple rows, auditing the whole rows as one before → after change."""
    old = list(model.objects.filter(plan=plan))
    before = [_row_text(row) for row in old]
    model.objects.filter(plan=plan).delete()
    created = [model(plan=plan, position=i, **row) for i, row in enumerate(rows, start=1)]
    for obj in created:
        obj.full_clean(exclude=["plan"])
    model.objects.bulk_create(created)
    after = [_row_text(row) for row in created]
    audit_change(
        actor=actor,
        obj=plan,
        action=AuditEntry.Action.UPDATE,
        before={label: before},
        after={label: after},
        summary=f"Cập nhật {label.lower()}",
    )


@transaction.atomic
def plan_set_references(*, actor, plan: Plan, references: list[dict[str, Any]]) -> None:
    ensure_can_manage(actor, plan)
    _replace_rows(actor=actor, plan=plan, model=PlanReference, rows=references, label="Căn cứ")


@transaction.atomic
def plan_set_goals(*, actor, plan: Plan, goals: Iterable[str]) -> None:
    ensure_can_manage(actor, plan)
    rows = [{"text": text.strip()} for text in goals if text.strip()]
    _replace_rows(actor=actor, plan=plan, model=Goal, rows=rows, label="Mục tiêu")
    plan.refresh_search_text()


@transaction.atomic
def responsibility_save(
    *, actor, plan: Plan, unit: Unit, duties: list[str], responsibility: Responsibility | None = None
) -> Responsibility:
    ensure_can_manage(actor, plan)
    duties = [d.strip() for d in duties if d and d.strip()]
    if not duties:
        raise ValidationError({"duties": "Cần ghi ít nhất một nhiệm vụ cho đơn vị."})
    if not unit.path.startswith(plan.owner_unit.path):
        raise ValidationError({"unit": "Đơn vị phải thuộc cơ quan ban hành kế hoạch."})
    clash = Responsibility.objects.filter(plan=plan, unit=unit)
    if responsibility is not None:
        clash = clash.exclude(pk=responsibility.pk)
    if clash.exists():
        raise ValidationError({"unit": f"Kế hoạch đã có phần trách nhiệm của {unit}."})
    if responsibility is None:
        last = Responsibility.objects.filter(plan=plan).order_by("-position").first()
        responsibility = Responsibility(plan=plan, position=(last.position + 1) if last else 1)
        before = None
        action = AuditEntry.Action.CREATE
    else:
        responsibility = Responsibility.objects.select_for_update().get(pk=responsibility.pk, plan=plan)
        before = snapshot(responsibility)
        action = AuditEntry.Action.UPDATE
    responsibility.unit = unit
    responsibility.duties = duties
    responsibility.save()
    audit_change(
        actor=actor,
        obj=responsibility,
        action=action,
        before=before,
        after=snapshot(responsibility),
        context=plan,
    )
    return responsibility


@transaction.atomic
def responsibility_delete(*, actor, responsibility: Responsibility) -> None:
    plan = responsibility.plan
    ensure_can_manage(actor, plan)
    before = snapshot(responsibility)
    audit_change(
        actor=actor, obj=responsibility, action=AuditEntry.Action.DELETE, before=before, context=plan
    )
    responsibility.delete()


def measure_sections_tree(plan: Plan) -> list[MeasureSection]:
    """Top-level sections with `.subsections` and `.items` filled from two queries."""
    sections = list(MeasureSection.objects.filter(plan=plan).prefetch_related("measures"))
    by_parent: dict[int | None, list[MeasureSection]] = {}
    for section in sections:
        section.items = list(section.measures.all())
        by_parent.setdefault(section.parent_id, []).append(section)
    for section in sections:
        section.subsections = by_parent.get(section.pk, [])
    return by_parent.get(None, [])
