"""The plan part of the API: plans, their references, goals, indicators and groups, tasks,
responsibilities and triggers; read and write with the permissions of the pages.

Writes go through `kehoach.plans.services` only (each one transaction, audited there) after the body
has been validated by the page's own form (`plans_schemas.bind`), so the API accepts and refuses
what the pages do, with the same Vietnamese messages. Who may write is the service's rule: the đầu
mối of the plan's lead unit (or a unit above it); a plan is created by a đầu mối for a unit they
coordinate. Errors: an object that does not exist or that the user may not read → 404 (the same
answer, so another city learns nothing); may read but not change → 403; bad input → 422 per field.

The plan and task reads that were in `router` live here too: a path is served by one router only
(Django matches the first URL pattern), so GET and POST /plans must share one. They keep their
answers as before, 403 for another city's plan or task included.
"""

from functools import reduce
from operator import or_
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Query, Router
from ninja.pagination import PageNumberPagination, paginate

from kehoach.plans.forms import (
    IndicatorForm,
    PlanForm,
    ReferenceForm,
    ResponsibilityForm,
    TaskForm,
    TriggerRecordForm,
)
from kehoach.plans.models import Indicator, IndicatorGroup, Plan, Responsibility, Task, Trigger
from kehoach.plans.permissions import can_read_plan, ensure_can_manage
from kehoach.plans.selectors import tasks_with_units
from kehoach.plans.services import indicators as indicator_services
from kehoach.plans.services import plans as plan_services
from kehoach.plans.services import tasks as task_services
from kehoach.units.access import access_for
from kehoach.units.models import Unit, User

from . import selectors
from .plans_schemas import (
    GoalsIn,
    GroupForm,
    GroupIn,
    GroupOut,
    IndicatorDetailOut,
    IndicatorFilters,
    IndicatorIn,
    IndicatorPatchIn,
    PlanIn,
    PlanIndicatorFilters,
    PlanPatchIn,
    ReferencesIn,
    ResponsibilityFilters,
    ResponsibilityIn,
    ResponsibilityItemOut,
    ResponsibilityPatchIn,
    TaskDetailOut,
    TaskIn,
    TaskPatchIn,
    TriggerFilters,
    TriggerForm,
    TriggerIn,
    TriggerOut,
    TriggerRecordIn,
    bind,
    in_order,
    refuse_unknown,
    renamed_errors,
    row_errors,
    sent_fields,
    text_list,
)
from .schemas import (
    ErrorOut,
    PlanDetailOut,
    PlanFilters,
    PlanOut,
    PlanTaskFilters,
    TaskFilters,
    TaskOut,
)
from .tracking_schemas import FieldErrorsOut

router = Router()

PAGE = {"page_size": settings.KEHOACH_PAGE_SIZE, "max_page_size": 200}
READ = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut}
WRITE = {**READ, 422: FieldErrorsOut}

PLANS = ["Kế hoạch"]
INDICATORS = ["Chỉ tiêu"]
TASKS = ["Nhiệm vụ"]
RESPONSIBILITIES = ["Trách nhiệm đơn vị"]
TRIGGERS = ["Sự kiện điều kiện"]

UNIT_OF_MEASURE = {"unit": "unit_of_measure"}  # the API reads and writes it as `unit`, like the import file


def _user(request: HttpRequest) -> User:
    # TokenAuth and django_auth both return the user; request.user stays anonymous for token requests.
    return request.auth  # type: ignore[attr-defined]


def _operation_id(name: str) -> str:
    # These reads moved here from `router`; their OpenAPI ids stay as generated there, for clients.
    return f"kehoach_api_router_{name}"


# Lookups: 404 for "missing" and for "not yours to read" alike ----------------------------------------
def _found(obj: Any, plan: Plan | None, user: User, what: str, pk: int) -> None:
    if obj is None or plan is None or not can_read_plan(user, plan):
        raise Http404(f"Không tìm thấy {what} có mã {pk}.")


def _plan(user: User, pk: int) -> Plan:
    plan = Plan.objects.select_related("owner_unit", "lead_unit").filter(pk=pk).first()
    _found(plan, plan, user, "kế hoạch", pk)
    return plan


