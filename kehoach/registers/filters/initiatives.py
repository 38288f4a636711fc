import django_filters

from ..models import Initiative, InitiativeScope, InitiativeStatus
from .base import RegisterFilter


class InitiativeFilter(RegisterFilter):
    status = django_filters.ChoiceFilter(
        label="Trạng thái", choices=InitiativeStatus.choices, empty_label="Mọi trạng thái"
    )
    scope = django_filters.ChoiceFilter(
        label="Phạm vi", choices=InitiativeScope.choices, empty_label="Mọi phạm vi"
    )
    year = django_filters.NumberFilter(label="Năm công nhận", field_name="decision_date", lookup_expr="year")

    class Meta:
        model = Initiative
        fields = ["q", "unit", "status", "scope", "year"]
