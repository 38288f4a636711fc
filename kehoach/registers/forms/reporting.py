from django import forms

from ..models.reporting import PeriodicReportDue
from .base import RegisterForm


class PeriodicReportDueForm(RegisterForm):
    class Meta:
        model = PeriodicReportDue
        fields = ["name", "period_label", "unit", "due_on", "submitted_on", "on_system", "reference"]
        widgets = {"name": forms.Textarea(attrs={"rows": 2})}
        error_messages = {
            "name": {"required": "Chưa nhập tên báo cáo."},
            "period_label": {"required": "Chưa nhập kỳ báo cáo."},
            "due_on": {"required": "Chưa nhập hạn gửi."},
        }