def _managed_plan(user: User, pk: int) -> Plan:
    plan = _plan(user, pk)
    ensure_can_manage(user, plan)
    return plan


def _indicators() -> QuerySet[Indicator]:
    return Indicator.objects.select_related(
        "plan__owner_unit", "plan__lead_unit", "group", "lead_unit"
    ).prefetch_related("coordinating_units")


def _indicator(user: User, pk: int) -> Indicator:
    indicator = _indicators().filter(pk=pk).first()
    _found(indicator, indicator and indicator.plan, user, "chỉ tiêu", pk)
    return indicator


def _group(user: User, pk: int) -> IndicatorGroup:
    group = IndicatorGroup.objects.select_related("plan__owner_unit", "plan__lead_unit").filter(pk=pk).first()
    _found(group, group and group.plan, user, "nhóm chỉ tiêu", pk)
    return group


def _task(user: User, pk: int) -> Task:
    task = (
        tasks_with_units(Task.objects.select_related("plan__owner_unit", "plan__lead_unit"))
        .filter(pk=pk)
        .first()
    )
    _found(task, task and task.plan, user, "nhiệm vụ", pk)
    return task


def _responsibility(user: User, pk: int) -> Responsibility:
    responsibility = (
        Responsibility.objects.select_related("plan__owner_unit", "plan__lead_unit", "unit")
        .filter(pk=pk)
        .first()
    )
    _found(responsibility, responsibility and responsibility.plan, user, "trách nhiệm đơn vị", pk)
    return responsibility


def _triggers() -> QuerySet[Trigger]:
    return Trigger.objects.select_related("recorded_by").prefetch_related(
        Prefetch("tasks", queryset=Task.objects.order_by("position", "id"))
    )


def _trigger(user: User, pk: int) -> Trigger:
    trigger = _triggers().select_related("plan__owner_unit", "plan__lead_unit").filter(pk=pk).first()
    _found(trigger, trigger and trigger.plan, user, "sự kiện điều kiện", pk)
    return trigger


def _unknown_unit(owner: Unit) -> str:
    # The form fills "%(value)s" with the id sent; a "%" in the unit's name must stay a plain character.
    name = str(owner).replace("%", "%%")
    return f"Không tìm thấy đơn vị có mã %(value)s trong các đơn vị thuộc {name}."


def _unknown_in_plan(what: str) -> str:
    return f"Không tìm thấy {what} có mã %(value)s trong kế hoạch này."


# Plans ----------------------------------------------------------------------------------------------
@router.get(
    "/plans",
    response={200: list[PlanOut], 401: ErrorOut},
    tags=PLANS,
    summary="Danh sách kế hoạch",
    operation_id=_operation_id("plan_list"),
)
@paginate(PageNumberPagination, **PAGE)
def plan_list(request: HttpRequest, filters: Query[PlanFilters]) -> object:
    return selectors.plan_list(_user(request), **filters.model_dump())


@router.get(
    "/plans/{plan_id}",
    response={200: PlanDetailOut, **READ},
    tags=PLANS,
    summary="Chi tiết kế hoạch: căn cứ, mục tiêu, chỉ tiêu, nhiệm vụ, giải pháp, trách nhiệm",
    operation_id=_operation_id("plan_detail"),
)
def plan_detail(request: HttpRequest, plan_id: int) -> Plan:
    return selectors.plan_detail(_user(request), plan_id)


def _coordinated_units(user: User) -> QuerySet[Unit]:
    """The units a plan may be given to: those the user is đầu mối of, and the units below them."""
    roots = access_for(user).coordinator_units
    if not roots:
        raise PermissionDenied("Chỉ cán bộ đầu mối mới được tạo kế hoạch.")
    return Unit.objects.filter(reduce(or_, (Q(path__startswith=root.path) for root in roots)))


def _recipients(sent: dict[str, Any], errors: dict[str, list[str]]) -> None:
    """Recipients as the detail gives them (a list) or as the page takes them (one text, a line each)."""
    value = sent.get("recipients")
    if isinstance(value, list):
        lines = text_list(value, "recipients", "Nơi nhận", errors)
        if lines is None:
            del sent["recipients"]
        else:
            sent["recipients"] = "\n".join(line for line in lines if line)


UNKNOWN_LEAD_UNIT = "Không tìm thấy đơn vị có mã %(value)s trong các đơn vị bạn làm đầu mối."


