"""The city's comparison of its communes ("So sánh các xã, phường") and its XLSX export.

Only users who read a whole city (a city department, the city's people's committee, a superuser)
reach these pages: a commune's user gets 403 — the page compares communes, and their own commune's
figures are on its own pages; a city the user does not follow is 404, as if it did not exist.
"""

import datetime
from dataclasses import dataclass

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET

from kehoach.core.views import query_without_page
from kehoach.documents.naming import ascii_name, content_disposition
from kehoach.plans.choices import TaskStatus
from kehoach.plans.models import CityIndicator
from kehoach.plans.status import STATUS_BADGES
from kehoach.units.models import Unit

from . import city as selectors
from .city import Comparison, SortKey

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NOT_A_CITY_USER = (
    "Trang so sánh các xã, phường dành cho cán bộ cấp thành phố. Tài khoản của bạn thuộc cấp xã, phường:"
    " hãy xem kế hoạch và trung tâm điều hành của xã, phường mình."
)
RESULTS_ID = "city-results"


class CompareFilterForm(forms.Form):
    """The page's filters; choices come from the city the user follows."""

    city = forms.TypedChoiceField(label="Thành phố", coerce=int, required=False)
    year = forms.TypedChoiceField(label="Năm", coerce=int)
    indicator = forms.TypedChoiceField(
        label="Chỉ tiêu dùng chung", coerce=int, required=False, empty_value=None
    )
    q = forms.CharField(label="Tìm xã, phường", required=False, max_length=100)
    group = forms.TypedChoiceField(label="Nhóm", coerce=int, required=False, empty_value=None)
    sort = forms.ChoiceField(label="Sắp xếp theo", choices=SortKey.choices, required=False)

    def __init__(
        self,
        data,
        *,
        cities: list[Unit],
        years: list[int],
        entries: list[CityIndicator],
        groups: list[Unit],
    ):
        super().__init__(data)
        self.fields["city"].choices = [(c.pk, c.name) for c in cities]
        self.fields["year"].choices = [(y, str(y)) for y in years]
        self.fields["indicator"].choices = [(e.pk, f"{e.code} – {e.name}") for e in entries]
        self.fields["group"].choices = [("", "Tất cả các nhóm"), *((g.pk, g.name) for g in groups)]
        self.fields["q"].widget.attrs.update(
            {"type": "search", "placeholder": "Tìm tên xã, phường (gõ có dấu hoặc không dấu)"}
        )
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)

    def value(self, name: str, default):
        """The cleaned value, or `default` when the field is empty or invalid (the page still shows)."""
        if not hasattr(self, "cleaned_data"):
            self.is_valid()
        value = self.cleaned_data.get(name)
        return default if value in (None, "") else value


@dataclass
class CityPage:
    comparison: Comparison
    form: CompareFilterForm
    cities: list[Unit]
    entries: list[CityIndicator]


def _city(request: HttpRequest) -> tuple[list[Unit], Unit]:
    """The cities the user follows and the one asked for (the first when none is asked)."""
    cities = selectors.city_for(request.user)
    if not cities:
        raise PermissionDenied(NOT_A_CITY_USER)
    asked = request.GET.get("city", "").strip()
    if not asked:
        return cities, cities[0]
    chosen = next((city for city in cities if str(city.pk) == asked), None)
    if chosen is None:
        raise Http404("Không tìm thấy thành phố này trong phạm vi bạn theo dõi.")
    return cities, chosen


def _city_page(request: HttpRequest, today: datetime.date) -> CityPage:
    cities, city = _city(request)
    entries = selectors.catalogue(city)
    years = sorted({today.year, *selectors.plan_years(city, today)}, reverse=True)
    defaults = {
        "year": today.year,
        "indicator": entries[0].pk if entries else "",
        "sort": SortKey.VALUE if entries else SortKey.NAME,
    }
    data = {**defaults, **{key: value for key, value in request.GET.items() if value != ""}, "city": city.pk}
    # Links may name the indicator by its catalogue code, as the API does (?indicator=TP-CDS-05).
    named = selectors.catalogue_entry(entries, data["indicator"])
    if named is not None:
        data["indicator"] = named.pk
    # The groups are known once the communes are read: rank the whole city first, then check the
    # filters against it and narrow, without a second read.
    form = CompareFilterForm(data, cities=cities, years=years, entries=entries, groups=[])
    entry = named or next(iter(entries), None)  # an unknown indicator shows as a filter error
    comparison = selectors.compare(
        city=city, year=form.value("year", today.year), city_indicator=entry, today=today
    )
    form = CompareFilterForm(data, cities=cities, years=years, entries=entries, groups=comparison.groups)
    comparison = comparison.narrowed(
        query=form.value("q", ""), group=form.value("group", None), sort=form.value("sort", defaults["sort"])
    )
    return CityPage(comparison=comparison, form=form, cities=cities, entries=entries)


def _chart_caption(comparison: Comparison, page: Page) -> str:
    entry = comparison.city_indicator
    if entry is None:
        return ""
    caption = f"{entry.name} ({entry.unit_of_measure}), năm {comparison.year}"
    if page.paginator.num_pages > 1:
        caption += f" – trang {page.number}/{page.paginator.num_pages}"
    return caption


@login_required
@require_GET
def city(request: HttpRequest) -> HttpResponse:
    """The comparison table, its chart and filters; htmx requests on the filters get the results only."""
    today = timezone.localdate()
    page_data = _city_page(request, today)
    comparison = page_data.comparison
    page: Page = Paginator(comparison.rows, selectors.PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    links = [selectors.centre_url(row) for row in rows]
    query = query_without_page(request)
    context = {
        "comparison": comparison,
        "form": page_data.form,
        "cities": page_data.cities,
        "entries": page_data.entries,
        "page": page,
        "entries_on_page": list(zip(rows, links, strict=True)),
        "chart": selectors.chart_spec(comparison, rows, links),
        "chart_caption": _chart_caption(comparison, page),
        "status_legend": [(status, STATUS_BADGES[status]) for status in TaskStatus],
        "totals": comparison.totals(),
        "query": query,
        "xlsx_url": reverse("operations:city_xlsx") + (f"?{query}" if query else ""),
        "today": today,
        "results_id": RESULTS_ID,
    }
    htmx = getattr(request, "htmx", None)
    partial = bool(htmx) and htmx.target == RESULTS_ID and not htmx.history_restore_request
    template = "operations/city_table.html" if partial else "operations/city.html"
    response = render(request, template, context)
    # The same URL answers with a fragment or a page: caches must keep them apart.
    patch_vary_headers(response, ("HX-Request", "HX-Target"))
    return response


@login_required
@require_GET
def city_xlsx(request: HttpRequest) -> HttpResponse:
    """The comparison as XLSX with the page's filters: every commune they keep, not one page."""
    comparison = _city_page(request, timezone.localdate()).comparison
    content = selectors.comparison_xlsx(comparison)
    code = comparison.city_indicator.code if comparison.city_indicator else "nhiem-vu"
    response = HttpResponse(content, content_type=XLSX_TYPE)
    response["Content-Disposition"] = content_disposition(
        f"So sánh xã, phường {comparison.year} {code}.xlsx",
        f"so-sanh-xa-phuong-{comparison.year}-{ascii_name(code)}.xlsx",
    )
    response["Cache-Control"] = "private, no-store"
    return response
