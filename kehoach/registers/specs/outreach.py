"""Tuyên truyền: articles and broadcasts, and the community digital technology teams of the villages.

No indicator of the Hà Bắc plan is computed from these registers; the list of articles shows how many
ran in each series and each month.
"""

from django.db.models import Count, Sum
from django.db.models.functions import TruncMonth
from django.template.loader import render_to_string

from ..filters import CommunityTechTeamFilter, OutreachItemFilter
from ..forms import CommunityTechTeamForm, OutreachItemForm
from ..forms.outreach import TeamActivityForm, TeamMemberForm
from ..models import CommunityTechTeam, OutreachItem
from ..models.coverage import village_in
from ..permissions import can_keep
from ..registry import Column, RegisterSpec, register

SUMMARY_MONTHS = 12


def outreach_summary(request, queryset) -> str:
    """Counts of the filtered articles and broadcasts by series and by month (the last 12 months shown)."""
    rows = queryset.order_by()
    by_series = list(rows.values("series").annotate(n=Count("pk")).order_by("-n", "series"))
    by_month = list(
        rows.annotate(month=TruncMonth("date")).values("month").annotate(n=Count("pk")).order_by("-month")
    )[:SUMMARY_MONTHS]
    return render_to_string(
        "registers/panels/outreach_summary.html",
        {
            "total": sum(s["n"] for s in by_series),
            "by_series": by_series,
            "by_month": list(reversed(by_month)),
        },
        request=request,
    )


def outreach_file_panel(request, obj: OutreachItem) -> str:
    return render_to_string("registers/panels/outreach_file.html", {"item": obj}, request=request)


def team_panel(request, obj: CommunityTechTeam) -> str:
    members = list(obj.members.all())
    activities = list(obj.activities.all())
    return render_to_string(
        "registers/panels/team.html",
        {
            "team": obj,
            "members": members,
            "activities": activities,
            "people_reached": obj.activities.aggregate(n=Sum("people_reached"))["n"],
            "can_edit": can_keep(request.user, obj.unit),
            "member_form": TeamMemberForm(auto_id="id_member_%s"),
            "activity_form": TeamActivityForm(auto_id="id_activity_%s"),
        },
        request=request,
    )


register(
    RegisterSpec(
        slug="tuyen-truyen",
        title="Tuyên truyền",
        model=OutreachItem,
        form_class=OutreachItemForm,
        filterset_class=OutreachItemFilter,
        list_columns=(
            ("Tiêu đề", lambda o: o.title),
            ("Loại", lambda o: o.get_kind_display()),
            ("Ngày", lambda o: f"{o.date:%d/%m/%Y}"),
            ("Kênh", lambda o: o.channel),
            ("Chuyên mục", lambda o: o.series),
            ("Đơn vị", lambda o: o.unit.short_name or o.unit.name),
        ),
        columns=(
            Column("kind", "Loại", required=True, kind="choice"),
            Column("title", "Tiêu đề", required=True),
            Column("date", "Ngày đăng/phát", required=True, kind="date"),
            Column("channel", "Kênh", required=True, help="Ví dụ: Trang thông tin điện tử xã"),
            Column("series", "Chuyên mục", help="Ví dụ: Chuyển đổi số xã Hà Bắc"),
            Column("link", "Đường dẫn", help="Địa chỉ đầy đủ, bắt đầu bằng https://"),
            Column("unit", "Đơn vị", kind="unit"),
        ),
        identity=("title", "date", "channel"),
        feeds="Tin, bài, phóng sự tuyên truyền: chuyên mục “Chuyển đổi số xã Hà Bắc”, Cuộc thi viết thư UPU.",
        extra={"detail_panels": (outreach_file_panel,), "list_summary": outreach_summary},
    )
)

register(
    RegisterSpec(
        slug="to-cong-nghe-so",
        title="Tổ công nghệ số cộng đồng",
        model=CommunityTechTeam,
        form_class=CommunityTechTeamForm,
        filterset_class=CommunityTechTeamFilter,
        list_columns=(
            ("Tên tổ", lambda o: o.name),
            ("Thôn", lambda o: o.village.name),
            ("Ngày thành lập", lambda o: f"{o.established_on:%d/%m/%Y}" if o.established_on else ""),
            ("Quyết định", lambda o: o.decision_number),
            ("Thành viên", lambda o: len(o.members.all())),
            ("Hoạt động", lambda o: len(o.activities.all())),
        ),
        columns=(
            Column("name", "Tên tổ", required=True),
            Column(
                "village",
                "Thôn",
                required=True,
                resolve=village_in,
                show=lambda village: village.name,
                help="Tên thôn như trong sổ thôn của xã",
            ),
            Column("established_on", "Ngày thành lập", kind="date"),
            Column("decision_number", "Số quyết định thành lập"),
            Column("unit", "Đơn vị", kind="unit"),
        ),
        identity=("village",),
        feeds="Tổ công nghệ số cộng đồng của các thôn, thành viên và hoạt động.",
        select_related=("unit", "village"),
        prefetch_related=("members", "activities"),
        extra={"detail_panels": (team_panel,)},
    )
)