@router.post(
    "/plans",
    response={201: PlanDetailOut, **WRITE},
    tags=PLANS,
    summary="Tạo kế hoạch (cán bộ đầu mối)",
    description=(
        "Các trường như trang “Tạo kế hoạch”. Không ghi `lead_unit` thì là đơn vị đầu tiên bạn làm đầu mối; "
        "không ghi `year` thì là năm nay; `status` mặc định là dự thảo. Cơ quan ban hành là xã, phường (hoặc "
        "thành phố) của đơn vị đầu mối."
    ),
)
def plan_create(request: HttpRequest, payload: PlanIn) -> tuple[int, Plan]:
    user = _user(request)
    lead_units = _coordinated_units(user)
    errors: dict[str, list[str]] = {}
    refuse_unknown(payload, errors)
    sent = sent_fields(payload)
    _recipients(sent, errors)
    first = lead_units.first()
    form = bind(
        PlanForm,
        sent,
        errors=errors,
        defaults={"year": timezone.localdate().year, "lead_unit": first.pk if first else None},
        unknown_ids={"lead_unit": UNKNOWN_LEAD_UNIT},
        lead_units=lead_units,
    )
    plan = plan_services.plan_create(actor=user, data=form.cleaned_data)
    return 201, selectors.plan_detail(user, plan.pk)


@router.patch(
    "/plans/{plan_id}",
    response={200: PlanDetailOut, **WRITE},
    tags=PLANS,
    summary="Sửa thông tin kế hoạch, ban hành (đầu mối của kế hoạch)",
    description=(
        'Chỉ gửi các trường muốn sửa, như trên trang “Sửa kế hoạch”. `status: "ban_hanh"` để ban hành. '
        "Đổi năm kế hoạch thì thời hạn các nhiệm vụ được tính lại."
    ),
)
def plan_update(request: HttpRequest, plan_id: int, payload: PlanPatchIn) -> Plan:
    user = _user(request)
    plan = _managed_plan(user, plan_id)
    errors: dict[str, list[str]] = {}
    refuse_unknown(payload, errors)
    sent = sent_fields(payload)
    _recipients(sent, errors)
    lead_units = _coordinated_units(user).filter(path__startswith=plan.owner_unit.path)
    form = bind(
        PlanForm,
        sent,
        errors=errors,
        unknown_ids={"lead_unit": UNKNOWN_LEAD_UNIT},
        instance=plan,
        lead_units=lead_units,
    )
    plan_services.plan_update(actor=user, plan=plan, data=form.cleaned_data)
    return selectors.plan_detail(user, plan_id)


REFERENCE_FIELDS = ("number", "issued_on", "issuer", "title")


@router.put(
    "/plans/{plan_id}/references",
    response={200: PlanDetailOut, **WRITE},
    tags=PLANS,
    summary="Thay toàn bộ căn cứ của kế hoạch (đầu mối)",
    description=(
        "Gửi mọi căn cứ theo thứ tự; căn cứ không gửi sẽ bị xóa. Lỗi của từng căn cứ ở "
        "`references.<thứ tự từ 0>.<trường>`."
    ),
)
def plan_references(request: HttpRequest, plan_id: int, payload: ReferencesIn) -> Plan:
    user = _user(request)
    plan = _managed_plan(user, plan_id)
    errors: dict[str, list[str]] = {}
    refuse_unknown(payload, errors)
    rows = payload.references
    if not isinstance(rows, list):
        raise ValidationError({**errors, "references": ["Căn cứ phải là một danh sách (có thể rỗng)."]})
    references: list[dict[str, Any]] = []
    for index, row in enumerate(rows):
        where = f"references.{index}"
        if not isinstance(row, dict):
            errors[where] = [
                f"Căn cứ thứ {index + 1} phải là một đối tượng {{number, issued_on, issuer, title}}."
            ]
            continue
        refused = {
            f"{where}.{key}": f"không có trường “{key}”." for key in row.keys() - set(REFERENCE_FIELDS)
        }
        for key in REFERENCE_FIELDS:
            if row.get(key) is not None and not isinstance(row[key], str):
                refused[f"{where}.{key}"] = f"“{key}” phải là chuỗi ký tự."
        if refused:
            errors.update({name: [f"Căn cứ thứ {index + 1}: {message}"] for name, message in refused.items()})
            continue
        form = ReferenceForm(data={key: row.get(key) for key in REFERENCE_FIELDS})
        if not form.is_valid():
            errors.update(row_errors("references", index, "Căn cứ", form))
            continue
        data = form.cleaned_data
        if not data["number"] and not data["title"]:
            # The page skips a row left blank; in a body an empty row is more likely a mistake.
            errors[where] = [f"Căn cứ thứ {index + 1}: Mỗi căn cứ cần có số, ký hiệu hoặc trích yếu."]
            continue
        references.append(
            {key: data[key] or ("" if key != "issued_on" else None) for key in REFERENCE_FIELDS}
        )
    if errors:
        raise ValidationError(errors)
    plan_services.plan_set_references(actor=user, plan=plan, references=references)
    return selectors.plan_detail(user, plan_id)


