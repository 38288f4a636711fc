"""The tracking part of the API: periods, progress reports, indicator data, evidence; read and write.

Every write calls the tracking services, which check who may do it (the same rules as the pages):
a unit's staff and đầu mối open, edit and submit their unit's reports; the plan's đầu mối accepts,
returns, reopens and closes periods. Endpoints here only find the objects, check that the user may
read them (404 when they do not exist, 403 when they are not the user's to see), clean the input and
shape the output. Errors: PermissionDenied → 403, Http404 → 404, a service's ValidationError → 422
with Vietnamese messages per field, ConflictError (a save from an old `version`) → 409; the handlers
are registered on the API in `router`.
"""

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db.models import Prefetch, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.text import capfirst
from ninja import File, Form, Query, Router
from ninja.files import UploadedFile
from ninja.pagination import PageNumberPagination, paginate

from kehoach.plans.models import Indicator, Plan, Task
from kehoach.plans.selectors import tasks_with_units
from kehoach.tracking import selectors as tracking_selectors
from kehoach.tracking.choices import ReporterRole
from kehoach.tracking.models import Evidence, Measurement, Period, ProgressReport
from kehoach.tracking.permissions import can_review
from kehoach.tracking.services import evidence as evidence_services
from kehoach.tracking.services import measurements as measurement_services
from kehoach.tracking.services import periods as period_services
from kehoach.tracking.services import progress as progress_services
from kehoach.tracking.services.workflow import ConflictError
from kehoach.units.access import access_for
from kehoach.units.models import Unit, User

from . import selectors
from .schemas import ErrorOut
from .tracking_schemas import (
    ConflictOut,
    DeskFilters,
    DeskOut,
    EvidenceOut,
    FieldErrorsOut,
    MeasurementDetailOut,
    MeasurementFilters,
    MeasurementOpenIn,
    MeasurementOut,
    MeasurementPatchIn,
    MissingOut,
    PeriodFilters,
    PeriodOut,
    ProgressReportDetailOut,
    ProgressReportFilters,
    ProgressReportOpenIn,
    ProgressReportOut,
    ProgressReportPatchIn,
    ReasonIn,
    clean_flag,
    clean_ids,
    clean_reason,
    clean_update,
)

router = Router()

PAGE = {"page_size": settings.KEHOACH_PAGE_SIZE, "max_page_size": 200}
READ = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut}
WRITE = {**READ, 422: FieldErrorsOut}
SAVE = {**WRITE, 409: ConflictOut}

PERIODS = ["Kỳ báo cáo"]
REPORTS = ["Báo cáo tiến độ"]
MEASUREMENTS = ["Số liệu chỉ tiêu"]
EVIDENCE = ["Minh chứng"]


def _user(request: HttpRequest) -> User:
    # TokenAuth and django_auth both return the user; request.user stays anonymous for token requests.
    return request.auth  # type: ignore[attr-defined]


def _ensure_reads(user: User, plan: Plan, what: str) -> None:
    if not access_for(user).can_read_unit(plan.owner_unit):
        raise PermissionDenied(f"Bạn không có quyền xem {what} này.")


# Error bodies (the handlers live in `router`, on the API) -----------------------------------------
def validation_body(error: ValidationError) -> dict[str, Any]:
    """{"detail": every message in one line, "errors": {field: [messages]}}; general ones under __all__."""
    if hasattr(error, "error_dict"):
        errors = {field: list(messages) for field, messages in error.message_dict.items()}
    else:
        errors = {NON_FIELD_ERRORS: list(error.messages)}
    detail = " ".join(message for messages in errors.values() for message in messages)
    return {"detail": detail or "Dữ liệu không hợp lệ.", "errors": errors}


def _plain(value: Any) -> Any:
    return float(value) if isinstance(value, Decimal) else value


