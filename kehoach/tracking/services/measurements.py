"""Indicator data (số liệu chỉ tiêu): a unit's year-to-date figure for one indicator and period."""

import re
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from kehoach.core.audit import audit_change, snapshot
from kehoach.core.models import AuditEntry
from kehoach.plans.models import Indicator
from kehoach.units.models import Unit

from ..choices import ReportStatus
from ..models import Measurement, Period
from ..permissions import ensure_can_report, ensure_can_review
from . import workflow

FIELDS = ("value", "numerator", "denominator", "source", "note")

# Units whose values may have decimals; everything else that is not a rate is a count of things.
MEASURED_UNITS = ("đồng", "km", "ha", "tấn", "kg", "lít", "m2", "m3", "giờ", "điểm", "mbps", "gb")


def is_count(indicator: Indicator) -> bool:
    words = set(re.split(r"[\s/]+", indicator.unit_of_measure.strip().lower()))
    return not indicator.is_rate and not words & set(MEASURED_UNITS)


def reporting_units(indicator: Indicator) -> list[Unit]:
    units = [indicator.lead_unit] if indicator.lead_unit_id else []
    return units + [u for u in indicator.coordinating_units.all() if u.pk != indicator.lead_unit_id]


def measurement_new(*, actor, indicator: Indicator, period: Period, unit: Unit) -> Measurement:
    """The unit's figure for this indicator and period: the stored one, else a new one not yet saved.

    Writes nothing; the figure is stored by the first save, autosave or attached file.
    """
    ensure_can_report(actor, unit)
    if period.plan_id != indicator.plan_id:
        raise ValidationError("Kỳ báo cáo không thuộc kế hoạch của chỉ tiêu.")
    existing = Measurement.objects.filter(indicator=indicator, period=period, unit=unit).first()
    if existing:
        return existing
    if period.is_closed:
        raise ValidationError(f"Kỳ {period.label} đã khóa sổ: không nhập số liệu được.")
    if unit not in reporting_units(indicator):
        raise ValidationError(f"{unit} không được giao báo cáo chỉ tiêu này.")
    return Measurement(indicator=indicator, period=period, unit=unit)


@transaction.atomic
def measurement_open(*, actor, indicator: Indicator, period: Period, unit: Unit) -> Measurement:
    """The unit's figure, stored as an empty draft the first time (API, demo)."""
    measurement = measurement_new(actor=actor, indicator=indicator, period=period, unit=unit)
    if measurement.pk is not None:
        return measurement
    return workflow.create(
        actor=actor, record=measurement, data={}, fields=FIELDS, validate=_validate, autosave=False
    )


@transaction.atomic
def measurement_start(
    *,
    actor,
    indicator: Indicator,
    period: Period,
    unit: Unit,
    data: dict[str, Any],
    version: int | None,
    autosave: bool = False,
) -> Measurement:
    """The first save of a figure opened with `measurement_new` (see `progress_report_start`)."""
    return workflow.start(
        actor=actor,
        record=measurement_new(actor=actor, indicator=indicator, period=period, unit=unit),
        data=data,
        fields=FIELDS,
        validate=_validate,
        autosave=autosave,
        reread=lambda: Measurement.objects.get(indicator=indicator, period=period, unit=unit),
        save=lambda measurement: measurement_save(
            actor=actor, measurement=measurement, data=data, version=version, autosave=autosave
        ),
    )


def _whole(value: Decimal | None) -> bool:
    return value is None or value == value.to_integral_value()


def _validate(m: Measurement) -> None:
    indicator = m.indicator
    errors: dict[str, str] = {}
    if m.numerator is not None or m.denominator is not None:
        if m.numerator is None:
            errors["numerator"] = "Đã nhập mẫu số thì cần nhập cả tử số."
        elif m.denominator is None:
            errors["denominator"] = "Đã nhập tử số thì cần nhập cả mẫu số."
        elif m.denominator <= 0:
            errors["denominator"] = "Mẫu số phải lớn hơn 0."
        elif m.numerator < 0:
            errors["numerator"] = "Tử số không được âm."
        elif m.numerator > m.denominator:
            errors["numerator"] = "Tử số không được lớn hơn mẫu số."
        elif not (_whole(m.numerator) and _whole(m.denominator)):
            errors["numerator"] = "Tử số và mẫu số là số đếm, phải là số nguyên."
        elif not indicator.is_rate:
            errors["numerator"] = "Chỉ tiêu này không phải tỷ lệ: nhập giá trị, không nhập tử số/mẫu số."
        else:
            m.value = (m.numerator * 100 / m.denominator).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if m.value is not None and "value" not in errors:
        if m.value < 0:
            errors["value"] = "Giá trị không được âm."
        elif indicator.is_rate and m.value > 100:
            errors["value"] = "Tỷ lệ phải nằm trong khoảng từ 0 đến 100%."
        elif is_count(indicator) and not _whole(m.value):
            errors["value"] = f"Chỉ tiêu đếm số {indicator.unit_of_measure}: giá trị phải là số nguyên."
    if errors:
        raise ValidationError(errors)


