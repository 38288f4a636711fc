"""Synthetic communes under a city, for looking at and measuring the city's comparison view.

Two halves. `commune_spec` is pure: from the seed, the city's name and a commune's index it draws
everything about that commune (names, departments, plans, tasks, figures, report states) with
`random.Random`, so the same seed and day always give the same data, and commune 7 is the same
whether 10 or 3,321 are built. `build_city` writes those specs in batches of communes, one
transaction per batch: `bulk_create` on SQLite; on PostgreSQL ids drawn from the sequences and rows
sent with COPY, then ANALYZE, since the country-scale benchmark (3,321 communes, about a million rows)
runs there right after the load.

This is generated data, not anyone's work: no services, no audit rows, no rendered documents, no
evidence files. Existing units and their data are never modified; the only write outside the new
communes is linking the Hà Bắc plan's indicators to the city catalogue where they are not linked yet.
"""

import datetime
import json
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import connection, transaction
from django.db.models import JSONField
from django.utils import timezone

from kehoach.core.audit import audit_change
from kehoach.core.models import AuditEntry
from kehoach.core.text import fold
from kehoach.documents.naming import place_name
from kehoach.operations.freshness import bump_city
from kehoach.plans.choices import (
    BudgetSource,
    Commitment,
    Comparator,
    DeadlineKind,
    Direction,
    PlanField,
    PlanStatus,
    TaskUnitRole,
)
from kehoach.plans.deadlines import parse_deadline, schedule
from kehoach.plans.models import CityIndicator, Indicator, IndicatorGroup, Plan, Task, TaskUnit, Trigger
from kehoach.reports.builder import plan_subject
from kehoach.reports.collect import period_phrase
from kehoach.reports.models import Report, ReportState
from kehoach.tracking.choices import PeriodKind, ReporterRole, ReportStatus
from kehoach.tracking.models import Measurement, Period, ProgressReport, ReportingConfig, default_kinds
from kehoach.tracking.periods import PeriodBounds, periods_of_year
from kehoach.units.choices import UnitKind
from kehoach.units.models import Unit

from .services import CITY, COMMUNE, UNITS_FILE

# --- The city's shared indicator catalogue ----------------------------------------------------------


@dataclass(frozen=True)
class CatalogueEntry:
    code: str
    name: str
    unit: str
    group: str
    lead: str  # department key of the unit that usually reports it
    source: str  # what a commune writes as the figure's source
    low: float  # range of a commune's year target
    high: float
    step: float = 1
    direction: str = Direction.HIGHER
    denominator: tuple[int, int] | None = None  # rates a commune counts (trained ÷ all officials)


IP = "Nhóm chỉ tiêu về sở hữu trí tuệ"
DIGITAL = "Nhóm chỉ tiêu chuyển đổi số"
REFORM = "Nhóm chỉ tiêu cải cách hành chính"
STANDARDS = "Nhóm chỉ tiêu tiêu chuẩn đo lường chất lượng"

CATALOGUE = [
    CatalogueEntry(
        "TP-SHTT-01",
        "Số sáng kiến được công nhận hiệu quả, phạm vi ảnh hưởng cấp xã",
        "sáng kiến",
        IP,
        "vhxh",
        "Sổ theo dõi sáng kiến",
        4,
        15,
    ),
    CatalogueEntry(
        "TP-SHTT-02",
        "Số sáng kiến được công nhận hiệu quả, phạm vi ảnh hưởng cấp thành phố",
        "sáng kiến",
        IP,
        "vhxh",
        "Sổ theo dõi sáng kiến",
        1,
        3,
    ),
    CatalogueEntry(
        "TP-CDS-01",
        "Tỷ lệ cán bộ, công chức, viên chức được tập huấn, bồi dưỡng kỹ năng số",
        "%",
        DIGITAL,
        "vanphong",
        "Danh sách học viên các lớp tập huấn",
        80,
        100,
        5,
        denominator=(18, 45),
    ),
    CatalogueEntry(
        "TP-CDS-02",
        "Tỷ lệ phủ sóng 5G trên địa bàn",
        "%",
        DIGITAL,
        "kinhte",
        "Số liệu của doanh nghiệp viễn thông",
        30,
        80,
        5,
    ),
    CatalogueEntry(
        "TP-CDS-03",
        "Tỷ lệ hồ sơ công việc được xử lý trên môi trường mạng",
        "%",
        DIGITAL,
        "vanphong",
        "Hệ thống quản lý văn bản và điều hành",
        90,
        100,
        5,
    ),
    CatalogueEntry(
        "TP-CDS-04",
        "Tỷ lệ báo cáo định kỳ thực hiện trên hệ thống thông tin báo cáo của thành phố",
        "%",
        DIGITAL,
        "vanphong",
        "Hệ thống thông tin báo cáo của thành phố",
        100,
        100,
    ),
    CatalogueEntry(
        "TP-CDS-05",
        "Tỷ lệ kết quả giải quyết thủ tục hành chính được số hóa",
        "%",
        DIGITAL,
        "pvhcc",
        "Hệ thống thông tin giải quyết thủ tục hành chính",
        90,
        100,
        5,
    ),
    CatalogueEntry(
        "TP-CDS-06",
        "Tỷ lệ hài lòng của người dân, doanh nghiệp trong giải quyết thủ tục hành chính",
        "%",
        DIGITAL,
        "pvhcc",
        "Kết quả khảo sát mức độ hài lòng",
        85,
        95,
        5,
    ),
    CatalogueEntry(
        "TP-CDS-07",
        "Tỷ lệ dữ liệu thủ tục hành chính được khai thác, tái sử dụng",
        "%",
        DIGITAL,
        "pvhcc",
        "Hệ thống thông tin giải quyết thủ tục hành chính",
        80,
        90,
        5,
    ),
    CatalogueEntry(
        "TP-CDS-08",
        "Tỷ lệ hồ sơ thủ tục hành chính nộp trực tuyến toàn trình",
        "%",
        DIGITAL,
        "pvhcc",
        "Hệ thống thông tin giải quyết thủ tục hành chính",
        40,
        80,
        5,
        denominator=(300, 1500),
    ),
    CatalogueEntry(
        "TP-CCHC-01",
        "Tỷ lệ hồ sơ thủ tục hành chính giải quyết quá hạn",
        "%",
        REFORM,
        "pvhcc",
        "Hệ thống thông tin giải quyết thủ tục hành chính",
        1,
        5,
        direction=Direction.LOWER,
    ),
    CatalogueEntry(
        "TP-TDC-01",
        "Số doanh nghiệp tham gia Chương trình đảm bảo đo lường",
        "doanh nghiệp",
        STANDARDS,
        "kinhte",
        "Danh sách doanh nghiệp được hỗ trợ",
        1,
        5,
    ),
    CatalogueEntry(
        "TP-TDC-02",
        "Số sản phẩm được hỗ trợ truy xuất nguồn gốc",
        "sản phẩm",
        STANDARDS,
        "kinhte",
        "Cổng truy xuất nguồn gốc sản phẩm của thành phố",
        2,
        10,
    ),
]
CATALOGUE_BY_CODE = {entry.code: entry for entry in CATALOGUE}
GROUPS = [IP, DIGITAL, REFORM, STANDARDS]

