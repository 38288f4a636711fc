"""The registers part of the API: every register of `REGISTRY` read and written row by row, and the
indicator figures computed from them.

Nothing here names a register: endpoints are driven by the specs, so a register declared in
`kehoach.registers.specs` gets its endpoints without code here. Rows are read as the pages list them
(readable by the user, filtered by the register's filter set) and written through `row_save` /
`row_delete`, so permission (403), validation and duplicates (422, Vietnamese messages per field) and
the audit trail are those of the pages and imports. Input values are converted per column kind as an
import converts cells (`io.convert`): numbers "12,5" or 12.5, dates dd/mm/yyyy or YYYY-MM-DD, choices
by code or label, units by name or id.
"""

import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.db import models
from django.db.models.fields.files import FieldFile
from django.http import Http404, HttpRequest
from ninja import Body, Field, Query, Router, Schema
from ninja.pagination import PageNumberPagination, paginate

from kehoach.plans.models import Indicator
from kehoach.plans.permissions import ensure_can_read
from kehoach.plans.services.plans import owner_unit_for
from kehoach.registers.io import convert
from kehoach.registers.models import IndicatorBinding
from kehoach.registers.permissions import keeping_units
from kehoach.registers.registry import REGISTRY, Column, RegisterSpec
from kehoach.registers.services.computed import compute
from kehoach.registers.services.rows import row_delete, row_save
from kehoach.tracking.models import Measurement, Period
from kehoach.units.access import access_for
from kehoach.units.models import Unit, User

from .schemas import ErrorOut
from .tracking_schemas import FieldErrorsOut, IndicatorRef, PeriodRef

router = Router()

PAGE = {"page_size": settings.KEHOACH_PAGE_SIZE, "max_page_size": 200}
READ = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut}
WRITE = {**READ, 422: FieldErrorsOut}
REGISTERS = ["Sổ theo dõi"]
COMPUTED = ["Số liệu chỉ tiêu"]

# Every register row has its keeping unit; registers whose file has no "Đơn vị" column still take it.
UNIT_COLUMN = Column("unit", "Đơn vị", kind="unit")


def _user(request: HttpRequest) -> User:
    # TokenAuth and django_auth both return the user; request.user stays anonymous for token requests.
    return request.auth  # type: ignore[attr-defined]


# Schemas --------------------------------------------------------------------------------------------
class ChoiceOut(Schema):
    code: str
    label: str


class ColumnOut(Schema):
    field: str = Field(..., description="Tên trường trong `fields` của mỗi dòng và trong nội dung gửi lên")
    header: str = Field(..., description="Tên cột tiếng Việt, như trong tệp nhập/xuất")
    kind: str = Field(..., description="text, int, decimal, date, bool, choice, unit")
    required: bool
    help: str
    choices: list[ChoiceOut] | None = Field(None, description="Các giá trị của cột kiểu choice")


class RegisterOut(Schema):
    slug: str
    title: str
    verbose_name: str
    feeds: str = Field(..., description="Chỉ tiêu được tính từ sổ này")
    identity: list[str] = Field(..., description="Các trường nhận diện một dòng: trùng thì bị từ chối")
    columns: list[ColumnOut]


class UnitBrief(Schema):
    id: int
    name: str


class RowOut(Schema):
    id: int
    url: str = Field(..., description="Trang chi tiết của dòng trên giao diện")
    unit: UnitBrief = Field(..., description="Đơn vị theo dõi")
    owner_unit_id: int = Field(..., description="Xã, phường của dòng")
    created_at: datetime.datetime
    updated_at: datetime.datetime
    fields: dict[str, Any] = Field(
        ...,
        description=(
            "Giá trị từng cột của sổ (xem `columns` của GET /registers): ngày dạng YYYY-MM-DD, số dạng số, "
            "cột lựa chọn là mã kèm `<trường>_label`, đơn vị và dòng liên kết dạng {id, name}."
        ),
    )


class ComputedRowOut(Schema):
    label: str
    url: str


