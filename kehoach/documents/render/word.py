"""DOCX through python-docx, laid out to stay editable in Word and LibreOffice: only paragraphs and
tables (no text boxes or shapes), rules as paragraph borders, fixed table grids."""

from __future__ import annotations

from io import BytesIO

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Emu, Length, Mm, Pt, RGBColor

from kehoach.documents.document import Appendix, Block, Heading, OfficialDocument, Paragraph, Table

from .fonts import text_width_pt
from .markup import column_shares, group_text

FONT = "Times New Roman"
PAGE_SHORT, PAGE_LONG = Mm(210), Mm(297)
MARGIN_TOP, MARGIN_BOTTOM, MARGIN_LEFT, MARGIN_RIGHT = Mm(20), Mm(20), Mm(30), Mm(15)
CELL_PAD = Pt(5.4)  # Word's default left/right cell margin (108 twips)
FIRST_LINE = Cm(1.27)
BODY_SIZE = 14
TABLE_SIZE = 12
DRAFT_COLOR = "C00000"

ALIGN = {
    "left": WD_ALIGN_PARAGRAPH.LEFT,
    "center": WD_ALIGN_PARAGRAPH.CENTER,
    "right": WD_ALIGN_PARAGRAPH.RIGHT,
    "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
}

# Schema order of the children of w:tblPr, so inserted elements keep the file valid.
_TBLPR_ORDER = [
    "tblStyle",
    "tblpPr",
    "tblOverlap",
    "bidiVisual",
    "tblStyleRowBandSize",
    "tblStyleColBandSize",
    "tblW",
    "jc",
    "tblCellSpacing",
    "tblInd",
    "tblBorders",
    "shd",
    "tblLayout",
    "tblCellMar",
    "tblLook",
    "tblCaption",
    "tblDescription",
]


# Schema order of the children of w:pPr.
_PPR_ORDER = [
    "pStyle",
    "keepNext",
    "keepLines",
    "pageBreakBefore",
    "framePr",
    "widowControl",
    "numPr",
    "suppressLineNumbers",
    "pBdr",
    "shd",
    "tabs",
    "suppressAutoHyphens",
    "kinsoku",
    "wordWrap",
    "overflowPunct",
    "topLinePunct",
    "autoSpaceDE",
    "autoSpaceDN",
    "bidi",
    "adjustRightInd",
    "snapToGrid",
    "spacing",
    "ind",
    "contextualSpacing",
    "mirrorIndents",
    "suppressOverlap",
    "jc",
    "textDirection",
    "textAlignment",
    "textboxTightWrap",
    "outlineLvl",
    "divId",
    "cnfStyle",
    "rPr",
    "sectPr",
    "pPrChange",
]


def render_docx(doc: OfficialDocument) -> bytes:
    return _Builder(doc).build()


# ---- low-level helpers -------------------------------------------------------------------------


def _set_fonts(rpr) -> None:
    """Times New Roman for every script slot: Vietnamese letters fall in the hAnsi/eastAsia slots
    depending on the application, and theme fonts would override an explicit name."""
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
        fonts.attrib.pop(qn(f"w:{attr}"), None)
    for attr in ("ascii", "hAnsi", "eastAsia", "cs"):
        fonts.set(qn(f"w:{attr}"), FONT)


def _run(paragraph, text: str, size: float, *, bold=False, italic=False, caps=False, color: str = ""):
    run = paragraph.add_run()
    lines = text.split("\n")
    for index, line in enumerate(lines):
        if index:
            run.add_break()
        if line:
            run.add_text(line)
    font = run.font
    font.size = Pt(size)
    font.bold = bold or None
    font.italic = italic or None
    if caps:
        font.all_caps = True
    if color:
        font.color.rgb = RGBColor.from_string(color)
    _set_fonts(run._r.get_or_add_rPr())
    return run


def _mark_size(paragraph, size: float) -> None:
    """Size of the paragraph mark, which sets the height of an empty paragraph."""
    ppr = paragraph._p.get_or_add_pPr()
    rpr = ppr.find(qn("w:rPr"))
    if rpr is None:
        rpr = _put(ppr, OxmlElement("w:rPr"), _PPR_ORDER)
    _set_fonts(rpr)
    for tag in ("w:sz", "w:szCs"):
        el = rpr.find(qn(tag))
        if el is None:
            el = OxmlElement(tag)
            rpr.append(el)
        el.set(qn("w:val"), str(max(2, round(size * 2))))


