from django import forms

from kehoach.core.forms import VietnameseDecimalField
from kehoach.plans.forms import DATE_WIDGET, BootstrapMixin


class RegisterForm(BootstrapMixin, forms.ModelForm):
    """Base for register forms: the unit is one of the user's own; dates and numbers the Vietnamese way."""

    def _limit_units(self, units) -> None:
        """The user's own units, one of them chosen; fixed when the user keeps the registers of one unit."""
        field = self.fields["unit"]
        field.queryset = units
        field.error_messages["required"] = "Chưa chọn đơn vị theo dõi."
        choices = list(units[:2])
        if not choices:
            return
        # Every row has its unit: nothing to ask with "— Chọn —" when one is already chosen.
        field.empty_label = None
        current = self.instance.unit_id if self.instance.pk else None
        if current is None and not self.initial.get("unit"):
            self.initial["unit"] = choices[0].pk
        if len(choices) == 1 and current in (None, choices[0].pk):
            field.disabled = True
            self.initial["unit"] = choices[0].pk
            field.help_text = "Đơn vị của bạn: sổ theo dõi được ghi cho đơn vị này."

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        if "unit" in self.fields and units is not None:
            self._limit_units(units)
        for name, field in self.fields.items():
            if isinstance(field, forms.DateField):
                field.widget = DATE_WIDGET
                field.widget.attrs["class"] = "form-control"
                field.input_formats = ["%Y-%m-%d", "%d/%m/%Y"]
                field.error_messages["invalid"] = (
                    f"{field.label.capitalize()}: ngày không hợp lệ (dd/mm/yyyy)."
                )
            elif isinstance(field, forms.DecimalField) and not isinstance(field, VietnameseDecimalField):
                model_field = self._meta.model._meta.get_field(name)
                self.fields[name] = VietnameseDecimalField(
                    label=field.label,
                    required=field.required,
                    max_digits=model_field.max_digits,
                    decimal_places=model_field.decimal_places,
                    help_text=field.help_text,
                )
