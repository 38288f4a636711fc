from ..computations import Computed, Row, computation, count, year_window
from ..filters import InitiativeFilter
from ..forms import InitiativeForm
from ..models import Initiative, InitiativeScope, InitiativeStatus
from ..registry import Column, RegisterSpec, register

register(
    RegisterSpec(
        slug="sang-kien",
        title="Sáng kiến",
        model=Initiative,
        form_class=InitiativeForm,
        filterset_class=InitiativeFilter,
        list_columns=(
            ("Tên sáng kiến", lambda o: o.title),
            ("Tác giả", lambda o: o.authors),
            ("Đơn vị", lambda o: o.unit.short_name or o.unit.name),
            ("Trạng thái", lambda o: o.get_status_display()),
            ("Phạm vi", lambda o: o.get_scope_display()),
            ("Quyết định", lambda o: o.decision_number),
        ),
        columns=(
            Column("title", "Tên sáng kiến", required=True),
            Column("authors", "Tác giả", required=True),
            Column("unit", "Đơn vị", kind="unit"),
            Column("field", "Lĩnh vực"),
            Column("description", "Mô tả"),
            Column("applied_on", "Ngày áp dụng", kind="date"),
            Column("score_novelty", "Điểm tính mới", kind="decimal"),
            Column("score_applicability", "Điểm khả năng áp dụng", kind="decimal"),
            Column("score_effectiveness", "Điểm hiệu quả", kind="decimal"),
            Column("status", "Trạng thái", kind="choice"),
            Column("scope", "Phạm vi ảnh hưởng", kind="choice"),
            Column("decision_number", "Số quyết định công nhận"),
            Column("decision_date", "Ngày quyết định", kind="date"),
            Column("decision_issuer", "Cơ quan công nhận"),
        ),
        identity=("decision_number", "title"),
        feeds="Chỉ tiêu số sáng kiến được công nhận (phạm vi xã, phạm vi thành phố).",
    )
)


def _recognised(owner, year, until, scope: str) -> list[Row]:
    start, end = year_window(year, until)
    rows = (
        Initiative.objects.filter(
            owner_unit=owner,
            status=InitiativeStatus.RECOGNISED,
            scope=scope,
            decision_date__gte=start,
            decision_date__lte=end,
        )
        .order_by("decision_date", "pk")
        .only("pk", "title", "decision_number", "decision_date")
    )
    return [
        Row(f"{i.title} (QĐ {i.decision_number}, {i.decision_date:%d/%m/%Y})", i.get_absolute_url())
        for i in rows
    ]


@computation("sang_kien_cap_xa", "Sáng kiến được công nhận, phạm vi ảnh hưởng cấp xã", models=(Initiative,))
def initiatives_commune(*, owner, year, until) -> Computed:
    return count(
        _recognised(owner, year, until, InitiativeScope.COMMUNE), noun="sáng kiến được công nhận cấp xã"
    )


@computation(
    "sang_kien_cap_thanh_pho",
    "Sáng kiến được công nhận, phạm vi ảnh hưởng cấp thành phố",
    models=(Initiative,),
)
def initiatives_city(*, owner, year, until) -> Computed:
    return count(
        _recognised(owner, year, until, InitiativeScope.CITY), noun="sáng kiến được công nhận cấp thành phố"
    )