@router.put(
    "/plans/{plan_id}/goals",
    response={200: PlanDetailOut, **WRITE},
    tags=PLANS,
    summary="Thay toàn bộ mục tiêu của kế hoạch (đầu mối)",
    description="Gửi mọi mục tiêu theo thứ tự, mỗi mục tiêu một chuỗi; mục tiêu rỗng bị bỏ qua.",
)
def plan_goals(request: HttpRequest, plan_id: int, payload: GoalsIn) -> Plan:
    user = _user(request)
    plan = _managed_plan(user, plan_id)
    errors: dict[str, list[str]] = {}
    refuse_unknown(payload, errors)
    goals = text_list(payload.goals, "goals", "Mục tiêu", errors)
    if errors:
        raise ValidationError(errors)
    plan_services.plan_set_goals(actor=user, plan=plan, goals=goals or [])
    return selectors.plan_detail(user, plan_id)


# Indicators -------------------------------------------------------------------------------------------
def _indicator_list(user: User, plan: Plan | None, filters: PlanIndicatorFilters) -> QuerySet[Indicator]:
    indicators = Indicator.objects.filter(access_for(user).read_q("plan__owner_unit__path")).select_related(
        "plan", "group", "lead_unit"
    )
    indicators = indicators.prefetch_related("coordinating_units")
    plan_id = plan.pk if plan else getattr(filters, "plan", None)
    if plan_id is not None:
        indicators = indicators.filter(plan_id=plan_id)
    if filters.group is not None:
        indicators = indicators.filter(group_id=filters.group)
    if filters.lead_unit is not None:
        indicators = indicators.filter(lead_unit_id=filters.lead_unit)
    if filters.code:
        indicators = indicators.filter(code=filters.code.strip())
    return indicators.order_by("plan__year", "plan_id", "position", "id")


@router.get(
    "/indicators",
    response={200: list[IndicatorDetailOut], 401: ErrorOut},
    tags=INDICATORS,
    summary="Danh sách chỉ tiêu",
)
@paginate(PageNumberPagination, **PAGE)
def indicator_list(request: HttpRequest, filters: Query[IndicatorFilters]) -> QuerySet[Indicator]:
    return _indicator_list(_user(request), None, filters)


@router.get(
    "/plans/{plan_id}/indicators",
    response={200: list[IndicatorDetailOut], **READ},
    tags=INDICATORS,
    summary="Chỉ tiêu của một kế hoạch",
)
@paginate(PageNumberPagination, **PAGE)
def plan_indicator_list(
    request: HttpRequest, plan_id: int, filters: Query[PlanIndicatorFilters]
) -> QuerySet[Indicator]:
    user = _user(request)
    return _indicator_list(user, _plan(user, plan_id), filters)


@router.get(
    "/indicators/{indicator_id}",
    response={200: IndicatorDetailOut, **READ},
    tags=INDICATORS,
    summary="Chi tiết chỉ tiêu: mục tiêu bằng lời, giá trị đầu kỳ, cách tính, đơn vị chủ trì và phối hợp",
)
def indicator_detail(request: HttpRequest, indicator_id: int) -> Indicator:
    return _indicator(_user(request), indicator_id)


