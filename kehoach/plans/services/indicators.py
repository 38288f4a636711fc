from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from kehoach.core.audit import audit_change, snapshot
from kehoach.core.models import AuditEntry
from kehoach.units.models import Unit

from ..choices import Comparator
from ..models import Indicator, IndicatorGroup, Plan
from ..permissions import ensure_can_manage
from .catalogue import catalogue_problem

INDICATOR_FIELDS = (
    "group",
    "code",
    "name",
    "comparator",
    "target",
    "target_max",
    "unit_of_measure",
    "commitment",
    "baseline",
    "method",
    "lead_unit",
    "position",
    "city_indicator",
)


def _validate(plan: Plan, indicator: Indicator) -> None:
    errors: dict[str, str] = {}
    if indicator.group_id and indicator.group.plan_id != plan.pk:
        errors["group"] = "Nhóm chỉ tiêu không thuộc kế hoạch này."
    if indicator.comparator == Comparator.BETWEEN:
        if indicator.target_max is None:
            errors["target_max"] = "Chỉ tiêu dạng khoảng cần giá trị tối đa."
        elif indicator.target is not None and indicator.target_max <= indicator.target:
            errors["target_max"] = "Giá trị tối đa phải lớn hơn giá trị mục tiêu."
    elif indicator.target_max is not None:
        errors["target_max"] = "Chỉ nhập giá trị tối đa khi chỉ tiêu là một khoảng."
    if indicator.unit_of_measure.strip() == "%":
        for field in ("target", "target_max", "baseline"):
            value = getattr(indicator, field)
            if value is not None and not 0 <= value <= 100:
                errors[field] = "Tỷ lệ phải nằm trong khoảng từ 0 đến 100%."
    elif indicator.target is not None and indicator.target < 0:
        errors["target"] = "Giá trị mục tiêu không được âm."
    if indicator.lead_unit_id and not indicator.lead_unit.path.startswith(plan.owner_unit.path):
        errors["lead_unit"] = "Đơn vị chủ trì phải thuộc cơ quan ban hành kế hoạch."
    if problem := catalogue_problem(plan.owner_unit, indicator.city_indicator):
        errors["city_indicator"] = problem
    clash = Indicator.objects.filter(plan=plan, code=indicator.code).exclude(pk=indicator.pk)
    if indicator.code and clash.exists():
        errors["code"] = f"Mã chỉ tiêu {indicator.code} đã được dùng trong kế hoạch này."
    if errors:
        raise ValidationError(errors)


def next_indicator_code(plan: Plan) -> str:
    return f"CT{Indicator.objects.filter(plan=plan).count() + 1:02d}"


@transaction.atomic
def indicator_save(
    *,
    actor,
    plan: Plan,
    data: dict[str, Any],
    coordinating_units: list[Unit] | None = None,
    indicator: Indicator | None = None,
) -> Indicator:
    ensure_can_manage(actor, plan)
    if indicator is None:
        indicator = Indicator(plan=plan)
        before = None
        action = AuditEntry.Action.CREATE
    else:
        indicator = Indicator.objects.select_for_update().get(pk=indicator.pk, plan=plan)
        before = snapshot(indicator)
        action = AuditEntry.Action.UPDATE
    for key, value in data.items():
        if key in INDICATOR_FIELDS:
            setattr(indicator, key, value)
    if not indicator.code:
        indicator.code = next_indicator_code(plan)
    if not indicator.position:
        indicator.position = Indicator.objects.filter(plan=plan).count() + 1
    _validate(plan, indicator)
    indicator.full_clean(exclude=["plan"])
    indicator.save()
    if coordinating_units is not None:
        outside = [u for u in coordinating_units if not u.path.startswith(plan.owner_unit.path)]
        if outside:
            raise ValidationError(
                {"coordinating_units": f"Đơn vị {outside[0]} không thuộc cơ quan ban hành."}
            )
        indicator.coordinating_units.set(coordinating_units)
    audit_change(
        actor=actor, obj=indicator, action=action, before=before, after=snapshot(indicator), context=plan
    )
    return indicator


@transaction.atomic
def indicator_delete(*, actor, indicator: Indicator) -> None:
    ensure_can_manage(actor, indicator.plan)
    audit_change(
        actor=actor,
        obj=indicator,
        action=AuditEntry.Action.DELETE,
        before=snapshot(indicator),
        context=indicator.plan,
    )
    indicator.delete()


@transaction.atomic
def indicator_group_save(
    *, actor, plan: Plan, name: str, group: IndicatorGroup | None = None
) -> IndicatorGroup:
    ensure_can_manage(actor, plan)
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Chưa nhập tên nhóm chỉ tiêu."})
    if group is None:
        group = IndicatorGroup(plan=plan, position=IndicatorGroup.objects.filter(plan=plan).count() + 1)
        before, action = None, AuditEntry.Action.CREATE
    else:
        before, action = snapshot(group), AuditEntry.Action.UPDATE
    group.name = name
    group.save()
    audit_change(actor=actor, obj=group, action=action, before=before, after=snapshot(group), context=plan)
    return group
