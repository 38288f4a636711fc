"""Periodic reports and the register of outgoing documents in the API.

Same rules as the pages (`reports.permissions`, `documents.services.register`): đầu mối drafts, edits
and submits for signature, lãnh đạo returns or issues, readers of the plan read issued reports; reports
not yet issued stay with the leadership and the lead department. Writes go through `reports.services`.
"""

import datetime
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import PageNumberPagination, paginate

from kehoach.documents.http import document_response, ensure_format
from kehoach.documents.models import DocumentKind, OutgoingDocument
from kehoach.plans.models import Plan
from kehoach.reports import services
from kehoach.reports.models import Report, ReportState
from kehoach.reports.permissions import can_read
from kehoach.units.access import access_for, governments_with_role
from kehoach.units.choices import Role
from kehoach.units.models import User

from .schemas import ErrorOut
from .tracking_schemas import FieldErrorsOut

router = Router()

PAGE = {"page_size": settings.KEHOACH_PAGE_SIZE, "max_page_size": 200}
READ = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut}
WRITE = {**READ, 422: FieldErrorsOut}
REPORTS = ["Báo cáo định kỳ"]
DOCUMENTS = ["Sổ văn bản đi"]


def _user(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined]


class DocumentOut(Schema):
    id: int
    issuer_id: int
    issuer_name: str = Field(..., alias="issuer.name")
    year: int
    number: int
    symbol: str
    number_symbol: str
    kind: str
    issued_on: datetime.date
    title: str
    signer_name: str
    signer_position: str
    recipients: str
    pdf_sha256: str
    source_type: str
    source_id: int | None


class ReportOut(Schema):
    id: int
    plan_id: int
    period_kind: str
    period_number: int
    period_label: str
    state: str = Field(..., description="du_thao (dự thảo) | cho_ky (đã trình ký, chờ ký) | da_ban_hanh")
    title: str
    version: int
    submitted_at: datetime.datetime | None = Field(None, description="Lúc đầu mối trình ký")
    return_reason: str = Field("", description="Lý do lãnh đạo trả lại lần gần nhất (khi còn dự thảo)")
    issued_at: datetime.datetime | None
    document: DocumentOut | None


class ReportDetailOut(ReportOut):
    introduction: str
    direction: str
    shortcomings: str
    next_steps: str
    proposals: str
    recipients: str
    signer_authority: str
    signer_delegation: str
    signer_position: str
    signer_name: str
    data: dict[str, Any] = Field(..., description="Số liệu đã cố định khi ban hành (trống khi còn dự thảo).")


class ReportFilters(Schema):
    plan: int | None = Field(None, description="Mã kế hoạch")
    state: ReportState | None = Field(None, description="du_thao | cho_ky | da_ban_hanh")
    period_kind: str | None = Field(None, description="quy | 6thang | 9thang | nam | thang")


class ReportCreateIn(Schema):
    period_kind: str = Field(..., description="quy | 6thang | 9thang | nam | thang")
    period_number: int = Field(1, description="Kỳ số: quý 1–4, tháng 1–12; 1 cho 6 tháng, 9 tháng, năm")


class ReportPatchIn(Schema):
    version: int | None = Field(None, description="Phiên bản đã mở; khác phiên bản hiện tại thì trả về 409")
    title: str | None = None
    introduction: str | None = None
    direction: str | None = None
    shortcomings: str | None = None
    next_steps: str | None = None
    proposals: str | None = None
    recipients: str | None = None
    signer_authority: str | None = None
    signer_delegation: str | None = None
    signer_position: str | None = None
    signer_name: str | None = None


class VersionIn(Schema):
    version: int | None = Field(None, description="Phiên bản đã mở; khác phiên bản hiện tại thì trả về 409")


class ReturnIn(Schema):
    reason: str = Field(..., description="Lý do trả lại, gửi cho đầu mối")


class IssueIn(Schema):
    issued_on: datetime.date | None = Field(None, description="Ngày ban hành; mặc định hôm nay")
    version: int | None = Field(None, description="Phiên bản đã đọc; dự thảo đã sửa sau đó thì trả về 409")


