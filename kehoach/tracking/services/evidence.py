"""Evidence files: the type is read from the content, never trusted from the name."""

import hashlib
import io
import zipfile

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from kehoach.core.audit import audit_change
from kehoach.core.models import AuditEntry

from ..models import Evidence, Measurement, ProgressReport
from ..permissions import ensure_can_report

ALLOWED = {
    "application/pdf": "PDF",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "DOCX",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "XLSX",
    "image/png": "PNG",
    "image/jpeg": "JPEG",
}
ALLOWED_TEXT = "PDF, DOCX, XLSX, PNG, JPEG"


def max_bytes() -> int:
    return getattr(settings, "KEHOACH_EVIDENCE_MAX_BYTES", 20 * 1024 * 1024)


def sniff(head: bytes, stream) -> str | None:
    """The content type of an allowed file, decided from its bytes; None for anything else."""
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"PK\x03\x04"):
        try:
            stream.seek(0)
            with zipfile.ZipFile(stream) as archive:
                names = set(archive.namelist())
                types = archive.read("[Content_Types].xml") if "[Content_Types].xml" in names else b""
        except (zipfile.BadZipFile, OSError, ValueError, KeyError):
            return None
        # Macro-enabled documents (.docm, .xlsm) carry VBA and declare another main content type.
        if any(name.lower().endswith("vbaproject.bin") for name in names):
            return None
        if b"wordprocessingml.document.main+xml" in types and "word/document.xml" in names:
            return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        if b"spreadsheetml.sheet.main+xml" in types and "xl/workbook.xml" in names:
            return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return None


def size_text(size: int) -> str:
    """20 MB, 1,5 MB, 300 KB: the limit as people read it, never "0 MB"."""
    from kehoach.core.templatetags.vn import format_number

    if size >= 1024 * 1024:
        return f"{format_number(round(size / (1024 * 1024), 1))} MB"
    return f"{format_number(max(1, round(size / 1024)))} KB"


def validate_upload(upload: UploadedFile) -> tuple[str, str]:
    """(content type, sha256) of an acceptable upload, or a ValidationError naming the file."""
    name = upload.name or "tệp"
    if upload.size == 0:
        raise ValidationError({"file": f"Tệp “{name}” rỗng."})
    if upload.size > max_bytes():
        limit = size_text(max_bytes())
        raise ValidationError({"file": f"Tệp “{name}” lớn hơn giới hạn {limit}."})
    upload.seek(0)
    data = upload.read()
    content_type = sniff(data[:16], io.BytesIO(data))
    if content_type is None:
        raise ValidationError(
            {
                "file": f"Tệp “{name}” không phải loại được phép ({ALLOWED_TEXT}); "
                "hệ thống kiểm tra nội dung tệp, không dựa vào phần đuôi tên tệp."
            }
        )
    upload.seek(0)
    return content_type, hashlib.sha256(data).hexdigest()


@transaction.atomic
def evidence_add(
    *,
    actor,
    upload: UploadedFile,
    report: ProgressReport | None = None,
    measurement: Measurement | None = None,
    description: str = "",
    is_output: bool = False,
) -> Evidence:
    target = report or measurement
    if target is None or (report and measurement):
        raise ValueError("Evidence belongs to exactly one report or measurement")
    ensure_can_report(actor, target.unit)
    if not target.is_editable_by_unit:
        raise ValidationError(
            "Báo cáo đã gửi, đã được chấp nhận hoặc kỳ đã khóa sổ: không thêm minh chứng được."
        )
    content_type, digest = validate_upload(upload)
    evidence = Evidence(
        progress_report=report,
        measurement=measurement,
        original_name=(upload.name or "tep")[:255],
        content_type=content_type,
        size=upload.size,
        sha256=digest,
        description=description.strip()[:300],
        is_output=bool(is_output and report is not None),
        uploaded_by=actor,
    )
    evidence.file.save(upload.name or "tep", upload, save=False)
    try:
        evidence.save()
    except Exception:
        # The file is written before its row; a failed insert must not leave it behind.
        evidence.file.storage.delete(evidence.file.name)
        raise
    audit_change(
        actor=actor,
        obj=evidence,
        action=AuditEntry.Action.CREATE,
        context=target.period.plan,
        after={"Tệp": evidence.original_name, "Là sản phẩm": evidence.is_output},
        summary=f"Thêm minh chứng cho {target}",
    )
    return evidence


@transaction.atomic
def evidence_delete(*, actor, evidence: Evidence) -> None:
    target = evidence.progress_report or evidence.measurement
    ensure_can_report(actor, target.unit)
    if not target.is_editable_by_unit:
        raise ValidationError("Báo cáo đã gửi hoặc đã khóa: không xóa minh chứng được.")
    audit_change(
        actor=actor,
        obj=evidence,
        action=AuditEntry.Action.DELETE,
        context=target.period.plan,
        before={"Tệp": evidence.original_name},
        summary=f"Xóa minh chứng của {target}",
    )
    stored = evidence.file.name
    storage = evidence.file.storage
    evidence.delete()
    transaction.on_commit(lambda: storage.delete(stored))
