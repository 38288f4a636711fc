"""Taking numbers from the register of outgoing documents and storing what was issued."""

import datetime
import hashlib
import logging
from collections.abc import Callable

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction

from kehoach.core.audit import audit_change, snapshot
from kehoach.core.models import AuditEntry
from kehoach.core.text import fold
from kehoach.units.access import access_for, governments_with_role
from kehoach.units.choices import ADMINISTRATIVE_KINDS, Role
from kehoach.units.models import Unit

from ..document import OfficialDocument
from ..models import KIND_ABBREVIATIONS, DocumentCounter, OutgoingDocument

log = logging.getLogger(__name__)

REGISTER_ROLES = (Role.LEADER, Role.ADMIN, Role.COORDINATOR)


def issuer_abbreviation(issuer: Unit) -> str:
    """The issuer's part of a symbol: "UBND" for a people's committee, else its short name or initials."""
    if issuer.kind in ADMINISTRATIVE_KINDS:
        return "UBND"
    if issuer.short_name:
        return issuer.short_name.replace(" ", "")
    return "".join(word[0] for word in issuer.name.split() if word[:1].isalpha()).upper()


def symbol_for(kind: str, issuer: Unit) -> str:
    """ "BC-UBND" for a report of a commune's people's committee; a công văn carries only the issuer."""
    abbreviation = KIND_ABBREVIATIONS.get(kind)
    issuer_part = issuer_abbreviation(issuer)
    return f"{abbreviation}-{issuer_part}" if abbreviation else issuer_part


def can_register(user, issuer: Unit) -> bool:
    """Lãnh đạo, quản trị and đầu mối inside the issuer (its offices included, a level of government
    below or above it not): numbers are taken in the issuer's own name."""
    return issuer.pk in governments_with_role(access_for(user), REGISTER_ROLES)


def ensure_can_register(user, issuer: Unit) -> None:
    if not can_register(user, issuer):
        raise PermissionDenied("Chỉ lãnh đạo, đầu mối hoặc quản trị của cơ quan mới được lấy số văn bản đi.")