class DocumentFilters(Schema):
    issuer: int | None = Field(None, description="Mã cơ quan ban hành")
    year: int | None = None
    kind: DocumentKind | None = None


def _reports():
    return Report.objects.select_related("plan__owner_unit", "plan__lead_unit", "document__issuer")


def _report(user: User, pk: int) -> Report:
    report = _reports().filter(pk=pk).first()
    if report is None or not can_read(user, report):
        raise Http404(f"Không tìm thấy báo cáo có mã {pk}.")
    return report


@router.get(
    "/reports", response={200: list[ReportOut], 401: ErrorOut}, tags=REPORTS, summary="Danh sách báo cáo"
)
@paginate(PageNumberPagination, **PAGE)
def report_list(request: HttpRequest, filters: Query[ReportFilters]) -> Any:
    user = _user(request)
    reports = _reports().readable_by(user)
    if filters.plan:
        reports = reports.filter(plan_id=filters.plan)
    if filters.state:
        reports = reports.filter(state=filters.state)
    if filters.period_kind:
        reports = reports.filter(period_kind=filters.period_kind)
    # Drafts only for those who may work on them (as the pages): the plan's đầu mối, the commune's leaders.
    access = access_for(user)
    draft_q = Q(plan__owner_unit_id__in=governments_with_role(access, [Role.LEADER]))
    for path in access.role_paths.get(Role.COORDINATOR, ()):
        draft_q |= Q(plan__lead_unit__path__startswith=path)
    reports = reports.filter(Q(state=ReportState.ISSUED) | draft_q)
    return reports.order_by("-created_at", "-pk")


@router.get(
    "/reports/{report_id}", response={200: ReportDetailOut, **READ}, tags=REPORTS, summary="Chi tiết báo cáo"
)
def report_detail(request: HttpRequest, report_id: int) -> Report:
    return _report(_user(request), report_id)


@router.post(
    "/plans/{plan_id}/reports",
    response={201: ReportDetailOut, **WRITE},
    tags=REPORTS,
    summary="Lập dự thảo báo cáo cho một kỳ (đầu mối)",
)
def report_create(request: HttpRequest, plan_id: int, body: ReportCreateIn) -> tuple[int, Report]:
    user = _user(request)
    plan = get_object_or_404(Plan.objects.select_related("owner_unit", "lead_unit"), pk=plan_id)
    if not access_for(user).can_read_unit(plan.owner_unit):
        raise Http404(f"Không tìm thấy kế hoạch có mã {plan_id}.")
    report = services.report_create(
        actor=user, plan=plan, period_kind=body.period_kind, period_number=body.period_number
    )
    return 201, _report(user, report.pk)


@router.patch(
    "/reports/{report_id}",
    response={200: ReportDetailOut, 409: ErrorOut, **WRITE},
    tags=REPORTS,
    summary="Sửa dự thảo báo cáo (đầu mối)",
)
def report_update(request: HttpRequest, report_id: int, body: ReportPatchIn) -> Report:
    user = _user(request)
    report = _report(user, report_id)
    data = body.model_dump(exclude_unset=True)
    version = data.pop("version", None)
    try:
        services.report_update(actor=user, report=report, data=data, version=version)
    except services.ReportConflict as conflict:
        raise HttpError(409, conflict.messages[0]) from None
    return _report(user, report_id)


@router.post(
    "/reports/{report_id}/submit",
    response={200: ReportDetailOut, 409: ErrorOut, **WRITE},
    tags=REPORTS,
    summary="Trình ký: gửi dự thảo cho lãnh đạo ký, khóa dự thảo (đầu mối)",
)
def report_submit(request: HttpRequest, report_id: int, body: VersionIn) -> Report:
    user = _user(request)
    report = _report(user, report_id)
    try:
        services.report_submit(actor=user, report=report, version=body.version)
    except services.ReportConflict as conflict:
        raise HttpError(409, conflict.messages[0]) from None
    return _report(user, report_id)


