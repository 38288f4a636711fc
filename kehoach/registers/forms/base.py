from django import forms

from kehoach.core.forms import VietnameseDecimalField
from kehoach.plans.forms import DATE_WIDGET, BootstrapMixin


class RegisterForm(BootstrapMixin, forms.ModelForm):
    """Base for register forms: the unit is one of the user's own; dates and numbers the Vietnamese way."""

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        if "unit" in self.fields and units is not None:
            self.fields["unit"].queryset = units
            self.fields["unit"].error_messages["required"] = "Chưa chọn đơn vị theo dõi."
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
