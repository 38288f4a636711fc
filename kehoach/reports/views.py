"""Periodic report pages: list and create per plan, edit the draft, preview, issue, download."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from kehoach.core.audit import history_for
from kehoach.core.views import apply_service_errors, style_widgets
from kehoach.documents.http import document_response, ensure_format
from kehoach.documents.render import render_fragment
from kehoach.plans.models import Plan
from kehoach.plans.permissions import can_manage_plan, ensure_can_read

from . import services
from .forms import IssueForm, ReportCreateForm, ReportForm
from .models import Report
from .permissions import can_edit, can_issue, can_read


def _report(request, pk: int) -> Report:
    report = get_object_or_404(
        Report.objects.select_related("plan__owner_unit", "plan__lead_unit", "document", "issued_by"), pk=pk
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
    form = ReportCreateForm(request.POST or None, year=plan.year) if manage else None
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
    visible = [r for r in reports if not r.is_draft or can_read(request.user, r)]
    return render(
        request,
        "reports/plan_reports.html",
        {
            "plan": plan,
            "reports": visible,
            "form": style_widgets(form) if form else None,
            "send_form": style_widgets(ReportCreateForm(year=plan.year, prefix="send")) if manage else None,
        },
    )


@login_required
@require_POST
def send_indicators(request, plan_pk: int):
    """Queue a period's accepted indicator values for the city's system (đầu mối)."""
    plan = get_object_or_404(Plan.objects.select_related("owner_unit", "lead_unit"), pk=plan_pk)
    ensure_can_read(request.user, plan)
    form = ReportCreateForm(request.POST, year=plan.year, prefix="send")
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


@login_required
def detail(request, pk: int):
    report = _report(request, pk)
    document = services.report_document(report)
    deliveries = []
    if not report.is_draft:
        from kehoach.exchange.models import Delivery

        deliveries = list(Delivery.objects.filter(source_type="reports.report", source_id=report.pk))
    return render(
        request,
        "reports/detail.html",
        {
            "report": report,
            "plan": report.plan,
            "preview": render_fragment(document),
            "can_edit": can_edit(request.user, report),
            "can_issue": can_issue(request.user, report),
            "missing": services.missing_parts(report) if report.is_draft else [],
            "issue_form": style_widgets(IssueForm(initial={"version": report.version}))
            if can_issue(request.user, report)
            else None,
            "deliveries": deliveries,
            "history": history_for(report)[:20],
        },
    )


@login_required
def edit(request, pk: int):
    report = _report(request, pk)
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


@login_required
@require_POST
def issue(request, pk: int):
    report = _report(request, pk)
    if not report.is_draft:
        # Signed by someone else a moment ago (two leaders, or a double click): say so, not 403.
        messages.info(request, f"Báo cáo đã được ban hành, số {report.document.number_symbol}.")
        return redirect("reports:detail", report.pk)
    if not can_issue(request.user, report):
        raise PermissionDenied("Chỉ lãnh đạo UBND mới được ký ban hành báo cáo.")
    form = IssueForm(request.POST)
    if form.is_valid():
        try:
            report = services.report_issue(
                actor=request.user,
                report=report,
                issued_on=form.cleaned_data["issued_on"],
                version=form.cleaned_data["version"],
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        except PermissionDenied:
            report.refresh_from_db()
            if report.is_draft:
                raise
            messages.info(request, f"Báo cáo đã được ban hành, số {report.document.number_symbol}.")
        else:
            messages.success(request, f"Đã ban hành báo cáo số {report.document.number_symbol}.")
    else:
        messages.error(request, "Ngày ban hành không hợp lệ (dd/mm/yyyy).")
    return redirect("reports:detail", report.pk)


@login_required
@require_POST
def delete(request, pk: int):
    report = _report(request, pk)
    if not can_edit(request.user, report):
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