# The Hà Bắc plan's indicators (names as issued, typos included) → catalogue entry. Names, not codes:
# a plan re-imported with other codes still links, and an unrelated indicator never does.
HABAC_LINKS = {
    fold(name): code
    for name, code in [
        ("Số lượng sáng kiến được công nhận hiệu quả, phạm vi ảnh hưởng xã", "TP-SHTT-01"),
        ("Số lượng sáng kiến được công nhận hiệu quả, phạm vi ảnh hưởng cấp thành phố", "TP-SHTT-02"),
        ("Cán bộ, công chức, viên chức được tập huấn, bồi dưỡng kỹ năng số", "TP-CDS-01"),
        ("Tỷ lệ phủ sóng 5G trên địa bàn xã", "TP-CDS-02"),
        (
            "Tỷ lệ hồ sơ công việc được xử lý trên môi trường mạng "
            "(trừ hồ sơ công việc thuộc phạm vi bí mật nhà nước)",
            "TP-CDS-03",
        ),
        (
            "Báo cáo định kỳ về chỉ tiêu kinh tế - xã hội được thực hiện trên hệ thống thông tin báo cáo "
            "của thành phổ, kết nối với Hệ thống thông tin báo cáo Chính phủ",
            "TP-CDS-04",
        ),
        ("Kết quả giải quyết thủ tục hành chính được số hóa theo quy định", "TP-CDS-05"),
        (
            "Tỷ lệ mức độ hài lòng của người dân, doanh nghiệp trong giải quyết thủ tục hành chính",
            "TP-CDS-06",
        ),
        (
            "Dữ liệu thông tin TTHC được khai thác, tái sử dụng lại thông tin, dữ liệu được số hóa "
            "và kết nối, chia sẻ, đồng bộ dữ liệu giữa các hệ thống thông tin",
            "TP-CDS-07",
        ),
        (
            "Số doanh nghiệp được hỗ trợ triển khai thực hiện Chương trình đảm bảo đo lường tại doanh nghiệp",
            "TP-TDC-01",
        ),
        ("Số sản phẩm được hỗ trợ thực hiện truy xuất nguồn gốc kết nối cổng", "TP-TDC-02"),
    ]
}

# --- Names --------------------------------------------------------------------------------------------


def _words(text: str) -> list[str]:
    return text.split()


# Syllables of Vietnamese place names; two of them make a commune's name ("An Lư", "Đông Hải").
FIRST = _words(
    "An Bình Bảo Bắc Cao Cát Chiến Chính Đại Đan Đằng Đông Đồng Đức Gia Giang Hà Hải Hán Hòa Hồng Hợp Hùng "
    "Hưng Hữu Khánh Kiến Kim Kỳ Lạc Lam Lâm Lê Liên Long Lưu Minh Mỹ Nam Ngọc Nghĩa Nhân Ninh Phú Phúc "
    "Phương Quang Quảng Quốc Quý Tam Tân Tây Thạch Thái Thanh Thành Thắng Thiện Thịnh Thuận Thủy Thượng Tiên "
    "Tiền Toàn Trà Trung Trường Tú Tuấn Văn Việt Vinh Vĩnh Xuân Yên Bạch Cẩm Diên Dũng Hiển Hoàng Khai "
    "Lập Lộc Mai Phong Quế Sơn Tiến Trực Vạn"
)
SECOND = _words(
    "An Bình Cầu Châu Chiểu Cường Dương Đà Điền Định Đoài Đông Đức Giang Hà Hải Hạ Hiệp Hòa Hồ Hội Hưng "
    "Khê Kiều Lạc Lãng Lâm Lập Liêu Linh Lộc Lợi Long Lư Lương Minh Mỹ Nam Ninh Phong Phú Quang Sơn Tài "
    "Tân Tây Thành Thắng Thịnh Thọ Thủy Thuận Tiến Toàn Trạch Trang Triều Trung Tường Uyên Vân Viên Vinh "
    "Vĩnh Xá Xuyên Yên Bảo Cát Chính Đạt Điệp Hào Hiền Hoa Kỳ Liên Lĩnh Nghĩa Phúc Quý Tháp Tràng"
)
SURNAMES = _words("Nguyễn Trần Lê Phạm Hoàng Vũ Đặng Bùi Đỗ Ngô Đinh Dương Phan Trịnh Mai Cao Lương Hồ")
MIDDLE = _words("Văn Thị Đức Minh Quang Thanh Hữu Ngọc Xuân Anh Thu Hồng Mạnh")
GIVEN = _words(
    "Tuấn Hương Minh Lan Nam Thắng Hải Mai Thu Hùng Dũng Hà Long Phương Trang Sơn Hiếu Linh Cường Yến "
    "Huy Thảo Bình Khánh Quân Ngân"
)


@dataclass(frozen=True)
class CommuneName:
    level: str  # "xã" or "phường"
    place: str  # "An Lư"

    @property
    def name(self) -> str:
        return f"Ủy ban nhân dân {self.level} {self.place}"

    @property
    def short_name(self) -> str:
        return f"UBND {self.level} {self.place}"

    @property
    def alias(self) -> str:
        return f"{self.level.capitalize()} {self.place}"


def _reserved_places() -> set[str]:
    """Places of the communes the shipped unit tree already has: a generated commune never takes one."""
    places: set[str] = set()

    def walk(node: dict) -> None:
        if node["kind"] == UnitKind.COMMUNE:
            places.add(place_name(node["name"]))
        for child in node.get("children", []):
            walk(child)

    walk(json.loads(UNITS_FILE.read_text(encoding="utf-8")))
    return places


def commune_names(seed: int, city_name: str, count: int) -> list[CommuneName]:
    """The first `count` names of the city's sequence: the first 3 of 5 are the 3 of a run with 3."""
    # Drawing stops being cheap as the pairs run out; three quarters of them leaves plenty of room.
    limit = len(FIRST) * len(SECOND) * 3 // 4
    if count > limit:
        raise ValueError(f"Chỉ tạo được tối đa {limit:,} xã, phường.".replace(",", "."))
    rng = random.Random(f"{seed}|{city_name}|names")
    taken = _reserved_places()
    result = []
    while len(result) < count:
        first, second = rng.choice(FIRST), rng.choice(SECOND)
        place = f"{first} {second}"
        if first == second or place in taken:
            continue
        taken.add(place)
        result.append(CommuneName("phường" if rng.random() < 0.3 else "xã", place))
    return result


def person_name(rng: random.Random) -> str:
    surname = rng.choice(SURNAMES)
    middle = rng.choice(MIDDLE)
    return f"{surname} {middle} {rng.choice(GIVEN)}"


# --- Departments ---------------------------------------------------------------------------------------

# (key, name, short name, aliases, kind, always present); "{level}" is "xã" or "phường".
DEPARTMENTS = [
    ("vhxh", "Phòng Văn hóa - Xã hội", "Phòng VH-XH", ["Phòng VHXH"], UnitKind.AGENCY, True),
    (
        "vanphong",
        "Văn phòng Hội đồng nhân dân và Ủy ban nhân dân",
        "Văn phòng HĐND và UBND",
        ["Văn phòng HĐND-UBND"],
        UnitKind.AGENCY,
        True,
    ),
    ("kinhte", "Phòng Kinh tế", "Phòng KT", [], UnitKind.AGENCY, True),
    ("congan", "Công an {level}", "Công an {level}", [], UnitKind.AGENCY, True),
    (
        "pvhcc",
        "Trung tâm Phục vụ Hành chính công",
        "TT PVHCC",
        ["Trung tâm Hành chính công {level}"],
        UnitKind.AGENCY,
        True,
    ),
    (
        "dvsnc",
        "Trung tâm Dịch vụ sự nghiệp công",
        "TT DVSNC",
        ["Trung tâm DVSNC"],
        UnitKind.AGENCY,
        False,
    ),
    (
        "mttq",
        "Ủy ban Mặt trận Tổ quốc Việt Nam {level}",
        "UBMTTQ Việt Nam {level}",
        ["Ủy ban MTTQ Việt Nam {level}"],
        UnitKind.ORGANISATION,
        False,
    ),
]
# A ward's economic department also runs infrastructure and urban affairs.
WARD_ECONOMY = ("Phòng Kinh tế, Hạ tầng và Đô thị", "Phòng KT, HT&ĐT", ["Phòng Kinh tế - Hạ tầng - Đô thị"])

# --- Tasks ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TaskTemplate:
    title: str
    output: str
    leads: tuple[str, ...]
    coordinators: tuple[str, ...] | None  # None: "Các phòng, cơ quan, đơn vị" (every unit)
    deadlines: tuple[str, ...]  # "{y}" is the plan's year; all of one kind
    trigger: str = ""


