from django import forms

from ..models import TraceableProduct
from .base import RegisterForm


class TraceableProductForm(RegisterForm):
    class Meta:
        model = TraceableProduct
        fields = [
            "name",
            "unit",
            "brand",
            "model_code",
            "gtin",
            "trace_code",
            "lot",
            "production_date",
            "expiry_date",
            "standard",
            "producer_name",
            "producer_address",
            "producer_tax_code",
            "producer_gln",
            "stages",
            "portal_url",
            "portal_connected",
            "connected_on",
            "note",
        ]
        widgets = {
            "stages": forms.Textarea(attrs={"rows": 4}),
            "note": forms.Textarea(attrs={"rows": 2}),
        }
        error_messages = {
            "name": {"required": "Chưa nhập tên sản phẩm, hàng hóa."},
            "producer_name": {"required": "Chưa nhập tên đơn vị sản xuất, kinh doanh."},
            "portal_url": {"invalid": "Đường dẫn trên Cổng phải là địa chỉ web đầy đủ, ví dụ https://…"},
        }
