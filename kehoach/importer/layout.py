"""From the lines of a document to paragraphs and tables.

Documents reach the importer in many shapes: paragraphs broken at the page width or at a page
break, web pages that flatten a table into one cell per line with "|" between cells, markdown
pipe tables, tab-separated rows, headers laid out in two columns. This module undoes the layout so
the extractor sees logical paragraphs (`Para`) and tables (`Table`, rows of cells) in order.
"""

import re
import unicodedata
from dataclasses import dataclass, field

# In a table cell, a line break the author typed (several units, several lines in one cell).
CELL_BREAK = " ¶ "


@dataclass
class Para:
    text: str
    hard: bool = False  # a table cell or a header cell: never merged with its neighbours


@dataclass
class Table:
    rows: list[list[str]] = field(default_factory=list)


Block = Para | Table

_GLITCHES = [
    # PDF text layers of some fonts give "Ị" for "Ò" ("CỘNG HỊA", "XÃ HỊA BÌNH"); "hịa" is no word.
    (
        re.compile(r"\b([Hh])([Ịị])([Aa])\b"),
        lambda m: m.group(1) + ("Ò" if m.group(2) == "Ị" else "ò") + m.group(3),
    ),
]
_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)


def normalize_text(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\u00d0", "Đ").replace("\u00f0", "đ").translate(_ZERO_WIDTH)
    text = text.replace("\u00a0", " ").replace("\u2002", " ").replace("\u2003", " ").replace("\u2009", " ")
    for pattern, repl in _GLITCHES:
        text = pattern.sub(repl, text)
    return text


def _clean(line: str) -> list[str]:
    """One raw line → zero or more cleaned lines (markdown bold glued to text splits a line)."""
    line = normalize_text(line).rstrip("\r\n")
    parts = line.split("**") if "**" in line else [line]
    out = []
    for part in parts:
        part = _IMAGE.sub("", part).replace("*", "")
        out.append(part.rstrip())
    return out


_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_MD_SEPARATOR = re.compile(r"^\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")
_RULE = re.compile(r"^[-_=~.…\s]{3,}$")


def _md_cells(line: str) -> list[str]:
    inner = line.strip()
    inner = inner[1:] if inner.startswith("|") else inner
    inner = inner[:-1] if inner.endswith("|") else inner
    return [c.strip() for c in inner.split("|")]


def _is_md_row(line: str) -> bool:
    s = line.strip()
    return s.startswith("|") and s.endswith("|") and s.count("|") >= 3


def _is_tab_row(line: str) -> bool:
    return line.count("\t") >= 2 and len([c for c in line.split("\t") if c.strip()]) >= 2


def _strip_rules(cell: str) -> str:
    """Header cells carry underlines ("-------") under the body's name and the motto."""
    cell = re.sub(r"\s-{3,}\s*", " ", f" {cell} ")
    return " ".join(cell.split())


_STT_HEAD = re.compile(r"^(stt|tt|số tt|số thứ tự)\.?$", re.IGNORECASE)
_STT_VALUE = re.compile(r"^([0-9]{1,3}|[IVXL]{1,5})[.)]?$")
_ROMAN = re.compile(r"^[IVXL]{1,5}[.)]?$")


def _cells_to_table(cells: list[str]) -> Table | None:
    """Cells of a table flattened one per line ("STT | Tên chỉ tiêu | …"): rebuild the rows.

    The header gives the number of columns; a row starts at an index cell (1, 2, I, II) once the
    current row is complete, or after a group row (roman index, fewer cells).
    """
    if not cells or not _STT_HEAD.match(cells[0].strip()):
        return None
    width = 1
    while width < len(cells) and not _STT_VALUE.match(cells[width].strip()) and width < 12:
        width += 1
    if width < 3:
        return None
    rows = [cells[:width]]
    current: list[str] = []
    for cell in cells[width:]:
        c = cell.strip()
        starts = bool(_STT_VALUE.match(c)) and (
            not current
            or len(current) >= width
            or (_ROMAN.match(current[0].strip()) is not None and len(current) >= 2)
        )
        if starts and current:
            rows.append(current)
            current = []
        current.append(c)
    if current:
        rows.append(current)
    return Table(rows=rows)


def split_blocks(raw_lines: list[str]) -> list[Block]:
    """Lines as read from a file → paragraphs and tables in document order."""
    lines: list[str] = []
    for i, raw in enumerate(raw_lines):
        if i == 0 and raw.startswith("# source:"):
            continue  # the corpus' provenance line, not part of the document
        lines.extend(_clean(raw))

    items: list[tuple[str, object]] = []  # ("blank", None) | ("line", str) | ("cell", str) | ("row", cells)
    pending: list[str] = []  # lines that may turn out to be the start of a "|" cell
    in_run = False
    run_cells: list[str] = []

    def flush_pending() -> None:
        for p in pending:
            items.append(("line", p) if p else ("blank", None))
        pending.clear()

    def close_run() -> None:
        nonlocal in_run
        if run_cells:
            table = _cells_to_table(run_cells)
            if table is not None:
                items.append(("table", table))
            else:
                for c in run_cells:
                    c = _strip_rules(c)
                    if c:
                        items.append(("cell", c))
        run_cells.clear()
        in_run = False

    for line in lines:
        s = line.strip()
        if _is_md_row(s) or _is_tab_row(line):
            if in_run:
                close_run()
            flush_pending()
            if _MD_SEPARATOR.match(s):
                continue
            cells = _md_cells(s) if _is_md_row(s) else [c.strip() for c in line.split("\t")]
            items.append(("row", cells))
            continue
        if _MD_SEPARATOR.match(s) and "|" in s:
            continue
        if s == "|" or (s.endswith("|") and not s.startswith("|")):
            content = s[:-1].strip()
            if not in_run:
                in_run = True
                if not pending and not content:
                    # "STT", a blank line, then "|": the cell is the line before the blanks
                    k = len(items)
                    while k and items[k - 1][0] == "blank":
                        k -= 1
                    if k and items[k - 1][0] == "line":
                        pending.append(str(items[k - 1][1]))
                        del items[k - 1 :]
                if len(pending) > 6:
                    keep = pending[-6:]
                    del pending[-6:]
                    flush_pending()
                    pending.extend(keep)
            cell = " ".join(p for p in [*pending, content] if p).strip()
            pending.clear()
            run_cells.append(cell)
            continue
        if not s:
            if in_run:
                pending.append("")  # a blank line between cells does not end the table
                continue
            flush_pending()
            items.append(("blank", None))
            continue
        pending.append(s)
        if sum(1 for p in pending if p) > (30 if in_run else 6):
            # a cell runs over a few lines; this many lines without a "|" are text after the table
            if in_run:
                close_run()
                while len(pending) > 6:
                    p = pending.pop(0)
                    items.append(("line", p) if p else ("blank", None))
            else:
                items.append(("line", pending.pop(0)))
    if in_run:
        close_run()
    flush_pending()
    texts = [str(v) for k, v in items if k == "line"]
    # Paragraphs broken at the page width (a PDF or a web page's text) continue on a line that
    # starts with a capital; a file that keeps one paragraph per line does not.
    wrapped = bool(texts) and sum(len(t) > 120 for t in texts) < 0.15 * len(texts)
    lengths = sorted(len(t) for t in texts)
    width = lengths[int(0.9 * (len(lengths) - 1))] if lengths else 0
    return _assemble(items, wrapped, width)


def _assemble(items: list[tuple[str, object]], wrapped: bool, width: int = 0) -> list[Block]:
    blocks: list[Block] = []
    rows: list[list[str]] = []

    def close_rows() -> None:
        if rows:
            blocks.append(Table(rows=list(rows)))
            rows.clear()

    blank_before = False
    last_raw = ""
    for kind, value in items:
        if kind == "row":
            rows.append(value)  # type: ignore[arg-type]
            blank_before = False
            continue
        if kind == "blank":
            blank_before = True
            continue
        if rows:
            close_rows()
        if kind == "table":
            blocks.append(value)  # type: ignore[arg-type]
        elif kind == "cell":
            blocks.append(Para(str(value), hard=True))
        else:
            text = str(value)
            prev = blocks[-1] if blocks else None
            if (
                isinstance(prev, Para)
                and not prev.hard
                and continues(prev.text, text, blank_before, wrapped, width, last_raw)
            ):
                prev.text = join_lines(prev.text, text)
            else:
                blocks.append(Para(text))
            last_raw = text
        blank_before = False
    close_rows()
    return [b for b in blocks if not (isinstance(b, Para) and not b.text.strip())]


# A line that opens something new: a heading, a numbered or lettered item, a bullet.
ITEM_START = re.compile(
    r"^\s*(?:"
    r"(?:phần|PHẦN|Phần)\s+(?:[IVXL]+|thứ\s+\w+|THỨ\s+\w+)\b"
    r"|[IVXL]{1,5}\s*[.:)\-–]\s*\S"
    r"|\d{1,2}(?:\.\d{1,2}){0,3}\s*[.)]\s*\S"
    r"|\d{1,2}\.\d{1,2}(?:\.\d{1,2})*\s+\S"
    r"|[a-zđ]\s*\)\s*\S"
    r"|[-–—•+*]\s*\S"
    r")"
)
# Words that open a paragraph of their own in an administrative document.
_OPENER = re.compile(r"^(?:Căn cứ|Thực hiện|Theo đề nghị|Xét đề nghị|Nơi nhận|TM\.|KT\.|TL\.|Q\.)\s")
_END_PUNCT = re.compile(r"[.;:!?…]['\"”’)]*$")


def is_all_caps(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 3 and all(c.isupper() for c in letters)


def _heading_like(text: str) -> bool:
    last = text.strip()
    if is_all_caps(last):
        return True
    return bool(ITEM_START.match(last)) and len(last) < 100 and not _END_PUNCT.search(last)


def continues(
    prev: str,
    line: str,
    blank_before: bool,
    wrapped: bool = True,
    width: int = 0,
    last_raw: str | None = None,
) -> bool:
    """Whether `line` carries on the paragraph `prev` (a line broken at the width or a page)."""
    s = line.strip()
    p = prev.rstrip()
    if not s or not p:
        return False
    first = s[0]
    ends_open = not _END_PUNCT.search(p)
    last_line = (last_raw if last_raw is not None else p).rstrip()
    if first.islower() and not re.match(r"^[a-zđ]\s*\)\s", s):
        # "a) Về …" opens an item; "kết nối, chia sẻ …" carries on the line before.
        if is_all_caps(p) and not blank_before:
            return True
        return not (blank_before and not ends_open)
    if re.match(r"^[-–]\s+\w", s) and s.lstrip("-– ")[:1].islower() and ends_open and not blank_before:
        return True  # "kinh tế\n- xã hội": a hyphen at the start of a wrapped line, not a bullet
    if not ends_open:
        return False
    if re.match(
        r"^\d{1,2}\s*/\s*\d{1,2}\s*/\s*\d{4}|^\d{1,2}\s+tháng\b|^\d{4}\b", s
    ) and not ITEM_START.match(s):
        return True  # "… ngày\n31/12/2024 của …"
    full_width = wrapped and width >= 40 and len(last_line) >= 0.8 * width and not blank_before
    if ITEM_START.match(s) or is_all_caps(s) or _OPENER.match(s):
        return False
    if _heading_like(p) and not full_width:
        return False
    if p.endswith(","):
        return wrapped and not blank_before and len(last_line) >= 30
    if not blank_before and wrapped:
        return len(last_line) >= 45
    # a long paragraph cut in the middle of a sentence (a page break), with or without a blank line
    return len(last_line) >= 120 and p[-1].isalpha() and p[-1].islower()


def join_lines(a: str, b: str) -> str:
    a, b = a.rstrip(), b.strip()
    if a.endswith("-") and not a.endswith(" -") and b[:1].islower():
        return a + b  # a word hyphenated at the line end ("các-\nbon")
    return f"{a} {b}"
