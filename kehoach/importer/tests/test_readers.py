"""Reading files: encodings, formats, and every kind of file that cannot be read."""

import io
import json
import zipfile

import pytest

from kehoach.importer.errors import DocumentError
from kehoach.importer.legacy import from_tcvn3, from_vni
from kehoach.importer.management.commands.import_plan import Command
from kehoach.importer.readers import read_bytes, read_document

from .builders import build_docx, build_pdf, find_font

SAMPLE = "Số: 15/KH-UBND\nAn Lạc, ngày 05 tháng 3 năm 2026\nKẾ HOẠCH\nChuyển đổi số của xã năm 2026\n"


def run(path) -> tuple[int, str, str]:
    """`kehoach import-plan PATH --json` in this process: (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    import sys

    old = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = out, err
    code = 0
    try:
        Command(stdout=out, stderr=err).run_from_argv(["kehoach", "import_plan", str(path), "--json"])
    except SystemExit as exc:
        code = int(exc.code or 0)
    finally:
        sys.stdout, sys.stderr = old
    return code, out.getvalue(), err.getvalue()


# ---------------------------------------------------------------------- encodings


def test_utf8_with_and_without_bom():
    assert read_bytes(SAMPLE.encode("utf-8"))[0] == "Số: 15/KH-UBND"
    assert read_bytes(b"\xef\xbb\xbf" + SAMPLE.encode("utf-8"))[0] == "Số: 15/KH-UBND"


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16(codec):
    assert read_bytes(SAMPLE.encode(codec))[2] == "KẾ HOẠCH"


def _cp1258(text: str) -> bytes:
    """Windows-1258 writes the tone mark as a separate combining character after the letter."""
    import unicodedata

    out = b""
    for ch in text:
        try:
            out += ch.encode("cp1258")
        except UnicodeEncodeError:
            base, *marks = unicodedata.normalize("NFD", ch)
            tones = [m for m in marks if m in "\u0300\u0301\u0303\u0309\u0323"]
            letter = unicodedata.normalize("NFC", base + "".join(m for m in marks if m not in tones))
            out += letter.encode("cp1258") + "".join(tones).encode("cp1258")
    return out


def test_windows_1258():
    data = _cp1258("Kế hoạch chuyển đổi số của xã năm 2026 và các chỉ tiêu")
    assert read_bytes(data)[0] == "Kế hoạch chuyển đổi số của xã năm 2026 và các chỉ tiêu"


# TCVN3 (ABC) and VNI as an old office's file shows them, written out byte by byte.
TCVN3_BYTES = (
    b"K\xd5 HO\xb9CH\n"
    b"K\xd5 ho\xb9ch chuy\xd3n \xae\xe6i s\xe8 c\xf1a x\xb7 n\xa8m 2026 v\xb5 c\xb8c ch\xd8 ti\xaau"
)
VNI_BYTES = (
    b"Ke\xe1 hoa\xefch chuye\xe5n \xf1o\xe5i so\xe1 cu\xfba xa\xf5 "
    b"na\xeam 2026 va\xf8 ca\xf9c ch\xe6 tie\xe2u"
)


def test_tcvn3_is_converted():
    lines = read_bytes(TCVN3_BYTES)
    assert lines[0] == "KẾ HOẠCH"
    assert lines[1] == "Kế hoạch chuyển đổi số của xã năm 2026 và các chỉ tiêu"


def test_vni_is_converted():
    assert from_vni("Vieät Nam") == "Việt Nam"
    assert read_bytes(VNI_BYTES)[0] == "Kế hoạch chuyển đổi số của xã năm 2026 và các chỉ tiêu"


def test_unicode_is_never_converted():
    text = "Kế hoạch chuyển đổi số của xã năm 2026 và các chỉ tiêu"
    assert read_bytes(text.encode("utf-8"))[0] == text
    assert from_tcvn3("abc") == "abc"


# ---------------------------------------------------------------------- formats


def test_docx_tables_merged_cells_and_numbering():
    import docx

    document = docx.Document()
    document.add_paragraph("KẾ HOẠCH")
    table = document.add_table(rows=3, cols=4)
    for j, head in enumerate(["STT", "Nhiệm vụ", "Chủ trì", "Thời hạn"]):
        table.cell(0, j).text = head
    table.cell(1, 0).text, table.cell(1, 1).text = "1", "Tuyên truyền"
    table.cell(2, 0).text, table.cell(2, 1).text = "2", "Tập huấn"
    table.cell(1, 2).text = "Phòng Văn hóa - Xã hội"
    table.cell(1, 2).add_paragraph("Công an xã")
    table.cell(1, 2).merge(table.cell(2, 2))  # one unit cell for both rows
    table.cell(1, 3).text = "Năm 2026"
    table.cell(2, 3).text = "Quý II/2026"
    document.add_paragraph("Sau bảng", style="List Number")
    buf = io.BytesIO()
    document.save(buf)
    lines = read_bytes(buf.getvalue(), name="kh.docx")
    rows = [ln for ln in lines if ln.startswith("|")]
    assert rows[0] == "| STT | Nhiệm vụ | Chủ trì | Thời hạn |"
    assert rows[1] == "| 1 | Tuyên truyền | Phòng Văn hóa - Xã hội ¶ Công an xã | Năm 2026 |"
    assert rows[2] == "| 2 | Tập huấn | Phòng Văn hóa - Xã hội ¶ Công an xã | Quý II/2026 |"
    assert lines[-1] == "1. Sau bảng"

    from kehoach.importer.extract import extract_plan

    tasks = extract_plan(lines)["tasks"]
    assert [t["lead_units"] for t in tasks] == [["Phòng Văn hóa - Xã hội", "Công an xã"]] * 2


def test_docx_horizontal_merge_is_one_cell():
    import docx

    document = docx.Document()
    table = document.add_table(rows=2, cols=3)
    table.cell(0, 0).merge(table.cell(0, 2)).text = "PHỤ LỤC NHIỆM VỤ"
    for j, text in enumerate(["a", "b", "c"]):
        table.cell(1, j).text = text
    buf = io.BytesIO()
    document.save(buf)
    rows = [ln for ln in read_bytes(buf.getvalue(), name="kh.docx") if ln.startswith("|")]
    assert rows == ["| PHỤ LỤC NHIỆM VỤ |", "| a | b | c |"]


def test_pdf_text_and_ruled_table():
    font = find_font()
    if font is None:
        pytest.skip("không có phông TrueType tiếng Việt (fc-match) để tạo PDF thử")
    text = (
        SAMPLE
        + "\nSTT\tNhiệm vụ\tĐơn vị chủ trì\tThời hạn\n1\tTuyên truyền chuyển đổi số\tCông an xã\tNăm 2026\n"
    )
    lines = read_bytes(build_pdf(text, font), name="kh.pdf")
    assert "Số: 15/KH-UBND" in lines
    assert "| 1 | Tuyên truyền chuyển đổi số | Công an xã | Năm 2026 |" in lines


# ---------------------------------------------------------------------- files that cannot be read


def _pdf_bytes(**kwargs) -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    if kwargs.get("password"):
        pdf.set_encryption(owner_password="chu", user_password=kwargs["password"])
    pdf.add_page()
    if kwargs.get("image"):
        from PIL import Image

        pdf.image(Image.new("L", (60, 80), 200), x=10, y=10, w=120)  # a scanned page: a picture, no text
    else:
        pdf.set_font("helvetica", size=12)
        pdf.cell(0, 10, "Ke hoach so 15/KH-UBND")
    return bytes(pdf.output())


def _docx_bytes() -> bytes:
    return build_docx(SAMPLE)


BAD_FILES = {
    "trong.txt": (b"", "trống"),
    "khoang-trang.txt": (b"  \n\n\t \n", "trống"),
    "rac.txt": (bytes(range(256)) * 8, "không phải văn bản"),
    "anh.docx": (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "là ảnh PNG"),
    "anh.pdf": (b"\xff\xd8\xff\xe0" + b"\x00" * 64, "là ảnh JPEG"),
    "hong.pdf": (b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\n%%EOF", "PDF"),
    "hong.docx": (b"PK\x03\x04" + b"\x00" * 200, "bị hỏng"),
    "zip.docx": (None, "không phải văn bản Word"),
    "cu.doc": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, ".doc"),
    "mat-khau.docx": (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "EncryptedPackage".encode("utf-16-le"),
        "mật khẩu",
    ),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_unreadable_files(tmp_path, name):
    data, message = BAD_FILES[name]
    if name == "zip.docx":
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as z:
            z.writestr("readme.txt", "không phải Word")
        data = buf.getvalue()
    path = tmp_path / name
    path.write_bytes(data)
    code, out, err = run(path)
    assert code == 2
    assert out == ""
    assert err.startswith("Lỗi: ") and message in err
    assert "Traceback" not in err


def test_truncated_docx(tmp_path):
    path = tmp_path / "cut.docx"
    path.write_bytes(_docx_bytes()[:3000])
    code, out, err = run(path)
    assert (code, out) == (2, "") and "Word" in err


def test_password_protected_pdf(tmp_path):
    path = tmp_path / "khoa.pdf"
    path.write_bytes(_pdf_bytes(password="123"))
    code, out, err = run(path)
    assert (code, out) == (2, "") and "mật khẩu" in err


def test_scanned_pdf(tmp_path):
    path = tmp_path / "scan.pdf"
    path.write_bytes(_pdf_bytes(image=True))
    code, out, err = run(path)
    assert (code, out) == (2, "")
    assert "Tệp PDF “scan.pdf” không có lớp chữ (bản scan)" in err


def test_truncated_pdf(tmp_path):
    path = tmp_path / "cut.pdf"
    path.write_bytes(_pdf_bytes()[:200])
    code, out, err = run(path)
    assert (code, out) == (2, "") and "PDF" in err


def test_missing_file(tmp_path):
    code, out, err = run(tmp_path / "khong-co.txt")
    assert (code, out) == (2, "") and "Không tìm thấy tệp" in err


def test_size_limit_from_settings(tmp_path, settings):
    settings.KEHOACH_IMPORT_MAX_BYTES = 1000
    path = tmp_path / "lon.txt"
    path.write_bytes(SAMPLE.encode() * 100)
    code, out, err = run(path)
    assert (code, out) == (2, "") and "quá lớn" in err and "1000 byte" in err
    with pytest.raises(DocumentError):
        read_document(path)


def test_default_limit_is_20_mb(tmp_path):
    path = tmp_path / "50mb.txt"
    with path.open("wb") as f:
        f.truncate(50 * 1024 * 1024)
    with pytest.raises(DocumentError, match=r"quá lớn .50,0 MB.; chỉ nhận tệp đến 20,0 MB"):
        read_document(path)


def test_readable_file_prints_one_json_object(tmp_path):
    path = tmp_path / "kh.txt"
    path.write_text(SAMPLE, encoding="utf-8")
    code, out, err = run(path)
    assert code == 0 and err == ""
    plan = json.loads(out)
    assert plan["number"] == "15/KH-UBND" and plan["date"] == "2026-03-05"


def test_printed_contract_keeps_the_signer_to_name_and_position(tmp_path):
    """The review screen keeps "TM. ỦY BAN NHÂN DÂN"; `--json` prints design.md's {name, position}."""
    from kehoach.importer.services import plan_extract_file

    from .test_extract import HABAC_EXCERPT

    path = tmp_path / "kh.txt"
    path.write_text(HABAC_EXCERPT, encoding="utf-8")
    code, out, err = run(path)
    assert code == 0 and err == ""
    assert json.loads(out)["signer"] == {"name": "Nguyễn Anh Tuấn", "position": "Chủ tịch"}
    assert plan_extract_file(path=path)["signer"]["authority"] == "TM. ỦY BAN NHÂN DÂN"


def test_services_for_uploads(settings):
    from kehoach.importer.services import plan_extract_bytes

    assert plan_extract_bytes(data=SAMPLE.encode("utf-16"), name="kh.txt")["number"] == "15/KH-UBND"
    settings.KEHOACH_IMPORT_MAX_BYTES = 10
    with pytest.raises(DocumentError, match="quá lớn"):
        plan_extract_bytes(data=SAMPLE.encode(), name="kh.txt")