TASKS = [
    TaskTemplate(
        "Ban hành Kế hoạch về khoa học, công nghệ và đổi mới sáng tạo của {level} giai đoạn 2026-2030",
        "Kế hoạch",
        ("vhxh",),
        None,
        ("Sau khi Thành phố ban hành Kế hoạch",),
        "ke_hoach",
    ),
    TaskTemplate(
        "Xây dựng Kế hoạch ứng dụng công nghệ thông tin và chuyển đổi số năm {y}",
        "Kế hoạch",
        ("vhxh", "pvhcc"),
        None,
        ("31/3/{y}", "15/3/{y}"),
    ),
    TaskTemplate(
        "Phát động phong trào thi đua sáng kiến, cải tiến kỹ thuật trong cán bộ, công chức, viên chức",
        "Kế hoạch phát động",
        ("vhxh",),
        ("mttq", "vanphong"),
        ("31/3/{y}", "15/4/{y}"),
    ),
    TaskTemplate(
        "Xây dựng kế hoạch, tổ chức tham gia Cuộc thi viết thư quốc tế UPU",
        "Bài dự thi",
        ("vhxh", "dvsnc"),
        None,
        ("Quý I/{y}", "Quý II/{y}"),
    ),
    TaskTemplate(
        "Tổ chức tập huấn kỹ năng số cho cán bộ, công chức, viên chức",
        "Lớp tập huấn",
        ("vanphong",),
        ("vhxh",),
        ("Quý II/{y}", "6 tháng đầu năm {y}"),
    ),
    TaskTemplate(
        "Báo cáo sơ kết 6 tháng thực hiện Kế hoạch",
        "Báo cáo sơ kết",
        ("vhxh",),
        None,
        ("20/6/{y}", "25/6/{y}"),
    ),
    TaskTemplate(
        "Rà soát, số hóa kết quả giải quyết thủ tục hành chính còn hiệu lực",
        "Dữ liệu số hóa",
        ("pvhcc",),
        ("vanphong",),
        ("Quý III/{y}", "9 tháng đầu năm {y}"),
    ),
    TaskTemplate(
        "Khảo sát mức độ hài lòng của người dân, doanh nghiệp trong giải quyết thủ tục hành chính",
        "Báo cáo kết quả khảo sát",
        ("pvhcc",),
        ("vanphong", "mttq"),
        ("30/9/{y}", "31/10/{y}"),
    ),
    TaskTemplate(
        "Phối hợp doanh nghiệp viễn thông mở rộng vùng phủ sóng 5G trên địa bàn",
        "Báo cáo",
        ("kinhte",),
        ("congan",),
        ("Năm {y}", "6 tháng cuối năm {y}"),
    ),
    TaskTemplate(
        "Hỗ trợ doanh nghiệp tham gia Chương trình đảm bảo đo lường",
        "Danh sách doanh nghiệp",
        ("kinhte",),
        ("pvhcc",),
        ("Quý III/{y}", "Năm {y}"),
    ),
    TaskTemplate(
        "Hỗ trợ cơ sở sản xuất áp dụng truy xuất nguồn gốc, kết nối cổng truy xuất của thành phố",
        "Sản phẩm có mã truy xuất",
        ("kinhte",),
        ("dvsnc",),
        ("6 tháng cuối năm {y}", "Tháng 10/{y}"),
    ),
    TaskTemplate(
        "Tổ chức Hội đồng xét, công nhận sáng kiến cấp {level}",
        "Quyết định công nhận sáng kiến",
        ("vhxh",),
        ("vanphong",),
        ("30/11/{y}", "15/11/{y}"),
    ),
    TaskTemplate(
        "Tổng kết, đánh giá kết quả thực hiện Kế hoạch năm {y}",
        "Báo cáo tổng kết",
        ("vhxh",),
        None,
        ("10/12/{y}", "05/12/{y}"),
    ),
    TaskTemplate(
        "Tuyên truyền, phổ biến kiến thức về khoa học, công nghệ và đổi mới sáng tạo trên trang thông tin "
        "điện tử của {level}",
        "Bài tuyên truyền",
        ("vhxh",),
        ("dvsnc",),
        ("Thường xuyên",),
    ),
    TaskTemplate(
        "Triển khai phong trào “Bình dân học vụ số” năm {y}",
        "Báo cáo",
        ("vhxh",),
        ("mttq", "dvsnc", "congan"),
        ("Cả năm",),
    ),
    TaskTemplate(
        "Duy trì, cải tiến hệ thống quản lý chất lượng theo TCVN ISO 9001:2015",
        "Báo cáo",
        ("vanphong",),
        None,
        ("Cả năm", "Thường xuyên"),
    ),
    TaskTemplate(
        "Làm sạch, cập nhật dữ liệu dân cư phục vụ giải quyết thủ tục hành chính (Đề án 06)",
        "Báo cáo",
        ("congan",),
        ("pvhcc",),
        ("Thường xuyên", "Hằng quý"),
    ),
    TaskTemplate(
        "Bảo đảm an toàn thông tin mạng cho các hệ thống thông tin của {level}",
        "Báo cáo",
        ("congan", "vanphong"),
        None,
        ("Cả năm",),
    ),
    TaskTemplate(
        "Ứng dụng trí tuệ nhân tạo hỗ trợ hướng dẫn thủ tục hành chính cho người dân",
        "Báo cáo kết quả thử nghiệm",
        ("pvhcc",),
        ("vanphong",),
        ("Sau khi Thành phố có hướng dẫn triển khai",),
        "huong_dan",
    ),
    TaskTemplate(
        "Triển khai thanh toán không dùng tiền mặt trong giải quyết thủ tục hành chính",
        "Báo cáo",
        ("pvhcc",),
        ("kinhte",),
        ("Sau khi Thành phố ban hành Kế hoạch",),
        "ke_hoach",
    ),
]

# What a city's conditions say, by trigger key; the city issues the document, each commune records it.
TRIGGERS = {
    "ke_hoach": (
        "Thành phố ban hành Kế hoạch thực hiện nhiệm vụ khoa học, công nghệ và đổi mới sáng tạo năm {y}",
        "Kế hoạch thực hiện nhiệm vụ khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số năm {y}",
        "KH-UBND",
        (3, 31),
    ),
    "huong_dan": (
        "Thành phố ban hành hướng dẫn ứng dụng trí tuệ nhân tạo trong giải quyết thủ tục hành chính",
        "Hướng dẫn ứng dụng trí tuệ nhân tạo trong giải quyết thủ tục hành chính",
        "HD-UBND",
        (6, 30),
    ),
}

RESULTS = [
    "Đã triển khai đến các đơn vị phối hợp, đang tổ chức thực hiện theo kế hoạch.",
    "Đã họp triển khai, phân công cán bộ theo dõi; đang tổng hợp kết quả.",
    "Đang thực hiện, đã hoàn thành phần lớn khối lượng công việc của kỳ.",
    "Đã xây dựng dự thảo, đang lấy ý kiến các phòng, ban, đơn vị.",
    "Đã phối hợp với các đơn vị liên quan rà soát, cập nhật số liệu.",
]
DONE_RESULTS = [
    "Đã hoàn thành nhiệm vụ; kết quả: {output}.",
    "Hoàn thành nhiệm vụ, đã gửi {output} cho đầu mối tổng hợp.",
]
DIFFICULTIES = [
    "Kinh phí bố trí cho nhiệm vụ còn hạn chế.",
    "Cán bộ phụ trách chuyển đổi số còn kiêm nhiệm nhiều việc.",
    "Hạ tầng mạng tại một số thôn, tổ dân phố chưa ổn định.",
    "Người dân cao tuổi còn ngại sử dụng dịch vụ công trực tuyến.",
    "Dữ liệu giữa các hệ thống chưa được đồng bộ kịp thời.",
]
PROPOSALS = [
    "Đề nghị thành phố tổ chức tập huấn chuyên sâu cho cán bộ cấp xã.",
    "Đề nghị bổ sung kinh phí thực hiện nhiệm vụ chuyển đổi số.",
    "Đề nghị sở, ngành hướng dẫn thống nhất cách tính chỉ tiêu.",
]
NEXT_STEPS = [
    "Tiếp tục triển khai các nội dung còn lại, bảo đảm tiến độ.",
    "Đôn đốc các đơn vị phối hợp gửi kết quả đúng hạn.",
    "Tổng hợp, đánh giá kết quả, báo cáo UBND trong kỳ tới.",
]
RETURN_REASONS = [
    "Số liệu chưa khớp với sổ theo dõi, đề nghị rà soát lại.",
    "Thiếu nguồn số liệu, đề nghị bổ sung.",
    "Kết quả ghi chưa rõ khối lượng đã thực hiện, đề nghị bổ sung.",
]
BUDGET_SOURCES = [BudgetSource.COMMUNE, BudgetSource.RECURRENT, BudgetSource.CITY, BudgetSource.SOCIALISED]

