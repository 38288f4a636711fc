"""Form fields for numbers as Vietnamese users type them: 1.234,5 and 1.500.000."""

import re

from django import forms

_GROUPED = re.compile(r"^-?\d{1,3}(\.\d{3})+$")


def normalise_number(text: str) -> str:
    """'1.234,5' → '1234.5'; '1.500' → '1500'; '12,5' → '12.5'; '1.5' stays (a decimal point)."""
    text = text.strip().replace("\u00a0", "").replace(" ", "")
    if "," in text:
        return text.replace(".", "").replace(",", ".")
    if _GROUPED.match(text):
        return text.replace(".", "")
    return text


class VietnameseDecimalField(forms.DecimalField):
    default_error_messages = {
        "invalid": "Phải là số (dấu phẩy ngăn phần thập phân, ví dụ 12,5 hoặc 1.234,5), không có chữ.",
        "max_decimal_places": "Chỉ được tối đa %(max)s chữ số sau dấu phẩy.",
        "max_digits": "Số quá lớn.",
    }

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.widget = forms.TextInput(attrs={"class": "form-control", "inputmode": "decimal"})

    def to_python(self, value):
        if isinstance(value, str):
            value = normalise_number(value)
        return super().to_python(value)

    def prepare_value(self, value):
        from .templatetags.vn import format_number

        if value is None or isinstance(value, str):
            return value
        return format_number(value)