class OverrideOut(Schema):
    value: float | None = Field(..., description="Giá trị đầu mối điều chỉnh")
    reason: str


class ComputedOut(Schema):
    indicator: IndicatorRef
    period: PeriodRef
    computation: str = Field(..., description="Mã cách tính")
    computation_label: str
    value: float | None = Field(..., description="Giá trị tính từ sổ theo dõi")
    numerator: float | None
    denominator: float | None
    method: str = Field(..., description="Cách tính, một câu tiếng Việt")
    rows: list[ComputedRowOut] = Field(..., description="Các dòng của sổ được tính (tối đa 500)")
    count: int = Field(..., description="Số dòng được tính")
    computed_at: str | None
    override: OverrideOut | None = Field(..., description="Điều chỉnh của đầu mối (có lý do), nếu có")
    final_value: float | None = Field(..., description="Số liệu dùng để đánh giá: giá trị điều chỉnh nếu có")
    measurement_id: int | None
    stored: bool = Field(..., description="false khi kỳ chưa có số liệu lưu: giá trị vừa tính từ sổ")


# Registers ------------------------------------------------------------------------------------------
def _spec(slug: str) -> RegisterSpec:
    try:
        return REGISTRY[slug]
    except KeyError as exc:
        raise Http404("Không có sổ theo dõi này.") from exc


def _columns(spec: RegisterSpec) -> dict[str, Column]:
    columns = {column.field: column for column in spec.columns}
    columns.setdefault("unit", UNIT_COLUMN)
    return columns


def _choices(spec: RegisterSpec, column: Column) -> list[tuple[Any, Any]]:
    return list(spec.model._meta.get_field(column.field).choices or [])


def _register(spec: RegisterSpec) -> dict[str, Any]:
    return {
        "slug": spec.slug,
        "title": spec.title,
        "verbose_name": spec.verbose_name,
        "feeds": spec.feeds,
        "identity": list(spec.identity),
        "columns": [
            {
                "field": c.field,
                "header": c.header,
                "kind": c.kind,
                "required": c.required,
                "help": c.help,
                "choices": (
                    [{"code": str(code), "label": str(label)} for code, label in _choices(spec, c)]
                    if c.kind == "choice"
                    else None
                ),
            }
            for c in spec.columns
        ],
    }


@router.get(
    "/registers",
    response={200: list[RegisterOut], 401: ErrorOut},
    tags=REGISTERS,
    summary="Các sổ theo dõi và cột của từng sổ",
)
def register_list(request: HttpRequest) -> list[dict[str, Any]]:
    return [_register(spec) for spec in REGISTRY.values()]


# Rows: output ----------------------------------------------------------------------------------------
def _plain(column: Column, value: Any) -> Any:
    """A column's value as JSON: ISO dates, numbers, codes, related rows as {id, name}."""
    if value is None:
        return None
    if isinstance(value, Unit):
        return {"id": value.pk, "name": value.name}
    if isinstance(value, models.Model):
        return {"id": value.pk, "name": column.show(value) if column.show else str(value)}
    if isinstance(value, FieldFile):
        return value.name or None
    if isinstance(value, datetime.date):  # datetimes too
        return value.isoformat()
    if isinstance(value, Decimal):
        return int(value) if column.kind == "int" else float(value)
    if isinstance(value, bool | int | float):
        return value
    return str(value)


def _row(spec: RegisterSpec, obj: models.Model) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for column in spec.columns:
        value = getattr(obj, column.field)
        fields[column.field] = _plain(column, value)
        if column.kind == "choice":
            labels = {str(code): str(label) for code, label in _choices(spec, column)}
            fields[f"{column.field}_label"] = labels.get(str(value), "") if value not in (None, "") else ""
    return {
        "id": obj.pk,
        "url": obj.get_absolute_url(),
        "unit": {"id": obj.unit.pk, "name": obj.unit.name},
        "owner_unit_id": obj.owner_unit_id,
        "created_at": obj.created_at,
        "updated_at": obj.updated_at,
        "fields": fields,
    }


