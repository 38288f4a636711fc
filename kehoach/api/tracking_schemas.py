"""Schemas of the tracking API (periods, progress reports, indicator data, evidence) and input cleaning.

Output: English field names, stable codes beside Vietnamese `*_label`s, like `schemas`.

Input: write bodies are read leniently and cleaned here, so that every bad value is answered with a
Vietnamese message naming its field, in the same shape as the services' errors
(`{"detail": …, "errors": {"field": ["…"]}}`): numbers as JSON numbers or strings ("12,5" or "12.5"),
dates as YYYY-MM-DD or dd/mm/yyyy. Their OpenAPI types are declared by hand for the same reason.
"""

import datetime
import re
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.text import capfirst
from ninja import Field, Schema
from pydantic import BaseModel, ConfigDict

from kehoach.tracking.choices import PeriodKind, ReportStatus
from kehoach.tracking.models import Evidence, Measurement, Period, ProgressReport
from kehoach.tracking.services.measurements import FIELDS as MEASUREMENT_FIELDS
from kehoach.tracking.services.progress import FIELDS as PROGRESS_FIELDS

from .schemas import PlanRef, UnitRef


# References ----------------------------------------------------------------------------------------
class UserRef(Schema):
    id: int
    username: str
    full_name: str

    @staticmethod
    def resolve_full_name(obj) -> str:
        return obj.get_full_name()


class PeriodRef(Schema):
    id: int
    label: str
    kind: str


class TaskRef(Schema):
    id: int
    position: int
    title: str
    output: str


class IndicatorRef(Schema):
    id: int
    code: str
    name: str
    unit: str = Field(..., alias="unit_of_measure")
    is_rate: bool


# Periods -------------------------------------------------------------------------------------------
class PeriodOut(Schema):
    id: int
    plan_id: int
    kind: str
    kind_label: str
    year: int
    number: int
    label: str
    starts_on: datetime.date = Field(..., description="Số liệu tính từ ngày")
    ends_on: datetime.date = Field(..., description="Ngày chốt số liệu")
    due_on: datetime.date = Field(..., description="Hạn gửi báo cáo")
    closed: bool = Field(..., description="Đã khóa sổ")
    closed_at: datetime.datetime | None
    closed_by: UserRef | None

    @staticmethod
    def resolve_kind_label(obj: Period) -> str:
        return obj.get_kind_display()

    @staticmethod
    def resolve_closed(obj: Period) -> bool:
        return obj.is_closed


# Evidence ------------------------------------------------------------------------------------------
class EvidenceOut(Schema):
    id: int
    name: str = Field(..., alias="original_name")
    content_type: str
    size: int = Field(..., description="Dung lượng (byte)")
    description: str
    is_output: bool = Field(..., description="Là kết quả/sản phẩm của nhiệm vụ")
    uploaded_at: datetime.datetime
    uploaded_by: UserRef | None
    url: str = Field(..., description="Trang tải tệp (đăng nhập bằng trình duyệt)")
    download_url: str = Field(..., description="Tải tệp qua API (mã truy cập hoặc phiên đăng nhập)")

    @staticmethod
    def resolve_url(obj: Evidence) -> str:
        return obj.get_absolute_url()

    @staticmethod
    def resolve_download_url(obj: Evidence) -> str:
        from django.urls import reverse

        return reverse("api:evidence_file", args=[obj.pk])


# Reports and figures -------------------------------------------------------------------------------
class WorkflowOut(Schema):
    status: str
    status_label: str
    return_reason: str
    submitted_at: datetime.datetime | None
    submitted_by: UserRef | None
    reviewed_at: datetime.datetime | None
    reviewed_by: UserRef | None
    version: int = Field(..., description="Gửi lại khi sửa (PATCH); bản cũ hơn bị từ chối với mã 409")
    locked: bool = Field(..., description="Đã chấp nhận hoặc kỳ đã khóa sổ")
    editable: bool = Field(..., description="Đơn vị còn sửa được: nháp hoặc bị trả lại, kỳ chưa khóa sổ")
    url: str = Field(..., description="Trang của bản ghi trên giao diện web")

    @staticmethod
    def resolve_status_label(obj) -> str:
        return obj.get_status_display()

    @staticmethod
    def resolve_locked(obj) -> bool:
        return obj.is_locked

    @staticmethod
    def resolve_editable(obj) -> bool:
        return obj.is_editable_by_unit

    @staticmethod
    def resolve_url(obj) -> str:
        return obj.get_absolute_url()