def conflict_body(error: ConflictError) -> dict[str, Any]:
    """The current version and, per field the user sent, what is stored now against what they sent."""
    current = error.current
    names = {str(f.verbose_name): f.name for f in type(current)._meta.concrete_fields}
    changes = []
    for label, (stored, yours) in error.changes.items():
        name = names.get(label)
        if name is not None:
            stored = getattr(current, name)
            if stored == yours:  # same value written differently (10 and 10.00, a date and its text)
                continue
        changes.append(
            {
                "field": name or label,
                "label": capfirst(label),
                "current": _plain(stored),
                "yours": _plain(yours),
            }
        )
    return {"detail": str(error), "current_version": current.version, "changes": changes}


# Periods --------------------------------------------------------------------------------------------
def _periods() -> QuerySet[Period]:
    return Period.objects.select_related("plan__owner_unit", "plan__lead_unit", "closed_by")


def _period(user: User, pk: int) -> Period:
    period = _periods().filter(pk=pk).first()
    if period is None:
        raise Http404(f"Không tìm thấy kỳ báo cáo có mã {pk}.")
    _ensure_reads(user, period.plan, "kỳ báo cáo")
    return period


@router.get(
    "/plans/{plan_id}/periods",
    response={200: list[PeriodOut], **READ},
    tags=PERIODS,
    summary="Các kỳ báo cáo của một kế hoạch",
)
@paginate(PageNumberPagination, **PAGE)
def plan_periods(request: HttpRequest, plan_id: int, filters: Query[PeriodFilters]) -> QuerySet[Period]:
    plan = selectors.readable_plan(_user(request), plan_id)
    if not plan.periods.exists():
        # As the periods page does: a plan's periods are laid out the first time anyone looks.
        period_services.periods_sync(plan=plan)
    # As the periods page lists them: by cut-off, the shorter period first (Quý II before 6 tháng).
    periods = (
        Period.objects.filter(plan=plan).select_related("closed_by").order_by("ends_on", "-starts_on", "pk")
    )
    # A plan has a few dozen periods a year: the (plan, ends_on) index narrows enough for these.
    if filters.kind is not None:
        periods = periods.filter(kind=filters.kind)
    if filters.year is not None:
        periods = periods.filter(year=filters.year)
    if filters.closed is not None:
        periods = periods.filter(closed_at__isnull=not filters.closed)
    return periods


@router.get("/periods/{period_id}", response={200: PeriodOut, **READ}, tags=PERIODS, summary="Kỳ báo cáo")
def period_detail(request: HttpRequest, period_id: int) -> Period:
    return _period(_user(request), period_id)


def _slot(slot: tracking_selectors.Slot) -> dict[str, Any]:
    record = slot.record
    return {
        "unit": slot.unit,
        "role": slot.role,
        "role_label": ReporterRole(slot.role).label,
        "state": slot.state,
        "state_label": slot.state_label,
        "record_id": record.pk if record else None,
        "version": record.version if record else None,
        "percent_complete": getattr(record, "percent_complete", None),
        "value": _plain(getattr(record, "value", None)),
    }


@router.get(
    "/periods/{period_id}/desk",
    response={200: DeskOut, **READ},
    tags=PERIODS,
    summary="Bàn làm việc của đầu mối: nhiệm vụ, chỉ tiêu và trạng thái báo cáo của từng đơn vị trong kỳ",
)
def period_desk(request: HttpRequest, period_id: int, filters: Query[DeskFilters]) -> dict[str, Any]:
    user = _user(request)
    period = _period(user, period_id)
    plan = period.plan
    task_rows, indicator_rows = tracking_selectors.desk(plan, period, today=timezone.localdate())

    def kept(slots: list[tracking_selectors.Slot]) -> list[dict[str, Any]]:
        return [
            _slot(s)
            for s in slots
            if (filters.unit is None or s.unit.pk == filters.unit)
            and (filters.state is None or s.state == filters.state)
        ]

    filtering = filters.unit is not None or filters.state is not None
    tasks = []
    for row in task_rows:
        slots = kept(row.slots)
        if slots or not filtering:
            status = row.status
            tasks.append(
                {
                    "task": row.task,
                    "due_on": row.task.due_on,
                    "status": status.value,
                    "status_label": status.label,
                    "reports": slots,
                }
            )
    indicators = []
    for row in indicator_rows:
        slots = kept(row.slots)
        if slots or not filtering:
            indicators.append(
                {
                    "indicator": row.indicator,
                    "value": _plain(row.value),
                    "assessment": row.assessment.value,
                    "assessment_label": row.assessment.label,
                    "measurements": slots,
                }
            )
    return {
        "plan": plan,
        "period": period,
        "can_review": can_review(user, plan),
        "tasks": tasks,
        "indicators": indicators,
    }


