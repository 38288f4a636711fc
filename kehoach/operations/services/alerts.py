"""Scenarios raise alerts; people acknowledge and resolve them; the data clears them.

`alerts_evaluate` runs every enabled scenario of the given plans (all issued plans by default):
- a condition with no active alert raises one, notifies its recipients (in-app and the daily digest);
- an active alert whose condition no longer holds is resolved automatically ("tự đóng");
- an alert nobody acknowledged within the scenario's `escalate_after_days` goes one severity up and
  reaches the commune's leaders.
The partial unique constraint (scenario, key) over active alerts makes a second open alert for the
same condition impossible even when two evaluations run at once. An alert resolved by a person while
its condition still holds is not raised again until the data has cleared that condition once.

It runs after every change to a plan's data (on commit, see `plan_changed`) and once a day.
"""

import datetime
import logging
from collections import defaultdict
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from kehoach.core.audit import audit_change
from kehoach.core.models import AuditEntry
from kehoach.plans.choices import PlanStatus
from kehoach.plans.models import Plan
from kehoach.plans.permissions import can_manage_plan
from kehoach.tracking.choices import NotificationKind
from kehoach.tracking.services.notifications import notify_many
from kehoach.units.access import access_for
from kehoach.units.choices import Role
from kehoach.units.models import Membership, Unit, User

from ..choices import AlertAction, AlertState, escalated
from ..facts import PlanFacts, facts_for
from ..freshness import bump_plans
from ..models import Alert, AlertEvent, Scenario
from .rules import RULES, Condition
from .scenarios import scenarios_install_missing

logger = logging.getLogger(__name__)

# Plans whose facts are loaded together: a few queries per batch, memory bounded at country scale.
BATCH = 200


def _people(plans: list[Plan], unit_ids: set[int]) -> dict[str, dict[int, list[User]]]:
    """Everyone an alert may reach, in one query: unit staff, plans' đầu mối, communes' leaders."""
    coordinator_units = {pk for p in plans for pk in (*p.lead_unit.ancestor_ids, p.lead_unit_id)}
    leader_units = {p.owner_unit_id for p in plans}
    memberships = (
        Membership.objects.filter(user__is_active=True)
        .filter(
            Q(unit_id__in=unit_ids, role__in=[Role.STAFF, Role.COORDINATOR])
            | Q(unit_id__in=coordinator_units, role=Role.COORDINATOR)
            | Q(unit_id__in=leader_units, role=Role.LEADER)
        )
        .select_related("user")
    )
    staff: dict[int, list[User]] = defaultdict(list)
    coordinators: dict[int, list[User]] = defaultdict(list)
    leaders: dict[int, list[User]] = defaultdict(list)
    for m in memberships:
        if m.role in (Role.STAFF, Role.COORDINATOR) and m.unit_id in unit_ids:
            staff[m.unit_id].append(m.user)
        if m.role == Role.COORDINATOR and m.unit_id in coordinator_units:
            coordinators[m.unit_id].append(m.user)
        if m.role == Role.LEADER:
            leaders[m.unit_id].append(m.user)
    return {"staff": staff, "coordinators": coordinators, "leaders": leaders}


def _recipients(
    alert: Alert, scenario: Scenario, plan: Plan, people: dict, *, escalation: bool = False
) -> list[User]:
    users: list[User] = []
    if scenario.notify_units and alert.unit_id and not escalation:
        users += people["staff"].get(alert.unit_id, [])
    if scenario.notify_coordinators or escalation:
        for pk in (*plan.lead_unit.ancestor_ids, plan.lead_unit_id):
            users += people["coordinators"].get(pk, [])
    if scenario.notify_leaders or escalation:
        users += people["leaders"].get(plan.owner_unit_id, [])
    return users


def _notification(alert: Alert, users: list[User], *, escalation: bool = False) -> dict:
    label = alert.get_severity_display().lower()
    prefix = f"Chuyển cấp, cảnh báo {label}" if escalation else f"Cảnh báo {label}"
    return {
        "users": users,
        "kind": NotificationKind.ALERT,
        "key": f"alert:{alert.pk}:{'escalated' if escalation else 'raised'}",
        "title": f"{prefix}: {alert.title}",
        "body": alert.detail,
        "url": alert.get_absolute_url(),
    }


