"""Renderers of an `OfficialDocument` (Nghị định 30/2020/NĐ-CP layout): HTML, PDF and DOCX.

The HTML fragment is for the in-app preview (the page links documents/official.css); the standalone
page is what WeasyPrint prints. PDF and DOCX share the page geometry: A4, margins 20/20/30/15 mm.
"""

from __future__ import annotations

from kehoach.documents.document import OfficialDocument

from .markup import render_fragment as _render_fragment
from .markup import render_html_page as _render_html_page

__all__ = ["render_docx", "render_fragment", "render_html_page", "render_pdf"]


def render_fragment(doc: OfficialDocument) -> str:
    """Safe HTML `<article class="official-document">` for a preview inside a site page."""
    return _render_fragment(doc)


def render_html_page(doc: OfficialDocument) -> str:
    """A complete HTML page (fragment, fonts and print CSS) as WeasyPrint renders it."""
    return _render_html_page(doc)


def render_pdf(doc: OfficialDocument) -> bytes:
    # WeasyPrint is slow to import; only PDF requests pay for it.
    from .pdf import render_pdf as _render_pdf

    return _render_pdf(doc)


def render_docx(doc: OfficialDocument) -> bytes:
    from .word import render_docx as _render_docx

    return _render_docx(doc)