def _missing_item(item: Task | Indicator, slot: tracking_selectors.Slot) -> dict[str, Any]:
    return {
        "id": item.pk,
        "title": getattr(item, "title", None) or getattr(item, "name", ""),
        "role": slot.role,
        "role_label": ReporterRole(slot.role).label,
        "state": slot.state,
        "state_label": slot.state_label,
        "record_id": slot.record.pk if slot.record else None,
    }


@router.get(
    "/periods/{period_id}/missing",
    response={200: MissingOut, **READ},
    tags=PERIODS,
    summary="Thiếu số liệu: đơn vị nào chưa gửi báo cáo, số liệu nào trong kỳ",
)
def period_missing(request: HttpRequest, period_id: int) -> dict[str, Any]:
    period = _period(_user(request), period_id)
    today = timezone.localdate()
    rows = tracking_selectors.missing(period.plan, period, today=today)
    return {
        "plan": period.plan,
        "period": period,
        "overdue": period.due_on < today,
        "units": [
            {
                "unit": row["unit"],
                "tasks": [_missing_item(task, slot) for task, slot in row["tasks"]],
                "indicators": [_missing_item(indicator, slot) for indicator, slot in row["indicators"]],
            }
            for row in rows
        ],
    }


@router.post(
    "/periods/{period_id}/close",
    response={200: PeriodOut, **WRITE},
    tags=PERIODS,
    summary="Khóa sổ kỳ báo cáo (đầu mối)",
)
def period_close(request: HttpRequest, period_id: int) -> Period:
    user = _user(request)
    period = _period(user, period_id)
    period_services.period_close(actor=user, period=period)
    return _period(user, period_id)


@router.post(
    "/periods/{period_id}/reopen",
    response={200: PeriodOut, **WRITE},
    tags=PERIODS,
    summary="Mở lại kỳ đã khóa sổ (đầu mối, cần lý do)",
)
def period_reopen(request: HttpRequest, period_id: int, payload: ReasonIn | None = None) -> Period:
    user = _user(request)
    period = _period(user, period_id)
    period_services.period_reopen(actor=user, period=period, reason=clean_reason(payload))
    return _period(user, period_id)


# Shared lookups for report creation ------------------------------------------------------------------
def _get(queryset: QuerySet, pk: int, what: str):
    obj = queryset.filter(pk=pk).first()
    if obj is None:
        raise Http404(f"Không tìm thấy {what} có mã {pk}.")
    return obj


def _evidence_prefetch() -> Prefetch:
    return Prefetch(
        "evidence", queryset=Evidence.objects.select_related("uploaded_by").order_by("uploaded_at", "pk")
    )


def _status_for(created: bool) -> int:
    return 201 if created else 200


# Progress reports ----------------------------------------------------------------------------------
def _reports(user: User) -> QuerySet[ProgressReport]:
    return (
        ProgressReport.objects.readable_by(user)
        .select_related("task", "period", "unit", "submitted_by", "reviewed_by")
        .order_by("period__ends_on", "-period__starts_on", "task__position", "role", "unit__path", "pk")
    )


