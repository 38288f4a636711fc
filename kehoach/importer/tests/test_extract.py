"""The extraction rules on small documents written for the test (no shared files needed)."""

import pytest

from kehoach.importer.extract import extract_plan
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
    assert plan["signer"] == {"name": "Trần Văn Bình", "position": "Phó Chủ tịch"}


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
