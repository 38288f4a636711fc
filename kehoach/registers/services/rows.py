"""Writes to register rows: permission, validation with Vietnamese messages, duplicates, audit, recompute."""

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction

from kehoach.core.audit import audit_change, display_value, snapshot
from kehoach.core.models import AuditEntry
from kehoach.plans.services.plans import owner_unit_for
from kehoach.units.models import Unit

from ..permissions import ensure_can_keep
from ..registry import RegisterSpec

# Called after commit with (owner_unit, model) whenever a register changes: computed indicators listen.
ON_CHANGE: list[Callable[[Unit, type[models.Model]], None]] = []


def changed(owner_unit: Unit, model: type[models.Model]) -> None:
    for callback in ON_CHANGE:
        transaction.on_commit(lambda cb=callback: cb(owner_unit, model))


def identity_clash(spec: RegisterSpec, obj: models.Model) -> str | None:
    """The identity field that another row of the same commune already has, if any."""
    if not spec.identity:
        return None
    values = {f: getattr(obj, f) for f in spec.identity}
    if any(v in (None, "") for v in values.values()):
        return None
    clash = spec.model.objects.filter(owner_unit=obj.owner_unit, **values).exclude(pk=obj.pk)
    return spec.identity[0] if clash.exists() else None


def prepare(spec: RegisterSpec, obj: models.Model, data: dict[str, Any]) -> models.Model:
    """Apply data to the object and validate it; raises ValidationError keyed by field."""
    for key, value in data.items():
        setattr(obj, key, value)
    unit = obj.unit
    obj.owner_unit = owner_unit_for(unit)
    obj.full_clean(exclude=["search_text", "created_by"])
    if clash := identity_clash(spec, obj):
        same = " và ".join(
            f"{obj._meta.get_field(name).verbose_name} “{display_value(getattr(obj, name))}”"
            for name in spec.identity
        )
        raise ValidationError({clash: f"Đã có {spec.verbose_name} khác trùng {same}."})
    return obj


@transaction.atomic
def row_save(*, actor, spec: RegisterSpec, data: dict[str, Any], instance: models.Model | None = None):
    if instance is not None:
        instance = spec.model.objects.select_for_update().get(pk=instance.pk)
        ensure_can_keep(actor, instance.unit)
        before = snapshot(instance)
        action = AuditEntry.Action.UPDATE
    else:
        instance = spec.model(created_by=actor)
        before = None
        action = AuditEntry.Action.CREATE
    unit = data.get("unit") or instance.unit
    ensure_can_keep(actor, unit)
    prepare(spec, instance, data)
    instance.save()
    audit_change(actor=actor, obj=instance, action=action, before=before, after=snapshot(instance))
    changed(instance.owner_unit, spec.model)
    return instance


@transaction.atomic
def row_delete(*, actor, spec: RegisterSpec, instance: models.Model) -> None:
    ensure_can_keep(actor, instance.unit)
    audit_change(actor=actor, obj=instance, action=AuditEntry.Action.DELETE, before=snapshot(instance))
    owner = instance.owner_unit
    instance.delete()
    changed(owner, spec.model)