def _report(user: User, pk: int) -> ProgressReport:
    report = (
        ProgressReport.objects.select_related(
            "task", "period__plan__owner_unit", "unit", "submitted_by", "reviewed_by"
        )
        .prefetch_related(_evidence_prefetch())
        .filter(pk=pk)
        .first()
    )
    if report is None:
        raise Http404(f"Không tìm thấy báo cáo tiến độ có mã {pk}.")
    _ensure_reads(user, report.period.plan, "báo cáo tiến độ")
    return report


@router.get(
    "/progress-reports",
    response={200: list[ProgressReportOut], 401: ErrorOut},
    tags=REPORTS,
    summary="Danh sách báo cáo tiến độ",
)
@paginate(PageNumberPagination, **PAGE)
def report_list(request: HttpRequest, filters: Query[ProgressReportFilters]) -> QuerySet[ProgressReport]:
    reports = _reports(_user(request))
    if filters.plan is not None:
        reports = reports.filter(period__plan_id=filters.plan)
    if filters.period is not None:
        reports = reports.filter(period_id=filters.period)
    if filters.task is not None:
        reports = reports.filter(task_id=filters.task)
    if filters.unit is not None:
        reports = reports.filter(unit_id=filters.unit)
    if filters.status is not None:
        reports = reports.filter(status=filters.status)
    return reports


@router.get(
    "/progress-reports/{report_id}",
    response={200: ProgressReportDetailOut, **READ},
    tags=REPORTS,
    summary="Chi tiết báo cáo tiến độ, kèm minh chứng",
)
def report_detail(request: HttpRequest, report_id: int) -> ProgressReport:
    return _report(_user(request), report_id)


@router.post(
    "/progress-reports",
    response={200: ProgressReportDetailOut, 201: ProgressReportDetailOut, **WRITE},
    tags=REPORTS,
    summary="Lập báo cáo tiến độ của một đơn vị cho một nhiệm vụ trong một kỳ (hoặc lấy bản đã có)",
    description="Trả về 201 khi lập mới, 200 khi đơn vị đã có báo cáo cho nhiệm vụ và kỳ này.",
)
def report_open(request: HttpRequest, payload: ProgressReportOpenIn) -> tuple[int, ProgressReport]:
    user = _user(request)
    ids = clean_ids(payload, {"task": "nhiệm vụ", "period": "kỳ báo cáo", "unit": "đơn vị"})
    task = _get(tasks_with_units(Task.objects.select_related("plan__owner_unit")), ids["task"], "nhiệm vụ")
    _ensure_reads(user, task.plan, "nhiệm vụ")
    period = _get(Period.objects.select_related("plan"), ids["period"], "kỳ báo cáo")
    unit = _get(Unit.objects.all(), ids["unit"], "đơn vị")
    existed = ProgressReport.objects.filter(task=task, period=period, unit=unit).exists()
    report = progress_services.progress_report_open(actor=user, task=task, period=period, unit=unit)
    return _status_for(not existed), _report(user, report.pk)


@router.patch(
    "/progress-reports/{report_id}",
    response={200: ProgressReportDetailOut, **SAVE},
    tags=REPORTS,
    summary="Sửa báo cáo tiến độ (nháp hoặc bị trả lại); cần “version” đang có",
    description=(
        "Chỉ gửi các trường muốn sửa, kèm `version` đọc được lần trước. Nếu người khác đã lưu sau đó, "
        "trả về 409 với phiên bản hiện tại và các khác biệt; không có gì bị ghi đè."
    ),
)
def report_update(request: HttpRequest, report_id: int, payload: ProgressReportPatchIn) -> ProgressReport:
    user = _user(request)
    report = _report(user, report_id)
    data, version = clean_update(payload)
    progress_services.progress_report_save(actor=user, report=report, data=data, version=version)
    return _report(user, report_id)


def _report_action(summary: str, path: str):
    return router.post(
        f"/progress-reports/{{report_id}}/{path}",
        response={200: ProgressReportDetailOut, **WRITE},
        tags=REPORTS,
        summary=summary,
    )