def _indicator_save(
    user: User, plan: Plan, payload: IndicatorPatchIn, indicator: Indicator | None
) -> Indicator:
    errors: dict[str, list[str]] = {}
    refuse_unknown(payload, errors)
    unknown_unit = _unknown_unit(plan.owner_unit)
    form = bind(
        IndicatorForm,
        sent_fields(payload),
        errors=errors,
        renames=UNIT_OF_MEASURE,
        unknown_ids={
            "group": _unknown_in_plan("nhóm chỉ tiêu"),
            "lead_unit": unknown_unit,
            "coordinating_units": unknown_unit,
        },
        instance=indicator,
        plan=plan,
    )
    data = {key: value for key, value in form.cleaned_data.items() if key != "coordinating_units"}
    with renamed_errors({form_name: api_name for api_name, form_name in UNIT_OF_MEASURE.items()}):
        saved = indicator_services.indicator_save(
            actor=user,
            plan=plan,
            data=data,
            coordinating_units=list(form.cleaned_data["coordinating_units"]),
            indicator=indicator,
        )
    return _indicator(user, saved.pk)


@router.post(
    "/plans/{plan_id}/indicators",
    response={201: IndicatorDetailOut, **WRITE},
    tags=INDICATORS,
    summary="Thêm chỉ tiêu vào kế hoạch (đầu mối)",
    description=(
        "Các trường như trang “Thêm chỉ tiêu”. Số dạng số JSON, hoặc chuỗi viết kiểu Việt Nam (“12,5”; "
        "“1.500” là một nghìn năm trăm). Không ghi `code` thì hệ thống đặt CT01, CT02…"
    ),
)
def indicator_create(request: HttpRequest, plan_id: int, payload: IndicatorIn) -> tuple[int, Indicator]:
    user = _user(request)
    return 201, _indicator_save(user, _managed_plan(user, plan_id), payload, None)


@router.patch(
    "/indicators/{indicator_id}",
    response={200: IndicatorDetailOut, **WRITE},
    tags=INDICATORS,
    summary="Sửa chỉ tiêu (đầu mối của kế hoạch); chỉ gửi các trường muốn sửa",
)
def indicator_update(request: HttpRequest, indicator_id: int, payload: IndicatorPatchIn) -> Indicator:
    user = _user(request)
    indicator = _indicator(user, indicator_id)
    ensure_can_manage(user, indicator.plan)
    return _indicator_save(user, indicator.plan, payload, indicator)


@router.delete(
    "/indicators/{indicator_id}",
    response={204: None, **READ},
    tags=INDICATORS,
    summary="Xóa chỉ tiêu (đầu mối của kế hoạch); số liệu đã nhập của chỉ tiêu bị xóa theo",
)
def indicator_remove(request: HttpRequest, indicator_id: int) -> tuple[int, None]:
    user = _user(request)
    indicator_services.indicator_delete(actor=user, indicator=_indicator(user, indicator_id))
    return 204, None


# Indicator groups ---------------------------------------------------------------------------------------
@router.get(
    "/plans/{plan_id}/indicator-groups",
    response={200: list[GroupOut], **READ},
    tags=INDICATORS,
    summary="Các nhóm chỉ tiêu của một kế hoạch",
)
@paginate(PageNumberPagination, **PAGE)
def group_list(request: HttpRequest, plan_id: int) -> QuerySet[IndicatorGroup]:
    plan = _plan(_user(request), plan_id)
    return IndicatorGroup.objects.filter(plan=plan).order_by("position", "id")


@router.get(
    "/indicator-groups/{group_id}", response={200: GroupOut, **READ}, tags=INDICATORS, summary="Nhóm chỉ tiêu"
)
def group_detail(request: HttpRequest, group_id: int) -> IndicatorGroup:
    return _group(_user(request), group_id)


@router.post(
    "/plans/{plan_id}/indicator-groups",
    response={201: GroupOut, **WRITE},
    tags=INDICATORS,
    summary="Thêm nhóm chỉ tiêu (đầu mối)",
)
def group_create(request: HttpRequest, plan_id: int, payload: GroupIn) -> tuple[int, IndicatorGroup]:
    user = _user(request)
    plan = _managed_plan(user, plan_id)
    errors: dict[str, list[str]] = {}
    refuse_unknown(payload, errors)
    form = bind(GroupForm, sent_fields(payload), errors=errors)
    group = indicator_services.indicator_group_save(actor=user, plan=plan, name=form.cleaned_data["name"])
    return 201, group


