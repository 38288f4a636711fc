"""The official-document renderers: page geometry, fonts, every word of the document, structure."""

from __future__ import annotations

import ctypes
import io
import re
import unicodedata
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest
from docx import Document as read_docx
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn
from docx.shared import Emu, Mm, Pt
from fontTools.pens.recordingPen import DecomposingRecordingPen
from fontTools.ttLib import TTFont

from kehoach.documents.document import (
    Appendix,
    Column,
    Heading,
    OfficialDocument,
    Paragraph,
    Signature,
    Table,
)
from kehoach.documents.render import render_docx, render_fragment, render_html_page, render_pdf

MM = 72 / 25.4  # PDF points per millimetre
A4 = (595.28, 841.89)
VIETNAMESE = "ạậệộủựỹ"
LIBERATION = re.compile(r"^Liberation-?Serif(-Bold)?(-?Italic)?$")
FONT_DIR = Path(__file__).resolve().parents[2] / "static" / "fonts"


def sample_document(**changes) -> OfficialDocument:
    indicators = Table(
        caption="Bảng 1. Kết quả thực hiện các chỉ tiêu năm 2025",
        columns=[
            Column("TT", 0.6, "center"),
            Column("Chỉ tiêu", 4, "left"),
            Column("Đơn vị tính", 1.3, "center"),
            Column("Kế hoạch", 1.2, "right"),
            Column("Thực hiện", 1.2, "right"),
            Column("Đánh giá", 1.5, "center"),
        ],
        rows=[
            ["I", "Chỉ tiêu về khoa học, công nghệ và đổi mới sáng tạo", "", "", "", ""],
            ["1", "Số nhiệm vụ khoa học và công nghệ cấp xã được triển khai", "nhiệm vụ", "3", "4", "Vượt"],
            ["2", "Tỷ lệ hộ gia đình ứng dụng tiến bộ kỹ thuật vào sản xuất", "%", "45", "47,5", "Đạt"],
            ["II", "Chỉ tiêu về chuyển đổi số", "", "", "", ""],
            [
                "3",
                "Tỷ lệ hồ sơ thủ tục hành chính được xử lý trực tuyến toàn trình",
                "%",
                "80",
                "72,3",
                "Chưa đạt",
            ],
            ["4", "Số người dân có tài khoản định danh điện tử mức độ 2", "người", "6.500", "6.812", "Đạt"],
        ],
        groups=[0, 3],
    )
    wide = Table(
        columns=[
            Column("TT", 0.5, "center"),
            Column("Nhiệm vụ", 4, "left"),
            Column("Đơn vị chủ trì", 2, "left"),
            Column("Thời hạn", 1.2, "center"),
            Column("Tiến độ", 1.2, "center"),
            Column("Sản phẩm đầu ra", 3, "left"),
            Column("Ghi chú", 1.5, "left"),
        ],
        rows=[
            [
                "1",
                "Xây dựng mô hình trồng lúa hữu cơ ứng dụng công nghệ vi sinh",
                "Hợp tác xã Nông nghiệp Hà Bắc",
                "Quý III/2025",
                "Hoàn thành",
                "Mô hình 5 ha; báo cáo tổng kết",
                "",
            ],
            [
                "2",
                "Số hóa hồ sơ hộ tịch giai đoạn 2015 - 2020",
                "Công chức Tư pháp - Hộ tịch",
                "30/6/2025",
                "Chậm",
                "Cơ sở dữ liệu hộ tịch điện tử",
                "Thiếu máy quét",
            ],
        ],
    )
    doc = OfficialDocument(
        issuer_lines=["ỦY BAN NHÂN DÂN", "XÃ HÀ BẮC"],
        number="Số: 05/BC-UBND",
        place_date="Hà Bắc, ngày 05 tháng 01 năm 2026",
        kind="BÁO CÁO",
        title="Kết quả thực hiện Kế hoạch khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số năm 2025",
        body=[
            Paragraph(
                "Thực hiện Kế hoạch số 12/KH-UBND ngày 15 tháng 02 năm 2025 của Ủy ban nhân dân xã về phát "
                "triển khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số, Ủy ban nhân dân xã Hà Bắc báo "
                "cáo kết quả thực hiện năm 2025 như sau:"
            ),
            Heading("I. KẾT QUẢ THỰC HIỆN", level=1),
            Heading("1. Công tác chỉ đạo, điều hành", level=2),
            Paragraph(
                "Ủy ban nhân dân xã đã ban hành các văn bản chỉ đạo, phân công nhiệm vụ cụ thể cho từng bộ "
                "phận; tổ chức hội nghị quán triệt đến cán bộ, công chức và người dân. Kỹ thuật mới được "
                "phổ biến rộng rãi; ý thức của người dân về ứng dụng công nghệ được nâng lên rõ rệt."
            ),
            Heading("a) Về khoa học và công nghệ", level=3),
            Paragraph("- Triển khai 04 mô hình ứng dụng tiến bộ kỹ thuật trong trồng trọt và chăn nuôi;"),
            Paragraph("- Hỗ trợ 12 hộ sản xuất áp dụng quy trình VietGAP, nâng cao giá trị sản phẩm;"),
            Paragraph("- Phối hợp tập huấn kỹ thuật cho 350 lượt nông dân (đạt 116,7% kế hoạch)."),
            Heading("b) Về chuyển đổi số", level=3),
            Paragraph(
                "- Duy trì Tổ công nghệ số cộng đồng tại 100% thôn; hướng dẫn người dân cài đặt, sử dụng ứng "
                "dụng định danh điện tử và dịch vụ công trực tuyến."
            ),
            Heading("2. Kết quả thực hiện các chỉ tiêu", level=2),
            indicators,
            Paragraph(
                "(Chi tiết tại Phụ lục I và Phụ lục II kèm theo)", align="center", indent=False, italic=True
            ),
            Heading("II. ĐÁNH GIÁ CHUNG", level=1),
            Paragraph(
                "Nhìn chung, các nhiệm vụ cơ bản được triển khai đúng tiến độ. Tuy nhiên, tỷ lệ hồ sơ xử lý "
                "trực tuyến toàn trình chưa đạt chỉ tiêu do hạ tầng mạng ở một số thôn còn hạn chế; nguồn "
                "lực đầu tư cho khoa học, công nghệ còn ít. Đề nghị Ủy ban nhân dân tỉnh quan tâm hỗ trợ.",
                bold=False,
            ),
            Paragraph("Trên đây là báo cáo kết quả thực hiện của Ủy ban nhân dân xã Hà Bắc./.", bold=True),
        ],
        recipients=[
            "- Ủy ban nhân dân tỉnh (b/c);",
            "- Sở Khoa học và Công nghệ;",
            "- Thường trực Đảng ủy xã;",
            "- Chủ tịch, các Phó Chủ tịch UBND xã;",
            "- Lưu: VT, VHXH.",
        ],
        signature=Signature(
            lines=["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"], name="Nguyễn Văn An"
        ),
        appendices=[
            Appendix(
                label="Phụ lục I",
                title="BIỂU TỔNG HỢP KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU",
                subtitle="(Kèm theo Báo cáo số 05/BC-UBND ngày 05/01/2026 của UBND xã Hà Bắc)",
                blocks=[
                    Table(
                        columns=[
                            Column("TT", 1, "center"),
                            Column("Chỉ tiêu", 6),
                            Column("Kết quả", 2, "right"),
                        ],
                        rows=[
                            ["1", "Số sáng kiến được công nhận", "07"],
                            ["2", "Số thôn có wifi công cộng", "09"],
                        ],
                    )
                ],
            ),
            Appendix(
                label="Phụ lục II",
                title="TIẾN ĐỘ THỰC HIỆN CÁC NHIỆM VỤ",
                subtitle="(Kèm theo Báo cáo số 05/BC-UBND ngày 05/01/2026 của UBND xã Hà Bắc)",
                blocks=[
                    wide,
                    Paragraph("Ghi chú: tiến độ tính đến ngày 31/12/2025.", indent=False, italic=True),
                ],
                landscape=True,
            ),
        ],
    )
    for key, value in changes.items():
        setattr(doc, key, value)
    return doc


