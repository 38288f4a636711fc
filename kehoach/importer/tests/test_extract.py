"""The extraction rules on small documents written for the test (no shared files needed)."""

import json

import pytest

from kehoach.demo.services import PLAN_FILE
from kehoach.importer.contract import printed
from kehoach.importer.extract import extract_plan
from kehoach.importer.readers import read_document
from kehoach.importer.values import find_values

PLAN = """ỦY BAN NHÂN DÂN
XÃ AN LẠC
-------
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc

Số: 15 /KH-UBND
An Lạc, ngày 05 tháng 3 năm 2026

KẾ HOẠCH
CHUYỂN ĐỔI SỐ XÃ AN LẠC NĂM 2026

{preamble}

I. MỤC TIÊU, CHỈ TIÊU
1. Mục tiêu chung
- Xây dựng chính quyền số phục vụ người dân.
2. Chỉ tiêu cụ thể
a) Về chính quyền số
- 100% cán bộ, công chức được bồi dưỡng kỹ năng số.
- Tỷ lệ hồ sơ giải quyết trực tuyến toàn trình đạt từ 60 - 70%.
- Tỷ lệ hồ sơ trễ hạn dưới 2%.
- Phấn đấu trên 80% người dân trưởng thành có danh tính điện tử; tối thiểu 05 mô hình điểm.

II. NHIỆM VỤ, GIẢI PHÁP
1. Về hạ tầng số
- Rà soát, nâng cấp mạng nội bộ của Ủy ban nhân dân xã.
- Phối hợp triển khai phủ sóng 5G tại các thôn.

III. TỔ CHỨC THỰC HIỆN
1. Văn phòng HĐND và UBND xã
- Chủ trì theo dõi, tổng hợp kết quả thực hiện Kế hoạch.
2. Công an xã, Trung tâm Phục vụ hành chính công: Phối hợp hướng dẫn người dân sử dụng dịch vụ công.
3. Đề nghị Ủy ban Mặt trận Tổ quốc Việt Nam xã tuyên truyền, vận động Nhân dân.
Trong quá trình thực hiện, nếu có khó khăn, vướng mắc các đơn vị báo cáo về Văn phòng.

Nơi nhận:
- Như trên;
- Lưu: VT.

TM. ỦY BAN NHÂN DÂN
KT. CHỦ TỊCH
PHÓ CHỦ TỊCH

Trần Văn Bình

PHỤ LỤC
STT\tNhiệm vụ\tĐơn vị chủ trì\tĐơn vị phối hợp\tSản phẩm\tThời hạn
{task_row}
2\tTổ chức tuyên truyền chuyển đổi số\tCông an xã\tCác thôn\tBài viết\tThường xuyên
""".format(
    preamble=(
        "Căn cứ Quyết định số 749/QĐ-TTg ngày 03/6/2020 của Thủ tướng Chính phủ; "
        "Thực hiện Kế hoạch số 20/KH-UBND ngày 10/01/2026 của UBND huyện Bình Minh; "
        "theo đề nghị của Văn phòng tại Tờ trình số 05/TTr-VP ngày "
        "01/3/2026, UBND xã An Lạc ban hành Kế hoạch chuyển đổi số xã An Lạc năm 2026 như sau:"
    ),
    task_row="\t".join(
        [
            "1",
            "Xây dựng kế hoạch bồi dưỡng kỹ năng số",
            "Văn phòng HĐND và UBND xã; TT PVHCC",
            "Các đơn vị",
            "Kế hoạch",
            "Quý II/2026",
        ]
    ),
)


@pytest.fixture(scope="module")
def plan():
    return extract_plan(PLAN.split("\n"))


def test_header(plan):
    assert plan["number"] == "15/KH-UBND"
    assert plan["date"] == "2026-03-05"
    assert plan["place"] == "An Lạc"
    assert plan["issuer"] == "UBND xã An Lạc"
    assert plan["title"] == "Kế hoạch Chuyển đổi số xã An Lạc năm 2026"
    # "KT. CHỦ TỊCH" is not kept: it follows from a deputy's position.
    assert plan["signer"] == {
        "name": "Trần Văn Bình",
        "position": "Phó Chủ tịch",
        "authority": "TM. ỦY BAN NHÂN DÂN",
    }


def test_references_leave_out_the_proposal(plan):
    assert [(r["number"], r["date"]) for r in plan["references"]] == [
        ("749/QĐ-TTg", "2020-06-03"),
        ("20/KH-UBND", "2026-01-10"),
    ]


