"""Schemas of the plan API (plans, indicators, tasks, responsibilities, triggers) and input cleaning.

Output: English field names, stable codes beside Vietnamese `*_label`s, like `schemas`.

Input: bodies are read leniently (fields typed Any, documented by hand) and then validated by the
very forms the pages use (`kehoach.plans.forms`), so the API accepts exactly what the pages accept
and refuses it with the same Vietnamese messages, named by field: `{"detail": …, "errors": {field:
[…]}}`. A PATCH starts from the values the edit page would show and applies the fields sent.
"""

import datetime
from collections.abc import Iterable, Mapping
from contextlib import contextmanager
from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.utils.text import capfirst
from ninja import Field, Schema
from pydantic import ConfigDict

from kehoach.plans.choices import Commitment, Comparator, PlanField, PlanStatus
from kehoach.plans.models import Indicator, IndicatorGroup, Task, Trigger
from kehoach.units.models import Unit

from .schemas import IndicatorGroupOut, IndicatorOut, PlanRef, TaskOut, UnitRef
from .tracking_schemas import DATE, INTEGER, NUMBER, TEXT, LenientIn, UserRef


# Output --------------------------------------------------------------------------------------------
class GroupOut(IndicatorGroupOut):
    plan_id: int


class IndicatorDetailOut(IndicatorOut):
    plan: PlanRef
    group: IndicatorGroupOut | None
    baseline: float | None = Field(..., description="Giá trị đầu kỳ")
    method: str = Field(..., description="Cách tính, nguồn số liệu")
    coordinating_units: list[UnitRef]
    is_rate: bool = Field(..., description="Chỉ tiêu tỷ lệ (đơn vị tính %)")
    url: str = Field(..., description="Trang của chỉ tiêu trên giao diện web")

    @staticmethod
    def resolve_coordinating_units(obj: Indicator) -> list[Unit]:
        return list(obj.coordinating_units.all())

    @staticmethod
    def resolve_url(obj: Indicator) -> str:
        return obj.get_absolute_url()


class ResponsibilityItemOut(Schema):
    id: int
    plan_id: int
    position: int
    unit: UnitRef
    duties: list[str]


class TriggerTaskOut(Schema):
    id: int
    position: int
    title: str
    starts_on: datetime.date | None
    due_on: datetime.date | None = Field(..., description="Hạn hoàn thành: có khi sự kiện đã được ghi nhận")


class TriggerOut(Schema):
    id: int
    plan_id: int
    description: str = Field(..., description="Điều kiện, ví dụ “Thành phố ban hành Kế hoạch …”")
    fulfilled: bool = Field(..., description="Đã ghi nhận văn bản đáp ứng điều kiện")
    occurred_on: datetime.date | None = Field(..., description="Ngày ban hành văn bản đáp ứng điều kiện")
    document_number: str
    document_issuer: str
    document_title: str
    recorded_at: datetime.datetime | None
    recorded_by: UserRef | None
    tasks: list[TriggerTaskOut] = Field(..., description="Các nhiệm vụ chờ sự kiện này")

    @staticmethod
    def resolve_fulfilled(obj: Trigger) -> bool:
        return obj.is_fulfilled

    @staticmethod
    def resolve_tasks(obj: Trigger) -> list[Task]:
        return list(obj.tasks.all())


class TriggerRef(Schema):
    id: int
    description: str
    occurred_on: datetime.date | None


class TaskDetailOut(TaskOut):
    description: str
    lead_time_days: int | None = Field(
        ..., description="Số ngày thực hiện sau khi sự kiện điều kiện xảy ra (để trống: mặc định)"
    )
    trigger: TriggerRef | None = Field(..., description="Sự kiện điều kiện nhiệm vụ chờ")
    url: str = Field(..., description="Trang của nhiệm vụ trên giao diện web")

    @staticmethod
    def resolve_url(obj: Task) -> str:
        return obj.get_absolute_url()


