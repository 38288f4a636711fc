"""Computed indicators: bind an indicator to a computation, and keep its figures current.

Figures are written as the period's accepted figure of the indicator's lead unit (tracking's
`measurement_record_computed`), so the desk, assessments and reports treat them like entered ones.
They are recomputed after any change to a register the computation reads, and on demand.
"""

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction

from kehoach.core.audit import audit_change, snapshot
from kehoach.core.models import AuditEntry
from kehoach.plans.choices import PlanStatus
from kehoach.plans.models import Indicator, Plan
from kehoach.plans.permissions import ensure_can_manage
from kehoach.tracking.models import Period
from kehoach.tracking.services.measurements import measurement_record_computed
from kehoach.tracking.services.periods import periods_sync
from kehoach.units.models import Unit

from ..computations import COMPUTATIONS, Computed
from ..models import IndicatorBinding
from . import rows


@transaction.atomic
def binding_set(*, actor, indicator: Indicator, computation: str | None) -> IndicatorBinding | None:
    """Bind (or with None unbind) an indicator; đầu mối of its plan only."""
    ensure_can_manage(actor, indicator.plan)
    existing = IndicatorBinding.objects.filter(indicator=indicator).first()
    if not computation:
        if existing:
            audit_change(
                actor=actor,
                obj=existing,
                action=AuditEntry.Action.DELETE,
                before=snapshot(existing),
                context=indicator.plan,
                summary=f"Chỉ tiêu {indicator.code} thôi tính từ sổ",
            )
            existing.delete()
        return None
    spec = COMPUTATIONS.get(computation)
    if spec is None:
        raise ValidationError({"computation": "Không có cách tính này."})
    if spec.is_rate != indicator.is_rate:
        kind = "tỷ lệ (%)" if spec.is_rate else "số đếm"
        raise ValidationError(
            {"computation": f"Cách tính “{spec.label}” cho ra {kind}, không hợp với chỉ tiêu."}
        )
    before = snapshot(existing) if existing else None
    binding = existing or IndicatorBinding(indicator=indicator)
    binding.computation = computation
    binding.save()
    audit_change(
        actor=actor,
        obj=binding,
        action=AuditEntry.Action.UPDATE if before else AuditEntry.Action.CREATE,
        before=before,
        after=snapshot(binding),
        context=indicator.plan,
        summary=f"Chỉ tiêu {indicator.code} tính từ sổ: {spec.label}",
    )
    transaction.on_commit(lambda: refresh_plan(plan=indicator.plan))
    return binding


def compute(binding: IndicatorBinding, period: Period) -> Computed:
    plan = binding.indicator.plan
    spec = COMPUTATIONS[binding.computation]
    return spec(owner=plan.owner_unit, year=plan.year, until=period.ends_on, params=binding.params or {})


def _explanation(result: Computed, label: str) -> dict[str, Any]:
    return {
        "computation": label,
        "method": result.method,
        "rows": [{"label": r.label, "url": r.url} for r in result.rows[:500]],
        "count": len(result.rows),
        "computed_at": datetime.datetime.now().isoformat(timespec="seconds"),
    }


def refresh_plan(*, plan: Plan, periods: list[Period] | None = None) -> int:
    """Recompute every bound indicator of the plan for its open periods; returns the figures written."""
    bindings = list(
        IndicatorBinding.objects.filter(indicator__plan=plan).select_related(
            "indicator__lead_unit", "indicator__plan"
        )
    )
    if not bindings:
        return 0
    if periods is None:
        if not plan.periods.exists():
            periods_sync(plan=plan)
        periods = list(Period.objects.filter(plan=plan, closed_at__isnull=True))
    written = 0
    for binding in bindings:
        spec = COMPUTATIONS.get(binding.computation)
        if spec is None:
            continue
        unit = binding.indicator.lead_unit or plan.lead_unit
        for period in periods:
            result = compute(binding, period)
            with transaction.atomic():
                measurement_record_computed(
                    indicator=binding.indicator,
                    period=period,
                    unit=unit,
                    value=result.value,
                    numerator=result.numerator,
                    denominator=result.denominator,
                    source=f"Tính từ sổ theo dõi: {spec.label}",
                    explanation=_explanation(result, spec.label),
                )
            written += 1
    return written


def register_changed(owner: Unit, model: type[models.Model]) -> None:
    """After a register row changes: recompute the indicators that read that register, in that commune."""
    keys = [key for key, spec in COMPUTATIONS.items() if model in spec.models]
    if not keys:
        return
    plans = Plan.objects.filter(
        owner_unit=owner, status=PlanStatus.ISSUED, indicators__binding__computation__in=keys
    ).distinct()
    for plan in plans:
        refresh_plan(plan=plan)


rows.ON_CHANGE.append(register_changed)