# --- Specs: what one commune is, drawn from its own generator -------------------------------------------


@dataclass
class Workflow:
    status: str
    submitted_at: datetime.datetime | None
    reviewed_at: datetime.datetime | None
    return_reason: str
    version: int


@dataclass
class FigureSpec:
    period: tuple[str, int]
    value: Decimal
    numerator: Decimal | None
    denominator: Decimal | None
    workflow: Workflow


@dataclass
class IndicatorSpec:
    code: str
    name: str
    catalogue_code: str
    group: str
    comparator: str
    target: Decimal
    unit: str
    commitment: str
    baseline: Decimal | None
    lead: str
    source: str
    figures: list[FigureSpec] = field(default_factory=list)


@dataclass
class TriggerSpec:
    key: str
    description: str
    expected_on: datetime.date
    occurred_on: datetime.date | None
    document_number: str
    document_issuer: str
    document_title: str
    recorded_at: datetime.datetime | None


@dataclass
class ProgressSpec:
    period: tuple[str, int]
    unit: str
    percent: int
    results: str
    outputs: str
    output_delivered: bool
    completed_on: datetime.date | None
    difficulties: str
    proposals: str
    next_steps: str
    spent_amount: int | None
    workflow: Workflow


@dataclass
class TaskSpec:
    position: int
    title: str
    output: str
    deadline_text: str
    deadline_kind: str
    deadline_date: datetime.date | None
    trigger: str
    starts_on: datetime.date | None
    due_on: datetime.date | None
    completed_on: datetime.date | None
    coordinates_all_units: bool
    leads: list[str]
    coordinators: list[str]
    budget_amount: int | None
    budget_source: str
    progress: list[ProgressSpec] = field(default_factory=list)


@dataclass
class ReportSpec:
    period: tuple[str, int]
    title: str
    direction: str
    shortcomings: str
    next_steps: str
    proposals: str
    recipients: str
    signer_delegation: str
    signer_position: str
    signer_name: str
    issued_at: datetime.datetime


@dataclass
class PeriodSpec:
    bounds: PeriodBounds
    closed_at: datetime.datetime | None


@dataclass
class PlanSpec:
    year: int
    number: str
    issued_on: datetime.date
    place: str
    title: str
    issuer_name: str
    signer_name: str
    signer_position: str
    recipients: str
    periods: list[PeriodSpec]
    triggers: list[TriggerSpec]
    indicators: list[IndicatorSpec]
    tasks: list[TaskSpec]
    reports: list[ReportSpec]


@dataclass
class DepartmentSpec:
    key: str
    name: str
    short_name: str
    aliases: str
    kind: str


@dataclass
class CommuneSpec:
    index: int
    name: CommuneName
    departments: list[DepartmentSpec]
    plans: list[PlanSpec]


def _at(day: datetime.date, rng: random.Random) -> datetime.datetime:
    """A moment in office hours of `day`, in the installation's time zone."""
    # A zoneinfo zone attached directly resolves the offset itself (no pytz-style localize needed).
    hour, minute = rng.randint(7, 16), rng.randint(0, 59)
    return datetime.datetime(
        day.year, day.month, day.day, hour, minute, tzinfo=timezone.get_default_timezone()
    )


def _days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)


def _dec(value: float) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Traits:
    """What makes one commune differ from the next, so the city's rankings spread."""

    skill: float  # how far its figures get towards (or past) their targets
    diligence: float  # 0–1: how reliably and early its units report
    gappy: bool  # leaves some figures out (about one commune in twenty)
    late: bool  # misses progress reports and the latest periodic report (about one in twelve)


def _workflow(
    rng: random.Random,
    *,
    ends_on: datetime.date,
    due_on: datetime.date,
    today: datetime.date,
    closed: bool,
    traits: Traits,
    earliest: datetime.date | None = None,
    accepted: bool = False,
) -> Workflow | None:
    """How far a unit's report for one period got by today; None when the unit sent nothing.

    `accepted` forces an accepted report (the one that proves a task done), reviewed before today.
    """
    last = today - _days(1)
    lateness = 0 if rng.random() < traits.diligence else rng.randint(1, 20)
    submitted = ends_on + _days(rng.randint(-4, (due_on - ends_on).days) + lateness)
    if earliest is not None:
        submitted = max(submitted, earliest)
    reviewed = submitted + _days(rng.randint(0, 4))
    if accepted:
        submitted, reviewed = min(submitted, last), min(reviewed, last)
        return Workflow(ReportStatus.ACCEPTED, _at(submitted, rng), _at(reviewed, rng), "", 4)
    if submitted > last:
        # Not sent yet: some units have a draft open, the rest nothing.
        return Workflow(ReportStatus.DRAFT, None, None, "", 2) if rng.random() < 0.4 else None
    if reviewed > last:
        return Workflow(ReportStatus.SUBMITTED, _at(submitted, rng), None, "", 3)
    roll = rng.random()
    if not closed and roll < 0.03:
        return Workflow(
            ReportStatus.RETURNED, _at(submitted, rng), _at(reviewed, rng), rng.choice(RETURN_REASONS), 4
        )
    if not closed and roll < 0.06:
        return Workflow(ReportStatus.SUBMITTED, _at(submitted, rng), None, "", 3)
    return Workflow(ReportStatus.ACCEPTED, _at(submitted, rng), _at(reviewed, rng), "", 4)


def _quarter_shares(rng: random.Random) -> list[float]:
    """Cumulative share of the year's result reached by the end of each quarter (rising, last = 1)."""
    weights = [rng.uniform(0.4, 1.6) for _ in range(4)]
    total = sum(weights)
    running, shares = 0.0, []
    for w in weights:
        running += w
        shares.append(running / total)
    return shares


def _share_at(kind: str, number: int, shares: list[float]) -> float:
    # Half-year and year share the cut-off of quý II and quý IV: their cumulative figures are the same.
    if kind == PeriodKind.QUARTER:
        return shares[number - 1]
    if kind == PeriodKind.HALF:
        return shares[1]
    if kind == PeriodKind.NINE:
        return shares[2]
    return shares[3]


def _indicators(
    rng: random.Random,
    *,
    chosen: list[CatalogueEntry],
    year: int,
    latest_year: int,
    level: str,
    periods: list[PeriodSpec],
    today: datetime.date,
    traits: Traits,
) -> list[IndicatorSpec]:
    result = []
    past = [p for p in periods if p.bounds.ends_on < today]
    for position, entry in enumerate(chosen, start=1):
        steps = int((entry.high - entry.low) / entry.step)
        target = entry.low + entry.step * rng.randint(0, steps)
        if year < latest_year and entry.unit != "%":
            target = max(1, target - rng.randint(0, 2))
        name = entry.name + (f" {level}" if entry.name.endswith("trên địa bàn") else "")
        lower = entry.direction == Direction.LOWER
        achievement = max(0.3, traits.skill * rng.uniform(0.8, 1.2))
        shares = _quarter_shares(rng)
        spec = IndicatorSpec(
            code=f"CT{position:02d}",
            name=name,
            catalogue_code=entry.code,
            group=entry.group,
            comparator=Comparator.AT_MOST if lower else Comparator.AT_LEAST,
            target=_dec(target),
            unit=entry.unit,
            commitment=Commitment.ASPIRATION if rng.random() < 0.2 else Commitment.REQUIRED,
            baseline=None,
            lead=entry.lead,
            source=entry.source,
        )
        if entry.unit == "%":
            if lower:
                baseline = min(100.0, target * rng.uniform(1.3, 3.0))
                final = max(0.0, target / achievement)
            else:
                baseline = target * rng.uniform(0.5, 0.9)
                final = min(100.0, target * achievement)
            spec.baseline = _dec(round(baseline, 1))
        else:
            baseline, final = 0.0, target * achievement
        denominator = rng.randint(*entry.denominator) if entry.denominator else None
        for period in past:
            b = period.bounds
            share = _share_at(b.kind, b.number, shares)
            if rng.random() < (0.3 if traits.gappy and b.year == latest_year else 0.01):
                continue
            flow = _workflow(
                rng,
                ends_on=b.ends_on,
                due_on=b.due_on,
                today=today,
                closed=period.closed_at is not None,
                traits=traits,
            )
            if flow is None:
                continue
            numerator = None
            if entry.unit != "%":
                value = _dec(round(final * share))
            elif denominator:
                level_now = float(spec.baseline) + (final - float(spec.baseline)) * share
                numerator = min(denominator, round(level_now * denominator / 100))
                value = (Decimal(numerator) * 100 / Decimal(denominator)).quantize(
                    Decimal("0.01"), rounding=ROUND_HALF_UP
                )
            else:
                value = _dec(
                    min(100.0, max(0.0, float(spec.baseline) + (final - float(spec.baseline)) * share))
                )
            spec.figures.append(
                FigureSpec(
                    period=(b.kind, b.number),
                    value=value,
                    numerator=Decimal(numerator) if numerator is not None else None,
                    denominator=Decimal(denominator) if numerator is not None else None,
                    workflow=flow,
                )
            )
        result.append(spec)
    return result


