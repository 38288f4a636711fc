"""Reporting periods under Nghị định 09/2019/NĐ-CP, as pure date arithmetic.

Data for a period runs from the day after the cut-off of the month before it starts to the cut-off
of its last month: with the default cut-off day 14, a month runs 15/(m-1) → 14/m, a quarter
15/12 → 14/3 for quý I, 6 months 15/12 → 14/6, 9 months 15/12 → 14/9, the year 15/12 → 14/12.
"""

import datetime
from dataclasses import dataclass

from .choices import PeriodKind

ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}

# kind → (number of periods a year, months in one period, whether periods restart each year at month 1)
SHAPES = {
    PeriodKind.MONTH: (12, 1),
    PeriodKind.QUARTER: (4, 3),
    PeriodKind.HALF: (1, 6),
    PeriodKind.NINE: (1, 9),
    PeriodKind.YEAR: (1, 12),
}


@dataclass(frozen=True)
class PeriodBounds:
    kind: str
    year: int
    number: int
    starts_on: datetime.date
    ends_on: datetime.date
    due_on: datetime.date
    # The calendar span the period reports on (a quarter's months), for assessing progress.
    calendar_start: datetime.date
    calendar_end: datetime.date

    @property
    def label(self) -> str:
        return period_label(self.kind, self.year, self.number)


def period_label(kind: str, year: int, number: int) -> str:
    if kind == PeriodKind.MONTH:
        return f"Tháng {number:02d}/{year}"
    if kind == PeriodKind.QUARTER:
        return f"Quý {ROMAN[number]}/{year}"
    if kind == PeriodKind.HALF:
        return f"6 tháng đầu năm {year}"
    if kind == PeriodKind.NINE:
        return f"9 tháng đầu năm {year}"
    return f"Năm {year}"


def _month_shift(year: int, month: int, delta: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + delta
    return index // 12, index % 12 + 1


def _month_end(year: int, month: int) -> datetime.date:
    y, m = _month_shift(year, month, 1)
    return datetime.date(y, m, 1) - datetime.timedelta(days=1)


def period_bounds(
    kind: str, year: int, number: int, *, cutoff_day: int = 14, submit_days: int = 5
) -> PeriodBounds:
    """Bounds of one period. `cutoff_day` 1–28 is the last day of data in the period's last month."""
    if kind not in SHAPES:
        raise ValueError(f"Loại kỳ báo cáo không hợp lệ: {kind}")
    count, months = SHAPES[PeriodKind(kind)]
    if not 1 <= number <= count:
        raise ValueError(f"Kỳ số {number} không hợp lệ cho loại kỳ {PeriodKind(kind).label}.")
    if not 1 <= cutoff_day <= 28:
        raise ValueError("Ngày chốt số liệu phải từ 1 đến 28.")
    first_month = (number - 1) * months + 1
    last_month = first_month + months - 1
    prev_year, prev_month = _month_shift(year, first_month, -1)
    starts_on = datetime.date(prev_year, prev_month, cutoff_day) + datetime.timedelta(days=1)
    ends_on = datetime.date(year, last_month, cutoff_day)
    return PeriodBounds(
        kind=kind,
        year=year,
        number=number,
        starts_on=starts_on,
        ends_on=ends_on,
        due_on=ends_on + datetime.timedelta(days=submit_days),
        calendar_start=datetime.date(year, first_month, 1),
        calendar_end=_month_end(year, last_month),
    )


def periods_of_year(
    kinds: list[str], year: int, *, cutoff_day: int = 14, submit_days: int = 5
) -> list[PeriodBounds]:
    result = []
    for kind in kinds:
        count, _ = SHAPES[PeriodKind(kind)]
        result.extend(
            period_bounds(kind, year, n, cutoff_day=cutoff_day, submit_days=submit_days)
            for n in range(1, count + 1)
        )
    # Same cut-off: the shorter period first (Quý II before 6 tháng), as reports list them.
    return sorted(result, key=lambda p: (p.ends_on, (p.ends_on - p.starts_on).days))