class _Serialised:
    """A queryset whose slices come out serialised by the spec; the paginator counts and slices it."""

    def __init__(self, spec: RegisterSpec, queryset: models.QuerySet) -> None:
        self.spec, self.queryset = spec, queryset

    def all(self) -> "_Serialised":
        return self

    def count(self) -> int:
        return self.queryset.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: slice) -> list[dict[str, Any]]:
        return [_row(self.spec, obj) for obj in self.queryset[index]]


def _rows(spec: RegisterSpec, user: User) -> models.QuerySet:
    queryset = spec.model.objects.readable_by(user).select_related(*spec.select_related)
    return queryset if queryset.ordered else queryset.order_by("pk")


def _object(spec: RegisterSpec, user: User, pk: int) -> models.Model:
    obj = spec.model.objects.select_related("owner_unit", *spec.select_related).filter(pk=pk).first()
    if obj is None:
        raise Http404(f"Không tìm thấy {spec.verbose_name} có mã {pk}.")
    if not access_for(user).can_read_unit(obj.owner_unit):
        raise PermissionDenied(f"Bạn không có quyền xem {spec.verbose_name} này.")
    return obj


@router.get(
    "/registers/{slug}/rows",
    response={200: list[RowOut], **WRITE},
    tags=REGISTERS,
    summary="Các dòng của một sổ theo dõi",
    description=(
        "Chỉ các dòng người dùng được xem. Bộ lọc như trên trang danh sách của sổ: `q` (tìm kiếm), `unit` "
        "(mã đơn vị) và các bộ lọc riêng của từng sổ (ví dụ sổ sáng kiến: `status`, `scope`, `year`). "
        "Bộ lọc sai trả về 422."
    ),
)
@paginate(PageNumberPagination, **PAGE)
def row_list(request: HttpRequest, slug: str) -> _Serialised:
    user = _user(request)
    spec = _spec(slug)
    filterset = spec.filterset_class(data=request.GET, queryset=_rows(spec, user), user=user)
    if not filterset.is_valid():
        raise ValidationError({name: list(messages) for name, messages in filterset.errors.items()})
    return _Serialised(spec, filterset.qs)


@router.get(
    "/registers/{slug}/rows/{row_id}",
    response={200: RowOut, **READ},
    tags=REGISTERS,
    summary="Một dòng của sổ theo dõi",
)
def row_detail(request: HttpRequest, slug: str, row_id: int) -> dict[str, Any]:
    spec = _spec(slug)
    return _row(spec, _object(spec, _user(request), row_id))


# Rows: input -----------------------------------------------------------------------------------------
def _unit_by_id(raw: Any, units: list[Unit]) -> Unit:
    unit = next((u for u in units if u.pk == int(raw)), None)
    if unit is None:
        raise ValueError(f"không tìm thấy đơn vị có mã {raw}")
    return unit


def _related_by_id(spec: RegisterSpec, column: Column, raw: Any, owner: Unit) -> models.Model:
    try:
        model_field = spec.model._meta.get_field(column.field)
    except FieldDoesNotExist:  # a column that is not a model field (a name looked up by `resolve`)
        model_field = None
    related = getattr(model_field, "related_model", None)
    if related is None:
        raise ValueError("phải ghi bằng chữ, như trong tệp nhập")
    rows = related.objects.filter(pk=raw)
    if any(f.name == "owner_unit" for f in related._meta.concrete_fields):
        rows = rows.filter(owner_unit=owner)
    obj = rows.first()
    if obj is None:
        raise ValueError(f"không tìm thấy {related._meta.verbose_name} có mã {raw}")
    return obj