def _choose_tasks(rng: random.Random, year: int) -> list[TaskTemplate]:
    """8–14 templates with every kind of deadline among them, in the templates' order."""
    kinds: dict[str, list[TaskTemplate]] = {}
    for template in TASKS:
        kinds.setdefault(_deadline(template.deadlines[0].format(y=year), year).kind, []).append(template)
    chosen = {rng.choice(group) for group in kinds.values()}
    rest = [t for t in TASKS if t not in chosen]
    chosen.update(rng.sample(rest, rng.randint(8, 14) - len(chosen)))
    return [t for t in TASKS if t in chosen]


_DEADLINES: dict[tuple[str, int], object] = {}


def _deadline(text: str, year: int):
    # The same few texts recur in every plan; parsing them once keeps thousands of plans cheap.
    key = (text, year)
    if key not in _DEADLINES:
        _DEADLINES[key] = parse_deadline(text, year=year)
    return _DEADLINES[key]


def _completion(
    rng: random.Random,
    *,
    kind: str,
    start: datetime.date,
    due: datetime.date | None,
    last_cutoff: datetime.date,
    today: datetime.date,
    traits: Traits,
) -> datetime.date | None:
    """When the task was finished, if it was by today: most on time, some late, some not at all.

    A past year ends mostly done; the running year is further behind (a plan's later tasks are the
    heavier ones), so by December roughly half of its tasks are done.
    """
    if due is None:
        return None
    running = last_cutoff.year == today.year
    on_time = (0.3 if running else 0.55) + 0.35 * traits.diligence
    roll = rng.random()
    if roll < on_time:
        if kind == DeadlineKind.CONTINUOUS:
            # Continuous work is closed with the year's last report.
            done = last_cutoff - _days(rng.randint(0, 13))
        else:
            done = due - _days(rng.randint(0, max(0, min(45, (due - start).days))))
    elif roll < on_time + (1 - on_time) * 0.6:
        done = due + _days(rng.randint(3, 75))
    else:
        return None
    # Work finished after the year's last cut-off has no period to be reported in.
    if done > last_cutoff or done >= today or done < start:
        return None
    return done


def _round5(value: float) -> int:
    return int(5 * round(value / 5))


def _tasks(
    rng: random.Random,
    *,
    year: int,
    level: str,
    issued_on: datetime.date,
    departments: set[str],
    triggers: dict[str, TriggerSpec],
    periods: list[PeriodSpec],
    today: datetime.date,
    traits: Traits,
) -> list[TaskSpec]:
    result = []
    last_cutoff = max(p.bounds.ends_on for p in periods)
    latest_past = max((p.bounds.ends_on for p in periods if p.bounds.ends_on < today), default=None)
    for position, template in enumerate(_choose_tasks(rng, year), start=1):
        text = rng.choice(template.deadlines).format(y=year)
        deadline = _deadline(text, year)
        trigger = triggers.get(template.trigger) if template.trigger else None
        plan = schedule(
            kind=deadline.kind,
            deadline_date=deadline.date,
            starts_on=deadline.starts_on if deadline.kind != DeadlineKind.DATE else None,
            trigger_date=trigger.occurred_on if trigger else None,
            lead_time_days=settings.KEHOACH_DEFAULT_LEAD_TIME_DAYS,
        )
        start = max(plan.starts_on or issued_on, issued_on)
        completed_on = _completion(
            rng,
            kind=deadline.kind,
            start=start,
            due=plan.due_on,
            last_cutoff=last_cutoff,
            today=today,
            traits=traits,
        )
        budget = rng.random() < 0.4
        spec = TaskSpec(
            position=position,
            title=template.title.format(y=year, level=level),
            output=template.output,
            deadline_text=text,
            deadline_kind=deadline.kind,
            deadline_date=deadline.date,
            trigger=template.trigger if trigger else "",
            starts_on=plan.starts_on,
            due_on=plan.due_on,
            completed_on=completed_on,
            coordinates_all_units=template.coordinators is None,
            # Optional departments (centre of public services, Front) drop out where the commune has none.
            leads=[k for k in template.leads if k in departments],
            coordinators=[k for k in template.coordinators or () if k in departments],
            budget_amount=5_000_000 * rng.randint(1, 40) if budget else None,
            budget_source=rng.choice(BUDGET_SOURCES) if budget else "",
        )
        # Fixed per task, so both the percentage and the money spent only grow from period to period.
        speed, thrift = rng.uniform(0.6, 1.05), rng.uniform(0.6, 1.0)
        for period in periods:
            b = period.bounds
            # The same rule as tracking.selectors.tasks_in_period: which tasks owe a report.
            if spec.deadline_kind == DeadlineKind.CONDITIONAL and spec.due_on is None:
                continue
            if spec.starts_on is not None and spec.starts_on > b.ends_on:
                continue
            if completed_on is not None and completed_on < b.starts_on:
                continue
            done = completed_on is not None and completed_on <= b.ends_on
            if b.ends_on >= today and not done:
                continue  # the period is still running and nothing is finished in it
            for unit in spec.leads:
                spec.progress.extend(
                    _progress(
                        rng,
                        spec=spec,
                        period=period,
                        unit=unit,
                        done=done,
                        start=start,
                        speed=speed,
                        thrift=thrift,
                        today=today,
                        traits=traits,
                        latest=b.ends_on == latest_past,
                    )
                )
        result.append(spec)
    return result


def _progress(
    rng: random.Random,
    *,
    spec: TaskSpec,
    period: PeriodSpec,
    unit: str,
    done: bool,
    start: datetime.date,
    speed: float,
    thrift: float,
    today: datetime.date,
    traits: Traits,
    latest: bool,
) -> list[ProgressSpec]:
    b = period.bounds
    if not done and rng.random() < (0.35 if traits.late and latest else 0.015):
        return []
    flow = _workflow(
        rng,
        ends_on=b.ends_on,
        due_on=b.due_on,
        today=today,
        closed=period.closed_at is not None,
        traits=traits,
        earliest=spec.completed_on if done else None,
        accepted=done,
    )
    if flow is None:
        return []
    if done:
        percent = 100
    else:
        span = max(1, ((spec.due_on or b.ends_on) - start).days)
        elapsed = max(0, (b.ends_on - start).days) / span
        percent = max(10, min(95, _round5(100 * elapsed * speed)))
    # Money spent so far, lũy kế, written by the first lead unit only so a task's spending counts once.
    spent = None
    if spec.budget_amount and unit == spec.leads[0]:
        spent = 100_000 * round(spec.budget_amount * percent / 100 * thrift / 100_000)
    trouble = rng.random() < 0.3
    return [
        ProgressSpec(
            period=(b.kind, b.number),
            unit=unit,
            percent=percent,
            results=(
                rng.choice(DONE_RESULTS).format(output=spec.output.lower()) if done else rng.choice(RESULTS)
            ),
            outputs=spec.output if done else "",
            output_delivered=done,
            completed_on=spec.completed_on if done else None,
            difficulties=rng.choice(DIFFICULTIES) if trouble else "",
            proposals=rng.choice(PROPOSALS) if trouble and rng.random() < 0.5 else "",
            next_steps="" if done else rng.choice(NEXT_STEPS),
            spent_amount=spent,
            workflow=flow,
        )
    ]


