"""Reading a plan document (.txt, .docx, .pdf) into lines of text, tables as "| a | b |" rows.

The kind of file is told by its content, not its name, so a renamed image or a PDF saved as
".txt" is recognised. Parsers (python-docx, pypdfium2) are imported only when a file needs them,
which keeps `kehoach` quick to start. Every failure is a `DocumentError` with a Vietnamese message.
"""

import codecs
import os
import re
import unicodedata
import zipfile
from pathlib import Path

from .errors import DocumentError
from .layout import CELL_BREAK, ITEM_START
from .legacy import convert_legacy, from_cp1258, vietnamese_score

DEFAULT_MAX_BYTES = 20 * 1024 * 1024

_IMAGES = (
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
    (b"BM", "BMP"),
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
)
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def max_bytes() -> int:
    try:
        from django.conf import settings

        return int(getattr(settings, "KEHOACH_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES))
    except Exception:  # settings not configured: a plain library call
        return DEFAULT_MAX_BYTES


def _size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.1f} MB".replace(".", ",")
    if n >= 1024:
        return f"{n / 1024:.0f} KB"
    return f"{n} byte"


def read_document(path: str | os.PathLike, *, limit: int | None = None) -> list[str]:
    """Lines of the document at `path`; raises DocumentError when it cannot be read."""
    p = Path(path)
    name = p.name
    limit = max_bytes() if limit is None else limit
    try:
        size = p.stat().st_size
    except FileNotFoundError:
        raise DocumentError(f"Không tìm thấy tệp “{path}”.") from None
    except OSError as exc:
        raise DocumentError(f"Không đọc được tệp “{name}” ({exc.strerror or exc}).") from None
    if p.is_dir():
        raise DocumentError(f"“{name}” là một thư mục, không phải tệp văn bản.")
    if size > limit:
        raise DocumentError(f"Tệp “{name}” quá lớn ({_size(size)}); chỉ nhận tệp đến {_size(limit)}.")
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise DocumentError(f"Không đọc được tệp “{name}” ({exc.strerror or exc}).") from None
    return read_bytes(data, name=name)


def read_bytes(data: bytes, *, name: str = "tệp") -> list[str]:
    if not data.strip():
        raise DocumentError(f"Tệp “{name}” trống, không có nội dung để nhập.")
    for magic, kind in _IMAGES:
        if data.startswith(magic):
            raise _image_error(name, kind)
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        raise _image_error(name, "WEBP")
    if data[4:12] in (b"ftypheic", b"ftypheix", b"ftypmif1"):
        raise _image_error(name, "HEIC")
    if data.lstrip()[:5] == b"%PDF-" or data[:1024].find(b"%PDF-") >= 0:
        lines = read_pdf(data, name)
    elif data.startswith(b"PK\x03\x04"):
        lines = read_docx(data, name)
    elif data.lstrip()[:5] == b"{\\rtf":
        raise DocumentError(f"Tệp “{name}” là định dạng RTF; hãy lưu lại thành .docx rồi nhập.")
    elif data.startswith(_OLE):
        if "EncryptedPackage".encode("utf-16-le") in data[:200_000]:
            raise DocumentError(f"Tệp Word “{name}” được đặt mật khẩu; hãy gỡ mật khẩu rồi nhập lại.")
        raise DocumentError(
            f"Tệp “{name}” là định dạng Word cũ (.doc) hoặc Excel; hãy lưu lại thành .docx rồi nhập."
        )
    else:
        lines = decode_text(data, name).split("\n")
    lines = [unicodedata.normalize("NFC", ln) for ln in lines]
    if not any(ln.strip() for ln in lines):
        raise DocumentError(f"Tệp “{name}” không có chữ nào để nhập.")
    text, _encoding = convert_legacy("\n".join(lines))
    return text.split("\n")


def _image_error(name: str, kind: str) -> DocumentError:
    return DocumentError(
        f"Tệp “{name}” là ảnh {kind}, không phải văn bản. Hãy nhập bản Word (.docx), PDF có lớp chữ "
        f"hoặc tệp văn bản (.txt)."
    )


# ---------------------------------------------------------------------- plain text


def decode_text(data: bytes, name: str = "tệp") -> str:
    """Bytes of a text file → str: UTF-8, UTF-16 (with or without BOM), or a legacy Vietnamese
    encoding (TCVN3/ABC, VNI, Windows-1258) converted to Unicode."""
    text: str | None = None
    for bom, codec in (
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            try:
                text = data.decode(codec)
            except UnicodeDecodeError:
                raise DocumentError(
                    f"Tệp “{name}” bị hỏng: nội dung không khớp với bảng mã {codec}."
                ) from None
            break
    if text is None:
        sample = data[:4000]
        zeros_even = sample[0::2].count(0)
        zeros_odd = sample[1::2].count(0)
        half = max(1, len(sample) // 2)
        if zeros_odd > 0.3 * half and zeros_even < 0.05 * half:
            text = _try(data, "utf-16-le")
        elif zeros_even > 0.3 * half and zeros_odd < 0.05 * half:
            text = _try(data, "utf-16-be")
    if text is None and b"\x00" not in data:
        text = _try(data, "utf-8")
        if text is None:
            text = _legacy_8bit(data)
    if text is None or _binary(text):
        raise DocumentError(
            f"Tệp “{name}” không phải văn bản đọc được (có dữ liệu nhị phân hoặc bảng mã lạ). "
            f"Chỉ nhận tệp .txt, .docx hoặc .pdf."
        )
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _try(data: bytes, codec: str) -> str | None:
    try:
        return data.decode(codec)
    except UnicodeDecodeError:
        return None


def _legacy_8bit(data: bytes) -> str | None:
    """A file saved in an 8-bit code page: Windows-1258, or TCVN3/VNI as shown in Windows-1252."""
    candidates: list[str] = []
    cp1258 = from_cp1258(data)
    if cp1258 is not None:
        candidates.append(cp1258)
    try:
        latin = data.decode("cp1252")
    except UnicodeDecodeError:
        latin = data.decode("latin-1")
    converted, encoding = convert_legacy(latin)
    candidates.append(converted if encoding else latin)
    best = max(candidates, key=vietnamese_score)
    return best


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def _binary(text: str) -> bool:
    if not text:
        return False
    sample = text[:20000]
    bad = len(_CONTROL.findall(sample)) + sample.count("\ufffd")
    return bad > max(3, len(sample) // 200)


# ---------------------------------------------------------------------- docx


def read_docx(data: bytes, name: str = "tệp") -> list[str]:
    import io

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            names = set(z.namelist())
            if "word/document.xml" not in names:
                if "content.xml" in names:
                    raise DocumentError(
                        f"Tệp “{name}” là văn bản OpenDocument (.odt); hãy lưu lại thành .docx rồi nhập."
                    )
                if "xl/workbook.xml" in names:
                    raise DocumentError(f"Tệp “{name}” là bảng tính Excel, không phải văn bản kế hoạch.")
                raise DocumentError(
                    f"Tệp “{name}” là tệp nén (ZIP) nhưng không phải văn bản Word (.docx); "
                    f"chỉ nhận .txt, .docx hoặc .pdf."
                )
            bad = z.testzip()
            if bad is not None:
                raise DocumentError(f"Tệp Word “{name}” bị hỏng (phần “{bad}” không đọc được).")
    except DocumentError:
        raise
    except Exception:  # zipfile raises BadZipFile, ValueError, EOFError, zlib.error… on damaged archives
        raise DocumentError(f"Tệp Word “{name}” bị hỏng hoặc không đúng định dạng .docx.") from None

    try:
        import docx
        from docx.oxml.ns import qn

        document = docx.Document(io.BytesIO(data))
    except DocumentError:
        raise
    except Exception:
        raise DocumentError(f"Tệp Word “{name}” bị hỏng hoặc không đúng định dạng .docx.") from None

    numbering = _docx_numbering(document, qn)
    counters: dict[str, list[int]] = {}
    lines: list[str] = []
    body = document.element.body

    def paragraph_text(p_el) -> str:
        texts = []
        for node in p_el.iter(qn("w:t"), qn("w:tab"), qn("w:br"), qn("w:cr")):
            if node.tag == qn("w:t"):
                texts.append(node.text or "")
            elif node.tag == qn("w:tab"):
                texts.append("\t")
            else:
                texts.append("\n")
        text = "".join(texts)
        prefix = _number_prefix(p_el, numbering, counters, qn)
        return prefix + text

    def cell_text(tc) -> str:
        parts = []
        for child in tc.iterchildren():
            if child.tag == qn("w:p"):
                t = " ".join(paragraph_text(child).replace("\t", " ").split("\n")).strip()
                if t:
                    parts.append(t)
            elif child.tag == qn("w:tbl"):
                for row in _table_rows(child, qn):
                    parts.append(" ".join(cell_text(c) for c in row))
        return CELL_BREAK.join(" ".join(p.split()) for p in parts).replace("|", "/")

    def visit(container) -> None:
        for child in container.iterchildren():
            if child.tag == qn("w:p"):
                lines.extend(paragraph_text(child).split("\n"))
            elif child.tag == qn("w:tbl"):
                rows = [[cell_text(tc) for tc in row] for row in _table_rows(child, qn)]
                width = max((len(r) for r in rows), default=0)
                for row in rows:
                    if width <= 1:
                        lines.extend(c for c in row if c)
                    elif any(c.strip() for c in row):
                        lines.append("| " + " | ".join(row) + " |")
                lines.append("")
            elif child.tag == qn("w:sdt"):
                content = child.find(qn("w:sdtContent"))
                if content is not None:
                    visit(content)

    visit(body)
    return lines


def _table_rows(tbl, qn) -> list[list]:
    """Rows of <w:tc> elements; a cell spanning columns appears once, a cell merged down the rows
    repeats the text of the cell it continues."""
    rows: list[list] = []
    above: dict[int, object] = {}
    for tr in tbl.iterchildren(qn("w:tr")):
        row: list = []
        col = 0
        for tc in tr.iterchildren(qn("w:tc")):
            tcpr = tc.find(qn("w:tcPr"))
            span = 1
            merge = None
            if tcpr is not None:
                gs = tcpr.find(qn("w:gridSpan"))
                if gs is not None:
                    span = int(gs.get(qn("w:val")) or 1)
                vm = tcpr.find(qn("w:vMerge"))
                if vm is not None:
                    merge = vm.get(qn("w:val")) or "continue"
            if merge == "continue" and col in above:
                row.append(above[col])
            else:
                row.append(tc)
                above[col] = tc
            col += span
        rows.append(row)
    return rows


def _docx_numbering(document, qn) -> dict[str, dict[int, tuple[str, str, int]]]:
    try:
        part = document.part.numbering_part
    except (KeyError, NotImplementedError, AttributeError):
        return {}
    root = part.element
    abstract: dict[str, dict[int, tuple[str, str, int]]] = {}
    for an in root.findall(qn("w:abstractNum")):
        levels: dict[int, tuple[str, str, int]] = {}
        for lvl in an.findall(qn("w:lvl")):
            ilvl = int(lvl.get(qn("w:ilvl")) or 0)
            fmt = lvl.find(qn("w:numFmt"))
            txt = lvl.find(qn("w:lvlText"))
            start = lvl.find(qn("w:start"))
            levels[ilvl] = (
                fmt.get(qn("w:val")) if fmt is not None else "decimal",
                txt.get(qn("w:val")) if txt is not None else "",
                int(start.get(qn("w:val")) or 1) if start is not None else 1,
            )
        abstract[an.get(qn("w:abstractNumId"))] = levels
    nums: dict = {}
    for num in root.findall(qn("w:num")):
        ref = num.find(qn("w:abstractNumId"))
        if ref is not None:
            nums[num.get(qn("w:numId"))] = abstract.get(ref.get(qn("w:val")), {})
    # list styles ("List Number", "List Bullet") carry their numbering in the style
    try:
        styles = document.styles.element
    except (KeyError, NotImplementedError, AttributeError):
        return nums
    by_id = {st.get(qn("w:styleId")): st for st in styles.findall(qn("w:style"))}
    for style_id, st in by_id.items():
        seen = 0
        while st is not None and seen < 5:
            ppr = st.find(qn("w:pPr"))
            numpr = ppr.find(qn("w:numPr")) if ppr is not None else None
            if numpr is not None and numpr.find(qn("w:numId")) is not None:
                nums["style:" + style_id] = numpr
                break
            based = st.find(qn("w:basedOn"))
            st = by_id.get(based.get(qn("w:val"))) if based is not None else None
            seen += 1
    return nums


def _roman(n: int) -> str:
    out = ""
    for value, letters in (
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ):
        while n >= value:
            out += letters
            n -= value
    return out


def _format_number(fmt: str, n: int) -> str:
    if fmt == "upperRoman":
        return _roman(n)
    if fmt == "lowerRoman":
        return _roman(n).lower()
    if fmt == "lowerLetter":
        return "abcdefghiklmnopqrstuvxy"[(n - 1) % 23]
    if fmt == "upperLetter":
        return "ABCDEFGHIKLMNOPQRSTUVXY"[(n - 1) % 23]
    return str(n)


def _number_prefix(p_el, numbering, counters, qn) -> str:
    """The number Word draws in front of a list paragraph ("1.", "a)", "-"), which is not in its text."""
    ppr = p_el.find(qn("w:pPr"))
    numpr = ppr.find(qn("w:numPr")) if ppr is not None else None
    if numpr is None and ppr is not None:
        style = ppr.find(qn("w:pStyle"))
        if style is not None:
            numpr = numbering.get("style:" + (style.get(qn("w:val")) or ""))  # type: ignore[assignment]
    if numpr is None:
        return ""
    num_id_el = numpr.find(qn("w:numId"))
    ilvl_el = numpr.find(qn("w:ilvl"))
    num_id = num_id_el.get(qn("w:val")) if num_id_el is not None else None
    ilvl = int(ilvl_el.get(qn("w:val")) or 0) if ilvl_el is not None else 0
    levels = numbering.get(num_id or "")
    if not levels or ilvl not in levels:
        return ""
    fmt, text, start = levels[ilvl]
    if fmt == "bullet":
        return "- "
    if fmt == "none":
        return ""
    count = counters.setdefault(num_id, [0] * 9)
    count[ilvl] = count[ilvl] + 1 if count[ilvl] else start
    for deeper in range(ilvl + 1, 9):
        count[deeper] = 0

    def repl(m: re.Match) -> str:
        k = int(m.group(1)) - 1
        lf = levels.get(k, ("decimal", "", 1))[0]
        return _format_number(lf, count[k] or levels.get(k, ("", "", 1))[2])

    return re.sub(r"%(\d)", repl, text).strip() + " "


# ---------------------------------------------------------------------- pdf


def read_pdf(data: bytes, name: str = "tệp") -> list[str]:
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise DocumentError(
                f"Tệp PDF “{name}” được đặt mật khẩu; hãy gỡ mật khẩu rồi nhập lại."
            ) from None
        raise DocumentError(f"Tệp PDF “{name}” bị hỏng, không mở được.") from None
    try:
        from .pdf_layout import join_wrapped, page_lines

        lines: list[str] = []
        chars = 0
        carry = False
        for index in range(len(pdf)):
            page = pdf[index]
            page_text, n, ends_full = page_lines(page)
            page.close()
            chars += n
            first = page_text[0] if page_text else ""
            if (
                carry
                and first
                and not first.startswith("|")
                and not (
                    lines and re.search(r"[.;:!?]['\")”]*$", lines[-1] or "x.") and ITEM_START.match(first)
                )
            ):
                # a paragraph broken by the page end goes on at the top of the next page
                while lines and not lines[-1]:
                    lines.pop()
                if lines:
                    lines[-1] = join_wrapped(lines[-1], page_text[0])
                    page_text = page_text[1:]
            lines.extend(page_text)
            carry = ends_full
    except DocumentError:
        raise
    except Exception:
        raise DocumentError(f"Tệp PDF “{name}” bị hỏng, không đọc được nội dung.") from None
    finally:
        pdf.close()
    if chars < 20 or sum(len(ln.strip()) for ln in lines) < 20:
        raise DocumentError(
            f"Tệp PDF “{name}” không có lớp chữ (bản scan); hãy dùng bản Word hoặc PDF có lớp chữ, "
            f"hoặc nhận dạng chữ (OCR) trước khi nhập."
        )
    return lines
