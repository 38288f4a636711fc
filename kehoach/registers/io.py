"""XLSX/CSV import and export of registers, with the same columns both ways.

Import reads the file, converts each cell by its column's kind, validates every row exactly as the
form would (and against duplicates in the file and in the register), and reports errors as
"Dòng 14, cột Mã số thuế: …". Nothing is written unless every row is valid; then all rows are
written in one transaction.
"""

import contextlib
import csv
import datetime
import io
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import OperationalError, models, transaction
from django.utils import timezone

from kehoach.core.forms import normalise_number
from kehoach.core.jobs import STALE_AFTER, run_after_commit
from kehoach.core.templatetags.vn import format_number
from kehoach.core.text import fold
from kehoach.plans.services.plans import owner_unit_for
from kehoach.units.access import access_for
from kehoach.units.choices import Role
from kehoach.units.models import Unit
from kehoach.units.services import unit_match

from .models.imports import MAX_ERRORS, PREVIEW_ROWS, RegisterImport
from .permissions import ensure_can_keep
from .registry import REGISTRY, Column, RegisterSpec
from .services.rows import prepare, row_save

log = logging.getLogger(__name__)

MAX_ROWS = 20000
PROGRESS_EVERY = 100  # rows between two calls of a progress callback

# progress(done, total): rows read (parse) or written (commit) so far, out of all rows of the file.
Progress = Callable[[int, int], None]

Status = RegisterImport.Status
RUNNING = (Status.QUEUED, Status.CHECKING, Status.WRITING)


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


def cell_text(raw: Any) -> str:
    """A cell as the preview shows it: Excel dates dd/mm/yyyy (with the time only when there is one),
    whole numbers without ".0", yes/no in words."""
    if raw is None:
        return ""
    if isinstance(raw, datetime.datetime):
        return raw.strftime("%d/%m/%Y" if raw.time() == datetime.time() else "%d/%m/%Y %H:%M")
    if isinstance(raw, datetime.date):
        return raw.strftime("%d/%m/%Y")
    if isinstance(raw, datetime.time):
        return raw.strftime("%H:%M")
    if isinstance(raw, bool):
        return "Có" if raw else "Không"
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return str(raw)


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


def parse(
    spec: RegisterSpec,
    data: bytes,
    name: str,
    *,
    owner: Unit,
    default_unit: Unit,
    progress: Progress | None = None,
    validate: bool = True,
) -> list[ParsedRow]:
    """Read and validate every row; rows carry their errors. Nothing is written.

    `progress(done, total)` is called before the first row, every PROGRESS_EVERY rows and after the
    last. `validate=False` skips the model validation of each row (the conversion of the cells and the
    duplicates within the file are still checked): `commit` validates every row again as it saves it.
    """
    table = [row for row in read_table(data, name)]
    while table and not any(str(c or "").strip() for c in table[0]):
        table.pop(0)
    if not table:
        raise ImportFileError(f"Tệp “{name}” không có dữ liệu.")
    mapping = _header_map(spec, table[0])
    body = [
        (offset, cells)
        for offset, cells in enumerate(table[1:], start=2)
        if any(str(c or "").strip() for c in cells)
    ]
    if len(body) > MAX_ROWS:
        raise ImportFileError(f"Tệp có quá {MAX_ROWS:,} dòng; hãy chia nhỏ tệp.".replace(",", "."))
    total = len(body)
    if progress:
        progress(0, total)
    units = list(Unit.objects.subtree_of(owner))
    rows: list[ParsedRow] = []
    seen: dict[tuple, int] = {}
    for offset, cells in body:
        row = ParsedRow(number=offset)
        for index, column in mapping.items():
            raw = cells[index] if index < len(cells) else None
            row.cells[column.field] = cell_text(raw)
            try:
                row.values[column.field] = convert(column, raw, spec=spec, units=units, within=owner)
            except ValueError as exc:
                row.errors.append(f"Dòng {offset}, cột {column.header}: {exc}.")
        row.values.setdefault("unit", default_unit)
        if row.values.get("unit") is None:
            row.values["unit"] = default_unit
        if validate and not row.errors:
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
        if progress and len(rows) % PROGRESS_EVERY == 0 and len(rows) < total:
            progress(len(rows), total)
    if progress:
        progress(total, total)
    return rows


