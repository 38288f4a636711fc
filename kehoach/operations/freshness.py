"""Cached reads of the centre and the city's comparison, kept correct by data versions.

Both pages are read far more often than their data changes (a centre refreshes itself every minute on
every open screen; a city department re-sorts and pages its comparison). What they compute is cached
under a key holding the plan's or the city's current `DataVersion` token and the day (statuses move
with the date). A new token is drawn for a plan and its city after every change filed under the plan
(`core.hooks.plan_changed`: every audited change to its tasks, reports, figures, periods or
indicators) and whenever the evaluation raises or clears one of its alerts; for a city whenever one of
its units is added, renamed, moved or removed. A reader that computed from older data stored it under
the older token, which nobody asks for any more, so the per-process memory (and the template fragments
cached under the same key) need no invalidation across processes.
"""

import datetime
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterable

from django.utils import timezone

from kehoach.plans.models import Plan
from kehoach.units.choices import UnitKind
from kehoach.units.models import Unit

from .models import DataVersion

# Plans and city comparisons kept per process: a city's communes' centres and a few comparisons.
MEMO_SIZE = 300
NO_VERSION = "0"


def plan_scope(plan_id: int) -> str:
    return f"plan:{plan_id}"


def city_scope(city_id: int) -> str:
    return f"city:{city_id}"


def _city_ids(plan_ids: Iterable[int]) -> set[int]:
    """The cities (units of kind "tinh") above the plans' owners."""
    paths = Plan.objects.filter(pk__in=list(plan_ids)).values_list("owner_unit__path", flat=True)
    prefixes = {
        "/" + "/".join(parts[: i + 1]) + "/"
        for path in paths
        for parts in [path.strip("/").split("/")]
        for i in range(len(parts))
    }
    if not prefixes:
        return set()
    return set(Unit.objects.filter(path__in=prefixes, kind=UnitKind.PROVINCE).values_list("pk", flat=True))


def bump(scopes: Iterable[str]) -> None:
    """New tokens for the scopes, in one upsert (in the caller's transaction, if any)."""
    now = timezone.now()
    rows = [DataVersion(scope=scope, token=uuid.uuid4().hex, changed_at=now) for scope in sorted(set(scopes))]
    if rows:
        DataVersion.objects.bulk_create(
            rows, update_conflicts=True, unique_fields=["scope"], update_fields=["token", "changed_at"]
        )


def bump_plans(plan_ids: Iterable[int]) -> None:
    """The plans' data changed: their centres and their cities' comparisons are recomputed."""
    ids = set(plan_ids)
    if ids:
        bump([*(plan_scope(pk) for pk in ids), *(city_scope(pk) for pk in _city_ids(ids))])


def bump_city(city_id: int) -> None:
    bump([city_scope(city_id)])


def version_key(scope: str, day: datetime.date, parts: tuple = ()) -> str:
    """A cache key that changes with the scope's data version and the day; one query."""
    token = DataVersion.objects.filter(scope=scope).values_list("token", flat=True).first() or NO_VERSION
    return ":".join(["ops", scope, token, day.isoformat(), *(str(part) for part in parts)])


class _Memo:
    """The most recently used computed results of this process, shared read-only between requests.

    Django's local-memory cache would do, but it pickles: unpickling a country's 3,321 ranked communes
    (model instances) costs more than computing them. Readers must not mutate what they get.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self.items: OrderedDict[str, object] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: str):
        with self.lock:
            value = self.items.get(key)
            if value is not None:
                self.items.move_to_end(key)
            return value

    def put(self, key: str, value) -> None:
        with self.lock:
            self.items[key] = value
            self.items.move_to_end(key)
            while len(self.items) > self.size:
                self.items.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.items.clear()


_memo = _Memo(MEMO_SIZE)


def cached[T](key: str, compute: Callable[[], T]) -> T:
    """`compute()`, or its result computed earlier in this process under `key` (from `version_key`)."""
    value = _memo.get(key)
    if value is None:
        value = compute()
        _memo.put(key, value)
    return value


def forget() -> None:
    """Drop every computed result of this process (tests start from an empty memory)."""
    _memo.clear()


def unit_saved(sender, instance: Unit, **kwargs) -> None:
    """A unit was added, renamed, moved or removed: the comparison of its city lists communes anew.

    Connected to Unit's post_save and post_delete, inside the change's transaction.
    """
    parent = instance.parent if instance.parent_id else None
    ids = [*(parent.ancestor_ids if parent else []), *([parent.pk] if parent else []), instance.pk]
    cities = Unit.objects.filter(pk__in=ids, kind=UnitKind.PROVINCE).values_list("pk", flat=True)
    bump(city_scope(pk) for pk in cities)