@router.patch(
    "/indicator-groups/{group_id}",
    response={200: GroupOut, **WRITE},
    tags=INDICATORS,
    summary="Đổi tên nhóm chỉ tiêu (đầu mối)",
)
def group_update(request: HttpRequest, group_id: int, payload: GroupIn) -> IndicatorGroup:
    user = _user(request)
    group = _group(user, group_id)
    ensure_can_manage(user, group.plan)
    errors: dict[str, list[str]] = {}
    refuse_unknown(payload, errors)
    form = bind(GroupForm, sent_fields(payload), errors=errors, initial={"name": group.name})
    indicator_services.indicator_group_save(
        actor=user, plan=group.plan, name=form.cleaned_data["name"], group=group
    )
    return _group(user, group_id)


# Tasks ------------------------------------------------------------------------------------------------
@router.get(
    "/plans/{plan_id}/tasks",
    response={200: list[TaskOut], **READ},
    tags=PLANS,
    summary="Nhiệm vụ của một kế hoạch",
    operation_id=_operation_id("plan_tasks"),
)
@paginate(PageNumberPagination, **PAGE)
def plan_tasks(request: HttpRequest, plan_id: int, filters: Query[PlanTaskFilters]) -> object:
    user = _user(request)
    plan = selectors.readable_plan(user, plan_id)
    return selectors.task_list(user, plan=plan.pk, **filters.model_dump())


@router.get(
    "/tasks",
    response={200: list[TaskOut], 401: ErrorOut},
    tags=TASKS,
    summary="Danh sách nhiệm vụ",
    operation_id=_operation_id("task_list"),
)
@paginate(PageNumberPagination, **PAGE)
def task_list(request: HttpRequest, filters: Query[TaskFilters]) -> object:
    return selectors.task_list(_user(request), **filters.model_dump())


@router.get(
    "/tasks/{task_id}",
    response={200: TaskDetailOut, **READ},
    tags=TASKS,
    summary="Chi tiết nhiệm vụ",
    operation_id=_operation_id("task_detail"),
)
def task_detail(request: HttpRequest, task_id: int) -> Task:
    return selectors.task_detail(_user(request), task_id)


def _task_save(user: User, plan: Plan, payload: TaskPatchIn, task: Task | None) -> Task:
    errors: dict[str, list[str]] = {}
    refuse_unknown(payload, errors)
    unknown_unit = _unknown_unit(plan.owner_unit)
    form = bind(
        TaskForm,
        sent_fields(payload),
        errors=errors,
        unknown_ids={
            "lead_units": unknown_unit,
            "coordinating_units": unknown_unit,
            "trigger": _unknown_in_plan("sự kiện điều kiện"),
        },
        instance=task,
        plan=plan,
    )
    data = form.cleaned_data
    saved = task_services.task_save(
        actor=user,
        plan=plan,
        data=data,
        lead_units=in_order(data["lead_units"], form.data["lead_units"]),
        coordinating_units=in_order(data["coordinating_units"], form.data.get("coordinating_units") or []),
        trigger=data.get("trigger"),
        new_trigger=data.get("new_trigger") or "",
        task=task,
    )
    return _task(user, saved.pk)


@router.post(
    "/plans/{plan_id}/tasks",
    response={201: TaskDetailOut, **WRITE},
    tags=TASKS,
    summary="Thêm nhiệm vụ vào kế hoạch (đầu mối)",
    description=(
        "Các trường như trang “Thêm nhiệm vụ”: đơn vị chủ trì và phối hợp bằng mã, theo thứ tự; thời hạn "
        "như ghi trong kế hoạch. Thời hạn “Sau khi …” cần `trigger` (sự kiện đã có) hoặc `new_trigger`."
    ),
)
def task_create(request: HttpRequest, plan_id: int, payload: TaskIn) -> tuple[int, Task]:
    user = _user(request)
    return 201, _task_save(user, _managed_plan(user, plan_id), payload, None)