def _header(spec: RegisterSpec, field_name: str) -> str:
    return next((c.header for c in spec.columns if c.field == field_name), field_name)


def _validate_row(spec: RegisterSpec, row: ParsedRow) -> None:
    obj = spec.model()
    try:
        with transaction.atomic():
            prepare(spec, obj, dict(row.values))
    except ValidationError as error:
        row.errors.extend(_row_messages(spec, row.number, error))


def _row_messages(spec: RegisterSpec, number: int, error: ValidationError) -> list[str]:
    """One “Dòng 14, cột Mã số thuế: …” for each message of a model validation error."""
    if not hasattr(error, "error_dict"):
        return [f"Dòng {number}: {message}" for message in error.messages]
    found = []
    for field_name, messages in error.message_dict.items():
        where = f"cột {_header(spec, field_name)}" if field_name != "__all__" else "toàn dòng"
        found.extend(f"Dòng {number}, {where}: {message}" for message in messages)
    return found


def commit(
    *, actor, spec: RegisterSpec, rows: list[ParsedRow], progress: Progress | None = None
) -> list[models.Model]:
    """Write every row in one transaction, or none when any row has an error.

    Each row is validated again as it is saved (the register may have changed since the check); the
    first refusal undoes everything and is raised naming its row. `progress(done, total)` is called
    every PROGRESS_EVERY rows, inside the transaction.
    """
    errors = [e for r in rows for e in r.errors]
    if errors:
        raise ValidationError(errors)
    total = len(rows)
    created = []
    with transaction.atomic():
        for row in rows:
            try:
                created.append(row_save(actor=actor, spec=spec, data=dict(row.values)))
            except ValidationError as error:
                raise ValidationError(_row_messages(spec, row.number, error)) from None
            except PermissionDenied as denied:
                raise PermissionDenied(f"Dòng {row.number}: {denied}") from None
            if progress and len(created) % PROGRESS_EVERY == 0:
                progress(len(created), total)
    return created


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


def export(spec: RegisterSpec, queryset, fmt: str, *, units: list[Unit] | None = None) -> bytes:
    """The register as CSV or XLSX; `units`, for a template, are those the person may write rows for."""
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
    add_choice_lists(workbook, sheet, spec, units=units)
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


# Drop-down lists ------------------------------------------------------------------------------------
#
# Columns with fixed values (a choice, Có/Không, the keeping unit) get Excel's list validation: the
# cell offers the values and refuses others, with a Vietnamese prompt and error. The values sit on a
# hidden sheet, one column per list (an inline list is limited to 255 characters and splits at commas).
# The import reads the first sheet only, so the hidden one never gets in the way.

LIST_SHEET = "Danh sách giá trị"
VALIDATED_ROWS = MAX_ROWS + 1
YES_NO = ["Có", "Không"]


def column_values(spec: RegisterSpec, column: Column, units: list[Unit] | None) -> list[str]:
    """The fixed values a column accepts, as the file writes them; none for free columns."""
    if column.resolve is not None:
        return []
    if column.kind == "choice":
        return [str(label) for _, label in spec.model._meta.get_field(column.field).choices]
    if column.kind == "bool":
        return YES_NO
    if column.kind == "unit" and units:
        return [unit.name for unit in units]
    return []