class ProgressReportOut(WorkflowOut):
    id: int
    plan_id: int
    task: TaskRef
    period: PeriodRef
    unit: UnitRef
    role: str
    role_label: str
    percent_complete: int
    results: str
    outputs: str
    output_delivered: bool
    completed_on: datetime.date | None
    difficulties: str
    proposals: str
    next_steps: str

    @staticmethod
    def resolve_plan_id(obj: ProgressReport) -> int:
        return obj.period.plan_id

    @staticmethod
    def resolve_role_label(obj: ProgressReport) -> str:
        return obj.get_role_display()


class ProgressReportDetailOut(ProgressReportOut):
    evidence: list[EvidenceOut]

    @staticmethod
    def resolve_evidence(obj: ProgressReport) -> list[Evidence]:
        return list(obj.evidence.all())


class MeasurementOut(WorkflowOut):
    id: int
    plan_id: int
    indicator: IndicatorRef
    period: PeriodRef
    unit: UnitRef
    value: float | None = Field(..., description="Giá trị lũy kế từ đầu năm đến ngày chốt số liệu")
    numerator: float | None
    denominator: float | None
    source: str
    note: str

    @staticmethod
    def resolve_plan_id(obj: Measurement) -> int:
        return obj.period.plan_id


class MeasurementDetailOut(MeasurementOut):
    evidence: list[EvidenceOut]

    @staticmethod
    def resolve_evidence(obj: Measurement) -> list[Evidence]:
        return list(obj.evidence.all())


class PeriodFilters(Schema):
    kind: PeriodKind | None = Field(None, description="Loại kỳ: thang, quy, 6thang, 9thang, nam")
    year: int | None = Field(None, description="Năm của kỳ")
    closed: bool | None = Field(None, description="true: các kỳ đã khóa sổ; false: các kỳ còn mở")


class ProgressReportFilters(Schema):
    plan: int | None = Field(None, description="Mã kế hoạch")
    period: int | None = Field(None, description="Mã kỳ báo cáo")
    task: int | None = Field(None, description="Mã nhiệm vụ")
    unit: int | None = Field(None, description="Mã đơn vị báo cáo")
    status: ReportStatus | None = Field(None, description="Trạng thái báo cáo")


class MeasurementFilters(Schema):
    plan: int | None = Field(None, description="Mã kế hoạch")
    period: int | None = Field(None, description="Mã kỳ báo cáo")
    indicator: int | None = Field(None, description="Mã chỉ tiêu")
    unit: int | None = Field(None, description="Mã đơn vị báo cáo")
    status: ReportStatus | None = Field(None, description="Trạng thái số liệu")


# Desk and missing data -----------------------------------------------------------------------------
class SlotOut(Schema):
    unit: UnitRef
    role: str
    role_label: str
    state: str = Field(..., description="chua_lap (chưa lập) hoặc trạng thái của bản ghi")
    state_label: str
    record_id: int | None = Field(..., description="Mã báo cáo tiến độ / số liệu, nếu đã lập")
    version: int | None
    percent_complete: int | None = None
    value: float | None = None


class DeskTaskOut(Schema):
    task: TaskRef
    due_on: datetime.date | None
    status: str
    status_label: str
    reports: list[SlotOut]


class DeskIndicatorOut(Schema):
    indicator: IndicatorRef
    value: float | None = Field(..., description="Giá trị gộp từ số liệu đã chấp nhận của các đơn vị")
    assessment: str
    assessment_label: str
    measurements: list[SlotOut]


class DeskOut(Schema):
    plan: PlanRef
    period: PeriodOut
    can_review: bool = Field(..., description="Người dùng là đầu mối của kế hoạch: được duyệt, khóa sổ")
    tasks: list[DeskTaskOut]
    indicators: list[DeskIndicatorOut]


SlotState = Literal["chua_lap", "nhap", "da_gui", "tra_lai", "chap_nhan"]


class DeskFilters(Schema):
    unit: int | None = Field(None, description="Chỉ các đơn vị có mã này")
    state: SlotState | None = Field(None, description="Chỉ các ô có trạng thái này")


class MissingItemOut(Schema):
    id: int
    title: str
    role: str
    role_label: str
    state: str
    state_label: str
    record_id: int | None


class MissingUnitOut(Schema):
    unit: UnitRef
    tasks: list[MissingItemOut]
    indicators: list[MissingItemOut]


class MissingOut(Schema):
    plan: PlanRef
    period: PeriodOut
    overdue: bool = Field(..., description="Đã quá hạn gửi báo cáo của kỳ")
    units: list[MissingUnitOut]


# Errors --------------------------------------------------------------------------------------------
class FieldErrorsOut(Schema):
    detail: str
    errors: dict[str, list[str]] = Field(..., description="Tên trường → các lỗi; lỗi chung ở “__all__”")


class ChangeOut(Schema):
    field: str
    label: str
    current: Any = Field(..., description="Giá trị đang lưu (do người khác vừa lưu)")
    yours: Any = Field(..., description="Giá trị bạn gửi")