def _format(
    paragraph,
    *,
    align: str = "left",
    first_line: Length | None = None,
    left: Length | None = None,
    right: Length | None = None,
    before: float = 0,
    after: float = 0,
    line: float | None = None,
    at_least: float | None = None,
    exact: float | None = None,
    keep_next: bool = False,
) -> None:
    pf = paragraph.paragraph_format
    pf.alignment = ALIGN.get(align, WD_ALIGN_PARAGRAPH.LEFT)
    pf.first_line_indent = first_line
    pf.left_indent = left
    pf.right_indent = right
    pf.space_before = Pt(before)
    pf.space_after = Pt(after)
    if exact is not None:
        pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        pf.line_spacing = Pt(exact)
    elif at_least is not None:
        pf.line_spacing_rule = WD_LINE_SPACING.AT_LEAST
        pf.line_spacing = Pt(at_least)
    else:
        pf.line_spacing = line or 1.0
    if keep_next:
        pf.keep_with_next = True


def _border(paragraph, sides: tuple[str, ...], *, size_eighths: int = 6, color: str = "000000", space=0):
    ppr = paragraph._p.get_or_add_pPr()
    bdr = OxmlElement("w:pBdr")
    for side in sides:
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:val"), "single")
        el.set(qn("w:sz"), str(size_eighths))
        el.set(qn("w:space"), str(space))
        el.set(qn("w:color"), color)
        bdr.append(el)
    _put(ppr, bdr, _PPR_ORDER)


def _put(parent, child, order: list[str]):
    """Insert or replace `child` in `parent` at its schema position."""
    name = child.tag.split("}")[1]
    old = parent.find(qn(f"w:{name}"))
    if old is not None:
        parent.remove(old)
    later = order[order.index(name) + 1 :]
    for el in parent:
        if el.tag.split("}")[1] in later:
            el.addprevious(child)
            return child
    parent.append(child)
    return child


def _tblpr_put(tbl, child) -> None:
    _put(tbl.tblPr, child, _TBLPR_ORDER)


def _table_borders(table, val: str) -> None:
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:val"), val)
        if val != "nil":
            el.set(qn("w:sz"), "4")
            el.set(qn("w:space"), "0")
            el.set(qn("w:color"), "000000")
        borders.append(el)
    _tblpr_put(table._tbl, borders)


def _cell_margins(table, top: float, bottom: float) -> None:
    mar = OxmlElement("w:tblCellMar")
    for side, value in (("top", Pt(top)), ("left", CELL_PAD), ("bottom", Pt(bottom)), ("right", CELL_PAD)):
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:w"), str(Emu(value).twips))
        el.set(qn("w:type"), "dxa")
        mar.append(el)
    _tblpr_put(table._tbl, mar)


def _fixed_grid(table, widths: list[int]) -> None:
    """A fixed layout with explicit grid, table and cell widths, which Word and LibreOffice both
    honour (autofit would resize the columns to their content)."""
    table.autofit = False
    tblw = OxmlElement("w:tblW")
    tblw.set(qn("w:w"), str(sum(Emu(w).twips for w in widths)))
    tblw.set(qn("w:type"), "dxa")
    _tblpr_put(table._tbl, tblw)
    ind = OxmlElement("w:tblInd")
    ind.set(qn("w:w"), "0")
    ind.set(qn("w:type"), "dxa")
    _tblpr_put(table._tbl, ind)
    for col, width in zip(table._tbl.tblGrid.gridCol_lst, widths, strict=True):
        col.w = Emu(width)
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = Emu(width)


def _row_flags(row, *, header: bool = False, cant_split: bool = True) -> None:
    trpr = row._tr.get_or_add_trPr()
    if cant_split:
        trpr.append(OxmlElement("w:cantSplit"))
    if header:
        trpr.append(OxmlElement("w:tblHeader"))


def _page_field(paragraph, size: float) -> None:
    """A PAGE field (begin / instruction / separate / cached result / end)."""

    def fld_char(kind: str):
        run = _run(paragraph, "", size)
        el = OxmlElement("w:fldChar")
        el.set(qn("w:fldCharType"), kind)
        run._r.append(el)

    fld_char("begin")
    run = _run(paragraph, "", size)
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = " PAGE "
    run._r.append(instr)
    fld_char("separate")
    _run(paragraph, "2", size)
    fld_char("end")


