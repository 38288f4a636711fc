from django import forms

from kehoach.plans.forms import DATE_WIDGET, BootstrapMixin
from kehoach.plans.services.plans import owner_unit_for

from ..models import Enterprise, ProgrammeStep, ProgrammeStepKind
from .base import RegisterForm

STEP_CHOICES = [("", "— Chọn bước —"), *ProgrammeStepKind.choices]


class EnterpriseForm(RegisterForm):
    # Longer than the stored code: spaces typed in it are dropped before the format is checked.
    tax_code = forms.CharField(
        label="Mã số thuế",
        max_length=30,
        help_text="10 chữ số, hoặc 10 chữ số-3 chữ số cho đơn vị phụ thuộc.",
        error_messages={"required": "Chưa nhập mã số thuế."},
    )

    class Meta:
        model = Enterprise
        fields = ["name", "tax_code", "unit", "address", "sector", "contact"]
        error_messages = {"name": {"required": "Chưa nhập tên doanh nghiệp."}}


class ProgrammeStepForm(RegisterForm):
    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, units=units, **kwargs)
        owners = {owner_unit_for(u).pk for u in units} if units is not None else set()
        if self.instance.pk:
            owners.add(self.instance.owner_unit_id)
        self.fields["enterprise"].queryset = Enterprise.objects.filter(owner_unit__in=owners).order_by("name")
        self.fields["enterprise"].empty_label = "— Chọn doanh nghiệp —"
        self.fields["step"].choices = STEP_CHOICES

    class Meta:
        model = ProgrammeStep
        fields = ["enterprise", "step", "date", "document", "unit"]
        error_messages = {
            "enterprise": {"required": "Chưa chọn doanh nghiệp."},
            "step": {"required": "Chưa chọn bước."},
            "date": {"required": "Chưa nhập ngày."},
        }


class StepPanelForm(BootstrapMixin, forms.ModelForm):
    """The small form on an enterprise's page: one more step of the programme."""

    class Meta:
        model = ProgrammeStep
        fields = ["step", "date", "document"]
        widgets = {"date": DATE_WIDGET}
        error_messages = ProgrammeStepForm.Meta.error_messages

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["step"].choices = STEP_CHOICES
        self.fields["date"].input_formats = ["%Y-%m-%d", "%d/%m/%Y"]
        self.fields["date"].error_messages["invalid"] = "Ngày không hợp lệ (dd/mm/yyyy)."
