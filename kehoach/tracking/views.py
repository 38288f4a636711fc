"""Reporting pages: periods, the đầu mối's desk, reports and figures, evidence, notifications."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from kehoach.core.audit import history_for
from kehoach.core.forms import VietnameseDecimalField
from kehoach.core.views import apply_service_errors, paginate
from kehoach.documents.naming import ascii_name, content_disposition
from kehoach.plans.models import Indicator, Plan, Task
from kehoach.plans.permissions import ensure_can_read
from kehoach.plans.status import STATUS_BADGES, plan_rates
from kehoach.units.access import access_for
from kehoach.units.models import Unit

from . import selectors
from .assessment import ASSESSMENT_BADGES
from .choices import ReportStatus
from .exports import indicators_xlsx
from .forms import EvidenceForm, MeasurementForm, ProgressReportForm, ReasonForm, ReportingConfigForm
from .models import Evidence, Measurement, Notification, Period, ProgressReport
from .permissions import ReviewScope, can_report_for, can_review, reviewed_by_leaders
from .services import evidence as evidence_services
from .services import measurements as measurement_services
from .services import periods as period_services
from .services import progress as progress_services
from .services.notifications import mark_read
from .services.workflow import ConflictError

REPORT_BADGES = {
    "chua_lap": "light",
    ReportStatus.DRAFT: "secondary",
    ReportStatus.SUBMITTED: "info",
    ReportStatus.RETURNED: "warning",
    ReportStatus.ACCEPTED: "success",
}


def _plan(request, pk: int) -> Plan:
    plan = get_object_or_404(Plan.objects.select_related("owner_unit", "lead_unit"), pk=pk)
    ensure_can_read(request.user, plan)
    return plan


def _period(plan: Plan, pk: int) -> Period:
    return get_object_or_404(Period, pk=pk, plan=plan)


@login_required
def periods(request, plan_pk: int):
    plan = _plan(request, plan_pk)
    if not plan.periods.exists():
        period_services.periods_sync(plan=plan)
    config = period_services.reporting_config(plan)
    form = None
    if can_review(request.user, plan):
        form = ReportingConfigForm(
            request.POST or None,
            initial={
                "kinds": config.kinds,
                "cutoff_day": config.cutoff_day,
                "submit_days": config.submit_days,
            },
        )
        if request.method == "POST" and form.is_valid():
            try:
                period_services.reporting_config_update(actor=request.user, plan=plan, **form.cleaned_data)
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(request, "Đã lưu cấu hình kỳ báo cáo.")
                return redirect("tracking:periods", plan.pk)
    elif request.method == "POST":
        raise PermissionDenied("Chỉ đơn vị đầu mối của kế hoạch mới được sửa kỳ báo cáo.")
    today = timezone.localdate()
    return render(
        request,
        "tracking/periods.html",
        {
            "plan": plan,
            "periods": plan.periods.order_by("ends_on", "-starts_on"),
            "current": period_services.current_period(plan, today),
            "config": config,
            "form": form,
            "rates": plan_rates(Task.objects.filter(plan=plan), today),
            "today": today,
        },
    )


def _desk_context(request, plan: Plan, period: Period) -> dict:
    today = timezone.localdate()
    task_rows, indicator_rows = selectors.desk(plan, period, today=today)
    unit_id = request.GET.get("don_vi")
    state = request.GET.get("trang_thai")

    def keep(slots):
        return [
            s for s in slots if (not unit_id or str(s.unit.pk) == unit_id) and (not state or s.state == state)
        ]

    for row in task_rows + indicator_rows:
        row.visible_slots = keep(row.slots)
    if unit_id or state:
        task_rows = [r for r in task_rows if r.visible_slots]
        indicator_rows = [r for r in indicator_rows if r.visible_slots]
    units = sorted(
        {s.unit.pk: s.unit for r in task_rows + indicator_rows for s in r.slots}.values(),
        key=lambda u: u.path,
    )
    return {
        "plan": plan,
        "period": period,
        "task_rows": task_rows,
        "indicator_rows": indicator_rows,
        "can_review": can_review(request.user, plan),
        "review_scope": ReviewScope(request.user, plan),
        "report_badges": REPORT_BADGES,
        "status_badges": STATUS_BADGES,
        "assessment_badges": ASSESSMENT_BADGES,
        "units": units,
        "states": [("chua_lap", "Chưa lập"), *ReportStatus.choices],
        "unit_id": unit_id or "",
        "state": state or "",
        "my_units": [u.pk for u in access_for(request.user).member_units],
    }


@login_required
def desk(request, plan_pk: int, pk: int):
    plan = _plan(request, plan_pk)
    period = _period(plan, pk)
    return render(request, "tracking/desk.html", _desk_context(request, plan, period))


@login_required
def missing(request, plan_pk: int, pk: int):
    plan = _plan(request, plan_pk)
    period = _period(plan, pk)
    rows = selectors.missing(plan, period, today=timezone.localdate())
    return render(
        request,
        "tracking/missing.html",
        {"plan": plan, "period": period, "rows": rows, "overdue": period.due_on < timezone.localdate()},
    )


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
@require_GET
def indicators_export(request, plan_pk: int, pk: int):
    """The period's indicator table as XLSX for upper-level systems (accepted figures only)."""
    plan = _plan(request, plan_pk)
    period = _period(plan, pk)
    content = indicators_xlsx(plan, period)
    number = plan.number or f"ke-hoach-{plan.pk}"
    response = HttpResponse(content, content_type=XLSX_TYPE)
    response["Content-Disposition"] = content_disposition(
        f"Chỉ tiêu {number} {period.label}.xlsx",
        f"chi-tieu-{ascii_name(number)}-{period.kind}-{period.number}-{period.year}.xlsx",
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def period_close(request, plan_pk: int, pk: int):
    plan = _plan(request, plan_pk)
    period = _period(plan, pk)
    try:
        period_services.period_close(actor=request.user, period=period)
        messages.success(
            request, f"Đã khóa sổ kỳ {period.label}: báo cáo và số liệu của kỳ không sửa được nữa."
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(period)


@login_required
@require_POST
def period_reopen(request, plan_pk: int, pk: int):
    plan = _plan(request, plan_pk)
    period = _period(plan, pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Cần ghi lý do mở lại kỳ báo cáo.")
        return redirect(period)
    try:
        period_services.period_reopen(actor=request.user, period=period, reason=form.cleaned_data["reason"])
        messages.success(request, f"Đã mở lại kỳ {period.label}.")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(period)


# Progress reports ------------------------------------------------------------------------------


@login_required
@require_POST
def report_open(request):
    task = get_object_or_404(Task.objects.select_related("plan__owner_unit"), pk=request.POST.get("task"))
    ensure_can_read(request.user, task.plan)
    period = get_object_or_404(Period, pk=request.POST.get("period"), plan=task.plan)
    unit = get_object_or_404(Unit, pk=request.POST.get("unit"))
    task = selectors.tasks_with_units(Task.objects.filter(pk=task.pk)).get()
    try:
        report = progress_services.progress_report_open(
            actor=request.user, task=task, period=period, unit=unit
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(task)
    return redirect(report)


def _record_context(request, record, form, evidence_form, conflict=None) -> dict:
    plan = record.period.plan
    return {
        "record": record,
        "plan": plan,
        "form": form,
        "evidence_form": evidence_form,
        "reason_form": ReasonForm(),
        "can_edit": can_report_for(request.user, record.unit) and record.is_editable_by_unit,
        "can_review": record.unit in ReviewScope(request.user, plan),
        "reviewed_by_leaders": reviewed_by_leaders(plan, record.unit),
        # Replacing a computed figure stays with đầu mối, whoever accepts the unit's records.
        "can_override": can_review(request.user, plan),
        "conflict": conflict,
        "history": history_for(record)[:30],
        "badge": REPORT_BADGES[record.status],
        "evidence": list(record.evidence.select_related("uploaded_by")),
    }


def _record_page(request, record, *, form_class, form_kwargs, save, submit, template, sent_message):
    """Show a report or figure; on POST save it (and submit it) as one user action.

    A failed submit rolls the save back, so the version the user holds stays current. When someone
    else saved or sent the record meanwhile, the page comes back with the user's text kept and the
    difference shown; nothing is written.
    """
    may_report = can_report_for(request.user, record.unit)
    editable = may_report and record.is_editable_by_unit
    form = None
    if editable:
        form = form_class(instance=record, initial={"version": record.version}, **form_kwargs)
    conflict = None
    if request.method == "POST":
        if not may_report:
            raise PermissionDenied("Bạn không sửa được báo cáo của đơn vị khác.")
        form = form_class(request.POST, instance=type(record).objects.get(pk=record.pk), **form_kwargs)
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
            try:
                with transaction.atomic():
                    record = save(record, data, form.cleaned_data["version"])
                    if "submit" in request.POST:
                        record = submit(record)
                sent = "submit" in request.POST
                messages.success(request, sent_message if sent else "Đã lưu bản nháp.")
                return redirect(record)
            except ConflictError as error:
                conflict = error
                form.data = form.data.copy()
                form.data["version"] = error.current.version
                form.add_error(None, str(error))
            except ValidationError as error:
                apply_service_errors(form, error)
            # The form stays on screen with the user's text even if the record was locked meanwhile.
            record.refresh_from_db()
    evidence_form = EvidenceForm() if may_report and record.is_editable_by_unit else None
    return render(request, template, _record_context(request, record, form, evidence_form, conflict))


@login_required
def report_detail(request, pk: int):
    report = get_object_or_404(
        ProgressReport.objects.select_related(
            "task__plan__owner_unit", "task__plan__lead_unit", "period__plan", "unit"
        ),
        pk=pk,
    )
    ensure_can_read(request.user, report.task.plan)
    return _record_page(
        request,
        report,
        form_class=ProgressReportForm,
        form_kwargs={"lead": report.role == "chu_tri"},
        save=lambda r, data, version: progress_services.progress_report_save(
            actor=request.user, report=r, data=data, version=version
        ),
        submit=lambda r: progress_services.progress_report_submit(actor=request.user, report=r),
        template="tracking/report_detail.html",
        sent_message="Đã gửi báo cáo cho đầu mối.",
    )


@login_required
@require_POST
def report_submit(request, pk: int):
    report = get_object_or_404(ProgressReport.objects.select_related("task__plan", "period__plan"), pk=pk)
    ensure_can_read(request.user, report.task.plan)
    try:
        progress_services.progress_report_submit(actor=request.user, report=report)
        messages.success(request, "Đã gửi báo cáo cho đầu mối.")
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    return redirect(report)


def _review(request, record, action, kind: str):
    """Accept, return or reopen; answers htmx with the refreshed desk cell."""
    form = ReasonForm(request.POST) if action != "accept" else None
    error_text = None
    if form is not None and not form.is_valid():
        error_text = "Cần ghi lý do."
    else:
        try:
            record = action_call(request, record, action, kind, form)
        except ValidationError as error:
            error_text = " ".join(error.messages)
    if request.htmx:
        return render(
            request,
            "tracking/_slot.html",
            {
                "slot": selectors.Slot(record.unit, getattr(record, "role", "chu_tri"), record),
                "kind": kind,
                "review_scope": ReviewScope(request.user, record.period.plan),
                "report_badges": REPORT_BADGES,
                "error": error_text,
                "period": record.period,
                "item": record.task if kind == "report" else record.indicator,
            },
        )
    if error_text:
        messages.error(request, error_text)
    else:
        messages.success(
            request,
            {
                "accept": "Đã chấp nhận.",
                "return": "Đã trả lại cho đơn vị.",
                "reopen": "Đã mở lại để đơn vị sửa.",
            }[action],
        )
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = record.get_absolute_url()
    return redirect(target)


def action_call(request, record, action, kind, form):
    services = {
        ("report", "accept"): lambda: progress_services.progress_report_accept(
            actor=request.user, report=record
        ),
        ("report", "return"): lambda: progress_services.progress_report_return(
            actor=request.user, report=record, reason=form.cleaned_data["reason"]
        ),
        ("report", "reopen"): lambda: progress_services.progress_report_reopen(
            actor=request.user, report=record, reason=form.cleaned_data["reason"]
        ),
        ("measurement", "accept"): lambda: measurement_services.measurement_accept(
            actor=request.user, measurement=record
        ),
        ("measurement", "return"): lambda: measurement_services.measurement_return(
            actor=request.user, measurement=record, reason=form.cleaned_data["reason"]
        ),
        ("measurement", "reopen"): lambda: measurement_services.measurement_reopen(
            actor=request.user, measurement=record, reason=form.cleaned_data["reason"]
        ),
    }
    return services[(kind, action)]()


@login_required
@require_POST
def report_review(request, pk: int, action: str):
    report = get_object_or_404(
        ProgressReport.objects.select_related("task__plan", "period__plan", "unit"), pk=pk
    )
    ensure_can_read(request.user, report.task.plan)
    if action not in ("accept", "return", "reopen"):
        raise Http404
    return _review(request, report, action, "report")


# Indicator data --------------------------------------------------------------------------------


@login_required
@require_POST
def measurement_open(request):
    indicator = get_object_or_404(
        Indicator.objects.select_related("plan__owner_unit"), pk=request.POST.get("indicator")
    )
    ensure_can_read(request.user, indicator.plan)
    period = get_object_or_404(Period, pk=request.POST.get("period"), plan=indicator.plan)
    unit = get_object_or_404(Unit, pk=request.POST.get("unit"))
    try:
        measurement = measurement_services.measurement_open(
            actor=request.user, indicator=indicator, period=period, unit=unit
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(indicator)
    return redirect(measurement)


@login_required
def measurement_detail(request, pk: int):
    measurement = get_object_or_404(
        Measurement.objects.select_related(
            "indicator__plan__owner_unit", "indicator__plan__lead_unit", "period__plan", "unit"
        ),
        pk=pk,
    )
    ensure_can_read(request.user, measurement.indicator.plan)
    return _record_page(
        request,
        measurement,
        form_class=MeasurementForm,
        form_kwargs={},
        save=lambda m, data, version: measurement_services.measurement_save(
            actor=request.user, measurement=m, data=data, version=version
        ),
        submit=lambda m: measurement_services.measurement_submit(actor=request.user, measurement=m),
        template="tracking/measurement_detail.html",
        sent_message="Đã gửi số liệu cho đầu mối.",
    )


@login_required
@require_POST
def measurement_review(request, pk: int, action: str):
    measurement = get_object_or_404(
        Measurement.objects.select_related("indicator__plan", "period__plan", "unit"), pk=pk
    )
    ensure_can_read(request.user, measurement.indicator.plan)
    if action not in ("accept", "return", "reopen"):
        raise Http404
    return _review(request, measurement, action, "measurement")


@login_required
@require_POST
def measurement_override(request, pk: int):
    """Đầu mối replaces a figure computed from a register, with a reason (or restores it)."""
    measurement = get_object_or_404(
        Measurement.objects.select_related("indicator__plan", "period__plan"), pk=pk
    )
    ensure_can_read(request.user, measurement.indicator.plan)
    value = None
    if "clear" not in request.POST:
        field = VietnameseDecimalField(max_digits=16, decimal_places=2, required=True)
        try:
            value = field.clean(request.POST.get("value", ""))
        except ValidationError as error:
            messages.error(request, "Giá trị điều chỉnh: " + " ".join(error.messages))
            return redirect(measurement)
    try:
        measurement_services.measurement_override(
            actor=request.user, measurement=measurement, value=value, reason=request.POST.get("reason", "")
        )
        messages.success(
            request, "Đã điều chỉnh số liệu." if value is not None else "Đã dùng lại giá trị tính từ sổ."
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(measurement)


# Evidence --------------------------------------------------------------------------------------


@login_required
@require_POST
def evidence_upload(request, kind: str, pk: int):
    model = {"bao-cao": ProgressReport, "so-lieu": Measurement}.get(kind)
    if model is None:
        raise Http404
    record = get_object_or_404(model.objects.select_related("period__plan__owner_unit", "unit"), pk=pk)
    ensure_can_read(request.user, record.period.plan)
    form = EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            evidence_services.evidence_add(
                actor=request.user,
                upload=form.cleaned_data["file"],
                report=record if model is ProgressReport else None,
                measurement=record if model is Measurement else None,
                description=form.cleaned_data["description"],
                is_output=form.cleaned_data["is_output"],
            )
            messages.success(request, f"Đã đính kèm “{form.cleaned_data['file'].name}”.")
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
    else:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
    return redirect(record)


@login_required
def evidence_download(request, pk: int):
    evidence = get_object_or_404(
        Evidence.objects.select_related(
            "progress_report__period__plan__owner_unit", "measurement__period__plan__owner_unit"
        ),
        pk=pk,
    )
    target = evidence.progress_report or evidence.measurement
    ensure_can_read(request.user, target.period.plan)
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404("Tệp minh chứng không còn trên máy chủ.") from exc
    response = FileResponse(
        handle, as_attachment=True, filename=evidence.original_name, content_type=evidence.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
def evidence_delete(request, pk: int):
    evidence = get_object_or_404(Evidence.objects.select_related("progress_report", "measurement"), pk=pk)
    target = evidence.progress_report or evidence.measurement
    ensure_can_read(request.user, target.period.plan)
    try:
        evidence_services.evidence_delete(actor=request.user, evidence=evidence)
        messages.success(request, f"Đã xóa minh chứng “{evidence.original_name}”.")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(target)


# Notifications ---------------------------------------------------------------------------------


@login_required
def notifications(request):
    qs = Notification.objects.filter(user=request.user)
    page = paginate(request, qs)
    return render(request, "tracking/notifications.html", {"page": page})


@login_required
@require_POST
def notifications_read(request):
    ids = request.POST.getlist("id")
    count = mark_read(user=request.user, ids=[int(i) for i in ids if i.isdigit()] if ids else None)
    if request.htmx:
        return HttpResponse(status=204, headers={"HX-Refresh": "true"})
    messages.success(request, f"Đã đánh dấu {count} thông báo là đã đọc.")
    return redirect("tracking:notifications")