def lock_series(issuer: Unit, year: int) -> DocumentCounter:
    """Lock the issuer's series for `year` until the transaction ends: whoever takes or records a
    number of that series waits for the others."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("lock_series must run inside transaction.atomic")
    # The first document of a year creates the counter; a concurrent creator is ignored, then both lock it.
    DocumentCounter.objects.bulk_create(
        [DocumentCounter(issuer=issuer, year=year, last_number=0)], ignore_conflicts=True
    )
    return DocumentCounter.objects.select_for_update().get(issuer=issuer, year=year)


def expected_number(issuer: Unit, year: int) -> int:
    """The number the issuer's next document of `year` would take now, read without locking: shown before
    signing; another document registered first takes it and the signature gets the one after."""
    last = (
        DocumentCounter.objects.filter(issuer=issuer, year=year).values_list("last_number", flat=True).first()
        or 0
    )
    highest = (
        OutgoingDocument.objects.filter(issuer=issuer, year=year)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
        or 0
    )
    return max(last, highest) + 1


def take_number(issuer: Unit, year: int) -> int:
    """The next number of the issuer's series for `year`. Must run inside the issuing transaction: the
    counter row stays locked until it commits, so concurrent issues queue instead of sharing a number."""
    counter = lock_series(issuer, year)
    # Numbers entered by hand may have gone past the counter; never hand one out twice.
    highest = (
        OutgoingDocument.objects.filter(issuer=issuer, year=year)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
        or 0
    )
    counter.last_number = max(counter.last_number, highest) + 1
    counter.save(update_fields=["last_number"])
    return counter.last_number


def document_issue(
    *,
    actor,
    issuer: Unit,
    kind: str,
    title: str,
    issued_on: datetime.date,
    build: Callable[[int, str], OfficialDocument],
    symbol: str = "",
    signer_name: str = "",
    signer_position: str = "",
    recipients: str = "",
    source_type: str = "",
    source_id: int | None = None,
) -> OutgoingDocument:
    """Take the next number, build the document with it and record it in the register, in one transaction.

    `build(number, symbol)` returns the final document; it runs while the number is held, so what is
    frozen carries exactly the number recorded. Files are rendered afterwards (`document_store_files`).
    """
    ensure_can_register(actor, issuer)
    symbol = symbol or symbol_for(kind, issuer)
    with transaction.atomic():
        number = take_number(issuer, issued_on.year)
        document = build(number, symbol)
        entry = OutgoingDocument(
            issuer=issuer,
            year=issued_on.year,
            number=number,
            symbol=symbol,
            kind=kind,
            issued_on=issued_on,
            title=title[:500],
            signer_name=signer_name,
            signer_position=signer_position,
            recipients=recipients,
            content=document.to_dict(),
            source_type=source_type,
            source_id=source_id,
            issued_by=actor,
        )
        _record(actor, entry, f"Vào sổ văn bản đi số {entry.number_symbol}")
    return entry


def document_register_manual(*, actor, issuer: Unit, data: dict) -> OutgoingDocument:
    """Record in the register a document issued outside the system, so the series stays one.

    `data["number"]` empty takes the next number; a number given by hand must be free.
    """
    ensure_can_register(actor, issuer)
    issued_on: datetime.date | None = data.get("issued_on")
    if issued_on is None:
        raise ValidationError({"issued_on": "Hãy nhập ngày ban hành."})
    kind = data.get("kind") or "khac"
    with transaction.atomic():
        number = data.get("number")
        if not number:
            number = take_number(issuer, issued_on.year)
        else:
            # Held until commit, so an issue running now cannot take the same number.
            lock_series(issuer, issued_on.year)
            taken = OutgoingDocument.objects.filter(issuer=issuer, year=issued_on.year, number=number)
            if taken.exists():
                raise ValidationError(
                    {"number": f"Số {number:02d} năm {issued_on.year} đã có trong sổ văn bản đi."}
                )
        entry = OutgoingDocument(
            issuer=issuer,
            year=issued_on.year,
            number=number,
            symbol=(data.get("symbol") or symbol_for(kind, issuer)).strip(),
            kind=kind,
            issued_on=issued_on,
            title=(data.get("title") or "").strip(),
            signer_name=(data.get("signer_name") or "").strip(),
            signer_position=(data.get("signer_position") or "").strip(),
            recipients=(data.get("recipients") or "").strip(),
            copies=data.get("copies") or 1,
            note=(data.get("note") or "").strip(),
            issued_by=actor,
        )
        _record(actor, entry, f"Vào sổ văn bản đi số {entry.number_symbol} (văn bản ngoài hệ thống)")
    return entry


def _record(actor, entry: OutgoingDocument, summary: str) -> None:
    """Validate, save and audit a register entry; the caller holds the series lock."""
    entry.full_clean(exclude=["pdf", "docx", "content", "issued_by", "issuer"])
    try:
        with transaction.atomic():
            entry.save()
    except IntegrityError:
        # Only a number written to the database without the series lock can get here.
        raise ValidationError(
            {"number": f"Số {entry.number:02d} năm {entry.year} vừa được người khác lấy; hãy lưu lại."}
        ) from None
    audit_change(
        actor=actor,
        obj=entry,
        action=AuditEntry.Action.CREATE,
        after=snapshot(entry, extra={"số, ký hiệu": entry.number_symbol}),
        context=entry.issuer,
        summary=summary,
    )


def document_filename(entry: OutgoingDocument, extension: str) -> str:
    """An ASCII file name such as "05-BC-UBND-2026.pdf" that survives every mail client."""
    base = fold(f"{entry.number:02d}-{entry.symbol}-{entry.year}").upper().replace("/", "-").replace(" ", "")
    return f"{base}.{extension}"


def document_store_files(entry: OutgoingDocument) -> OutgoingDocument:
    """Render the frozen content to PDF and DOCX once and keep the files with their checksums.

    Runs after the issuing transaction: a failure here loses nothing, the files are rendered on demand.
    """
    if not entry.content:
        return entry
    from ..render import render_docx, render_pdf

    doc = OfficialDocument.from_dict(entry.content)
    pdf, docx = render_pdf(doc), render_docx(doc)
    entry.pdf.save(document_filename(entry, "pdf"), ContentFile(pdf), save=False)
    entry.docx.save(document_filename(entry, "docx"), ContentFile(docx), save=False)
    entry.pdf_sha256 = hashlib.sha256(pdf).hexdigest()
    entry.docx_sha256 = hashlib.sha256(docx).hexdigest()
    entry.save(update_fields=["pdf", "pdf_sha256", "docx", "docx_sha256", "updated_at"])
    return entry


def document_file(entry: OutgoingDocument, extension: str) -> bytes:
    """The issued file: the stored one when it is there, else rendered from the frozen content."""
    field = entry.pdf if extension == "pdf" else entry.docx
    if field:
        try:
            with field.open("rb") as handle:
                return handle.read()
        except OSError:
            log.warning("Stored %s of document %s is missing; rendering it again", extension, entry.pk)
    if not entry.content:
        raise FileNotFoundError(extension)
    from ..render import render_docx, render_pdf

    doc = OfficialDocument.from_dict(entry.content)
    return render_pdf(doc) if extension == "pdf" else render_docx(doc)