def squash(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def expected_strings(doc: OfficialDocument) -> list[str]:
    return [squash(line) for line in doc.text().split("\n") if line.strip()]


# ---- the contract ------------------------------------------------------------------------------


def test_round_trip_through_dict():
    doc = sample_document(draft=True)
    assert OfficialDocument.from_dict(doc.to_dict()) == doc


# ---- HTML --------------------------------------------------------------------------------------


def test_fragment_contains_every_text_and_escapes_markup():
    doc = sample_document(title="Báo cáo <script>alert('x')</script> & số liệu")
    html = render_fragment(doc)
    assert html.lstrip().startswith('<article class="official-document"')
    assert html.rstrip().endswith("</article>")
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert "&amp; số liệu" in html
    text = squash(re.sub(r"<[^>]+>", " ", html).replace("&#x27;", "'").replace("&amp;", "&"))
    text = text.replace("&lt;", "<").replace("&gt;", ">")
    for expected in expected_strings(doc):
        assert expected in text, expected
    assert "DỰ THẢO" not in html


def test_fragment_draft_mark_and_page():
    assert "DỰ THẢO" in render_fragment(sample_document(draft=True))
    page = render_html_page(sample_document())
    assert page.startswith("<!DOCTYPE html>")
    assert "@font-face" in page and "file://" in page and "LiberationSerif-BoldItalic.ttf" in page
    assert "@top-center" in page and '<article class="official-document"' in page
    assert "http://" not in page and "https://" not in page


# ---- PDF ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pdf():
    data = render_pdf(sample_document())
    assert data.startswith(b"%PDF")
    document = pdfium.PdfDocument(data)
    yield document
    document.close()


def page_chars(page) -> list[tuple[str, tuple[float, float, float, float], int]]:
    """(character, box (left, bottom, right, top), index) of every visible character of a page."""
    textpage = page.get_textpage()
    out = []
    for index in range(textpage.count_chars()):
        code = pdfium_c.FPDFText_GetUnicode(textpage, index)
        if code in (0, 0xFFFE) or chr(code).isspace():
            continue
        if pdfium_c.FPDFText_IsGenerated(textpage, index) == 1:
            continue
        out.append((chr(code), textpage.get_charbox(index), index))
    return out


def char_font(textpage, index: int):
    obj = pdfium_c.FPDFText_GetTextObject(textpage, index)
    return pdfium_c.FPDFTextObj_GetFont(obj)


def embedded_font(font) -> TTFont:
    size = ctypes.c_size_t()
    assert pdfium_c.FPDFFont_GetFontData(font, None, 0, ctypes.byref(size))
    buffer = (ctypes.c_uint8 * size.value)()
    pdfium_c.FPDFFont_GetFontData(font, buffer, size.value, ctypes.byref(size))
    return TTFont(io.BytesIO(bytes(buffer)))


def outline(font: TTFont, char: str) -> list:
    glyphs = font.getGlyphSet()
    pen = DecomposingRecordingPen(glyphs)
    glyphs[font.getBestCmap()[ord(char)]].draw(pen)
    return pen.value


def shipped_face(name: str) -> TTFont:
    """The shipped file of a PDF font name such as "ABCDEF+Liberation-Serif-Bold-Italic"."""
    bold, italic = "Bold" in name, "Italic" in name
    face = "BoldItalic" if bold and italic else "Bold" if bold else "Italic" if italic else "Regular"
    return TTFont(FONT_DIR / f"LiberationSerif-{face}.ttf")


def font_name(font) -> str:
    size = pdfium_c.FPDFFont_GetBaseFontName(font, None, 0)
    buffer = ctypes.create_string_buffer(size)
    pdfium_c.FPDFFont_GetBaseFontName(font, buffer, size)
    return buffer.value.decode("utf-8", "replace")


def test_pdf_pages_are_a4_and_the_landscape_appendix_is_turned(pdf):
    sizes = [pdf[i].get_size() for i in range(len(pdf))]
    assert sizes[0] == pytest.approx(A4, abs=1)
    assert sizes[-1] == pytest.approx(A4[::-1], abs=1)  # Phụ lục II is the last, landscape
    assert all(s == pytest.approx(A4, abs=1) for s in sizes[:-1])


def test_pdf_contains_every_text(pdf):
    text = squash(" ".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf))))
    # A line may also wrap where there is no space ("Quý III/" | "2025"): the extracted text then
    # has a line break the source has not, so strings that are not found as they are must be found
    # once whitespace is ignored.
    bare = text.replace(" ", "")
    missing = [
        e for e in expected_strings(sample_document()) if e not in text and e.replace(" ", "") not in bare
    ]
    assert not missing
    assert "Quý III/2025" not in text and "QuýIII/2025" in bare  # the sample really exercises that


