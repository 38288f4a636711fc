from django import forms
from django.utils import timezone

from kehoach.tracking.choices import PeriodKind
from kehoach.tracking.periods import period_label

from .models import EDITABLE_FIELDS, Report

# Periods a report is written for (Nghị định 09/2019: quarter, 6 and 9 months, year; months where used).
REPORT_KINDS = (PeriodKind.QUARTER, PeriodKind.HALF, PeriodKind.NINE, PeriodKind.YEAR, PeriodKind.MONTH)
COUNTS = {
    PeriodKind.MONTH: 12,
    PeriodKind.QUARTER: 4,
    PeriodKind.HALF: 1,
    PeriodKind.NINE: 1,
    PeriodKind.YEAR: 1,
}


def period_choices(year: int) -> list[tuple[str, str]]:
    return [
        (f"{kind.value}:{n}", period_label(kind, year, n))
        for kind in REPORT_KINDS
        for n in range(1, COUNTS[kind] + 1)
    ]


class ReportCreateForm(forms.Form):
    period = forms.ChoiceField(label="Kỳ báo cáo")

    def __init__(self, *args, year: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].choices = period_choices(year)

    def cleaned_period(self) -> tuple[str, int]:
        kind, number = self.cleaned_data["period"].split(":")
        return kind, int(number)


class ReportForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = Report
        fields = list(EDITABLE_FIELDS)
        widgets = {
            "title": forms.Textarea(attrs={"rows": 2}),
            "introduction": forms.Textarea(attrs={"rows": 2}),
            "direction": forms.Textarea(attrs={"rows": 4}),
            "shortcomings": forms.Textarea(attrs={"rows": 6}),
            "next_steps": forms.Textarea(attrs={"rows": 6}),
            "proposals": forms.Textarea(attrs={"rows": 4}),
            "recipients": forms.Textarea(attrs={"rows": 5}),
        }
        help_texts = {
            "introduction": (
                "Để trống để dùng câu mở đầu mặc định “Thực hiện Kế hoạch số … báo cáo … như sau:”."
            ),
            "shortcomings": (
                "Mỗi dòng một đoạn. Gợi ý lấy từ mục khó khăn, vướng mắc trong báo cáo của các đơn vị."
            ),
        }


class IssueForm(forms.Form):
    issued_on = forms.DateField(label="Ngày ban hành", initial=timezone.localdate)
    # The version the leader read: a change made after it is refused, not signed unseen.
    version = forms.IntegerField(widget=forms.HiddenInput)
