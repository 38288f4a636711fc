"""One search over what a person may read: plans, tasks, indicators, register entries, periodic reports.

A consumer on top of the other contexts: it reads their rows through their own access rules and never
writes. Every kind is one `Source`: its rows the user may read, matched by `core.search.matching` on
their stored `search_text`, ordered whole-phrase matches first, then newest. A group costs a count and
one page of rows (plus a fixed few for related rows), so the number of queries does not grow with
the number of matches; register entries, kept in one table per register, are counted and paged as
one UNION and then read register by register (at most one query per register on the page).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import CharField, Prefetch, Q, QuerySet, Value

from kehoach.core.search import matching, phrase_first
from kehoach.core.text import passage as _passage
from kehoach.plans.models import Goal, Indicator, Plan, Task
from kehoach.registers.registry import REGISTRY
from kehoach.reports.models import Report, ReportState
from kehoach.units.access import access_for, governments_with_role
from kehoach.units.choices import Role

PAGE_SIZE = 10
PAGE_SIZE_ONE_KIND = 25


@dataclass
class Hit:
    """One result as the page shows it: a title and a passage where the words were found."""

    title: str
    url: str
    meta: list[str] = field(default_factory=list)
    badge: str = ""
    passage: str = ""


@dataclass
class Group:
    slug: str
    title: str
    page: Page
    hits: list[Hit]

    @property
    def count(self) -> int:
        return self.page.paginator.count

    @property
    def param(self) -> str:
        return f"trang-{self.slug}"


# Plans --------------------------------------------------------------------------------------------


def _plans(user, query: str) -> QuerySet:
    return (
        matching(Plan.objects.readable_by(user), query)
        .select_related("owner_unit")
        .prefetch_related(Prefetch("goals", queryset=Goal.objects.order_by("position", "id")))
        .annotate(rank=phrase_first(query))
        .order_by("rank", "-year", "-issued_on", "-id")
    )


def _plan_hit(plan: Plan, terms: list[str]) -> Hit:
    return Hit(
        title=plan.title,
        url=plan.get_absolute_url(),
        meta=[plan.number or "(chưa có số)", plan.issuer_name or str(plan.owner_unit), f"năm {plan.year}"],
        badge=plan.get_status_display(),
        passage=_passage(
            terms,
            f"{plan.number} {plan.title}",
            [plan.get_field_display(), *(g.text for g in plan.goals.all())],
        ),
    )


# Tasks --------------------------------------------------------------------------------------------


def _tasks(user, query: str) -> QuerySet:
    return (
        matching(Task.objects.readable_by(user), query)
        .select_related("plan__owner_unit")
        .annotate(rank=phrase_first(query))
        .order_by("rank", "-plan__year", "plan_id", "position", "id")
    )


def _task_hit(task: Task, terms: list[str]) -> Hit:
    plan = task.plan
    return Hit(
        title=task.title,
        url=task.get_absolute_url(),
        meta=[plan.number or plan.title, plan.owner_unit.short_name or plan.owner_unit.name],
        badge=f"Hạn: {task.deadline_text}" if task.deadline_text else "",
        passage=_passage(terms, task.title, [task.output, task.description]),
    )


# Indicators ---------------------------------------------------------------------------------------


def _indicators(user, query: str) -> QuerySet:
    readable = Indicator.objects.filter(access_for(user).read_q("plan__owner_unit__path"))
    return (
        matching(readable, query)
        .select_related("plan__owner_unit")
        .annotate(rank=phrase_first(query))
        .order_by("rank", "-plan__year", "plan_id", "position", "id")
    )


def _indicator_hit(indicator: Indicator, terms: list[str]) -> Hit:
    plan = indicator.plan
    return Hit(
        title=f"{indicator.code} – {indicator.name}",
        url=indicator.get_absolute_url(),
        meta=[plan.number or plan.title, plan.owner_unit.short_name or plan.owner_unit.name],
        badge=indicator.unit_of_measure,
    )


# Periodic reports ---------------------------------------------------------------------------------


def readable_reports(user) -> QuerySet:
    """Reports the user may open (reports.permissions.can_read as a query): issued reports of plans
    they read; drafts only for the plan's đầu mối and the leaders of the commune that owns it."""
    access = access_for(user)
    drafts = Q(plan__owner_unit_id__in=governments_with_role(access, [Role.LEADER]))
    for path in access.role_paths.get(Role.COORDINATOR, ()):
        drafts |= Q(plan__lead_unit__path__startswith=path)
    return Report.objects.readable_by(user).filter(Q(state=ReportState.ISSUED) | drafts)


