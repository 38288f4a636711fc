from django import forms

from kehoach.units.models import Unit

from .models import DocumentKind, OutgoingDocument


class RegisterFilterForm(forms.Form):
    issuer = forms.ModelChoiceField(label="Cơ quan", queryset=Unit.objects.none(), required=False)
    year = forms.IntegerField(label="Năm", required=False, min_value=2000, max_value=2100)
    kind = forms.ChoiceField(
        label="Loại văn bản", required=False, choices=[("", "Tất cả"), *DocumentKind.choices]
    )
    q = forms.CharField(label="Tìm số, trích yếu", required=False)

    def __init__(self, *args, issuers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["issuer"].queryset = issuers


class ManualEntryForm(forms.ModelForm):
    number = forms.IntegerField(
        label="Số",
        required=False,
        min_value=1,
        help_text="Để trống để lấy số tiếp theo của sổ; chỉ nhập khi văn bản đã có số.",
    )

    class Meta:
        model = OutgoingDocument
        fields = [
            "kind",
            "number",
            "symbol",
            "issued_on",
            "title",
            "signer_name",
            "signer_position",
            "recipients",
            "copies",
            "note",
        ]
        widgets = {
            "title": forms.Textarea(attrs={"rows": 2}),
            "recipients": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {"symbol": "Để trống để dùng ký hiệu theo loại văn bản, ví dụ BC-UBND."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["symbol"].required = False
