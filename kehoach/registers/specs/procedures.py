"""Thống kê thủ tục hành chính: monthly figures per commune and the four rates computed from them
(CT05, CT07, CT08, CT09; formulas and their relation to Quyết định 766/QĐ-TTg in docs/indicators.md)."""

from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal

from django.utils.html import format_html, format_html_join

from kehoach.core.templatetags.vn import format_number

from ..computations import Computed, Row, computation, year_window
from ..filters.procedures import ProcedureMonthFilter
from ..forms.procedures import ProcedureMonthForm
from ..models.procedures import ProcedureMonth
from ..registry import Column, RegisterSpec, register


def _share(part: int, whole: int) -> str:
    if not whole:
        return f"{format_number(part)}/{format_number(whole)}"
    percent = (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)
    return f"{format_number(part)}/{format_number(whole)} ({format_number(percent)}%)"


# Each rate: key, label, numerator, denominator, and the nouns of its sentence.
RATES: tuple[tuple[str, str, Callable, Callable, str, str], ...] = (
    (
        "ket_qua_tthc_so_hoa",
        "Kết quả giải quyết thủ tục hành chính được số hóa",
        lambda m: m.results_digitised,
        lambda m: m.results_issued,
        "kết quả giải quyết TTHC được số hóa",
        "kết quả giải quyết TTHC đã trả",
    ),
    (
        "hai_long_tthc",
        "Mức độ hài lòng của người dân, doanh nghiệp trong giải quyết thủ tục hành chính",
        lambda m: m.survey_satisfied,
        lambda m: m.survey_total,
        "ý kiến hài lòng",
        "ý kiến đánh giá về giải quyết TTHC",
    ),
    (
        "tai_su_dung_du_lieu_tthc",
        "Hồ sơ thủ tục hành chính có khai thác, tái sử dụng dữ liệu đã số hóa",
        lambda m: m.reused_data,
        lambda m: m.received,
        "hồ sơ TTHC có tái sử dụng dữ liệu đã số hóa",
        "hồ sơ TTHC tiếp nhận",
    ),
    (
        "ho_so_cong_viec_truc_tuyen",
        "Hồ sơ công việc được xử lý trên môi trường mạng (trừ hồ sơ mật)",
        lambda m: m.work_records_online,
        lambda m: m.work_records_counted,
        "hồ sơ công việc xử lý trên môi trường mạng",
        "hồ sơ công việc (trừ hồ sơ mật)",
    ),
)


# Shown on a month's page for information; the portal's online-receipt and electronic-result shares.
OTHER_SHARES = (
    ("Hồ sơ tiếp nhận trực tuyến", lambda m: m.received_online, lambda m: m.received),
    ("Kết quả giải quyết trả bản điện tử", lambda m: m.results_electronic, lambda m: m.results_issued),
)


def rates_panel(request, month: ProcedureMonth) -> str:
    """The month's own rates, as the year-to-date computations will count them."""
    shares = [(label, num, den) for _, label, num, den, _, _ in RATES] + list(OTHER_SHARES)
    items = format_html_join(
        "",
        '<li class="list-group-item d-flex justify-content-between gap-2">'
        "<span>{}</span><span>{}</span></li>",
        ((label, _share(num(month), den(month))) for label, num, den in shares),
    )
    return format_html(
        '<div class="card shadow-sm mt-3"><div class="card-header">Tỷ lệ trong tháng</div>'
        '<ul class="list-group list-group-flush">{}</ul></div>',
        items,
    )


register(
    RegisterSpec(
        slug="thu-tuc-hanh-chinh",
        title="Thống kê thủ tục hành chính",
        model=ProcedureMonth,
        form_class=ProcedureMonthForm,
        filterset_class=ProcedureMonthFilter,
        list_columns=(
            ("Tháng", str),
            ("Hồ sơ tiếp nhận", lambda m: format_number(m.received)),
            ("Tiếp nhận trực tuyến", lambda m: _share(m.received_online, m.received)),
            ("Kết quả số hóa", lambda m: _share(m.results_digitised, m.results_issued)),
            ("Tái sử dụng dữ liệu", lambda m: _share(m.reused_data, m.received)),
            ("Hài lòng", lambda m: _share(m.survey_satisfied, m.survey_total)),
            ("Hồ sơ công việc trên mạng", lambda m: _share(m.work_records_online, m.work_records_counted)),
        ),
        columns=(
            # Year and month are read as text so an export shows 2026, not 2.026; the model makes numbers.
            Column("year", "Năm", required=True, help="Ví dụ 2026"),
            Column("month", "Tháng", required=True, help="Từ 1 đến 12"),
            Column("unit", "Đơn vị", kind="unit"),
            # Free text stays off the last column: a quoted last cell defeats CSV delimiter sniffing.
            Column("source", "Nguồn số liệu"),
            Column("received", "Hồ sơ tiếp nhận", kind="int"),
            Column("received_online", "Hồ sơ tiếp nhận trực tuyến", kind="int"),
            Column("reused_data", "Hồ sơ có tái sử dụng dữ liệu số hóa", kind="int"),
            Column("results_issued", "Kết quả giải quyết đã trả", kind="int"),
            Column("results_electronic", "Kết quả trả bản điện tử", kind="int"),
            Column("results_digitised", "Kết quả được số hóa", kind="int"),
            Column("survey_total", "Ý kiến đánh giá", kind="int"),
            Column("survey_satisfied", "Ý kiến hài lòng", kind="int"),
            Column("work_records_total", "Hồ sơ công việc", kind="int"),
            Column("work_records_classified", "Hồ sơ công việc mật", kind="int"),
            Column("work_records_online", "Hồ sơ công việc xử lý trên hệ thống", kind="int"),
        ),
        identity=("month", "year"),
        feeds=(
            "Chỉ tiêu kết quả TTHC được số hóa, mức độ hài lòng, tái sử dụng dữ liệu và hồ sơ công việc "
            "xử lý trên môi trường mạng."
        ),
        extra={"detail_panels": (rates_panel,)},
    )
)