@_report_action("Gửi báo cáo tiến độ cho đầu mối", "submit")
def report_submit(request: HttpRequest, report_id: int) -> ProgressReport:
    user = _user(request)
    progress_services.progress_report_submit(actor=user, report=_report(user, report_id))
    return _report(user, report_id)


@_report_action("Chấp nhận báo cáo tiến độ (đầu mối)", "accept")
def report_accept(request: HttpRequest, report_id: int) -> ProgressReport:
    user = _user(request)
    progress_services.progress_report_accept(actor=user, report=_report(user, report_id))
    return _report(user, report_id)


@_report_action("Trả lại báo cáo tiến độ (đầu mối, cần lý do)", "return")
def report_return(request: HttpRequest, report_id: int, payload: ReasonIn | None = None) -> ProgressReport:
    user = _user(request)
    report = _report(user, report_id)
    progress_services.progress_report_return(actor=user, report=report, reason=clean_reason(payload))
    return _report(user, report_id)


@_report_action("Mở lại báo cáo tiến độ đã chấp nhận (đầu mối, cần lý do)", "reopen")
def report_reopen(request: HttpRequest, report_id: int, payload: ReasonIn | None = None) -> ProgressReport:
    user = _user(request)
    report = _report(user, report_id)
    progress_services.progress_report_reopen(actor=user, report=report, reason=clean_reason(payload))
    return _report(user, report_id)


# Indicator data ------------------------------------------------------------------------------------
def _measurements(user: User) -> QuerySet[Measurement]:
    return (
        Measurement.objects.readable_by(user)
        .select_related("indicator", "period", "unit", "submitted_by", "reviewed_by")
        .order_by("period__ends_on", "-period__starts_on", "indicator__position", "unit__path", "pk")
    )


def _measurement(user: User, pk: int) -> Measurement:
    measurement = (
        Measurement.objects.select_related(
            "indicator", "period__plan__owner_unit", "unit", "submitted_by", "reviewed_by"
        )
        .prefetch_related(_evidence_prefetch())
        .filter(pk=pk)
        .first()
    )
    if measurement is None:
        raise Http404(f"Không tìm thấy số liệu chỉ tiêu có mã {pk}.")
    _ensure_reads(user, measurement.period.plan, "số liệu chỉ tiêu")
    return measurement


@router.get(
    "/measurements",
    response={200: list[MeasurementOut], 401: ErrorOut},
    tags=MEASUREMENTS,
    summary="Danh sách số liệu chỉ tiêu",
)
@paginate(PageNumberPagination, **PAGE)
def measurement_list(request: HttpRequest, filters: Query[MeasurementFilters]) -> QuerySet[Measurement]:
    measurements = _measurements(_user(request))
    if filters.plan is not None:
        measurements = measurements.filter(period__plan_id=filters.plan)
    if filters.period is not None:
        measurements = measurements.filter(period_id=filters.period)
    if filters.indicator is not None:
        measurements = measurements.filter(indicator_id=filters.indicator)
    if filters.unit is not None:
        measurements = measurements.filter(unit_id=filters.unit)
    if filters.status is not None:
        measurements = measurements.filter(status=filters.status)
    return measurements


@router.get(
    "/measurements/{measurement_id}",
    response={200: MeasurementDetailOut, **READ},
    tags=MEASUREMENTS,
    summary="Chi tiết số liệu chỉ tiêu, kèm minh chứng",
)
def measurement_detail(request: HttpRequest, measurement_id: int) -> Measurement:
    return _measurement(_user(request), measurement_id)