def _standing_alerts(plan_ids: list[int]) -> dict[int, list[Alert]]:
    """Per plan, the alerts an evaluation compares with: active ones and resolved ones still held."""
    result: dict[int, list[Alert]] = defaultdict(list)
    alerts = Alert.objects.filter(plan_id__in=plan_ids).filter(
        Q(state__in=[AlertState.OPEN, AlertState.ACKNOWLEDGED]) | Q(holds_condition=True)
    )
    for alert in alerts:
        result[alert.plan_id].append(alert)
    return result


def _evaluate_plan(
    facts: PlanFacts, scenarios: list[Scenario], standing: list[Alert], today: datetime.date, now
) -> tuple[dict, list, bool]:
    """One plan's scenarios against its data: counts, the notifications to send, whether alerts changed."""
    plan = facts.plan
    counts = {"raised": 0, "cleared": 0, "escalated": 0}
    found: dict[int, dict[str, Condition]] = {}
    for scenario in scenarios:
        conditions = RULES[scenario.kind](scenario, facts)
        found[scenario.pk] = {c.key: c for c in conditions}
    enabled = {s.pk for s in scenarios}
    alerts = [a for a in standing if a.scenario_id in enabled]
    active = {(a.scenario_id, a.key): a for a in alerts if a.is_active}
    held = {(a.scenario_id, a.key) for a in alerts if not a.is_active}
    by_id = {s.pk: s for s in scenarios}

    fresh: list[Alert] = []
    for scenario in scenarios:
        for key, c in found[scenario.pk].items():
            if (scenario.pk, key) in active or (scenario.pk, key) in held:
                continue
            fresh.append(
                Alert(
                    scenario=scenario,
                    plan=plan,
                    key=key,
                    severity=scenario.severity,
                    title=c.title[:400],
                    detail=c.detail,
                    url=c.url[:300],
                    unit=c.unit,
                    task=c.task,
                    indicator=c.indicator,
                    period=c.period,
                    raised_at=now,
                    raised_on=today,
                )
            )
    cleared = [a for (sid, key), a in active.items() if key not in found[sid]]
    released = [a.pk for a in alerts if not a.is_active and a.key not in found.get(a.scenario_id, {})]
    due_escalation = [
        a
        for (sid, key), a in active.items()
        if key in found[sid]
        and a.state == AlertState.OPEN
        and a.escalated_at is None
        and by_id[sid].escalate_after_days is not None
        and a.raised_on + datetime.timedelta(days=by_id[sid].escalate_after_days) <= today
    ]
    # Text of an open alert follows the data (days late grows), its identity does not.
    refreshed = []
    for (sid, key), a in active.items():
        c = found[sid].get(key)
        if c and (a.title != c.title[:400] or a.detail != c.detail):
            a.title, a.detail = c.title[:400], c.detail
            refreshed.append(a)

    if not (fresh or cleared or released or due_escalation or refreshed):
        return counts, [], False
    with transaction.atomic():
        created = Alert.objects.bulk_create(fresh)
        events = [AlertEvent(alert=a, action=AlertAction.RAISED, at=now) for a in created]
        for alert in cleared:
            alert.state, alert.resolved_at, alert.resolved_by = AlertState.RESOLVED, now, None
            alert.resolve_note = "Điều kiện cảnh báo không còn theo số liệu mới nhất."
            events.append(AlertEvent(alert=alert, action=AlertAction.CLEARED, at=now))
        for alert in due_escalation:
            before = alert.get_severity_display()
            alert.severity, alert.escalated_at = escalated(alert.severity), now
            events.append(
                AlertEvent(
                    alert=alert,
                    action=AlertAction.ESCALATED,
                    at=now,
                    note=f"Không ai tiếp nhận sau {by_id[alert.scenario_id].escalate_after_days} ngày: "
                    f"mức {before.lower()} → {alert.get_severity_display().lower()}, báo lãnh đạo.",
                )
            )
        changed = {a.pk: a for a in [*cleared, *due_escalation, *refreshed]}
        if changed:
            Alert.objects.bulk_update(
                list(changed.values()),
                [
                    "state",
                    "resolved_at",
                    "resolved_by",
                    "resolve_note",
                    "severity",
                    "escalated_at",
                    "title",
                    "detail",
                ],
            )
        if released:
            Alert.objects.filter(pk__in=released).update(holds_condition=False)
        AlertEvent.objects.bulk_create(events)
    counts["raised"], counts["cleared"], counts["escalated"] = len(created), len(cleared), len(due_escalation)
    to_notify = [(a, by_id[a.scenario_id], False) for a in created]
    to_notify += [(a, by_id[a.scenario_id], True) for a in due_escalation]
    return counts, to_notify, True


