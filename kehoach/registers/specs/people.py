"""Cán bộ và kỹ năng số: the roster, digital-skills courses with their learners, Bình dân học vụ số
completions, and the CT03 rate computed from them."""

from collections import defaultdict

from django.core.exceptions import PermissionDenied, ValidationError
from django.template import engines

from kehoach.core.templatetags.vn import format_number

from ..computations import Computed, Row, computation, ratio, year_window
from ..filters.people import (
    CourseAttendanceFilter,
    DigitalLiteracyCompletionFilter,
    DigitalSkillCourseFilter,
    OfficialFilter,
)
from ..forms.people import (
    CourseAttendanceForm,
    DigitalLiteracyCompletionForm,
    DigitalSkillCourseForm,
    OfficialForm,
)
from ..models.people import (
    CourseAttendance,
    DigitalLiteracyCompletion,
    DigitalSkillCourse,
    Official,
    OfficialCategory,
)
from ..permissions import can_keep
from ..registry import Column, RegisterSpec, register, spec_for


def _unit(unit) -> str:
    return unit.short_name or unit.name


def _date(day) -> str:
    return f"{day:%d/%m/%Y}" if day else ""


def _employment(o: Official) -> str:
    return "Đang công tác" if o.employed_until is None else f"Thôi công tác từ {_date(o.employed_until)}"


def _course_dates(c: DigitalSkillCourse) -> str:
    if not c.ends_on or c.ends_on == c.starts_on:
        return _date(c.starts_on)
    return f"{_date(c.starts_on)} – {_date(c.ends_on)}"


# Detail panels -----------------------------------------------------------------------------------

ATTENDANCE_PANEL = engines["django"].from_string(
    """<div class="card shadow-sm mt-3" id="hoc-vien">
  <div class="card-header d-flex justify-content-between flex-wrap gap-2">
    <span>Học viên: {{ rows|length }} người, {{ done }} hoàn thành</span>
    <a class="small no-print" href="{% url 'registers:list' 'hoc-vien-tap-huan' %}?course={{ course.pk }}">
      Danh sách, xuất và nhập từ tệp</a>
  </div>
  {% if notice %}<div class="alert alert-success m-2 mb-0" role="status">{{ notice }}</div>{% endif %}
  {% if error %}<div class="alert alert-danger m-2 mb-0" role="alert">{{ error }}</div>{% endif %}
  <div class="table-responsive"><table class="table table-sm mb-0">
    <thead class="table-light"><tr><th>Họ và tên</th><th>Đơn vị</th><th>Hoàn thành</th>
      {% if can_edit %}<th class="no-print"></th>{% endif %}</tr></thead>
    <tbody>
    {% for a in rows %}<tr>
      <td><a href="{{ a.official.get_absolute_url }}">{{ a.official.full_name }}</a></td>
      <td>{{ a.official.unit.short_name|default:a.official.unit.name }}</td>
      <td><a href="{{ a.get_absolute_url }}">{% if a.completed %}Có{% else %}Chưa{% endif %}</a></td>
      {% if can_edit %}<td class="text-end no-print">
        <form method="post" action="#hoc-vien" onsubmit="return confirm('Bỏ học viên này khỏi khóa?');">
          {% csrf_token %}<input type="hidden" name="panel" value="hoc-vien">
          <input type="hidden" name="action" value="remove">
          <input type="hidden" name="attendance" value="{{ a.pk }}">
          <button class="btn btn-outline-danger btn-sm" type="submit">Bỏ</button></form></td>{% endif %}
    </tr>{% empty %}<tr><td colspan="4" class="small-muted">Chưa có học viên.</td></tr>{% endfor %}
    </tbody>
  </table></div>
  {% if can_edit %}
  <form method="post" action="#hoc-vien"
    class="card-footer d-flex gap-2 flex-wrap align-items-center no-print">
    {% csrf_token %}<input type="hidden" name="panel" value="hoc-vien">
    <input type="hidden" name="action" value="add">
    <label class="visually-hidden" for="id_attendance_official">Cán bộ</label>
    <select class="form-select form-select-sm" name="official" id="id_attendance_official"
      style="max-width: 28rem">
      <option value="">— Chọn cán bộ —</option>
      {% for o in candidates %}<option value="{{ o.pk }}">{{ o.full_name }}
        ({{ o.unit.short_name|default:o.unit.name }})</option>{% endfor %}
    </select>
    <div class="form-check"><input class="form-check-input" type="checkbox" name="completed" value="1"
      id="id_attendance_completed" checked><label class="form-check-label" for="id_attendance_completed">
      Hoàn thành</label></div>
    <button class="btn btn-outline-primary btn-sm" type="submit">Thêm học viên</button>
  </form>
  {% endif %}
</div>"""
)


