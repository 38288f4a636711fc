import django_filters

from kehoach.core.views import style_widgets

from .models import KIND_LABELS, Delivery


class DeliveryFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(
        label="Trạng thái", choices=Delivery.State.choices, empty_label="Mọi trạng thái"
    )
    kind = django_filters.ChoiceFilter(label="Loại dữ liệu", choices=(), empty_label="Mọi loại dữ liệu")

    class Meta:
        model = Delivery
        fields = ["state", "kind"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The known kinds plus any other kind the reader's deliveries have (one query).
        present = set(self.queryset.order_by().values_list("kind", flat=True).distinct())
        kinds = {**KIND_LABELS, **{k: KIND_LABELS.get(k, k) for k in present}}
        self.filters["kind"].extra["choices"] = sorted(kinds.items(), key=lambda item: item[1])
        style_widgets(self.form)