def _value(spec: RegisterSpec, column: Column, raw: Any, *, owner: Unit, units: list[Unit]) -> Any:
    """A JSON value for the model field, or ValueError with the Vietnamese reason (as an import cell)."""
    is_id = isinstance(raw, int) and not isinstance(raw, bool)
    if isinstance(raw, dict):  # {"id": …, "name": …} as the rows are read: the id counts
        if not isinstance(raw.get("id"), int) or isinstance(raw.get("id"), bool):
            raise ValueError("cần ghi mã (“id”) dạng số")
        raw, is_id = raw["id"], True
        if column.kind != "unit":
            return _related_by_id(spec, column, raw, owner)
    elif isinstance(raw, list):
        raise ValueError("không nhận danh sách; hãy ghi một giá trị")
    by_id = is_id or (isinstance(raw, str) and raw.strip().isdigit())
    if column.kind == "unit" and column.resolve is None and by_id:
        return _unit_by_id(raw, units)
    return convert(column, raw, spec=spec, units=units, within=owner)


def _clean(spec: RegisterSpec, body: dict[str, Any], *, owner: Unit, creating: bool) -> dict[str, Any]:
    """The body as model values; every refused field is reported at once, named, in Vietnamese."""
    columns = _columns(spec)
    units = list(Unit.objects.subtree_of(owner))
    data: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for key, raw in body.items():
        column = columns.get(key)
        if column is None:
            base = key.removesuffix("_label")
            if base != key and base in columns and columns[base].kind == "choice":
                message = f"Trường “{key}” chỉ để đọc; hãy gửi “{base}” (mã hoặc tên của giá trị)."
            else:
                message = (
                    f"Sổ {spec.title} không có trường “{key}”. Các trường của sổ: " + ", ".join(columns) + "."
                )
            errors[key] = [message]
            continue
        try:
            data[key] = _value(spec, column, raw, owner=owner, units=units)
        except ValueError as exc:
            errors[key] = [f"{column.header}: {exc}."]
    if creating:
        for column in spec.columns:
            if column.required and column.field not in body:
                errors[column.field] = [f"{column.header}: bắt buộc, không được để trống."]
    if errors:
        raise ValidationError(errors)
    return data


def _default_unit(user: User) -> Unit:
    units = keeping_units(user)
    if not units:
        raise PermissionDenied("Bạn không thuộc đơn vị nào được cập nhật sổ theo dõi.")
    return units[0]


BODY_HELP = (
    "Nội dung JSON {trường: giá trị}, tên trường theo `columns` của GET /registers. Giá trị như trong tệp "
    "nhập: số dạng số hoặc chuỗi (“12,5”), ngày dd/mm/yyyy hoặc YYYY-MM-DD, lựa chọn bằng mã hoặc tên "
    "(“Được công nhận”), đơn vị bằng tên hoặc mã số, Có/Không hoặc true/false. Trường không có trong sổ bị "
    "từ chối."
)


@router.post(
    "/registers/{slug}/rows",
    response={201: RowOut, **WRITE},
    tags=REGISTERS,
    summary="Thêm một dòng vào sổ theo dõi",
    description=BODY_HELP + " Không ghi `unit` thì dòng thuộc đơn vị đầu tiên người dùng cập nhật sổ.",
)
def row_create(request: HttpRequest, slug: str, payload: Body[dict[str, Any]]) -> tuple[int, dict[str, Any]]:
    user = _user(request)
    spec = _spec(slug)
    default_unit = _default_unit(user)
    data = _clean(spec, payload, owner=owner_unit_for(default_unit), creating=True)
    if data.get("unit") is None:
        data["unit"] = default_unit
    obj = row_save(actor=user, spec=spec, data=data)
    return 201, _row(spec, _object(spec, user, obj.pk))


@router.patch(
    "/registers/{slug}/rows/{row_id}",
    response={200: RowOut, **WRITE},
    tags=REGISTERS,
    summary="Sửa một dòng của sổ theo dõi (chỉ gửi các trường muốn sửa)",
    description=BODY_HELP,
)
def row_update(request: HttpRequest, slug: str, row_id: int, payload: Body[dict[str, Any]]) -> dict[str, Any]:
    user = _user(request)
    spec = _spec(slug)
    obj = _object(spec, user, row_id)
    data = _clean(spec, payload, owner=obj.owner_unit, creating=False)
    if "unit" in data and data["unit"] is None:
        data.pop("unit")  # a row always has its keeping unit: an empty one leaves it as it is
    row_save(actor=user, spec=spec, data=data, instance=obj)
    return _row(spec, _object(spec, user, row_id))


