"""Forms validate input and name the field in Vietnamese; services decide and write."""

from django import forms
from django.utils.functional import cached_property

from kehoach.core.forms import VietnameseDecimalField
from kehoach.units.models import Unit

from .models import CityIndicator, Indicator, IndicatorGroup, Plan, PlanReference, Task, Trigger
from .services.catalogue import (
    catalogue_of,
    city_of,
    outside_catalogue_message,
    proposal_label,
    rank_catalogue,
    strong_proposal,
)

DATE_WIDGET = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


class BootstrapMixin:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                attrs["class"] = f"{attrs.get('class', '')} is-invalid".strip()
                attrs["aria-invalid"] = "true"


class MoneyField(forms.IntegerField):
    """Amounts in đồng as people type them: "1.500.000", "1 500 000 đ"."""

    default_error_messages = {"invalid": "Kinh phí phải là số tiền bằng đồng, ví dụ 15.000.000."}

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 0)
        super().__init__(**kwargs)
        self.widget = forms.TextInput(attrs={"class": "form-control", "inputmode": "numeric"})
        self.error_messages["min_value"] = "Kinh phí không được âm."

    def prepare_value(self, value):
        if isinstance(value, int):
            return f"{value:,}".replace(",", ".")
        return value

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip().lower().removesuffix("đồng").removesuffix("đ").strip()
            value = value.replace(".", "").replace(" ", "").replace("\u00a0", "")
        return super().to_python(value)


class PlanForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = Plan
        fields = [
            "number",
            "issued_on",
            "place",
            "title",
            "field",
            "year",
            "lead_unit",
            "issuer_name",
            "signer_name",
            "signer_position",
            "signer_authority",
            "recipients",
            "status",
        ]
        widgets = {
            "issued_on": DATE_WIDGET,
            "title": forms.Textarea(attrs={"rows": 2}),
            "recipients": forms.Textarea(attrs={"rows": 3}),
        }
        error_messages = {
            "title": {"required": "Chưa nhập trích yếu của kế hoạch."},
            "year": {
                "required": "Chưa nhập năm kế hoạch.",
                "invalid": "Năm kế hoạch phải là số, ví dụ 2026.",
            },
            "lead_unit": {"required": "Chưa chọn đơn vị đầu mối."},
        }

    def __init__(self, *args, lead_units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead_unit"].queryset = lead_units if lead_units is not None else Unit.objects.none()
        self.fields["issued_on"].input_formats = ["%Y-%m-%d", "%d/%m/%Y"]

    def clean_year(self):
        year = self.cleaned_data["year"]
        if not 2000 <= year <= 2100:
            raise forms.ValidationError("Năm kế hoạch phải trong khoảng 2000–2100.")
        return year


class ReferenceForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = PlanReference
        fields = ["number", "issued_on", "issuer", "title"]
        widgets = {"issued_on": DATE_WIDGET}

    def clean(self):
        data = super().clean()
        empty = not data.get("number") and not data.get("title")
        if empty and not data.get("DELETE") and self.has_changed():
            raise forms.ValidationError("Mỗi căn cứ cần có số, ký hiệu hoặc trích yếu.")
        return data


ReferenceFormSet = forms.formset_factory(ReferenceForm, extra=2, can_delete=True)


class GoalsForm(forms.Form):
    goals = forms.CharField(
        label="Mục tiêu",
        required=False,
        widget=forms.Textarea(attrs={"rows": 8, "class": "form-control"}),
        help_text="Mỗi đoạn (cách nhau bởi một dòng trống) là một mục tiêu.",
    )

    def goal_list(self) -> list[str]:
        text = self.cleaned_data["goals"].replace("\r\n", "\n")
        return [" ".join(part.split()) for part in text.split("\n\n") if part.strip()]


class CatalogueSelect(forms.Select):
    """The catalogue select with the proposals for the name typed so far under it.

    `refresh_url`: the form's own page; when the name or the unit of measure changes, htmx asks it for
    this block again with the new name, so the proposals follow what is typed.
    """

    template_name = "plans/widgets/catalogue_select.html"
    form: "IndicatorForm | None" = None
    refresh_url = ""

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["refresh_url"] = self.refresh_url
        context["hint"] = self.form.proposal_hint if self.form is not None else ""
        return context


class IndicatorForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = Indicator
        fields = [
            "group",
            "code",
            "name",
            "comparator",
            "target",
            "target_max",
            "unit_of_measure",
            "commitment",
            "baseline",
            "lead_unit",
            "coordinating_units",
            "method",
            "city_indicator",
        ]
        widgets = {
            "name": forms.Textarea(attrs={"rows": 2}),
            "method": forms.Textarea(attrs={"rows": 2}),
            "city_indicator": CatalogueSelect,
        }
        error_messages = {
            "name": {"required": "Chưa nhập tên chỉ tiêu."},
            "target": {"required": "Chưa nhập giá trị mục tiêu.", "invalid": "Giá trị mục tiêu phải là số."},
            "target_max": {"invalid": "Giá trị tối đa phải là số."},
            "baseline": {"invalid": "Giá trị đầu kỳ phải là số."},
            "unit_of_measure": {"required": "Chưa nhập đơn vị tính (ví dụ: %, sáng kiến, doanh nghiệp)."},
        }

    def __init__(self, *args, plan: Plan, refresh_url: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        units = Unit.objects.subtree_of(plan.owner_unit)
        self.fields["group"].queryset = IndicatorGroup.objects.filter(plan=plan)
        self.fields["lead_unit"].queryset = units
        self.fields["coordinating_units"].queryset = units
        self.fields["code"].required = False
        self.fields["code"].help_text = "Để trống để hệ thống tự đặt mã (CT01, CT02…)."
        for name in ("target", "target_max", "baseline"):
            old = self.fields[name]
            self.fields[name] = VietnameseDecimalField(
                label=old.label,
                required=old.required,
                max_digits=14,
                decimal_places=2,
                help_text=old.help_text,
            )
            self.fields[name].error_messages.update(old.error_messages)
        self._set_up_catalogue(plan, refresh_url)

    def _set_up_catalogue(self, plan: Plan, refresh_url: str) -> None:
        city = city_of(plan.owner_unit)
        self.catalogue = catalogue_of(city)
        if not self.catalogue:
            # A commune whose city keeps no catalogue has nothing to link to.
            del self.fields["city_indicator"]
            return
        field = self.fields["city_indicator"]
        field.queryset = CityIndicator.objects.filter(city=city).order_by("position", "code", "pk")
        field.empty_label = "— Không liên kết —"
        field.error_messages["invalid_choice"] = outside_catalogue_message(city)
        field.widget.form = self
        field.widget.refresh_url = refresh_url
        # Only a new indicator gets an entry chosen in advance: an existing one without a link was
        # left unlinked by someone, or is corrected by hand.
        if not self.is_bound and self.instance.pk is None and not self.initial.get("city_indicator"):
            best = strong_proposal(self.proposals)
            if best is not None:
                self.initial["city_indicator"] = best.pk

    @cached_property
    def proposals(self) -> list[tuple[CityIndicator, float]]:
        """The catalogue entries nearest to the name as the form shows it (typed, posted or stored)."""
        if "city_indicator" not in self.fields:
            return []
        return rank_catalogue(
            self.catalogue, name=self["name"].value(), unit_of_measure=self["unit_of_measure"].value()
        )

    @property
    def proposal_hint(self) -> str:
        if not (self["name"].value() or "").strip():
            return "Nhập tên chỉ tiêu để hệ thống đề xuất chỉ tiêu dùng chung có tên gần giống."
        if not self.proposals:
            return "Không có chỉ tiêu dùng chung nào có tên gần giống tên chỉ tiêu này."
        return "Đề xuất theo tên: " + "; ".join(proposal_label(e, s) for e, s in self.proposals)


class TaskForm(BootstrapMixin, forms.ModelForm):
    lead_units = forms.ModelMultipleChoiceField(
        label="Đơn vị chủ trì",
        queryset=Unit.objects.none(),
        error_messages={"required": "Nhiệm vụ cần ít nhất một đơn vị chủ trì."},
    )
    coordinating_units = forms.ModelMultipleChoiceField(
        label="Đơn vị phối hợp", queryset=Unit.objects.none(), required=False
    )
    trigger = forms.ModelChoiceField(
        label="Chờ sự kiện", queryset=Trigger.objects.none(), required=False, empty_label="— Không —"
    )
    new_trigger = forms.CharField(
        label="hoặc sự kiện mới",
        required=False,
        help_text="Ví dụ: Thành phố ban hành Kế hoạch phát triển hệ sinh thái đổi mới sáng tạo",
    )

    class Meta:
        model = Task
        fields = [
            "position",
            "title",
            "description",
            "output",
            "deadline_text",
            "lead_time_days",
            "coordinates_all_units",
            "budget_amount",
            "budget_source",
            "budget_note",
        ]
        widgets = {
            "title": forms.Textarea(attrs={"rows": 2}),
            "description": forms.Textarea(attrs={"rows": 3}),
        }
        error_messages = {
            "title": {"required": "Chưa nhập tên nhiệm vụ."},
            "deadline_text": {"required": "Chưa nhập thời hạn (ví dụ: Quý II/2026, 30/06/2026, Cả năm)."},
            "budget_amount": {"invalid": "Kinh phí phải là số tiền bằng đồng, không có chữ."},
            "lead_time_days": {"invalid": "Số ngày phải là số nguyên không âm."},
            "position": {"invalid": "STT phải là số nguyên."},
        }

    def __init__(self, *args, plan: Plan, **kwargs):
        super().__init__(*args, **kwargs)
        units = Unit.objects.subtree_of(plan.owner_unit).exclude(pk=plan.owner_unit_id)
        self.fields["lead_units"].queryset = units
        self.fields["coordinating_units"].queryset = units
        self.fields["trigger"].queryset = Trigger.objects.filter(plan=plan)
        self.fields["position"].required = False
        self.fields["budget_amount"] = MoneyField(label="Kinh phí (đồng)", required=False)
        if self.instance.pk:
            self.initial.setdefault("lead_units", [u.pk for u in self.instance.lead_units])
            self.initial.setdefault("coordinating_units", [u.pk for u in self.instance.coordinating_units])
            self.initial.setdefault("trigger", self.instance.trigger_id)
        for name in ("lead_units", "coordinating_units", "trigger", "new_trigger"):
            widget = self.fields[name].widget
            widget.attrs.setdefault("class", "form-select" if name != "new_trigger" else "form-control")


class ResponsibilityForm(BootstrapMixin, forms.Form):
    unit = forms.ModelChoiceField(
        label="Đơn vị", queryset=Unit.objects.none(), error_messages={"required": "Chưa chọn đơn vị."}
    )
    duties = forms.CharField(
        label="Nhiệm vụ được giao",
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="Mỗi đoạn (cách nhau bởi một dòng trống) là một nhiệm vụ.",
        error_messages={"required": "Cần ghi ít nhất một nhiệm vụ cho đơn vị."},
    )

    def __init__(self, *args, plan: Plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.subtree_of(plan.owner_unit).exclude(pk=plan.owner_unit_id)

    def duty_list(self) -> list[str]:
        text = self.cleaned_data["duties"].replace("\r\n", "\n")
        return [" ".join(part.split()) for part in text.split("\n\n") if part.strip()]


class TriggerRecordForm(BootstrapMixin, forms.Form):
    document_number = forms.CharField(
        label="Số, ký hiệu văn bản",
        max_length=60,
        error_messages={"required": "Chưa nhập số, ký hiệu văn bản."},
    )
    occurred_on = forms.DateField(
        label="Ngày ban hành",
        widget=DATE_WIDGET,
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        error_messages={
            "required": "Chưa nhập ngày ban hành.",
            "invalid": "Ngày ban hành không hợp lệ (dd/mm/yyyy).",
        },
    )
    document_issuer = forms.CharField(label="Cơ quan ban hành", max_length=255, required=False)
    document_title = forms.CharField(label="Trích yếu", max_length=500, required=False)


class ReviewSettingForm(forms.Form):
    """Who accepts the lead unit's own reports: a choice between two sentences, not a bare checkbox."""

    leader_reviews_lead_unit = forms.TypedChoiceField(
        label="Ai chấp nhận báo cáo của đơn vị đầu mối",
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )

    def __init__(self, *args, plan: Plan, **kwargs):
        super().__init__(*args, **kwargs)
        lead = plan.lead_unit
        self.fields["leader_reviews_lead_unit"].choices = [
            ("0", f"Đầu mối chấp nhận mọi báo cáo, kể cả báo cáo của {lead} (mặc định)"),
            (
                "1",
                f"Lãnh đạo UBND chấp nhận hoặc trả lại báo cáo tiến độ và số liệu của {lead}; "
                "đầu mối vẫn chấp nhận báo cáo của các đơn vị khác",
            ),
        ]
        self.initial.setdefault("leader_reviews_lead_unit", "1" if plan.leader_reviews_lead_unit else "0")