def test_pdf_text_stays_inside_the_margins(pdf):
    width, height = pdf[0].get_size()
    boxes = [box for _, box, _ in page_chars(pdf[0])]
    assert boxes
    tolerance = 0.5  # glyph outlines may overhang their advance slightly
    assert min(b[0] for b in boxes) >= 30 * MM - tolerance
    assert max(b[2] for b in boxes) <= width - 15 * MM + tolerance
    assert max(b[3] for b in boxes) <= height - 20 * MM + tolerance
    assert min(b[1] for b in boxes) >= 20 * MM - tolerance
    # The body really reaches the left margin (no extra indentation of the whole page).
    assert min(b[0] for b in boxes) <= 31 * MM


def test_pdf_embeds_only_liberation_serif(pdf):
    names = set()
    for i in range(len(pdf)):
        page = pdf[i]
        for index in range(pdfium_c.FPDFPage_CountObjects(page)):
            obj = pdfium_c.FPDFPage_GetObject(page, index)
            if pdfium_c.FPDFPageObj_GetType(obj) != pdfium_c.FPDF_PAGEOBJ_TEXT:
                continue
            font = pdfium_c.FPDFTextObj_GetFont(obj)
            assert pdfium_c.FPDFFont_GetIsEmbedded(font)
            names.add(font_name(font).split("+")[-1])
    assert names == {
        "Liberation-Serif",
        "Liberation-Serif-Bold",
        "Liberation-Serif-Italic",
        "Liberation-Serif-Bold-Italic",
    }


