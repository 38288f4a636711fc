"""QR code and printable label of a traceable product.

The QR code (segno) encodes the product's GS1 Digital Link style URL (`TraceableProduct.digital_link`, built
by the views with the address this installation is reached at, so it leads to the product's public page).
The label is a small PDF (fpdf2) with the product name, producer, GTIN or trace code, lot and the QR code
drawn as vector squares. Text is set in Liberation Sans shipped with the project (kehoach/static/fonts,
SIL Open Font License) and embedded in the PDF, so every Vietnamese diacritic prints whatever fonts the
server or the printer has.
"""

import io
import logging
import unicodedata
from pathlib import Path

import segno

FONT_DIR = Path(__file__).resolve().parent.parent / "static" / "fonts"
FONT_REGULAR = FONT_DIR / "LiberationSans-Regular.ttf"
FONT_BOLD = FONT_DIR / "LiberationSans-Bold.ttf"
FONT = "LiberationSans"

QR_ERROR = "m"  # 15 % of the symbol may be damaged or covered and it still reads.
QR_QUIET_ZONE = 4  # modules of white around the symbol, as ISO/IEC 18004 asks

# Label sizes in mm (width, height): a 50×30 mm roll label for thermal printers, or an A7 sheet.
LABEL_SIZES = {"50x30": (50.0, 30.0), "a7": (74.0, 105.0)}
PT = 0.3528  # mm per typographic point

# fontTools reports every glyph of the font subset at INFO level; the server log needs none of it.
logging.getLogger("fontTools").setLevel(logging.WARNING)


def product_qr(link: str) -> segno.QRCode:
    return segno.make_qr(link, error=QR_ERROR, boost_error=False)


def qr_svg(link: str, *, scale: int = 4) -> str:
    """The QR code of `link` as an inline <svg> element for the product page."""
    return product_qr(link).svg_inline(scale=scale, border=QR_QUIET_ZONE, svgclass="product-qr", title=link)


def qr_png(link: str, *, scale: int = 10) -> bytes:
    buffer = io.BytesIO()
    product_qr(link).save(buffer, kind="png", scale=scale, border=QR_QUIET_ZONE)
    return buffer.getvalue()


# Label -----------------------------------------------------------------------------------------


def _nfc(text: str) -> str:
    # Text typed with combining accents (NFD) would print the accents apart from their letters.
    return unicodedata.normalize("NFC", " ".join((text or "").split()))


class _Label:
    def __init__(self, size: str):
        # fpdf (with fontTools) takes most of a second to import: only label downloads pay for it.
        from fpdf import FPDF

        width, height = LABEL_SIZES[size]
        self.width, self.height = width, height
        pdf = FPDF(orientation="P", unit="mm", format=(width, height))
        pdf.set_margin(0)
        pdf.set_auto_page_break(False)
        pdf.add_font(FONT, "", str(FONT_REGULAR))
        pdf.add_font(FONT, "B", str(FONT_BOLD))
        pdf.set_creator("kehoach")
        pdf.set_lang("vi")
        pdf.add_page()
        self.pdf = pdf

    def fit(self, text: str, width: float, *, style: str, sizes: tuple[float, float], max_lines: int):
        """The largest font size (from sizes[0] down to sizes[1]) that fits the text in max_lines;
        at the smallest size the text is cut with an ellipsis."""
        pdf = self.pdf
        size = sizes[0]
        while True:
            pdf.set_font(FONT, style, size)
            from fpdf.enums import MethodReturnValue

            lines = pdf.multi_cell(width, 1, text, dry_run=True, output=MethodReturnValue.LINES, align="L")
            if len(lines) <= max_lines or size <= sizes[1]:
                break
            size = max(sizes[1], size - 0.5)
        if len(lines) > max_lines:
            lines = lines[:max_lines]
            last = lines[-1]
            while last and pdf.get_string_width(last + "…") > width:
                last = last[:-1]
            lines[-1] = last.rstrip() + "…"
        return size, lines

    def block(self, x: float, y: float, width: float, text: str, **kw) -> float:
        """Writes the text from (x, y); returns the y below it."""
        text = _nfc(text)
        if not text:
            return y
        style = kw["style"]
        size, lines = self.fit(text, width, **kw)
        self.pdf.set_font(FONT, style, size)
        line_height = size * PT * 1.18
        for line in lines:
            self.pdf.set_xy(x, y)
            self.pdf.cell(width, line_height, line)
            y += line_height
        return y

    def qr(self, link: str, x: float, y: float, side: float) -> None:
        """The QR code as filled squares (vector: sharp at any printer resolution)."""
        matrix = product_qr(link).matrix
        count = len(matrix) + 2 * QR_QUIET_ZONE
        module = side / count
        origin_x, origin_y = x + QR_QUIET_ZONE * module, y + QR_QUIET_ZONE * module
        self.pdf.set_fill_color(0, 0, 0)
        for row_index, row in enumerate(matrix):
            column = 0
            while column < len(row):
                if not row[column]:
                    column += 1
                    continue
                start = column
                while column < len(row) and row[column]:
                    column += 1
                # A hair taller than a module so that no white line shows between rows on screen.
                self.pdf.rect(
                    origin_x + start * module,
                    origin_y + row_index * module,
                    (column - start) * module,
                    module + 0.02,
                    style="F",
                )

    def output(self) -> bytes:
        return bytes(self.pdf.output())