@router.patch(
    "/tasks/{task_id}",
    response={200: TaskDetailOut, **WRITE},
    tags=TASKS,
    summary="Sửa nhiệm vụ (đầu mối của kế hoạch); chỉ gửi các trường muốn sửa",
)
def task_update(request: HttpRequest, task_id: int, payload: TaskPatchIn) -> Task:
    user = _user(request)
    task = _task(user, task_id)
    ensure_can_manage(user, task.plan)
    return _task_save(user, task.plan, payload, task)


@router.delete(
    "/tasks/{task_id}",
    response={204: None, **READ},
    tags=TASKS,
    summary="Xóa nhiệm vụ (đầu mối của kế hoạch); báo cáo tiến độ của nhiệm vụ bị xóa theo",
)
def task_remove(request: HttpRequest, task_id: int) -> tuple[int, None]:
    user = _user(request)
    task_services.task_delete(actor=user, task=_task(user, task_id))
    return 204, None


# Responsibilities -------------------------------------------------------------------------------------
@router.get(
    "/plans/{plan_id}/responsibilities",
    response={200: list[ResponsibilityItemOut], **READ},
    tags=RESPONSIBILITIES,
    summary="Trách nhiệm của các đơn vị trong một kế hoạch",
)
@paginate(PageNumberPagination, **PAGE)
def responsibility_list(
    request: HttpRequest, plan_id: int, filters: Query[ResponsibilityFilters]
) -> QuerySet[Responsibility]:
    plan = _plan(_user(request), plan_id)
    responsibilities = Responsibility.objects.filter(plan=plan).select_related("unit")
    if filters.unit is not None:
        responsibilities = responsibilities.filter(unit_id=filters.unit)
    return responsibilities.order_by("position", "id")


@router.get(
    "/responsibilities/{responsibility_id}",
    response={200: ResponsibilityItemOut, **READ},
    tags=RESPONSIBILITIES,
    summary="Trách nhiệm của một đơn vị",
)
def responsibility_detail(request: HttpRequest, responsibility_id: int) -> Responsibility:
    return _responsibility(_user(request), responsibility_id)


def _responsibility_save(
    user: User, plan: Plan, payload: ResponsibilityPatchIn, responsibility: Responsibility | None
) -> Responsibility:
    errors: dict[str, list[str]] = {}
    refuse_unknown(payload, errors)
    sent = sent_fields(payload)
    duties = list(responsibility.duties) if responsibility else []
    if "duties" in sent:
        duties = text_list(sent.pop("duties"), "duties", "Nhiệm vụ được giao", errors) or []
    # The page's form reads the duties as one text, a paragraph each; it checks here that some are given.
    form_duties = "\n\n".join(duty for duty in duties if duty)
    initial = {"unit": responsibility.unit_id, "duties": form_duties} if responsibility else {}
    form = bind(
        ResponsibilityForm,
        {**sent, **({} if "duties" in errors else {"duties": form_duties})},
        errors=errors,
        unknown_ids={"unit": _unknown_unit(plan.owner_unit)},
        plan=plan,
        initial=initial,
    )
    saved = plan_services.responsibility_save(
        actor=user, plan=plan, unit=form.cleaned_data["unit"], duties=duties, responsibility=responsibility
    )
    return _responsibility(user, saved.pk)


@router.post(
    "/plans/{plan_id}/responsibilities",
    response={201: ResponsibilityItemOut, **WRITE},
    tags=RESPONSIBILITIES,
    summary="Giao trách nhiệm cho một đơn vị (đầu mối)",
)
def responsibility_create(
    request: HttpRequest, plan_id: int, payload: ResponsibilityIn
) -> tuple[int, Responsibility]:
    user = _user(request)
    return 201, _responsibility_save(user, _managed_plan(user, plan_id), payload, None)


@router.patch(
    "/responsibilities/{responsibility_id}",
    response={200: ResponsibilityItemOut, **WRITE},
    tags=RESPONSIBILITIES,
    summary="Sửa trách nhiệm của một đơn vị (đầu mối); chỉ gửi các trường muốn sửa",
)
def responsibility_update(
    request: HttpRequest, responsibility_id: int, payload: ResponsibilityPatchIn
) -> Responsibility:
    user = _user(request)
    responsibility = _responsibility(user, responsibility_id)
    ensure_can_manage(user, responsibility.plan)
    return _responsibility_save(user, responsibility.plan, payload, responsibility)


