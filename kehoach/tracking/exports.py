"""Machine-readable exports of a period for upper-level reporting systems.

The layout is a plain table a program can load: the header on row 1, one row per indicator, no merged
cells and no title rows; numbers are number cells and dates are date cells, so nothing has to be
parsed back out of Vietnamese formatting.
"""

import io
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from kehoach.plans.models import Plan

from . import selectors
from .models import Period
from .selectors import IndicatorRow

SHEET_TITLE = "Chỉ tiêu"
DATE_FORMAT = "dd/mm/yyyy"
SOURCE_MANUAL = "nhập tay"
SOURCE_COMPUTED = "tính từ sổ"
# (header, column width in characters)
COLUMNS = [
    ("Mã kế hoạch", 16),
    ("Năm", 7),
    ("Kỳ", 8),
    ("Kỳ số", 7),
    ("Từ ngày", 12),
    ("Đến ngày", 12),
    ("Mã chỉ tiêu", 12),
    ("Tên chỉ tiêu", 60),
    ("Đơn vị tính", 14),
    ("So sánh", 9),
    ("Mục tiêu", 11),
    ("Mục tiêu tối đa", 11),
    ("Giá trị kỳ này", 14),
    ("Đánh giá", 16),
    ("Mã đánh giá", 16),
    ("Đơn vị chủ trì", 36),
    ("Nguồn", 12),
]
DATE_COLUMNS = (5, 6)


def _number(value: Decimal | None) -> int | float | None:
    # Whole numbers stay integers so a reader gets 10, not 10.0.
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def _source(row: IndicatorRow) -> str:
    computed = any(slot.record is not None and slot.record.is_computed for slot in row.slots)
    return SOURCE_COMPUTED if computed else SOURCE_MANUAL


def indicator_rows(plan: Plan, period: Period) -> list[list]:
    """The table as values, header first; only accepted figures count (as on the desk)."""
    rows = selectors.indicator_rows(plan, period)
    table: list[list] = [[title for title, _ in COLUMNS]]
    for row in rows:
        indicator = row.indicator
        table.append(
            [
                plan.number,
                period.year,
                period.kind,
                period.number,
                period.starts_on,
                period.ends_on,
                indicator.code,
                indicator.name,
                indicator.unit_of_measure,
                indicator.comparator,
                _number(indicator.target),
                _number(indicator.target_max),
                _number(row.value),
                row.assessment.label,
                row.assessment.value,
                indicator.lead_unit.name if indicator.lead_unit_id else "",
                _source(row),
            ]
        )
    return table


def indicators_xlsx(plan: Plan, period: Period) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET_TITLE
    for values in indicator_rows(plan, period):
        sheet.append(values)
    for row in sheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, str) and cell.data_type == "f":
                # Text typed as "=…" stays text: an export must never carry a formula into Excel.
                cell.data_type = "s"
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for column in DATE_COLUMNS:
        for (cell,) in sheet.iter_rows(min_row=2, min_col=column, max_col=column):
            cell.number_format = DATE_FORMAT
    for index, (_, width) in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
