"""The plan as an official document (NĐ 30/2020): what the builder writes from plan 97/KH-UBND, the issuer
lines of the header, and the preview/DOCX/PDF pages — who may read them, what the files contain, and
that the preview costs the same number of queries however many tasks the plan has.
"""

import datetime
import html
import io
import re
import unicodedata
from urllib.parse import quote

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from kehoach.documents.document import Heading, OfficialDocument, Paragraph, Table
from kehoach.documents.naming import content_disposition, issuer_lines, place_name, short_issuer
from kehoach.plans.choices import BudgetSource, PlanStatus
from kehoach.plans.document import plan_document
from kehoach.plans.models import Indicator, Plan, PlanReference, Task
from kehoach.plans.services.tasks import task_save

HABAC_USERS = [
    "lanhdao",
    "daumoi",
    "vhxh",
    "vanphong",
    "kinhte",
    "congan",
    "pvhcc",
    "dvsnc",
    "mttq",
    "captren",
    "quantri",
]
TITLE = "Kế hoạch Khoa học và Công nghệ xã Hà Bắc năm 2026"
ABSTRACT = "Khoa học và Công nghệ xã Hà Bắc năm 2026"
PLACE_DATE = "Hà Bắc, ngày 28 tháng 02 năm 2026"
SUBTITLE = "(Kèm theo Kế hoạch số 97/KH-UBND ngày 28/02/2026 của UBND xã Hà Bắc)"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
A4_POINTS = (595.28, 841.89)


