"""What the API reads, scoped by the access rules and fetched in a fixed number of queries.

List selectors return querysets already limited to what the user may read, with every relation the
output schemas touch joined or prefetched, so a page costs the same number of queries at any size.
Detail selectors tell "does not exist" (Http404) from "exists but not yours" (PermissionDenied).
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, QuerySet, prefetch_related_objects
from django.http import Http404
from ninja.errors import ValidationError

from kehoach.core.text import search_terms
from kehoach.plans.filters import PlanFilter, TaskFilter
from kehoach.plans.models import Indicator, MeasureSection, Plan, Responsibility, Task, TaskUnit
from kehoach.plans.permissions import ensure_can_read
from kehoach.units.access import access_for
from kehoach.units.models import Membership, Unit, User


def _search(queryset: QuerySet, q: str | None) -> QuerySet:
    """Keep rows whose folded `search_text` contains every folded word of `q` (accents ignored)."""
    for term in search_terms(q):
        queryset = queryset.filter(search_text__contains=term)
    return queryset


# Me ------------------------------------------------------------------------------------------------
def memberships_of(user: User) -> QuerySet[Membership]:
    return Membership.objects.filter(user=user).select_related("unit").order_by("unit__path", "role")


# Units ---------------------------------------------------------------------------------------------
def unit_list(user: User, *, q: str | None = None, parent: int | None = None) -> QuerySet[Unit]:
    units = Unit.objects.readable_by(user)
    if parent is not None:
        units = units.filter(parent_id=parent)
    return _search(units, q)


def unit_detail(user: User, pk: int) -> Unit:
    unit = Unit.objects.filter(pk=pk).first()
    if unit is None:
        raise Http404(f"Không tìm thấy đơn vị có mã {pk}.")
    if not access_for(user).can_read_unit(unit):
        raise PermissionDenied("Bạn không có quyền xem đơn vị này.")
    return unit


# Plans ---------------------------------------------------------------------------------------------
def _filtered(filterset_class, user: User, queryset: QuerySet, params: dict) -> QuerySet:
    """Apply the same filter set as the HTML list, so the API and the pages filter alike."""
    data = {key: value for key, value in params.items() if value not in (None, "")}
    filterset = filterset_class(data=data, queryset=queryset, user=user)
    if not filterset.is_valid():
        raise ValidationError(
            [{"loc": ["query", name], "msg": " ".join(msgs)} for name, msgs in filterset.errors.items()]
        )
    return filterset.qs


def plan_list(user: User, *, lead_unit: int | None = None, **params) -> QuerySet[Plan]:
    plans = Plan.objects.readable_by(user).select_related("owner_unit", "lead_unit")
    if lead_unit is not None:  # not on the HTML list's filter set; Plan.lead_unit is indexed
        plans = plans.filter(lead_unit_id=lead_unit)
    return _filtered(PlanFilter, user, plans, params)


def readable_plan(user: User, pk: int) -> Plan:
    """The plan with its owner and lead units, or 404 / 403."""
    plan = Plan.objects.select_related("owner_unit", "lead_unit").filter(pk=pk).first()
    if plan is None:
        raise Http404(f"Không tìm thấy kế hoạch có mã {pk}.")
    ensure_can_read(user, plan)
    return plan


def _task_units() -> Prefetch:
    # Task.lead_units / coordinating_units read this prefetch instead of querying per task.
    return Prefetch("task_units", queryset=TaskUnit.objects.select_related("unit"))


def plan_detail(user: User, pk: int) -> Plan:
    """The plan and everything its detail shows, in a fixed number of queries, once access is checked."""
    plan = readable_plan(user, pk)
    prefetch_related_objects(
        [plan],
        "references",
        "goals",
        "indicator_groups",
        Prefetch("indicators", queryset=Indicator.objects.select_related("lead_unit")),
        Prefetch("measure_sections", queryset=MeasureSection.objects.prefetch_related("measures")),
        Prefetch("responsibilities", queryset=Responsibility.objects.select_related("unit")),
        Prefetch("tasks", queryset=Task.objects.prefetch_related(_task_units())),
    )
    return plan


# Tasks ---------------------------------------------------------------------------------------------
def task_list(user: User, **params) -> QuerySet[Task]:
    """Readable tasks filtered like the /nhiem-vu/ page (see kehoach.plans.filters.TaskFilter)."""
    tasks = Task.objects.readable_by(user).select_related("plan").prefetch_related(_task_units())
    return _filtered(TaskFilter, user, tasks, params)


def task_detail(user: User, pk: int) -> Task:
    task = Task.objects.select_related("plan__owner_unit").filter(pk=pk).first()
    if task is None:
        raise Http404(f"Không tìm thấy nhiệm vụ có mã {pk}.")
    if not access_for(user).can_read_unit(task.plan.owner_unit):
        raise PermissionDenied("Bạn không có quyền xem nhiệm vụ này.")
    prefetch_related_objects([task], _task_units())
    return task