def test_pdf_draws_vietnamese_glyphs_with_the_shipped_font(pdf):
    page = pdf[0]
    scale = 4
    image = page.render(scale=scale).to_pil().convert("L")
    height = page.get_size()[1]
    textpage = page.get_textpage()

    def origin_y(index: int) -> float:
        x, y = ctypes.c_double(), ctypes.c_double()
        pdfium_c.FPDFText_GetCharOrigin(textpage, index, ctypes.byref(x), ctypes.byref(y))
        return y.value

    def ink(left: float, bottom: float, right: float, top: float) -> bool:
        box = (
            int(left * scale),
            int((height - top) * scale),
            int(right * scale) + 1,
            int((height - bottom) * scale),
        )
        return box[3] > box[1] and image.crop(box).getextrema()[0] < 128

    chars = page_chars(page)
    # How far a bare vowel rises above the baseline, per font size: marks above must rise higher.
    x_height: dict[float, float] = {}
    for char, box, index in chars:
        if char in "aeouy":
            size = round(pdfium_c.FPDFText_GetFontSize(textpage, index), 1)
            x_height[size] = max(x_height.get(size, 0), box[3] - origin_y(index))

    seen = set()
    for char, (left, bottom, right, top), index in chars:
        if char not in VIETNAMESE or char in seen:
            continue
        seen.add(char)
        font = char_font(textpage, index)
        name = font_name(font)
        assert pdfium_c.FPDFFont_GetIsEmbedded(font) and LIBERATION.match(name.split("+")[-1]), (char, name)
        # The glyph drawn is the shipped font's glyph, outline for outline: not a fallback font's.
        assert outline(embedded_font(font), char) == outline(shipped_face(name), char), (char, name)
        baseline = origin_y(index)
        if char in "ạậệộự":  # dot below: ink under the baseline
            assert bottom < baseline - 0.5 and ink(left, bottom, right, baseline - 0.5), char
        if char in "ậệộủỹ":  # mark above: ink above a bare vowel's height
            rise = x_height[round(pdfium_c.FPDFText_GetFontSize(textpage, index), 1)]
            assert top > baseline + rise + 0.5 and ink(left, baseline + rise + 0.5, right, top), char
    assert seen == set(VIETNAMESE)