def _attendance_post(request, course: DigitalSkillCourse) -> tuple[str, str]:
    """Add or remove a learner from the course page; returns (notice, error)."""
    from ..services.rows import row_delete, row_save

    if not can_keep(request.user, course.unit):
        raise PermissionDenied(f"Chỉ cán bộ của {course.unit} mới được cập nhật học viên của khóa này.")
    spec = spec_for("hoc-vien-tap-huan")
    if request.POST.get("action") == "remove":
        attendance = (
            CourseAttendance.objects.filter(course=course, pk=request.POST.get("attendance") or 0)
            .select_related("official", "unit")
            .first()
        )
        if attendance is None:
            return "", "Học viên này không còn trong danh sách."
        row_delete(actor=request.user, spec=spec, instance=attendance)
        return f"Đã bỏ {attendance.official.full_name} khỏi danh sách học viên.", ""
    official_pk = request.POST.get("official") or ""
    official = (
        Official.objects.filter(owner_unit=course.owner_unit, pk=official_pk).first()
        if official_pk.isdigit()
        else None
    )
    if official is None:
        return "", "Chưa chọn cán bộ."
    data = {
        "course": course,
        "official": official,
        "completed": bool(request.POST.get("completed")),
        "unit": course.unit,
    }
    try:
        row_save(actor=request.user, spec=spec, data=data)
    except ValidationError as error:
        return "", " ".join(error.messages)
    return f"Đã thêm {official.full_name} vào danh sách học viên.", ""


def attendance_panel(request, course: DigitalSkillCourse) -> str:
    """The course's learners, with a small form to add (from the roster) or remove one."""
    notice = error = ""
    if request.method == "POST" and request.POST.get("panel") == "hoc-vien":
        notice, error = _attendance_post(request, course)
    rows = list(
        CourseAttendance.objects.filter(course=course)
        .select_related("official__unit")
        .order_by("official__full_name", "pk")
    )
    can_edit = can_keep(request.user, course.unit)
    candidates = []
    if can_edit:
        listed = {a.official_id for a in rows}
        candidates = [
            o
            for o in Official.objects.filter(
                owner_unit=course.owner_unit, employed_from__lte=course.ends_on or course.starts_on
            )
            .exclude(employed_until__lt=course.starts_on)
            .select_related("unit")
            .order_by("full_name", "pk")
            if o.pk not in listed
        ]
    context = {
        "course": course,
        "rows": rows,
        "done": sum(1 for a in rows if a.completed),
        "can_edit": can_edit,
        "candidates": candidates,
        "notice": notice,
        "error": error,
    }
    return ATTENDANCE_PANEL.render(context, request)


TRAINING_PANEL = engines["django"].from_string(
    """<div class="card shadow-sm mt-3" id="tap-huan">
  <div class="card-header">Tập huấn, bồi dưỡng kỹ năng số</div>
  <ul class="list-group list-group-flush">
  {% for a in attendances %}<li class="list-group-item">
    <a href="{{ a.course.get_absolute_url }}">{{ a.course.title }}</a>
    <span class="small-muted">({{ a.course.starts_on|date:"d/m/Y" }}
      {% if a.course.ends_on != a.course.starts_on %}– {{ a.course.ends_on|date:"d/m/Y" }}{% endif %})
      {% if not a.completed %}, chưa hoàn thành{% endif %}</span>
  </li>{% endfor %}
  {% for c in completions %}<li class="list-group-item">
    <a href="{{ c.get_absolute_url }}">{{ c.platform }}: {{ c.module }}</a>
    <span class="small-muted">(hoàn thành {{ c.completed_on|date:"d/m/Y" }})</span>
  </li>{% endfor %}
  {% if not attendances and not completions %}<li class="list-group-item small-muted">
    Chưa có khóa tập huấn hay kết quả Bình dân học vụ số nào.</li>{% endif %}
  </ul>
</div>"""
)