@router.post(
    "/measurements",
    response={200: MeasurementDetailOut, 201: MeasurementDetailOut, **WRITE},
    tags=MEASUREMENTS,
    summary="Lập số liệu của một đơn vị cho một chỉ tiêu trong một kỳ (hoặc lấy bản đã có)",
    description="Trả về 201 khi lập mới, 200 khi đơn vị đã có số liệu cho chỉ tiêu và kỳ này.",
)
def measurement_open(request: HttpRequest, payload: MeasurementOpenIn) -> tuple[int, Measurement]:
    user = _user(request)
    ids = clean_ids(payload, {"indicator": "chỉ tiêu", "period": "kỳ báo cáo", "unit": "đơn vị"})
    indicator = _get(
        Indicator.objects.select_related("plan__owner_unit", "lead_unit").prefetch_related(
            "coordinating_units"
        ),
        ids["indicator"],
        "chỉ tiêu",
    )
    _ensure_reads(user, indicator.plan, "chỉ tiêu")
    period = _get(Period.objects.select_related("plan"), ids["period"], "kỳ báo cáo")
    unit = _get(Unit.objects.all(), ids["unit"], "đơn vị")
    existed = Measurement.objects.filter(indicator=indicator, period=period, unit=unit).exists()
    measurement = measurement_services.measurement_open(
        actor=user, indicator=indicator, period=period, unit=unit
    )
    return _status_for(not existed), _measurement(user, measurement.pk)


@router.patch(
    "/measurements/{measurement_id}",
    response={200: MeasurementDetailOut, **SAVE},
    tags=MEASUREMENTS,
    summary="Sửa số liệu chỉ tiêu (nháp hoặc bị trả lại); cần “version” đang có",
    description=(
        "Số gửi dạng số JSON hoặc chuỗi (“12,5” hoặc “12.5”). Chỉ tiêu tỷ lệ có thể gửi tử số và mẫu số: "
        "hệ thống tự tính tỷ lệ. Bản cũ hơn `version` hiện tại bị từ chối với mã 409."
    ),
)
def measurement_update(request: HttpRequest, measurement_id: int, payload: MeasurementPatchIn) -> Measurement:
    user = _user(request)
    measurement = _measurement(user, measurement_id)
    data, version = clean_update(payload)
    measurement_services.measurement_save(actor=user, measurement=measurement, data=data, version=version)
    return _measurement(user, measurement_id)


def _measurement_action(summary: str, path: str):
    return router.post(
        f"/measurements/{{measurement_id}}/{path}",
        response={200: MeasurementDetailOut, **WRITE},
        tags=MEASUREMENTS,
        summary=summary,
    )


@_measurement_action("Gửi số liệu cho đầu mối", "submit")
def measurement_submit(request: HttpRequest, measurement_id: int) -> Measurement:
    user = _user(request)
    measurement_services.measurement_submit(actor=user, measurement=_measurement(user, measurement_id))
    return _measurement(user, measurement_id)


@_measurement_action("Chấp nhận số liệu (đầu mối)", "accept")
def measurement_accept(request: HttpRequest, measurement_id: int) -> Measurement:
    user = _user(request)
    measurement_services.measurement_accept(actor=user, measurement=_measurement(user, measurement_id))
    return _measurement(user, measurement_id)


@_measurement_action("Trả lại số liệu (đầu mối, cần lý do)", "return")
def measurement_return(
    request: HttpRequest, measurement_id: int, payload: ReasonIn | None = None
) -> Measurement:
    user = _user(request)
    measurement = _measurement(user, measurement_id)
    measurement_services.measurement_return(actor=user, measurement=measurement, reason=clean_reason(payload))
    return _measurement(user, measurement_id)


@_measurement_action("Mở lại số liệu đã chấp nhận (đầu mối, cần lý do)", "reopen")
def measurement_reopen(
    request: HttpRequest, measurement_id: int, payload: ReasonIn | None = None
) -> Measurement:
    user = _user(request)
    measurement = _measurement(user, measurement_id)
    measurement_services.measurement_reopen(actor=user, measurement=measurement, reason=clean_reason(payload))
    return _measurement(user, measurement_id)


