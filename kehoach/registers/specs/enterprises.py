"""Chương trình đảm bảo đo lường: enterprises and the programme's steps they went through; feeds CT10."""

from django.db.models import Min, Q
from django.template.loader import render_to_string

from ..computations import Computed, Row, computation, count, year_window
from ..filters import EnterpriseFilter, ProgrammeStepFilter
from ..forms import EnterpriseForm, ProgrammeStepForm
from ..forms.enterprises import StepPanelForm
from ..models import Enterprise, ProgrammeStep, ProgrammeStepKind
from ..models.enterprises import enterprise_by_tax_code
from ..permissions import can_keep
from ..registry import Column, RegisterSpec, register


def _latest_step(enterprise: Enterprise) -> str:
    steps = sorted(enterprise.programme_steps.all(), key=lambda s: (s.date, s.pk))
    if not steps:
        return "Chưa có bước nào"
    last = steps[-1]
    return f"{last.get_step_display()} ({last.date:%d/%m/%Y})"


def steps_panel(request, obj: Enterprise) -> str:
    steps = obj.programme_steps.select_related("unit").order_by("date", "pk")
    return render_to_string(
        "registers/panels/enterprise_steps.html",
        {
            "enterprise": obj,
            "steps": steps,
            "can_edit": can_keep(request.user, obj.unit),
            "form": StepPanelForm(auto_id="id_step_%s"),
            "done": {s.step for s in steps},
            "all_steps": ProgrammeStepKind.choices,
        },
        request=request,
    )


register(
    RegisterSpec(
        slug="doanh-nghiep",
        title="Doanh nghiệp (Chương trình đảm bảo đo lường)",
        model=Enterprise,
        form_class=EnterpriseForm,
        filterset_class=EnterpriseFilter,
        list_columns=(
            ("Tên doanh nghiệp", lambda o: o.name),
            ("Mã số thuế", lambda o: o.tax_code),
            ("Ngành nghề", lambda o: o.sector),
            ("Bước gần nhất", _latest_step),
            ("Đơn vị", lambda o: o.unit.short_name or o.unit.name),
        ),
        columns=(
            Column("name", "Tên doanh nghiệp", required=True),
            Column(
                "tax_code",
                "Mã số thuế",
                required=True,
                help="10 chữ số, hoặc 10 chữ số-3 chữ số; định dạng ô là Văn bản để giữ số 0 đầu",
            ),
            Column("address", "Địa chỉ"),
            Column("sector", "Ngành nghề"),
            Column("contact", "Người liên hệ/điện thoại"),
            Column("unit", "Đơn vị", kind="unit"),
        ),
        identity=("tax_code",),
        feeds="Chỉ tiêu số doanh nghiệp được hỗ trợ triển khai Chương trình đảm bảo đo lường.",
        prefetch_related=("programme_steps",),
        extra={"detail_panels": (steps_panel,)},
    )
)

register(
    RegisterSpec(
        slug="buoc-dam-bao-do-luong",
        title="Các bước Chương trình đảm bảo đo lường",
        model=ProgrammeStep,
        form_class=ProgrammeStepForm,
        filterset_class=ProgrammeStepFilter,
        list_columns=(
            ("Doanh nghiệp", lambda o: o.enterprise.name),
            ("Mã số thuế", lambda o: o.enterprise.tax_code),
            ("Bước", lambda o: o.get_step_display()),
            ("Ngày", lambda o: f"{o.date:%d/%m/%Y}"),
            ("Văn bản", lambda o: o.document),
        ),
        columns=(
            Column(
                "enterprise",
                "Mã số thuế",
                required=True,
                resolve=enterprise_by_tax_code,
                show=lambda enterprise: enterprise.tax_code,
                help="Mã số thuế của doanh nghiệp đã có trong sổ doanh nghiệp của xã",
            ),
            Column("step", "Bước", required=True, kind="choice"),
            Column("date", "Ngày", required=True, kind="date"),
            Column("document", "Văn bản"),
            Column("unit", "Đơn vị", kind="unit"),
        ),
        identity=("enterprise", "step", "date"),
        feeds="Chỉ tiêu số doanh nghiệp triển khai Chương trình đảm bảo đo lường (bước Triển khai).",
        select_related=("unit", "enterprise"),
    )
)


@computation(
    "doanh_nghiep_dam_bao_do_luong",
    "Doanh nghiệp được hỗ trợ triển khai Chương trình đảm bảo đo lường",
    models=(Enterprise, ProgrammeStep),
)
def measurement_assurance(*, owner, year, until) -> Computed:
    """Enterprises of the commune with a "Triển khai" step dated from 1 January to the cut-off."""
    start, end = year_window(year, until)
    in_window = Q(
        programme_steps__step=ProgrammeStepKind.IMPLEMENTATION,
        programme_steps__date__gte=start,
        programme_steps__date__lte=end,
    )
    enterprises = (
        Enterprise.objects.filter(owner_unit=owner)
        .annotate(started=Min("programme_steps__date", filter=in_window))
        .filter(started__isnull=False)
        .order_by("started", "name", "pk")
        .only("pk", "name", "tax_code")
    )
    rows = [
        Row(f"{e.name} (MST {e.tax_code}): triển khai từ {e.started:%d/%m/%Y}", e.get_absolute_url())
        for e in enterprises
    ]
    return count(rows, noun="doanh nghiệp triển khai Chương trình đảm bảo đo lường trong năm")