def training_panel(request, official: Official) -> str:
    """An official's digital-skills courses and Bình dân học vụ số completions."""
    attendances = official.attendances.select_related("course").order_by("-course__starts_on", "pk")
    completions = official.literacy_completions.order_by("-completed_on", "pk")
    return TRAINING_PANEL.render({"attendances": attendances, "completions": completions}, request)


# Specs -------------------------------------------------------------------------------------------

FEEDS = "Chỉ tiêu tỷ lệ cán bộ, công chức, viên chức được tập huấn, bồi dưỡng kỹ năng số."

register(
    RegisterSpec(
        slug="can-bo",
        title="Cán bộ, công chức, viên chức",
        model=Official,
        form_class=OfficialForm,
        filterset_class=OfficialFilter,
        list_columns=(
            ("Họ và tên", lambda o: o.full_name),
            ("Đơn vị", lambda o: _unit(o.unit)),
            ("Chức vụ", lambda o: o.position),
            ("Phân loại", lambda o: o.get_category_display()),
            ("Bắt đầu công tác", lambda o: _date(o.employed_from)),
            ("Tình trạng", _employment),
        ),
        columns=(
            Column("full_name", "Họ và tên", required=True),
            Column("code", "Mã cán bộ", help="Mã số cán bộ, công chức nếu có; không trùng trong xã"),
            Column("birth_date", "Ngày sinh", kind="date"),
            Column("unit", "Đơn vị", kind="unit"),
            Column("position", "Chức vụ, vị trí việc làm"),
            Column(
                "category",
                "Phân loại",
                required=True,
                kind="choice",
                help="Cán bộ, Công chức, Viên chức hoặc Người lao động",
            ),
            Column("employed_from", "Ngày bắt đầu công tác", required=True, kind="date"),
            Column("employed_until", "Ngày thôi công tác", kind="date", help="Để trống nếu đang công tác"),
        ),
        identity=("full_name", "birth_date"),
        feeds=FEEDS,
        extra={"detail_panels": (training_panel,)},
    )
)

register(
    RegisterSpec(
        slug="tap-huan-ky-nang-so",
        title="Tập huấn kỹ năng số",
        model=DigitalSkillCourse,
        form_class=DigitalSkillCourseForm,
        filterset_class=DigitalSkillCourseFilter,
        list_columns=(
            ("Tên khóa tập huấn", lambda c: c.title),
            ("Thời gian", _course_dates),
            ("Hình thức", lambda c: c.get_form_display()),
            ("Số giờ", lambda c: format_number(c.hours)),
            ("Đơn vị tổ chức", lambda c: c.organiser),
            ("Học viên", lambda c: len(c.attendances.all())),
        ),
        columns=(
            Column("title", "Tên khóa tập huấn", required=True),
            Column("unit", "Đơn vị", kind="unit"),
            Column("organiser", "Đơn vị tổ chức"),
            Column("starts_on", "Ngày bắt đầu", required=True, kind="date"),
            Column("ends_on", "Ngày kết thúc", kind="date", help="Để trống nếu khóa học trong một ngày"),
            Column("hours", "Số giờ", kind="decimal"),
            Column("evidence", "Minh chứng"),
            Column("form", "Hình thức", kind="choice", help="Trực tiếp hoặc Trực tuyến"),
        ),
        identity=("title", "starts_on"),
        feeds=FEEDS,
        prefetch_related=("attendances",),
        extra={"detail_panels": (attendance_panel,)},
    )
)

register(
    RegisterSpec(
        slug="hoc-vien-tap-huan",
        title="Học viên tập huấn kỹ năng số",
        model=CourseAttendance,
        form_class=CourseAttendanceForm,
        filterset_class=CourseAttendanceFilter,
        list_columns=(
            ("Họ và tên", lambda a: a.official.full_name),
            ("Đơn vị", lambda a: _unit(a.official.unit)),
            ("Khóa tập huấn", lambda a: a.course.title),
            ("Thời gian", lambda a: _course_dates(a.course)),
            ("Hoàn thành", lambda a: "Có" if a.completed else "Chưa"),
        ),
        columns=(
            Column("course_title", "Khóa học", required=True, help="Tên khóa tập huấn như trong sổ"),
            Column(
                "course_starts_on",
                "Ngày bắt đầu khóa học",
                kind="date",
                help="Chỉ cần khi có nhiều khóa cùng tên",
            ),
            Column("official_name", "Họ và tên", required=True, help="Như trong danh sách cán bộ của xã"),
            Column(
                "official_unit", "Đơn vị", kind="unit", help="Đơn vị công tác, để phân biệt người trùng tên"
            ),
            Column("completed", "Hoàn thành", kind="bool"),
        ),
        identity=("course", "official"),
        feeds=FEEDS,
        select_related=("unit", "course", "official__unit"),
    )
)

