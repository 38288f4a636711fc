import django_filters

from kehoach.core.search import matching
from kehoach.core.views import style_widgets
from kehoach.units.models import Unit


class RegisterFilter(django_filters.FilterSet):
    """Base: text search over search_text and the keeping unit; each register adds its own filters."""

    q = django_filters.CharFilter(label="Tìm kiếm", method="filter_q")
    unit = django_filters.ModelChoiceFilter(
        label="Đơn vị", queryset=Unit.objects.none(), empty_label="Mọi đơn vị"
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["unit"].queryset = Unit.objects.readable_by(user).exclude(kind__in=["tinh", "xa"])
        style_widgets(self.form)

    def filter_q(self, queryset, name, value):
        return matching(queryset, value)