def add_choice_lists(workbook, sheet, spec: RegisterSpec, *, units: list[Unit] | None = None) -> None:
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    lists, position = None, 0
    for index, column in enumerate(spec.columns, start=1):
        values = column_values(spec, column, units)
        if not values:
            continue
        if lists is None:
            lists = workbook.create_sheet(LIST_SHEET)
            lists.sheet_state = "hidden"
        position += 1
        letter = get_column_letter(position)
        lists.cell(1, position, column.header)
        for row, value in enumerate(values, start=2):
            lists.cell(row, position, value)
        source = f"'{LIST_SHEET}'!${letter}$2:${letter}${len(values) + 1}"
        if column.kind == "unit":
            prompt = "Chọn đơn vị theo dõi trong danh sách; để trống thì ghi cho đơn vị của người nhập."
        elif column.kind == "bool":
            prompt = "Chọn Có hoặc Không."
        else:
            prompt = "Chọn một giá trị trong danh sách: " + "; ".join(values)
        validation = DataValidation(
            type="list",
            formula1=source,
            allow_blank=not column.required,
            showInputMessage=True,
            showErrorMessage=True,
            promptTitle=column.header[:32],
            prompt=_short(prompt),
            errorTitle="Giá trị không hợp lệ",
            error=_short(f"Cột “{column.header}” chỉ nhận giá trị trong danh sách. {prompt}"),
            errorStyle="stop",
        )
        target = get_column_letter(index)
        validation.add(f"{target}2:{target}{VALIDATED_ROWS}")
        sheet.add_data_validation(validation)