# Filters -------------------------------------------------------------------------------------------
class PlanIndicatorFilters(Schema):
    group: int | None = Field(None, description="Mã nhóm chỉ tiêu")
    lead_unit: int | None = Field(None, description="Mã đơn vị chủ trì")
    code: str | None = Field(None, description="Mã chỉ tiêu, đúng như ghi (ví dụ CT01)")


class IndicatorFilters(PlanIndicatorFilters):
    plan: int | None = Field(None, description="Mã kế hoạch")


class ResponsibilityFilters(Schema):
    unit: int | None = Field(None, description="Mã đơn vị được giao trách nhiệm")


class TriggerFilters(Schema):
    fulfilled: bool | None = Field(
        None, description="true: các sự kiện đã ghi nhận; false: các sự kiện còn chờ"
    )


# Input ---------------------------------------------------------------------------------------------
ID_LIST = {"type": "array", "items": {"type": "integer"}}
TEXT_LIST = {"type": "array", "items": {"type": "string"}}
NULLABLE_INTEGER = {"anyOf": [{"type": "integer"}, {"type": "null"}]}


def _enum(choices: type[models.TextChoices]) -> dict[str, Any]:
    return {"type": "string", "enum": list(choices.values)}


def documented(*required: str) -> ConfigDict:
    # As in tracking_schemas: unknown keys are kept so they can be refused by name.
    return ConfigDict(
        extra="allow", json_schema_extra={"additionalProperties": False, "required": list(required)}
    )


class PlanPatchIn(LenientIn):
    model_config = documented()
    number: Any = Field(None, description="Số, ký hiệu, ví dụ 97/KH-UBND", json_schema_extra=TEXT)
    issued_on: Any = Field(
        None, description="Ngày ban hành: YYYY-MM-DD hoặc dd/mm/yyyy", json_schema_extra=DATE
    )
    place: Any = Field(None, description="Địa danh", json_schema_extra=TEXT)
    title: Any = Field(None, description="Trích yếu", json_schema_extra=TEXT)
    field: Any = Field(None, description="Lĩnh vực", json_schema_extra=_enum(PlanField))
    year: Any = Field(None, description="Năm kế hoạch (2000–2100)", json_schema_extra=INTEGER)
    lead_unit: Any = Field(
        None, description="Mã đơn vị đầu mối: một đơn vị người dùng làm đầu mối", json_schema_extra=INTEGER
    )
    issuer_name: Any = Field(None, description="Tên cơ quan ban hành", json_schema_extra=TEXT)
    signer_name: Any = Field(None, description="Người ký", json_schema_extra=TEXT)
    signer_position: Any = Field(None, description="Chức vụ người ký", json_schema_extra=TEXT)
    signer_authority: Any = Field(
        None, description="Thẩm quyền ký, ví dụ TM. ỦY BAN NHÂN DÂN", json_schema_extra=TEXT
    )
    recipients: Any = Field(
        None,
        description="Nơi nhận: danh sách, hoặc một chuỗi mỗi dòng một nơi",
        json_schema_extra={"anyOf": [TEXT_LIST, TEXT]},
    )
    status: Any = Field(
        None, description="du_thao (dự thảo) hoặc ban_hanh (đã ban hành)", json_schema_extra=_enum(PlanStatus)
    )


class PlanIn(PlanPatchIn):
    model_config = documented("title")


REFERENCE_ROW = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "number": {"type": "string", "description": "Số, ký hiệu"},
        "issued_on": {**DATE, "description": "Ngày ban hành: YYYY-MM-DD hoặc dd/mm/yyyy"},
        "issuer": {"type": "string", "description": "Cơ quan ban hành"},
        "title": {"type": "string", "description": "Trích yếu"},
    },
}


class ReferencesIn(LenientIn):
    model_config = documented("references")
    references: Any = Field(
        None,
        description=(
            "Toàn bộ căn cứ theo thứ tự; mỗi căn cứ cần số, ký hiệu hoặc trích yếu. Danh sách rỗng: xóa hết."
        ),
        json_schema_extra={"type": "array", "items": REFERENCE_ROW},
    )