@router.post(
    "/reports/{report_id}/return",
    response={200: ReportDetailOut, **WRITE},
    tags=REPORTS,
    summary="Trả lại báo cáo đang chờ ký cho đầu mối, kèm lý do (lãnh đạo)",
)
def report_return(request: HttpRequest, report_id: int, body: ReturnIn) -> Report:
    user = _user(request)
    services.report_return(actor=user, report=_report(user, report_id), reason=body.reason)
    return _report(user, report_id)


@router.post(
    "/reports/{report_id}/withdraw",
    response={200: ReportDetailOut, **WRITE},
    tags=REPORTS,
    summary="Rút lại báo cáo đang chờ ký về dự thảo (đầu mối)",
)
def report_withdraw(request: HttpRequest, report_id: int) -> Report:
    user = _user(request)
    services.report_withdraw(actor=user, report=_report(user, report_id))
    return _report(user, report_id)


@router.post(
    "/reports/{report_id}/issue",
    response={200: ReportDetailOut, 409: ErrorOut, **WRITE},
    tags=REPORTS,
    summary="Ký ban hành báo cáo đã trình ký: lấy số, cố định nội dung, gửi lên cấp trên (lãnh đạo)",
)
def report_issue(request: HttpRequest, report_id: int, body: IssueIn) -> Report:
    user = _user(request)
    report = _report(user, report_id)
    try:
        services.report_issue(actor=user, report=report, issued_on=body.issued_on, version=body.version)
    except services.ReportConflict as conflict:
        raise HttpError(409, conflict.messages[0]) from None
    return _report(user, report_id)


@router.delete(
    "/reports/{report_id}",
    response={204: None, **READ},
    tags=REPORTS,
    summary="Xóa dự thảo báo cáo (đầu mối)",
)
def report_delete(request: HttpRequest, report_id: int) -> tuple[int, None]:
    user = _user(request)
    services.report_delete(actor=user, report=_report(user, report_id))
    return 204, None


@router.get(
    "/reports/{report_id}/document",
    response={200: dict[str, Any], **READ},
    tags=REPORTS,
    summary="Nội dung văn bản (JSON theo bố cục Nghị định 30/2020)",
)
def report_document(request: HttpRequest, report_id: int) -> dict[str, Any]:
    return services.report_document(_report(_user(request), report_id)).to_dict()


@router.get(
    "/reports/{report_id}/file.{ext}",
    response={200: None, **READ},
    tags=REPORTS,
    summary="Tải báo cáo dạng PDF hoặc DOCX (ext = pdf | docx)",
)
def report_file(request: HttpRequest, report_id: int, ext: str) -> HttpResponse:
    ensure_format(ext)
    content, filename = services.report_file(_report(_user(request), report_id), ext)
    return document_response(content, ext, filename)


# Register of outgoing documents -----------------------------------------------------------------------
@router.get(
    "/documents", response={200: list[DocumentOut], 401: ErrorOut}, tags=DOCUMENTS, summary="Sổ văn bản đi"
)
@paginate(PageNumberPagination, **PAGE)
def document_list(request: HttpRequest, filters: Query[DocumentFilters]) -> Any:
    documents = OutgoingDocument.objects.readable_by(_user(request)).select_related("issuer")
    if filters.issuer:
        documents = documents.filter(issuer_id=filters.issuer)
    if filters.year:
        documents = documents.filter(year=filters.year)
    if filters.kind:
        documents = documents.filter(kind=filters.kind)
    return documents.order_by("-year", "issuer__path", "-number")


@router.get(
    "/documents/{document_id}", response={200: DocumentOut, **READ}, tags=DOCUMENTS, summary="Một văn bản đi"
)
def document_detail(request: HttpRequest, document_id: int) -> OutgoingDocument:
    entry = (
        OutgoingDocument.objects.readable_by(_user(request))
        .select_related("issuer")
        .filter(pk=document_id)
        .first()
    )
    if entry is None:
        raise Http404(f"Không tìm thấy văn bản có mã {document_id}.")
    return entry