def _city_events(seed: int, city_name: str, year: int, today: datetime.date) -> dict[str, tuple]:
    """The city's own documents the communes' conditions wait for: (date or None, number), per key."""
    rng = random.Random(f"{seed}|{city_name}|events|{year}")
    events = {}
    for key, (_, _, symbol, (month, day)) in TRIGGERS.items():
        expected = datetime.date(year, month, day)
        happened = expected + _days(rng.randint(-40, 60))
        if key == "huong_dan" and rng.random() < 0.4:
            happened = None  # the city has not issued this guidance (yet) this year
        if happened is not None and happened >= today:
            happened = None
        events[key] = (happened, f"{rng.randint(20, 320)}/{symbol}")
    return events


def _reports(
    rng: random.Random,
    *,
    plan: PlanSpec,
    level: str,
    lead_name: str,
    lead_short: str,
    today: datetime.date,
    traits: Traits,
) -> list[ReportSpec]:
    """An issued periodic report for each period whose cut-off has passed, unless this commune is late.

    Every kind of period gets one (quý, 6 tháng, năm): the city counts a period without an issued
    report of the same kind and number as a late report once its deadline has passed.
    """
    result = []
    past = [p.bounds for p in plan.periods if p.bounds.ends_on < today]
    latest = max((b.ends_on for b in past), default=None)
    subject = plan_subject(plan.title, plan.year)
    delegation, position = (
        ("", "CHỦ TỊCH") if plan.signer_position == "Chủ tịch" else ("KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH")
    )
    for q in past:
        if rng.random() < (0.6 if traits.late and q.ends_on == latest else 0.02):
            continue
        delay = rng.randint(1, (q.due_on - q.ends_on).days + 2) + (
            0 if rng.random() < traits.diligence else rng.randint(3, 25)
        )
        issued = q.ends_on + _days(delay)
        if issued >= today:
            continue
        tasks = len(plan.tasks)
        result.append(
            ReportSpec(
                period=(q.kind, q.number),
                title=(
                    f"Kết quả thực hiện Kế hoạch số {plan.number} về {subject} "
                    f"{period_phrase(q.kind, plan.year, q.number)}"
                ),
                direction=(
                    f"UBND {level} đã ban hành Kế hoạch số {plan.number} ngày {plan.issued_on:%d/%m/%Y}, "
                    f"giao {lead_name} hướng dẫn, đôn đốc, tổng hợp; phân công {tasks:02d} nhiệm vụ và "
                    f"{len(plan.indicators):02d} chỉ tiêu cho các phòng, ban, đơn vị."
                ),
                shortcomings="- " + rng.choice(DIFFICULTIES),
                next_steps="- " + rng.choice(NEXT_STEPS),
                proposals="- " + rng.choice(PROPOSALS) if rng.random() < 0.5 else "Không có.",
                recipients="\n".join(
                    [
                        "Sở Khoa học và Công nghệ thành phố (để b/c)",
                        f"TT Đảng ủy, TT HĐND {level} (để b/c)",
                        f"Chủ tịch, các PCT UBND {level}",
                        f"Các phòng, ban, đơn vị thuộc {level}",
                        f"Lưu: VT, {lead_short}",
                    ]
                ),
                signer_delegation=delegation,
                signer_position=position,
                signer_name=plan.signer_name,
                issued_at=_at(issued, rng),
            )
        )
    return result


def commune_spec(
    *, seed: int, city_name: str, index: int, name: CommuneName, today: datetime.date, years: int = 2
) -> CommuneSpec:
    """Everything about one synthetic commune, from its own generator: no database access."""
    rng = random.Random(f"{seed}|{city_name}|{index}")
    level = name.level
    traits = Traits(
        skill=min(1.4, max(0.5, rng.gauss(1.0, 0.18))),
        diligence=rng.uniform(0.5, 1.0),
        gappy=rng.random() < 0.05,
        late=rng.random() < 0.08,
    )
    departments = []
    for key, dept_name, short, aliases, kind, always in DEPARTMENTS:
        if not always and rng.random() < 0.5:
            continue
        if key == "kinhte" and level == "phường":
            dept_name, short, aliases = WARD_ECONOMY
        departments.append(
            DepartmentSpec(
                key=key,
                name=dept_name.format(level=level),
                short_name=short.format(level=level),
                aliases="\n".join(a.format(level=level) for a in aliases),
                kind=kind,
            )
        )
    keys = {d.key for d in departments}
    lead = next(d for d in departments if d.key == "vhxh")
    chosen = sorted(rng.sample(CATALOGUE, rng.randint(6, 10)), key=CATALOGUE.index)
    chair, deputy = person_name(rng), person_name(rng)
    latest_year = today.year
    plans = []
    for year in range(latest_year - years + 1, latest_year + 1):
        issued_on = datetime.date(year, 1, 5) + _days(rng.randint(0, 59))
        issued_on = max(datetime.date(year, 1, 1), min(issued_on, today))
        signs = rng.random() < 0.7
        periods = []
        for bounds in periods_of_year(default_kinds(), year):
            # Past years' periods were locked once their reports were in.
            closed_on = bounds.due_on + _days(rng.randint(15, 30))
            closed = year < latest_year and closed_on < today
            periods.append(PeriodSpec(bounds, _at(closed_on, rng) if closed else None))
        triggers = {}
        for key, (happened, number) in _city_events(seed, city_name, year, today).items():
            description, title, _, (month, day) = TRIGGERS[key]
            recorded = happened + _days(rng.randint(0, 10)) if happened else None
            records = (
                recorded is not None
                and recorded < today
                and rng.random() < (0.9 if year < latest_year else 0.6)
            )
            triggers[key] = TriggerSpec(
                key=key,
                description=description.format(y=year),
                expected_on=datetime.date(year, month, day),
                occurred_on=happened if records else None,
                document_number=number if records else "",
                document_issuer=city_name if records else "",
                document_title=title.format(y=year) if records else "",
                recorded_at=_at(recorded, rng) if records else None,
            )
        plan = PlanSpec(
            year=year,
            number=f"{rng.randint(8, 160)}/KH-UBND",
            issued_on=issued_on,
            place=name.place,
            title=f"Kế hoạch Khoa học và Công nghệ {level} {name.place} năm {year}",
            issuer_name=name.name,
            signer_name=chair if signs else deputy,
            signer_position="Chủ tịch" if signs else "Phó Chủ tịch",
            recipients="\n".join(
                [
                    "Sở Khoa học và Công nghệ thành phố; (để b/c)",
                    f"Chủ tịch và các PCT UBND {level};",
                    "Các phòng, ban, ngành, đơn vị;",
                    f"Lưu: VT, {lead.short_name}.",
                ]
            ),
            periods=periods,
            triggers=[],
            indicators=_indicators(
                rng,
                chosen=chosen,
                year=year,
                latest_year=latest_year,
                level=level,
                periods=periods,
                today=today,
                traits=traits,
            ),
            tasks=[],
            reports=[],
        )
        plan.tasks = _tasks(
            rng,
            year=year,
            level=level,
            issued_on=issued_on,
            departments=keys,
            triggers=triggers,
            periods=periods,
            today=today,
            traits=traits,
        )
        used = {t.trigger for t in plan.tasks if t.trigger}
        plan.triggers = [t for key, t in triggers.items() if key in used]
        plan.reports = _reports(
            rng,
            plan=plan,
            level=level,
            lead_name=lead.name,
            lead_short=lead.short_name,
            today=today,
            traits=traits,
        )
        plans.append(plan)
    return CommuneSpec(index=index, name=name, departments=departments, plans=plans)


# --- Writing -------------------------------------------------------------------------------------------

BATCH = 1000


def _path(unit: Unit) -> None:
    """What Unit.save computes for a unit whose parent's path is set and whose pk is known."""
    unit.path = f"{unit.parent.path if unit.parent_id else '/'}{unit.pk}/"
    unit.depth = unit.path.count("/") - 2


