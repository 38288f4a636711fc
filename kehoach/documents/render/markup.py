"""HTML of an official document: the in-app fragment and the standalone page WeasyPrint renders."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.template.loader import render_to_string

from kehoach.documents.document import Appendix, Block, Heading, OfficialDocument, Paragraph, Table

from .fonts import FACES, FAMILY, FONT_DIR

CSS_PATH = Path(__file__).resolve().parents[1] / "static" / "documents" / "official.css"


@dataclass
class _Cell:
    text: str
    align: str


@dataclass
class _Row:
    group: bool
    text: str  # a section row's text
    cells: list[_Cell]


@dataclass
class _Column:
    title: str
    align: str
    width: str  # "33.333%": preformatted so that template localisation cannot write "33,333"


@dataclass
class _Table:
    caption: str
    columns: list[_Column]
    rows: list[_Row]
    span: str
    type: str = "table"


@dataclass
class _Appendix:
    label: str
    title: str
    subtitle: str
    landscape: bool
    blocks: list


def column_shares(table: Table) -> list[float]:
    """Each column's share of the table width; missing or non-positive widths count as 1."""
    widths = [c.width if c.width and c.width > 0 else 1.0 for c in table.columns]
    total = sum(widths) or 1.0
    return [w / total for w in widths]


def group_text(row: list[str]) -> str:
    """A section row spans every column: its non-empty cells read as one line ("I. Chỉ tiêu …")."""
    return " ".join(cell.strip() for cell in row if cell and cell.strip())


def _table(table: Table) -> _Table:
    columns = [
        _Column(title=c.title, align=c.align, width=f"{share * 100:.3f}%")
        for c, share in zip(table.columns, column_shares(table), strict=True)
    ]
    groups = set(table.groups)
    rows = []
    for index, row in enumerate(table.rows):
        if index in groups:
            rows.append(_Row(group=True, text=group_text(row), cells=[]))
            continue
        padded = list(row) + [""] * (len(columns) - len(row))
        cells = [_Cell(text=text, align=col.align) for text, col in zip(padded, columns, strict=False)]
        rows.append(_Row(group=False, text="", cells=cells))
    return _Table(caption=table.caption, columns=columns, rows=rows, span=str(len(columns)))


def _blocks(blocks: list[Block]) -> list:
    out: list = []
    for block in blocks:
        if isinstance(block, Table):
            out.append(_table(block))
        elif isinstance(block, Heading | Paragraph):
            out.append(block)
        else:  # pragma: no cover - the contract has three kinds of block
            raise TypeError(f"Unknown block {block!r}")
    return out


def _appendix(appendix: Appendix) -> _Appendix:
    return _Appendix(
        label=appendix.label,
        title=appendix.title,
        subtitle=appendix.subtitle,
        landscape=appendix.landscape,
        blocks=_blocks(appendix.blocks),
    )


def context(doc: OfficialDocument) -> dict:
    issuer = list(doc.issuer_lines)
    return {
        "doc": doc,
        "issuer_head": issuer[:-1],
        "issuer_last": issuer[-1] if issuer else "",
        "body": _blocks(doc.body),
        "appendices": [_appendix(a) for a in doc.appendices],
        "has_closing": bool(doc.recipients or doc.signature.lines or doc.signature.name),
    }


def render_fragment(doc: OfficialDocument) -> str:
    return render_to_string("documents/official.html", context(doc))


def font_face_css() -> str:
    """@font-face rules with absolute file:// URLs of the shipped faces, so WeasyPrint embeds them
    and never falls back to whatever the machine has installed."""
    rules = []
    for (bold, italic), name in FACES.items():
        url = (FONT_DIR / name).as_uri()
        rules.append(
            f'@font-face {{ font-family: "{FAMILY}"; src: url("{url}") format("truetype"); '
            f"font-weight: {700 if bold else 400}; font-style: {'italic' if italic else 'normal'}; }}"
        )
    return "\n".join(rules)


def render_html_page(doc: OfficialDocument) -> str:
    return render_to_string(
        "documents/official_page.html",
        {
            **context(doc),
            "fragment": render_fragment(doc),
            "font_faces": font_face_css(),
            "stylesheet": CSS_PATH.read_text(encoding="utf-8"),
        },
    )
