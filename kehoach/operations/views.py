"""Trung tâm điều hành of a commune: its page and refreshes, alerts, scenarios and đôn đốc."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from kehoach.core.views import apply_service_errors, paginate, query_without_page, style_widgets
from kehoach.plans.models import Plan
from kehoach.plans.permissions import can_manage_plan, ensure_can_read
from kehoach.tracking.models import Period
from kehoach.units.models import Unit

from . import selectors
from .choices import AlertState, ScenarioKind, Severity
from .models import Alert, Scenario
from .services.alerts import alert_acknowledge, alert_resolve, can_handle
from .services.nudges import can_nudge, unit_nudge
from .services.scenarios import EDITABLE, scenario_update


def _plan(request, pk: int) -> Plan:
    plan = get_object_or_404(Plan.objects.select_related("owner_unit", "lead_unit"), pk=pk)
    ensure_can_read(request.user, plan)
    return plan


@login_required
def centre_home(request):
    plan = selectors.default_plan_for(request.user, timezone.localdate())
    if plan is None:
        if selectors.lands_on_centre(request.user) == "operations:city":
            return redirect("operations:city")
        return render(
            request, "operations/no_plan.html", {"plans": selectors.centre_plans(request.user)[:50]}
        )
    return redirect("operations:centre_plan", pk=plan.pk)


@login_required
def centre_plan(request, pk: int):
    plan = _plan(request, pk)
    context = selectors.centre(plan, today=timezone.localdate())
    context["can_nudge"] = can_nudge(request.user, plan)
    context["can_manage"] = can_manage_plan(request.user, plan)
    context["now"] = timezone.localtime()
    if request.htmx and request.GET.get("phan") == "noi-dung":
        return render(request, "operations/centre_body.html", context)
    context["other_plans"] = selectors.centre_plans(request.user).exclude(pk=plan.pk)[:20]
    return render(request, "operations/centre.html", context)


@login_required
@require_POST
def nudge(request, pk: int, period_pk: int, unit_pk: int):
    plan = _plan(request, pk)
    period = get_object_or_404(Period, pk=period_pk, plan=plan)
    unit = get_object_or_404(Unit, pk=unit_pk)
    try:
        reminder = unit_nudge(
            actor=request.user, plan=plan, period=period, unit=unit, today=timezone.localdate()
        )
    except ValidationError as error:
        text = " ".join(error.messages)
        if request.htmx:
            return render(request, "operations/nudge_result.html", {"error": text}, status=422)
        messages.error(request, text)
        return redirect("operations:centre_plan", pk=plan.pk)
    sent = timezone.localtime(reminder.sent_at)
    text = f"Đã đôn đốc {unit} ({reminder.recipients} người nhận) lúc {sent:%H:%M}."
    if request.htmx:
        return render(request, "operations/nudge_result.html", {"reminder": reminder, "text": text})
    messages.success(request, text)
    return redirect("operations:centre_plan", pk=plan.pk)


# Alerts ---------------------------------------------------------------------------------------------


class AlertFilterForm(forms.Form):
    state = forms.ChoiceField(
        label="Trạng thái",
        required=False,
        choices=[("", "Đang mở và đã tiếp nhận"), *AlertState.choices, ("tat_ca", "Tất cả")],
    )
    severity = forms.ChoiceField(label="Mức", required=False, choices=[("", "Mọi mức"), *Severity.choices])
    kind = forms.ChoiceField(
        label="Loại kịch bản", required=False, choices=[("", "Mọi kịch bản"), *ScenarioKind.choices]
    )
    unit = forms.ModelChoiceField(
        label="Đơn vị", required=False, queryset=Unit.objects.none(), empty_label="Mọi đơn vị"
    )


@login_required
def alert_list(request, pk: int):
    plan = _plan(request, pk)
    form = style_widgets(AlertFilterForm(request.GET or None))
    form.fields["unit"].queryset = Unit.objects.subtree_of(plan.owner_unit).exclude(pk=plan.owner_unit_id)
    alerts = Alert.objects.filter(plan=plan).select_related("unit", "scenario").order_by("-raised_at", "-pk")
    state = ""
    if form.is_valid():
        data = form.cleaned_data
        state = data["state"]
        if data["severity"]:
            alerts = alerts.filter(severity=data["severity"])
        if data["kind"]:
            alerts = alerts.filter(scenario__kind=data["kind"])
        if data["unit"]:
            alerts = alerts.filter(unit=data["unit"])
    if state == "":
        alerts = alerts.active()
    elif state != "tat_ca":
        alerts = alerts.filter(state=state)
    return render(
        request,
        "operations/alert_list.html",
        {"plan": plan, "form": form, "page": paginate(request, alerts), "query": query_without_page(request)},
    )


def _alert(request, pk: int) -> Alert:
    alert = get_object_or_404(
        Alert.objects.select_related(
            "plan__owner_unit", "plan__lead_unit", "unit", "scenario", "task", "indicator"
        ),
        pk=pk,
    )
    ensure_can_read(request.user, alert.plan)
    return alert


class NoteForm(forms.Form):
    note = forms.CharField(label="Ghi chú", required=False, widget=forms.Textarea(attrs={"rows": 2}))


def _alert_page(request, alert: Alert, form: NoteForm, *, status: int = 200):
    return render(
        request,
        "operations/alert_detail.html",
        {
            "alert": alert,
            "events": alert.events.select_related("actor"),
            "can_handle": alert.is_active and can_handle(request.user, alert),
            "form": form,
        },
        status=status,
    )


@login_required
def alert_detail(request, pk: int):
    return _alert_page(request, _alert(request, pk), style_widgets(NoteForm()))


ACTIONS = {
    "tiep-nhan": (alert_acknowledge, "Đã tiếp nhận cảnh báo."),
    "xu-ly": (alert_resolve, "Đã ghi nhận xử lý xong cảnh báo."),
}


@login_required
@require_POST
def alert_action(request, pk: int, action: str):
    if action not in ACTIONS:
        raise Http404("Thao tác không hợp lệ.")
    alert = _alert(request, pk)
    form = style_widgets(NoteForm(request.POST))
    form.is_valid()
    service, done = ACTIONS[action]
    try:
        alert = service(actor=request.user, alert=alert, note=form.cleaned_data.get("note", ""))
    except ValidationError as error:
        apply_service_errors(form, error)
        return _alert_page(request, alert, form, status=422)
    messages.success(request, done)
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(alert.get_absolute_url())


# Scenarios ------------------------------------------------------------------------------------------


class ScenarioForm(forms.ModelForm):
    class Meta:
        model = Scenario
        fields = EDITABLE


@login_required
def scenario_list(request, pk: int):
    plan = _plan(request, pk)
    # No defaults written here: issuing a plan is a change, and its evaluation on commit installs them.
    scenarios = Scenario.objects.filter(plan=plan).order_by("position", "pk")
    return render(
        request,
        "operations/scenario_list.html",
        {"plan": plan, "scenarios": scenarios, "can_manage": can_manage_plan(request.user, plan)},
    )


@login_required
def scenario_edit(request, pk: int, scenario_pk: int):
    plan = _plan(request, pk)
    scenario = get_object_or_404(Scenario, pk=scenario_pk, plan=plan)
    if not can_manage_plan(request.user, plan):
        raise PermissionDenied("Chỉ đầu mối của kế hoạch mới sửa được kịch bản điều hành.")
    form = style_widgets(ScenarioForm(request.POST or None, instance=Scenario.objects.get(pk=scenario.pk)))
    if request.method == "POST" and form.is_valid():
        data = {key: form.cleaned_data[key] for key in EDITABLE}
        try:
            scenario_update(actor=request.user, scenario=scenario, data=data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, f"Đã lưu kịch bản “{data['name']}”.")
            return redirect("operations:scenarios", pk=plan.pk)
    return render(
        request,
        "operations/scenario_form.html",
        {"plan": plan, "scenario": scenario, "form": form},
        status=422 if request.method == "POST" else 200,
    )