@router.delete(
    "/registers/{slug}/rows/{row_id}",
    response={204: None, **READ},
    tags=REGISTERS,
    summary="Xóa một dòng của sổ theo dõi",
)
def row_remove(request: HttpRequest, slug: str, row_id: int) -> tuple[int, None]:
    user = _user(request)
    spec = _spec(slug)
    row_delete(actor=user, spec=spec, instance=_object(spec, user, row_id))
    return 204, None


# Computed indicators ---------------------------------------------------------------------------------
def _number(value: Any) -> float | None:
    return float(value) if value is not None else None


class ComputedFilters(Schema):
    period: int = Field(..., description="Mã kỳ báo cáo của kế hoạch")


@router.get(
    "/indicators/{indicator_id}/computed",
    response={200: ComputedOut, **READ},
    tags=COMPUTED,
    summary="Số liệu chỉ tiêu tính từ sổ theo dõi trong một kỳ, kèm cách tính và các dòng được tính",
)
def indicator_computed(
    request: HttpRequest, indicator_id: int, filters: Query[ComputedFilters]
) -> dict[str, Any]:
    user = _user(request)
    indicator = (
        Indicator.objects.select_related("plan__owner_unit", "plan__lead_unit", "lead_unit")
        .filter(pk=indicator_id)
        .first()
    )
    if indicator is None:
        raise Http404(f"Không tìm thấy chỉ tiêu có mã {indicator_id}.")
    ensure_can_read(user, indicator.plan)
    binding = IndicatorBinding.objects.filter(indicator=indicator).first()
    if binding is None or binding.spec is None:
        raise Http404(f"Chỉ tiêu {indicator.code} không tính từ sổ theo dõi.")
    period = Period.objects.filter(pk=filters.period, plan_id=indicator.plan_id).first()
    if period is None:
        raise Http404(f"Kế hoạch của chỉ tiêu {indicator.code} không có kỳ báo cáo mã {filters.period}.")
    unit_id = (indicator.lead_unit or indicator.plan.lead_unit).pk
    measurements = Measurement.objects.filter(indicator=indicator, period=period, is_computed=True)
    measurement = measurements.filter(unit_id=unit_id).first() or measurements.order_by("pk").first()
    result = {
        "indicator": indicator,
        "period": period,
        "computation": binding.computation,
        "computation_label": binding.spec.label,
    }
    if measurement is None:
        # Nothing stored for this period yet (no register change since it opened): computed now, not saved.
        computed = compute(binding, period)
        rows = [{"label": r.label, "url": r.url} for r in computed.rows[:500]]
        return {
            **result,
            "value": _number(computed.value),
            "numerator": _number(computed.numerator),
            "denominator": _number(computed.denominator),
            "method": computed.method,
            "rows": rows,
            "count": len(computed.rows),
            "computed_at": None,
            "override": None,
            "final_value": _number(computed.value),
            "measurement_id": None,
            "stored": False,
        }
    explanation = measurement.explanation or {}
    overridden = bool(measurement.override_reason)
    rows = explanation.get("rows", [])
    return {
        **result,
        "value": _number(measurement.computed_value),
        # An override keeps its own value only; the computed parts are then not stored.
        "numerator": None if overridden else _number(measurement.numerator),
        "denominator": None if overridden else _number(measurement.denominator),
        "method": explanation.get("method", ""),
        "rows": rows,
        "count": explanation.get("count", len(rows)),
        "computed_at": explanation.get("computed_at"),
        "override": (
            {"value": _number(measurement.value), "reason": measurement.override_reason}
            if overridden
            else None
        ),
        "final_value": _number(measurement.value),
        "measurement_id": measurement.pk,
        "stored": True,
    }
