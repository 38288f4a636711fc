"""Output and filter schemas of the API: English field names, stable codes, Vietnamese labels beside them.

Codes (`status`, `field`, `role`, `deadline_kind` …) are the values of the model choices and never
change; `*_label` fields carry the Vietnamese text for display.
"""

import datetime

from ninja import Field, Schema

from kehoach.plans.choices import DeadlineKind, PlanField, PlanStatus, TaskStatus
from kehoach.plans.models import Indicator, Measure, Plan, Task
from kehoach.units.models import Membership


class ErrorOut(Schema):
    detail: str


# Units ---------------------------------------------------------------------------------------------
class UnitRef(Schema):
    id: int
    name: str
    short_name: str


class UnitOut(Schema):
    id: int
    name: str
    short_name: str
    aliases: list[str]
    kind: str
    kind_label: str
    parent_id: int | None
    depth: int

    @staticmethod
    def resolve_aliases(obj) -> list[str]:
        return [line.strip() for line in obj.aliases.splitlines() if line.strip()]

    @staticmethod
    def resolve_kind_label(obj) -> str:
        return obj.get_kind_display()


class UnitFilters(Schema):
    q: str | None = Field(None, description="Tìm theo tên, tên viết tắt, tên gọi khác (không phân biệt dấu)")
    parent: int | None = Field(None, description="Mã đơn vị cấp trên: chỉ lấy các đơn vị trực thuộc")


# Me ------------------------------------------------------------------------------------------------
class MembershipOut(Schema):
    unit: UnitRef
    role: str
    role_label: str

    @staticmethod
    def resolve_role_label(obj: Membership) -> str:
        return obj.get_role_display()


class MeOut(Schema):
    id: int
    username: str
    full_name: str
    position_title: str
    is_superuser: bool
    memberships: list[MembershipOut]


# Tasks ---------------------------------------------------------------------------------------------
class PlanRef(Schema):
    id: int
    number: str
    title: str
    year: int


class TaskOut(Schema):
    id: int
    plan: PlanRef
    position: int
    title: str
    output: str
    lead_units: list[UnitRef]
    coordinating_units: list[UnitRef]
    coordinates_all_units: bool
    deadline_text: str
    deadline_kind: str
    deadline_kind_label: str
    deadline_date: datetime.date | None
    starts_on: datetime.date | None
    due_on: datetime.date | None
    completed_on: datetime.date | None
    status: str
    status_label: str
    budget_amount: int | None
    budget_source: str | None
    budget_source_label: str | None
    budget_note: str

    @staticmethod
    def resolve_deadline_kind_label(obj: Task) -> str:
        return obj.get_deadline_kind_display()

    @staticmethod
    def resolve_status(obj: Task) -> str:
        return obj.status().value

    @staticmethod
    def resolve_status_label(obj: Task) -> str:
        return obj.status().label

    @staticmethod
    def resolve_budget_source(obj: Task) -> str | None:
        return obj.budget_source or None

    @staticmethod
    def resolve_budget_source_label(obj: Task) -> str | None:
        return obj.get_budget_source_display() if obj.budget_source else None


class TaskFilters(Schema):
    q: str | None = Field(
        None, description="Tìm trong tên nhiệm vụ, kết quả/sản phẩm, nội dung (không phân biệt dấu)"
    )
    plan: int | None = Field(None, description="Mã kế hoạch")
    unit: int | None = Field(
        None, description="Mã đơn vị chủ trì hoặc phối hợp (được nêu tên trong nhiệm vụ)"
    )
    status: TaskStatus | None = Field(None, description="Trạng thái tính đến hôm nay")
    kind: DeadlineKind | None = Field(None, description="Loại thời hạn")
    due_from: datetime.date | None = Field(None, description="Hạn hoàn thành từ ngày (YYYY-MM-DD)")
    due_to: datetime.date | None = Field(None, description="Hạn hoàn thành đến ngày (YYYY-MM-DD)")


class PlanTaskFilters(Schema):
    q: str | None = Field(
        None, description="Tìm trong tên nhiệm vụ, kết quả/sản phẩm, nội dung (không phân biệt dấu)"
    )
    unit: int | None = Field(
        None, description="Mã đơn vị chủ trì hoặc phối hợp (được nêu tên trong nhiệm vụ)"
    )
    status: TaskStatus | None = Field(None, description="Trạng thái tính đến hôm nay")
    kind: DeadlineKind | None = Field(None, description="Loại thời hạn")
    due_from: datetime.date | None = Field(None, description="Hạn hoàn thành từ ngày (YYYY-MM-DD)")
    due_to: datetime.date | None = Field(None, description="Hạn hoàn thành đến ngày (YYYY-MM-DD)")


# Plans ---------------------------------------------------------------------------------------------
class PlanOut(Schema):
    id: int
    number: str
    title: str
    year: int
    issued_on: datetime.date | None
    field: str
    field_label: str
    status: str
    status_label: str
    owner_unit: UnitRef
    issuer_name: str
    lead_unit: UnitRef

    @staticmethod
    def resolve_field_label(obj: Plan) -> str:
        return obj.get_field_display()

    @staticmethod
    def resolve_status_label(obj: Plan) -> str:
        return obj.get_status_display()


class PlanFilters(Schema):
    q: str | None = Field(
        None, description="Tìm theo số, ký hiệu, trích yếu, cơ quan ban hành (không phân biệt dấu)"
    )
    year: int | None = Field(None, description="Năm kế hoạch")
    field: PlanField | None = Field(None, description="Lĩnh vực")
    status: PlanStatus | None = Field(None, description="Trạng thái văn bản")
    owner_unit: int | None = Field(None, description="Mã cơ quan ban hành")
    lead_unit: int | None = Field(None, description="Mã đơn vị đầu mối")


class ReferenceOut(Schema):
    id: int
    position: int
    number: str
    issued_on: datetime.date | None
    issuer: str
    title: str


class IndicatorGroupOut(Schema):
    id: int
    position: int
    name: str


class IndicatorOut(Schema):
    id: int
    group_id: int | None
    position: int
    code: str
    name: str
    comparator: str
    target: float
    target_max: float | None
    unit: str = Field(..., alias="unit_of_measure")
    commitment: str
    commitment_label: str
    target_in_words: str
    lead_unit: UnitRef | None

    @staticmethod
    def resolve_commitment_label(obj: Indicator) -> str:
        return obj.get_commitment_display()


class MeasureOut(Schema):
    section: str
    section_label: str
    text: str


class ResponsibilityOut(Schema):
    unit: UnitRef
    duties: list[str]


class PlanDetailOut(PlanOut):
    place: str
    signer_name: str
    signer_position: str
    signer_authority: str
    recipients: list[str]
    goals: list[str]
    references: list[ReferenceOut]
    indicator_groups: list[IndicatorGroupOut]
    indicators: list[IndicatorOut]
    measures: list[MeasureOut]
    responsibilities: list[ResponsibilityOut]
    tasks: list[TaskOut]

    @staticmethod
    def resolve_recipients(obj: Plan) -> list[str]:
        return [line.strip() for line in obj.recipients.splitlines() if line.strip()]

    @staticmethod
    def resolve_goals(obj: Plan) -> list[str]:
        return [goal.text for goal in obj.goals.all()]

    @staticmethod
    def resolve_measures(obj: Plan) -> list[dict[str, str]]:
        return [
            _measure(section.title, section.label, measure)
            for section in obj.measure_sections.all()
            for measure in section.measures.all()
        ]


def _measure(section: str, label: str, measure: Measure) -> dict[str, str]:
    return {"section": section, "section_label": label, "text": measure.text}
