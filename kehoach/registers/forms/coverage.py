from django import forms

from kehoach.core.forms import normalise_number
from kehoach.plans.services.plans import owner_unit_for

from ..models import Coverage5G, Operator, Village
from .base import RegisterForm


class CountField(forms.IntegerField):
    """A whole number as people type it: 1.250 or 1 250."""

    def __init__(self, *, example: str = "1.250", **kwargs):
        super().__init__(**kwargs)
        self.error_messages["invalid"] = f"{self.label or 'Giá trị'}: phải là số nguyên, ví dụ {example}."
        self.widget = forms.TextInput(attrs={"class": "form-control", "inputmode": "numeric"})

    def to_python(self, value):
        if isinstance(value, str) and value.strip():
            value = normalise_number(value)
        return super().to_python(value)

    def prepare_value(self, value):
        from kehoach.core.templatetags.vn import format_number

        return format_number(value) if isinstance(value, int) else value


def villages_for(units, instance=None):
    """Villages of the communes the user keeps registers in (and the row's own village when editing)."""
    owners = {owner_unit_for(u).pk for u in units} if units is not None else set()
    if instance is not None and instance.owner_unit_id:
        owners.add(instance.owner_unit_id)
    return Village.objects.filter(owner_unit__in=owners).order_by("name_key")


class VillageForm(RegisterForm):
    population = CountField(label="Số dân (người)", required=False)
    households = CountField(label="Số hộ", required=False, example="320")

    class Meta:
        model = Village
        fields = ["name", "unit", "population", "households", "as_of"]
        error_messages = {"name": {"required": "Chưa nhập tên thôn."}}


class Coverage5GForm(RegisterForm):
    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, units=units, **kwargs)
        self.fields["village"].queryset = villages_for(units, self.instance if self.instance.pk else None)
        self.fields["village"].empty_label = "— Chọn thôn —"
        self.fields["operator"].choices = [("", "— Chọn nhà mạng —"), *Operator.choices]

    class Meta:
        model = Coverage5G
        fields = ["village", "operator", "covered_from", "unit", "note"]
        error_messages = {
            "village": {"required": "Chưa chọn thôn.", "invalid_choice": "Thôn không thuộc xã của bạn."},
            "operator": {"required": "Chưa chọn nhà mạng."},
            "covered_from": {"required": "Chưa nhập ngày bắt đầu phủ sóng 5G."},
        }
