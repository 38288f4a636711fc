"""Serving official documents as files: one place for their types, names and cache rules."""

from django.http import Http404, HttpResponse

from .document import OfficialDocument
from .naming import content_disposition

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def ensure_format(ext: str) -> None:
    if ext not in CONTENT_TYPES:
        raise Http404("Chỉ tải được tệp PDF hoặc DOCX.")


def render_file(doc: OfficialDocument, ext: str) -> bytes:
    from .render import render_docx, render_pdf

    ensure_format(ext)
    return render_pdf(doc) if ext == "pdf" else render_docx(doc)


def document_response(content: bytes, ext: str, filename: str, ascii_filename: str = "") -> HttpResponse:
    ensure_format(ext)
    response = HttpResponse(content, content_type=CONTENT_TYPES[ext])
    response["Content-Disposition"] = content_disposition(filename, ascii_filename)
    # Documents of a commune are not public: no shared cache may keep them.
    response["Cache-Control"] = "private, no-store"
    return response
