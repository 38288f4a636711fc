"""Build .docx and .pdf copies of a plain-text plan, for tests and the benchmark.

Tab-separated rows (the task appendix of a .txt plan) become a real table in both: a Word table
in the .docx, a ruled table in the .pdf. The PDF embeds a TrueType font with Vietnamese letters
found through fontconfig; `find_font()` returns None where there is none (tests then skip).
"""

import io
import shutil
import subprocess
from pathlib import Path

SHARED = Path(__file__).resolve().parents[3].parent / "shared"
CORPUS = SHARED / "corpus" / "plans"
HABAC = "00_habac-97-kh-ubnd-khcn-2026.txt"


def shared_file(name: str) -> Path | None:
    path = CORPUS / name
    return path if path.exists() else None


def _blocks(text: str) -> list[tuple[str, object]]:
    """("para", line) and ("table", rows) in order; the first "# source:" line is left out."""
    lines = text.split("\n")
    if lines and lines[0].startswith("# source:"):
        lines = lines[1:]
    blocks: list[tuple[str, object]] = []
    rows: list[list[str]] = []
    pending_blank = 0
    for line in lines:
        if line.count("\t") >= 2:
            rows.append(line.split("\t"))
            pending_blank = 0
            continue
        if not line.strip() and rows:
            pending_blank += 1
            continue
        if rows:
            blocks.append(("table", rows))
            rows = []
            blocks.extend(("para", "") for _ in range(pending_blank))
            pending_blank = 0
        blocks.append(("para", line))
    if rows:
        blocks.append(("table", rows))
    return blocks


def build_docx(text: str) -> bytes:
    import docx

    document = docx.Document()
    for kind, value in _blocks(text):
        if kind == "para":
            document.add_paragraph(str(value))
        else:
            rows = value  # type: ignore[assignment]
            width = max(len(r) for r in rows)
            table = document.add_table(rows=len(rows), cols=width)
            table.style = "Table Grid"
            for i, row in enumerate(rows):
                for j in range(width):
                    table.cell(i, j).text = row[j] if j < len(row) else ""
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def find_font() -> tuple[str, str | None] | None:
    """(regular, bold) TrueType files with Vietnamese letters, or None."""
    if not shutil.which("fc-match"):
        return None
    found = []
    for style in ("Regular", "Bold"):
        try:
            path = subprocess.run(
                ["fc-match", "-f", "%{file}", f"serif:style={style}:lang=vi"],
                capture_output=True,
                text=True,
                timeout=10,
                check=False,
            ).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return None
        found.append(path if path.lower().endswith(".ttf") and Path(path).exists() else None)
    if not found[0]:
        return None
    return found[0], found[1]


def build_pdf(text: str, font: tuple[str, str | None]) -> bytes:
    import logging

    from fpdf import FPDF

    logging.getLogger("fontTools").setLevel(logging.WARNING)  # the font subsetter reports every glyph

    regular, bold = font
    pdf = FPDF(format="A4")
    pdf.add_font("doc", "", regular)
    pdf.add_font("doc", "B", bold or regular)
    pdf.set_font("doc", size=12)
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_page()
    for kind, value in _blocks(text):
        if kind == "para":
            line = str(value)
            if line.strip():
                pdf.multi_cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
            else:
                pdf.ln(5)
        else:
            rows = value  # type: ignore[assignment]
            width = max(len(r) for r in rows)
            pdf.set_font("doc", size=9)
            with pdf.table(first_row_as_headings=False, line_height=5) as table:
                for row in rows:
                    r = table.row()
                    for j in range(width):
                        r.cell(row[j] if j < len(row) else "")
            pdf.set_font("doc", size=12)
            pdf.ln(4)
    return bytes(pdf.output())
