"""Plan pages. Views read through selectors, write through services, and check access first."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_POST

from kehoach.core.audit import history_for
from kehoach.core.search import phrase_first
from kehoach.core.text import passage, search_terms
from kehoach.core.views import apply_service_errors, paginate, query_without_page
from kehoach.documents.http import document_response, render_file
from kehoach.documents.naming import ascii_name
from kehoach.documents.render import render_fragment
from kehoach.units.access import access_for
from kehoach.units.choices import Role
from kehoach.units.models import Unit

from . import selectors
from .choices import TaskStatus
from .document import plan_document
from .filters import PlanFilter, TaskFilter
from .forms import (
    GoalsForm,
    IndicatorForm,
    PlanForm,
    ReferenceFormSet,
    ResponsibilityForm,
    ReviewSettingForm,
    TaskForm,
    TriggerRecordForm,
)
from .models import Goal, Indicator, Plan, Responsibility, Task, Trigger
from .permissions import can_change_review_setting, can_manage_plan, ensure_can_manage, ensure_can_read
from .services import indicators as indicator_services
from .services import plans as plan_services
from .services import tasks as task_services
from .status import STATUS_BADGES, plan_rates, status_case


def _plan(request, pk: int, *, manage: bool = False) -> Plan:
    plan = get_object_or_404(Plan.objects.select_related("owner_unit", "lead_unit"), pk=pk)
    ensure_can_read(request.user, plan)
    if manage:
        ensure_can_manage(request.user, plan)
    return plan


@login_required
def home(request):
    """Leaders, đầu mối and the city land on the operations centre; unit staff on their unit's work."""
    access = access_for(request.user)
    if any(access.has_role(role) for role in (Role.LEADER, Role.COORDINATOR, Role.SUPERVISOR)):
        return redirect("operations:centre")
    return redirect("plans:my_work")


@login_required
def plan_list(request):
    access = access_for(request.user)
    base = Plan.objects.readable_by(request.user).select_related("owner_unit", "lead_unit")
    plan_filter = PlanFilter(request.GET, queryset=base, user=request.user)
    plans = plan_filter.qs.order_by("-year", "-issued_on", "-id")
    terms = search_terms(request.GET.get("q"))
    if terms and not plan_filter.errors:
        # As on the search page: whole-phrase matches first, and why a plan matched when not by its title.
        plans = plans.annotate(rank=phrase_first(request.GET.get("q"))).order_by(
            "rank", "-year", "-issued_on", "-id"
        )
        plans = plans.prefetch_related(Prefetch("goals", queryset=Goal.objects.order_by("position", "id")))
    page = paginate(request, plans)
    for plan in page if terms else ():
        plan.passage = passage(
            terms,
            f"{plan.number} {plan.title}",
            [plan.get_field_display(), *(g.text for g in plan.goals.all())],
        )
    return render(
        request,
        "plans/plan_list.html",
        {
            "filter": plan_filter,
            "page": page,
            "query": query_without_page(request),
            "terms": terms,
            "can_create": bool(access.coordinator_units),
        },
    )


@login_required
def plan_detail(request, pk: int):
    plan = selectors.plan_with_parts(_plan(request, pk))
    today = timezone.localdate()
    tasks = list(plan.tasks.all())
    for task in tasks:
        task.current_status = task.status(today)
    rates = plan_rates(Task.objects.filter(plan=plan), today)
    counts = rates["counts"]
    return render(
        request,
        "plans/plan_detail.html",
        {
            "plan": plan,
            "tasks": tasks,
            "rates": rates,
            "status_counts": [(s, counts[s], STATUS_BADGES[s]) for s in TaskStatus if counts[s]],
            "can_manage": can_manage_plan(request.user, plan),
            "can_change_settings": can_change_review_setting(request.user, plan),
            "history": history_for(plan, include_children=True)[:8],
        },
    )


# The plan as an official document (NĐ 30) ------------------------------------------------------------


def _document_download(plan: Plan, ext: str) -> HttpResponse:
    number = plan.number or "du-thao"
    content = render_file(plan_document(plan), ext)
    return document_response(
        content, ext, f"Kế hoạch {number} năm {plan.year}.{ext}", f"KH-{ascii_name(number)}-{plan.year}.{ext}"
    )


