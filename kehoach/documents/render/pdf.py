"""PDF through WeasyPrint. Imported on first use only: WeasyPrint takes a second to import."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

from kehoach.documents.document import OfficialDocument

from .fonts import FONT_DIR
from .markup import render_html_page

PACKAGE_DIR = Path(__file__).resolve().parents[1]
_ALLOWED_DIRS = (FONT_DIR, PACKAGE_DIR)


class LocalFetcher(URLFetcher):
    """Fetches file:// URLs below the shipped fonts and this app only; any other URL (http, a file
    elsewhere) is refused, so rendering never touches the network or the machine's files."""

    def __init__(self) -> None:
        super().__init__(allowed_protocols=["file"], allow_redirects=False, timeout=1)

    def fetch(self, url, headers=None):
        parts = urlsplit(url)
        if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
            raise ValueError(f"Refused URL: {url}")
        path = Path(unquote(parts.path)).resolve()
        if not any(path.is_relative_to(base) for base in _ALLOWED_DIRS):
            raise ValueError(f"Refused file: {url}")
        return super().fetch(url, headers)


def render_pdf(doc: OfficialDocument) -> bytes:
    html = HTML(
        string=render_html_page(doc),
        base_url=PACKAGE_DIR.as_uri() + "/",
        url_fetcher=LocalFetcher(),
        media_type="print",
    )
    return html.write_pdf(font_config=FontConfiguration())