def _code_lines(product) -> list[str]:
    lines = []
    if product.gtin:
        lines.append(f"GTIN {product.gtin}")
    if product.trace_code:
        lines.append(f"Mã truy xuất: {product.trace_code}")
    if product.lot:
        lines.append(f"Số lô: {product.lot}")
    return lines


def label_pdf(product, link: str, size: str = "50x30") -> bytes:
    """The printable label of a product, its QR code leading to `link`, as PDF bytes; size is a key of
    LABEL_SIZES."""
    label = _Label(size)
    label.pdf.set_title(_nfc(product.name))
    label.pdf.set_subject("Nhãn truy xuất nguồn gốc sản phẩm")
    if size == "a7":
        _label_a7(label, product, link)
    else:
        _label_small(label, product, link)
    return label.output()


def _label_small(label: _Label, product, link: str) -> None:
    margin = 1.5
    side = label.height - 2 * margin + 1  # the quiet zone may overlap the page margin
    qr_x = label.width - side - margin + 2
    label.qr(link, qr_x, (label.height - side) / 2, side)
    width = qr_x + 0.5 - margin  # text may take a little of the QR code's quiet zone, never more
    y = margin
    y = label.block(margin, y, width, product.name, style="B", sizes=(7, 5), max_lines=3)
    y += 0.6
    y = label.block(margin, y, width, product.producer_name, style="", sizes=(5, 4), max_lines=2)
    y += 0.6
    for line in _code_lines(product):
        y = label.block(margin, y, width, line, style="", sizes=(5, 4), max_lines=1)
    if product.production_date and y < label.height - margin - 2:
        label.block(
            margin, y, width, f"NSX: {product.production_date:%d/%m/%Y}", style="", sizes=(5, 4), max_lines=1
        )


def _label_a7(label: _Label, product, link: str) -> None:
    margin = 5.0
    width = label.width - 2 * margin
    side = 44.0
    qr_y = label.height - margin - side - 5
    y = margin
    y = label.block(margin, y, width, product.name, style="B", sizes=(12, 8), max_lines=3)
    y += 1.5
    y = label.block(margin, y, width, product.producer_name, style="B", sizes=(8, 6.5), max_lines=2)
    y = label.block(margin, y, width, product.producer_address, style="", sizes=(7, 6), max_lines=2)
    y += 1.5
    details = _code_lines(product)
    if product.production_date:
        details.append(f"Ngày sản xuất: {product.production_date:%d/%m/%Y}")
    if product.expiry_date:
        details.append(f"Hạn sử dụng: {product.expiry_date:%d/%m/%Y}")
    if product.standard:
        details.append(f"Tiêu chuẩn: {product.standard}")
    for line in details:
        if y + 3.5 > qr_y + 3:  # the QR code's quiet zone may take a little of the text's room
            break
        y = label.block(margin, y, width, line, style="", sizes=(8, 6.5), max_lines=1)
    label.qr(link, (label.width - side) / 2, qr_y, side)
    label.block(
        margin,
        label.height - margin - 4.5,
        width,
        link,
        style="",
        sizes=(5.5, 4.5),
        max_lines=2,
    )
