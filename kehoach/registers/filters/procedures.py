import django_filters

from ..models.procedures import ProcedureMonth
from .base import RegisterFilter


class ProcedureMonthFilter(RegisterFilter):
    year = django_filters.NumberFilter(label="Năm")
    month = django_filters.ChoiceFilter(
        label="Tháng", choices=[(m, f"Tháng {m:02d}") for m in range(1, 13)], empty_label="Mọi tháng"
    )

    class Meta:
        model = ProcedureMonth
        fields = ["q", "unit", "year", "month"]