class ConflictOut(Schema):
    detail: str
    current_version: int
    changes: list[ChangeOut]


# Input ---------------------------------------------------------------------------------------------
INTEGER = {"type": "integer"}
NUMBER = {"anyOf": [{"type": "number"}, {"type": "string", "examples": ["12,5"]}, {"type": "null"}]}
TEXT = {"type": "string"}
DATE = {"anyOf": [{"type": "string", "format": "date"}, {"type": "null"}]}


def _documented(*required: str) -> ConfigDict:
    # Unknown keys are kept to be refused by name; the documentation says they are not allowed.
    return ConfigDict(
        extra="allow", json_schema_extra={"additionalProperties": False, "required": list(required)}
    )


class LenientIn(BaseModel):
    """Fields typed Any so that cleaning (below) answers bad values in Vietnamese; extra keys are kept
    to be refused by name rather than silently ignored (a plain pydantic model: ninja's Schema reads
    its input through attribute access and would drop them)."""

    model_config = _documented()


class ProgressReportOpenIn(LenientIn):
    model_config = _documented("task", "period", "unit")
    task: Any = Field(None, description="Mã nhiệm vụ", json_schema_extra=INTEGER)
    period: Any = Field(None, description="Mã kỳ báo cáo", json_schema_extra=INTEGER)
    unit: Any = Field(None, description="Mã đơn vị báo cáo", json_schema_extra=INTEGER)


class MeasurementOpenIn(LenientIn):
    model_config = _documented("indicator", "period", "unit")
    indicator: Any = Field(None, description="Mã chỉ tiêu", json_schema_extra=INTEGER)
    period: Any = Field(None, description="Mã kỳ báo cáo", json_schema_extra=INTEGER)
    unit: Any = Field(None, description="Mã đơn vị báo cáo", json_schema_extra=INTEGER)


VERSION_HELP = "Phiên bản của bản ghi lúc bắt đầu sửa (trường “version” khi đọc); bắt buộc"


class ProgressReportPatchIn(LenientIn):
    model_config = _documented("version")
    version: Any = Field(None, description=VERSION_HELP, json_schema_extra=INTEGER)
    percent_complete: Any = Field(
        None, description="0–100", json_schema_extra={"type": "integer", "minimum": 0, "maximum": 100}
    )
    results: Any = Field(None, json_schema_extra=TEXT)
    outputs: Any = Field(None, json_schema_extra=TEXT)
    output_delivered: Any = Field(
        None, description="Chỉ đơn vị chủ trì", json_schema_extra={"type": "boolean"}
    )
    completed_on: Any = Field(None, description="YYYY-MM-DD hoặc dd/mm/yyyy", json_schema_extra=DATE)
    difficulties: Any = Field(None, json_schema_extra=TEXT)
    proposals: Any = Field(None, json_schema_extra=TEXT)
    next_steps: Any = Field(None, json_schema_extra=TEXT)


class MeasurementPatchIn(LenientIn):
    model_config = _documented("version")
    version: Any = Field(None, description=VERSION_HELP, json_schema_extra=INTEGER)
    value: Any = Field(None, description="Giá trị lũy kế", json_schema_extra=NUMBER)
    numerator: Any = Field(None, description="Tử số (chỉ tiêu tỷ lệ)", json_schema_extra=NUMBER)
    denominator: Any = Field(None, description="Mẫu số (chỉ tiêu tỷ lệ)", json_schema_extra=NUMBER)
    source: Any = Field(None, description="Nguồn số liệu", json_schema_extra=TEXT)
    note: Any = Field(None, json_schema_extra=TEXT)


class ReasonIn(LenientIn):
    model_config = _documented("reason")
    reason: Any = Field(None, description="Lý do (bắt buộc)", json_schema_extra=TEXT)


# Cleaning ------------------------------------------------------------------------------------------
NUMBER_TEXT = re.compile(r"-?\d+(?:\.\d+)?")
MAX_DIGITS, DECIMAL_PLACES = 16, 2


def _label(model: type[models.Model], name: str) -> str:
    return capfirst(str(model._meta.get_field(name).verbose_name))


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"\s*-?\d+\s*", value):
        return int(value)
    return None


