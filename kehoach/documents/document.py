"""An administrative document in the format of Nghị định 30/2020/NĐ-CP, independent of file format.

Builders (the periodic report, the plan export) produce an `OfficialDocument`; `documents.render`
turns it into HTML, DOCX or PDF. An issued document is frozen as `to_dict()` JSON, so it renders
the same however the data changes later. Text is final: builders write numbering ("I.", "1.",
"a)"), leading zeros and number formats into the strings; renderers only lay them out.
"""

from __future__ import annotations

import dataclasses
import datetime
from dataclasses import dataclass, field
from typing import Literal

Align = Literal["left", "center", "right", "justify"]


@dataclass
class Heading:
    """A numbered heading of the body: level 1 "I. …" (bold, upper case as written), level 2 "1. …"
    (bold), level 3 "a) …" (bold italic)."""

    text: str
    level: int = 1
    type: Literal["heading"] = "heading"


@dataclass
class Paragraph:
    """Body text, justified with first-line indent unless `align`/`indent` say otherwise.
    A paragraph starting with "- " is a dash item and is laid out the same way."""

    text: str
    bold: bool = False
    italic: bool = False
    align: Align = "justify"
    indent: bool = True
    type: Literal["paragraph"] = "paragraph"


@dataclass
class Column:
    title: str
    width: float = 1.0  # relative share of the table width
    align: Align = "left"


@dataclass
class Table:
    """A ruled table with one header row. A row whose `group` is set is a section row: its text
    spans every column, in bold."""

    columns: list[Column]
    rows: list[list[str]]
    caption: str = ""
    groups: list[int] = field(default_factory=list)  # indexes of rows that are section rows
    type: Literal["table"] = "table"


Block = Heading | Paragraph | Table


@dataclass
class Appendix:
    """An appendix on a new page: "Phụ lục I" / title / optional italic subtitle, then blocks.
    `landscape` turns its pages to A4 landscape for wide tables."""

    label: str  # "Phụ lục I"
    title: str  # "BIỂU TỔNG HỢP KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU"
    subtitle: str = ""  # "(Kèm theo Báo cáo số 05/BC-UBND ngày 05/01/2026 của UBND xã Hà Bắc)"
    blocks: list[Block] = field(default_factory=list)
    landscape: bool = False


@dataclass
class Signature:
    """The signature block, e.g. "TM. ỦY BAN NHÂN DÂN" / "KT. CHỦ TỊCH" / "PHÓ CHỦ TỊCH" / name."""

    lines: list[str]  # upper-case authority lines, bold, in order
    name: str = ""


@dataclass
class OfficialDocument:
    issuer_lines: list[str]  # ["ỦY BAN NHÂN DÂN", "XÃ HÀ BẮC"], bold, upper case, rule under
    number: str  # "Số: 05/BC-UBND", or "Số:      /BC-UBND" before issue
    place_date: str  # "Hà Bắc, ngày 05 tháng 01 năm 2026" (italic)
    kind: str  # "BÁO CÁO", "KẾ HOẠCH" (bold, upper case)
    title: str  # trích yếu, bold, under the kind, short rule under it
    body: list[Block] = field(default_factory=list)
    recipients: list[str] = field(default_factory=list)  # "- Như trên;" … "- Lưu: VT, VHXH."
    signature: Signature = field(default_factory=lambda: Signature(lines=[]))
    appendices: list[Appendix] = field(default_factory=list)
    draft: bool = False  # a draft carries "DỰ THẢO" and no number

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> OfficialDocument:
        return cls(
            issuer_lines=list(data["issuer_lines"]),
            number=data["number"],
            place_date=data["place_date"],
            kind=data["kind"],
            title=data["title"],
            body=[_block(b) for b in data.get("body", [])],
            recipients=list(data.get("recipients", [])),
            signature=Signature(**data.get("signature", {"lines": []})),
            appendices=[
                Appendix(**{**a, "blocks": [_block(b) for b in a.get("blocks", [])]})
                for a in data.get("appendices", [])
            ],
            draft=data.get("draft", False),
        )

    def text(self) -> str:
        """All the words of the document in reading order, for search and for tests."""
        parts = [*self.issuer_lines, self.number, self.place_date, self.kind, self.title]
        for block in self.body + [b for a in self.appendices for b in a.blocks]:
            parts.extend(block_text(block))
        for a in self.appendices:
            parts.extend([a.label, a.title, a.subtitle])
        parts.extend(self.recipients)
        parts.extend(self.signature.lines)
        parts.append(self.signature.name)
        return "\n".join(p for p in parts if p)


def block_text(block: Block) -> list[str]:
    if isinstance(block, Table):
        return [
            block.caption,
            *(c.title for c in block.columns),
            *(cell for row in block.rows for cell in row),
        ]
    return [block.text]


def _block(data: dict) -> Block:
    data = dict(data)
    kind = data.pop("type")
    if kind == "heading":
        return Heading(**data)
    if kind == "paragraph":
        return Paragraph(**data)
    if kind == "table":
        data["columns"] = [Column(**c) for c in data["columns"]]
        return Table(**data)
    raise ValueError(f"Unknown block type {kind!r}")


def two_digits(n: int) -> str:
    """NĐ 30: numbers below 10 are written with a leading zero ("05/BC-UBND")."""
    return f"{n:02d}"


def place_date(place: str, date: datetime.date | None) -> str:
    """ "Hà Bắc, ngày 05 tháng 01 năm 2026": day below 10 and months 1–2 take a leading zero.

    Without a date (a draft), the line keeps blanks to be written by hand: "Hà Bắc, ngày   tháng   năm 2026".
    """
    if date is None:
        return f"{place}, ngày     tháng     năm {datetime.date.today().year}"
    month = f"{date.month:02d}" if date.month <= 2 else str(date.month)
    return f"{place}, ngày {date.day:02d} tháng {month} năm {date.year}"


def number_line(number: int | None, symbol: str) -> str:
    """ "Số: 05/BC-UBND"; before issue "Số:      /BC-UBND"."""
    if number is None:
        return f"Số:      /{symbol}"
    return f"Số: {two_digits(number)}/{symbol}"
