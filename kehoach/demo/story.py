"""The demo's story: plan 97/KH-UBND of xã Hà Bắc lived from January up to today.

A fresh `kehoach demo` must show the product at work rather than an empty plan: units reporting and
đầu mối reviewing in every period whose cut-off has passed, a report returned for missing evidence, one
waiting for review, a unit late with its report; the city's plan arriving and the three tasks waiting on
it running (one done on time, one overdue, one held by the second of its two lead units); a task falling
behind the year; registers feeding the computed indicators; each period's report issued with its number.

Everything is written by the services with the demo accounts as actors, so the audit trail,
notifications, task statuses and computed figures are exactly the ones real use produces. Days are
either fixed days of the plan's year, kept only when they are not after today, or offsets from today
(the city's plan), so the story reads true on whichever day the demo is loaded. Nothing is random.
"""

import ctypes
import datetime
import io
import textwrap
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from kehoach.core.templatetags.vn import format_number
from kehoach.documents.document import place_date
from kehoach.plans.choices import BudgetSource, DeadlineKind
from kehoach.plans.models import Plan, Task
from kehoach.plans.selectors import tasks_with_units
from kehoach.plans.services.tasks import task_save, trigger_record
from kehoach.registers.models import (
    DigitalSkillCourse,
    Enterprise,
    InitiativeScope,
    InitiativeStatus,
    Official,
    Operator,
    ProgrammeStepKind,
    Village,
)
from kehoach.registers.models.people import CourseForm, OfficialCategory
from kehoach.registers.registry import spec_for
from kehoach.registers.services import rows as register_rows
from kehoach.registers.services.computed import refresh_plan
from kehoach.registers.services.rows import row_save
from kehoach.reports.services import report_create, report_issue, report_submit, report_update
from kehoach.tracking.choices import Assessment, PeriodKind
from kehoach.tracking.models import Period, ProgressReport
from kehoach.tracking.selectors import indicator_rows
from kehoach.tracking.services.evidence import evidence_add
from kehoach.tracking.services.progress import (
    progress_report_accept,
    progress_report_open,
    progress_report_return,
    progress_report_save,
    progress_report_submit,
)
from kehoach.units.models import Unit, User

CITY = "Ủy ban nhân dân thành phố Hải Phòng"
VHXH = "Phòng Văn hóa - Xã hội"
VP = "Văn phòng Hội đồng nhân dân và Ủy ban nhân dân"
KT = "Phòng Kinh tế"
CA = "Công an xã"
PVHCC = "Trung tâm Phục vụ Hành chính công"
DVSNC = "Trung tâm Dịch vụ sự nghiệp công"
MTTQ = "Ủy ban Mặt trận Tổ quốc Việt Nam xã"

# Who writes for each unit (the demo accounts, see demo/services.py).
CLERKS = {
    VHXH: "vhxh",
    VP: "vanphong",
    KT: "kinhte",
    CA: "congan",
    PVHCC: "pvhcc",
    DVSNC: "dvsnc",
    MTTQ: "mttq",
}
COORDINATOR = "daumoi"
LEADER = "lanhdao"

# The unit that lets the latest period's cut-off pass without sending anything.
LATE_UNIT = DVSNC

Q1, Q2, H1, Q3, Q4 = ("quy", 1), ("quy", 2), ("6thang", 1), ("quy", 3), ("quy", 4)

# What happens to a report once written.
ACCEPTED, RETURNED, SUBMITTED, FIXED = "accepted", "returned", "submitted", "fixed"

# The city's plan the three conditional tasks wait for, recorded this many days before today; with the
# default 30-day lead time the tasks fall due about 45 days ago.
TRIGGER_DAYS_AGO = 75
CITY_PLAN = {
    "document_number": "215/KH-UBND",
    "document_issuer": CITY,
    "document_title": (
        "Kế hoạch phát triển khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số thành phố Hải Phòng "
        "giai đoạn 2026 - 2030"
    ),
}


@dataclass(frozen=True)
class Doc:
    """An evidence file: a one-page PDF made here, reading like the document it stands for."""

    name: str
    description: str
    lines: tuple[str, ...]
    is_output: bool = False


@dataclass(frozen=True)
class Part:
    """What one unit writes about one task for one period, and what đầu mối does with it."""

    percent: int
    results: str
    outputs: str = ""
    difficulties: str = ""
    proposals: str = ""
    next_steps: str = ""
    docs: tuple[Doc, ...] = ()
    outcome: str = ACCEPTED
    # Why đầu mối sends it back; with FIXED the unit then attaches `fix` and sends it again.
    reason: str = ""
    fix: Doc | None = None
    completed_on: datetime.date | None = None


@dataclass
class Story:
    plan: Plan
    today: datetime.date
    people: dict[str, User]
    units: dict[str, Unit]
    counts: Counter = field(default_factory=Counter)

    def clerk(self, unit: str) -> User:
        return self.people[CLERKS[unit]]


def tell_story(*, plan: Plan, today: datetime.date) -> dict[str, int]:
    """Play the plan's year up to `today`; returns how many of each thing it created.

    Needs the demo accounts (demo.services.demo_people) and the plan's periods and indicator bindings.
    """
    story = Story(
        plan=plan,
        today=today,
        people={
            u.username: u for u in User.objects.filter(username__in=[*CLERKS.values(), COORDINATOR, LEADER])
        },
        units={u.name: u for u in Unit.objects.subtree_of(plan.owner_unit)},
    )
    if today < datetime.date(plan.year, 1, 1):
        return {}
    _budgets(story)
    with _one_recompute_at_the_end():
        _registers(story)
    story.counts["computed_figures"] = refresh_plan(plan=plan)
    _city_plan(story)
    _progress(story)
    _periodic_reports(story)
    return dict(story.counts)


# Budgets ------------------------------------------------------------------------------------------

BUDGETS = {
    4: (
        5_000_000,
        BudgetSource.RECURRENT,
        "In ấn thể lệ, tài liệu tuyên truyền; khen thưởng học sinh đạt giải.",
    ),
    5: (
        30_000_000,
        BudgetSource.RECURRENT,
        "Duy trì đường truyền, chữ ký số, thiết bị tại Bộ phận Một cửa và các điểm wifi công cộng.",
    ),
    6: (
        15_000_000,
        BudgetSource.COMMUNE,
        "Mở lớp hướng dẫn kỹ năng số cho người dân tại nhà văn hóa các thôn.",
    ),
    7: (
        25_000_000,
        BudgetSource.COMMUNE,
        "Thuê tư vấn cập nhật hệ thống quản lý chất lượng, đánh giá nội bộ.",
    ),
}


def _budgets(s: Story) -> None:
    """The planned budgets đầu mối records on the tasks that carry one."""
    tasks = tasks_with_units(Task.objects.filter(plan=s.plan, position__in=list(BUDGETS)))
    for task in tasks:
        amount, source, note = BUDGETS[task.position]
        task_save(
            actor=s.people[COORDINATOR],
            plan=s.plan,
            task=task,
            data={"budget_amount": amount, "budget_source": source, "budget_note": note},
            lead_units=task.lead_units,
            coordinating_units=task.coordinating_units,
            trigger=task.trigger,
        )
        s.counts["budgets"] += 1


# Registers ----------------------------------------------------------------------------------------


@contextmanager
def _one_recompute_at_the_end() -> Iterator[None]:
    """Each register write queues a recompute of the plan's computed indicators for after the commit; the
    story writes some hundred rows in one transaction, so it recomputes once itself instead of once per row.
    Loading the demo is a command of its own, so nothing else writes registers meanwhile."""
    listeners = list(register_rows.ON_CHANGE)
    register_rows.ON_CHANGE.clear()
    try:
        yield
    finally:
        register_rows.ON_CHANGE[:] = listeners


def _row(s: Story, slug: str, unit: str, data: dict[str, Any], *, on: datetime.date | None = None):
    """Add a register row kept by `unit`, unless the day it records is still to come."""
    if on is not None and on > s.today:
        return None
    obj = row_save(actor=s.clerk(unit), spec=spec_for(slug), data={**data, "unit": s.units[unit]})
    s.counts[f"register:{slug}"] += 1
    return obj


def _registers(s: Story) -> None:
    _initiatives(s)
    _officials_and_training(s)
    _villages_and_5g(s)
    _procedures(s)
    _periodic_reports_due(s)
    _enterprises(s)
    _products(s)


def _d(s: Story, month: int, day: int) -> datetime.date:
    return datetime.date(s.plan.year, month, day)


