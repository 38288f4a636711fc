"""The operations centre in the API: a plan's centre figures, its alerts and acting on them.

Same reads and permissions as the pages: whoever reads the plan reads its centre and alerts; the
plan's đầu mối, the commune's leaders and the responsible unit acknowledge and resolve (403 for
others, 404 for what the user may not read at all, 422 with a Vietnamese message for a bad step).
"""

import datetime
from decimal import Decimal

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.pagination import PageNumberPagination, paginate

from kehoach.operations import selectors
from kehoach.operations.choices import AlertState, ScenarioKind, Severity
from kehoach.operations.models import Alert
from kehoach.operations.services.alerts import alert_acknowledge, alert_resolve
from kehoach.plans.models import Plan
from kehoach.plans.permissions import can_read_plan
from kehoach.units.models import User

from .schemas import ErrorOut, UnitRef
from .tracking_schemas import FieldErrorsOut

router = Router(tags=["Trung tâm điều hành"])

READ = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut}
WRITE = {**READ, 422: FieldErrorsOut}
PAGE = {"page_size": 50, "max_page_size": 200}


def _user(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined]


def _plan(request: HttpRequest, plan_id: int) -> Plan:
    plan = Plan.objects.select_related("owner_unit", "lead_unit").filter(pk=plan_id).first()
    if plan is None or not can_read_plan(_user(request), plan):
        raise Http404("Không tìm thấy kế hoạch.")
    return plan


# Schemas -----------------------------------------------------------------------------------------
class HeadlineOut(Schema):
    total: int = Field(..., description="Số nhiệm vụ của kế hoạch")
    done: int = Field(
        ..., description="Số nhiệm vụ đã hoàn thành (sản phẩm của mọi đơn vị chủ trì được chấp nhận)"
    )
    overdue: int = Field(..., description="Số nhiệm vụ chưa hoàn thành khi đã qua hạn")
    at_risk: int = Field(..., description="Số nhiệm vụ có nguy cơ chậm")
    waiting: int = Field(..., description="Số nhiệm vụ đang chờ sự kiện điều kiện")
    on_time_rate: int | None = Field(
        None, description="Hoàn thành đúng hạn ÷ nhiệm vụ đã đến hạn hoặc đã hoàn thành, %"
    )


class TileOut(Schema):
    indicator_id: int
    code: str
    name: str
    unit: str
    target: Decimal
    target_text: str
    value: Decimal | None
    period: str | None
    achievement: Decimal | None = Field(None, description="Mức đạt so với mục tiêu, %")
    assessment: str
    assessment_label: str
    forecast: Decimal | None = Field(None, description="Dự báo giá trị cuối năm")
    computed: bool = Field(..., description="Tính từ sổ theo dõi (true) hay do đơn vị báo cáo")
    trend: list[Decimal | None]
    trend_periods: list[str]


class TaskItemOut(Schema):
    id: int
    title: str
    due_on: datetime.date | None
    days: int = Field(..., description="Số ngày trễ (quá hạn) hoặc còn lại (nguy cơ)")
    lead_units: list[UnitRef]
    reason: str = ""


class UnitStatusOut(Schema):
    unit: UnitRef
    counts: dict[str, int]


class OwingUnitOut(Schema):
    unit: UnitRef
    tasks: int
    indicators: int
    last_reminder: datetime.datetime | None


class OwingOut(Schema):
    period_id: int
    period: str
    due_on: datetime.date
    late: bool
    units: list[OwingUnitOut]


class AlertOut(Schema):
    id: int
    plan_id: int
    scenario_kind: str
    severity: str
    severity_label: str
    state: str
    state_label: str
    title: str
    detail: str
    unit: UnitRef | None
    task_id: int | None
    indicator_id: int | None
    period_id: int | None
    raised_at: datetime.datetime
    acknowledged_at: datetime.datetime | None
    escalated_at: datetime.datetime | None
    resolved_at: datetime.datetime | None
    resolve_note: str

    @staticmethod
    def resolve_scenario_kind(obj: Alert) -> str:
        return obj.scenario.kind

    @staticmethod
    def resolve_severity_label(obj: Alert) -> str:
        return obj.get_severity_display()

    @staticmethod
    def resolve_state_label(obj: Alert) -> str:
        return obj.get_state_display()


class AlertCountsOut(Schema):
    total: int
    red: int
    orange: int
    yellow: int
    unacknowledged: int


class CentreOut(Schema):
    plan_id: int
    today: datetime.date
    headline: HeadlineOut
    tiles: list[TileOut]
    overdue: list[TaskItemOut]
    at_risk: list[TaskItemOut]
    tasks_by_unit: list[UnitStatusOut]
    owing: list[OwingOut]
    budget_total: int
    budget_spent: int
    alerts: AlertCountsOut


class NoteIn(Schema):
    note: str = Field("", description="Ghi chú; bắt buộc khi xử lý xong")


