from django import forms

from kehoach.plans.forms import DATE_WIDGET, BootstrapMixin

from ..models import CommunityTechTeam, OutreachItem, TeamActivity, TeamMember
from .base import RegisterForm
from .coverage import CountField, villages_for


class OutreachItemForm(RegisterForm):
    class Meta:
        model = OutreachItem
        fields = ["kind", "title", "date", "channel", "series", "link", "file", "unit"]
        widgets = {
            "title": forms.Textarea(attrs={"rows": 2}),
            "link": forms.URLInput(attrs={"placeholder": "https://"}),
        }
        help_texts = {"file": "PDF, DOCX, XLSX, PNG hoặc JPEG (bản chụp bài báo, kịch bản tin phát thanh…)."}
        error_messages = {
            "title": {"required": "Chưa nhập tiêu đề."},
            "date": {"required": "Chưa nhập ngày đăng, phát."},
            "channel": {"required": "Chưa nhập kênh đăng, phát."},
        }

    def clean_file(self):
        # A cleared file is stored as no file.
        value = self.cleaned_data.get("file")
        return "" if value is False else value


class CommunityTechTeamForm(RegisterForm):
    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, units=units, **kwargs)
        self.fields["village"].queryset = villages_for(units, self.instance if self.instance.pk else None)
        self.fields["village"].empty_label = "— Chọn thôn —"

    class Meta:
        model = CommunityTechTeam
        fields = ["name", "village", "established_on", "decision_number", "unit"]
        error_messages = {
            "name": {"required": "Chưa nhập tên tổ."},
            "village": {"required": "Chưa chọn thôn.", "invalid_choice": "Thôn không thuộc xã của bạn."},
        }


class _PanelForm(BootstrapMixin, forms.ModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.DateField):
                field.widget = DATE_WIDGET
                field.widget.attrs["class"] = "form-control"
                field.input_formats = ["%Y-%m-%d", "%d/%m/%Y"]
                field.error_messages["invalid"] = "Ngày không hợp lệ (dd/mm/yyyy)."


class TeamMemberForm(_PanelForm):
    class Meta:
        model = TeamMember
        fields = ["full_name", "role", "phone"]
        error_messages = {"full_name": {"required": "Chưa nhập họ và tên thành viên."}}


class TeamActivityForm(_PanelForm):
    people_reached = CountField(label="Số người được hỗ trợ", required=False, example="45")

    class Meta:
        model = TeamActivity
        fields = ["date", "description", "people_reached"]
        error_messages = {
            "date": {"required": "Chưa nhập ngày hoạt động."},
            "description": {"required": "Chưa nhập nội dung hoạt động."},
        }