@router.delete(
    "/responsibilities/{responsibility_id}",
    response={204: None, **READ},
    tags=RESPONSIBILITIES,
    summary="Xóa phần trách nhiệm của một đơn vị (đầu mối)",
)
def responsibility_remove(request: HttpRequest, responsibility_id: int) -> tuple[int, None]:
    user = _user(request)
    plan_services.responsibility_delete(actor=user, responsibility=_responsibility(user, responsibility_id))
    return 204, None


# Triggers ---------------------------------------------------------------------------------------------
@router.get(
    "/plans/{plan_id}/triggers",
    response={200: list[TriggerOut], **READ},
    tags=TRIGGERS,
    summary="Các sự kiện điều kiện của một kế hoạch, kèm nhiệm vụ chờ từng sự kiện",
)
@paginate(PageNumberPagination, **PAGE)
def trigger_list(request: HttpRequest, plan_id: int, filters: Query[TriggerFilters]) -> QuerySet[Trigger]:
    plan = _plan(_user(request), plan_id)
    triggers = _triggers().filter(plan=plan)
    if filters.fulfilled is not None:
        triggers = triggers.filter(occurred_on__isnull=not filters.fulfilled)
    return triggers.order_by("id")


@router.get(
    "/triggers/{trigger_id}", response={200: TriggerOut, **READ}, tags=TRIGGERS, summary="Sự kiện điều kiện"
)
def trigger_detail(request: HttpRequest, trigger_id: int) -> Trigger:
    return _trigger(_user(request), trigger_id)


@router.post(
    "/plans/{plan_id}/triggers",
    response={201: TriggerOut, **WRITE},
    tags=TRIGGERS,
    summary="Thêm sự kiện điều kiện cho các nhiệm vụ “Sau khi …” (đầu mối)",
)
def trigger_create(request: HttpRequest, plan_id: int, payload: TriggerIn) -> tuple[int, Trigger]:
    user = _user(request)
    plan = _managed_plan(user, plan_id)
    errors: dict[str, list[str]] = {}
    refuse_unknown(payload, errors)
    form = bind(TriggerForm, sent_fields(payload), errors=errors)
    trigger = task_services.trigger_save(actor=user, plan=plan, description=form.cleaned_data["description"])
    return 201, _trigger(user, trigger.pk)


@router.patch(
    "/triggers/{trigger_id}",
    response={200: TriggerOut, **WRITE},
    tags=TRIGGERS,
    summary="Sửa nội dung sự kiện điều kiện (đầu mối)",
)
def trigger_update(request: HttpRequest, trigger_id: int, payload: TriggerIn) -> Trigger:
    user = _user(request)
    trigger = _trigger(user, trigger_id)
    ensure_can_manage(user, trigger.plan)
    errors: dict[str, list[str]] = {}
    refuse_unknown(payload, errors)
    form = bind(
        TriggerForm, sent_fields(payload), errors=errors, initial={"description": trigger.description}
    )
    task_services.trigger_save(
        actor=user, plan=trigger.plan, description=form.cleaned_data["description"], trigger=trigger
    )
    return _trigger(user, trigger_id)


@router.post(
    "/triggers/{trigger_id}/record",
    response={200: TriggerOut, **WRITE},
    tags=TRIGGERS,
    summary="Ghi nhận sự kiện đã xảy ra: các nhiệm vụ chờ có hạn hoàn thành (đầu mối)",
    description=(
        "Ghi ngày và văn bản đáp ứng điều kiện; mỗi nhiệm vụ chờ sự kiện có hạn hoàn thành bằng ngày đó cộng "
        "số ngày thực hiện của nhiệm vụ. Ghi lại lần nữa để sửa ngày."
    ),
)
def trigger_record(request: HttpRequest, trigger_id: int, payload: TriggerRecordIn) -> Trigger:
    user = _user(request)
    trigger = _trigger(user, trigger_id)
    ensure_can_manage(user, trigger.plan)
    errors: dict[str, list[str]] = {}
    refuse_unknown(payload, errors)
    form = bind(TriggerRecordForm, sent_fields(payload), errors=errors)
    task_services.trigger_record(actor=user, trigger=trigger, **form.cleaned_data)
    return _trigger(user, trigger_id)
