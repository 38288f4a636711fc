import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from kehoach.core.audit import audit_change, snapshot
from kehoach.core.models import AuditEntry
from kehoach.plans.models import Plan

from ..choices import PeriodKind
from ..models import Period, ReportingConfig
from ..periods import period_bounds, periods_of_year
from ..permissions import ensure_can_review


def reporting_config(plan: Plan) -> ReportingConfig:
    config, _ = ReportingConfig.objects.get_or_create(plan=plan)
    return config


@transaction.atomic
def reporting_config_update(
    *, actor, plan: Plan, kinds: list[str], cutoff_day: int, submit_days: int
) -> ReportingConfig:
    ensure_can_review(actor, plan)
    errors = {}
    if not kinds:
        errors["kinds"] = "Chọn ít nhất một loại kỳ báo cáo."
    elif any(k not in PeriodKind.values for k in kinds):
        errors["kinds"] = "Loại kỳ báo cáo không hợp lệ."
    if not 1 <= cutoff_day <= 28:
        errors["cutoff_day"] = "Ngày chốt số liệu phải từ 1 đến 28."
    if not 0 <= submit_days <= 60:
        errors["submit_days"] = "Số ngày gửi báo cáo phải từ 0 đến 60."
    if errors:
        raise ValidationError(errors)
    config = ReportingConfig.objects.select_for_update().get(pk=reporting_config(plan).pk)
    before = snapshot(config)
    config.kinds = [k for k in PeriodKind.values if k in kinds]
    config.cutoff_day, config.submit_days = cutoff_day, submit_days
    config.save()
    audit_change(
        actor=actor,
        obj=config,
        action=AuditEntry.Action.UPDATE,
        before=before,
        after=snapshot(config),
        context=plan,
    )
    periods_sync(plan=plan)
    return config


@transaction.atomic
def periods_sync(*, plan: Plan, year: int | None = None) -> list[Period]:
    """Create the plan's periods for its year and move open ones to the current cut-off settings."""
    config = reporting_config(plan)
    year = year or plan.year
    existing = {(p.kind, p.year, p.number): p for p in Period.objects.filter(plan=plan, year=year)}
    result = []
    for bounds in periods_of_year(
        config.kinds, year, cutoff_day=config.cutoff_day, submit_days=config.submit_days
    ):
        period = existing.get((bounds.kind, bounds.year, bounds.number))
        if period is None:
            period = Period.objects.create(
                plan=plan,
                kind=bounds.kind,
                year=bounds.year,
                number=bounds.number,
                starts_on=bounds.starts_on,
                ends_on=bounds.ends_on,
                due_on=bounds.due_on,
            )
        elif not period.is_closed and (period.starts_on, period.ends_on, period.due_on) != (
            bounds.starts_on,
            bounds.ends_on,
            bounds.due_on,
        ):
            period.starts_on, period.ends_on, period.due_on = bounds.starts_on, bounds.ends_on, bounds.due_on
            period.save(update_fields=["starts_on", "ends_on", "due_on", "updated_at"])
        result.append(period)
    # Periods of kinds no longer reported on go, unless they already hold reports or figures.
    keep = {p.pk for p in result}
    unused = Period.objects.filter(plan=plan, year=year, closed_at__isnull=True).exclude(pk__in=keep)
    unused.filter(progress_reports__isnull=True, measurements__isnull=True).delete()
    return result


def current_period(plan: Plan, today: datetime.date | None = None) -> Period | None:
    """The shortest configured period whose data window contains today, else the last one that ended."""
    today = today or timezone.localdate()
    kinds = reporting_config(plan).kinds
    # Shorter first at a shared cut-off, so Quý IV wins over Năm at the end of the year.
    periods = list(Period.objects.filter(plan=plan, kind__in=kinds).order_by("ends_on", "-starts_on"))
    containing = [p for p in periods if p.starts_on <= today <= p.ends_on]
    if containing:
        return min(containing, key=lambda p: (p.ends_on - p.starts_on, p.ends_on))
    ended = [p for p in periods if p.ends_on < today]
    if ended:
        last_end = ended[-1].ends_on
        return next(p for p in ended if p.ends_on == last_end)
    return periods[0] if periods else None


FINE_TO_COARSE = [PeriodKind.MONTH, PeriodKind.QUARTER, PeriodKind.HALF, PeriodKind.NINE, PeriodKind.YEAR]


def periods_owed(plan: Plan, today: datetime.date) -> list[Period]:
    """The periods units owe reports for now, as the operations centre chases them: of the finest kind
    the plan reports on, the last one past its deadline and the one being reported (begun, deadline not
    passed), leaving out closed ones. Units report on the finest periods; longer ones are compiled."""
    kinds = reporting_config(plan).kinds
    finest = next((k for k in FINE_TO_COARSE if k in kinds), None)
    periods = list(Period.objects.filter(plan=plan, kind=finest).order_by("ends_on", "-starts_on"))
    past = [p for p in periods if p.due_on < today]
    current = next((p for p in periods if p.starts_on <= today <= p.due_on), None)
    return [p for p in (past[-1] if past else None, current) if p is not None and not p.is_closed]


@transaction.atomic
def period_close(*, actor, period: Period) -> Period:
    period = Period.objects.select_for_update().select_related("plan").get(pk=period.pk)
    ensure_can_review(actor, period.plan)
    if period.is_closed:
        raise ValidationError(f"Kỳ {period.label} đã khóa sổ.")
    period.closed_at, period.closed_by = timezone.now(), actor
    period.save(update_fields=["closed_at", "closed_by", "updated_at"])
    audit_change(
        actor=actor,
        obj=period,
        action=AuditEntry.Action.EVENT,
        context=period.plan,
        summary=f"Khóa sổ kỳ {period.label}",
        before={"Trạng thái": "Đang mở"},
        after={"Trạng thái": "Đã khóa sổ"},
    )
    return period


@transaction.atomic
def period_reopen(*, actor, period: Period, reason: str) -> Period:
    period = Period.objects.select_for_update().select_related("plan").get(pk=period.pk)
    ensure_can_review(actor, period.plan)
    if not period.is_closed:
        raise ValidationError(f"Kỳ {period.label} đang mở.")
    if not reason.strip():
        raise ValidationError({"reason": "Cần ghi lý do mở lại kỳ báo cáo."})
    period.closed_at, period.closed_by = None, None
    period.save(update_fields=["closed_at", "closed_by", "updated_at"])
    audit_change(
        actor=actor,
        obj=period,
        action=AuditEntry.Action.EVENT,
        context=period.plan,
        summary=f"Mở lại kỳ {period.label}: {reason.strip()}",
        before={"Trạng thái": "Đã khóa sổ"},
        after={"Trạng thái": "Đang mở"},
    )
    return period


def period_bounds_for(period: Period):
    config = reporting_config(period.plan)
    return period_bounds(
        period.kind, period.year, period.number, cutoff_day=config.cutoff_day, submit_days=config.submit_days
    )