def alerts_evaluate(*, today: datetime.date, plans: Iterable[Plan] | None = None) -> dict[str, int]:
    """Evaluate every enabled scenario of the plans (default: every issued plan). Idempotent."""
    if plans is None:
        # Last year's plans still matter while their year-end reports fall due; older ones are history.
        since = (today - datetime.timedelta(days=90)).year
        plans = Plan.objects.filter(status=PlanStatus.ISSUED, year__gte=since)
    plan_list = list(
        Plan.objects.filter(
            pk__in=plans.values("pk") if isinstance(plans, QuerySet) else [p.pk for p in plans]
        )
        .select_related("lead_unit", "owner_unit")
        .order_by("pk")
    )
    scenarios_install_missing(plans=[p for p in plan_list if p.status == PlanStatus.ISSUED])
    by_plan: dict[int, list[Scenario]] = defaultdict(list)
    for scenario in Scenario.objects.filter(plan__in=[p.pk for p in plan_list], enabled=True).order_by(
        "plan_id", "position", "pk"
    ):
        by_plan[scenario.plan_id].append(scenario)
    now = timezone.now()
    totals = {"plans": 0, "failed_plans": 0, "raised": 0, "cleared": 0, "escalated": 0, "notified": 0}
    outgoing: list[tuple[Plan, Alert, Scenario, bool]] = []
    evaluated = [plan for plan in plan_list if by_plan.get(plan.pk)]
    for start in range(0, len(evaluated), BATCH):
        batch = evaluated[start : start + BATCH]
        facts = facts_for(batch, today)
        standing = _standing_alerts([plan.pk for plan in batch])
        changed = [
            plan.pk
            for plan in batch
            if _evaluate_one(
                facts[plan.pk], by_plan[plan.pk], standing[plan.pk], today, now, totals, outgoing
            )
        ]
        # After the alerts are written: a page computed in between is stored under the old version.
        bump_plans(changed)
    if outgoing:
        plans_notified = list({p.pk: p for p, *_ in outgoing}.values())
        people = _people(plans_notified, {a.unit_id for _, a, _, _ in outgoing if a.unit_id})
        items = [
            _notification(alert, _recipients(alert, scenario, plan, people, escalation=esc), escalation=esc)
            for plan, alert, scenario, esc in outgoing
        ]
        totals["notified"] = len(notify_many(items))
    return totals


def _evaluate_one(
    facts: PlanFacts,
    scenarios: list[Scenario],
    standing: list[Alert],
    today: datetime.date,
    now,
    totals: dict[str, int],
    outgoing: list,
) -> bool:
    """One plan's evaluation inside a batch: a failure is logged and counted, the others go on.

    True when the plan's alerts changed.
    """
    plan = facts.plan
    try:
        counts, to_notify, changed = _evaluate_plan(facts, scenarios, standing, today, now)
    except IntegrityError:
        # Another evaluation of the same plan wrote first; its result stands.
        logger.info("Kế hoạch %s đang được đánh giá ở nơi khác; bỏ qua lần này.", plan.pk)
        return False
    except Exception:
        logger.exception("Không đánh giá được kịch bản của kế hoạch %s.", plan.pk)
        totals["failed_plans"] += 1
        return False
    totals["plans"] += 1
    for key, value in counts.items():
        totals[key] += value
    outgoing += [(plan, alert, scenario, esc) for alert, scenario, esc in to_notify]
    return changed