INITIATIVES = [
    # (title, authors, field, applied on, decision day, scope, decision number)
    (
        "Ứng dụng mã QR tra cứu tình trạng hồ sơ thủ tục hành chính tại Bộ phận Một cửa",
        "Đỗ Thị Mai, Trần Văn Long",
        "Cải cách hành chính",
        (1, 5),
        (3, 10),
        InitiativeScope.COMMUNE,
        "35/QĐ-UBND",
    ),
    (
        "Ứng dụng bản đồ số quản lý vùng trồng vải thiều xã Hà Bắc",
        "Nguyễn Văn Thành, Phạm Quốc Việt",
        "Nông nghiệp, chuyển đổi số",
        (2, 2),
        (4, 28),
        InitiativeScope.CITY,
        "1520/QĐ-UBND",
    ),
    (
        "Số hóa sổ hộ tịch giai đoạn 1995 - 2010 phục vụ khai thác dữ liệu điện tử",
        "Vũ Thị Hồng Nhung",
        "Hộ tịch, chuyển đổi số",
        (3, 2),
        (5, 25),
        InitiativeScope.COMMUNE,
        "82/QĐ-UBND",
    ),
    (
        "Nhóm Zalo của Tổ công nghệ số cộng đồng hỗ trợ người dân nộp hồ sơ trực tuyến",
        "Lê Văn Minh",
        "Chuyển đổi số",
        (4, 1),
        (8, 20),
        InitiativeScope.COMMUNE,
        "126/QĐ-UBND",
    ),
    (
        "Kết nối dữ liệu hộ tịch điện tử với Cơ sở dữ liệu quốc gia về dân cư ngay khi đăng ký",
        "Vũ Thị Hồng Nhung, Vũ Đức Thắng",
        "Hộ tịch, Đề án 06",
        (4, 15),
        (9, 5),
        InitiativeScope.CITY,
        "2680/QĐ-UBND",
    ),
    (
        "Tiếp nhận và trả kết quả hồ sơ đất đai qua dịch vụ bưu chính công ích",
        "Bùi Thị Lý",
        "Cải cách hành chính",
        (6, 1),
        (11, 25),
        InitiativeScope.COMMUNE,
        "181/QĐ-UBND",
    ),
    (
        "Bảng theo dõi tiến độ nhiệm vụ UBND xã giao trên bảng tính dùng chung",
        "Hoàng Thị Ngọc",
        "Văn phòng",
        (5, 4),
        (11, 25),
        InitiativeScope.COMMUNE,
        "181/QĐ-UBND",
    ),
    (
        "Mô hình chợ thanh toán không dùng tiền mặt tại chợ xã",
        "Lê Thị Thu Trang",
        "Thương mại, chuyển đổi số",
        (6, 10),
        (11, 25),
        InitiativeScope.COMMUNE,
        "181/QĐ-UBND",
    ),
    (
        "Sổ tay hướng dẫn sử dụng ứng dụng VNeID bằng hình ảnh cho người cao tuổi",
        "Ngô Thị Thu, Phạm Văn Tiến",
        "Chuyển đổi số, Đề án 06",
        (7, 1),
        (11, 25),
        InitiativeScope.COMMUNE,
        "181/QĐ-UBND",
    ),
]

PENDING_INITIATIVES = [
    # (title, authors, field, registered on, status)
    (
        "Nhắc lịch tiêm chủng cho trẻ em qua tin nhắn Zalo của trạm y tế",
        "Nguyễn Thị Hằng",
        "Y tế",
        (7, 20),
        InitiativeStatus.EVALUATING,
    ),
    (
        "Tủ sách điện tử tại nhà văn hóa thôn",
        "Nguyễn Thị Bích Ngọc",
        "Văn hóa",
        (9, 28),
        InitiativeStatus.REGISTERED,
    ),
]


def _initiatives(s: Story) -> None:
    for title, authors, area, applied, decided, scope, number in INITIATIVES:
        city = scope == InitiativeScope.CITY
        _row(
            s,
            "sang-kien",
            VHXH,
            {
                "title": title,
                "authors": authors,
                "field": area,
                "applied_on": _d(s, *applied),
                "status": InitiativeStatus.RECOGNISED,
                "scope": scope,
                "decision_number": number,
                "decision_date": _d(s, *decided),
                "decision_issuer": CITY if city else "Ủy ban nhân dân xã Hà Bắc",
            },
            on=_d(s, *decided),
        )
    for title, authors, area, registered, status in PENDING_INITIATIVES:
        _row(
            s,
            "sang-kien",
            VHXH,
            {"title": title, "authors": authors, "field": area, "status": status},
            on=_d(s, *registered),
        )


OFFICIALS = [
    # (unit, name, birth date, position, category, employed from)
    (
        VHXH,
        "Phạm Văn Đức",
        "1978-04-12",
        "Trưởng phòng Văn hóa - Xã hội",
        OfficialCategory.CIVIL_SERVANT,
        "2004-09-01",
    ),
    (VHXH, "Nguyễn Thị Hằng", "1984-10-03", "Phó Trưởng phòng", OfficialCategory.CIVIL_SERVANT, "2008-03-01"),
    (
        VHXH,
        "Trần Thị Hương",
        "1988-06-21",
        "Công chức Văn hóa - Xã hội",
        OfficialCategory.CIVIL_SERVANT,
        "2012-08-01",
    ),
    (
        VHXH,
        "Lê Văn Minh",
        "1992-02-14",
        "Công chức Văn hóa - Xã hội",
        OfficialCategory.CIVIL_SERVANT,
        "2016-10-01",
    ),
    (VHXH, "Vũ Thị Thanh Tâm", "1995-12-30", "Chuyên viên", OfficialCategory.CIVIL_SERVANT, "2020-01-02"),
    (VP, "Nguyễn Anh Tuấn", "1972-08-15", "Chủ tịch UBND xã", OfficialCategory.CADRE, "1996-07-01"),
    (VP, "Đặng Văn Hùng", "1976-03-09", "Phó Chủ tịch UBND xã", OfficialCategory.CADRE, "1999-05-01"),
    (
        VP,
        "Hoàng Thị Ngọc",
        "1981-11-27",
        "Chánh Văn phòng HĐND và UBND",
        OfficialCategory.CIVIL_SERVANT,
        "2005-09-01",
    ),
    (VP, "Phạm Thị Lan", "1990-05-18", "Chuyên viên Văn phòng", OfficialCategory.CIVIL_SERVANT, "2014-02-01"),
    (VP, "Lương Văn Quý", "1983-01-07", "Văn thư - Lưu trữ", OfficialCategory.CIVIL_SERVANT, "2007-04-01"),
    (
        VP,
        "Đỗ Minh Khoa",
        "1996-09-02",
        "Chuyên viên công nghệ thông tin",
        OfficialCategory.CIVIL_SERVANT,
        "2021-06-01",
    ),
    (
        KT,
        "Nguyễn Văn Thành",
        "1979-07-22",
        "Trưởng phòng Kinh tế",
        OfficialCategory.CIVIL_SERVANT,
        "2003-08-01",
    ),
    (
        KT,
        "Hoàng Văn Nam",
        "1987-04-05",
        "Chuyên viên Phòng Kinh tế",
        OfficialCategory.CIVIL_SERVANT,
        "2011-09-01",
    ),
    (KT, "Lê Thị Thu Trang", "1991-08-19", "Chuyên viên", OfficialCategory.CIVIL_SERVANT, "2015-03-01"),
    (
        KT,
        "Phạm Quốc Việt",
        "1993-12-11",
        "Chuyên viên nông nghiệp",
        OfficialCategory.CIVIL_SERVANT,
        "2018-07-01",
    ),
    (
        PVHCC,
        "Trần Văn Long",
        "1980-02-28",
        "Giám đốc Trung tâm",
        OfficialCategory.CIVIL_SERVANT,
        "2006-01-03",
    ),
    (
        PVHCC,
        "Đỗ Thị Mai",
        "1989-09-09",
        "Viên chức Bộ phận Một cửa",
        OfficialCategory.PUBLIC_EMPLOYEE,
        "2013-05-02",
    ),
    (
        PVHCC,
        "Vũ Thị Hồng Nhung",
        "1994-03-16",
        "Viên chức tư pháp - hộ tịch",
        OfficialCategory.PUBLIC_EMPLOYEE,
        "2019-09-01",
    ),
    (
        PVHCC,
        "Bùi Thị Lý",
        "1986-06-24",
        "Viên chức địa chính",
        OfficialCategory.PUBLIC_EMPLOYEE,
        "2010-10-01",
    ),
    (
        DVSNC,
        "Bùi Văn Hải",
        "1985-11-02",
        "Phó Giám đốc Trung tâm",
        OfficialCategory.PUBLIC_EMPLOYEE,
        "2009-06-01",
    ),
    (
        DVSNC,
        "Nguyễn Thị Bích Ngọc",
        "1993-07-30",
        "Viên chức văn hóa - thông tin",
        OfficialCategory.PUBLIC_EMPLOYEE,
        "2017-02-01",
    ),
    # Recruited mid-year: in the denominator from July on.
    (
        DVSNC,
        "Trịnh Văn Sơn",
        "1999-04-08",
        "Viên chức truyền thanh",
        OfficialCategory.PUBLIC_EMPLOYEE,
        "2026-07-01",
    ),
    (
        MTTQ,
        "Phạm Văn Tiến",
        "1970-10-10",
        "Chủ tịch Ủy ban MTTQ Việt Nam xã",
        OfficialCategory.CADRE,
        "1998-01-05",
    ),
    (
        MTTQ,
        "Ngô Thị Thu",
        "1990-01-25",
        "Cán bộ Ủy ban MTTQ Việt Nam xã",
        OfficialCategory.CADRE,
        "2015-08-01",
    ),
]