class GoalsIn(LenientIn):
    model_config = documented("goals")
    goals: Any = Field(
        None, description="Toàn bộ mục tiêu theo thứ tự, mỗi mục tiêu một chuỗi", json_schema_extra=TEXT_LIST
    )


class IndicatorPatchIn(LenientIn):
    model_config = documented()
    group: Any = Field(None, description="Mã nhóm chỉ tiêu của kế hoạch", json_schema_extra=NULLABLE_INTEGER)
    code: Any = Field(
        None, description="Mã chỉ tiêu; để trống khi tạo: hệ thống đặt CT01, CT02…", json_schema_extra=TEXT
    )
    name: Any = Field(None, description="Tên chỉ tiêu", json_schema_extra=TEXT)
    comparator: Any = Field(None, description="So sánh", json_schema_extra=_enum(Comparator))
    target: Any = Field(None, description="Giá trị mục tiêu", json_schema_extra=NUMBER)
    target_max: Any = Field(
        None, description="Giá trị tối đa (chỉ khi so sánh “between”)", json_schema_extra=NUMBER
    )
    unit: Any = Field(
        None, description="Đơn vị tính, ví dụ %, sáng kiến, doanh nghiệp", json_schema_extra=TEXT
    )
    commitment: Any = Field(None, description="Mức cam kết", json_schema_extra=_enum(Commitment))
    baseline: Any = Field(None, description="Giá trị đầu kỳ", json_schema_extra=NUMBER)
    lead_unit: Any = Field(None, description="Mã đơn vị chủ trì", json_schema_extra=NULLABLE_INTEGER)
    coordinating_units: Any = Field(None, description="Mã các đơn vị phối hợp", json_schema_extra=ID_LIST)
    method: Any = Field(None, description="Cách tính, nguồn số liệu", json_schema_extra=TEXT)


class IndicatorIn(IndicatorPatchIn):
    model_config = documented("name", "target", "unit")


class GroupIn(LenientIn):
    model_config = documented("name")
    name: Any = Field(None, description="Tên nhóm chỉ tiêu", json_schema_extra=TEXT)


class TaskPatchIn(LenientIn):
    model_config = documented()
    position: Any = Field(
        None, description="STT; để trống khi tạo: cuối danh sách", json_schema_extra=INTEGER
    )
    title: Any = Field(None, description="Tên nhiệm vụ", json_schema_extra=TEXT)
    description: Any = Field(None, description="Nội dung chi tiết", json_schema_extra=TEXT)
    output: Any = Field(None, description="Kết quả/sản phẩm", json_schema_extra=TEXT)
    deadline_text: Any = Field(
        None,
        description="Thời hạn như ghi trong kế hoạch: “30/06/2026”, “Quý II/2026”, “Cả năm”, “Sau khi …”",
        json_schema_extra=TEXT,
    )
    lead_time_days: Any = Field(
        None,
        description="Số ngày thực hiện sau sự kiện điều kiện (để trống: mặc định)",
        json_schema_extra=NULLABLE_INTEGER,
    )
    coordinates_all_units: Any = Field(
        None, description="Mọi phòng, cơ quan, đơn vị cùng phối hợp", json_schema_extra={"type": "boolean"}
    )
    budget_amount: Any = Field(
        None,
        description="Kinh phí (đồng): số, hoặc chuỗi như “15.000.000”",
        json_schema_extra={"anyOf": [{"type": "integer"}, {"type": "string"}, {"type": "null"}]},
    )
    budget_source: Any = Field(
        None, description="Nguồn kinh phí (bắt buộc khi có kinh phí)", json_schema_extra=TEXT
    )
    budget_note: Any = Field(None, description="Ghi chú nguồn lực", json_schema_extra=TEXT)
    lead_units: Any = Field(
        None, description="Mã các đơn vị chủ trì (ít nhất một), theo thứ tự", json_schema_extra=ID_LIST
    )
    coordinating_units: Any = Field(
        None, description="Mã các đơn vị phối hợp, theo thứ tự", json_schema_extra=ID_LIST
    )
    trigger: Any = Field(
        None,
        description="Mã sự kiện điều kiện của kế hoạch, khi thời hạn là “Sau khi …”",
        json_schema_extra=NULLABLE_INTEGER,
    )
    new_trigger: Any = Field(
        None,
        description="Hoặc nội dung sự kiện mới, tạo cùng nhiệm vụ (khi thời hạn là “Sau khi …”)",
        json_schema_extra=TEXT,
    )


