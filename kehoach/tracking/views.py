"""Reporting pages: periods, the đầu mối's desk, reports and figures, evidence, notifications."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
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
from .choices import ReporterRole, ReportStatus
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


# Progress reports and figures ------------------------------------------------------------------
#
# One page shape for both: the form, its evidence and its history. Nothing the user typed is lost:
# the page autosaves the draft (an htmx post a moment after typing stops), attaches files without
# leaving the form, and warns before leaving with unsaved changes (static/js/record-form.js). Opening
# "Lập báo cáo"/"Nhập số liệu" is a GET that writes nothing; the draft is created by the first save,
# autosave or attached file. Without JavaScript the same form saves, submits and attaches (the typed
# text is saved with the file).


def _ids(request, *names: str) -> list[str]:
    params = request.POST if request.method == "POST" else request.GET
    values = [params.get(name, "") for name in names]
    if not all(v.isdigit() for v in values):
        raise Http404("Thiếu hoặc sai mã nhiệm vụ, chỉ tiêu, kỳ hoặc đơn vị.")
    return values


def _new_url(name: str, item_field: str, record) -> str:
    item = record.task_id if item_field == "task" else record.indicator_id
    query = urlencode({item_field: item, "period": record.period_id, "unit": record.unit_id})
    return f"{reverse(name)}?{query}"


def _open_page(request, record, *, item_field: str, url_name: str):
    """GET: the stored record, or the empty form of a new one (nothing written). POST: its first save."""
    if record.pk is not None and request.method == "GET":
        return redirect(record)
    if request.method == "POST" and "version" not in request.POST:
        # A "Lập báo cáo" button of an older page: show the form, write nothing.
        return redirect(record if record.pk else _new_url(url_name, item_field, record))
    return _record_page(request, record)


@login_required
def report_open(request):
    task_id, period_id, unit_id = _ids(request, "task", "period", "unit")
    task = get_object_or_404(Task.objects.select_related("plan__owner_unit"), pk=task_id)
    ensure_can_read(request.user, task.plan)
    period = get_object_or_404(Period.objects.select_related("plan"), pk=period_id, plan=task.plan)
    unit = get_object_or_404(Unit, pk=unit_id)
    task = selectors.tasks_with_units(Task.objects.filter(pk=task.pk)).select_related("plan__lead_unit").get()
    try:
        report = progress_services.progress_report_new(
            actor=request.user, task=task, period=period, unit=unit
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(task)
    return _open_page(request, report, item_field="task", url_name="tracking:report_open")


def _is_report(record) -> bool:
    return isinstance(record, ProgressReport)


def _form(record, data=None):
    kwargs = {"lead": record.role == ReporterRole.LEAD} if _is_report(record) else {}
    form_class = ProgressReportForm if _is_report(record) else MeasurementForm
    form = form_class(
        data, instance=record, initial={"version": record.version if record.pk else 0}, **kwargs
    )
    form.fields["version"].widget.attrs["id"] = "id_version"
    return form


def _write(request, record, data: dict, version: int, *, autosave: bool):
    """Save the user's draft; the first save of a new record creates it."""
    actor = request.user
    if _is_report(record):
        if record.pk is None:
            return progress_services.progress_report_start(
                actor=actor,
                task=record.task,
                period=record.period,
                unit=record.unit,
                data=data,
                version=version,
                autosave=autosave,
            )
        return progress_services.progress_report_save(
            actor=actor, report=record, data=data, version=version, autosave=autosave
        )
    if record.pk is None:
        return measurement_services.measurement_start(
            actor=actor,
            indicator=record.indicator,
            period=record.period,
            unit=record.unit,
            data=data,
            version=version,
            autosave=autosave,
        )
    return measurement_services.measurement_save(
        actor=actor, measurement=record, data=data, version=version, autosave=autosave
    )


def _submit(request, record):
    if _is_report(record):
        return progress_services.progress_report_submit(actor=request.user, report=record)
    return measurement_services.measurement_submit(actor=request.user, measurement=record)


def _form_action(record) -> str:
    if record.pk is not None:
        return record.get_absolute_url()
    return reverse("tracking:report_open" if _is_report(record) else "tracking:measurement_open")


def _evidence_context(request, record, evidence_form=None, *, feedback=None) -> dict:
    """What the evidence card needs: the files, and the upload controls while the unit may still add."""
    may_report = can_report_for(request.user, record.unit)
    editable = may_report and record.is_editable_by_unit
    return {
        "record": record,
        "evidence": list(record.evidence.select_related("uploaded_by")) if record.pk else [],
        "can_edit": editable,
        "evidence_form": (evidence_form or EvidenceForm()) if editable else None,
        "show_output_flag": _is_report(record) and record.role == ReporterRole.LEAD,
        "form_action": _form_action(record),
        "feedback": feedback,
    }