def test_pdf_page_numbers_from_page_two(pdf):
    def top_text(i: int) -> str:
        height = pdf[i].get_size()[1]
        return "".join(c for c, box, _ in page_chars(pdf[i]) if box[1] > height - 20 * MM)

    assert top_text(0) == ""
    assert top_text(1) == "2"
    assert top_text(len(pdf) - 1) == str(len(pdf))


def test_pdf_keeps_recipients_and_signature_together():
    # Grow the body until the closing block no longer fits on page 1: it moves whole to page 2.
    keys = ("Nơi nhận:", "TM. ỦY BAN NHÂN DÂN", "Lưu: VT, VHXH.", "Nguyễn Văn An")
    for count in range(18, 40):
        body = [Paragraph(f"Đoạn văn thứ {i} đẩy khối chữ ký xuống cuối trang.") for i in range(count)]
        document = pdfium.PdfDocument(render_pdf(sample_document(body=body, appendices=[])))
        try:
            pages = [squash(document[i].get_textpage().get_text_range()) for i in range(len(document))]
        finally:
            document.close()
        if len(pages) > 1:
            assert all(key in pages[1] and key not in pages[0] for key in keys)
            return
    pytest.fail("the body never reached page 2")


def test_pdf_fetches_only_the_shipped_fonts(monkeypatch):
    from kehoach.documents.render import pdf as pdf_module

    fetched = []
    original = pdf_module.LocalFetcher.fetch

    def spy(self, url, headers=None):
        fetched.append(url)
        return original(self, url, headers)

    monkeypatch.setattr(pdf_module.LocalFetcher, "fetch", spy)
    render_pdf(sample_document(body=[Paragraph("Ngắn gọn.")], appendices=[]))
    expected = {(FONT_DIR / f"LiberationSerif-{face}.ttf").resolve().as_uri() for face in ("Regular", "Bold")}
    assert expected <= set(fetched)
    assert all(url.startswith(FONT_DIR.resolve().as_uri()) for url in fetched), fetched


@pytest.mark.parametrize(
    "url", ["https://example.com/font.ttf", "http://127.0.0.1/x.css", "file:///etc/passwd", "ftp://x/y"]
)
def test_pdf_fetcher_refuses_other_urls(url):
    from kehoach.documents.render.pdf import LocalFetcher

    with pytest.raises(ValueError):
        LocalFetcher().fetch(url)


def test_pdf_draft_mark_in_the_top_margin_of_page_one():
    document = pdfium.PdfDocument(render_pdf(sample_document(draft=True, body=[], appendices=[])))
    try:
        page = document[0]
        height = page.get_size()[1]
        top = "".join(c for c, box, _ in page_chars(page) if box[1] > height - 20 * MM)
        assert top == "DỰTHẢO"
        assert len(document) == 1
    finally:
        document.close()


