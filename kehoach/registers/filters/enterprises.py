import django_filters
from django.db.models import Exists, OuterRef

from ..models import Enterprise, ProgrammeStep, ProgrammeStepKind
from .base import RegisterFilter


class EnterpriseFilter(RegisterFilter):
    step = django_filters.ChoiceFilter(
        label="Đã qua bước", choices=ProgrammeStepKind.choices, empty_label="Mọi bước", method="filter_step"
    )
    year = django_filters.NumberFilter(label="Có bước trong năm", method="filter_year")

    class Meta:
        model = Enterprise
        fields = ["q", "unit", "step", "year"]

    def _with_steps(self, queryset, **lookups):
        steps = ProgrammeStep.objects.filter(enterprise=OuterRef("pk"), **lookups)
        return queryset.filter(Exists(steps))

    def filter_step(self, queryset, name, value):
        lookups = {"step": value}
        if year := self.form.cleaned_data.get("year"):
            lookups["date__year"] = int(year)
        return self._with_steps(queryset, **lookups)

    def filter_year(self, queryset, name, value):
        if self.form.cleaned_data.get("step"):
            return queryset  # read together with the step
        return self._with_steps(queryset, date__year=int(value))


class ProgrammeStepFilter(RegisterFilter):
    step = django_filters.ChoiceFilter(
        label="Bước", choices=ProgrammeStepKind.choices, empty_label="Mọi bước"
    )
    enterprise = django_filters.ModelChoiceFilter(
        label="Doanh nghiệp", queryset=Enterprise.objects.none(), empty_label="Mọi doanh nghiệp"
    )
    year = django_filters.NumberFilter(label="Năm", field_name="date", lookup_expr="year")

    class Meta:
        model = ProgrammeStep
        fields = ["q", "unit", "step", "enterprise", "year"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.form.fields["enterprise"].queryset = Enterprise.objects.readable_by(user).order_by("name")