# Evidence ------------------------------------------------------------------------------------------
UPLOAD_HELP = (
    "Gửi dạng multipart/form-data: `file` (PDF, DOCX, XLSX, PNG, JPEG; loại tệp kiểm tra theo nội dung), "
    "`description`, `is_output` (true/false: là kết quả/sản phẩm của nhiệm vụ)."
)


def _add_evidence(
    user: User,
    *,
    report: ProgressReport | None = None,
    measurement: Measurement | None = None,
    file: UploadedFile | None,
    description: str,
    is_output: str,
) -> Evidence:
    if file is None:
        raise ValidationError({"file": ["Chưa chọn tệp minh chứng (trường “file”)."]})
    evidence = evidence_services.evidence_add(
        actor=user,
        upload=file,
        report=report,
        measurement=measurement,
        description=description or "",
        is_output=clean_flag(is_output, "is_output"),
    )
    return _evidence(user, evidence.pk)


@router.post(
    "/progress-reports/{report_id}/evidence",
    response={201: EvidenceOut, **WRITE},
    tags=EVIDENCE,
    summary="Đính kèm minh chứng vào báo cáo tiến độ",
    description=UPLOAD_HELP,
)
def report_evidence_add(
    request: HttpRequest,
    report_id: int,
    file: File[UploadedFile] = None,
    description: Form[str] = "",
    is_output: Form[str] = "",
) -> tuple[int, Evidence]:
    user = _user(request)
    report = _report(user, report_id)
    return 201, _add_evidence(user, report=report, file=file, description=description, is_output=is_output)


@router.post(
    "/measurements/{measurement_id}/evidence",
    response={201: EvidenceOut, **WRITE},
    tags=EVIDENCE,
    summary="Đính kèm minh chứng vào số liệu chỉ tiêu",
    description=UPLOAD_HELP,
)
def measurement_evidence_add(
    request: HttpRequest,
    measurement_id: int,
    file: File[UploadedFile] = None,
    description: Form[str] = "",
    is_output: Form[str] = "",
) -> tuple[int, Evidence]:
    user = _user(request)
    measurement = _measurement(user, measurement_id)
    return 201, _add_evidence(
        user, measurement=measurement, file=file, description=description, is_output=is_output
    )


def _evidence(user: User, pk: int) -> Evidence:
    evidence = (
        Evidence.objects.select_related(
            "uploaded_by",
            "progress_report__period__plan__owner_unit",
            "progress_report__unit",
            "measurement__period__plan__owner_unit",
            "measurement__unit",
        )
        .filter(pk=pk)
        .first()
    )
    if evidence is None:
        raise Http404(f"Không tìm thấy minh chứng có mã {pk}.")
    target = evidence.progress_report or evidence.measurement
    _ensure_reads(user, target.period.plan, "minh chứng")
    return evidence


@router.get(
    "/evidence/{evidence_id}", response={200: EvidenceOut, **READ}, tags=EVIDENCE, summary="Minh chứng"
)
def evidence_detail(request: HttpRequest, evidence_id: int) -> Evidence:
    return _evidence(_user(request), evidence_id)


@router.get(
    "/evidence/{evidence_id}/file",
    response={200: None, **READ},
    tags=EVIDENCE,
    summary="Tải tệp minh chứng",
    url_name="evidence_file",
)
def evidence_file(request: HttpRequest, evidence_id: int) -> HttpResponse:
    evidence = _evidence(_user(request), evidence_id)
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404("Tệp minh chứng không còn trên máy chủ.") from exc
    response = FileResponse(
        handle, as_attachment=True, filename=evidence.original_name, content_type=evidence.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@router.delete(
    "/evidence/{evidence_id}",
    response={204: None, **READ},
    tags=EVIDENCE,
    summary="Xóa minh chứng (khi báo cáo còn là nháp hoặc bị trả lại)",
)
def evidence_remove(request: HttpRequest, evidence_id: int) -> tuple[int, None]:
    user = _user(request)
    evidence_services.evidence_delete(actor=user, evidence=_evidence(user, evidence_id))
    return 204, None