def evaluate_plans_after_change(plan_ids: set[int]) -> None:
    """Called on commit after a plan's data changed; a failure is logged, never shown to the user."""
    try:
        alerts_evaluate(
            today=timezone.localdate(), plans=Plan.objects.filter(pk__in=plan_ids, status=PlanStatus.ISSUED)
        )
    except Exception:
        logger.exception("Không đánh giá lại được cảnh báo sau khi dữ liệu thay đổi (kế hoạch %s).", plan_ids)


# People acting on alerts ----------------------------------------------------------------------------


def can_handle(user, alert: Alert) -> bool:
    """The plan's đầu mối, the commune's leaders and the responsible unit's people."""
    access = access_for(user)
    plan = alert.plan
    if can_manage_plan(user, plan) or access.acts_for(plan.owner_unit, Role.LEADER):
        return True
    unit: Unit | None = alert.unit
    return unit is not None and (access.acts_for(unit, Role.STAFF) or access.acts_for(unit, Role.COORDINATOR))


def _locked(alert: Alert) -> Alert:
    return (
        Alert.objects.select_for_update(of=("self",))
        .select_related("plan__owner_unit", "plan__lead_unit", "unit")
        .get(pk=alert.pk)
    )


def _audit(actor, alert: Alert, summary: str, before: str) -> None:
    audit_change(
        actor=actor,
        obj=alert,
        action=AuditEntry.Action.EVENT,
        before={"Trạng thái": before},
        after={"Trạng thái": alert.get_state_display()},
        context=alert.plan,
        summary=summary,
    )


@transaction.atomic
def alert_acknowledge(*, actor: User, alert: Alert, note: str = "") -> Alert:
    alert = _locked(alert)
    if not can_handle(actor, alert):
        raise PermissionDenied(
            "Chỉ đầu mối, lãnh đạo hoặc đơn vị chịu trách nhiệm mới tiếp nhận được cảnh báo này."
        )
    if alert.state != AlertState.OPEN:
        raise ValidationError("Cảnh báo này đã được tiếp nhận hoặc đã xử lý xong.")
    before = alert.get_state_display()
    alert.state, alert.acknowledged_at, alert.acknowledged_by = AlertState.ACKNOWLEDGED, timezone.now(), actor
    alert.acknowledge_note = note.strip()
    alert.save(
        update_fields=["state", "acknowledged_at", "acknowledged_by", "acknowledge_note", "updated_at"]
    )
    AlertEvent.objects.create(
        alert=alert,
        action=AlertAction.ACKNOWLEDGED,
        at=alert.acknowledged_at,
        actor=actor,
        note=alert.acknowledge_note,
    )
    _audit(actor, alert, f"Tiếp nhận cảnh báo: {alert.title}"[:300], before)
    return alert


@transaction.atomic
def alert_resolve(*, actor: User, alert: Alert, note: str) -> Alert:
    alert = _locked(alert)
    if not can_handle(actor, alert):
        raise PermissionDenied(
            "Chỉ đầu mối, lãnh đạo hoặc đơn vị chịu trách nhiệm mới xử lý được cảnh báo này."
        )
    if alert.state == AlertState.RESOLVED:
        raise ValidationError("Cảnh báo này đã xử lý xong.")
    if not note.strip():
        raise ValidationError({"note": "Cần ghi đã xử lý thế nào để lãnh đạo và đầu mối nắm được."})
    before = alert.get_state_display()
    alert.state, alert.resolved_at, alert.resolved_by = AlertState.RESOLVED, timezone.now(), actor
    alert.resolve_note = note.strip()
    alert.holds_condition = True
    alert.save(
        update_fields=["state", "resolved_at", "resolved_by", "resolve_note", "holds_condition", "updated_at"]
    )
    AlertEvent.objects.create(
        alert=alert, action=AlertAction.RESOLVED, at=alert.resolved_at, actor=actor, note=alert.resolve_note
    )
    _audit(actor, alert, f"Xử lý xong cảnh báo: {alert.title}"[:300], before)
    return alert
