"""XLSX/CSV import and export of registers, with the same columns both ways.

Import reads the file, converts each cell by its column's kind, validates every row exactly as the
form would (and against duplicates in the file and in the register), and reports errors as
"Dòng 14, cột Mã số thuế: …". Nothing is written unless every row is valid; then all rows are
written in one transaction.
"""

import csv
import datetime
import io
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction

from kehoach.core.forms import normalise_number
from kehoach.core.templatetags.vn import format_number
from kehoach.core.text import fold
from kehoach.units.models import Unit
from kehoach.units.services import unit_match

from .registry import Column, RegisterSpec
from .services.rows import prepare, row_save

MAX_ROWS = 20000


class ImportFileError(ValueError):
    """The file as a whole cannot be read; the message is for the user."""


@dataclass
class ParsedRow:
    number: int  # the row number as the user sees it in the spreadsheet
    values: dict[str, Any] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    cells: dict[str, str] = field(default_factory=dict)


# Reading ----------------------------------------------------------------------------------------


def read_table(data: bytes, name: str) -> list[list[Any]]:
    if data[:4] == b"PK\x03\x04":
        from openpyxl import load_workbook

        try:
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many types for damaged files
            raise ImportFileError(
                f"Không đọc được tệp Excel “{name}”: tệp hỏng hoặc không phải .xlsx."
            ) from exc
        sheet = workbook.worksheets[0]
        return [list(row) for row in sheet.iter_rows(values_only=True)]
    for encoding in ("utf-8-sig", "cp1258"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ImportFileError(f"Tệp “{name}” không phải CSV (UTF-8) hay Excel (.xlsx).")
    if "\x00" in text:
        raise ImportFileError(f"Tệp “{name}” không phải CSV (UTF-8) hay Excel (.xlsx).")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t") if text.strip() else csv.excel
    except csv.Error:
        dialect = csv.excel
    try:
        return [row for row in csv.reader(io.StringIO(text), dialect)]
    except csv.Error as exc:
        raise ImportFileError(f"Tệp CSV “{name}” sai định dạng: {exc}.") from exc


def _header_map(spec: RegisterSpec, header: list[Any]) -> dict[int, Column]:
    wanted = {fold(c.header): c for c in spec.columns}
    mapping: dict[int, Column] = {}
    unknown = []
    for index, cell in enumerate(header):
        key = fold(str(cell or "")).rstrip(" *")
        if not key:
            continue
        if key in wanted:
            mapping[index] = wanted[key]
        else:
            unknown.append(str(cell))
    missing = [c.header for c in spec.columns if c.required and c not in mapping.values()]
    if missing:
        raise ImportFileError("Thiếu cột bắt buộc: " + ", ".join(missing) + ". Hãy dùng tệp mẫu của sổ.")
    if unknown:
        raise ImportFileError("Cột không có trong mẫu: " + ", ".join(unknown) + ".")
    return mapping


TRUE_WORDS = {"co", "x", "1", "true", "dung", "da"}
FALSE_WORDS = {"khong", "0", "false", "sai", "chua", ""}


def convert(column: Column, raw: Any, *, spec: RegisterSpec, units: list[Unit], within: Unit | None) -> Any:
    """A cell's value for the model field, or ValueError with the Vietnamese reason."""
    if isinstance(raw, str):
        raw = raw.strip()
    if raw in (None, ""):
        if column.required:
            raise ValueError("bắt buộc, không được để trống")
        return (
            None
            if column.kind not in ("text", "bool", "choice") or column.resolve is not None
            else ("" if column.kind != "bool" else False)
        )
    kind = column.kind
    if column.resolve is not None:
        text = str(raw) if not isinstance(raw, float) or not raw.is_integer() else str(int(raw))
        return column.resolve(text, within)
    if kind == "text":
        return str(raw) if not isinstance(raw, float) or not raw.is_integer() else str(int(raw))
    if kind in ("int", "decimal"):
        if isinstance(raw, int | float | Decimal) and not isinstance(raw, bool):
            number = Decimal(str(raw))
        else:
            try:
                number = Decimal(normalise_number(str(raw)))
            except InvalidOperation as exc:
                raise ValueError(f"“{raw}” không phải là số") from exc
        if kind == "int":
            if number != number.to_integral_value():
                raise ValueError(f"“{raw}” phải là số nguyên")
            return int(number)
        return number
    if kind == "date":
        if isinstance(raw, datetime.datetime):
            return raw.date()
        if isinstance(raw, datetime.date):
            return raw
        for fmt in ("%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d", "%d.%m.%Y"):
            try:
                return datetime.datetime.strptime(str(raw), fmt).date()
            except ValueError:
                continue
        raise ValueError(f"“{raw}” không phải ngày hợp lệ (dd/mm/yyyy)")
    if kind == "bool":
        word = fold(str(raw))
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise ValueError(f"“{raw}” phải là “Có” hoặc “Không”")
    if kind == "choice":
        model_field = spec.model._meta.get_field(column.field)
        for code, label in model_field.choices:
            if fold(str(raw)) in (fold(str(code)), fold(str(label))):
                return code
        allowed = ", ".join(str(label) for _, label in model_field.choices)
        raise ValueError(f"“{raw}” không thuộc các giá trị: {allowed}")
    if kind == "unit":
        unit = unit_match(str(raw), within=within, candidates=units) if within else None
        if unit is None:
            raise ValueError(f"không tìm thấy đơn vị “{raw}”")
        return unit
    raise ValueError(f"kiểu cột không hỗ trợ: {kind}")


def parse(spec: RegisterSpec, data: bytes, name: str, *, owner: Unit, default_unit: Unit) -> list[ParsedRow]:
    """Read and validate every row; rows carry their errors. Nothing is written."""
    table = [row for row in read_table(data, name)]
    while table and not any(str(c or "").strip() for c in table[0]):
        table.pop(0)
    if not table:
        raise ImportFileError(f"Tệp “{name}” không có dữ liệu.")
    mapping = _header_map(spec, table[0])
    units = list(Unit.objects.subtree_of(owner))
    rows: list[ParsedRow] = []
    seen: dict[tuple, int] = {}
    for offset, cells in enumerate(table[1:], start=2):
        if not any(str(c or "").strip() for c in cells):
            continue
        if len(rows) >= MAX_ROWS:
            raise ImportFileError(f"Tệp có quá {MAX_ROWS:,} dòng; hãy chia nhỏ tệp.".replace(",", "."))
        row = ParsedRow(number=offset)
        for index, column in mapping.items():
            raw = cells[index] if index < len(cells) else None
            row.cells[column.field] = "" if raw is None else str(raw)
            try:
                row.values[column.field] = convert(column, raw, spec=spec, units=units, within=owner)
            except ValueError as exc:
                row.errors.append(f"Dòng {offset}, cột {column.header}: {exc}.")
        row.values.setdefault("unit", default_unit)
        if row.values.get("unit") is None:
            row.values["unit"] = default_unit
        if not row.errors:
            _validate_row(spec, row)
        if spec.identity and not row.errors:
            key = tuple(row.values.get(f) for f in spec.identity)
            if all(v not in (None, "") for v in key):
                if key in seen:
                    header = _header(spec, spec.identity[0])
                    row.errors.append(f"Dòng {offset}, cột {header}: trùng với dòng {seen[key]} trong tệp.")
                else:
                    seen[key] = offset
        rows.append(row)
    return rows


def _header(spec: RegisterSpec, field_name: str) -> str:
    return next((c.header for c in spec.columns if c.field == field_name), field_name)


def _validate_row(spec: RegisterSpec, row: ParsedRow) -> None:
    obj = spec.model()
    try:
        with transaction.atomic():
            prepare(spec, obj, dict(row.values))
    except ValidationError as error:
        for field_name, messages in error.message_dict.items():
            where = f"cột {_header(spec, field_name)}" if field_name != "__all__" else "toàn dòng"
            for message in messages:
                row.errors.append(f"Dòng {row.number}, {where}: {message}")


def commit(*, actor, spec: RegisterSpec, rows: list[ParsedRow]) -> list[models.Model]:
    """Write every row in one transaction, or none when any row has an error."""
    errors = [e for r in rows for e in r.errors]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        return [row_save(actor=actor, spec=spec, data=dict(r.values)) for r in rows]


# Writing ----------------------------------------------------------------------------------------


def cell_value(column: Column, obj: models.Model) -> Any:
    value = getattr(obj, column.field)
    if value is None:
        return ""
    if column.show is not None:
        return column.show(value)
    if column.kind == "choice":
        return getattr(obj, f"get_{column.field}_display")()
    if column.kind == "unit":
        return value.name
    if column.kind == "bool":
        return "Có" if value else "Không"
    if column.kind == "date":
        return value.strftime("%d/%m/%Y")
    if column.kind in ("int", "decimal"):
        return format_number(value)
    return str(value)


def export(spec: RegisterSpec, queryset, fmt: str) -> bytes:
    headers = [c.header for c in spec.columns]
    rows = [[cell_value(c, obj) for c in spec.columns] for obj in queryset]
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(headers)
        writer.writerows(rows)
        return buffer.getvalue().encode("utf-8-sig")
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = spec.title[:31]
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
    for index, column in enumerate(spec.columns, start=1):
        sheet.column_dimensions[sheet.cell(1, index).column_letter].width = max(
            14, min(50, len(column.header) + 6)
        )
    if not rows:
        guide = workbook.create_sheet("Hướng dẫn")
        guide.append(["Cột", "Bắt buộc", "Cách ghi"])
        for column in spec.columns:
            guide.append(
                [column.header, "Có" if column.required else "", column.help or KIND_HELP[column.kind]]
            )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


KIND_HELP = {
    "text": "Chữ",
    "int": "Số nguyên, ví dụ 1.250",
    "decimal": "Số, dấu phẩy ngăn phần thập phân, ví dụ 12,5",
    "date": "Ngày dd/mm/yyyy, ví dụ 05/03/2026",
    "bool": "Có hoặc Không",
    "choice": "Một trong các giá trị của danh sách",
    "unit": "Tên đơn vị như trong hệ thống, ví dụ Phòng Văn hóa - Xã hội",
}
