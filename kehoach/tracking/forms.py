from django import forms

from kehoach.core.forms import VietnameseDecimalField
from kehoach.plans.forms import DATE_WIDGET, BootstrapMixin

from .choices import PeriodKind
from .models import Measurement, ProgressReport


class ProgressReportForm(BootstrapMixin, forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = ProgressReport
        fields = [
            "percent_complete",
            "results",
            "outputs",
            "output_delivered",
            "completed_on",
            "difficulties",
            "proposals",
            "next_steps",
            "spent_amount",
        ]
        widgets = {
            "results": forms.Textarea(attrs={"rows": 4}),
            "outputs": forms.Textarea(attrs={"rows": 2}),
            "difficulties": forms.Textarea(attrs={"rows": 3}),
            "proposals": forms.Textarea(attrs={"rows": 3}),
            "next_steps": forms.Textarea(attrs={"rows": 3}),
            "completed_on": DATE_WIDGET,
        }
        error_messages = {
            "percent_complete": {"invalid": "Tỷ lệ hoàn thành phải là số nguyên từ 0 đến 100."},
            "completed_on": {"invalid": "Ngày hoàn thành không hợp lệ (dd/mm/yyyy)."},
        }

    def __init__(self, *args, lead: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["completed_on"].input_formats = ["%Y-%m-%d", "%d/%m/%Y"]
        self.fields["percent_complete"].widget.attrs.update({"min": 0, "max": 100})
        from kehoach.plans.forms import MoneyField

        self.fields["spent_amount"] = MoneyField(
            label="Kinh phí đã sử dụng, lũy kế (đồng)",
            required=False,
            help_text="Tính từ đầu năm đến ngày chốt số liệu; để trống nếu nhiệm vụ không dùng kinh phí.",
        )
        if not lead:
            for name in ("output_delivered", "completed_on", "spent_amount"):
                del self.fields[name]
            self.fields["results"].label = "Phần việc đơn vị phối hợp đã thực hiện"
        else:
            task = self.instance.task
            self.fields[
                "output_delivered"
            ].label = f"Đã có kết quả/sản phẩm: “{task.output or 'theo kế hoạch'}”"


class MeasurementForm(BootstrapMixin, forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = Measurement
        fields = ["value", "numerator", "denominator", "source", "note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 2})}
        field_classes = {
            "value": VietnameseDecimalField,
            "numerator": VietnameseDecimalField,
            "denominator": VietnameseDecimalField,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        indicator = self.instance.indicator
        self.fields["value"].label = f"Giá trị lũy kế ({indicator.unit_of_measure})"
        if indicator.is_rate:
            self.fields[
                "value"
            ].help_text = (
                "Hoặc nhập tử số và mẫu số: khi có cả hai, hệ thống tự tính tỷ lệ và bỏ qua ô giá trị."
            )
        else:
            del self.fields["numerator"]
            del self.fields["denominator"]


class EvidenceForm(forms.Form):
    file = forms.FileField(
        label="Tệp minh chứng",
        error_messages={"required": "Chưa chọn tệp.", "empty": "Tệp rỗng."},
        widget=forms.ClearableFileInput(
            attrs={"class": "form-control", "accept": ".pdf,.docx,.xlsx,.png,.jpg,.jpeg"}
        ),
    )
    description = forms.CharField(
        label="Mô tả", required=False, max_length=300, widget=forms.TextInput(attrs={"class": "form-control"})
    )
    is_output = forms.BooleanField(
        label="Đây là kết quả/sản phẩm của nhiệm vụ",
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="Lý do",
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
        error_messages={"required": "Cần ghi lý do."},
    )


class ReportingConfigForm(BootstrapMixin, forms.Form):
    kinds = forms.MultipleChoiceField(
        label="Kỳ báo cáo",
        choices=PeriodKind.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Chọn ít nhất một loại kỳ báo cáo."},
    )
    cutoff_day = forms.IntegerField(label="Ngày chốt số liệu trong tháng", min_value=1, max_value=28)
    submit_days = forms.IntegerField(label="Số ngày gửi báo cáo sau ngày chốt", min_value=0, max_value=60)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kinds"].widget.attrs = {"class": "form-check-input"}