def test_goals_and_indicators(plan):
    assert plan["goals"] == ["Xây dựng chính quyền số phục vụ người dân."]
    got = [
        (i["name"], i["comparator"], i["target"], i["target_max"], i["unit"], i["commitment"])
        for i in plan["indicators"]
    ]
    assert got == [
        ("Cán bộ, công chức được bồi dưỡng kỹ năng số", ">=", 100, None, "%", "required"),
        ("Tỷ lệ hồ sơ giải quyết trực tuyến toàn trình", "between", 60, 70, "%", "required"),
        ("Tỷ lệ hồ sơ trễ hạn", "<=", 2, None, "%", "required"),
        ("Người dân trưởng thành có danh tính điện tử", ">=", 80, None, "%", "aspiration"),
        ("Mô hình điểm", ">=", 5, None, "mô hình", "aspiration"),
    ]
    assert {i["group"] for i in plan["indicators"]} == {"Về chính quyền số"}


def test_measures(plan):
    assert plan["measures"] == [
        {"section": "Về hạ tầng số", "text": "Rà soát, nâng cấp mạng nội bộ của Ủy ban nhân dân xã."},
        {"section": "Về hạ tầng số", "text": "Phối hợp triển khai phủ sóng 5G tại các thôn."},
    ]


def test_responsibilities(plan):
    units = [r["unit"] for r in plan["responsibilities"]]
    assert units == [
        "Văn phòng HĐND và UBND xã",
        "Công an xã",
        "Trung tâm Phục vụ hành chính công",
        "Ủy ban Mặt trận Tổ quốc Việt Nam xã",
    ]
    assert plan["responsibilities"][3]["duties"] == ["Tuyên truyền, vận động Nhân dân."]


def test_tasks(plan):
    first, second = plan["tasks"]
    assert first["title"] == "Xây dựng kế hoạch bồi dưỡng kỹ năng số"
    assert first["lead_units"] == ["Văn phòng HĐND và UBND xã", "Trung tâm Phục vụ hành chính công"]
    assert first["output"] == "Kế hoạch"
    assert first["deadline"] == {"kind": "period", "date": "2026-06-30"}
    assert second["deadline"] == {"kind": "continuous", "date": "2026-12-31"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("tối thiểu 10 sáng kiến", (">=", 10, None, "sáng kiến")),
        ("đạt từ 50% trở lên", (">=", 50, None, "%")),
        ("không quá 5%", ("<=", 5, None, "%")),
        ("giảm xuống dưới 3%", ("<=", 3, None, "%")),
        ("từ 60% đến 70%", ("between", 60, 70, "%")),
        ("đạt 99,5%", (">=", 99.5, None, "%")),
    ],
)
def test_values(text, expected):
    (v,) = find_values(text)
    assert (v.comparator, v.target, v.target_max, v.unit) == expected


@pytest.mark.parametrize(
    "text",
    [
        "phủ sóng 5G",
        "giai đoạn 2026-2030",
        "ngày 12/3/2026",
        "Đề án 06 của Chính phủ",
        "(02 chỉ tiêu)",
        "trong 6 tháng",
    ],
)
def test_not_values(text):
    assert find_values(text) == []


def test_news_report_and_results_section():
    news = [
        "Ngày 3/4, UBND huyện Sơn Hà ban hành kế hoạch chuyển đổi số năm 2025.",
        "",
        "Về kinh tế số, huyện phấn đấu 100% doanh nghiệp sử dụng hóa đơn điện tử, "
        "hơn 50% sử dụng hợp đồng điện tử.",
    ]
    plan = extract_plan(news)
    assert plan["date"] == "2025-04-03"
    assert plan["issuer"] == "UBND huyện Sơn Hà"
    assert [(i["target"], i["commitment"]) for i in plan["indicators"]] == [
        (100, "aspiration"),
        (50, "aspiration"),
    ]

    report = [
        "Thực hiện Quyết định số 10/QĐ-UBND ngày 02/01/2025 của UBND tỉnh, Sở X xây dựng Kế hoạch như sau:",
        "Phần I",
        "ĐÁNH GIÁ KẾT QUẢ THỰC HIỆN NĂM 2024",
        "- 100% văn bản được trao đổi dưới dạng điện tử theo Kế hoạch số 99/KH-UBND ngày 01/02/2024.",
    ]
    plan = extract_plan(report)
    assert [r["number"] for r in plan["references"]] == ["10/QĐ-UBND"]
    assert plan["indicators"] == []


def test_empty_and_odd_input_gives_the_empty_contract():
    plan = extract_plan([])
    assert plan["number"] is None and plan["indicators"] == [] and plan["tasks"] == []
    assert extract_plan(["|", "|", "| --- |", "\t\t", "I.", "1)", "-", "+"])["references"] == []


