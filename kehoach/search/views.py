from django.contrib.auth.decorators import login_required
from django.http import QueryDict
from django.shortcuts import render

from kehoach.core.text import search_terms

from .selectors import KINDS, search

MAX_QUERY = 200


def _link(request, **changes) -> str:
    """The current query string with some parameters changed (None removes one)."""
    params: QueryDict = request.GET.copy()
    for name, value in changes.items():
        params.pop(name, None)
        if value not in (None, ""):
            params[name] = value
    return params.urlencode()


@login_required
def results(request):
    """The search page the navigation bar sends to: every kind of thing the user may read, grouped."""
    query = (request.GET.get("q") or "").strip()[:MAX_QUERY]
    only = request.GET.get("loai") or ""
    if only not in KINDS:
        only = ""
    terms = search_terms(query)
    groups = []
    if terms:
        pages = {slug: request.GET.get(f"trang-{slug}") for slug in KINDS}
        groups = search(request.user, query, terms, pages=pages, only=only)
    for group in groups:
        group.tab_link = _link(request, loai=group.slug, **{f"trang-{slug}": None for slug in KINDS})
        if group.page.has_previous():
            group.previous_link = _link(request, **{group.param: group.page.previous_page_number()})
        if group.page.has_next():
            group.next_link = _link(request, **{group.param: group.page.next_page_number()})
    return render(
        request,
        "search/results.html",
        {
            "query": query,
            "terms": terms,
            "groups": groups,
            "only": only,
            "total": sum(group.count for group in groups),
            "all_link": _link(request, loai=None, **{f"trang-{slug}": None for slug in KINDS}),
        },
    )