class AlertFilters(Schema):
    state: AlertState | None = Field(
        None, description="mo, da_nhan, da_xu_ly; bỏ trống: đang mở và đã tiếp nhận"
    )
    severity: Severity | None = None
    kind: ScenarioKind | None = None


# Endpoints ---------------------------------------------------------------------------------------
def _unit_ref(unit) -> dict:
    return {"id": unit.pk, "name": unit.name, "short_name": unit.short_name}


@router.get(
    "/plans/{plan_id}/centre", response={200: CentreOut, **READ}, summary="Trung tâm điều hành của kế hoạch"
)
def centre(request, plan_id: int):
    plan = _plan(request, plan_id)
    today = timezone.localdate()
    data = selectors.centre(plan, today=today)
    return {
        "plan_id": plan.pk,
        "today": today,
        "headline": data["headline"],
        "tiles": [
            {
                "indicator_id": t.indicator.pk,
                "code": t.indicator.code,
                "name": t.indicator.name,
                "unit": t.indicator.unit_of_measure,
                "target": t.indicator.target,
                "target_text": t.indicator.target_in_words,
                "value": t.value,
                "period": t.period.label if t.period else None,
                "achievement": t.achievement,
                "assessment": t.assessment.value,
                "assessment_label": t.assessment.label,
                "forecast": t.forecast,
                "computed": t.computed,
                "trend": t.trend,
                "trend_periods": t.trend_labels,
            }
            for t in data["tiles"]
        ],
        "overdue": [
            {
                "id": t.pk,
                "title": t.title,
                "due_on": t.due_on,
                "days": t.days_late,
                "lead_units": [_unit_ref(u) for u in t.lead_units],
            }
            for t in data["overdue"]
        ],
        "at_risk": [
            {
                "id": r.task.pk,
                "title": r.task.title,
                "due_on": r.task.due_on,
                "days": r.days_left,
                "lead_units": [_unit_ref(u) for u in r.task.lead_units],
                "reason": r.reason,
            }
            for r in data["at_risk"]
        ],
        "tasks_by_unit": [
            {"unit": _unit_ref(r["unit"]), "counts": {str(k): v for k, v in r["counts"].items()}}
            for r in data["status_rows"]
        ],
        "owing": [
            {
                "period_id": block.period.pk,
                "period": block.period.label,
                "due_on": block.period.due_on,
                "late": block.late,
                "units": [
                    {
                        "unit": _unit_ref(row["unit"]),
                        "tasks": len(row["tasks"]),
                        "indicators": len(row["indicators"]),
                        "last_reminder": row["last_reminder"],
                    }
                    for row in block.rows
                ],
            }
            for block in data["owing"]
        ],
        "budget_total": data["budget"]["total"],
        "budget_spent": data["budget"]["spent"],
        "alerts": data["alerts"]["counts"],
    }


@router.get(
    "/plans/{plan_id}/alerts", response={200: list[AlertOut], **READ}, summary="Cảnh báo của kế hoạch"
)
@paginate(PageNumberPagination, **PAGE)
def alerts(request, plan_id: int, filters: Query[AlertFilters]):
    plan = _plan(request, plan_id)
    qs = Alert.objects.filter(plan=plan).select_related("unit", "scenario").order_by("-raised_at", "-pk")
    qs = qs.filter(state=filters.state) if filters.state else qs.active()
    if filters.severity:
        qs = qs.filter(severity=filters.severity)
    if filters.kind:
        qs = qs.filter(scenario__kind=filters.kind)
    return qs


def _alert(request, alert_id: int) -> Alert:
    alert = get_object_or_404(
        Alert.objects.select_related("plan__owner_unit", "plan__lead_unit", "unit", "scenario"), pk=alert_id
    )
    if not can_read_plan(_user(request), alert.plan):
        raise Http404("Không tìm thấy cảnh báo.")
    return alert


@router.get("/alerts/{alert_id}", response={200: AlertOut, **READ}, summary="Một cảnh báo")
def alert_detail(request, alert_id: int):
    return _alert(request, alert_id)


@router.post(
    "/alerts/{alert_id}/acknowledge", response={200: AlertOut, **WRITE}, summary="Tiếp nhận cảnh báo"
)
def acknowledge(request, alert_id: int, body: NoteIn):
    alert = _alert(request, alert_id)
    alert = alert_acknowledge(actor=_user(request), alert=alert, note=body.note)
    return Alert.objects.select_related("unit", "scenario").get(pk=alert.pk)


@router.post(
    "/alerts/{alert_id}/resolve", response={200: AlertOut, **WRITE}, summary="Ghi nhận xử lý xong cảnh báo"
)
def resolve(request, alert_id: int, body: NoteIn):
    alert = _alert(request, alert_id)
    alert = alert_resolve(actor=_user(request), alert=alert, note=body.note)
    return Alert.objects.select_related("unit", "scenario").get(pk=alert.pk)
