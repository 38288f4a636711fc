"""Deadlines as Vietnamese plans write them, resolved to dates.

The one place that knows the four kinds of design.md:
- date        "30/6/2026", "trước ngày 15 tháng 3 năm 2026"
- period      "Năm 2026", "Quý II/2026", "6 tháng đầu năm", "Tháng 8/2024", "2024 - 2025" → end of the period
- continuous  "Cả năm", "Thường xuyên", "Hằng quý" → reported every period, closed at the end of the year
- conditional "Sau khi Thành phố ban hành Kế hoạch" → waits on a trigger; due = trigger date + lead time
"""

import calendar
import datetime
import re
from dataclasses import dataclass

from kehoach.core.text import fold

from .choices import DeadlineKind


class DeadlineError(ValueError):
    """The text is not a deadline the system understands; the message is for the user."""


@dataclass(frozen=True)
class Deadline:
    kind: str
    date: datetime.date | None
    starts_on: datetime.date | None


ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "1": 1, "2": 2, "3": 3, "4": 4}

_CONDITIONAL = re.compile(r"^(ngay )?(sau khi|khi|sau|ngay sau|tuy thuoc|can cu vao)\b")
_CONTINUOUS = re.compile(r"\b(ca nam|thuong xuyen|hang nam|hang quy|hang thang|lien tuc|dinh ky|hang tuan)\b")
_DATE_NUMERIC = re.compile(r"\b(\d{1,2})\s*[/.-]\s*(\d{1,2})(?:\s*[/.-]\s*(\d{4}))?\b")
_DATE_WORDS = re.compile(r"\bngay\s+(\d{1,2})\s+thang\s+(\d{1,2})(?:\s+nam\s+(\d{4}))?")
_QUARTER = re.compile(r"\bquy\s+([ivxl]+|\d{1,2})\b(?:\s*(?:/|nam)\s*(\d{4}))?")
_HALF = re.compile(r"\b6\s*thang\s*(dau|cuoi)\s*nam\b(?:\s*(\d{4}))?")
_NINE = re.compile(r"\b9\s*thang(?:\s*dau)?\s*nam\b(?:\s*(\d{4}))?")
_MONTH = re.compile(r"\bthang\s+(\d{1,2})(?:\s*(?:/|nam)\s*(\d{4}))?\b")
_YEAR_RANGE = re.compile(r"\b(\d{4})\s*[-–—]\s*(\d{4})\b")
_YEAR = re.compile(r"\b(\d{4})\b")


def month_end(year: int, month: int) -> datetime.date:
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


def quarter_bounds(year: int, quarter: int) -> tuple[datetime.date, datetime.date]:
    first_month = 3 * (quarter - 1) + 1
    return datetime.date(year, first_month, 1), month_end(year, first_month + 2)


def _year(text: str | None, default: int) -> int:
    return int(text) if text else default


def _safe_date(year: int, month: int, day: int, original: str) -> datetime.date:
    try:
        return datetime.date(year, month, day)
    except ValueError as exc:
        raise DeadlineError(f"Ngày “{original}” không có thật (ngày {day:02d}/{month:02d}/{year}).") from exc


def parse_deadline(text: str, *, year: int) -> Deadline:
    """Read a deadline as written in a plan; `year` is the plan's year for texts that omit it."""
    original = (text or "").strip()
    t = fold(original)
    if not t:
        raise DeadlineError("Chưa nhập thời hạn.")
    if _CONDITIONAL.search(t):
        return Deadline(DeadlineKind.CONDITIONAL, None, None)
    if m := _DATE_WORDS.search(t) or _DATE_NUMERIC.search(t):
        day, month = int(m.group(1)), int(m.group(2))
        if not 1 <= month <= 12:
            raise DeadlineError(f"Tháng {month} trong thời hạn “{original}” không hợp lệ.")
        return Deadline(DeadlineKind.DATE, _safe_date(_year(m.group(3), year), month, day, original), None)
    if _CONTINUOUS.search(t):
        y = _year((_YEAR.search(t) or [None, None])[1], year)
        return Deadline(DeadlineKind.CONTINUOUS, datetime.date(y, 12, 31), datetime.date(y, 1, 1))
    if m := _QUARTER.search(t):
        if m.group(1) not in ROMAN:
            raise DeadlineError(
                f"Quý “{m.group(1).upper()}” trong thời hạn “{original}” không hợp lệ (chỉ có quý I–IV)."
            )
        start, end = quarter_bounds(_year(m.group(2), year), ROMAN[m.group(1)])
        return Deadline(DeadlineKind.PERIOD, end, start)
    if m := _HALF.search(t):
        y = _year(m.group(2), year)
        if m.group(1) == "dau":
            return Deadline(DeadlineKind.PERIOD, datetime.date(y, 6, 30), datetime.date(y, 1, 1))
        return Deadline(DeadlineKind.PERIOD, datetime.date(y, 12, 31), datetime.date(y, 7, 1))
    if m := _NINE.search(t):
        y = _year(m.group(1), year)
        return Deadline(DeadlineKind.PERIOD, datetime.date(y, 9, 30), datetime.date(y, 1, 1))
    if m := _MONTH.search(t):
        month = int(m.group(1))
        if not 1 <= month <= 12:
            raise DeadlineError(f"Tháng {month} trong thời hạn “{original}” không hợp lệ.")
        y = _year(m.group(2), year)
        return Deadline(DeadlineKind.PERIOD, month_end(y, month), datetime.date(y, month, 1))
    if m := _YEAR_RANGE.search(t):
        first, last = sorted((int(m.group(1)), int(m.group(2))))
        return Deadline(DeadlineKind.PERIOD, datetime.date(last, 12, 31), datetime.date(first, 1, 1))
    if m := _YEAR.search(t):
        y = int(m.group(1))
        return Deadline(DeadlineKind.PERIOD, datetime.date(y, 12, 31), datetime.date(y, 1, 1))
    raise DeadlineError(
        f"Không hiểu thời hạn “{original}”. Ví dụ cách ghi: 30/06/{year}, Quý II/{year}, "
        f"6 tháng đầu năm, Năm {year}, Cả năm, Sau khi Thành phố ban hành Kế hoạch."
    )


@dataclass(frozen=True)
class Schedule:
    starts_on: datetime.date | None
    due_on: datetime.date | None


def schedule(
    *,
    kind: str,
    deadline_date: datetime.date | None,
    starts_on: datetime.date | None = None,
    trigger_date: datetime.date | None,
    lead_time_days: int,
) -> Schedule:
    """When a task opens and when it is due. A conditional task opens on its trigger."""
    if kind == DeadlineKind.CONDITIONAL:
        if trigger_date is None:
            return Schedule(None, None)
        return Schedule(trigger_date, trigger_date + datetime.timedelta(days=lead_time_days))
    return Schedule(starts_on, deadline_date)