register(
    RegisterSpec(
        slug="binh-dan-hoc-vu-so",
        title="Kết quả Bình dân học vụ số",
        model=DigitalLiteracyCompletion,
        form_class=DigitalLiteracyCompletionForm,
        filterset_class=DigitalLiteracyCompletionFilter,
        list_columns=(
            ("Họ và tên", lambda c: c.full_name),
            ("Khóa học, học phần", lambda c: c.module),
            ("Ngày hoàn thành", lambda c: _date(c.completed_on)),
            ("Nền tảng", lambda c: c.platform),
            (
                "Cán bộ trong danh sách",
                lambda c: f"{c.official.full_name} ({_unit(c.official.unit)})" if c.official else "Chưa khớp",
            ),
        ),
        columns=(
            Column("full_name", "Họ và tên", required=True),
            Column("birth_date", "Ngày sinh", kind="date", help="Giúp khớp đúng người khi trùng tên"),
            Column("module", "Học phần/khóa học", required=True),
            Column("completed_on", "Ngày hoàn thành", required=True, kind="date"),
            Column("platform", "Nền tảng", help="Để trống là Bình dân học vụ số"),
            Column("certificate", "Số chứng nhận"),
            Column("unit", "Đơn vị", kind="unit"),
        ),
        identity=("full_name", "module", "completed_on"),
        feeds=FEEDS,
        select_related=("unit", "official__unit"),
    )
)


# Computation -------------------------------------------------------------------------------------


@computation(
    "can_bo_tap_huan_ky_nang_so",
    "Cán bộ, công chức, viên chức được tập huấn, bồi dưỡng kỹ năng số",
    models=(Official, DigitalSkillCourse, CourseAttendance, DigitalLiteracyCompletion),
    is_rate=True,
)
def officials_trained(*, owner, year, until, include_workers: bool = False) -> Computed:
    """Distinct officials in post at the cut-off who, from 1 January to the cut-off, completed a
    digital-skills course (counted on its last day) or a Bình dân học vụ số module, ÷ officials in post
    at the cut-off. Người lao động are left out unless the binding says include_workers."""
    start, end = year_window(year, until)
    employed = Official.objects.filter(owner_unit=owner).employed_on(end)
    if not include_workers:
        employed = employed.exclude(category=OfficialCategory.WORKER)
    officials = list(employed.select_related("unit").order_by("full_name", "pk"))
    evidence: dict[int, list[str]] = defaultdict(list)
    if start <= end:
        attended = (
            CourseAttendance.objects.filter(
                owner_unit=owner, completed=True, course__ends_on__gte=start, course__ends_on__lte=end
            )
            .select_related("course")
            .order_by("course__ends_on", "pk")
        )
        for a in attended:
            evidence[a.official_id].append(f"{a.course.title} ({_date(a.course.ends_on)})")
        completions = DigitalLiteracyCompletion.objects.filter(
            owner_unit=owner, official__isnull=False, completed_on__gte=start, completed_on__lte=end
        ).order_by("completed_on", "pk")
        for c in completions:
            evidence[c.official_id].append(f"{c.platform}: {c.module} ({_date(c.completed_on)})")
    rows = [
        Row(f"{o.full_name} ({_unit(o.unit)}): {'; '.join(evidence[o.pk])}", o.get_absolute_url())
        for o in officials
        if o.pk in evidence
    ]
    return ratio(
        rows,
        len(officials),
        noun="cán bộ, công chức, viên chức được tập huấn, bồi dưỡng kỹ năng số",
        of=f"cán bộ, công chức, viên chức đang công tác ngày {_date(end)}",
    )
