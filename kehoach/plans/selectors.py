"""Reads that several pages and the API share, each with a fixed number of queries."""

from django.db.models import Prefetch, Q, QuerySet

from kehoach.units.models import Unit

from .models import Indicator, Plan, Responsibility, Task, TaskUnit
from .services.plans import measure_sections_tree


def tasks_with_units(queryset: QuerySet[Task]) -> QuerySet[Task]:
    return queryset.select_related("plan", "trigger").prefetch_related(
        Prefetch("task_units", queryset=TaskUnit.objects.select_related("unit"))
    )


def plan_with_parts(plan: Plan) -> Plan:
    """The plan with everything its page shows, loaded in about ten queries whatever its size."""
    plan = (
        Plan.objects.select_related("owner_unit", "lead_unit")
        .prefetch_related(
            "references",
            "goals",
            "triggers",
            Prefetch(
                "indicators",
                queryset=Indicator.objects.select_related("lead_unit", "group").prefetch_related(
                    "coordinating_units"
                ),
            ),
            Prefetch("responsibilities", queryset=Responsibility.objects.select_related("unit")),
            Prefetch("tasks", queryset=tasks_with_units(Task.objects.all())),
        )
        .get(pk=plan.pk)
    )
    plan.sections = measure_sections_tree(plan)
    groups: dict[int | None, dict] = {}
    for indicator in plan.indicators.all():
        key = indicator.group_id
        if key not in groups:
            groups[key] = {"group": indicator.group, "indicators": []}
        groups[key]["indicators"].append(indicator)
    plan.grouped_indicators = list(groups.values())
    return plan


def unit_work(units: list[Unit], *, readable: QuerySet[Plan]) -> dict:
    """Tasks and indicators the given units lead or coordinate, in plans the reader may see."""
    ids = [u.pk for u in units]
    communes = {a for u in units for a in u.ancestor_ids}
    tasks = tasks_with_units(Task.objects.filter(plan__in=readable)).order_by(
        "plan__year", "plan_id", "position"
    )
    led = list(tasks.filter(task_units__unit__in=ids, task_units__role="chu_tri").distinct())
    led_ids = {t.pk for t in led}
    coordinated = [
        t
        for t in tasks.filter(
            Q(task_units__unit__in=ids, task_units__role="phoi_hop")
            | Q(coordinates_all_units=True, plan__owner_unit__in=communes)
        ).distinct()
        if t.pk not in led_ids
    ]
    indicators = Indicator.objects.filter(plan__in=readable).select_related("plan", "lead_unit", "group")
    led_indicators = list(indicators.filter(lead_unit__in=ids))
    coordinated_indicators = list(
        indicators.filter(coordinating_units__in=ids).exclude(lead_unit__in=ids).distinct()
    )
    responsibilities = list(
        Responsibility.objects.filter(plan__in=readable, unit__in=ids).select_related("plan", "unit")
    )
    return {
        "led_tasks": led,
        "coordinated_tasks": coordinated,
        "led_indicators": led_indicators,
        "coordinated_indicators": coordinated_indicators,
        "responsibilities": responsibilities,
    }