RATE_LABELS = {key: label for key, label, *_ in RATES}


def _rate(key: str, owner, year: int, until) -> Computed:
    _, _, numerator, denominator, noun, of = next(r for r in RATES if r[0] == key)
    return summed_rate(months_counted(owner, year, until), numerator, denominator, noun=noun, of=of)


def months_counted(owner, year: int, until) -> list[ProcedureMonth]:
    """The commune's months of the plan year from January to the cut-off's month."""
    start, end = year_window(year, until)
    if end < start:
        return []
    return list(
        ProcedureMonth.objects.filter(owner_unit=owner, year=year, month__lte=end.month).order_by(
            "month", "pk"
        )
    )


def summed_rate(
    months: list[ProcedureMonth], numerator: Callable, denominator: Callable, *, noun, of
) -> Computed:
    """Σ numerator ÷ Σ denominator over the months, in %; the months are the rows."""
    num = sum(numerator(m) for m in months)
    den = sum(denominator(m) for m in months)
    value = (Decimal(num) * 100 / Decimal(den)).quantize(Decimal("0.01"), ROUND_HALF_UP) if den else None
    rows = [Row(f"{m}: {_share(numerator(m), denominator(m))}", m.get_absolute_url()) for m in months]
    if months:
        span = str(months[0]) if len(months) == 1 else f"{months[0]} đến {str(months[-1]).lower()}"
        method = (
            f"Cộng dồn {len(months)} tháng ({span}): {format_number(num)} {noun} "
            f"trên tổng số {format_number(den)} {of}."
        )
    else:
        method = "Chưa có số liệu tháng nào trong năm đến kỳ này."
    return Computed(value=value, numerator=Decimal(num), denominator=Decimal(den), rows=rows, method=method)


@computation(
    "ket_qua_tthc_so_hoa", RATE_LABELS["ket_qua_tthc_so_hoa"], models=(ProcedureMonth,), is_rate=True
)
def results_digitised(*, owner, year, until) -> Computed:
    """Σ kết quả được số hóa ÷ Σ kết quả giải quyết đã trả (CT07)."""
    return _rate("ket_qua_tthc_so_hoa", owner, year, until)


@computation("hai_long_tthc", RATE_LABELS["hai_long_tthc"], models=(ProcedureMonth,), is_rate=True)
def satisfaction(*, owner, year, until) -> Computed:
    """Σ ý kiến hài lòng ÷ Σ ý kiến đánh giá (CT08)."""
    return _rate("hai_long_tthc", owner, year, until)


@computation(
    "tai_su_dung_du_lieu_tthc",
    RATE_LABELS["tai_su_dung_du_lieu_tthc"],
    models=(ProcedureMonth,),
    is_rate=True,
)
def data_reuse(*, owner, year, until) -> Computed:
    """Σ hồ sơ có tái sử dụng dữ liệu số hóa ÷ Σ hồ sơ tiếp nhận (CT09)."""
    return _rate("tai_su_dung_du_lieu_tthc", owner, year, until)


@computation(
    "ho_so_cong_viec_truc_tuyen",
    RATE_LABELS["ho_so_cong_viec_truc_tuyen"],
    models=(ProcedureMonth,),
    is_rate=True,
)
def work_records_online(*, owner, year, until) -> Computed:
    """Σ hồ sơ công việc xử lý trên hệ thống ÷ Σ (hồ sơ công việc − hồ sơ mật) (CT05)."""
    return _rate("ho_so_cong_viec_truc_tuyen", owner, year, until)