def _validate_submit(m: Measurement) -> None:
    _validate(m)
    if m.value is None:
        raise ValidationError({"value": "Cần nhập giá trị (hoặc tử số và mẫu số) trước khi gửi."})
    if not m.source.strip():
        raise ValidationError({"source": "Cần ghi nguồn số liệu."})


@transaction.atomic
def measurement_save(
    *, actor, measurement: Measurement, data: dict[str, Any], version: int | None, autosave: bool = False
) -> Measurement:
    return workflow.save_fields(
        actor=actor,
        record=measurement,
        data=data,
        fields=FIELDS,
        version=version,
        validate=_validate,
        autosave=autosave,
    )


@transaction.atomic
def measurement_submit(*, actor, measurement: Measurement) -> Measurement:
    measurement = workflow.submit(actor=actor, record=measurement, validate_submit=_validate_submit)
    workflow.notify_submitted(measurement)
    return measurement


@transaction.atomic
def measurement_accept(*, actor, measurement: Measurement) -> Measurement:
    return workflow.accept(actor=actor, record=measurement)


@transaction.atomic
def measurement_return(*, actor, measurement: Measurement, reason: str) -> Measurement:
    measurement = workflow.return_(actor=actor, record=measurement, reason=reason)
    workflow.notify_returned(measurement)
    return measurement


@transaction.atomic
def measurement_reopen(*, actor, measurement: Measurement, reason: str) -> Measurement:
    measurement = workflow.reopen(actor=actor, record=measurement, reason=reason)
    workflow.notify_returned(measurement, reopened=True)
    return measurement


@transaction.atomic
def measurement_record_computed(
    *,
    indicator: Indicator,
    period: Period,
    unit: Unit,
    value: Decimal | None,
    numerator: Decimal | None,
    denominator: Decimal | None,
    source: str,
    explanation: dict[str, Any],
) -> Measurement | None:
    """Store a figure computed from a register as the period's accepted figure (closed periods stay frozen).

    An override by đầu mối keeps its value; the computed value and explanation are still refreshed.
    """
    if period.is_closed:
        return None
    measurement = (
        Measurement.objects.select_for_update().filter(indicator=indicator, period=period, unit=unit).first()
    )
    if measurement is None:
        measurement = Measurement(indicator=indicator, period=period, unit=unit)
        before = None
    else:
        before = snapshot(measurement)
    measurement.is_computed = True
    measurement.computed_value = value
    measurement.explanation = explanation
    measurement.source = source[:300]
    if not measurement.override_reason:
        measurement.value, measurement.numerator, measurement.denominator = value, numerator, denominator
    measurement.status = ReportStatus.ACCEPTED
    if before is None or snapshot(measurement) != before or measurement.explanation != explanation:
        measurement.version += 1 if before else 0
        measurement.save()
        audit_change(
            actor=None,
            obj=measurement,
            action=AuditEntry.Action.CREATE if before is None else AuditEntry.Action.UPDATE,
            before=before,
            after=snapshot(measurement),
            context=period.plan,
            summary="Tính lại từ sổ theo dõi",
        )
    return measurement


@transaction.atomic
def measurement_override(
    *, actor, measurement: Measurement, value: Decimal | None, reason: str
) -> Measurement:
    """Đầu mối replaces a computed figure with a value of their own, giving the reason; None restores it."""
    measurement = (
        Measurement.objects.select_for_update()
        .select_related("period__plan", "indicator")
        .get(pk=measurement.pk)
    )
    ensure_can_review(actor, measurement.period.plan)
    if not measurement.is_computed:
        raise ValidationError("Chỉ điều chỉnh được số liệu tính từ sổ theo dõi.")
    if measurement.period.is_closed:
        raise ValidationError(f"Kỳ {measurement.period.label} đã khóa sổ.")
    before = snapshot(measurement)
    if value is None:
        measurement.override_reason = ""
        measurement.value = measurement.computed_value
        measurement.numerator = measurement.denominator = None
        summary = "Bỏ điều chỉnh, dùng lại giá trị tính từ sổ"
    else:
        if not reason.strip():
            raise ValidationError({"reason": "Cần ghi lý do điều chỉnh số liệu tính từ sổ theo dõi."})
        probe = Measurement(
            indicator=measurement.indicator, period=measurement.period, unit=measurement.unit, value=value
        )
        _validate(probe)
        measurement.value, measurement.numerator, measurement.denominator = value, None, None
        measurement.override_reason = reason.strip()
        summary = f"Điều chỉnh số liệu tính từ sổ: {reason.strip()}"
    measurement.version += 1
    measurement.save()
    audit_change(
        actor=actor,
        obj=measurement,
        action=AuditEntry.Action.UPDATE,
        before=before,
        after=snapshot(measurement),
        context=measurement.period.plan,
        summary=summary,
    )
    return measurement
