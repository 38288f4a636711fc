import django_filters
from django.db.models import Exists, OuterRef

from ..models import Coverage5G, Operator, Village
from .base import RegisterFilter


class VillageFilter(RegisterFilter):
    covered = django_filters.ChoiceFilter(
        label="Sóng 5G",
        choices=(("co", "Đã có sóng 5G"), ("chua", "Chưa có sóng 5G")),
        empty_label="Có và chưa có 5G",
        method="filter_covered",
    )

    class Meta:
        model = Village
        fields = ["q", "unit", "covered"]

    def filter_covered(self, queryset, name, value):
        covered = Exists(Coverage5G.objects.filter(village=OuterRef("pk")))
        return queryset.filter(covered) if value == "co" else queryset.filter(~covered)


class Coverage5GFilter(RegisterFilter):
    operator = django_filters.ChoiceFilter(
        label="Nhà mạng", choices=Operator.choices, empty_label="Mọi nhà mạng"
    )
    village = django_filters.ModelChoiceFilter(
        label="Thôn", queryset=Village.objects.none(), empty_label="Mọi thôn"
    )
    year = django_filters.NumberFilter(label="Năm phủ sóng", field_name="covered_from", lookup_expr="year")

    class Meta:
        model = Coverage5G
        fields = ["q", "unit", "operator", "village", "year"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.form.fields["village"].queryset = Village.objects.readable_by(user).order_by("name_key")