@login_required
@require_GET
def plan_document_preview(request, pk: int):
    plan = selectors.plan_with_parts(_plan(request, pk))
    # The renderer escapes every text of the document; its output is trusted markup.
    document_html = mark_safe(render_fragment(plan_document(plan)))
    return render(request, "plans/plan_document.html", {"plan": plan, "document_html": document_html})


@login_required
@require_GET
def plan_document_docx(request, pk: int):
    plan = selectors.plan_with_parts(_plan(request, pk))
    return _document_download(plan, "docx")


@login_required
@require_GET
def plan_document_pdf(request, pk: int):
    plan = selectors.plan_with_parts(_plan(request, pk))
    return _document_download(plan, "pdf")


def _coordinator_lead_units(user):
    roots = access_for(user).coordinator_units
    if not roots:
        raise PermissionDenied("Chỉ cán bộ đầu mối mới được tạo kế hoạch.")
    ids = set()
    for root in roots:
        ids.update(Unit.objects.subtree_of(root).values_list("pk", flat=True))
    return Unit.objects.filter(pk__in=ids)


@login_required
def plan_create(request):
    lead_units = _coordinator_lead_units(request.user)
    form = PlanForm(
        request.POST or None,
        lead_units=lead_units,
        initial={"year": timezone.localdate().year, "lead_unit": lead_units.first()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            plan = plan_services.plan_create(actor=request.user, data=form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, f"Đã tạo kế hoạch “{plan.title}”.")
            return redirect(plan)
    return render(request, "plans/plan_form.html", {"form": form, "plan": None})


@login_required
def plan_edit(request, pk: int):
    plan = _plan(request, pk, manage=True)
    lead_units = _coordinator_lead_units(request.user).filter(path__startswith=plan.owner_unit.path)
    form = PlanForm(request.POST or None, instance=plan, lead_units=lead_units)
    if request.method == "POST" and form.is_valid():
        try:
            plan_services.plan_update(actor=request.user, plan=plan, data=form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, "Đã lưu thông tin kế hoạch.")
            return redirect(plan)
    return render(request, "plans/plan_form.html", {"form": form, "plan": Plan.objects.get(pk=plan.pk)})


@login_required
def plan_settings(request, pk: int):
    """Cách duyệt báo cáo: đầu mối or lãnh đạo of the plan choose who accepts the lead unit's reports."""
    plan = _plan(request, pk)
    if not can_change_review_setting(request.user, plan):
        raise PermissionDenied("Chỉ đầu mối hoặc lãnh đạo UBND của kế hoạch mới được đổi cách duyệt báo cáo.")
    form = ReviewSettingForm(request.POST or None, plan=plan)
    if request.method == "POST" and form.is_valid():
        plan = plan_services.plan_review_setting_update(
            actor=request.user,
            plan=plan,
            leader_reviews_lead_unit=form.cleaned_data["leader_reviews_lead_unit"],
        )
        messages.success(
            request,
            f"Đã lưu: báo cáo của {plan.lead_unit} do lãnh đạo UBND chấp nhận."
            if plan.leader_reviews_lead_unit
            else f"Đã lưu: báo cáo của {plan.lead_unit} do đầu mối chấp nhận.",
        )
        return redirect(plan)
    return render(request, "plans/plan_settings.html", {"plan": plan, "form": form})


@login_required
def plan_references(request, pk: int):
    plan = _plan(request, pk, manage=True)
    initial = [
        {"number": r.number, "issued_on": r.issued_on, "issuer": r.issuer, "title": r.title}
        for r in plan.references.all()
    ]
    formset = ReferenceFormSet(request.POST or None, initial=initial, prefix="ref")
    if request.method == "POST" and formset.is_valid():
        rows = [
            {
                k: f.cleaned_data.get(k) or ("" if k != "issued_on" else None)
                for k in ("number", "issued_on", "issuer", "title")
            }
            for f in formset.forms
            if f.cleaned_data
            and not f.cleaned_data.get("DELETE")
            and (f.cleaned_data.get("number") or f.cleaned_data.get("title"))
        ]
        plan_services.plan_set_references(actor=request.user, plan=plan, references=rows)
        messages.success(request, f"Đã lưu {len(rows)} căn cứ.")
        return redirect(plan)
    return render(request, "plans/plan_references_form.html", {"plan": plan, "formset": formset})


@login_required
def plan_goals(request, pk: int):
    plan = _plan(request, pk, manage=True)
    form = GoalsForm(request.POST or None, initial={"goals": "\n\n".join(g.text for g in plan.goals.all())})
    if request.method == "POST" and form.is_valid():
        plan_services.plan_set_goals(actor=request.user, plan=plan, goals=form.goal_list())
        messages.success(request, "Đã lưu mục tiêu.")
        return redirect(plan)
    return render(
        request, "plans/simple_form.html", {"plan": plan, "form": form, "title": "Mục tiêu của kế hoạch"}
    )


@login_required
def plan_history(request, pk: int):
    plan = _plan(request, pk)
    page = paginate(request, history_for(plan, include_children=True))
    return render(request, "plans/history.html", {"plan": plan, "object": plan, "page": page})


# Indicators ------------------------------------------------------------------------------------


@login_required
def indicator_detail(request, pk: int):
    indicator = get_object_or_404(
        Indicator.objects.select_related(
            "plan__owner_unit", "plan__lead_unit", "group", "lead_unit"
        ).prefetch_related("coordinating_units"),
        pk=pk,
    )
    ensure_can_read(request.user, indicator.plan)
    return render(
        request,
        "plans/indicator_detail.html",
        {
            "indicator": indicator,
            "plan": indicator.plan,
            "can_manage": can_manage_plan(request.user, indicator.plan),
            "history": history_for(indicator)[:20],
        },
    )


@login_required
def indicator_form(request, plan_pk: int, pk: int | None = None):
    plan = _plan(request, plan_pk, manage=True)
    indicator = get_object_or_404(Indicator, pk=pk, plan=plan) if pk else None
    # A GET with the name typed so far (the catalogue block refreshing itself) starts the form from it.
    typed = {k: request.GET[k] for k in ("name", "unit_of_measure", "city_indicator") if k in request.GET}
    form = IndicatorForm(
        request.POST or None, instance=indicator, plan=plan, initial=typed, refresh_url=request.path
    )
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "coordinating_units"}
        try:
            saved = indicator_services.indicator_save(
                actor=request.user,
                plan=plan,
                data=data,
                coordinating_units=list(form.cleaned_data["coordinating_units"]),
                indicator=indicator,
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, f"Đã lưu chỉ tiêu “{saved.name}”.")
            return redirect(saved)
    return render(
        request,
        "plans/indicator_form.html",
        {"plan": plan, "form": form, "indicator": indicator, "wide_fields": ("city_indicator",)},
    )


@login_required
@require_POST
def indicator_delete(request, plan_pk: int, pk: int):
    plan = _plan(request, plan_pk, manage=True)
    indicator = get_object_or_404(Indicator, pk=pk, plan=plan)
    indicator_services.indicator_delete(actor=request.user, indicator=indicator)
    messages.success(request, f"Đã xóa chỉ tiêu “{indicator.name}”.")
    return redirect(plan)


# Tasks -----------------------------------------------------------------------------------------


@login_required
def task_list(request):
    base = selectors.tasks_with_units(Task.objects.readable_by(request.user))
    task_filter = TaskFilter(request.GET, queryset=base, user=request.user)
    today = timezone.localdate()
    page = paginate(request, task_filter.qs.order_by("due_on", "plan_id", "position"))
    for task in page:
        task.current_status = task.status(today)
    counts = task_filter.qs.order_by().annotate(current=status_case(today)).values_list("current", flat=True)
    tally: dict[str, int] = {}
    for value in counts:
        tally[value] = tally.get(value, 0) + 1
    return render(
        request,
        "plans/task_list.html",
        {
            "filter": task_filter,
            "page": page,
            "query": query_without_page(request),
            "tally": [(s, tally.get(s.value, 0), STATUS_BADGES[s]) for s in TaskStatus],
        },
    )


@login_required
def task_detail(request, pk: int):
    task = get_object_or_404(
        selectors.tasks_with_units(Task.objects.select_related("plan__owner_unit", "plan__lead_unit")), pk=pk
    )
    ensure_can_read(request.user, task.plan)
    return render(
        request,
        "plans/task_detail.html",
        {
            "task": task,
            "plan": task.plan,
            "status": task.status(),
            "can_manage": can_manage_plan(request.user, task.plan),
            "history": history_for(task)[:30],
        },
    )


@login_required
def task_form(request, plan_pk: int, pk: int | None = None):
    plan = _plan(request, plan_pk, manage=True)
    task = get_object_or_404(selectors.tasks_with_units(Task.objects.all()), pk=pk, plan=plan) if pk else None
    form = TaskForm(request.POST or None, instance=task, plan=plan)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = task_services.task_save(
                actor=request.user,
                plan=plan,
                data=data,
                lead_units=list(data["lead_units"]),
                coordinating_units=list(data["coordinating_units"]),
                trigger=data.get("trigger"),
                new_trigger=data.get("new_trigger") or "",
                task=task,
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, f"Đã lưu nhiệm vụ “{saved.title}”.")
            return redirect(saved)
    return render(request, "plans/task_form.html", {"plan": plan, "form": form, "task": task})


@login_required
@require_POST
def task_delete(request, plan_pk: int, pk: int):
    plan = _plan(request, plan_pk, manage=True)
    task = get_object_or_404(Task, pk=pk, plan=plan)
    task_services.task_delete(actor=request.user, task=task)
    messages.success(request, f"Đã xóa nhiệm vụ “{task.title}”.")
    return redirect(plan)


@login_required
def trigger_record(request, plan_pk: int, pk: int):
    plan = _plan(request, plan_pk, manage=True)
    trigger = get_object_or_404(Trigger, pk=pk, plan=plan)
    form = TriggerRecordForm(
        request.POST or None,
        initial={
            "document_number": trigger.document_number,
            "occurred_on": trigger.occurred_on,
            "document_issuer": trigger.document_issuer,
            "document_title": trigger.document_title,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            changed = task_services.trigger_record(actor=request.user, trigger=trigger, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(
                request, f"Đã ghi nhận “{trigger.description}”: {len(changed)} nhiệm vụ đã có hạn hoàn thành."
            )
            return redirect(plan)
    waiting = selectors.tasks_with_units(trigger.tasks.all())
    return render(
        request, "plans/trigger_form.html", {"plan": plan, "trigger": trigger, "form": form, "tasks": waiting}
    )


# Responsibilities ------------------------------------------------------------------------------


@login_required
def responsibility_form(request, plan_pk: int, pk: int | None = None):
    plan = _plan(request, plan_pk, manage=True)
    responsibility = get_object_or_404(Responsibility, pk=pk, plan=plan) if pk else None
    initial = {}
    if responsibility:
        initial = {"unit": responsibility.unit_id, "duties": "\n\n".join(responsibility.duties)}
    form = ResponsibilityForm(request.POST or None, plan=plan, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            plan_services.responsibility_save(
                actor=request.user,
                plan=plan,
                unit=form.cleaned_data["unit"],
                duties=form.duty_list(),
                responsibility=responsibility,
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, "Đã lưu trách nhiệm của đơn vị.")
            return redirect(f"{plan.get_absolute_url()}#trach-nhiem")
    return render(
        request,
        "plans/simple_form.html",
        {
            "plan": plan,
            "form": form,
            "title": "Trách nhiệm của đơn vị" if responsibility else "Thêm trách nhiệm đơn vị",
        },
    )


@login_required
@require_POST
def responsibility_delete(request, plan_pk: int, pk: int):
    plan = _plan(request, plan_pk, manage=True)
    responsibility = get_object_or_404(Responsibility, pk=pk, plan=plan)
    plan_services.responsibility_delete(actor=request.user, responsibility=responsibility)
    messages.success(request, "Đã xóa phần trách nhiệm của đơn vị.")
    return redirect(plan)


# Work of a unit --------------------------------------------------------------------------------


@login_required
def my_work(request):
    access = access_for(request.user)
    readable_units = Unit.objects.readable_by(request.user)
    chosen = request.GET.get("don_vi", "")
    if chosen and not chosen.isdigit():
        raise Http404("Mã đơn vị không hợp lệ.")
    if chosen:
        unit = get_object_or_404(readable_units, pk=chosen)
        units = [unit]
    else:
        units = [u for u in access.member_units if not u.is_administrative]
        unit = None
    readable = Plan.objects.readable_by(request.user)
    work = selectors.unit_work(units, readable=readable) if units else None
    today = timezone.localdate()
    if work:
        for task in work["led_tasks"] + work["coordinated_tasks"]:
            task.current_status = task.status(today)
    return render(
        request,
        "plans/my_work.html",
        {
            "units": units,
            "unit": unit,
            "work": work,
            "unit_choices": readable_units.exclude(kind__in=["tinh", "xa"]).select_related("parent"),
        },
    )