def _first_paragraph(container):
    """A new cell already holds an empty paragraph: use it for the first line."""
    paragraphs = container.paragraphs
    if len(paragraphs) == 1 and not paragraphs[0].text and not paragraphs[0].runs:
        return paragraphs[0]
    return container.add_paragraph()


# ---- the document ------------------------------------------------------------------------------


class _Builder:
    def __init__(self, doc: OfficialDocument) -> None:
        self.doc = doc
        self.word = Document()
        self._setup()

    # Styles and settings: Times New Roman 14 pt everywhere, no theme fonts, no inherited spacing.
    def _setup(self) -> None:
        styles = self.word.styles
        defaults = styles.element.find(qn("w:docDefaults"))
        rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
        _set_fonts(rpr)
        rpr.find(qn("w:sz")).set(qn("w:val"), str(BODY_SIZE * 2))
        rpr.find(qn("w:szCs")).set(qn("w:val"), str(BODY_SIZE * 2))
        lang = rpr.find(qn("w:lang"))
        lang.set(qn("w:val"), "vi-VN")
        lang.set(qn("w:eastAsia"), "vi-VN")
        spacing = defaults.find(qn("w:pPrDefault")).find(qn("w:pPr")).find(qn("w:spacing"))
        spacing.set(qn("w:after"), "0")
        spacing.set(qn("w:line"), "240")

        normal = styles["Normal"]
        normal.font.name = FONT
        normal.font.size = Pt(BODY_SIZE)
        _set_fonts(normal.element.get_or_add_rPr())
        normal.paragraph_format.space_after = Pt(0)
        normal.paragraph_format.line_spacing = 1.0
        for name in ("Header", "Footer", "Table Grid"):
            style = styles[name]
            _set_fonts(style.element.get_or_add_rPr())

        # The template's own metadata would name the library as the author.
        props = self.word.core_properties
        props.title = " ".join(part for part in (self.doc.kind, self.doc.title) if part)[:255]
        props.author = " ".join(self.doc.issuer_lines)[:255]
        for name in ("comments", "keywords", "subject", "last_modified_by"):
            setattr(props, name, "")
        props.language = "vi-VN"

        # Word 2013+ table layout: a table indent of 0 puts the border on the margin.
        compat = self.word.settings.element.find(qn("w:compat"))
        for setting in compat.findall(qn("w:compatSetting")):
            if setting.get(qn("w:name")) == "compatibilityMode":
                setting.set(qn("w:val"), "15")

    def build(self) -> bytes:
        section = self.word.sections[0]
        self._page(section, landscape=False)
        section.different_first_page_header_footer = True
        self._page_numbers(section)

        if self.doc.draft:
            self._draft()
        self._head()
        self._title()
        self._blocks(self.doc.body, self._text_width(False))
        self._closing()
        for appendix in self.doc.appendices:
            self._appendix(appendix)

        out = BytesIO()
        self.word.save(out)
        return out.getvalue()

    @staticmethod
    def _text_width(landscape: bool) -> int:
        width = PAGE_LONG if landscape else PAGE_SHORT
        return int(width - MARGIN_LEFT - MARGIN_RIGHT)

    @staticmethod
    def _page(section, *, landscape: bool) -> None:
        section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
        section.page_width = PAGE_LONG if landscape else PAGE_SHORT
        section.page_height = PAGE_SHORT if landscape else PAGE_LONG
        section.top_margin, section.bottom_margin = MARGIN_TOP, MARGIN_BOTTOM
        section.left_margin, section.right_margin = MARGIN_LEFT, MARGIN_RIGHT
        section.header_distance = section.footer_distance = Mm(10)
        section.gutter = 0

    @staticmethod
    def _page_numbers(section) -> None:
        # Page number centred at the top from page 2 on; the first page has an empty header.
        header = section.header
        header.is_linked_to_previous = False
        paragraph = header.paragraphs[0]
        _format(paragraph, align="center")
        _page_field(paragraph, 13)
        first = section.first_page_header
        first.is_linked_to_previous = False
        _format(first.paragraphs[0], align="left")

    def _rule(self, cell, width_pt: float, avail_pt: float, *, after: float = 0) -> None:
        """A centred horizontal rule `width_pt` long: an empty, 1 pt high paragraph with a top border
        whose indents shorten it. It stays a rule whatever is typed in the text above."""
        paragraph = cell.add_paragraph()
        side = max(0.0, (avail_pt - width_pt) / 2)
        _format(paragraph, align="center", left=Pt(side), right=Pt(side), before=1, after=after, exact=1)
        _mark_size(paragraph, 1)
        _border(paragraph, ("top",), size_eighths=6)

    def _draft(self) -> None:
        paragraph = self.word.add_paragraph()
        width = text_width_pt("DỰ THẢO", 13, bold=True) + 10
        avail = Emu(self._text_width(False)).pt
        _format(paragraph, align="center", left=Pt(max(0, avail - width - 2)), right=Pt(2), after=6)
        _run(paragraph, "DỰ THẢO", 13, bold=True, color=DRAFT_COLOR)
        _border(paragraph, ("top", "left", "bottom", "right"), size_eighths=12, color=DRAFT_COLOR, space=2)

    def _head(self) -> None:
        doc = self.doc
        width = self._text_width(False)
        widths = [int(width * 0.4), width - int(width * 0.4)]
        table = self.word.add_table(rows=1, cols=2)
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        _fixed_grid(table, widths)
        _table_borders(table, "nil")
        _cell_margins(table, 0, 0)
        left, right = table.rows[0].cells
        line = 16  # a common line height keeps the number and the date on one level

        avail_left = Emu(widths[0] - 2 * CELL_PAD).pt
        for index, text in enumerate(doc.issuer_lines):
            paragraph = left.paragraphs[0] if index == 0 else left.add_paragraph()
            _format(paragraph, align="center", at_least=line)
            _run(paragraph, text, 13, bold=True, caps=True)
        if doc.issuer_lines:
            last = doc.issuer_lines[-1].upper()
            self._rule(left, 0.4 * min(text_width_pt(last, 13, bold=True), avail_left), avail_left)
        if doc.number:
            paragraph = left.add_paragraph()
            _format(paragraph, align="center", before=6, at_least=line)
            _run(paragraph, doc.number, 13)

        avail_right = Emu(widths[1] - 2 * CELL_PAD).pt
        paragraph = right.paragraphs[0]
        _format(paragraph, align="center", at_least=line)
        _run(paragraph, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 12, bold=True)
        motto = "Độc lập - Tự do - Hạnh phúc"
        paragraph = right.add_paragraph()
        _format(paragraph, align="center", at_least=line)
        _run(paragraph, motto, 13, bold=True)
        self._rule(right, min(text_width_pt(motto, 13, bold=True) + 1, avail_right), avail_right)
        if doc.place_date:
            paragraph = right.add_paragraph()
            _format(paragraph, align="center", before=6, at_least=line)
            _run(paragraph, doc.place_date, 13, italic=True)

    def _title(self) -> None:
        doc = self.doc
        avail = Emu(self._text_width(False)).pt
        if doc.kind:
            paragraph = self.word.add_paragraph()
            _format(paragraph, align="center", before=18, keep_next=True)
            _run(paragraph, doc.kind, 14, bold=True)
        if doc.title:
            paragraph = self.word.add_paragraph()
            _format(paragraph, align="center", before=0 if doc.kind else 18, keep_next=True)
            _run(paragraph, doc.title, 14, bold=True)
            # The rule is 40 % of the title's (first) line.
            width = min(text_width_pt(doc.title, 14, bold=True), avail)
            rule = self.word.add_paragraph()
            side = (avail - 0.4 * width) / 2
            _format(rule, align="center", left=Pt(side), right=Pt(side), before=2, after=12, exact=1)
            _mark_size(rule, 1)
            _border(rule, ("top",), size_eighths=6)

    def _blocks(self, blocks: list[Block], width: int) -> None:
        for block in blocks:
            if isinstance(block, Heading):
                paragraph = self.word.add_paragraph()
                _format(paragraph, align="left", first_line=FIRST_LINE, after=6, line=1.15, keep_next=True)
                _run(paragraph, block.text, BODY_SIZE, bold=True, italic=block.level >= 3)
            elif isinstance(block, Paragraph):
                paragraph = self.word.add_paragraph()
                _format(
                    paragraph,
                    align=block.align,
                    first_line=FIRST_LINE if block.indent else None,
                    after=6,
                    line=1.15,
                )
                _run(paragraph, block.text, BODY_SIZE, bold=block.bold, italic=block.italic)
            elif isinstance(block, Table):
                self._table(block, width)

    def _table(self, table: Table, width: int) -> None:
        if table.caption:
            paragraph = self.word.add_paragraph()
            _format(paragraph, align="center", before=6, after=4, keep_next=True)
            _run(paragraph, table.caption, BODY_SIZE, bold=True)
        widths = [int(width * share) for share in column_shares(table)]
        widths[-1] += width - sum(widths)
        grid = self.word.add_table(rows=1 + len(table.rows), cols=len(table.columns))
        grid.style = self.word.styles["Table Grid"]
        grid.alignment = WD_TABLE_ALIGNMENT.CENTER
        _fixed_grid(grid, widths)
        _table_borders(grid, "single")
        _cell_margins(grid, 2, 2)

        rows = grid.rows
        _row_flags(rows[0], header=True)
        for cell, column in zip(rows[0].cells, table.columns, strict=True):
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
            self._cell_text(cell, column.title, "center", bold=True)
        groups = set(table.groups)
        for index, values in enumerate(table.rows):
            row = rows[index + 1]
            _row_flags(row)
            cells = row.cells
            if index in groups:
                merged = cells[0].merge(cells[-1])
                self._cell_text(merged, group_text(values), "left", bold=True)
                # A section row stays on the page of its first row.
                merged.paragraphs[0].paragraph_format.keep_with_next = True
                continue
            for cell, text, column in zip(cells, values, table.columns, strict=False):
                self._cell_text(cell, text, column.align)
        # Space after the table without an empty paragraph the user would have to delete.
        spacer = self.word.add_paragraph()
        _format(spacer, exact=8)
        _mark_size(spacer, 4)

    @staticmethod
    def _cell_text(cell, text: str, align: str, *, bold: bool = False) -> None:
        paragraph = _first_paragraph(cell)
        _format(paragraph, align=align, line=1.0)
        _run(paragraph, text, TABLE_SIZE, bold=bold)

    def _closing(self) -> None:
        doc = self.doc
        if not (doc.recipients or doc.signature.lines or doc.signature.name):
            return
        width = self._text_width(False)
        widths = [int(width * 0.45), width - int(width * 0.45)]
        table = self.word.add_table(rows=1, cols=2)
        _fixed_grid(table, widths)
        _table_borders(table, "nil")
        _cell_margins(table, 0, 0)
        # One row that cannot split: recipients and signature stay together on one page.
        _row_flags(table.rows[0])
        left, right = table.rows[0].cells

        if doc.recipients:
            paragraph = left.paragraphs[0]
            _format(paragraph, align="left", before=12)
            _run(paragraph, "Nơi nhận:", 12, bold=True, italic=True)
            for item in doc.recipients:
                paragraph = left.add_paragraph()
                _format(paragraph, align="left")
                _run(paragraph, item, 11)

        for index, text in enumerate(doc.signature.lines):
            paragraph = right.paragraphs[0] if index == 0 else right.add_paragraph()
            _format(paragraph, align="center", before=12 if index == 0 else 0)
            _run(paragraph, text, 14, bold=True, caps=True)
        paragraph = right.add_paragraph() if doc.signature.lines else right.paragraphs[0]
        # About 25 mm left blank for the signature and the seal.
        _format(paragraph, align="center", before=Mm(25).pt)
        _run(paragraph, doc.signature.name, 14, bold=True)

    def _appendix(self, appendix: Appendix) -> None:
        # The paragraph python-docx adds to end the previous section is shrunk to nothing, so it
        # cannot push an extra page; the appendix starts its own section on a new page.
        section = self.word.add_section(WD_SECTION.NEW_PAGE)
        closing = self.word.paragraphs[-1]
        _format(closing, exact=1)
        _mark_size(closing, 1)
        self._page(section, landscape=appendix.landscape)
        section.different_first_page_header_footer = False

        for text, bold, italic in (
            (appendix.label, True, False),
            (appendix.title, True, False),
            (appendix.subtitle, False, True),
        ):
            if text:
                paragraph = self.word.add_paragraph()
                _format(paragraph, align="center", line=1.0, keep_next=True)
                _run(paragraph, text, BODY_SIZE, bold=bold, italic=italic)
        spacer = self.word.add_paragraph()
        _format(spacer, exact=12)
        _mark_size(spacer, 6)
        self._blocks(appendix.blocks, self._text_width(appendix.landscape))
