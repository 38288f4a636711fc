"""Reads of the operations centre, shared by its page, its refreshes and the API."""

import datetime
from dataclasses import dataclass

from django.db.models import Case, Count, IntegerField, Max, Q, QuerySet, Value, When
from django.urls import reverse

from kehoach.plans.choices import PlanStatus, TaskStatus
from kehoach.plans.models import Plan
from kehoach.plans.status import STATUS_BADGES
from kehoach.tracking import selectors as tracking
from kehoach.tracking.models import Period
from kehoach.units.access import access_for
from kehoach.units.choices import Role, UnitKind

from .choices import SEVERITY_RANK, AlertState, Severity
from .facts import PlanFacts
from .freshness import cached, plan_scope, version_key
from .models import Alert, Reminder

# Colours of task statuses in charts, in the order bars stack (most pressing first).
STATUS_COLOURS = {
    TaskStatus.OVERDUE: "#dc3545",
    TaskStatus.ON_TRACK: "#0d6efd",
    TaskStatus.NOT_STARTED: "#adb5bd",
    TaskStatus.WAITING: "#0dcaf0",
    TaskStatus.DONE_LATE: "#fd7e14",
    TaskStatus.DONE_ON_TIME: "#198754",
}
ALERTS_SHOWN = 8


@dataclass
class Owing:
    period: Period
    rows: list[dict]
    late: bool


def centre_plans(user) -> QuerySet[Plan]:
    """Issued plans whose centre the user may open, newest year first."""
    return (
        Plan.objects.readable_by(user)
        .filter(status=PlanStatus.ISSUED)
        .select_related("owner_unit", "lead_unit")
        .order_by("-year", "owner_unit__path", "-issued_on", "pk")
    )


def default_plan_for(user, today: datetime.date) -> Plan | None:
    """The plan a user steers now: one of their own government's (commune's), of this year if any."""
    access = access_for(user)
    plans = centre_plans(user)
    own = plans.filter(owner_unit__path__in=access.read_roots)
    chosen = own.filter(year__lte=today.year).first() or own.first()
    if chosen is None and access.is_superuser:
        chosen = plans.filter(year__lte=today.year).first()
    return chosen


def lands_on_centre(user) -> str | None:
    """Where a user lands after login: leaders and đầu mối on the centre, the city on its comparison."""
    access = access_for(user)
    if access.has_role(Role.LEADER) or access.has_role(Role.COORDINATOR):
        in_commune = any(u.kind != UnitKind.PROVINCE for u in access.member_units)
        return "operations:centre" if in_commune else "operations:city"
    if access.has_role(Role.SUPERVISOR):
        return "operations:city"
    return None


def owing(facts: PlanFacts) -> list[Owing]:
    """Units that still owe reports or figures: the period being reported now and the last one past due."""
    late = facts.last_closed_period
    rows = tracking.missing_many(facts.plan, facts.owing_periods, today=facts.today)
    return [Owing(period=p, rows=rows[p.pk], late=p == late) for p in facts.owing_periods]


def last_reminders(plan: Plan, periods: list[Period]) -> dict[tuple[int, int], Reminder]:
    latest = (
        Reminder.objects.filter(plan=plan, period__in=periods)
        .values("period_id", "unit_id")
        .annotate(last=Max("sent_at"))
    )
    return {(r["period_id"], r["unit_id"]): r["last"] for r in latest}


def alerts_summary(plan: Plan) -> dict:
    active = Alert.objects.filter(plan=plan).active()
    counts = active.aggregate(
        total=Count("pk"),
        red=Count("pk", filter=Q(severity=Severity.RED)),
        orange=Count("pk", filter=Q(severity=Severity.ORANGE)),
        yellow=Count("pk", filter=Q(severity=Severity.YELLOW)),
        unacknowledged=Count("pk", filter=Q(state=AlertState.OPEN)),
    )
    rank = Case(
        *(When(severity=severity, then=Value(-value)) for severity, value in SEVERITY_RANK.items()),
        default=Value(0),
        output_field=IntegerField(),
    )
    shown = list(
        active.select_related("unit")
        .annotate(rank=rank)
        .order_by("rank", Case(When(state=AlertState.OPEN, then=Value(0)), default=Value(1)), "-raised_at")[
            :ALERTS_SHOWN
        ]
    )
    return {"counts": counts, "items": shown}


def status_chart(facts: PlanFacts) -> dict:
    rows = facts.status_by_unit
    tasks_url = reverse("plans:tasks")
    return {
        "type": "stacked_bar",
        "horizontal": True,
        "categories": [r["unit"].short_name or r["unit"].name for r in rows],
        "series": [
            {"name": status.label, "data": [r["counts"][status] for r in rows], "color": colour}
            for status, colour in STATUS_COLOURS.items()
            if any(r["counts"][status] for r in rows)
        ],
        "links": [f"{tasks_url}?plan={facts.plan.pk}&unit={r['unit'].pk}" for r in rows],
        "height": max(160, 34 * len(rows) + 60),
    }


def headline(facts: PlanFacts) -> dict:
    counts = facts.status_counts
    done = counts[TaskStatus.DONE_ON_TIME] + counts[TaskStatus.DONE_LATE]
    due = done + counts[TaskStatus.OVERDUE]
    return {
        "total": len(facts.tasks),
        "done": done,
        "overdue": counts[TaskStatus.OVERDUE],
        "at_risk": len(facts.at_risk),
        "waiting": counts[TaskStatus.WAITING],
        "on_time_rate": round(100 * counts[TaskStatus.DONE_ON_TIME] / due) if due else None,
        "due": due,
    }


def _centre_data(plan: Plan, today: datetime.date) -> dict:
    """What the centre computes from the plan's data alone: cached per plan version and day."""
    facts = PlanFacts(plan, today)
    return {
        "headline": headline(facts),
        "tiles": facts.tiles,
        "overdue": facts.overdue,
        "at_risk": facts.at_risk,
        "status_chart": status_chart(facts),
        "status_rows": facts.status_by_unit,
        "owing": owing(facts),
        "budget": facts.budget,
        "current_period": facts.current_period,
    }


def centre(plan: Plan, *, today: datetime.date) -> dict:
    """Everything the commune's centre shows, in a number of queries that does not grow with the plan.

    The plan's figures come from the cache while its data version and the day are unchanged (see
    `freshness`); alerts and the last reminders, which change without touching the plan's data, are
    read on every request.
    """
    key = version_key(plan_scope(plan.pk), today, ("centre",))
    data = cached(key, lambda: _centre_data(plan, today))
    reminders = last_reminders(plan, [o.period for o in data["owing"]])
    # The cached rows are shared between requests: this request's reminders go on copies.
    owing_rows = [
        Owing(
            period=block.period,
            late=block.late,
            rows=[
                {
                    **row,
                    "last_reminder": reminders.get((block.period.pk, row["unit"].pk)),
                    "count": len(row["tasks"]) + len(row["indicators"]),
                }
                for row in block.rows
            ],
        )
        for block in data["owing"]
    ]
    return {
        **data,
        "plan": plan,
        "today": today,
        # The template caches the parts drawn from the plan's data alone under the same key.
        "data_key": key,
        "owing": owing_rows,
        "status_badges": STATUS_BADGES,
        "alerts": alerts_summary(plan),
    }
