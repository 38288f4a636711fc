"""The register of outgoing documents (sổ văn bản đi) and its number series.

Nghị định 30/2020, Điều 15: an issuer numbers its documents from 01 on 1 January to 31 December
each year. `DocumentCounter` holds the last number of each issuer's yearly series; it is locked
while a number is taken, so two documents issued at the same moment never share a number, and
the unique constraint on the register is the last line of defence.
"""

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse

from kehoach.core.models import TimeStampedModel
from kehoach.units.models import Unit

from .document import two_digits


class DocumentKind(models.TextChoices):
    REPORT = "bao_cao", "Báo cáo"
    PLAN = "ke_hoach", "Kế hoạch"
    DECISION = "quyet_dinh", "Quyết định"
    OFFICIAL_LETTER = "cong_van", "Công văn"
    NOTICE = "thong_bao", "Thông báo"
    OTHER = "khac", "Văn bản khác"


# Abbreviations of document kinds for the symbol (NĐ 30/2020, Phụ lục III); công văn has none.
KIND_ABBREVIATIONS = {
    DocumentKind.REPORT: "BC",
    DocumentKind.PLAN: "KH",
    DocumentKind.DECISION: "QĐ",
    DocumentKind.NOTICE: "TB",
}


class DocumentCounter(models.Model):
    issuer = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name="cơ quan")
    year = models.PositiveSmallIntegerField("năm")
    last_number = models.PositiveIntegerField("số cuối", default=0)

    class Meta:
        verbose_name = "bộ đếm số văn bản"
        verbose_name_plural = "bộ đếm số văn bản"
        constraints = [models.UniqueConstraint(fields=["issuer", "year"], name="document_counter_unique")]

    def __str__(self) -> str:
        return f"{self.issuer_id}/{self.year}: {self.last_number}"


def document_file_path(instance: "OutgoingDocument", filename: str) -> str:
    return (
        f"documents/{instance.issuer_id}/{instance.year}/{uuid.uuid4().hex}{filename[filename.rfind('.') :]}"
    )


class OutgoingDocumentQuerySet(models.QuerySet):
    def readable_by(self, user) -> "OutgoingDocumentQuerySet":
        from kehoach.units.access import access_for

        return self.filter(access_for(user).read_q("issuer__path"))


class OutgoingDocument(TimeStampedModel):
    """One entry of the register. `content` is the document as issued (`OfficialDocument.to_dict()`),
    frozen: later data changes never reach an issued document."""

    issuer = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="outgoing_documents", verbose_name="cơ quan ban hành"
    )
    # Unique across installations: what the city's system knows this document by.
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False, verbose_name="mã định danh")
    year = models.PositiveSmallIntegerField("năm")
    number = models.PositiveIntegerField("số")
    symbol = models.CharField("ký hiệu", max_length=60, help_text="Ví dụ: BC-UBND")
    kind = models.CharField("loại văn bản", max_length=12, choices=DocumentKind.choices)
    issued_on = models.DateField("ngày ban hành")
    title = models.CharField("trích yếu", max_length=500)
    signer_name = models.CharField("người ký", max_length=150, blank=True)
    signer_position = models.CharField("chức vụ người ký", max_length=150, blank=True)
    recipients = models.TextField("nơi nhận", blank=True)
    copies = models.PositiveSmallIntegerField("số lượng bản", default=1)
    note = models.CharField("ghi chú", max_length=300, blank=True)
    content = models.JSONField("nội dung khi ban hành", default=dict, blank=True)
    # What the document is about, e.g. ("reports.report", 12); empty for documents entered by hand.
    source_type = models.CharField(max_length=60, blank=True, verbose_name="loại nguồn")
    source_id = models.PositiveBigIntegerField(null=True, blank=True, verbose_name="mã nguồn")
    pdf = models.FileField("tệp PDF", upload_to=document_file_path, max_length=300, blank=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True, verbose_name="mã băm SHA-256 của tệp PDF")
    docx = models.FileField("tệp DOCX", upload_to=document_file_path, max_length=300, blank=True)
    docx_sha256 = models.CharField(max_length=64, blank=True, verbose_name="mã băm SHA-256 của tệp DOCX")
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="người vào sổ",
    )

    objects = OutgoingDocumentQuerySet.as_manager()

    class Meta:
        verbose_name = "văn bản đi"
        verbose_name_plural = "sổ văn bản đi"
        ordering = ["-year", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["issuer", "year", "number"], name="outgoing_document_unique_number"
            )
        ]
        indexes = [
            models.Index(fields=["issuer", "-year", "-number"]),
            models.Index(fields=["source_type", "source_id"]),
            models.Index(fields=["kind"]),
            models.Index(fields=["issued_on"]),
        ]

    def __str__(self) -> str:
        return f"{self.number_symbol} – {self.title}"

    @property
    def number_symbol(self) -> str:
        return f"{two_digits(self.number)}/{self.symbol}"

    def get_absolute_url(self) -> str:
        return reverse("documents:detail", args=[self.pk])
