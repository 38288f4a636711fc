"""The same plan as .txt, .docx (a real Word table) and .pdf (a ruled table) gives the same extraction."""

import pytest

from kehoach.importer.extract import extract_plan
from kehoach.importer.readers import read_bytes

from .builders import CORPUS, HABAC, build_docx, build_pdf, find_font, shared_file

CASES = [HABAC, "20_btnmt-09-kh-tin-chi-cacbon-2024.txt", "21_hungyen-tinh-199-kh-ma-tuy-2026.txt"]


def _text(name: str) -> str:
    path = shared_file(name)
    if path is None:
        pytest.skip(f"không có thư mục dùng chung {CORPUS} (bộ kế hoạch mẫu)")
    return path.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", CASES)
def test_docx_gives_the_same_extraction(name):
    text = _text(name)
    expected = extract_plan(read_bytes(text.encode("utf-8"), name=name))
    data = build_docx(text)
    lines = read_bytes(data, name="kehoach.docx")
    if "\t" in text:
        assert any(line.startswith("| STT |") or line.startswith("| TT |") for line in lines)
    assert extract_plan(lines) == expected


@pytest.mark.parametrize("name", CASES)
def test_pdf_gives_the_same_extraction(name):
    text = _text(name)
    font = find_font()
    if font is None:
        pytest.skip("không có phông TrueType tiếng Việt (fc-match) để tạo PDF thử")
    expected = extract_plan(read_bytes(text.encode("utf-8"), name=name))
    got = extract_plan(read_bytes(build_pdf(text, font), name="kehoach.pdf"))
    if name == HABAC:
        assert len(got["tasks"]) == 9 and got["tasks"][3]["lead_units"] == [
            "Phòng Văn hóa - Xã hội",
            "Trung tâm Dịch vụ sự nghiệp công",
        ]
    for key in expected:
        assert got[key] == expected[key], key
