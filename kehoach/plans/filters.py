"""One filter set per list: the HTML lists and exports filter the same way."""

import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from kehoach.core.text import search_terms
from kehoach.core.views import style_widgets
from kehoach.units.models import Unit

from .choices import DeadlineKind, PlanField, PlanStatus, TaskStatus
from .models import Plan, Task
from .status import status_q


def text_search(queryset: QuerySet, value: str) -> QuerySet:
    for term in search_terms(value):
        queryset = queryset.filter(search_text__contains=term)
    return queryset


class PlanFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="Tìm kiếm", method="filter_q")
    year = django_filters.NumberFilter(label="Năm")
    field = django_filters.ChoiceFilter(
        label="Lĩnh vực", choices=PlanField.choices, empty_label="Tất cả lĩnh vực"
    )
    status = django_filters.ChoiceFilter(label="Trạng thái", choices=PlanStatus.choices, empty_label="Tất cả")
    owner_unit = django_filters.ModelChoiceFilter(
        label="Cơ quan ban hành", queryset=Unit.objects.none(), empty_label="Tất cả cơ quan"
    )

    class Meta:
        model = Plan
        fields = ["q", "year", "field", "status", "owner_unit"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        from kehoach.units.choices import ADMINISTRATIVE_KINDS

        self.filters["owner_unit"].queryset = Unit.objects.readable_by(user).filter(
            kind__in=ADMINISTRATIVE_KINDS
        )
        style_widgets(self.form)

    def filter_q(self, queryset, name, value):
        return text_search(queryset, value)


class TaskFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="Tìm kiếm", method="filter_q")
    plan = django_filters.ModelChoiceFilter(
        label="Kế hoạch", queryset=Plan.objects.none(), empty_label="Mọi kế hoạch"
    )
    unit = django_filters.ModelChoiceFilter(
        label="Đơn vị", queryset=Unit.objects.none(), method="filter_unit", empty_label="Mọi đơn vị"
    )
    status = django_filters.ChoiceFilter(
        label="Trạng thái", choices=TaskStatus.choices, method="filter_status", empty_label="Mọi trạng thái"
    )
    kind = django_filters.ChoiceFilter(
        label="Loại thời hạn",
        field_name="deadline_kind",
        choices=DeadlineKind.choices,
        empty_label="Mọi loại",
    )
    due_from = django_filters.DateFilter(
        label="Hạn từ ngày",
        field_name="due_on",
        lookup_expr="gte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    due_to = django_filters.DateFilter(
        label="Hạn đến ngày",
        field_name="due_on",
        lookup_expr="lte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        model = Task
        fields = ["q", "plan", "unit", "status", "kind", "due_from", "due_to"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["plan"].queryset = Plan.objects.readable_by(user)
        self.filters["unit"].queryset = Unit.objects.readable_by(user)
        style_widgets(self.form)

    def filter_q(self, queryset, name, value):
        return text_search(queryset, value)

    def filter_unit(self, queryset, name, unit):
        # Tasks that name the unit as lead or coordinating unit; "Các phòng, cơ quan, đơn vị" does not
        # count here (it would match every task) and is shown apart on the unit's own work page.
        return queryset.filter(task_units__unit=unit)

    def filter_status(self, queryset, name, value):
        return queryset.filter(status_q(value, timezone.localdate()))
