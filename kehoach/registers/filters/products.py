import django_filters

from ..models import TraceableProduct
from .base import RegisterFilter


class TraceableProductFilter(RegisterFilter):
    connected = django_filters.ChoiceFilter(
        label="Kết nối Cổng",
        choices=[("co", "Đã kết nối Cổng"), ("chua", "Chưa kết nối Cổng")],
        empty_label="Mọi sản phẩm",
        method="filter_connected",
    )
    year = django_filters.NumberFilter(label="Năm kết nối", field_name="connected_on", lookup_expr="year")

    class Meta:
        model = TraceableProduct
        fields = ["q", "unit", "connected", "year"]

    def filter_connected(self, queryset, name, value):
        if value == "co":
            return queryset.filter(portal_connected=True)
        if value == "chua":
            return queryset.filter(portal_connected=False)
        return queryset