def _reports(user, query: str) -> QuerySet:
    return (
        matching(readable_reports(user), query)
        .select_related("plan__owner_unit")
        .annotate(rank=phrase_first(query))
        .order_by("rank", "-plan__year", "-created_at", "-id")
    )


def _report_hit(report: Report, terms: list[str]) -> Hit:
    plan = report.plan
    return Hit(
        title=report.title,
        url=report.get_absolute_url(),
        meta=[report.period_label, plan.owner_unit.short_name or plan.owner_unit.name],
        badge=report.get_state_display(),
        passage=_passage(terms, report.title, [report.period_label]),
    )


# Register entries ---------------------------------------------------------------------------------


def _register_union(user, query: str) -> QuerySet | None:
    parts = [
        matching(spec.model.objects.readable_by(user), query)
        .order_by()
        .annotate(register=Value(spec.slug, output_field=CharField()), rank=phrase_first(query))
        .values_list("rank", "updated_at", "pk", "register")
        for spec in REGISTRY.values()
    ]
    if not parts:
        return None
    first, *rest = parts
    return first.union(*rest, all=True).order_by("rank", "-updated_at", "-pk", "register")


def _register_hits(rows: list[tuple], terms: list[str]) -> list[Hit]:
    wanted: dict[str, list[int]] = {}
    for _, _, pk, slug in rows:
        wanted.setdefault(slug, []).append(pk)
    objects: dict[tuple[str, int], Any] = {}
    for slug, ids in wanted.items():
        spec = REGISTRY[slug]
        related = {"unit", *spec.select_related}
        for pk, obj in spec.model.objects.select_related(*related).in_bulk(ids).items():
            objects[(slug, pk)] = obj
    hits = []
    for _, _, pk, slug in rows:
        obj = objects.get((slug, pk))
        if obj is None:
            continue
        spec = REGISTRY[slug]
        title = str(obj)
        texts = [getattr(obj, name, "") for name in spec.model.search_fields]
        hits.append(
            Hit(
                title=title,
                url=obj.get_absolute_url(),
                meta=[spec.title, obj.unit.short_name or obj.unit.name],
                passage=_passage(terms, title, [str(t) for t in texts if t]),
            )
        )
    return hits


# The search ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    slug: str
    title: str
    rows: Callable[[Any, str], QuerySet | None]
    hits: Callable[[list, list[str]], list[Hit]]


def _each(make: Callable[[Any, list[str]], Hit]) -> Callable[[list, list[str]], list[Hit]]:
    return lambda rows, terms: [make(row, terms) for row in rows]


SOURCES = (
    Source("ke-hoach", "Kế hoạch", _plans, _each(_plan_hit)),
    Source("nhiem-vu", "Nhiệm vụ", _tasks, _each(_task_hit)),
    Source("chi-tieu", "Chỉ tiêu", _indicators, _each(_indicator_hit)),
    Source("so-theo-doi", "Sổ theo dõi", _register_union, _register_hits),
    Source("bao-cao", "Báo cáo định kỳ", _reports, _each(_report_hit)),
)
KINDS = {source.slug: source.title for source in SOURCES}


def search(user, query: str, terms: list[str], *, pages: dict[str, Any], only: str = "") -> list[Group]:
    """Each kind's matches the user may read: its count and one page (`pages[slug]`, default 1).

    With `only`, that kind's page is longer and the other kinds are counted without reading rows.
    """
    groups = []
    for source in SOURCES:
        rows = source.rows(user, query)
        if rows is None:
            continue
        shown = not only or only == source.slug
        paginator = Paginator(rows, PAGE_SIZE_ONE_KIND if only else PAGE_SIZE)
        if shown:
            page = paginator.get_page(pages.get(source.slug))
            hits = source.hits(list(page.object_list), terms)
        else:
            page = Page([], 1, paginator)
            paginator.count  # noqa: B018 — counted once here, read by the page's tabs
            hits = []
        groups.append(Group(slug=source.slug, title=source.title, page=page, hits=hits))
    return groups
