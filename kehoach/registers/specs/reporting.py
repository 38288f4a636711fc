"""Báo cáo định kỳ trên hệ thống báo cáo: the reports the commune owes and the CT06 rate."""

from ..computations import Computed, Row, computation, ratio, year_window
from ..filters.reporting import PeriodicReportDueFilter
from ..forms.reporting import PeriodicReportDueForm
from ..models.reporting import PeriodicReportDue
from ..registry import Column, RegisterSpec, register


def _date(day) -> str:
    return f"{day:%d/%m/%Y}" if day else ""


register(
    RegisterSpec(
        slug="bao-cao-dinh-ky",
        title="Báo cáo định kỳ trên hệ thống báo cáo",
        model=PeriodicReportDue,
        form_class=PeriodicReportDueForm,
        filterset_class=PeriodicReportDueFilter,
        list_columns=(
            ("Tên báo cáo", lambda r: r.name),
            ("Kỳ báo cáo", lambda r: r.period_label),
            ("Hạn gửi", lambda r: _date(r.due_on)),
            ("Tình trạng", lambda r: r.status),
            ("Số, ký hiệu", lambda r: r.reference),
            ("Đơn vị", lambda r: r.unit.short_name or r.unit.name),
        ),
        columns=(
            Column("name", "Tên báo cáo", required=True),
            Column("period_label", "Kỳ báo cáo", required=True, help="Ví dụ: Tháng 03/2026, Quý I/2026"),
            Column("unit", "Đơn vị", kind="unit"),
            Column("reference", "Số, ký hiệu báo cáo"),
            Column("due_on", "Hạn gửi", required=True, kind="date"),
            Column("submitted_on", "Ngày gửi", kind="date", help="Để trống nếu chưa gửi"),
            Column("on_system", "Gửi trên hệ thống báo cáo", kind="bool"),
        ),
        identity=("name", "period_label"),
        feeds=(
            "Chỉ tiêu báo cáo định kỳ về chỉ tiêu kinh tế - xã hội thực hiện trên hệ thống thông tin báo cáo "
            "của thành phố."
        ),
    )
)


@computation(
    "bao_cao_dinh_ky_tren_he_thong",
    "Báo cáo định kỳ gửi trên hệ thống thông tin báo cáo của thành phố",
    models=(PeriodicReportDue,),
    is_rate=True,
)
def reports_on_system(*, owner, year, until) -> Computed:
    """Reports due from 1 January to the cut-off that had been sent on the city's system by the cut-off
    (late ones count once sent) ÷ reports due in that window. Every report due is listed."""
    start, end = year_window(year, until)
    due = list(
        PeriodicReportDue.objects.filter(owner_unit=owner, due_on__gte=start, due_on__lte=end).order_by(
            "due_on", "name", "pk"
        )
    )

    def sent(r: PeriodicReportDue) -> bool:
        return r.on_system and r.submitted_on is not None and r.submitted_on <= end

    def label(r: PeriodicReportDue) -> str:
        if sent(r):
            state = f"gửi trên hệ thống {_date(r.submitted_on)}"
        elif r.submitted_on and r.submitted_on <= end:
            state = f"gửi ngoài hệ thống {_date(r.submitted_on)}"
        else:
            state = "chưa gửi"
        return f"{r.name} – {r.period_label} (hạn {_date(r.due_on)}): {state}"

    result = ratio(
        [Row(label(r), r.get_absolute_url()) for r in due if sent(r)],
        len(due),
        noun="báo cáo định kỳ gửi trên hệ thống thông tin báo cáo",
        of=f"báo cáo đến hạn đến ngày {_date(end)}",
    )
    result.rows = [Row(label(r), r.get_absolute_url()) for r in due]
    return result