# Lines as the Hà Bắc plan 97/KH-UBND writes them (the founding seed document): a sentence cut by a
# page break in the middle of a reference, and the signature block in bold.
HABAC_EXCERPT = """Số: 97/KH-UBND

Hà Bắc, ngày 28 tháng 02 năm 2026

**KẾ HOẠCH
Khoa học và Công nghệ xã Hà Bắc năm 2026**

Thực hiện Kế hoạch số 350/KH-UBND ngày 30/12/2025 của Ủy ban nhân dân thành phố Hải Phòng về Khoa học và \
Công nghệ thành phố Hải Phòng năm 2026. UBND xã Hà Bắc xây dựng Kế hoạch Khoa học và Công nghệ xã Hà Bắc năm \
2026, cụ thể như sau:

II. NHIỆM VỤ, GIẢI PHÁP

4. Triển khai hiệu quả các nhiệm vụ tiêu chuẩn, đo lường, chất lượng

- Tập trung triển khai Kế hoạch số 289/KH-UBND ngày 06/11/2025 của Ủy ban nhân dân thành phố thực hiện \
Quyết định số 1703/QĐ-TTg ngày

31/12/2024 của Thủ tướng Chính phủ và Kế hoạch số 03-KH/TU ngày 06/10/2025 của Ban Thường vụ Thành ủy \
thực hiện Chỉ thị số 38-CT/TW ngày 30/7/2024 của Ban Bí Thư về đẩy mạnh công tác tiêu chuẩn, đo lường, \
chất lượng quốc gia đến năm 2030 và những năm tiếp theo.

Nơi nhận:

- Sở Khoa học và Công nghệ thành phố; (để b/c)
- Lưu: VT, VHXXH.

**TM. ỦY BAN NHÂN DÂN
CHỦ TỊCH**

Nguyễn Anh Tuấn
"""


def test_habac_signature_keeps_the_authority_line():
    plan = extract_plan(HABAC_EXCERPT.split("\n"))
    assert plan["signer"] == {
        "name": "Nguyễn Anh Tuấn",
        "position": "Chủ tịch",
        "authority": "TM. ỦY BAN NHÂN DÂN",
    }
    # The printed contract (design.md) stays {name, position}; the review screen and the plan keep it.
    assert printed(plan)["signer"] == {"name": "Nguyễn Anh Tuấn", "position": "Chủ tịch"}


def test_habac_reference_issuer_survives_the_page_break_and_the_next_document():
    plan = extract_plan(HABAC_EXCERPT.split("\n"))
    assert [(r["number"], r["date"], r["issuer"]) for r in plan["references"]] == [
        ("350/KH-UBND", "2025-12-30", "Ủy ban nhân dân thành phố Hải Phòng"),
        ("289/KH-UBND", "2025-11-06", "Ủy ban nhân dân thành phố"),
        ("1703/QĐ-TTg", "2024-12-31", "Thủ tướng Chính phủ"),
        ("03-KH/TU", "2025-10-06", "Ban Thường vụ Thành ủy"),
        ("38-CT/TW", "2024-07-30", "Ban Bí Thư"),
    ]


@pytest.mark.parametrize(
    "block, authority",
    [
        ("TM. ỦY BAN NHÂN DÂN\nKT. CHỦ TỊCH\nPHÓ CHỦ TỊCH", "TM. ỦY BAN NHÂN DÂN"),
        ("TL. CHỦ TỊCH\nCHÁNH VĂN PHÒNG", "TL. CHỦ TỊCH"),
        ("TM.ỦY BAN NHÂN DÂN\nCHỦ TỊCH", "TM. ỦY BAN NHÂN DÂN"),
        ("KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH", None),
        # A PDF puts the recipients' last line and the signature's first on one line.
        ("- Lưu: VT, NCTường. TM. ỦY BAN NHÂN DÂN KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH", "TM. ỦY BAN NHÂN DÂN"),
        ("CHỦ TỊCH", None),
    ],
)
def test_signing_authority(block, authority):
    text = HABAC_EXCERPT.replace("**TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH**", block).replace(
        "Nguyễn Anh Tuấn", "Nguyễn Văn An"
    )
    signer = extract_plan(text.split("\n"))["signer"]
    assert signer["name"] == "Nguyễn Văn An"
    assert signer.get("authority") == authority


def test_the_whole_habac_plan_reads_as_the_project_seed_states_it():
    """The seed document (../shared/seed) against the project's own contract of it (kehoach/demo/seed)."""
    from .builders import SHARED

    source = SHARED / "seed" / "ke-hoach-97-KH-UBND-2026-ha-bac.txt"
    if not source.exists():
        pytest.skip(f"không có {source} (thư mục dùng chung): bỏ qua")
    seed = json.loads(PLAN_FILE.read_text(encoding="utf-8"))
    plan = extract_plan(read_document(source))
    assert plan["signer"] == seed["signer"]
    assert plan["references"] == seed["references"]
