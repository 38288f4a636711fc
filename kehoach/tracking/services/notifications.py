"""In-app notifications. A notification's key makes it unique per user: the same reminder never twice."""

from collections.abc import Iterable

from django.db import transaction

from kehoach.units.choices import Role
from kehoach.units.models import Unit, User

from ..models import Notification


def unit_people(unit: Unit) -> list[User]:
    """Active people who act for the unit (its staff and its đầu mối)."""
    return list(
        User.objects.filter(
            is_active=True,
            memberships__unit=unit,
            memberships__role__in=[Role.STAFF, Role.COORDINATOR],
        ).distinct()
    )


def plan_reviewers(plan) -> list[User]:
    """The đầu mối people of the plan's lead unit (and of the units above it)."""
    ids = [*plan.lead_unit.ancestor_ids, plan.lead_unit_id]
    return list(
        User.objects.filter(
            is_active=True, memberships__unit__in=ids, memberships__role=Role.COORDINATOR
        ).distinct()
    )


def plan_leaders(plan) -> list[User]:
    """The lãnh đạo of the commune that owns the plan."""
    return list(
        User.objects.filter(
            is_active=True, memberships__unit=plan.owner_unit_id, memberships__role=Role.LEADER
        ).distinct()
    )


def notify(*, users: Iterable[User], kind: str, key: str, title: str, body: str = "", url: str = "") -> int:
    """Create one notification per user unless that user already has one with this key."""
    rows = [
        Notification(user=u, kind=kind, key=key[:200], title=title[:300], body=body, url=url[:300])
        for u in {u.pk: u for u in users}.values()
    ]
    if not rows:
        return 0
    existing = set(
        Notification.objects.filter(key=key[:200], user__in=[r.user for r in rows]).values_list(
            "user_id", flat=True
        )
    )
    fresh = [r for r in rows if r.user_id not in existing]
    Notification.objects.bulk_create(fresh, ignore_conflicts=True)
    return len(fresh)


def notify_on_commit(**kwargs) -> None:
    users = list(kwargs.pop("users"))
    transaction.on_commit(lambda: notify(users=users, **kwargs))


def mark_read(*, user: User, ids: list[int] | None = None) -> int:
    from django.utils import timezone

    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())


# Handled items ----------------------------------------------------------------------------------
#
# A notification points at something to do. Once it is done — the report the đầu mối was asked to review
# is accepted or returned, the returned report is sent again, the unit reminded of a period has sent all
# it owed, the task is completed — the notification is read for everyone who got it, and the badge drops.
# Opening the page a notification links to reads it too (`opened`, from the context processor).


def mark_handled(*, keys: Iterable[str] = (), prefixes: Iterable[str] = ()) -> int:
    """Everyone's unread notifications with one of `keys`, or a key starting with one of `prefixes`."""
    from django.db.models import Q
    from django.utils import timezone

    condition = Q(key__in=list(keys))
    for prefix in prefixes:
        condition |= Q(key__startswith=prefix)
    return Notification.objects.filter(condition, read_at__isnull=True).update(read_at=timezone.now())


def record_handled(record, step: str) -> None:
    """After a workflow step on a progress report or figure (tracking.services.workflow)."""
    item = f"{record.key_prefix}:{record.pk}:"
    if step in ("accept", "return"):
        mark_handled(prefixes=[f"submitted:{item}"])
    elif step == "submit":
        mark_handled(prefixes=[f"returned:{item}"])
        period_owed_handled(record.period, record.unit)


def period_owed_handled(period, unit: Unit) -> None:
    """The reminders about what `unit` owes for `period` (and đầu mối's summary once nobody owes)."""
    from django.db.models import Q
    from django.utils import timezone

    from ..selectors import missing

    unit_keys = [f"missing:{period.pk}:{unit.pk}"]
    nudges = f"nudge:{period.pk}:{unit.pk}:"
    summary = f"missing-summary:{period.pk}"
    waiting = set(
        Notification.objects.filter(read_at__isnull=True)
        .filter(Q(key__in=[*unit_keys, summary]) | Q(key__startswith=nudges))
        .values_list("key", flat=True)
    )
    if not waiting:
        return
    owing = {row["unit"].pk for row in missing(period.plan, period, today=timezone.localdate())}
    if unit.pk not in owing:
        mark_handled(keys=unit_keys, prefixes=[nudges])
    if not owing and summary in waiting:
        mark_handled(keys=[summary])


def task_completed(task) -> None:
    """The task is done: reminders of its deadline are handled."""
    mark_handled(prefixes=[f"due_soon:{task.pk}:", f"overdue:{task.pk}:"])


def opened(*, user: User, urls: Iterable[str]) -> int:
    """The person opened the page some of their notifications link to: those are read."""
    from django.utils import timezone

    return Notification.objects.filter(user=user, read_at__isnull=True, url__in=list(urls)).update(
        read_at=timezone.now()
    )


def people_by_unit(unit_ids: Iterable[int]) -> dict[int, list[User]]:
    """`unit_people` for many units in one query: unit id → its active staff and đầu mối."""
    from kehoach.units.models import Membership

    result: dict[int, dict[int, User]] = {}
    memberships = Membership.objects.filter(
        unit_id__in=set(unit_ids),
        user__is_active=True,
        role__in=[Role.STAFF, Role.COORDINATOR],
    ).select_related("user")
    for membership in memberships:
        result.setdefault(membership.unit_id, {})[membership.user_id] = membership.user
    return {unit_id: list(people.values()) for unit_id, people in result.items()}


def notify_many(items: Iterable[dict]) -> list[Notification]:
    """`notify` for many reminders at once, in a fixed number of queries whatever their number.

    Each item holds the keyword arguments of `notify`. Returns the notifications created (without pk).
    """
    rows: dict[tuple[int, str], Notification] = {}
    for item in items:
        key = item["key"][:200]
        for user in item["users"]:
            rows.setdefault(
                (user.pk, key),
                Notification(
                    user=user,
                    kind=item["kind"],
                    key=key,
                    title=item["title"][:300],
                    body=item.get("body", ""),
                    url=item.get("url", "")[:300],
                ),
            )
    if not rows:
        return []
    keys = sorted({key for _, key in rows})
    existing: set[tuple[int, str]] = set()
    for start in range(0, len(keys), 500):
        existing.update(
            Notification.objects.filter(key__in=keys[start : start + 500]).values_list("user_id", "key")
        )
    fresh = [row for pair, row in rows.items() if pair not in existing]
    Notification.objects.bulk_create(fresh, ignore_conflicts=True)
    return fresh