# ---- DOCX --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def docx():
    return read_docx(io.BytesIO(render_docx(sample_document())))


def docx_text(word) -> str:
    """Every paragraph of the body, table cells included, in document order."""
    body = word.element.body
    paragraphs = body.iter(qn("w:p"))
    return squash(" ".join("".join(t.text or "" for t in p.iter(qn("w:t"))) for p in paragraphs))


def test_docx_page_geometry(docx):
    first = docx.sections[0]
    assert abs(first.page_width - Mm(210)) < Mm(0.5)
    assert abs(first.page_height - Mm(297)) < Mm(0.5)
    assert first.orientation == WD_ORIENT.PORTRAIT
    for section in docx.sections:
        assert abs(section.top_margin - Mm(20)) < Mm(0.2)
        assert abs(section.bottom_margin - Mm(20)) < Mm(0.2)
        assert abs(section.left_margin - Mm(30)) < Mm(0.2)
        assert abs(section.right_margin - Mm(15)) < Mm(0.2)
    assert len(docx.sections) == 3  # body, Phụ lục I, Phụ lục II
    appendix = docx.sections[-1]
    assert appendix.orientation == WD_ORIENT.LANDSCAPE
    assert abs(appendix.page_width - Mm(297)) < Mm(0.5)
    assert abs(appendix.page_height - Mm(210)) < Mm(0.5)
    assert docx.sections[1].orientation == WD_ORIENT.PORTRAIT
    assert all(s.start_type == 2 for s in docx.sections[1:])  # WD_SECTION.NEW_PAGE


def test_docx_contains_every_text_in_order(docx):
    text = docx_text(docx)
    position = 0
    doc = sample_document()
    for expected in expected_strings(doc):
        assert expected in text, expected
    # The header, title and body come in reading order.
    for expected in [
        *doc.issuer_lines,
        doc.number,
        doc.place_date,
        doc.kind,
        doc.title,
        "I. KẾT QUẢ THỰC HIỆN",
    ]:
        found = text.find(squash(expected), position)
        assert found >= position, expected
        position = found


def test_docx_fonts_are_times_new_roman(docx):
    normal = docx.styles["Normal"]
    assert normal.font.name == "Times New Roman"
    assert normal.font.size == Pt(14)
    fonts = normal.element.rPr.find(qn("w:rFonts"))
    for slot in ("ascii", "hAnsi", "eastAsia", "cs"):
        assert fonts.get(qn(f"w:{slot}")) == "Times New Roman"
    body = next(p for p in docx.paragraphs if p.text.startswith("Ủy ban nhân dân xã đã ban hành"))
    assert body.paragraph_format.first_line_indent == pytest.approx(Mm(12.7), abs=Mm(0.2))
    for run in body.runs:
        assert run.font.name == "Times New Roman"
        assert run.font.size in (None, Pt(14))
        assert run._r.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia")) == "Times New Roman"
    assert body.paragraph_format.space_after >= Pt(6)


def test_docx_header_table_borderless_and_fixed(docx):
    head = docx.tables[0]
    borders = head._tbl.tblPr.find(qn("w:tblBorders"))
    assert borders is not None
    assert {b.get(qn("w:val")) for b in borders} <= {"nil", "none"}
    assert head.style is None or head.style.name == "Normal Table"
    widths = [col.w for col in head._tbl.tblGrid.gridCol_lst]
    assert widths[0] / sum(widths) == pytest.approx(0.4, abs=0.01)
    assert head._tbl.tblPr.find(qn("w:tblLayout")).get(qn("w:type")) == "fixed"
    assert "ỦY BAN NHÂN DÂN" in head.cell(0, 0).text and "Độc lập - Tự do - Hạnh phúc" in head.cell(0, 1).text
    # No text boxes or drawings anywhere.
    xml = docx.element.xml
    assert "w:txbxContent" not in xml and "w:drawing" not in xml and "v:shape" not in xml


