"""Indicator values and their assessment, computed here only.

A period's value for an indicator combines the accepted figures of its reporting units: rates from
the summed numerators and denominators when every unit gave them, otherwise their mean; counts and
amounts are summed. At the year's close the value is judged against the target (vượt / đạt / chưa
đạt); during the year against the straight line from the baseline at 1 January to the target at
31 December (đúng tiến độ / có nguy cơ / chậm), "có nguy cơ" being within a tenth of the way.
"""

import datetime
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from kehoach.plans.choices import Comparator
from kehoach.plans.models import Indicator

from .choices import Assessment

TOLERANCE = Decimal("0.1")


def combine(indicator: Indicator, figures: Iterable) -> Decimal | None:
    """One value from several units' figures (objects with value, numerator, denominator)."""
    figures = [f for f in figures if f.value is not None]
    if not figures:
        return None
    if indicator.is_rate:
        if all(f.numerator is not None and f.denominator for f in figures):
            total = sum(f.denominator for f in figures)
            return (sum(f.numerator for f in figures) * 100 / total).quantize(Decimal("0.01"), ROUND_HALF_UP)
        return (sum(f.value for f in figures) / len(figures)).quantize(Decimal("0.01"), ROUND_HALF_UP)
    return sum(f.value for f in figures)


def year_fraction(day: datetime.date, year: int) -> Decimal:
    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    if day <= start:
        return Decimal(0)
    if day >= end:
        return Decimal(1)
    return Decimal((day - start).days) / Decimal((end - start).days)


def expected_value(indicator: Indicator, day: datetime.date, year: int) -> Decimal:
    baseline = indicator.baseline if indicator.baseline is not None else Decimal(0)
    target = indicator.target
    if indicator.comparator == Comparator.AT_MOST and indicator.baseline is None:
        return target
    return baseline + (target - baseline) * year_fraction(day, year)


def assess_final(indicator: Indicator, actual: Decimal | None) -> Assessment:
    if actual is None:
        return Assessment.NO_DATA
    target = indicator.target
    if indicator.comparator == Comparator.AT_MOST:
        if actual < target:
            return Assessment.EXCEEDED
        return Assessment.MET if actual == target else Assessment.NOT_MET
    if indicator.comparator == Comparator.BETWEEN:
        high = indicator.target_max if indicator.target_max is not None else target
        if target <= actual <= high:
            return Assessment.MET
        return Assessment.EXCEEDED if actual > high else Assessment.NOT_MET
    if actual > target:
        return Assessment.EXCEEDED
    return Assessment.MET if actual == target else Assessment.NOT_MET


def assess_progress(
    indicator: Indicator, actual: Decimal | None, day: datetime.date, year: int
) -> Assessment:
    if actual is None:
        return Assessment.NO_DATA
    expected = expected_value(indicator, day, year)
    baseline = indicator.baseline if indicator.baseline is not None else Decimal(0)
    slack = abs(indicator.target - baseline) * TOLERANCE
    if indicator.comparator == Comparator.AT_MOST:
        if actual <= expected:
            return Assessment.ON_TRACK
        return Assessment.AT_RISK if actual <= expected + slack else Assessment.BEHIND
    if actual >= expected:
        return Assessment.ON_TRACK
    return Assessment.AT_RISK if actual >= expected - slack else Assessment.BEHIND


def assess(
    indicator: Indicator, actual: Decimal | None, *, period_end: datetime.date, year: int
) -> Assessment:
    """Final judgement once the period reaches the end of the year, progress judgement before."""
    if period_end >= datetime.date(year, 12, 1):
        return assess_final(indicator, actual)
    return assess_progress(indicator, actual, period_end, year)


ASSESSMENT_BADGES = {
    Assessment.EXCEEDED: "success",
    Assessment.MET: "success",
    Assessment.NOT_MET: "danger",
    Assessment.ON_TRACK: "primary",
    Assessment.AT_RISK: "warning",
    Assessment.BEHIND: "danger",
    Assessment.NO_DATA: "secondary",
}
