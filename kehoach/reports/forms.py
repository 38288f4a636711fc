import datetime

from django import forms
from django.utils import timezone

from kehoach.tracking.choices import PeriodKind
from kehoach.tracking.periods import PeriodBounds, period_bounds, period_label

from .models import EDITABLE_FIELDS, OPEN_STATES, Report, ReportState

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
    """Every period a report may name, in calendar order: what the form accepts."""
    return [
        (f"{kind.value}:{n}", period_label(kind, year, n))
        for kind in REPORT_KINDS
        for n in range(1, COUNTS[kind] + 1)
    ]


def _value(bounds: PeriodBounds) -> str:
    return f"{bounds.kind}:{bounds.number}"


def _plan_periods(plan) -> list[PeriodBounds]:
    """The periods worth offering for the plan: quarters, 6 and 9 months and the year, months only where
    the plan's units report monthly."""
    from kehoach.tracking.services.periods import reporting_config

    config = reporting_config(plan)
    kinds = [k for k in REPORT_KINDS if k != PeriodKind.MONTH or PeriodKind.MONTH in config.kinds]
    return [
        period_bounds(kind, plan.year, n, cutoff_day=config.cutoff_day, submit_days=config.submit_days)
        for kind in kinds
        for n in range(1, COUNTS[kind] + 1)
    ]


def _latest_first(bounds: PeriodBounds):
    # The most recent cut-off first; on the same cut-off the longer period (6 tháng before Quý II), the
    # report a commune sends for that date.
    return (-bounds.ends_on.toordinal(), -(bounds.ends_on - bounds.starts_on).days)


def create_choices(plan, today: datetime.date) -> list:
    """The periods đầu mối may open a report for, grouped, the one due now first.

    Due: past its cut-off with no report for that cut-off yet (6 tháng before Quý II), most recent first;
    then the periods under way; then past periods whose cut-off another report already covers (9 tháng
    once Quý III is out); then those issued, for a correction. Periods not started yet, and periods with
    a report in the works (a draft or one awaiting signature, opened from the list instead), are left out.
    """
    periods = _plan_periods(plan)
    by_value = {_value(b): b for b in periods}
    reports = Report.objects.filter(plan=plan).values_list("period_kind", "period_number", "state")
    open_ = {f"{k}:{n}" for k, n, state in reports if state in OPEN_STATES}
    issued = {f"{k}:{n}" for k, n, state in reports if state == ReportState.ISSUED}
    covered = {by_value[v].ends_on for v in open_ | issued if v in by_value}
    candidates = sorted((b for b in periods if _value(b) not in open_), key=_latest_first)
    started = [b for b in candidates if b.starts_on <= today] or sorted(candidates, key=lambda b: b.ends_on)
    fresh = [b for b in started if _value(b) not in issued]
    due = [b for b in fresh if b.ends_on <= today and b.ends_on not in covered]
    current = sorted(
        (b for b in fresh if b.ends_on > today), key=lambda b: (b.ends_on, -(b.ends_on - b.starts_on).days)
    )
    other = [b for b in fresh if b.ends_on <= today and b.ends_on in covered]
    done = [b for b in started if _value(b) in issued]
    groups = [
        ("Đến hạn báo cáo", [(_value(b), b.label) for b in due]),
        (
            "Kỳ đang thực hiện",
            [(_value(b), f"{b.label} (chốt số liệu {b.ends_on:%d/%m/%Y})") for b in current],
        ),
        ("Kỳ khác đã qua", [(_value(b), f"{b.label} (đã có báo cáo cùng ngày chốt)") for b in other]),
        ("Đã ban hành – lập báo cáo đính chính", [(_value(b), f"{b.label} (đã ban hành)") for b in done]),
    ]
    return [(label, options) for label, options in groups if options]


def send_choices(plan, today: datetime.date) -> list[tuple[str, str]]:
    """Periods whose figures may be sent upward: those past their cut-off, the most recent first."""
    return [(_value(b), b.label) for b in sorted(_plan_periods(plan), key=_latest_first) if b.ends_on < today]


class ReportCreateForm(forms.Form):
    period = forms.ChoiceField(label="Kỳ báo cáo")

    def __init__(self, *args, plan, purpose: str = "create", today: datetime.date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        today = today or timezone.localdate()
        choices = create_choices(plan, today) if purpose == "create" else send_choices(plan, today)
        field = self.fields["period"]
        field.choices = choices
        # Any period of the plan's year is accepted (the service explains a refusal); the list offers
        # only the sensible ones, and the first of them is selected.
        field.valid_value = lambda value: value in dict(period_choices(plan.year))
        first = next(iter(self._flat(choices)), None)
        if first is not None:
            self.initial.setdefault("period", first)
        if purpose == "send":
            field.label = "Kỳ gửi số liệu"
        else:
            field.help_text = (
                "Kỳ đến hạn gần nhất đứng đầu và được chọn sẵn. Kỳ đang có dự thảo hoặc đang chờ ký không "
                "hiện ở đây: mở báo cáo đó trong danh sách bên dưới."
            )

    @staticmethod
    def _flat(choices) -> list[str]:
        values = []
        for value, label in choices:
            if isinstance(label, list | tuple):
                values += [v for v, _ in label]
            else:
                values.append(value)
        return values

    @property
    def has_choices(self) -> bool:
        return bool(self.fields["period"].choices)

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
    issued_on = forms.DateField(
        label="Ngày ban hành",
        initial=timezone.localdate,
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
        error_messages={
            "invalid": "Ngày ban hành không hợp lệ (dd/mm/yyyy).",
            "required": "Hãy chọn ngày ban hành.",
        },
    )
    # The version the leader read: a change made after it is refused, not signed unseen.
    version = forms.IntegerField(widget=forms.HiddenInput)


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label="Lý do trả lại",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Cần ghi lý do trả lại để đầu mối biết phải sửa gì."},
    )