class TaskIn(TaskPatchIn):
    model_config = documented("title", "deadline_text", "lead_units")


class ResponsibilityPatchIn(LenientIn):
    model_config = documented()
    unit: Any = Field(None, description="Mã đơn vị thuộc cơ quan ban hành", json_schema_extra=INTEGER)
    duties: Any = Field(
        None, description="Các nhiệm vụ được giao, mỗi nhiệm vụ một chuỗi", json_schema_extra=TEXT_LIST
    )


class ResponsibilityIn(ResponsibilityPatchIn):
    model_config = documented("unit", "duties")


class TriggerIn(LenientIn):
    model_config = documented("description")
    description: Any = Field(
        None, description="Điều kiện, ví dụ “Thành phố ban hành Kế hoạch …”", json_schema_extra=TEXT
    )


class TriggerRecordIn(LenientIn):
    model_config = documented("occurred_on", "document_number")
    occurred_on: Any = Field(
        None,
        description="Ngày ban hành văn bản đáp ứng điều kiện: YYYY-MM-DD hoặc dd/mm/yyyy",
        json_schema_extra=DATE,
    )
    document_number: Any = Field(None, description="Số, ký hiệu văn bản", json_schema_extra=TEXT)
    document_issuer: Any = Field(None, description="Cơ quan ban hành văn bản", json_schema_extra=TEXT)
    document_title: Any = Field(None, description="Trích yếu văn bản", json_schema_extra=TEXT)


# Forms for inputs the pages take in no form of their own ------------------------------------------
def _max_length(model: type[models.Model], name: str) -> int:
    return model._meta.get_field(name).max_length


class GroupForm(forms.Form):
    # indicator_group_save does not full_clean: the length is checked here, not by the database.
    name = forms.CharField(
        label="Tên nhóm",
        max_length=_max_length(IndicatorGroup, "name"),
        error_messages={"required": "Chưa nhập tên nhóm chỉ tiêu."},
    )


class TriggerForm(forms.Form):
    # trigger_save does not full_clean either.
    description = forms.CharField(
        label="Điều kiện",
        max_length=_max_length(Trigger, "description"),
        error_messages={"required": "Chưa nhập nội dung điều kiện."},
    )


# Cleaning ------------------------------------------------------------------------------------------
def refuse_unknown(payload: LenientIn, errors: dict[str, list[str]]) -> None:
    for name in payload.model_extra or {}:
        errors[name] = [f"Trường “{name}” không có hoặc không sửa được qua API."]


def sent_fields(payload: LenientIn) -> dict[str, Any]:
    """The fields the body named, with their raw values (unknown keys are not among them)."""
    return {
        name: getattr(payload, name)
        for name in payload.model_fields_set
        if name in type(payload).model_fields
    }


