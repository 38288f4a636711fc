from ..filters import InitiativeFilter
from ..forms import InitiativeForm
from ..models import Initiative
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
