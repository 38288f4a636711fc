"""Periodic report pages: list and create per plan, edit the draft, preview, submit for signature
(trình ký), return or sign (ký ban hành, after a confirmation page), download."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from kehoach.core.audit import history_for
from kehoach.core.views import apply_service_errors, style_widgets
from kehoach.documents.http import document_response, ensure_format
from kehoach.documents.render import render_fragment
from kehoach.plans.models import Plan
from kehoach.plans.permissions import can_manage_plan, ensure_can_read
from kehoach.tracking.services.notifications import plan_leaders

from . import services
from .forms import IssueForm, ReportCreateForm, ReportForm, ReturnForm
from .models import Report
from .permissions import can_edit, can_issue, can_read, can_withdraw, is_leader_of


def _report(request, pk: int) -> Report:
    report = get_object_or_404(
        Report.objects.select_related(
            "plan__owner_unit", "plan__lead_unit", "document", "issued_by", "submitted_by", "returned_by"
        ),
        pk=pk,
    )
    if not can_read(request.user, report):
        # Another city's user, or a draft outside the leadership: as if it did not exist.
        raise Http404
    return report


@login_required
def plan_reports(request, plan_pk: int):
    plan = get_object_or_404(Plan.objects.select_related("owner_unit", "lead_unit"), pk=plan_pk)
    ensure_can_read(request.user, plan)
    manage = can_manage_plan(request.user, plan)
    form = ReportCreateForm(request.POST or None, plan=plan) if manage else None
    if request.method == "POST":
        if not manage:
            raise PermissionDenied("Chỉ đơn vị đầu mối của kế hoạch mới được lập báo cáo.")
        if form.is_valid():
            kind, number = form.cleaned_period()
            try:
                report = services.report_create(
                    actor=request.user, plan=plan, period_kind=kind, period_number=number
                )
            except ValidationError as error:
                # The form has one "Kỳ báo cáo" field for the service's kind and number.
                for message in error.messages:
                    form.add_error("period", message)
            else:
                messages.success(request, f"Đã lập dự thảo báo cáo {report.period_label}.")
                return redirect("reports:edit", report.pk)
    reports = list(Report.objects.filter(plan=plan).select_related("document").order_by("-created_at"))
    for report in reports:
        report.plan = plan  # one plan for all: its units are loaded once
    visible = [r for r in reports if r.is_issued or can_read(request.user, r)]
    return render(
        request,
        "reports/plan_reports.html",
        {
            "plan": plan,
            "reports": visible,
            "form": style_widgets(form) if form else None,
            "send_form": style_widgets(ReportCreateForm(plan=plan, purpose="send", prefix="send"))
            if manage
            else None,
        },
    )


@login_required
@require_POST
def send_indicators(request, plan_pk: int):
    """Queue a period's accepted indicator values for the city's system (đầu mối)."""
    plan = get_object_or_404(Plan.objects.select_related("owner_unit", "lead_unit"), pk=plan_pk)
    ensure_can_read(request.user, plan)
    form = ReportCreateForm(request.POST, plan=plan, purpose="send", prefix="send")
    if not form.is_valid():
        messages.error(request, "Hãy chọn kỳ báo cáo cần gửi số liệu.")
        return redirect("reports:plan_reports", plan.pk)
    kind, number = form.cleaned_period()
    try:
        delivery = services.indicators_send(
            actor=request.user, plan=plan, period_kind=kind, period_number=number
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("reports:plan_reports", plan.pk)
    messages.success(request, f"Đã đưa vào hàng gửi: {delivery.summary}.")
    return redirect("exchange:detail", delivery.pk)


def _blockers(report: Report, action: str) -> list[dict]:
    """Why the report cannot go on yet, each with a link to the part to fill in (for đầu mối)."""
    edit_url = reverse("reports:edit", args=[report.pk])
    return [
        {"text": b.text, "url": f"{edit_url}#id_{b.field}" if b.field else ""}
        for b in services.blockers(report, action=action)
    ]


@login_required
def detail(request, pk: int):
    report = _report(request, pk)
    document = services.report_document(report)
    deliveries = []
    if report.is_issued:
        from kehoach.exchange.models import Delivery

        deliveries = list(Delivery.objects.filter(source_type="reports.report", source_id=report.pk))
    user = request.user
    editable = can_edit(user, report)
    signable = can_issue(user, report)
    context = {
        "report": report,
        "plan": report.plan,
        "preview": render_fragment(document),
        "can_edit": editable,
        "can_issue": signable,
        "can_withdraw": can_withdraw(user, report),
        "is_leader": is_leader_of(user, report),
        "deliveries": deliveries,
        "history": history_for(report)[:20],
    }
    if editable:
        # Trình ký: offered only when the service would take it; otherwise what stops it, with links.
        context["submit_blockers"] = _blockers(report, "trình ký")
        context["leaders"] = plan_leaders(report.plan)
    if signable:
        context["sign_blockers"] = _blockers(report, "ký ban hành")
        context["return_form"] = style_widgets(ReturnForm())
    return render(request, "reports/detail.html", context)


@login_required
def edit(request, pk: int):
    report = _report(request, pk)
    if report.is_submitted and can_withdraw(request.user, report):
        messages.info(
            request, "Báo cáo đang chờ lãnh đạo ký nên không sửa được; bấm “Rút lại để sửa” nếu cần sửa."
        )
        return redirect(report)
    if not can_edit(request.user, report):
        raise PermissionDenied("Chỉ đơn vị đầu mối của kế hoạch mới được sửa dự thảo báo cáo chưa ban hành.")
    form = ReportForm(request.POST or None, instance=report, initial={"version": report.version})
    if request.method == "POST":
        refill = request.POST.get("refill")
        try:
            if refill:
                fields = [*services.NARRATIVES, "direction"] if refill == "all" else [refill]
                services.report_refill(actor=request.user, report=report, fields=fields)
                messages.success(request, "Đã lấy lại nội dung gợi ý từ báo cáo của các đơn vị.")
                return redirect("reports:edit", report.pk)
            if form.is_valid():
                services.report_update(
                    actor=request.user,
                    report=report,
                    data={k: v for k, v in form.cleaned_data.items() if k != "version"},
                    version=form.cleaned_data["version"],
                )
                messages.success(request, "Đã lưu dự thảo báo cáo.")
                return redirect("reports:detail", report.pk)
        except ValidationError as error:
            apply_service_errors(form, error)
    return render(
        request,
        "reports/edit.html",
        {
            "report": report,
            "plan": report.plan,
            "form": style_widgets(form),
            "narratives": services.NARRATIVES,
        },
    )


def _already_issued(request, report: Report):
    # Signed by someone else a moment ago (two leaders, or a double click): say so, not 403.
    number = f", số {report.document.number_symbol}" if report.document_id else ""
    messages.info(request, f"Báo cáo đã được ban hành{number}.")
    return redirect("reports:detail", report.pk)


@login_required
@require_POST
def submit(request, pk: int):
    """Trình ký (đầu mối)."""
    report = _report(request, pk)
    if not can_edit(request.user, report):
        if report.is_issued:
            return _already_issued(request, report)
        if report.is_submitted:
            messages.info(request, "Báo cáo đã được trình ký, đang chờ lãnh đạo ký.")
            return redirect(report)
        raise PermissionDenied("Chỉ đơn vị đầu mối của kế hoạch mới được trình ký báo cáo.")
    try:
        report = services.report_submit(
            actor=request.user, report=report, version=request.POST.get("version")
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request, f"Đã trình ký báo cáo {report.period_label}; lãnh đạo UBND đã nhận được thông báo."
        )
    return redirect(report)


@login_required
@require_POST
def withdraw(request, pk: int):
    """Rút lại để sửa (đầu mối)."""
    report = _report(request, pk)
    if report.is_issued:
        return _already_issued(request, report)
    if not can_withdraw(request.user, report):
        if report.is_draft and can_edit(request.user, report):
            messages.info(request, "Báo cáo đã ở trạng thái dự thảo.")
            return redirect(report)
        raise PermissionDenied("Chỉ đơn vị đầu mối của kế hoạch mới được rút lại báo cáo đã trình ký.")
    try:
        services.report_withdraw(actor=request.user, report=report)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect(report)
    messages.success(request, "Đã rút lại báo cáo về dự thảo; sửa xong hãy trình ký lại.")
    return redirect("reports:edit", report.pk)


@login_required
@require_POST
def return_(request, pk: int):
    """Trả lại (lãnh đạo), with the reason đầu mối is told."""
    report = _report(request, pk)
    if report.is_issued:
        return _already_issued(request, report)
    if not is_leader_of(request.user, report):
        raise PermissionDenied("Chỉ lãnh đạo UBND mới được trả lại báo cáo trình ký.")
    form = ReturnForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Cần ghi lý do trả lại để đầu mối biết phải sửa gì.")
        return redirect(report)
    try:
        report = services.report_return(actor=request.user, report=report, reason=form.cleaned_data["reason"])
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, "Đã trả lại báo cáo cho đầu mối kèm lý do.")
    return redirect(report)


@login_required
def issue(request, pk: int):
    """Ký ban hành (lãnh đạo): a confirmation page with number, date and recipients, then the signature."""
    report = _report(request, pk)
    if report.is_issued:
        return _already_issued(request, report)
    if not is_leader_of(request.user, report):
        raise PermissionDenied("Chỉ lãnh đạo UBND mới được ký ban hành báo cáo.")
    if not report.is_submitted:
        messages.info(
            request, "Báo cáo chưa được trình ký: đầu mối trình ký xong thì lãnh đạo mới ký ban hành được."
        )
        return redirect(report)
    form = IssueForm(request.POST or None, initial={"version": report.version})
    if request.method == "POST":
        if form.is_valid():
            try:
                report = services.report_issue(
                    actor=request.user,
                    report=report,
                    issued_on=form.cleaned_data["issued_on"],
                    version=form.cleaned_data["version"],
                )
            except services.ReportConflict as error:
                messages.error(request, error.messages[0])
                return redirect(report)
            except ValidationError as error:
                apply_service_errors(form, error)
            except PermissionDenied:
                report.refresh_from_db()
                if not report.is_issued:
                    raise
                return _already_issued(request, report)
            else:
                messages.success(request, f"Đã ban hành báo cáo số {report.document.number_symbol}.")
                return redirect(report)
        report.refresh_from_db()
    preview = services.signing_preview(report)
    form.fields["issued_on"].widget.attrs.update(
        {"min": preview.earliest.isoformat(), "max": preview.today.isoformat()}
    )
    chosen = getattr(form, "cleaned_data", {}).get("issued_on") if form.is_bound else preview.today
    return render(
        request,
        "reports/sign.html",
        {
            "report": report,
            "plan": report.plan,
            "form": style_widgets(form),
            "sign": preview,
            # The date as the document will print it, so "12/07" is never read the wrong way round.
            "place_date": preview.place_date(chosen),
            "blockers": _blockers(report, "ký ban hành"),
        },
    )


@login_required
@require_POST
def delete(request, pk: int):
    report = _report(request, pk)
    if not can_edit(request.user, report):
        if report.is_submitted and can_withdraw(request.user, report):
            messages.error(request, "Báo cáo đang chờ ký: rút lại về dự thảo trước khi xóa.")
            return redirect(report)
        raise PermissionDenied("Chỉ đơn vị đầu mối được xóa dự thảo chưa ban hành.")
    plan_pk = report.plan_id
    services.report_delete(actor=request.user, report=report)
    messages.success(request, "Đã xóa dự thảo báo cáo.")
    return redirect("reports:plan_reports", plan_pk)


@login_required
def download(request, pk: int, ext: str):
    ensure_format(ext)
    content, filename = services.report_file(_report(request, pk), ext)
    return document_response(content, ext, filename)