def _record_context(request, record, form, conflict=None, evidence_form=None) -> dict:
    plan = record.period.plan
    stored = record.pk is not None
    context = _evidence_context(request, record, evidence_form)
    context.update(
        {
            "plan": plan,
            "form": form,
            "reason_form": ReasonForm(),
            "can_review": stored and record.unit in ReviewScope(request.user, plan),
            "reviewed_by_leaders": reviewed_by_leaders(plan, record.unit),
            # Replacing a computed figure stays with đầu mối, whoever accepts the unit's records.
            "can_override": can_review(request.user, plan),
            "conflict": conflict,
            "history": history_for(record)[:30] if stored else [],
            "badge": REPORT_BADGES[record.status] if stored else "light",
            "status_label": record.get_status_display() if stored else "Chưa lưu",
            "is_new": not stored,
            "review_name": "report_review" if _is_report(record) else "measurement_review",
        }
    )
    return context


def _template(record) -> str:
    return "tracking/report_detail.html" if _is_report(record) else "tracking/measurement_detail.html"


def _autosave_response(request, record, state: str, text: str, *, created: bool = False):
    response = render(
        request,
        "tracking/_autosave.html",
        {"state": state, "text": text, "version": record.version if record.pk else None, "created": created},
    )
    response["X-Autosave"] = state
    return response


def _record_page(request, record):
    """Show a report or figure; on POST save it (and submit it, or attach a file) as one user action.

    A failed submit rolls the save back, so the version the user holds stays current. When someone
    else saved or sent the record meanwhile, the page comes back with the user's text kept and the
    difference shown; nothing is written. An autosave (htmx) answers with a status line only.
    """
    may_report = can_report_for(request.user, record.unit)
    form = _form(record) if may_report and record.is_editable_by_unit else None
    conflict = None
    evidence_form = None
    if request.method == "POST":
        if not may_report:
            raise PermissionDenied("Bạn không sửa được báo cáo của đơn vị khác.")
        if "attach" in request.POST:
            return _attach(request, record)
        autosave = bool(request.htmx) and "autosave" in request.POST
        instance = type(record).objects.get(pk=record.pk) if record.pk else record
        form = _form(instance, request.POST)
        if not form.is_valid():
            if autosave:
                return _autosave_response(request, record, "invalid", _form_problem(form))
        else:
            data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
            created = record.pk is None
            try:
                with transaction.atomic():
                    record = _write(request, record, data, form.cleaned_data["version"], autosave=autosave)
                    if "submit" in request.POST and not autosave:
                        record = _submit(request, record)
            except ConflictError as error:
                if autosave:
                    return _autosave_response(request, record, "conflict", CONFLICT_TEXT)
                conflict = error
                record = error.current
                form.data = form.data.copy()
                form.data["version"] = error.current.version
                form.add_error(None, str(error))
            except ValidationError as error:
                if autosave:
                    return _autosave_response(
                        request, record, "invalid", "Chưa tự động lưu được: " + " ".join(error.messages)
                    )
                apply_service_errors(form, error)
            else:
                if autosave:
                    saved_at = timezone.localtime().strftime("%H:%M")
                    text = f"Đã tự động lưu bản nháp lúc {saved_at}."
                    return _autosave_response(request, record, "saved", text, created=created)
                if "submit" in request.POST:
                    messages.success(request, _sent_message(record))
                else:
                    messages.success(request, "Đã lưu bản nháp.")
                return redirect(record)
            # The form stays on screen with the user's text even if the record was locked meanwhile.
            if record.pk:
                record.refresh_from_db()
    return render(request, _template(record), _record_context(request, record, form, conflict, evidence_form))


CONFLICT_TEXT = (
    "Có người vừa lưu báo cáo này trong lúc bạn sửa nên chưa tự động lưu. Nội dung bạn nhập vẫn còn: "
    "bấm “Lưu nháp” để so sánh và giữ nội dung của bạn."
)


def _sent_message(record) -> str:
    return "Đã gửi báo cáo cho đầu mối." if _is_report(record) else "Đã gửi số liệu cho đầu mối."


def _form_errors(form) -> str:
    return " ".join(str(e) for errors in form.errors.values() for e in errors)


def _form_problem(form) -> str:
    return "Chưa tự động lưu được: " + _form_errors(form)


