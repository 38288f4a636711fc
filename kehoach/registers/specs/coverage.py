"""Phủ sóng di động: the villages register (thôn, dân số) and 5G coverage per village; feeds CT04."""

from decimal import ROUND_HALF_UP, Decimal

from django.template.loader import render_to_string

from kehoach.core.templatetags.vn import format_number

from ..computations import Computed, Row, computation, year_window
from ..filters import Coverage5GFilter, VillageFilter
from ..forms import Coverage5GForm, VillageForm
from ..models import Coverage5G, Village
from ..models.coverage import village_in
from ..registry import Column, RegisterSpec, register


def _date(value) -> str:
    return f"{value:%d/%m/%Y}" if value else ""


def _operators(village: Village) -> str:
    coverages = sorted(village.coverages.all(), key=lambda c: (c.covered_from, c.operator))
    return "; ".join(f"{c.get_operator_display()} từ {c.covered_from:%d/%m/%Y}" for c in coverages)


def village_coverage_panel(request, obj: Village) -> str:
    coverages = obj.coverages.select_related("unit").order_by("covered_from", "operator")
    return render_to_string(
        "registers/panels/village_coverage.html", {"village": obj, "coverages": coverages}, request=request
    )


register(
    RegisterSpec(
        slug="thon",
        title="Thôn",
        model=Village,
        form_class=VillageForm,
        filterset_class=VillageFilter,
        list_columns=(
            ("Tên thôn", lambda o: o.name),
            ("Số dân", lambda o: format_number(o.population)),
            ("Số hộ", lambda o: format_number(o.households)),
            ("Số liệu tính đến", lambda o: _date(o.as_of)),
            ("Sóng 5G", _operators),
        ),
        columns=(
            Column("name", "Tên thôn", required=True),
            Column("population", "Số dân", kind="int"),
            Column("households", "Số hộ", kind="int"),
            Column("as_of", "Số liệu tính đến ngày", kind="date"),
            Column("unit", "Đơn vị", kind="unit"),
        ),
        identity=("name",),
        feeds="Dân số các thôn: mẫu số của chỉ tiêu tỷ lệ phủ sóng 5G.",
        prefetch_related=("coverages",),
        extra={"detail_panels": (village_coverage_panel,)},
    )
)

register(
    RegisterSpec(
        slug="phu-song-5g",
        title="Phủ sóng 5G",
        model=Coverage5G,
        form_class=Coverage5GForm,
        filterset_class=Coverage5GFilter,
        list_columns=(
            ("Thôn", lambda o: o.village.name),
            ("Nhà mạng", lambda o: o.get_operator_display()),
            ("Phủ sóng từ ngày", lambda o: _date(o.covered_from)),
            ("Dân số thôn", lambda o: format_number(o.village.population)),
            ("Đơn vị", lambda o: o.unit.short_name or o.unit.name),
        ),
        columns=(
            Column(
                "village",
                "Thôn",
                required=True,
                resolve=village_in,
                show=lambda village: village.name,
                help="Tên thôn như trong sổ thôn của xã, ví dụ Thôn Đông",
            ),
            Column("operator", "Nhà mạng", required=True, kind="choice"),
            Column("covered_from", "Phủ sóng từ ngày", required=True, kind="date"),
            Column("note", "Ghi chú"),
            Column("unit", "Đơn vị", kind="unit"),
        ),
        identity=("village", "operator"),
        feeds="Chỉ tiêu tỷ lệ phủ sóng 5G (dân số các thôn có sóng 5G ÷ dân số của xã).",
        select_related=("unit", "village"),
    )
)


@computation(
    "phu_song_5g",
    "Tỷ lệ phủ sóng 5G theo dân số các thôn",
    models=(Village, Coverage5G),
    is_rate=True,
)
def coverage_5g(*, owner, year, until) -> Computed:
    """Population of the villages with 5G from a date on or before the cut-off ÷ population of all villages.

    Villages without a population figure are counted in neither; the method names them.
    """
    _, end = year_window(year, until)
    villages = list(
        Village.objects.filter(owner_unit=owner).only("pk", "name", "population").order_by("name_key", "pk")
    )
    covered: dict[int, list[tuple]] = {}
    for village_id, operator, since in (
        Coverage5G.objects.filter(owner_unit=owner, covered_from__lte=end)
        .order_by("covered_from", "operator")
        .values_list("village_id", "operator", "covered_from")
    ):
        covered.setdefault(village_id, []).append((operator, since))
    known = [v for v in villages if v.population is not None]
    unknown = [v for v in villages if v.population is None]
    total = sum(v.population for v in known)
    labels = dict(Coverage5G._meta.get_field("operator").choices)
    rows = []
    numerator = 0
    for village in known:
        if village.pk not in covered:
            continue
        numerator += village.population
        since = ", ".join(f"{labels[op]} từ {day:%d/%m/%Y}" for op, day in covered[village.pk])
        rows.append(
            Row(
                f"{village.name}: {format_number(village.population)} người (5G: {since})",
                village.get_absolute_url(),
            )
        )
    value = (
        (Decimal(numerator) * 100 / Decimal(total)).quantize(Decimal("0.01"), ROUND_HALF_UP)
        if total
        else None
    )
    method = (
        f"Dân số {len(rows)} thôn có sóng 5G ({format_number(numerator)} người) trên tổng dân số "
        f"{len(known)} thôn của xã ({format_number(total)} người), tính đến ngày {end:%d/%m/%Y}."
    )
    if unknown:
        names = ", ".join(v.name for v in unknown)
        method += f" {len(unknown)} thôn chưa có số dân nên chưa được tính: {names}."
    if not villages:
        method = "Sổ thôn của xã chưa có thôn nào: chưa tính được tỷ lệ phủ sóng 5G."
    return Computed(
        value=value, numerator=Decimal(numerator), denominator=Decimal(total), rows=rows, method=method
    )