def _unit(name: str, short_name: str, aliases: str, kind: str, parent: Unit, position: int) -> Unit:
    return Unit(
        name=name,
        short_name=short_name,
        aliases=aliases,
        kind=kind,
        parent=parent,
        position=position,
        # As Unit.save builds it; bulk_create does not call save.
        search_text=fold(" ".join([name, short_name, aliases])),
    )


def _copying() -> bool:
    # At the country's scale (3,321 communes, about a million rows) building an INSERT parameter for
    # every value is what takes the time; PostgreSQL's COPY takes the rows as they are. SQLite, which
    # holds one city at most, keeps bulk_create.
    return connection.vendor == "postgresql"


def _allocate(model, objects: list) -> None:
    """Give unsaved objects their ids from the table's sequence, as an INSERT would."""
    table, column = model._meta.db_table, model._meta.pk.column
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [table, column, len(objects)],
        )
        for obj, (pk,) in zip(objects, cursor.fetchall(), strict=True):
            obj.pk = pk


def _copy(model, rows) -> None:
    """COPY rows ({attname: value}) into the model's table; fields a row leaves out take their defaults."""
    now = timezone.now()
    fields = [f for f in model._meta.concrete_fields if not (f.primary_key and f.attname not in rows[0])]
    defaults = {
        f.attname: now
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
        else f.get_default()
        for f in fields
    }
    as_json = {f.attname for f in fields if isinstance(f, JSONField)}
    names = [f.attname for f in fields]
    quote = connection.ops.quote_name
    sql = f"COPY {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in rows:
            values = {**defaults, **row}
            copy.write_row(
                [json.dumps(values[n], ensure_ascii=False) if n in as_json else values[n] for n in names]
            )


def _as_row(obj, names: list[str]) -> dict:
    return {name: getattr(obj, name) for name in names}


def _insert(model, objects: list, counts: Counter) -> None:
    """Insert model instances and give them their ids (with bulk_create, or ids drawn first then COPY)."""
    counts[model._meta.model_name] += len(objects)
    if not objects:
        return
    if not _copying():
        model.objects.bulk_create(objects, batch_size=BATCH)
        return
    if objects[0].pk is None:
        _allocate(model, objects)
    names = [f.attname for f in model._meta.concrete_fields if f.attname not in ("created_at", "updated_at")]
    _copy(model, [_as_row(obj, names) for obj in objects])


def _insert_units(units: list[Unit], counts: Counter) -> None:
    """Units with the materialised path Unit.save would give them; the path needs the unit's own id."""
    if _copying():
        _allocate(Unit, units)
        for unit in units:
            _path(unit)
        _insert(Unit, units, counts)
        return
    _insert(Unit, units, counts)
    for unit in units:
        _path(unit)
    Unit.objects.bulk_update(units, ["path", "depth"], batch_size=500)


def _insert_rows(model, rows: list[dict], counts: Counter) -> None:
    """Rows no other row points to, given as {attname: value}: no model instance is built for them."""
    counts[model._meta.model_name] += len(rows)
    if not rows:
        return
    if _copying():
        _copy(model, rows)
    else:
        model.objects.bulk_create([model(**row) for row in rows], batch_size=BATCH)


def ensure_city(city_name: str) -> tuple[Unit, bool]:
    """The city root, created with its Department of Science and Technology when missing."""
    city = Unit.objects.filter(parent__isnull=True, name=city_name).first()
    if city is not None:
        return city, False
    # Named as the shipped tree names Hải Phòng's, so `kehoach demo` later finds the same units.
    level_place = city_name.removeprefix("Ủy ban nhân dân ").strip()  # "thành phố Hải Phòng"
    place = place_name(city_name)  # "Hải Phòng"
    level = level_place.removesuffix(place).strip()  # "thành phố"
    city = Unit.objects.create(name=city_name, short_name=f"UBND {level_place}", kind=UnitKind.PROVINCE)
    Unit.objects.create(
        name=f"Sở Khoa học và Công nghệ {level_place}",
        short_name=f"Sở KH&CN {place}",
        aliases=f"Sở Khoa học và Công nghệ {level}" if level and level != level_place else "",
        kind=UnitKind.AGENCY,
        parent=city,
        position=1,
    )
    return city, True


def ensure_catalogue(city: Unit) -> tuple[dict[str, CityIndicator], int]:
    """The city's catalogue entries by code; missing ones are added, existing ones left as they are."""
    existing = {c.code: c for c in CityIndicator.objects.filter(city=city)}
    created = 0
    for position, entry in enumerate(CATALOGUE, start=1):
        if entry.code in existing:
            continue
        existing[entry.code] = CityIndicator.objects.create(
            city=city,
            code=entry.code,
            name=entry.name,
            unit_of_measure=entry.unit,
            direction=entry.direction,
            position=position,
        )
        created += 1
    return existing, created


def link_habac(city: Unit, catalogue: dict[str, CityIndicator]) -> int:
    """Link the Hà Bắc plan's indicators that are not linked yet to their catalogue entries."""
    linked = 0
    indicators = Indicator.objects.filter(
        plan__owner_unit__parent=city, plan__owner_unit__name=COMMUNE, city_indicator__isnull=True
    ).select_related("plan")
    for indicator in indicators:
        code = HABAC_LINKS.get(fold(indicator.name))
        if code is None or code not in catalogue:
            continue
        indicator.city_indicator = catalogue[code]
        indicator.save(update_fields=["city_indicator", "updated_at"])
        # A change to a real plan's data, unlike the synthetic communes: it goes into the plan's history.
        audit_change(
            actor=None,
            obj=indicator,
            action=AuditEntry.Action.UPDATE,
            before={"Chỉ tiêu dùng chung của thành phố": None},
            after={"Chỉ tiêu dùng chung của thành phố": str(catalogue[code])},
            context=indicator.plan,
            summary=f"Liên kết chỉ tiêu {indicator.code} với danh mục chỉ tiêu dùng chung {code}",
        )
        linked += 1
    return linked