def _as_decimal(value: Any, label: str) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    number = None
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = Decimal(str(value))
    elif isinstance(value, str):
        text = value.strip().replace(" ", "").replace("\u00a0", "")
        if "," in text and "." not in text and text.count(",") == 1:
            text = text.replace(",", ".")
        if NUMBER_TEXT.fullmatch(text):
            number = Decimal(text)
    if number is None or not number.is_finite():
        raise ValueError(f"{label} phải là số (ví dụ 12 hoặc 12,5), không có chữ.")
    try:
        exponent = int(number.as_tuple().exponent)
    except (TypeError, InvalidOperation):  # pragma: no cover - finite decimals have an int exponent
        exponent = 0
    if exponent < -DECIMAL_PLACES and number != number.quantize(Decimal(1).scaleb(-DECIMAL_PLACES)):
        raise ValueError(f"{label} có tối đa {DECIMAL_PLACES} chữ số sau dấu thập phân.")
    if abs(number) >= Decimal(10) ** (MAX_DIGITS - DECIMAL_PLACES):
        raise ValueError(f"{label} quá lớn.")
    return number


def _as_date(value: Any, label: str) -> datetime.date | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, str):
        for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
            try:
                return datetime.datetime.strptime(value.strip(), fmt).date()
            except ValueError:
                continue
    raise ValueError(f"{label} không hợp lệ: ghi theo dạng dd/mm/yyyy hoặc YYYY-MM-DD.")


def _as_text(value: Any, label: str, max_length: int | None) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValueError(f"{label} phải là chuỗi ký tự.")
    if max_length and len(value) > max_length:
        raise ValueError(f"{label} dài tối đa {max_length} ký tự (đang có {len(value)}).")
    return value


def _clean_value(model: type[models.Model], name: str, value: Any) -> Any:
    field = model._meta.get_field(name)
    label = _label(model, name)
    if isinstance(field, models.DecimalField):
        return _as_decimal(value, label)
    if isinstance(field, models.DateField):
        return _as_date(value, label)
    if isinstance(field, models.BooleanField):
        if not isinstance(value, bool):
            raise ValueError(f"{label}: phải là true hoặc false.")
        return value
    if isinstance(field, models.IntegerField):
        number = _as_int(value)
        if number is None:
            raise ValueError(f"{label} phải là số nguyên.")
        return number
    return _as_text(value, label, field.max_length)


def _refuse_unknown(payload: LenientIn, errors: dict[str, list[str]]) -> None:
    for name in payload.model_extra or {}:
        errors[name] = [f"Trường “{name}” không có hoặc không sửa được qua API."]


def clean_update(
    payload: ProgressReportPatchIn | MeasurementPatchIn,
) -> tuple[dict[str, Any], int]:
    """(fields to save, version) from a PATCH body, or a ValidationError naming every bad field."""
    model, fields = (
        (ProgressReport, PROGRESS_FIELDS)
        if isinstance(payload, ProgressReportPatchIn)
        else (Measurement, MEASUREMENT_FIELDS)
    )
    errors: dict[str, list[str]] = {}
    _refuse_unknown(payload, errors)
    data: dict[str, Any] = {}
    sent = payload.model_fields_set
    for name in fields:
        if name not in sent:
            continue
        try:
            data[name] = _clean_value(model, name, getattr(payload, name))
        except ValueError as error:
            errors[name] = [str(error)]
    version = _as_int(payload.version)
    if payload.version is None:
        errors["version"] = [
            "Cần gửi “version”: phiên bản của bản ghi lúc bạn bắt đầu sửa, để không ghi đè thay đổi "
            "của người khác."
        ]
    elif version is None or version < 1:
        errors["version"] = ["“version” phải là số nguyên dương."]
    if errors:
        raise ValidationError(errors)
    return data, version  # type: ignore[return-value]


def clean_ids(payload: LenientIn, labels: dict[str, str]) -> dict[str, int]:
    """The integer ids a create body names (`labels`: field → Vietnamese name), or a ValidationError."""
    errors: dict[str, list[str]] = {}
    _refuse_unknown(payload, errors)
    ids: dict[str, int] = {}
    for name, label in labels.items():
        value = getattr(payload, name)
        number = _as_int(value)
        if value is None:
            errors[name] = [f"Cần chọn {label}."]
        elif number is None or number < 1:
            errors[name] = [f"Mã {label} phải là số nguyên dương."]
        else:
            ids[name] = number
    if errors:
        raise ValidationError(errors)
    return ids


def clean_reason(payload: ReasonIn | None) -> str:
    if payload is None:
        return ""
    errors: dict[str, list[str]] = {}
    _refuse_unknown(payload, errors)
    try:
        reason = _as_text(payload.reason, "Lý do", None)
    except ValueError as error:
        errors["reason"] = [str(error)]
    if errors:
        raise ValidationError(errors)
    return reason


TRUE_WORDS = frozenset({"true", "1", "on", "yes", "co", "có"})
FALSE_WORDS = frozenset({"", "false", "0", "off", "no", "khong", "không"})


def clean_flag(value: str | None, name: str) -> bool:
    text = (value or "").strip().lower()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise ValidationError({name: [f"“{name}” phải là true hoặc false."]})