COURSES = [
    # (title, organiser, first day, last day, hours, form, learners)
    (
        "Tập huấn kỹ năng số cơ bản cho cán bộ, công chức, viên chức xã",
        "UBND xã Hà Bắc phối hợp Viettel Hải Phòng",
        (3, 5),
        (3, 6),
        Decimal("8"),
        CourseForm.IN_PERSON,
        ["Phạm Văn Đức", "Trần Thị Hương", "Lê Văn Minh", "Hoàng Thị Ngọc", "Đỗ Thị Mai"],
    ),
    (
        "Bồi dưỡng khai thác Hệ thống quản lý văn bản và điều hành, sử dụng chữ ký số",
        "Sở Khoa học và Công nghệ thành phố Hải Phòng",
        (5, 14),
        (5, 14),
        Decimal("4"),
        CourseForm.ONLINE,
        [
            "Nguyễn Anh Tuấn",
            "Đặng Văn Hùng",
            "Phạm Thị Lan",
            "Lương Văn Quý",
            "Trần Văn Long",
            "Hoàng Văn Nam",
        ],
    ),
    (
        "Tập huấn ứng dụng trí tuệ nhân tạo hỗ trợ công việc hành chính",
        "Sở Khoa học và Công nghệ thành phố Hải Phòng",
        (8, 12),
        (8, 13),
        Decimal("12"),
        CourseForm.IN_PERSON,
        [
            "Vũ Thị Thanh Tâm",
            "Đỗ Minh Khoa",
            "Vũ Thị Hồng Nhung",
            "Bùi Văn Hải",
            "Ngô Thị Thu",
            "Lê Văn Minh",
        ],
    ),
    (
        "Tập huấn bảo đảm an toàn thông tin và kỹ năng số nâng cao",
        "UBND xã Hà Bắc",
        (10, 22),
        (10, 22),
        Decimal("6"),
        CourseForm.IN_PERSON,
        ["Nguyễn Thị Hằng", "Nguyễn Văn Thành", "Lê Thị Thu Trang", "Bùi Thị Lý", "Trịnh Văn Sơn"],
    ),
    (
        "Bồi dưỡng kỹ năng số cho cán bộ, công chức, viên chức chưa được tập huấn trong năm",
        "UBND xã Hà Bắc",
        (11, 26),
        (11, 26),
        Decimal("4"),
        CourseForm.ONLINE,
        ["Phạm Quốc Việt", "Nguyễn Thị Bích Ngọc", "Phạm Văn Tiến"],
    ),
]


def _officials_and_training(s: Story) -> None:
    officials: dict[str, Official] = {}
    for unit, name, born, position, category, since in OFFICIALS:
        employed_from = datetime.date.fromisoformat(since)
        official = _row(
            s,
            "can-bo",
            unit,
            {
                "full_name": name,
                "birth_date": datetime.date.fromisoformat(born),
                "position": position,
                "category": category,
                "employed_from": employed_from,
            },
            on=employed_from,
        )
        if official is not None:
            officials[name] = official
    for title, organiser, first, last, hours, form, learners in COURSES:
        course: DigitalSkillCourse | None = _row(
            s,
            "tap-huan-ky-nang-so",
            VHXH,
            {
                "title": title,
                "organiser": organiser,
                "starts_on": _d(s, *first),
                "ends_on": _d(s, *last),
                "hours": hours,
                "form": form,
                "evidence": "Kế hoạch mở lớp, danh sách học viên có chữ ký, ảnh lớp học lưu tại Phòng Văn "
                "hóa - Xã hội.",
            },
            on=_d(s, *last),
        )
        if course is None:
            continue
        for name in learners:
            _row(
                s,
                "hoc-vien-tap-huan",
                VHXH,
                {"course": course, "official": officials[name], "completed": True},
            )


VILLAGES = [
    # (name, population, households)
    ("Thôn Đông", 2100, 585),
    ("Thôn Đoài", 1750, 482),
    ("Thôn Trung", 2400, 664),
    ("Thôn Bắc", 1900, 521),
    ("Thôn Nam", 1800, 497),
    ("Thôn Thượng", 1650, 455),
    ("Thôn Hạ", 1500, 418),
    ("Thôn Phú Lộc", 1450, 402),
    ("Thôn Vạn Phúc", 1350, 371),
]

COVERAGE = [
    # (village, operator, covered from: (year offset, month, day), note)
    ("Thôn Trung", Operator.VIETTEL, (-1, 11, 20), "Trạm BTS 5G tại khu trung tâm xã."),
    ("Thôn Đông", Operator.VIETTEL, (-1, 12, 15), ""),
    ("Thôn Trung", Operator.VNPT, (0, 3, 2), ""),
    ("Thôn Bắc", Operator.VNPT, (0, 5, 20), "Nâng cấp trạm 4G hiện có lên 5G."),
    ("Thôn Nam", Operator.VIETTEL, (0, 8, 10), ""),
    ("Thôn Đoài", Operator.MOBIFONE, (0, 11, 5), ""),
]


def _villages_and_5g(s: Story) -> None:
    villages: dict[str, Village] = {}
    for name, population, households in VILLAGES:
        villages[name] = _row(
            s,
            "thon",
            VHXH,
            {
                "name": name,
                "population": population,
                "households": households,
                "as_of": datetime.date(s.plan.year - 1, 12, 31),
            },
        )
    for village, operator, (years, month, day), note in COVERAGE:
        since = datetime.date(s.plan.year + years, month, day)
        _row(
            s,
            "phu-song-5g",
            VHXH,
            {"village": villages[village], "operator": operator, "covered_from": since, "note": note},
            on=since,
        )


def _procedures(s: Story) -> None:
    """One row a month, entered by the service centre from the city's TTHC system once the month is over."""
    for month in range(1, 13):
        exported = _next_month_day(s.plan.year, month, 5)
        received = 280 + (month * 23) % 70
        issued = received - 12
        work = 430 + (month * 17) % 50
        secret = 6 + month % 4
        _row(
            s,
            "thu-tuc-hanh-chinh",
            PVHCC,
            {
                "year": s.plan.year,
                "month": month,
                "received": received,
                "received_online": received * (80 + month) // 100,
                "results_issued": issued,
                "results_electronic": issued * (85 + month % 5) // 100,
                "results_digitised": issued * (90 + month % 4) // 100,
                "reused_data": received * (60 + month) // 100,
                "survey_total": 110 + month * 3,
                "survey_satisfied": (110 + month * 3) * 97 // 100,
                "work_records_total": work,
                "work_records_classified": secret,
                "work_records_online": work - secret,
                "source": f"Xuất từ Hệ thống thông tin giải quyết TTHC thành phố ngày {exported:%d/%m/%Y}.",
            },
            on=exported,
        )