def _write(
    city: Unit, catalogue: dict[str, CityIndicator], specs: list[CommuneSpec], counts: Counter
) -> None:
    communes = [
        _unit(s.name.name, s.name.short_name, s.name.alias, UnitKind.COMMUNE, city, 100 + s.index)
        for s in specs
    ]
    _insert_units(communes, counts)

    departments: list[dict[str, Unit]] = []
    rows = []
    for spec, commune in zip(specs, communes, strict=True):
        mine = {
            d.key: _unit(d.name, d.short_name, d.aliases, d.kind, commune, position)
            for position, d in enumerate(spec.departments, start=1)
        }
        departments.append(mine)
        rows.extend(mine.values())
    _insert_units(rows, counts)

    pairs = [
        (plan_spec, commune, depts)
        for spec, commune, depts in zip(specs, communes, departments, strict=True)
        for plan_spec in spec.plans
    ]
    plans = [
        Plan(
            number=p.number,
            issued_on=p.issued_on,
            place=p.place,
            title=p.title,
            field=PlanField.SCIENCE,
            year=p.year,
            owner_unit=commune,
            issuer_name=p.issuer_name,
            lead_unit=depts["vhxh"],
            signer_name=p.signer_name,
            signer_position=p.signer_position,
            signer_authority="TM. ỦY BAN NHÂN DÂN",
            recipients=p.recipients,
            status=PlanStatus.ISSUED,
            # As Plan.save builds it (these plans have no goals); bulk inserts do not call save.
            search_text=Plan.compose_search_text(
                number=p.number, title=p.title, issuer_name=p.issuer_name, field=PlanField.SCIENCE
            ),
        )
        for p, commune, depts in pairs
    ]
    _insert(Plan, plans, counts)
    _insert_rows(ReportingConfig, [{"plan_id": plan.pk} for plan in plans], counts)

    periods: list[dict[tuple[str, int], Period]] = []
    groups: list[dict[str, IndicatorGroup]] = []
    triggers: list[dict[str, Trigger]] = []
    for (p, _, _), plan in zip(pairs, plans, strict=True):
        periods.append(
            {
                (s.bounds.kind, s.bounds.number): Period(
                    plan=plan,
                    kind=s.bounds.kind,
                    year=s.bounds.year,
                    number=s.bounds.number,
                    starts_on=s.bounds.starts_on,
                    ends_on=s.bounds.ends_on,
                    due_on=s.bounds.due_on,
                    closed_at=s.closed_at,
                )
                for s in p.periods
            }
        )
        names = [g for g in GROUPS if any(i.group == g for i in p.indicators)]
        groups.append(
            {name: IndicatorGroup(plan=plan, position=n, name=name) for n, name in enumerate(names, start=1)}
        )
        triggers.append(
            {
                t.key: Trigger(
                    plan=plan,
                    description=t.description,
                    document_number=t.document_number,
                    document_issuer=t.document_issuer,
                    document_title=t.document_title,
                    expected_on=t.expected_on,
                    occurred_on=t.occurred_on,
                    recorded_at=t.recorded_at,
                )
                for t in p.triggers
            }
        )
    _insert(Period, [x for d in periods for x in d.values()], counts)
    _insert(IndicatorGroup, [x for d in groups for x in d.values()], counts)
    _insert(Trigger, [x for d in triggers for x in d.values()], counts)

    indicators, tasks, links = [], [], []
    for (p, _, depts), plan, plan_groups, plan_triggers in zip(pairs, plans, groups, triggers, strict=True):
        for position, i in enumerate(p.indicators, start=1):
            indicators.append(
                (
                    i,
                    Indicator(
                        plan=plan,
                        group=plan_groups[i.group],
                        position=position,
                        code=i.code,
                        name=i.name,
                        comparator=i.comparator,
                        target=i.target,
                        unit_of_measure=i.unit,
                        commitment=i.commitment,
                        baseline=i.baseline,
                        lead_unit=depts[i.lead],
                        city_indicator=catalogue[i.catalogue_code],
                        search_text=Indicator.compose_search_text(code=i.code, name=i.name),
                    ),
                )
            )
        for t in p.tasks:
            task = Task(
                plan=plan,
                position=t.position,
                title=t.title,
                output=t.output,
                coordinates_all_units=t.coordinates_all_units,
                deadline_text=t.deadline_text,
                deadline_kind=t.deadline_kind,
                deadline_date=t.deadline_date,
                trigger=plan_triggers.get(t.trigger),
                starts_on=t.starts_on,
                due_on=t.due_on,
                completed_on=t.completed_on,
                budget_amount=t.budget_amount,
                budget_source=t.budget_source,
                # As Task.save builds it.
                search_text=fold(" ".join([t.title, t.output, ""])),
            )
            tasks.append((t, task))
            units = [(k, TaskUnitRole.LEAD) for k in t.leads] + [
                (k, TaskUnitRole.COORDINATE) for k in t.coordinators
            ]
            links.extend((task, depts[k], role, n) for n, (k, role) in enumerate(units))
    _insert(Indicator, [x for _, x in indicators], counts)
    _insert(Task, [x for _, x in tasks], counts)
    _insert_rows(
        TaskUnit,
        [
            {"task_id": task.pk, "unit_id": unit.pk, "role": role, "position": n}
            for task, unit, role, n in links
        ],
        counts,
    )

    plan_of = {id(plan): n for n, plan in enumerate(plans)}
    measurements, reports = [], []
    for spec, indicator in indicators:
        n = plan_of[id(indicator.plan)]
        for f in spec.figures:
            w = f.workflow
            measurements.append(
                {
                    "indicator_id": indicator.pk,
                    "period_id": periods[n][f.period].pk,
                    "unit_id": indicator.lead_unit_id,
                    "value": f.value,
                    "numerator": f.numerator,
                    "denominator": f.denominator,
                    "source": spec.source,
                    "status": w.status,
                    "submitted_at": w.submitted_at,
                    "reviewed_at": w.reviewed_at,
                    "return_reason": w.return_reason,
                    "version": w.version,
                }
            )
    for spec, task in tasks:
        n = plan_of[id(task.plan)]
        depts = pairs[n][2]
        for r in spec.progress:
            w = r.workflow
            reports.append(
                {
                    "task_id": task.pk,
                    "period_id": periods[n][r.period].pk,
                    "unit_id": depts[r.unit].pk,
                    "role": ReporterRole.LEAD,
                    "percent_complete": r.percent,
                    "results": r.results,
                    "outputs": r.outputs,
                    "output_delivered": r.output_delivered,
                    "completed_on": r.completed_on,
                    "difficulties": r.difficulties,
                    "proposals": r.proposals,
                    "next_steps": r.next_steps,
                    "spent_amount": r.spent_amount,
                    "status": w.status,
                    "submitted_at": w.submitted_at,
                    "reviewed_at": w.reviewed_at,
                    "return_reason": w.return_reason,
                    "version": w.version,
                }
            )
    _insert_rows(Measurement, measurements, counts)
    _insert_rows(ProgressReport, reports, counts)
    _insert_rows(
        Report,
        [
            {
                "plan_id": plan.pk,
                "period_kind": r.period[0],
                "period_number": r.period[1],
                "state": ReportState.ISSUED,
                "title": r.title,
                "direction": r.direction,
                "shortcomings": r.shortcomings,
                "next_steps": r.next_steps,
                "proposals": r.proposals,
                "recipients": r.recipients,
                "signer_delegation": r.signer_delegation,
                "signer_position": r.signer_position,
                "signer_name": r.signer_name,
                "issued_at": r.issued_at,
                "version": 2,
            }
            for (p, _, _), plan in zip(pairs, plans, strict=True)
            for r in p.reports
        ],
        counts,
    )


# Every table `_write` fills.
WRITTEN = (
    Unit,
    Plan,
    ReportingConfig,
    Period,
    IndicatorGroup,
    Trigger,
    Indicator,
    Task,
    TaskUnit,
    Measurement,
    ProgressReport,
    Report,
)


def build_city(
    *,
    communes: int,
    seed: int,
    city_name: str = CITY,
    years: int = 2,
    today: datetime.date,
    batch_size: int = 50,
    progress: Callable[[int, int], None] | None = None,
) -> dict:
    """Add the missing ones of the city's first `communes` synthetic communes; a second run adds nothing.

    Returns what was done: the city, communes created and already there, catalogue entries created,
    Hà Bắc indicators linked, and the number of rows written per model.
    """
    if communes < 0:
        raise ValueError("Số xã, phường phải từ 0 trở lên.")
    if not 1 <= years <= 5:
        raise ValueError("Số năm phải từ 1 đến 5.")
    if not connection.features.can_return_rows_from_bulk_insert:
        raise RuntimeError(
            "Cơ sở dữ liệu không trả về khóa khi thêm hàng loạt; cần SQLite ≥ 3.35 hoặc PostgreSQL."
        )
    names = commune_names(seed, city_name, communes)
    with transaction.atomic():
        city, city_created = ensure_city(city_name)
        catalogue, catalogue_created = ensure_catalogue(city)
        linked = link_habac(city, catalogue) if city_name == CITY else 0
    there = set(Unit.objects.filter(parent=city).values_list("name", flat=True))
    todo = [i for i, name in enumerate(names) if name.name not in there]
    counts: Counter = Counter()
    for start in range(0, len(todo), batch_size):
        batch = todo[start : start + batch_size]
        specs = [
            commune_spec(seed=seed, city_name=city_name, index=i, name=names[i], today=today, years=years)
            for i in batch
        ]
        with transaction.atomic():
            _write(city, catalogue, specs, counts)
        if progress:
            progress(start + len(batch), len(todo))
    if todo and _copying():
        # Right after a load this size the planner still takes the tables for small ones, and the
        # city's grouped queries run some twenty times slower until autovacuum gets round to them.
        with connection.cursor() as cursor:
            for model in WRITTEN:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    if todo or linked or catalogue_created:
        # Written in bulk, not through the audited services: the comparison's cache must learn of it.
        bump_city(city.pk)
    return {
        "city": city,
        "city_created": city_created,
        "created": len(todo),
        "existing": communes - len(todo),
        "catalogue_created": catalogue_created,
        "habac_linked": linked,
        "rows": dict(counts),
    }
