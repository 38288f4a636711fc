"""The shipped Liberation Serif faces (metric-compatible with Times New Roman) and text measuring."""

from __future__ import annotations

import functools
import unicodedata
from pathlib import Path

FONT_DIR = (Path(__file__).resolve().parents[2] / "static" / "fonts").resolve()
FAMILY = "Liberation Serif"

# (bold, italic) -> file name
FACES: dict[tuple[bool, bool], str] = {
    (False, False): "LiberationSerif-Regular.ttf",
    (True, False): "LiberationSerif-Bold.ttf",
    (False, True): "LiberationSerif-Italic.ttf",
    (True, True): "LiberationSerif-BoldItalic.ttf",
}


def face_path(bold: bool = False, italic: bool = False) -> Path:
    return FONT_DIR / FACES[(bold, italic)]


@functools.cache
def _metrics(bold: bool, italic: bool) -> tuple[dict[int, int], int, int]:
    from fontTools.ttLib import TTFont  # only the DOCX rules need it

    font = TTFont(face_path(bold, italic), lazy=True)
    cmap = font.getBestCmap()
    hmtx = font["hmtx"]
    advances = {code: hmtx[glyph][0] for code, glyph in cmap.items()}
    missing = hmtx[".notdef"][0]
    return advances, missing, font["head"].unitsPerEm


def text_width_pt(text: str, size_pt: float, bold: bool = False, italic: bool = False) -> float:
    """Width of one line of `text` in points. Word substitutes Liberation Serif for Times New
    Roman with the same advances, so this also measures the DOCX text."""
    advances, missing, units = _metrics(bold, italic)
    total = sum(advances.get(ord(ch), missing) for ch in unicodedata.normalize("NFC", text))
    return total * size_pt / units