def _next_month_day(year: int, month: int, day: int) -> datetime.date:
    return datetime.date(year + month // 12, month % 12 + 1, day)


ROMAN = ("I", "II", "III", "IV")


def _periodic_reports_due(s: Story) -> None:
    """The reports the commune owes the city; the April one went by e-mail while the system was down."""
    year = s.plan.year
    owed = [
        (f"Báo cáo tình hình kinh tế - xã hội tháng {m:02d}/{year}", f"Tháng {m:02d}/{year}", _d(s, m, 18))
        for m in range(1, 13)
    ]
    owed += [
        (
            f"Báo cáo kết quả công tác cải cách hành chính quý {ROMAN[q - 1]}/{year}",
            f"Quý {ROMAN[q - 1]}/{year}",
            _d(s, 3 * q, 18),
        )
        for q in range(1, 5)
    ]
    for name, label, due in sorted(owed, key=lambda o: o[2]):
        outside = label == f"Tháng 04/{year}"
        sent = due if outside else due - datetime.timedelta(days=1)
        _row(
            s,
            "bao-cao-dinh-ky",
            VP,
            {
                "name": name,
                "period_label": label,
                "due_on": due,
                "submitted_on": sent,
                "on_system": not outside,
            },
            on=sent,
        )


ENTERPRISES = [
    (
        "Công ty TNHH Cơ khí chính xác Hà Bắc",
        "0801234567",
        "Cụm công nghiệp Hà Bắc, xã Hà Bắc, thành phố Hải Phòng",
        "Gia công cơ khí, chế tạo khuôn mẫu",
        "Ông Nguyễn Văn Quang, 0912 345 678",
        [
            (ProgrammeStepKind.ASSESSMENT, (2, 10), "Biên bản đánh giá thực trạng đo lường"),
            (ProgrammeStepKind.PLAN, (3, 5), "Kế hoạch thực hiện Chương trình đảm bảo đo lường năm 2026"),
            (
                ProgrammeStepKind.CONSULTATION,
                (4, 2),
                "Hợp đồng tư vấn với Trung tâm Kỹ thuật Tiêu chuẩn Đo lường Chất lượng",
            ),
            (ProgrammeStepKind.APPROVAL, (4, 20), "Quyết định phê duyệt của Giám đốc công ty"),
            (
                ProgrammeStepKind.IMPLEMENTATION,
                (5, 12),
                "Áp dụng quy trình kiểm định, hiệu chuẩn phương tiện đo",
            ),
        ],
    ),
    (
        "Công ty Cổ phần Chế biến nông sản Thanh Hà",
        "0801345678",
        "Thôn Nam, xã Hà Bắc, thành phố Hải Phòng",
        "Chế biến, bảo quản rau quả",
        "Bà Trần Thị Dung, 0983 456 789",
        [
            (ProgrammeStepKind.ASSESSMENT, (6, 18), "Biên bản đánh giá thực trạng đo lường"),
            (ProgrammeStepKind.PLAN, (7, 20), "Kế hoạch thực hiện Chương trình đảm bảo đo lường"),
            (
                ProgrammeStepKind.CONSULTATION,
                (9, 25),
                "Văn bản đề nghị Sở Khoa học và Công nghệ hỗ trợ chuyên gia",
            ),
            (
                ProgrammeStepKind.IMPLEMENTATION,
                (10, 15),
                "Áp dụng quy trình kiểm soát cân, đo tại dây chuyền đóng gói",
            ),
        ],
    ),
    (
        "Hợp tác xã Sản xuất và tiêu thụ vải thiều Hà Bắc",
        "0801456789",
        "Thôn Đông, xã Hà Bắc, thành phố Hải Phòng",
        "Trồng, sơ chế và tiêu thụ vải thiều",
        "Ông Phạm Văn Khải, 0904 567 890",
        [(ProgrammeStepKind.ASSESSMENT, (8, 28), "Biên bản khảo sát nhu cầu")],
    ),
]


def _enterprises(s: Story) -> None:
    for name, tax_code, address, sector, contact, steps in ENTERPRISES:
        first = _d(s, *steps[0][1])
        enterprise: Enterprise | None = _row(
            s,
            "doanh-nghiep",
            KT,
            {"name": name, "tax_code": tax_code, "address": address, "sector": sector, "contact": contact},
            on=first,
        )
        if enterprise is None:
            continue
        for step, day, document in steps:
            _row(
                s,
                "buoc-dam-bao-do-luong",
                KT,
                {"enterprise": enterprise, "step": step, "date": _d(s, *day), "document": document},
                on=_d(s, *day),
            )


def _products(s: Story) -> None:
    year = s.plan.year
    products = [
        (
            {
                "name": "Vải thiều Thanh Hà tươi",
                "brand": "Vải thiều Hà Bắc",
                "trace_code": f"HB-VAI-{year}-001",
                "lot": f"VT{year}-07",
                "production_date": _d(s, 6, 20),
                "expiry_date": _d(s, 7, 10),
                "standard": "VietGAP",
                "producer_name": "Hợp tác xã Sản xuất và tiêu thụ vải thiều Hà Bắc",
                "producer_address": "Thôn Đông, xã Hà Bắc, thành phố Hải Phòng",
                "producer_tax_code": "0801456789",
                "stages": "Thu hái; HB-VAI-TH; vùng trồng thôn Đông; 20/06\nSơ chế, đóng thùng; HB-VAI-SC; "
                "nhà sơ chế HTX; 21/06",
                "portal_connected": True,
                "connected_on": _d(s, 7, 22),
            },
            _d(s, 7, 22),
        ),
        (
            {
                "name": "Nước cốt vải thiều đóng chai 500 ml",
                "brand": "Thanh Hà Food",
                "trace_code": f"TH-NCV-{year}-015",
                "production_date": _d(s, 10, 30),
                "expiry_date": datetime.date(year + 1, 10, 30),
                "standard": "TCVN 7946:2008",
                "producer_name": "Công ty Cổ phần Chế biến nông sản Thanh Hà",
                "producer_address": "Thôn Nam, xã Hà Bắc, thành phố Hải Phòng",
                "producer_tax_code": "0801345678",
                "stages": "Tiếp nhận nguyên liệu; TH-NL; kho nguyên liệu; 28/10\nÉp, thanh trùng, đóng chai; "
                "TH-SX; xưởng chế biến; 30/10",
                "portal_connected": True,
                "connected_on": _d(s, 11, 18),
            },
            _d(s, 11, 18),
        ),
        (
            {
                "name": "Mật ong hoa vải",
                "trace_code": f"HB-MO-{year}-003",
                "producer_name": "Hộ kinh doanh Nguyễn Văn Bảy",
                "producer_address": "Thôn Thượng, xã Hà Bắc, thành phố Hải Phòng",
                "note": "Đang hoàn thiện hồ sơ, chưa kết nối Cổng truy xuất nguồn gốc quốc gia.",
            },
            _d(s, 9, 15),
        ),
    ]
    for data, on in products:
        _row(s, "san-pham-truy-xuat", KT, data, on=on)


# The city's plan ----------------------------------------------------------------------------------


def _trigger_day(s: Story) -> datetime.date | None:
    """When the city issued its plan: 75 days ago, if that falls after the commune's own plan."""
    day = min(s.today, datetime.date(s.plan.year, 12, 31)) - datetime.timedelta(days=TRIGGER_DAYS_AGO)
    if s.plan.issued_on and day < s.plan.issued_on + datetime.timedelta(days=14):
        return None
    return day


def _city_plan(s: Story) -> None:
    day = _trigger_day(s)
    trigger = s.plan.triggers.first()
    if day is None or trigger is None:
        return
    trigger_record(actor=s.people[COORDINATOR], trigger=trigger, occurred_on=day, **CITY_PLAN)
    s.counts["triggers"] += 1


# Progress reports ---------------------------------------------------------------------------------


def _period_key(period: Period) -> tuple[str, int]:
    return (period.kind, period.number)


def _progress(s: Story) -> None:
    periods = list(Period.objects.filter(plan=s.plan).order_by("ends_on", "-starts_on"))
    past = [p for p in periods if p.ends_on < s.today and p.kind in (PeriodKind.QUARTER, PeriodKind.HALF)]
    # The late unit sends nothing for the latest cut-off (its quarter, and the 6 months when they share it).
    latest_end = past[-1].ends_on if past else None
    tasks = {t.position: t for t in tasks_with_units(Task.objects.filter(plan=s.plan))}
    for period in past:
        key = _period_key(period)
        for position, by_unit in LEAD_PARTS.items():
            for unit, parts in by_unit.items():
                if unit == LATE_UNIT and period.ends_on == latest_end:
                    continue
                if key in parts:
                    spent = SPENT.get((position, unit), {}).get(key)
                    _report(s, tasks[position], period, unit, parts[key], spent=spent)
        for position, unit, at, part in COORDINATING_PARTS:
            if at == key:
                _report(s, tasks[position], period, unit, part)
    _conditional(s, periods, tasks)


def _report(
    s: Story, task: Task, period: Period, unit: str, part: Part, *, spent: int | None = None
) -> ProgressReport:
    clerk, coordinator = s.clerk(unit), s.people[COORDINATOR]
    report = progress_report_open(actor=clerk, task=task, period=period, unit=s.units[unit])
    data = {
        "percent_complete": part.percent,
        "results": part.results,
        "outputs": part.outputs,
        "difficulties": part.difficulties,
        "proposals": part.proposals,
        "next_steps": part.next_steps,
    }
    if part.completed_on:
        data |= {"output_delivered": True, "completed_on": part.completed_on}
    if spent is not None:
        data["spent_amount"] = spent
    report = progress_report_save(actor=clerk, report=report, data=data, version=None)
    for doc in part.docs:
        _attach(s, report, clerk, doc)
    report = progress_report_submit(actor=clerk, report=report)
    s.counts["progress_reports"] += 1
    if part.outcome == SUBMITTED:
        return report
    if part.outcome in (RETURNED, FIXED):
        report = progress_report_return(actor=coordinator, report=report, reason=part.reason)
        s.counts["returned"] += 1
        if part.outcome == RETURNED:
            return report
        _attach(s, report, clerk, part.fix)
        report = progress_report_submit(actor=clerk, report=report)
    report = progress_report_accept(actor=coordinator, report=report)
    s.counts["accepted"] += 1
    return report


def _attach(s: Story, report: ProgressReport, actor: User, doc: Doc) -> None:
    upload = SimpleUploadedFile(doc.name, _pdf(doc.lines), content_type="application/pdf")
    evidence_add(
        actor=actor, upload=upload, report=report, description=doc.description, is_output=doc.is_output
    )
    s.counts["evidence"] += 1


def _conditional(s: Story, periods: list[Period], tasks: dict[int, Task]) -> None:
    """The three tasks waiting on the city's plan, in every quarter since it arrived up to the current one.

    The first is done well before its deadline; the second is overdue at 60%; the third has two lead
    units: Phòng Văn hóa - Xã hội delivered its part, the service centre has not, so it stays open.
    """
    waiting = [t for t in tasks.values() if t.deadline_kind == DeadlineKind.CONDITIONAL]
    if not waiting:
        return
    start = Task.objects.get(pk=waiting[0].pk).starts_on
    if start is None:
        return
    quarters = [
        p for p in periods if p.kind == PeriodKind.QUARTER and p.ends_on >= start and p.starts_on <= s.today
    ]
    if not quarters:
        return
    done_first = start + datetime.timedelta(days=22)
    done_third = start + datetime.timedelta(days=27)
    delivered: set[tuple[int, str]] = set()
    for i, period in enumerate(quarters):
        last = i == len(quarters) - 1
        as_of = min(period.ends_on, s.today)
        share = (as_of - start).days / max(1, (s.today - start).days)
        for position, unit, finish in (
            (1, VHXH, done_first),
            (2, VHXH, None),
            (3, VHXH, done_third),
            (3, PVHCC, None),
        ):
            if (position, unit) in delivered:
                continue
            if finish is not None and as_of >= finish:
                part = DELIVERED[position](finish)
                delivered.add((position, unit))
            else:
                ceiling = {1: 90, 2: 60, 3: 90 if unit == VHXH else 50}[position]
                percent = max(10, min(ceiling, 5 * round(ceiling * share / 5)))
                part = _in_progress(position, unit, percent, submitted=last and unit == PVHCC)
            _report(s, tasks[position], period, unit, part)


# Periodic reports ---------------------------------------------------------------------------------


def _periodic_reports(s: Story) -> None:
    """For every period whose cut-off has passed, đầu mối compiles the report and submits it for
    signature, and lãnh đạo signs it a few days later (the operations centre flags any period left
    without one); the next quarter's draft is opened."""
    periods = list(Period.objects.filter(plan=s.plan).order_by("ends_on", "-starts_on"))
    past = [p for p in periods if p.ends_on < s.today]
    coordinator = s.people[COORDINATOR]
    for period in past:
        # The 6-month (and year) report follows the quarter's sharing its cut-off by a few days, so the
        # numbers taken from the register follow the dates.
        delay = 6 if period.kind == PeriodKind.QUARTER else 8
        issued_on = min(s.today, period.ends_on + datetime.timedelta(days=delay))
        report = report_create(
            actor=coordinator,
            plan=s.plan,
            period_kind=period.kind,
            period_number=period.number,
            today=issued_on,
        )
        report = report_update(actor=coordinator, report=report, data=_narratives(s, period))
        report = report_submit(actor=coordinator, report=report, today=issued_on)
        report_issue(actor=s.people[LEADER], report=report, issued_on=issued_on)
        s.counts["reports_issued"] += 1
    following = [p for p in periods if p.kind == PeriodKind.QUARTER and p.ends_on >= s.today][:1]
    if following:
        report_create(
            actor=coordinator, plan=s.plan, period_kind=PeriodKind.QUARTER, period_number=following[0].number
        )
        s.counts["report_drafts"] += 1


LAGGING = {
    Assessment.BEHIND: "chậm so với tiến độ",
    Assessment.AT_RISK: "có nguy cơ không đạt",
    Assessment.NOT_MET: "chưa đạt",
}


def _narratives(s: Story, period: Period) -> dict[str, str]:
    """What đầu mối writes in the report: the shortfalls are read from the period's indicators."""
    lagging = []
    for row in indicator_rows(s.plan, period):
        if row.assessment in LAGGING and row.value is not None:
            indicator = row.indicator
            value, target = format_number(row.value), format_number(indicator.target)
            if indicator.is_rate:
                reached = f"{value}% (mục tiêu {target}%)"
            else:
                reached = f"{value}/{target} {indicator.unit_of_measure}"
            lagging.append(f"- Chỉ tiêu “{indicator.name}”: mới đạt {reached}, {LAGGING[row.assessment]}.")
    shortcomings = "\n".join(
        [
            *lagging,
            "- Nhiệm vụ triển khai nhóm tiêu chuẩn đo lường chất lượng hỗ trợ truy xuất nguồn gốc chậm so "
            "với kế hoạch.",
            "- Nguyên nhân: cán bộ phụ trách kiêm nhiệm nhiều việc sau khi sắp xếp đơn vị hành chính; doanh "
            "nghiệp, hợp tác xã trên địa bàn quy mô nhỏ, chưa bố trí được kinh phí thuê tư vấn; một số thôn "
            "chưa có đường truyền ổn định phục vụ hướng dẫn người dân.",
        ]
    )
    if _period_key(period) != Q3:
        # Next steps and proposals as the units wrote them, gathered by report_create.
        return {"shortcomings": shortcomings}
    return {
        "shortcomings": shortcomings,
        "next_steps": "\n".join(
            [
                "- Đôn đốc Hội đồng sáng kiến xã xét, công nhận sáng kiến đợt 2; mỗi phòng, ban, đơn vị "
                "đăng ký tối thiểu 01 sáng kiến.",
                "- Tổ chức tập huấn kỹ năng số cho số cán bộ, công chức, viên chức chưa được tập huấn trong "
                "năm.",
                "- Hỗ trợ doanh nghiệp thứ hai triển khai Chương trình đảm bảo đo lường; hoàn thiện hồ sơ "
                "kết nối Cổng truy xuất nguồn gốc quốc gia cho sản phẩm nước cốt vải thiều.",
                "- Hoàn thành các kế hoạch giao sau khi Thành phố ban hành Kế hoạch; tổng hợp báo cáo năm "
                "đúng hạn.",
            ]
        ),
        "proposals": "\n".join(
            [
                "- Đề nghị Sở Khoa học và Công nghệ hỗ trợ chuyên gia tư vấn Chương trình đảm bảo đo lường "
                "và truy xuất nguồn gốc cho doanh nghiệp, hợp tác xã trên địa bàn xã.",
                "- Đề nghị Sở Khoa học và Công nghệ mở lớp đào tạo chuyên gia đánh giá nội bộ hệ thống quản "
                "lý chất lượng TCVN ISO 9001:2015 cho cán bộ cấp xã.",
            ]
        ),
    }


# Evidence files -----------------------------------------------------------------------------------

FONT = Path(__file__).resolve().parents[1] / "static" / "fonts" / "LiberationSerif-Regular.ttf"


def _font(text: str) -> bytes:
    """The serif font cut down to the characters of one document: a few KB embedded instead of 400."""
    from fontTools import subset  # installed with fpdf2
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.layout_features = []
    options.drop_tables += ["FFTM"]  # a timestamp table fontTools cannot subset (and would warn about)
    font = TTFont(FONT)
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=text)
    subsetter.subset(font)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def _pdf(lines: tuple[str, ...]) -> bytes:
    """A one-page A4 PDF of the lines (the first ones centred as a heading), with the font embedded so
    Vietnamese reads right everywhere. pdfium is already installed for reading plans and imports fast."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    font_data = _font("".join(lines))
    document = pdfium.PdfDocument.new()
    page = document.new_page(595, 842)
    buffer = (ctypes.c_uint8 * len(font_data)).from_buffer_copy(font_data)
    font = raw.FPDFText_LoadFont(document.raw, buffer, len(font_data), raw.FPDF_FONT_TRUETYPE, True)
    y = 770.0
    for number, line in enumerate(lines):
        heading = number < 3
        size = 12.0 if heading else 11.5
        for piece in textwrap.wrap(line, 90) or [""]:
            text = raw.FPDFPageObj_CreateTextObj(document.raw, font, size)
            encoded = ctypes.create_string_buffer((piece + "\0").encode("utf-16-le"))
            raw.FPDFText_SetText(text, ctypes.cast(encoded, ctypes.POINTER(raw.FPDF_WCHAR)))
            x = 72.0
            if heading:
                left, right = ctypes.c_float(), ctypes.c_float()
                bottom, top = ctypes.c_float(), ctypes.c_float()
                raw.FPDFPageObj_GetBounds(
                    text, ctypes.byref(left), ctypes.byref(bottom), ctypes.byref(right), ctypes.byref(top)
                )
                x = (595 - (right.value - left.value)) / 2
            raw.FPDFPageObj_Transform(text, 1, 0, 0, 1, x, y)
            raw.FPDFPage_InsertObject(page.raw, text)
            y -= size * 1.5
        if heading and number == 2:
            y -= 12
    raw.FPDFPage_GenerateContent(page.raw)
    raw.FPDFFont_Close(font)
    out = io.BytesIO()
    document.save(out)
    page.close()
    document.close()
    return out.getvalue()


def _header(kind: str, number: str, day: datetime.date) -> tuple[str, str, str]:
    return ("ỦY BAN NHÂN DÂN XÃ HÀ BẮC", f"{kind} số {number}", place_date("Hà Bắc", day))


# What the units write ------------------------------------------------------------------------------

LEAD_PARTS: dict[int, dict[str, dict[tuple[str, int], Part]]] = {
    4: {
        VHXH: {
            Q1: Part(
                40,
                "Ban hành văn bản hướng dẫn các trường tiểu học, trung học cơ sở trên địa bàn tổ chức Cuộc "
                "thi viết thư quốc tế UPU năm 2026; phối hợp Bưu điện văn hóa xã phát động cuộc thi tới học "
                "sinh.",
                next_steps="Đôn đốc các trường tổ chức cho học sinh viết bài, tổng hợp bài dự thi gửi Ban "
                "tổ chức thành phố đúng hạn.",
            ),
            Q2: Part(
                70,
                "Các trường đã thu 412 bài dự thi, chấm chọn 25 bài xuất sắc gửi Ban tổ chức cấp thành phố "
                "đúng hạn; đăng 04 tin, bài về cuộc thi trên Trang thông tin điện tử xã.",
                outputs="04 tin, bài tuyên truyền trên Trang thông tin điện tử xã.",
                difficulties="Học sinh lớp 9 tập trung ôn thi vào lớp 10 nên số bài dự thi khối trung học "
                "cơ sở thấp hơn năm trước.",
                next_steps="Theo dõi kết quả chấm thi cấp thành phố; chuẩn bị khen thưởng học sinh đạt giải.",
            ),
            H1: Part(
                70,
                "Lũy kế 6 tháng: phát động cuộc thi tại 05/05 trường tiểu học, trung học cơ sở; thu 412 bài "
                "dự thi, gửi 25 bài xuất sắc dự thi cấp thành phố; đăng 04 tin, bài tuyên truyền trên Trang "
                "thông tin điện tử xã.",
                outputs="04 tin, bài tuyên truyền trên Trang thông tin điện tử xã.",
                next_steps="Theo dõi kết quả chấm thi cấp thành phố; chuẩn bị khen thưởng học sinh đạt giải.",
            ),
            Q3: Part(
                80,
                "Xã có 01 học sinh đạt giải Ba, 02 học sinh đạt giải Khuyến khích cấp thành phố; UBND xã đã "
                "khen thưởng học sinh đạt giải và giáo viên hướng dẫn.",
                outputs="06 tin, bài tuyên truyền trên Trang thông tin điện tử xã.",
                next_steps="Viết bài tổng kết cuộc thi; phát động cuộc thi năm sau ngay khi có hướng dẫn.",
            ),
            Q4: Part(
                95,
                "Đăng bài tổng kết Cuộc thi viết thư quốc tế UPU năm 2026 trên Trang thông tin điện tử và "
                "hệ thống truyền thanh xã.",
                outputs="07 tin, bài tuyên truyền.",
                next_steps="Hoàn thiện báo cáo kết quả thực hiện nhiệm vụ năm 2026.",
            ),
        },
        DVSNC: {
            Q1: Part(
                30,
                "Phát 10 tin tuyên truyền về Cuộc thi viết thư quốc tế UPU năm 2026 trên hệ thống truyền "
                "thanh xã vào khung giờ sáng và chiều.",
                next_steps="Phối hợp các trường thực hiện phóng sự ngắn về học sinh tham gia cuộc thi.",
            ),
            Q2: Part(
                60,
                "Phát 16 tin và 01 phóng sự ngắn về hoạt động hưởng ứng cuộc thi tại các trường; đăng lại "
                "trên trang mạng xã hội của xã.",
                difficulties="Cụm loa truyền thanh tại thôn Hạ và thôn Phú Lộc hư hỏng, phát không liên tục.",
                proposals="Đề nghị UBND xã bố trí kinh phí sửa chữa cụm loa truyền thanh thôn Hạ, thôn Phú "
                "Lộc.",
                next_steps="Tuyên truyền kết quả cuộc thi khi Ban tổ chức công bố.",
            ),
            H1: Part(
                60,
                "Lũy kế 6 tháng: phát 26 tin và 01 phóng sự ngắn về cuộc thi trên hệ thống truyền thanh xã.",
                difficulties="Cụm loa truyền thanh tại thôn Hạ và thôn Phú Lộc hư hỏng, phát không liên tục.",
                proposals="Đề nghị UBND xã bố trí kinh phí sửa chữa cụm loa truyền thanh thôn Hạ, thôn Phú "
                "Lộc.",
            ),
            Q3: Part(
                75,
                "Phát 08 tin về kết quả cuộc thi cấp thành phố và gương học sinh đạt giải.",
                next_steps="Phát bài tổng kết cuộc thi.",
            ),
            Q4: Part(
                90,
                "Phát bài tổng kết cuộc thi trên hệ thống truyền thanh xã; sửa chữa xong cụm loa thôn Hạ.",
                next_steps="Tổng hợp số tin, bài đã phát trong năm gửi Phòng Văn hóa - Xã hội.",
            ),
        },
    },
    5: {
        VHXH: {
            Q1: Part(
                20,
                "Tham mưu UBND xã ban hành Kế hoạch chuyển đổi số năm 2026; kiện toàn Tổ công nghệ số cộng "
                "đồng tại 09/09 thôn; duy trì Hệ thống quản lý văn bản và điều hành, văn bản đi (trừ văn "
                "bản mật) được ký số và phát hành trên hệ thống.",
                difficulties="Đường truyền Internet tại một số nhà văn hóa thôn chưa ổn định.",
                proposals="Đề nghị UBND xã bố trí kinh phí nâng cấp đường truyền tại các nhà văn hóa thôn.",
                next_steps="Hướng dẫn người dân cài đặt, kích hoạt tài khoản định danh điện tử mức độ 2; "
                "lắp đặt điểm wifi công cộng.",
            ),
            Q2: Part(
                45,
                "Phối hợp Viettel Hải Phòng lắp đặt 05 điểm wifi công cộng tại nhà văn hóa thôn; tổ chức 02 "
                "đợt hướng dẫn người dân thực hiện dịch vụ công trực tuyến toàn trình.",
                difficulties="Người cao tuổi chưa thành thạo điện thoại thông minh nên tỷ lệ nộp hồ sơ trực "
                "tuyến ở nhóm này còn thấp.",
                next_steps="Đẩy mạnh thanh toán không dùng tiền mặt trong thu phí, lệ phí; hoàn thành số "
                "hóa kết quả giải quyết thủ tục hành chính còn hiệu lực.",
            ),
            H1: Part(
                45,
                "Lũy kế 6 tháng: ban hành Kế hoạch chuyển đổi số năm 2026; kiện toàn 09 Tổ công nghệ số "
                "cộng đồng; lắp đặt 05 điểm wifi công cộng; văn bản đi (trừ văn bản mật) được ký số, phát "
                "hành trên Hệ thống quản lý văn bản và điều hành.",
                difficulties="Người cao tuổi chưa thành thạo điện thoại thông minh nên tỷ lệ nộp hồ sơ trực "
                "tuyến ở nhóm này còn thấp.",
                next_steps="Đẩy mạnh thanh toán không dùng tiền mặt trong thu phí, lệ phí.",
            ),
            Q3: Part(
                75,
                "Triển khai họp trực tuyến đến 09/09 thôn; phối hợp Công an xã hoàn thành làm sạch dữ liệu "
                "dân cư phục vụ Đề án 06; số hóa kết quả giải quyết thủ tục hành chính còn hiệu lực đạt "
                "trên 90%.",
                difficulties="Thiết bị tại Bộ phận Một cửa đã cũ, máy quét chậm, ảnh hưởng tiến độ số hóa.",
                proposals="Đề nghị bổ sung 01 máy quét tài liệu tốc độ cao cho Trung tâm Phục vụ Hành chính "
                "công.",
                next_steps="Rà soát các chỉ tiêu chuyển đổi số năm 2026, tập trung các chỉ tiêu chưa đạt.",
                docs=(
                    Doc(
                        "Bao-cao-so-hoa-ket-qua-TTHC-quy-III.pdf",
                        "Báo cáo kết quả số hóa kết quả giải quyết thủ tục hành chính",
                        (
                            "ỦY BAN NHÂN DÂN XÃ HÀ BẮC",
                            "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG",
                            "BÁO CÁO KẾT QUẢ SỐ HÓA KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH",
                            "Kết quả giải quyết thủ tục hành chính còn hiệu lực đã được số hóa: trên 90%.",
                            "Hồ sơ tiếp nhận trực tuyến đạt trên 85% tổng số hồ sơ của xã.",
                        ),
                    ),
                ),
            ),
            Q4: Part(
                95,
                "Hoàn thành các nội dung của Kế hoạch chuyển đổi số năm 2026; đang tổng hợp báo cáo năm.",
                next_steps="Ban hành báo cáo kết quả chuyển đổi số năm 2026.",
            ),
        },
    },
    6: {
        VHXH: {
            Q1: Part(
                25,
                "Ban hành Kế hoạch triển khai phong trào “Bình dân học vụ số” năm 2026; thành lập 09 tổ "
                "hướng dẫn tại các thôn; tổ chức lễ phát động phong trào.",
                next_steps="Mở lớp hướng dẫn kỹ năng số cơ bản cho người dân tại nhà văn hóa thôn.",
            ),
            Q2: Part(
                50,
                "Tổ chức 12 lớp hướng dẫn kỹ năng số cơ bản với 640 lượt người dân tham gia; 1.120 người "
                "hoàn thành ít nhất 01 học phần trên nền tảng Bình dân học vụ số.",
                difficulties="Người cao tuổi, lao động tự do khó sắp xếp thời gian học vào buổi tối.",
                next_steps="Mở thêm lớp vào cuối tuần; phối hợp Ủy ban MTTQ và các đoàn thể vận động hội "
                "viên.",
            ),
            H1: Part(
                50,
                "Lũy kế 6 tháng: 12 lớp hướng dẫn với 640 lượt người dân; 1.120 người hoàn thành ít nhất 01 "
                "học phần trên nền tảng Bình dân học vụ số.",
                difficulties="Người cao tuổi, lao động tự do khó sắp xếp thời gian học vào buổi tối.",
                next_steps="Mở thêm lớp vào cuối tuần.",
            ),
            Q3: Part(
                80,
                "Mở thêm 08 lớp vào cuối tuần; lũy kế 2.350 người dân hoàn thành ít nhất 01 học phần trên "
                "nền tảng Bình dân học vụ số, đạt 78% kế hoạch năm.",
                difficulties="Một số tổ hướng dẫn ở thôn thiếu thiết bị trình chiếu.",
                next_steps="Hoàn thành chỉ tiêu người dân được phổ cập kỹ năng số trong quý IV.",
                docs=(
                    Doc(
                        "Danh-sach-hoc-vien-Binh-dan-hoc-vu-so-quy-III.pdf",
                        "Danh sách người dân hoàn thành học phần quý III",
                        (
                            "ỦY BAN NHÂN DÂN XÃ HÀ BẮC",
                            "PHÒNG VĂN HÓA - XÃ HỘI",
                            "DANH SÁCH NGƯỜI DÂN HOÀN THÀNH HỌC PHẦN BÌNH DÂN HỌC VỤ SỐ",
                            "Tổng hợp theo thôn đến ngày chốt số liệu quý III: 2.350 người.",
                            "Thôn Đông 310 người; Thôn Đoài 255 người; Thôn Trung 362 người; Thôn Bắc 270 "
                            "người; Thôn Nam 268 người; Thôn Thượng 240 người; Thôn Hạ 215 người; Thôn Phú "
                            "Lộc 220 người; Thôn Vạn Phúc 210 người.",
                        ),
                    ),
                ),
            ),
            Q4: Part(
                95,
                "Lũy kế 2.980 người dân hoàn thành ít nhất 01 học phần; tổ chức sơ kết phong trào.",
                next_steps="Tổng kết phong trào năm 2026, đề xuất khen thưởng.",
            ),
        },
    },
    7: {
        VHXH: {
            Q1: Part(
                20,
                "Ban hành Kế hoạch duy trì, áp dụng hệ thống quản lý chất lượng TCVN ISO 9001:2015 năm "
                "2026; cập nhật danh mục quy trình nội bộ theo bộ thủ tục hành chính mới công bố.",
                next_steps="Rà soát, sửa đổi quy trình giải quyết thủ tục hành chính.",
            ),
            Q2: Part(
                45,
                "Rà soát, sửa đổi 18 quy trình giải quyết thủ tục hành chính theo các quyết định công bố "
                "thủ tục hành chính của Chủ tịch UBND thành phố.",
                next_steps="Tổ chức đánh giá nội bộ hệ thống quản lý chất lượng.",
            ),
            H1: Part(
                45,
                "Lũy kế 6 tháng: ban hành Kế hoạch duy trì hệ thống quản lý chất lượng năm 2026; sửa đổi 18 "
                "quy trình giải quyết thủ tục hành chính.",
                next_steps="Tổ chức đánh giá nội bộ hệ thống quản lý chất lượng.",
            ),
            Q3: Part(
                70,
                "Tổ chức đánh giá nội bộ hệ thống quản lý chất lượng tại 05 phòng, ban, đơn vị; khắc phục "
                "07/09 điểm không phù hợp.",
                difficulties="Cán bộ được cử làm chuyên gia đánh giá nội bộ chưa qua đào tạo sau sắp xếp bộ "
                "máy.",
                proposals="Đề nghị Sở Khoa học và Công nghệ mở lớp đào tạo chuyên gia đánh giá nội bộ cho "
                "cán bộ cấp xã.",
                next_steps="Khắc phục 02 điểm không phù hợp còn lại; họp xem xét của lãnh đạo.",
            ),
            Q4: Part(
                90,
                "Khắc phục xong các điểm không phù hợp; chuẩn bị họp xem xét của lãnh đạo.",
                next_steps="Công bố hệ thống quản lý chất lượng phù hợp TCVN ISO 9001:2015.",
            ),
        },
    },
    8: {
        VHXH: {
            Q1: Part(
                15,
                "Ban hành Kế hoạch phát động phong trào sáng kiến năm 2026; Hội đồng sáng kiến xã công nhận "
                "01 sáng kiến.",
                next_steps="Hướng dẫn các đơn vị đăng ký sáng kiến.",
            ),
            Q2: Part(
                40,
                "Tiếp nhận 09 đơn đăng ký sáng kiến; công nhận thêm 01 sáng kiến cấp xã; 01 sáng kiến được "
                "UBND thành phố công nhận phạm vi ảnh hưởng cấp thành phố.",
                difficulties="Nhiều đơn vị chưa đăng ký sáng kiến; hồ sơ đăng ký còn sơ sài.",
                next_steps="Hỗ trợ tác giả hoàn thiện hồ sơ; chuẩn bị họp Hội đồng sáng kiến.",
            ),
            H1: Part(
                40,
                "Lũy kế 6 tháng: công nhận 02 sáng kiến cấp xã, 01 sáng kiến cấp thành phố; tiếp nhận 09 "
                "đơn đăng ký sáng kiến.",
                difficulties="Nhiều đơn vị chưa đăng ký sáng kiến; hồ sơ đăng ký còn sơ sài.",
            ),
            Q3: Part(
                70,
                "Lũy kế công nhận 03 sáng kiến cấp xã, 02 sáng kiến cấp thành phố; 04 sáng kiến đang được "
                "Hội đồng đánh giá, dự kiến xét công nhận đợt 2 trong tháng 11.",
                difficulties="Số sáng kiến cấp xã được công nhận mới đạt 03/10 theo chỉ tiêu.",
                proposals="Đề nghị UBND xã chỉ đạo mỗi phòng, ban, đơn vị đăng ký tối thiểu 01 sáng kiến "
                "trong năm.",
                next_steps="Tổ chức họp Hội đồng sáng kiến xã đợt 2.",
            ),
            Q4: Part(
                90,
                "Hội đồng sáng kiến xã họp đợt 2, công nhận thêm 04 sáng kiến cấp xã.",
                next_steps="Tổng hợp hồ sơ đề nghị công nhận phạm vi ảnh hưởng cấp thành phố năm sau.",
            ),
        },
    },
    9: {
        VHXH: {
            Q1: Part(
                10,
                "Rà soát cơ sở sản xuất, kinh doanh có nhu cầu áp dụng truy xuất nguồn gốc; lập danh sách "
                "12 cơ sở và 03 doanh nghiệp có thể tham gia Chương trình đảm bảo đo lường.",
                difficulties="Cơ sở sản xuất chủ yếu là hộ gia đình, quy mô nhỏ, chưa quan tâm đến truy "
                "xuất nguồn gốc.",
                next_steps="Phối hợp Phòng Kinh tế hướng dẫn doanh nghiệp đăng ký tham gia chương trình.",
            ),
            Q2: Part(
                25,
                "Hỗ trợ Công ty TNHH Cơ khí chính xác Hà Bắc triển khai Chương trình đảm bảo đo lường; phối "
                "hợp Hợp tác xã vải thiều chuẩn bị hồ sơ truy xuất nguồn gốc cho vụ vải năm 2026.",
                difficulties="Chưa có kinh phí hỗ trợ doanh nghiệp thuê tư vấn.",
                next_steps="Kết nối sản phẩm vải thiều lên Cổng truy xuất nguồn gốc quốc gia.",
            ),
            H1: Part(
                25,
                "Lũy kế 6 tháng: 01 doanh nghiệp triển khai Chương trình đảm bảo đo lường; đang hoàn thiện "
                "hồ sơ truy xuất nguồn gốc cho sản phẩm vải thiều.",
                difficulties="Chưa có kinh phí hỗ trợ doanh nghiệp thuê tư vấn.",
            ),
            Q3: Part(
                35,
                "Sản phẩm vải thiều của Hợp tác xã đã kết nối Cổng truy xuất nguồn gốc quốc gia (01/02 sản "
                "phẩm theo chỉ tiêu); doanh nghiệp thứ hai mới xong bước đánh giá thực trạng, xây dựng kế "
                "hoạch.",
                difficulties="Tiến độ chậm so với kế hoạch: chưa có kinh phí hỗ trợ tư vấn; cán bộ phụ "
                "trách kiêm nhiệm nhiều việc.",
                proposals="Đề nghị Sở Khoa học và Công nghệ hỗ trợ chuyên gia tư vấn cho Công ty Cổ phần "
                "Chế biến nông sản Thanh Hà; đề nghị UBND xã xem xét bổ sung kinh phí hỗ trợ.",
                next_steps="Hỗ trợ Công ty Cổ phần Chế biến nông sản Thanh Hà triển khai chương trình và "
                "kết nối sản phẩm nước cốt vải thiều lên Cổng.",
            ),
            Q4: Part(
                55,
                "Công ty Cổ phần Chế biến nông sản Thanh Hà bắt đầu triển khai Chương trình đảm bảo đo "
                "lường; sản phẩm nước cốt vải thiều đã kết nối Cổng truy xuất nguồn gốc quốc gia.",
                next_steps="Đánh giá kết quả, đề xuất nhiệm vụ năm sau.",
            ),
        },
    },
}

# Money used so far (đồng, from 1 January) on the tasks with a planned budget, as their lead unit reports it.
SPENT: dict[tuple[int, str], dict[tuple[str, int], int]] = {
    (4, VHXH): {Q1: 1_200_000, Q2: 3_500_000, H1: 3_500_000, Q3: 4_200_000, Q4: 4_800_000},
    (5, VHXH): {Q1: 6_000_000, Q2: 14_500_000, H1: 14_500_000, Q3: 22_000_000, Q4: 28_000_000},
    (6, VHXH): {Q1: 2_000_000, Q2: 7_500_000, H1: 7_500_000, Q3: 11_800_000, Q4: 14_500_000},
    (7, VHXH): {Q1: 0, Q2: 8_000_000, H1: 8_000_000, Q3: 18_000_000, Q4: 23_500_000},
}

COORDINATING_PARTS: list[tuple[int, str, tuple[str, int], Part]] = [
    (
        5,
        CA,
        Q1,
        Part(
            25,
            "Phối hợp kích hoạt 1.850 tài khoản định danh điện tử mức độ 2 cho công dân; rà soát, làm sạch "
            "dữ liệu dân cư tại 03 thôn.",
            next_steps="Tiếp tục làm sạch dữ liệu dân cư tại các thôn còn lại.",
        ),
    ),
    (
        7,
        VP,
        Q1,
        Part(
            25,
            "Cập nhật danh mục tài liệu, hồ sơ của hệ thống quản lý chất lượng tại Văn phòng; ban hành "
            "Quyết định danh mục quy trình nội bộ.",
            outcome=FIXED,
            reason="Chưa đính kèm minh chứng Quyết định ban hành danh mục quy trình nội bộ; đề nghị bổ sung "
            "tệp quyết định và gửi lại.",
            fix=Doc(
                "Quyet-dinh-danh-muc-quy-trinh-noi-bo.pdf",
                "Quyết định ban hành danh mục quy trình nội bộ",
                (
                    *_header("QUYẾT ĐỊNH", "18/QĐ-UBND", datetime.date(2026, 3, 9)),
                    "Về việc ban hành Danh mục quy trình nội bộ giải quyết thủ tục hành chính áp dụng hệ "
                    "thống quản lý chất lượng TCVN ISO 9001:2015 tại UBND xã Hà Bắc.",
                    "Điều 1. Ban hành kèm theo Quyết định này Danh mục quy trình nội bộ.",
                    "Điều 2. Quyết định có hiệu lực kể từ ngày ký.",
                ),
            ),
        ),
    ),
    (
        5,
        CA,
        Q2,
        Part(
            50,
            "Lũy kế kích hoạt 3.420 tài khoản định danh điện tử mức độ 2; làm sạch dữ liệu dân cư tại 06/09 "
            "thôn.",
            next_steps="Hoàn thành làm sạch dữ liệu dân cư tại 03 thôn còn lại.",
        ),
    ),
    (
        5,
        PVHCC,
        Q2,
        Part(
            50,
            "Hướng dẫn 1.240 lượt người dân nộp hồ sơ trực tuyến tại Bộ phận Một cửa; số hóa hồ sơ, kết quả "
            "giải quyết thủ tục hành chính khi tiếp nhận.",
            difficulties="Máy quét tài liệu thường xuyên hỏng.",
        ),
    ),
    (
        9,
        KT,
        Q2,
        Part(
            30,
            "Hướng dẫn Công ty TNHH Cơ khí chính xác Hà Bắc hoàn thiện hồ sơ, triển khai Chương trình đảm "
            "bảo đo lường từ tháng 5.",
            next_steps="Khảo sát nhu cầu của Công ty Cổ phần Chế biến nông sản Thanh Hà.",
        ),
    ),
    (
        5,
        CA,
        H1,
        Part(
            50,
            "Lũy kế 6 tháng: kích hoạt 3.420 tài khoản định danh điện tử mức độ 2; làm sạch dữ liệu dân cư "
            "tại 06/09 thôn.",
        ),
    ),
    (
        5,
        CA,
        Q3,
        Part(
            75,
            "Hoàn thành làm sạch dữ liệu dân cư tại 09/09 thôn; lũy kế kích hoạt 4.960 tài khoản định danh "
            "điện tử mức độ 2.",
        ),
    ),
    (
        7,
        VP,
        Q3,
        Part(
            70,
            "Phối hợp đánh giá nội bộ hệ thống quản lý chất lượng; khắc phục 02 điểm không phù hợp tại Văn "
            "phòng.",
        ),
    ),
    (
        9,
        KT,
        Q3,
        Part(
            40,
            "Hỗ trợ Hợp tác xã vải thiều kết nối sản phẩm vải thiều lên Cổng truy xuất nguồn gốc quốc gia; "
            "hướng dẫn Công ty Cổ phần Chế biến nông sản Thanh Hà xây dựng kế hoạch đảm bảo đo lường.",
            difficulties="Doanh nghiệp chưa bố trí được kinh phí thuê tư vấn.",
            outcome=RETURNED,
            reason="Chưa đính kèm minh chứng danh sách sản phẩm đã kết nối Cổng truy xuất nguồn gốc quốc "
            "gia và hồ sơ hỗ trợ doanh nghiệp; đề nghị bổ sung, gửi lại trước khi tổng hợp báo cáo quý.",
        ),
    ),
    (
        6,
        MTTQ,
        Q3,
        Part(
            80,
            "Vận động đoàn viên, hội viên tham gia học kỹ năng số; phối hợp tổ chức 03 lớp cho hội viên Hội "
            "Người cao tuổi với 150 người tham gia.",
            next_steps="Tiếp tục vận động người cao tuổi tham gia các lớp cuối tuần.",
            outcome=SUBMITTED,
        ),
    ),
]


def _city_plan_ref() -> str:
    return f"Kế hoạch số {CITY_PLAN['document_number']} của UBND thành phố"


DELIVERED_PLANS = {
    1: ("168/KH-UBND", "phát triển khoa học, công nghệ và đổi mới sáng tạo xã Hà Bắc giai đoạn 2026 - 2030"),
    3: ("171/KH-UBND", "ứng dụng công nghệ thông tin và chuyển đổi số xã Hà Bắc năm 2026"),
}


def _delivered(position: int):
    number, subject = DELIVERED_PLANS[position]

    def part(day: datetime.date) -> Part:
        return Part(
            100,
            f"Tham mưu UBND xã ban hành Kế hoạch {subject} trên cơ sở {_city_plan_ref()}; gửi các phòng, "
            "ban, đơn vị triển khai.",
            outputs=f"Kế hoạch số {number} ngày {day:%d/%m/%Y} của UBND xã.",
            next_steps="Theo dõi, đôn đốc các đơn vị triển khai kế hoạch.",
            completed_on=day,
            docs=(
                Doc(
                    f"Ke-hoach-{number.replace('/', '-')}.pdf",
                    f"Kế hoạch số {number} đã ban hành",
                    (
                        *_header("KẾ HOẠCH", number, day),
                        f"Kế hoạch {subject}.",
                        f"Căn cứ {_city_plan_ref()} Hải Phòng; Ủy ban nhân dân xã Hà Bắc ban hành Kế hoạch "
                        "với các nội dung: mục đích, yêu cầu; mục tiêu, chỉ tiêu; nhiệm vụ, giải pháp; tổ "
                        "chức thực hiện.",
                        "TM. ỦY BAN NHÂN DÂN - CHỦ TỊCH - Nguyễn Anh Tuấn",
                    ),
                    is_output=True,
                ),
            ),
        )

    return part


DELIVERED = {1: _delivered(1), 3: _delivered(3)}


def _in_progress(position: int, unit: str, percent: int, *, submitted: bool) -> Part:
    outcome = SUBMITTED if submitted else ACCEPTED
    if position == 1:
        return Part(
            percent,
            f"Nghiên cứu {_city_plan_ref()}; xây dựng dự thảo Kế hoạch phát triển khoa học, công nghệ và đổi "
            "mới sáng tạo của xã, lấy ý kiến các phòng, ban, đơn vị.",
            next_steps="Hoàn thiện dự thảo, trình UBND xã ban hành.",
        )
    if position == 2:
        return Part(
            percent,
            "Đã xây dựng dự thảo Kế hoạch phát triển hệ sinh thái đổi mới sáng tạo giai đoạn 2026 - 2030; "
            "đang lấy ý kiến các phòng, ban, đơn vị, doanh nghiệp và hợp tác xã trên địa bàn.",
            difficulties="Chưa có hướng dẫn của Sở Khoa học và Công nghệ về bộ tiêu chí hệ sinh thái đổi "
            "mới sáng tạo cấp xã; cán bộ phụ trách đồng thời xây dựng hai kế hoạch khác cùng thời hạn.",
            proposals="Đề nghị cho phép hoàn thành và trình ban hành Kế hoạch trong tháng 12.",
            next_steps="Tiếp thu ý kiến góp ý, hoàn thiện dự thảo trình UBND xã.",
        )
    if unit == VHXH:
        return Part(
            percent,
            "Xây dựng dự thảo Kế hoạch ứng dụng công nghệ thông tin và chuyển đổi số năm 2026, phần nhiệm "
            "vụ của các phòng, ban.",
            next_steps="Tổng hợp phần của Trung tâm Phục vụ Hành chính công, trình UBND xã ban hành.",
        )
    return Part(
        percent,
        "Rà soát hiện trạng hạ tầng, thiết bị tại Bộ phận Một cửa; xây dựng phần ứng dụng công nghệ thông "
        "tin trong giải quyết thủ tục hành chính của Kế hoạch.",
        difficulties="Chưa có hướng dẫn về danh mục thiết bị tối thiểu của Trung tâm Phục vụ Hành chính "
        "công cấp xã.",
        proposals="Đề nghị Phòng Văn hóa - Xã hội tổng hợp, báo cáo UBND xã xin ý kiến Sở Khoa học và Công "
        "nghệ.",
        next_steps="Hoàn thiện phần việc của Trung tâm, ban hành Kế hoạch chung.",
        outcome=outcome,
    )
