import django_filters

from ..models import CommunityTechTeam, OutreachItem, OutreachKind, Village
from .base import RegisterFilter


class OutreachItemFilter(RegisterFilter):
    kind = django_filters.ChoiceFilter(label="Loại", choices=OutreachKind.choices, empty_label="Mọi loại")
    series = django_filters.ChoiceFilter(label="Chuyên mục", choices=(), empty_label="Mọi chuyên mục")
    channel = django_filters.ChoiceFilter(label="Kênh", choices=(), empty_label="Mọi kênh")
    year = django_filters.NumberFilter(label="Năm", field_name="date", lookup_expr="year")
    month = django_filters.NumberFilter(label="Tháng", field_name="date", lookup_expr="month")

    class Meta:
        model = OutreachItem
        fields = ["q", "unit", "kind", "series", "channel", "year", "month"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        readable = OutreachItem.objects.readable_by(user).order_by()
        for name in ("series", "channel"):
            values = readable.exclude(**{name: ""}).values_list(name, flat=True).distinct().order_by(name)
            self.form.fields[name].choices = [("", self.filters[name].extra["empty_label"])] + [
                (v, v) for v in values
            ]


class CommunityTechTeamFilter(RegisterFilter):
    village = django_filters.ModelChoiceFilter(
        label="Thôn", queryset=Village.objects.none(), empty_label="Mọi thôn"
    )

    class Meta:
        model = CommunityTechTeam
        fields = ["q", "unit", "village"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.form.fields["village"].queryset = Village.objects.readable_by(user).order_by("name_key")