def _short(text: str, limit: int = 255) -> str:
    """Excel keeps at most 255 characters of a prompt or an error message."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


KIND_HELP = {
    "text": "Chữ",
    "int": "Số nguyên, ví dụ 1.250",
    "decimal": "Số, dấu phẩy ngăn phần thập phân, ví dụ 12,5",
    "date": "Ngày dd/mm/yyyy, ví dụ 05/03/2026",
    "bool": "Có hoặc Không",
    "choice": "Một trong các giá trị của danh sách",
    "unit": "Tên đơn vị như trong hệ thống, ví dụ Phòng Văn hóa - Xã hội",
}


# Import sessions: the stored file, checked and written in the background with progress ------------
#
# Upload → `import_upload` stores the file (MEDIA_ROOT/register-imports/, random name) and checks it;
# the page polls the progress; confirm → `import_confirm` writes it. Both run in the background with
# the plan importer's runner (KEHOACH_JOBS): "sync" runs them in the request, "thread" — and "worker",
# until `kehoach worker` claims register imports too — in a daemon thread of the web process once the
# request has committed. Files of at most INLINE_MAX_ROWS rows run in the request whatever the mode.
#
# Progress of the check and of the re-reading before the write is kept on the record with a cheap
# UPDATE. The write itself is one transaction, which no other connection sees before it ends, so its
# progress goes to a small file next to the upload (“<file>.progress”) that the progress page reads.

INLINE_MAX_ROWS = 200
INLINE_MAX_BYTES = 256 * 1024  # larger files are never read in the request
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
SYSTEM_ERROR = "Không xử lý được tệp do lỗi của hệ thống; hãy thử lại hoặc báo quản trị hệ thống."


class Cancelled(Exception):
    """The import was cancelled (deleted) while it ran."""


def can_handle(user, record: RegisterImport) -> bool:
    """Who may see, confirm and cancel an import: the person who uploaded it and đầu mối of its unit."""
    if not user.is_authenticated:
        return False
    return record.created_by_id == user.pk or access_for(user).acts_for(record.unit, Role.COORDINATOR)


def ensure_can_handle(user, record: RegisterImport) -> None:
    if not can_handle(user, record):
        raise PermissionDenied(
            "Chỉ người tải tệp lên hoặc cán bộ đầu mối của đơn vị mới được xem phiên nhập này."
        )


def is_stale(record: RegisterImport, now: datetime.datetime | None = None) -> bool:
    """Still "running" long after its last sign of life: the server restarted in the middle."""
    if not record.is_running:
        return False
    last = record.updated_at
    if (mtime := _progress_mtime(record)) is not None:
        last = max(last, mtime)
    return last < (now or timezone.now()) - STALE_AFTER


def _update(pk: int, *, expect: str | None = None, **fields) -> bool:
    records = RegisterImport.objects.filter(pk=pk)
    if expect is not None:
        records = records.filter(status=expect)
    return records.update(**fields, updated_at=timezone.now()) == 1


def _is_small(upload: UploadedFile, name: str) -> bool:
    """At most INLINE_MAX_ROWS rows: checked in the request. Large files are not read here at all."""
    if upload.size > INLINE_MAX_BYTES:
        return False
    data = upload.read()
    upload.seek(0)
    try:
        table = read_table(data, name)
    except ImportFileError:
        return True  # the check reports it at once
    return sum(1 for row in table if any(str(c or "").strip() for c in row)) <= INLINE_MAX_ROWS + 1


def import_upload(*, actor, spec: RegisterSpec, upload: UploadedFile, unit: Unit) -> RegisterImport:
    """Store the file and check it. Replaces the person's earlier imports of the register that are
    not running, as the one open import of that register."""
    ensure_can_keep(actor, unit)
    name = (upload.name or "tệp")[:255]
    if upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError(f"Tệp “{name}” lớn hơn {MAX_UPLOAD_BYTES // (1024 * 1024)} MB.")
    inline = _is_small(upload, name)
    for earlier in RegisterImport.objects.filter(created_by=actor, slug=spec.slug).exclude(
        status__in=RUNNING
    ):
        _delete(earlier)
    record = RegisterImport(
        slug=spec.slug,
        owner_unit=owner_unit_for(unit),
        unit=unit,
        created_by=actor,
        original_name=name,
        size=upload.size,
    )
    record.file.save(name, upload, save=False)
    try:
        record.save()
    except Exception:
        # The file is written before its row; a failed insert must not leave it behind.
        record.file.storage.delete(record.file.name)
        raise
    _start(import_check, record.pk, inline=inline)
    record.refresh_from_db()
    return record


def import_recheck(*, actor, record: RegisterImport) -> RegisterImport:
    """Check the stored file again (after an error, a cut-off run, or a change in the register)."""
    ensure_can_handle(actor, record)
    if record.status == Status.WRITTEN or (record.is_running and not is_stale(record)):
        raise ValidationError("Phiên nhập này không kiểm tra lại được.")
    if not record.file:
        raise ValidationError("Không còn tệp đã tải lên; hãy tải lên lại.")
    _update(record.pk, status=Status.QUEUED, progress=0, processed=0, message="")
    _start(
        import_check, record.pk, inline=record.total <= INLINE_MAX_ROWS and record.size <= INLINE_MAX_BYTES
    )
    record.refresh_from_db()
    return record


def import_confirm(*, actor, record: RegisterImport) -> RegisterImport:
    """Write a checked file into the register: every row in one transaction, or none."""
    ensure_can_handle(actor, record)
    if record.status == Status.WRITTEN:
        raise ValidationError("Tệp này đã được ghi vào sổ.")
    if record.status == Status.CHECKED and record.error_count:
        raise ValidationError("Tệp còn lỗi: hãy sửa các dòng được nêu rồi tải lên lại. Chưa ghi dòng nào.")
    if record.status == Status.CHECKED and not record.total:
        raise ValidationError("Tệp không có dòng dữ liệu nào để ghi.")
    # Only from "checked": a write cut off by a restart is checked again first ("Kiểm tra lại").
    started = RegisterImport.objects.filter(pk=record.pk, status=Status.CHECKED, error_count=0).update(
        status=Status.WRITING,
        confirmed_by=actor,
        progress=0,
        processed=0,
        message="",
        updated_at=timezone.now(),
    )
    if not started:
        raise ValidationError("Phiên nhập này chưa sẵn sàng để ghi (đang kiểm tra, đang ghi hoặc có lỗi).")
    _start(import_write, record.pk, inline=record.total <= INLINE_MAX_ROWS)
    record.refresh_from_db()
    return record


def import_cancel(*, actor, record: RegisterImport) -> None:
    """Delete the import and its file. Not while its rows are being written."""
    ensure_can_handle(actor, record)
    if record.status == Status.WRITING and not is_stale(record):
        raise ValidationError("Đang ghi vào sổ: không hủy được. Hãy chờ ghi xong.")
    _delete(record)


def _delete(record: RegisterImport) -> None:
    deleted, _ = (
        RegisterImport.objects.filter(pk=record.pk)
        .exclude(status=Status.WRITING, updated_at__gte=timezone.now() - STALE_AFTER)
        .delete()
    )
    if not deleted:
        raise ValidationError("Đang ghi vào sổ: không hủy được. Hãy chờ ghi xong.")
    _remove_files(record)


def _remove_files(record: RegisterImport) -> None:
    if record.file:
        record.file.storage.delete(record.file.name)
    _progress_clear(record)


# Running ----------------------------------------------------------------------------------------


def _crashed(pk: int) -> None:
    # Never leave an import "running" because its thread died.
    RegisterImport.objects.filter(pk=pk, status__in=RUNNING).update(
        status=Status.ERROR, progress=100, message=SYSTEM_ERROR, updated_at=timezone.now()
    )


def _start(target: Callable[[int], None], pk: int, *, inline: bool) -> None:
    run_after_commit(target, pk, name=f"kehoach-so-{pk}", on_crash=_crashed, inline=inline)


def _read_file(record: RegisterImport) -> bytes:
    if not record.file:
        raise FileNotFoundError(record.pk)
    with record.file.open("rb") as handle:
        return handle.read()


def _preview(spec: RegisterSpec, rows: list[ParsedRow]) -> list[dict[str, Any]]:
    return [
        {
            "number": row.number,
            "cells": [row.cells.get(column.field, "") for column in spec.columns],
            "bad": bool(row.errors),
        }
        for row in rows[:PREVIEW_ROWS]
    ]


def _percent(done: int, total: int, start: int = 0, end: int = 99) -> int:
    return start + (end - start) * done // total if total else start


def _report(pk: int, status: str, **fields) -> None:
    """Progress on the record; Cancelled when the record is gone. A busy database skips one report:
    progress is not worth failing the import for."""
    try:
        updated = _update(pk, expect=status, **fields)
    except OperationalError:
        log.warning("Register import %s: progress not recorded (database busy)", pk, exc_info=True)
        return
    if not updated:
        raise Cancelled


def import_check(pk: int) -> None:
    """Read and validate the stored file; the record gets the counts, the row errors and the preview."""
    record = RegisterImport.objects.select_related("owner_unit", "unit").filter(pk=pk).first()
    if record is None or record.status not in (Status.QUEUED, Status.CHECKING):
        return
    if not _update(pk, expect=record.status, status=Status.CHECKING, progress=0, processed=0, message=""):
        return

    def progress(done: int, total: int) -> None:
        _report(pk, Status.CHECKING, processed=done, total=total, progress=_percent(done, total))

    spec = REGISTRY[record.slug]
    try:
        rows = parse(
            spec,
            _read_file(record),
            record.original_name,
            owner=record.owner_unit,
            default_unit=record.unit,
            progress=progress,
        )
    except Cancelled:
        return
    except ImportFileError as error:
        message = str(error)
    except FileNotFoundError:
        message = "Không còn tệp đã tải lên; hãy tải lên lại."
    except Exception:
        log.exception("Register import %s: the check failed", pk)
        message = SYSTEM_ERROR
    else:
        errors = [e for r in rows for e in r.errors]
        _update(
            pk,
            expect=Status.CHECKING,
            status=Status.CHECKED,
            progress=100,
            total=len(rows),
            processed=len(rows),
            errors=errors[:MAX_ERRORS],
            error_count=len(errors),
            preview=_preview(spec, rows),
            message="",
        )
        return
    _update(pk, expect=Status.CHECKING, status=Status.ERROR, progress=100, message=message)


def import_write(pk: int) -> None:
    """Read the file again (0–50 %), then write every row in one transaction (50–100 %), or none."""
    record = RegisterImport.objects.select_related("owner_unit", "unit", "confirmed_by").filter(pk=pk).first()
    if record is None or record.status != Status.WRITING:
        return
    spec = REGISTRY[record.slug]

    def reading(done: int, total: int) -> None:
        _report(pk, Status.WRITING, processed=done, total=total, progress=_percent(done, total, 0, 50))

    def writing(done: int, total: int) -> None:
        _progress_write(record, done)

    errors: list[str] = []
    try:
        rows = parse(
            spec,
            _read_file(record),
            record.original_name,
            owner=record.owner_unit,
            default_unit=record.unit,
            progress=reading,
            validate=False,
        )
        errors = [e for r in rows for e in r.errors]
        if errors:
            raise ValidationError(errors)
        _progress_write(record, 0)
        with transaction.atomic():
            created = commit(actor=record.confirmed_by, spec=spec, rows=rows, progress=writing)
            message = f"Đã nhập {len(created)} dòng vào sổ {spec.title.lower()}."
            # In the same transaction as the rows: the record says "written" exactly when they are.
            if not _update(
                pk,
                expect=Status.WRITING,
                status=Status.WRITTEN,
                progress=100,
                processed=len(created),
                message=message,
                file="",
            ):
                raise Cancelled
    except Cancelled:
        _progress_clear(record)
        return
    except ValidationError as error:
        message = (
            f"Khi ghi, tệp có {len(errors)} lỗi (dữ liệu của sổ đã thay đổi từ lúc kiểm tra). "
            "Chưa ghi dòng nào."
            if errors
            else " ".join(error.messages) + " Chưa ghi dòng nào."
        )
    except (PermissionDenied, ImportFileError) as error:
        message = f"{error} Chưa ghi dòng nào."
    except FileNotFoundError:
        message = "Không còn tệp đã tải lên; hãy tải lên lại."
    except Exception:
        log.exception("Register import %s: the write failed", pk)
        message = SYSTEM_ERROR + " Chưa ghi dòng nào."
    else:
        # The rows are in the register: the uploaded file is not kept.
        _remove_files(record)
        return
    _progress_clear(record)
    _update(
        pk,
        expect=Status.WRITING,
        status=Status.ERROR,
        progress=100,
        message=message,
        **({"errors": errors[:MAX_ERRORS], "error_count": len(errors)} if errors else {}),
    )


# Progress of the write, outside the database transaction ------------------------------------------


def _progress_path(record: RegisterImport) -> str | None:
    if not record.file:
        return None
    try:
        return record.file.storage.path(record.file.name) + ".progress"
    except NotImplementedError:  # a storage without local files: the write shows no progress
        return None


def _progress_write(record: RegisterImport, done: int) -> None:
    if (path := _progress_path(record)) is None:
        return
    try:
        with open(path + ".tmp", "w", encoding="ascii") as handle:
            handle.write(str(done))
        os.replace(path + ".tmp", path)
    except OSError:
        log.warning("Register import %s: could not record the write progress", record.pk, exc_info=True)


def _progress_clear(record: RegisterImport) -> None:
    if (path := _progress_path(record)) is not None:
        for name in (path, path + ".tmp"):
            with contextlib.suppress(OSError):
                os.remove(name)


def _progress_mtime(record: RegisterImport) -> datetime.datetime | None:
    if record.status != Status.WRITING or (path := _progress_path(record)) is None:
        return None
    try:
        return datetime.datetime.fromtimestamp(os.path.getmtime(path), tz=datetime.UTC)
    except OSError:
        return None


def written_so_far(record: RegisterImport) -> int | None:
    """Rows written so far by a running write; None while the file is still being read again."""
    if record.status != Status.WRITING or (path := _progress_path(record)) is None:
        return None
    try:
        with open(path, encoding="ascii") as handle:
            return int(handle.read() or 0)
    except (OSError, ValueError):
        return None