def collapse(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\xad", "")).strip()


def tasks_of(plan: Plan) -> list[Task]:
    return list(Task.objects.filter(plan=plan).prefetch_related("task_units__unit").order_by("position"))


@pytest.fixture
def budgets(habac) -> dict[int, str]:
    """Three tasks given resources; position → what the Kinh phí column must say."""
    Task.objects.filter(plan=habac, position=1).update(
        budget_amount=15_000_000, budget_source=BudgetSource.COMMUNE
    )
    Task.objects.filter(plan=habac, position=4).update(
        budget_amount=250_000_000, budget_source=BudgetSource.SOCIALISED
    )
    Task.objects.filter(plan=habac, position=5).update(budget_source=BudgetSource.NONE)
    return {
        1: "15.000.000 (Ngân sách xã)",
        4: "250.000.000 (Xã hội hóa)",
        5: "Không phát sinh kinh phí",
    }


def appendix_table(document: OfficialDocument) -> Table:
    (appendix,) = document.appendices
    (table,) = [b for b in appendix.blocks if isinstance(b, Table)]
    return table


# 1. The builder ----------------------------------------------------------------------------------------


def test_header_is_the_commune_as_it_issued_the_plan(habac):
    document = plan_document(habac)
    assert document.issuer_lines == ["ỦY BAN NHÂN DÂN", "XÃ HÀ BẮC"]
    assert document.number == "Số: 97/KH-UBND"
    assert document.place_date == PLACE_DATE
    assert (document.kind, document.title) == ("KẾ HOẠCH", ABSTRACT)
    assert document.draft is False


def test_body_follows_the_order_of_a_plan(habac):
    body = plan_document(habac).body
    assert [b.text for b in body if isinstance(b, Heading) and b.level == 1] == [
        "I. MỤC TIÊU, CHỈ TIÊU",
        "II. NHIỆM VỤ, GIẢI PHÁP",
        "III. TỔ CHỨC THỰC HIỆN",
    ]
    texts = [b.text for b in body]
    # The opening cites the references: legal bases ("Căn cứ") first, then what the plan carries out.
    assert texts[0] == "Căn cứ Nghị quyết số 57/NQ-CP;"
    assert (
        "Thực hiện Kế hoạch số 350/KH-UBND ngày 30/12/2025 của Ủy ban nhân dân thành phố Hải Phòng;" in texts
    )
    assert "Thực hiện Chỉ thị số 38-CT/TW ngày 30/07/2024 của Ban Bí Thư." in texts
    assert f"UBND xã Hà Bắc xây dựng {TITLE}, cụ thể như sau:" in texts
    opening = texts[: texts.index("I. MỤC TIÊU, CHỈ TIÊU")]
    assert len(opening) == PlanReference.objects.filter(plan=habac).count() + 1

    order = [
        "1. Mục tiêu chung",
        "2. Các chỉ tiêu",
        "a) Nhóm chỉ tiêu về sở hữu trí tuệ",
        "b) Nhóm chỉ tiêu chuyển đổi số",
        "c) Nhóm chỉ tiêu tiêu chuẩn đo lường chất lượng",
        "1. Hoàn thiện cơ chế, chính sách và tăng cường quản lý nhà nước",
        "3. Tập trung hoàn thiện và phát triển hạ tầng số",
        "a) Về hoạt động bưu chính",
        "b) Về lĩnh vực viễn thông",
        "1. Phòng Văn hóa - Xã hội",
        "7. Đề nghị Ủy ban Mặt trận Tổ quốc Việt Nam xã",
    ]
    headings = [b.text for b in body if isinstance(b, Heading)]
    assert [h for h in headings if h in order] == order
    levels = {b.text: b.level for b in body if isinstance(b, Heading)}
    assert (levels["2. Các chỉ tiêu"], levels["a) Về hoạt động bưu chính"]) == (2, 3)
    assert "- Thực hiện hiệu quả, đảm bảo tiến độ và hoàn thành tốt các nhiệm vụ được UBND thành phố" in (
        "\n".join(texts)
    )
    # NĐ 30 closes the content with "./.".
    last = [b for b in body if isinstance(b, Paragraph)][-1]
    assert last.text.endswith("Kế hoạch Khoa học Công nghệ năm 2026./.")


def test_every_indicator_is_written_with_its_target_in_words(habac):
    text = plan_document(habac).text()
    indicators = list(Indicator.objects.filter(plan=habac))
    assert len(indicators) == 11
    for indicator in indicators:
        assert f"- {indicator.name}: {indicator.target_in_words}." in text, indicator.code
    assert "tối thiểu 10 sáng kiến" in text
    assert "phấn đấu đạt 02 sáng kiến" in text
    assert "từ 50% trở lên" in text


def test_appendix_lists_every_task_with_its_units_and_budget(habac, budgets):
    document = plan_document(habac)
    (appendix,) = document.appendices
    assert appendix.label == "Phụ lục"
    assert appendix.title == f"DANH MỤC NHIỆM VỤ CỤ THỂ THỰC HIỆN KẾ HOẠCH {ABSTRACT.upper()}"
    assert appendix.subtitle == SUBTITLE
    assert appendix.landscape is True

    table = appendix_table(document)
    assert [c.title for c in table.columns] == [
        "STT",
        "Nhiệm vụ",
        "Đơn vị chủ trì",
        "Đơn vị phối hợp",
        "Thời gian thực hiện/hoàn thành",
        "Kết quả/sản phẩm",
        "Kinh phí (đồng)",
    ]
    tasks = tasks_of(habac)
    assert len(table.rows) == len(tasks) == 9
    for number, (row, task) in enumerate(zip(table.rows, tasks, strict=True), start=1):
        assert row[:2] == [str(number), task.title]
        assert row[2] == "; ".join(u.name for u in task.lead_units)
        assert row[3] == "Các phòng, cơ quan, đơn vị"
        assert row[4:6] == [task.deadline_text, task.output]
        assert row[6] == budgets.get(task.position, "")
    assert table.rows[2][2] == "Phòng Văn hóa - Xã hội; Trung tâm Phục vụ Hành chính công"


def test_footer_recipients_and_signature(habac):
    document = plan_document(habac)
    assert document.recipients == [
        "- Sở Khoa học và Công nghệ thành phố (để b/c);",
        "- Chủ tịch và các PCT UBND xã;",
        "- Các phòng, ban, ngành, đơn vị;",
        "- Lưu: VT, VHXXH.",
    ]
    assert document.signature.lines == ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"]
    assert document.signature.name == "Nguyễn Anh Tuấn"


def test_a_deputy_signs_for_the_chairman(habac):
    Plan.objects.filter(pk=habac.pk).update(signer_position="Phó Chủ tịch", signer_name="Lê Văn Bình")
    signature = plan_document(Plan.objects.get(pk=habac.pk)).signature
    assert signature.lines == ["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"]
    assert signature.name == "Lê Văn Bình"


def test_a_draft_without_number_or_date_keeps_the_blanks(habac):
    Plan.objects.filter(pk=habac.pk).update(number="", issued_on=None, place="", status=PlanStatus.DRAFT)
    document = plan_document(Plan.objects.get(pk=habac.pk))
    assert document.number == "Số:      /KH-UBND"
    assert document.draft is True
    # The place comes from the commune's name when the plan does not say it.
    assert document.place_date.startswith("Hà Bắc, ngày     tháng     năm ")
    assert document.appendices[0].subtitle == (
        "(Kèm theo Kế hoạch số      /KH-UBND ngày      /     /2026 của UBND xã Hà Bắc)"
    )


def test_small_numbers_take_a_leading_zero_and_recipients_end_with_the_archive(habac):
    Plan.objects.filter(pk=habac.pk).update(
        number="5/KH-UBND",
        issued_on=datetime.date(2026, 3, 7),
        recipients="- Như trên;\n- Lưu: VT.\n- Sở Khoa học và Công nghệ (để b/c)",
    )
    document = plan_document(Plan.objects.get(pk=habac.pk))
    assert document.number == "Số: 05/KH-UBND"
    assert document.place_date == "Hà Bắc, ngày 07 tháng 3 năm 2026"
    assert document.appendices[0].subtitle.startswith("(Kèm theo Kế hoạch số 05/KH-UBND ngày 07/03/2026")
    assert document.recipients == ["- Như trên;", "- Sở Khoa học và Công nghệ (để b/c);", "- Lưu: VT."]


def test_the_document_survives_its_frozen_json(habac, budgets):
    document = plan_document(habac)
    assert OfficialDocument.from_dict(document.to_dict()) == document


def test_builder_reads_a_fixed_number_of_queries(habac, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        plan_document(Plan.objects.get(pk=habac.pk))


# 2. Issuer lines -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, lines",
    [
        ("UBND xã Hà Bắc", ["ỦY BAN NHÂN DÂN", "XÃ HÀ BẮC"]),
        ("Ủy ban nhân dân xã Hà Bắc", ["ỦY BAN NHÂN DÂN", "XÃ HÀ BẮC"]),
        ("Uỷ ban nhân dân xã Hà Bắc", ["ỦY BAN NHÂN DÂN", "XÃ HÀ BẮC"]),
        ("ubnd  xã  hà bắc", ["ỦY BAN NHÂN DÂN", "XÃ HÀ BẮC"]),
        (unicodedata.normalize("NFD", "UBND xã Hà Bắc"), ["ỦY BAN NHÂN DÂN", "XÃ HÀ BẮC"]),
        ("UBND phường Lê Chân", ["ỦY BAN NHÂN DÂN", "PHƯỜNG LÊ CHÂN"]),
        ("Ủy ban nhân dân thị trấn Núi Đèo", ["ỦY BAN NHÂN DÂN", "THỊ TRẤN NÚI ĐÈO"]),
        ("UBND thị xã Kinh Môn", ["ỦY BAN NHÂN DÂN", "THỊ XÃ KINH MÔN"]),
        ("Ủy ban nhân dân thành phố Hải Phòng", ["ỦY BAN NHÂN DÂN", "THÀNH PHỐ HẢI PHÒNG"]),
        ("UBND TP Hà Nội", ["ỦY BAN NHÂN DÂN", "THÀNH PHỐ HÀ NỘI"]),
        ("UBND huyện Bạch Long Vĩ", ["ỦY BAN NHÂN DÂN", "HUYỆN BẠCH LONG VĨ"]),
        ("Phòng Văn hóa - Xã hội", ["PHÒNG VĂN HÓA - XÃ HỘI"]),
        ("Sở Khoa học và Công nghệ thành phố Hải Phòng", ["SỞ KHOA HỌC VÀ CÔNG NGHỆ THÀNH PHỐ HẢI PHÒNG"]),
        ("", []),
    ],
)
def test_issuer_lines(name, lines):
    assert issuer_lines(name) == lines
    assert all(unicodedata.is_normalized("NFC", line) for line in issuer_lines(name))


def test_place_and_short_issuer_from_the_unit_name():
    assert place_name("Ủy ban nhân dân xã Hà Bắc") == "Hà Bắc"
    assert short_issuer("Ủy ban nhân dân xã Hà Bắc") == "UBND xã Hà Bắc"
    assert short_issuer("Ủy ban nhân dân thành phố Hải Phòng") == "UBND thành phố Hải Phòng"
    assert place_name("Phòng Kinh tế") == "Phòng Kinh tế"


def test_attachment_header_has_an_ascii_name_and_the_vietnamese_one():
    header = content_disposition("Kế hoạch 97/KH-UBND năm 2026.docx", "KH-97-KH-UBND-2026.docx")
    assert header == (
        'attachment; filename="KH-97-KH-UBND-2026.docx"; '
        f"filename*=UTF-8''{quote('Kế hoạch 97-KH-UBND năm 2026.docx', safe='')}"
    )
    assert header.isascii()
    assert 'filename="Chi-tieu-Quy-II-2026.xlsx"' in content_disposition("Chỉ tiêu Quý II/2026.xlsx")


# 3. The pages ----------------------------------------------------------------------------------------------


def urls(plan: Plan) -> dict[str, str]:
    return {
        "preview": f"/ke-hoach/{plan.pk}/van-ban/",
        "docx": f"/ke-hoach/{plan.pk}/van-ban.docx",
        "pdf": f"/ke-hoach/{plan.pk}/van-ban.pdf",
    }


def page_text(response) -> str:
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", response.content.decode(), flags=re.S)

    return collapse(html.unescape(re.sub(r"<[^>]+>", " ", body)))


def docx_text(content: bytes) -> str:
    """Every paragraph of the file, tables and header included, one per line."""
    from docx import Document
    from docx.oxml.ns import qn

    document = Document(io.BytesIO(content))
    parts = [document.element.body]
    for section in document.sections:
        parts += [section.header._element, section.footer._element]
    lines = []
    for part in parts:
        for paragraph in part.iter(qn("w:p")):
            lines.append("".join(t.text or "" for t in paragraph.iter(qn("w:t"))))
    return "\n".join(lines)


def pdf_pages(content: bytes) -> tuple[list[tuple[float, float]], str]:
    import pypdfium2

    pdf = pypdfium2.PdfDocument(content)
    try:
        sizes = [tuple(pdf[i].get_size()) for i in range(len(pdf))]
        text = " ".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    finally:
        pdf.close()
    return sizes, collapse(text)


def test_plan_page_links_to_the_export(habac, users, client_for):
    body = client_for(users["vhxh"]).get(f"/ke-hoach/{habac.pk}/").content.decode()
    assert "Xuất văn bản (DOCX/PDF)" in body
    assert f'href="/ke-hoach/{habac.pk}/van-ban/"' in body


@pytest.mark.parametrize("username", HABAC_USERS)
def test_every_habac_reader_gets_the_preview_and_the_docx(habac, users, client_for, username):
    client = client_for(users[username])
    response = client.get(urls(habac)["preview"])
    assert response.status_code == 200
    body = response.content.decode()
    assert '<article class="official-document' in body
    assert "/static/documents/official.css" in body
    assert f'href="/ke-hoach/{habac.pk}/van-ban.docx"' in body and "Tải DOCX" in body
    assert f'href="/ke-hoach/{habac.pk}/van-ban.pdf"' in body and "Tải PDF" in body
    text = page_text(response)
    assert "Số: 97/KH-UBND" in text and PLACE_DATE in text and ABSTRACT in text

    response = client.get(urls(habac)["docx"])
    assert response.status_code == 200
    assert response["Content-Type"] == DOCX_TYPE
    assert response["Content-Disposition"].startswith('attachment; filename="KH-97-KH-UBND-2026.docx"; ')
    assert "filename*=UTF-8''" in response["Content-Disposition"]


@pytest.mark.parametrize("username", ["daumoi", "mttq", "captren"])
def test_pdf_for_habac_readers(habac, users, client_for, username):
    response = client_for(users[username]).get(urls(habac)["pdf"])
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('attachment; filename="KH-97-KH-UBND-2026.pdf"; ')
    assert response.content.startswith(b"%PDF")


@pytest.mark.parametrize("who", ["supervisor", "coordinator"])
def test_another_city_cannot_read_the_habac_document(habac, other_city, client_for, who):
    # Refused the way every other page of the plan refuses it (plans.permissions.ensure_can_read).
    client = client_for(other_city[who])
    for url in urls(habac).values():
        response = client.get(url)
        assert response.status_code == 403, url
        assert b"97/KH-UBND" not in response.content, url
        assert "Content-Disposition" not in response, url


def test_habac_cannot_read_the_hanoi_document_but_the_unknown_plan_is_404(
    habac, users, other_city, client_for
):
    client = client_for(users["captren"])
    for url in urls(other_city["plan"]).values():
        assert client.get(url).status_code == 403, url
    missing = Plan(pk=999_999)
    for url in urls(missing).values():
        assert client.get(url).status_code == 404, url


def test_anonymous_is_sent_to_the_login_page(habac):
    client = Client()
    for url in urls(habac).values():
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == f"/dang-nhap/?next={quote(url)}", url


def test_docx_opens_and_says_what_the_plan_says(habac, users, client_for, budgets):
    response = client_for(users["vhxh"]).get(urls(habac)["docx"])
    text = docx_text(response.content)
    flat = collapse(text)
    for expected in [
        "ỦY BAN NHÂN DÂN",
        "XÃ HÀ BẮC",
        "Số: 97/KH-UBND",
        PLACE_DATE,
        "KẾ HOẠCH",
        ABSTRACT,
        "I. MỤC TIÊU, CHỈ TIÊU",
        "III. TỔ CHỨC THỰC HIỆN",
        SUBTITLE,
        "TM. ỦY BAN NHÂN DÂN",
        "CHỦ TỊCH",
        "Nguyễn Anh Tuấn",
        "- Lưu: VT, VHXXH.",
        *budgets.values(),
    ]:
        assert expected in flat, expected
    for indicator in Indicator.objects.filter(plan=habac):
        assert indicator.target_in_words in flat, indicator.code
    for task in tasks_of(habac):
        assert task.title in flat, task.title
        assert task.lead_units[0].name in flat


def test_pdf_is_a4_and_carries_the_plan_and_its_tasks(habac, users, client_for, budgets):
    response = client_for(users["vhxh"]).get(urls(habac)["pdf"])
    sizes, text = pdf_pages(response.content)
    assert sizes[0] == pytest.approx(A4_POINTS, abs=1)
    # The appendix is turned to landscape for its wide table.
    assert sizes[-1] == pytest.approx(tuple(reversed(A4_POINTS)), abs=1)
    assert ABSTRACT in text and TITLE in text
    assert "Số: 97/KH-UBND" in text and PLACE_DATE in text
    for task in tasks_of(habac):
        assert task.title in text, task.title
    assert "15.000.000" in text


def _count(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_preview_queries_do_not_grow_with_the_tasks(
    habac, users, units, client_for, django_assert_max_num_queries
):
    client = client_for(users["daumoi"])
    url = urls(habac)["preview"]
    client.get(url)  # warm the session and content-type caches
    baseline = _count(client, url)

    leads = [units["Phòng VH-XH"], units["Phòng KT"], units["TT PVHCC"], units["Công an xã"]]
    for i in range(20):
        task_save(
            actor=users["daumoi"],
            plan=habac,
            data={
                "title": f"Nhiệm vụ bổ sung số {i + 1}",
                "output": "Báo cáo",
                "deadline_text": "Cả năm",
                "budget_amount": 1_000_000 * (i + 1),
                "budget_source": BudgetSource.COMMUNE,
            },
            lead_units=[leads[i % 4], leads[(i + 1) % 4]],
            coordinating_units=[units["Văn phòng HĐND và UBND"]],
        )
    assert Task.objects.filter(plan=habac).count() == 29

    with django_assert_max_num_queries(baseline):
        response = client.get(url)
    text = page_text(response)
    assert "Nhiệm vụ bổ sung số 20" in text and "20.000.000 (Ngân sách xã)" in text
