"""Lines of one PDF page from its text layer (pypdfium2), ruled tables as "| a | b |" rows.

PDFium gives the text as runs, each a box on one line. Runs are put back into lines by their
height on the page; where the page draws a ruled table (lines or cell boxes), the runs inside each
cell are joined and every row becomes one "|"-separated line, as the other readers write tables.
A clearly larger gap between two lines marks a new paragraph (a blank line).
"""

import itertools
import re
from dataclasses import dataclass
from statistics import median

from .layout import ITEM_START


@dataclass
class Run:
    left: float
    bottom: float
    right: float
    top: float
    text: str

    @property
    def cy(self) -> float:
        return (self.top + self.bottom) / 2

    @property
    def cx(self) -> float:
        return (self.left + self.right) / 2

    @property
    def height(self) -> float:
        return max(self.top - self.bottom, 1.0)


def _cluster(values: list[float], tolerance: float) -> list[float]:
    out: list[list[float]] = []
    for v in sorted(values):
        if out and v - out[-1][-1] <= tolerance:
            out[-1].append(v)
        else:
            out.append([v])
    return [sum(c) / len(c) for c in out]


def _edges(page) -> tuple[list[tuple[float, float, float]], list[tuple[float, float, float]]]:
    """Horizontal (y, x0, x1) and vertical (x, y0, y1) rules drawn on the page."""
    import pypdfium2.raw as pdfium_c

    horizontal: list[tuple[float, float, float]] = []
    vertical: list[tuple[float, float, float]] = []
    for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_PATH], max_depth=3):
        left, bottom, right, top = obj.get_bounds()
        w, h = right - left, top - bottom
        if w > 5 and h <= 3:
            horizontal.append(((top + bottom) / 2, left, right))
        elif h > 5 and w <= 3:
            vertical.append(((left + right) / 2, bottom, top))
        elif w > 5 and h > 5:
            horizontal += [(top, left, right), (bottom, left, right)]
            vertical += [(left, bottom, top), (right, bottom, top)]
    return horizontal, vertical


def _lines(runs: list[Run]) -> list[list[Run]]:
    """Runs grouped into visual lines, top to bottom, each left to right."""
    lines: list[list[Run]] = []
    for run in sorted(runs, key=lambda r: (-r.cy, r.left)):
        if lines:
            ref = lines[-1][0]
            if abs(run.cy - ref.cy) <= 0.45 * min(run.height, ref.height):
                lines[-1].append(run)
                continue
        lines.append([run])
    return [sorted(line, key=lambda r: r.left) for line in lines]


def _join(line: list[Run]) -> str:
    return " ".join(r.text.strip() for r in line if r.text.strip())


def _table_bands(horizontal, vertical) -> list[tuple[float, float, list[float]]]:
    """Row bands (top, bottom, column boundaries) of ruled tables."""
    ys = _cluster([y for y, _, _ in horizontal], 2.5)
    bands = []
    for top, bottom in zip(reversed(ys), list(reversed(ys))[1:], strict=False):
        mid = (top + bottom) / 2
        if top - bottom < 6:
            continue
        xs = _cluster(
            [x for x, y0, y1 in vertical if y0 - 2 <= mid <= y1 + 2 and y0 <= top and y1 >= bottom - 2], 3
        )
        if len(xs) >= 3:
            bands.append((top, bottom, xs))
    return bands


def page_lines(page) -> tuple[list[str], int, bool]:
    """(lines of the page, characters in its text layer, whether the last line runs to the margin)."""
    textpage = page.get_textpage()
    try:
        count = textpage.count_chars()
        runs = []
        for i in range(textpage.count_rects()):
            left, bottom, right, top = textpage.get_rect(i)
            text = textpage.get_text_bounded(left, bottom, right, top)
            text = " ".join(text.replace("\r", " ").replace("\n", " ").split())
            if text:
                runs.append(Run(left, bottom, right, top, text))
    finally:
        textpage.close()
    if not runs:
        return [], count, False
    horizontal, vertical = _edges(page)
    bands = _table_bands(horizontal, vertical) if vertical else []

    # Assign runs to table cells or to the free text.
    free: list[Run] = []
    rows: dict[int, dict[int, list[Run]]] = {}
    for run in runs:
        placed = False
        for b, (top, bottom, xs) in enumerate(bands):
            if bottom <= run.cy <= top and xs[0] - 2 <= run.cx <= xs[-1] + 2:
                col = max(0, min(len(xs) - 2, sum(1 for x in xs[1:-1] if run.cx > x)))
                rows.setdefault(b, {}).setdefault(col, []).append(run)
                placed = True
                break
        if not placed:
            free.append(run)

    items: list[tuple[float, str, bool, bool]] = []  # (y, text, is_table_row, reaches the right margin)
    for b, cells in rows.items():
        top, _bottom, xs = bands[b]
        texts = []
        for col in range(len(xs) - 1):
            cell_runs = cells.get(col, [])
            texts.append(" ".join(_join(line) for line in _lines(cell_runs)).replace("|", "/"))
        if any(texts):
            items.append((top, "| " + " | ".join(texts) + " |", True, False))
    free_lines = _lines(free)
    spacings = [a[0].cy - b[0].cy for a, b in itertools.pairwise(free_lines)]
    spacings = [s for s in spacings if s > 0]
    typical = median(spacings) if spacings else 0.0
    rights = sorted(line[-1].right for line in free_lines)
    margin = rights[int(0.9 * (len(rights) - 1))] if rights else 0.0
    for line in free_lines:
        size = median(r.height for r in line)
        items.append((line[0].cy, _join(line), False, line[-1].right >= margin - 2.5 * size))
    items.sort(key=lambda it: -it[0])

    out: list[str] = []
    prev_y: float | None = None
    prev_table = False
    prev_full = False
    for k, (y, text, is_row, full) in enumerate(items):
        if not is_row and text.strip().isdigit() and len(text.strip()) <= 3 and k in (0, len(items) - 1):
            continue  # a page number
        if prev_y is not None:
            gap = prev_y - y
            new_paragraph = (is_row != prev_table) or (not is_row and typical and gap > 1.4 * typical)
            if (
                not new_paragraph
                and out
                and re.search(r"[.;:!?]['\")”]*$", out[-1])
                and ITEM_START.match(text)
            ):
                new_paragraph = True  # "… cổng 02 sản phẩm." then "II. NHIỆM VỤ, GIẢI PHÁP"
            if new_paragraph:
                out.append("")
            elif not is_row and prev_full and out and out[-1]:
                # the line before runs to the right margin: this line carries on the same paragraph
                out[-1] = join_wrapped(out[-1], text)
                prev_y, prev_full = y, full
                continue
        out.append(text)
        prev_y, prev_table, prev_full = y, is_row, full
    ends_full = bool(items) and not items[-1][2] and prev_full
    return out, count, ends_full


def join_wrapped(a: str, b: str) -> str:
    if a.endswith("-") and not a.endswith(" -") and b[:1].islower():
        return a + b
    return f"{a} {b}"
