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