def test_docx_ruled_tables_repeat_their_header(docx):
    indicators = docx.tables[1]
    assert indicators.cell(0, 1).text == "Chỉ tiêu"
    assert indicators.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    borders = indicators._tbl.tblPr.find(qn("w:tblBorders"))
    assert {b.get(qn("w:val")) for b in borders} == {"single"}
    group = indicators.rows[1]
    assert len({id(c._tc) for c in group.cells}) == 1  # spans every column
    assert group.cells[0].paragraphs[0].runs[0].font.bold


def test_docx_rules_are_shortened_paragraph_borders(docx):
    head = docx.tables[0]

    def rules(cell):
        out = []
        for paragraph in cell.paragraphs:
            ppr = paragraph._p.pPr
            if ppr is not None and ppr.find(qn("w:pBdr")) is not None:
                assert paragraph.text == ""
                width = cell.width - Pt(10.8) - paragraph.paragraph_format.left_indent
                out.append(width - paragraph.paragraph_format.right_indent)
        return out

    # Text widths measured on the rendered PDF's font (Liberation Serif has Times New Roman's metrics).
    from kehoach.documents.render.fonts import text_width_pt

    (issuer_rule,) = rules(head.cell(0, 0))
    issuer = text_width_pt("XÃ HÀ BẮC", 13, bold=True)
    assert issuer / 3 <= Emu(issuer_rule).pt <= issuer / 2
    (motto_rule,) = rules(head.cell(0, 1))
    motto = text_width_pt("Độc lập - Tự do - Hạnh phúc", 13, bold=True)
    assert Emu(motto_rule).pt == pytest.approx(motto, abs=2)


def test_docx_closing_block_cannot_split(docx):
    closing = next(t for t in docx.tables if "Nơi nhận:" in t.cell(0, 0).text)
    assert closing.rows[0]._tr.trPr.find(qn("w:cantSplit")) is not None
    signature = closing.cell(0, 1).paragraphs
    assert [p.text for p in signature] == [
        "TM. ỦY BAN NHÂN DÂN",
        "KT. CHỦ TỊCH",
        "PHÓ CHỦ TỊCH",
        "Nguyễn Văn An",
    ]
    assert signature[-1].paragraph_format.space_before >= Mm(20)
    assert all(run.font.bold for p in signature for run in p.runs)


def test_docx_page_number_field_not_on_first_page(docx):
    first = docx.sections[0]
    assert first.different_first_page_header_footer
    assert first._sectPr.find(qn("w:titlePg")) is not None
    header_xml = first.header._element.xml
    assert "PAGE" in "".join(t.text or "" for t in first.header._element.iter(qn("w:instrText")))
    assert 'w:fldCharType="begin"' in header_xml
    assert "PAGE" not in first.first_page_header._element.xml


def test_docx_draft_paragraph_first():
    word = read_docx(io.BytesIO(render_docx(sample_document(draft=True))))
    assert word.paragraphs[0].text == "DỰ THẢO"
    assert all(p.text != "DỰ THẢO" for p in read_docx(io.BytesIO(render_docx(sample_document()))).paragraphs)


def test_docx_and_html_accept_sparse_documents():
    doc = sample_document(
        title="Kế hoạch " * 40,  # longer than the 255 characters a DOCX title property holds
        body=[Heading("I. MỤC TIÊU"), Paragraph("Nội dung\nhai dòng.")],
        recipients=[],
        signature=Signature(lines=[]),
        appendices=[],
    )
    word = read_docx(io.BytesIO(render_docx(doc)))
    assert len(word.sections) == 1
    assert "Nội dung" in docx_text(word)
    assert "Nơi nhận" not in render_fragment(doc)
