import django_filters
from django.utils import timezone

from ..models.reporting import PeriodicReportDue
from .base import RegisterFilter


class PeriodicReportDueFilter(RegisterFilter):
    year = django_filters.NumberFilter(label="Năm (hạn gửi)", field_name="due_on", lookup_expr="year")
    state = django_filters.ChoiceFilter(
        label="Tình trạng",
        choices=(
            ("he_thong", "Đã gửi trên hệ thống"),
            ("ngoai", "Đã gửi ngoài hệ thống"),
            ("chua", "Chưa gửi"),
            ("qua_han", "Quá hạn chưa gửi"),
        ),
        empty_label="Mọi tình trạng",
        method="filter_state",
    )

    class Meta:
        model = PeriodicReportDue
        fields = ["q", "unit", "year", "state"]

    def filter_state(self, queryset, name, value):
        if value == "he_thong":
            return queryset.filter(submitted_on__isnull=False, on_system=True)
        if value == "ngoai":
            return queryset.filter(submitted_on__isnull=False, on_system=False)
        if value == "chua":
            return queryset.filter(submitted_on__isnull=True)
        if value == "qua_han":
            return queryset.filter(submitted_on__isnull=True, due_on__lt=timezone.localdate())
        return queryset