def _is_id(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return value > 0
    return isinstance(value, str) and value.strip().isdigit()


def _type_problem(field: forms.Field, value: Any) -> str | None:
    """Why a JSON value cannot be what a form field reads, before the form sees it (a list given for a
    text would otherwise be read as its Python text)."""
    if value is None:
        return None
    if isinstance(field, forms.ModelMultipleChoiceField):
        if not isinstance(value, list) or not all(_is_id(v) for v in value):
            return "phải là danh sách mã số, ví dụ [12, 15]."
    elif isinstance(field, forms.ModelChoiceField):
        if not _is_id(value):
            return "phải là mã số (số nguyên dương)."
    elif isinstance(field, forms.BooleanField):
        if not isinstance(value, bool):
            return "phải là true hoặc false."
    elif isinstance(field, forms.IntegerField):  # decimals too: DecimalField is an IntegerField
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            return "phải là số."
    elif isinstance(field, forms.DateField):
        if not isinstance(value, str):
            return "phải là ngày dạng YYYY-MM-DD hoặc dd/mm/yyyy."
    elif not isinstance(value, str):
        return "phải là chuỗi ký tự."
    return None


def current_values(form: forms.BaseForm) -> dict[str, Any]:
    """What an unbound form shows (instance values or initial), as the page would send it back."""
    return {name: form[name].value() for name in form.fields}


def bind(
    form_class: type[forms.BaseForm],
    sent: Mapping[str, Any],
    *,
    errors: dict[str, list[str]],
    defaults: Mapping[str, Any] | None = None,
    renames: Mapping[str, str] | None = None,
    unknown_ids: Mapping[str, str] | None = None,
    **form_kwargs: Any,
) -> forms.BaseForm:
    """Validate the fields `sent` (API names) through a page's form, or raise ValidationError with every
    problem (and those already in `errors`) under the API's field names.

    The form starts from what the page would show for the same call (the instance's values when
    editing, the initial and model defaults when creating, then `defaults`), so a PATCH sends only what
    changes. `renames`: API name → form field name where they differ. `unknown_ids`: form field → the
    message for an id that is not among the field's choices ("%(value)s" is the id)."""
    renames = renames or {}
    back = {form_name: api_name for api_name, form_name in renames.items()}
    probe = form_class(**form_kwargs)
    data = {**current_values(probe), **(defaults or {})}
    for api_name, value in sent.items():
        name = renames.get(api_name, api_name)
        field = probe.fields[name]
        problem = _type_problem(field, value)
        if problem:
            errors[api_name] = [f"{capfirst(field.label or api_name)} {problem}"]
        else:
            data[name] = value
    form = form_class(data=data, **form_kwargs)
    for name, message in (unknown_ids or {}).items():
        form.fields[name].error_messages["invalid_choice"] = message
    if not form.is_valid():
        for name, messages in form.errors.items():
            key = back.get(name, name)
            if key not in errors:
                errors[key] = list(messages)
    if errors:
        raise ValidationError(errors)
    return form


def in_order(chosen: Iterable[Unit], ids: list[Any]) -> list[Unit]:
    """The units of a validated multiple choice in the order (and with the repeats) they were sent, so
    the service sees what the client meant: the order of lead units, and its own "written twice" check."""
    by_pk = {unit.pk: unit for unit in chosen}
    return [by_pk[int(pk)] for pk in ids]


def text_list(value: Any, api_name: str, label: str, errors: dict[str, list[str]]) -> list[str] | None:
    """A JSON list of strings, each with its whitespace tidied as the pages do; None when refused."""
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        errors[api_name] = [f"{label} phải là danh sách các chuỗi ký tự."]
        return None
    return [" ".join(item.split()) for item in value]


@contextmanager
def renamed_errors(renames: Mapping[str, str]):
    """A service's ValidationError with its model field names turned into the API's."""
    try:
        yield
    except ValidationError as error:
        if not hasattr(error, "error_dict"):
            raise
        raise ValidationError(
            {renames.get(name, name): messages for name, messages in error.error_dict.items()}
        ) from error


def row_errors(prefix: str, index: int, row_label: str, form: forms.BaseForm) -> dict[str, list[str]]:
    """A row form's errors under "prefix.index.field" (0-based, "prefix.index" for the row as a whole),
    each message led by the row as people count it ("Căn cứ thứ 2: …")."""
    return {
        (f"{prefix}.{index}" if name == NON_FIELD_ERRORS else f"{prefix}.{index}.{name}"): [
            f"{row_label} thứ {index + 1}: {message}" for message in messages
        ]
        for name, messages in form.errors.items()
    }