def _attach(request, record):
    """Attach an evidence file from the report's own form.

    With htmx only the evidence card comes back and the fields the user is typing in stay as they are;
    a report not stored yet is created first with what the user typed (one transaction with the file).
    Without JavaScript the typed text is saved with the file, then the page is shown again.
    """
    evidence_form = EvidenceForm(request.POST, request.FILES)
    form = None
    # With htmx a stored record only gains the file: its text is the autosave's business.
    save_fields = record.pk is None or not request.htmx
    if save_fields:
        instance = type(record).objects.get(pk=record.pk) if record.pk else record
        form = _form(instance, request.POST)
    problems: list[str] = []
    saved_fields = False
    created = record.pk is None
    conflict = None
    if not evidence_form.is_valid():
        problems = [str(e) for errors in evidence_form.errors.values() for e in errors]
    elif form is not None and not form.is_valid():
        problems = ["Chưa đính kèm được vì nội dung đang nhập chưa hợp lệ: " + _form_errors(form)]
    else:
        try:
            with transaction.atomic():
                if form is not None:
                    data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
                    record = _write(
                        request, record, data, form.cleaned_data["version"], autosave=bool(request.htmx)
                    )
                    saved_fields = True
                evidence_services.evidence_add(
                    actor=request.user,
                    upload=evidence_form.cleaned_data["file"],
                    report=record if _is_report(record) else None,
                    measurement=None if _is_report(record) else record,
                    description=evidence_form.cleaned_data["description"],
                    is_output=evidence_form.cleaned_data["is_output"],
                )
        except ConflictError as error:
            conflict = error
            saved_fields = False
            problems = [CONFLICT_TEXT.replace("chưa tự động lưu", "chưa đính kèm được")]
        except ValidationError as error:
            saved_fields = False
            problems = list(error.messages)
            if record.pk and form is not None:
                record.refresh_from_db()
    name = evidence_form.cleaned_data["file"].name if evidence_form.is_valid() else ""
    if request.htmx:
        if problems:
            feedback = {"level": "danger", "text": " ".join(problems)}
            context = _evidence_context(request, record, evidence_form, feedback=feedback)
        else:
            feedback = {"level": "success", "text": f"Đã đính kèm “{name}”."}
            if saved_fields:
                feedback["text"] += " Bản nháp đã được lưu cùng nội dung bạn đã nhập."
            context = _evidence_context(request, record, feedback=feedback)
        context["version"] = record.version if saved_fields else None
        context["created"] = created and saved_fields
        response = render(request, "tracking/_evidence.html", context)
        if saved_fields:
            response["X-Autosave"] = "saved"
        return response
    if problems:
        for message in problems:
            messages.error(request, message)
        if form is None:
            return redirect(record)
        if conflict is not None:
            record = conflict.current
            form.data = form.data.copy()
            form.data["version"] = conflict.current.version
            form.add_error(None, str(conflict))
        return render(
            request, _template(record), _record_context(request, record, form, conflict, evidence_form)
        )
    messages.success(request, f"Đã lưu bản nháp và đính kèm “{name}”.")
    return redirect(record)


@login_required
def report_detail(request, pk: int):
    report = get_object_or_404(
        ProgressReport.objects.select_related(
            "task__plan__owner_unit", "task__plan__lead_unit", "period__plan", "unit"
        ),
        pk=pk,
    )
    ensure_can_read(request.user, report.task.plan)
    return _record_page(request, report)


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
def measurement_open(request):
    indicator_id, period_id, unit_id = _ids(request, "indicator", "period", "unit")
    indicator = get_object_or_404(Indicator.objects.select_related("plan__owner_unit"), pk=indicator_id)
    ensure_can_read(request.user, indicator.plan)
    period = get_object_or_404(Period.objects.select_related("plan"), pk=period_id, plan=indicator.plan)
    unit = get_object_or_404(Unit, pk=unit_id)
    try:
        measurement = measurement_services.measurement_new(
            actor=request.user, indicator=indicator, period=period, unit=unit
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(indicator)
    return _open_page(request, measurement, item_field="indicator", url_name="tracking:measurement_open")


@login_required
def measurement_detail(request, pk: int):
    measurement = get_object_or_404(
        Measurement.objects.select_related(
            "indicator__plan__owner_unit", "indicator__plan__lead_unit", "period__plan", "unit"
        ),
        pk=pk,
    )
    ensure_can_read(request.user, measurement.indicator.plan)
    return _record_page(request, measurement)


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
    """Attach a file to a stored report or figure (the report page itself attaches through `_attach`)."""
    model = {"bao-cao": ProgressReport, "so-lieu": Measurement}.get(kind)
    if model is None:
        raise Http404
    record = get_object_or_404(model.objects.select_related("period__plan__owner_unit", "unit"), pk=pk)
    ensure_can_read(request.user, record.period.plan)
    if request.htmx:
        return _attach(request, record)
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
        feedback = {"level": "success", "text": f"Đã xóa minh chứng “{evidence.original_name}”."}
    except ValidationError as error:
        feedback = {"level": "danger", "text": " ".join(error.messages)}
    if request.htmx:
        # Only the evidence card changes: whatever the user is typing in the form stays.
        target = type(target).objects.select_related("period__plan", "unit").get(pk=target.pk)
        return render(
            request, "tracking/_evidence.html", _evidence_context(request, target, feedback=feedback)
        )
    getattr(messages, "success" if feedback["level"] == "success" else "error")(request, feedback["text"])
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
