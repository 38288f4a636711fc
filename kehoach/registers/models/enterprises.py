"""Chương trình đảm bảo đo lường: enterprises and their progress through the programme's steps."""

import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.urls import reverse

from .base import RegisterModel
from .coverage import commune_of, tidy

TAX_CODE = re.compile(r"^\d{10}(-\d{3})?$")
TAX_CODE_MESSAGE = (
    "Mã số thuế phải gồm 10 chữ số, hoặc 10 chữ số, dấu “-” và 3 chữ số của đơn vị phụ thuộc "
    "(ví dụ 0201234567 hoặc 0201234567-001)."
)


def normalise_tax_code(text: str | None) -> str:
    """'0201 234 567 – 001' → '0201234567-001': spaces dropped, any dash made a hyphen."""
    return re.sub(r"\s+", "", (text or "")).replace("–", "-").replace("—", "-")


class Enterprise(RegisterModel):
    """A business of the commune that takes part in the measurement assurance programme."""

    name = models.CharField("tên doanh nghiệp", max_length=300)
    tax_code = models.CharField("mã số thuế", max_length=14)
    address = models.CharField("địa chỉ", max_length=500, blank=True)
    sector = models.CharField("ngành nghề", max_length=300, blank=True)
    contact = models.CharField("người liên hệ, điện thoại", max_length=300, blank=True)

    search_fields = ("name", "tax_code", "address", "sector")

    class Meta:
        verbose_name = "doanh nghiệp"
        verbose_name_plural = "doanh nghiệp"
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["unit"])]
        constraints = [
            models.UniqueConstraint(
                fields=["owner_unit", "tax_code"],
                name="registers_enterprise_unique_tax_code",
                violation_error_message="Đã có doanh nghiệp khác với mã số thuế này.",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("registers:detail", args=["doanh-nghiep", self.pk])

    def clean_fields(self, exclude=None):
        # Tidied first, so "0201 234 567 – 001" is judged by its digits, not by its length as typed.
        self.tax_code = normalise_tax_code(self.tax_code)
        super().clean_fields(exclude=exclude)

    def clean(self):
        self.name = tidy(self.name)
        self.tax_code = normalise_tax_code(self.tax_code)
        if self.tax_code and not TAX_CODE.match(self.tax_code):
            raise ValidationError({"tax_code": TAX_CODE_MESSAGE})
        commune = commune_of(self)
        if self.tax_code and commune is not None:
            other = (
                Enterprise.objects.filter(owner_unit=commune, tax_code=self.tax_code)
                .exclude(pk=self.pk)
                .first()
            )
            if other is not None:
                raise ValidationError(
                    {"tax_code": f"Đã có doanh nghiệp “{other.name}” với mã số thuế {self.tax_code}."}
                )

    def delete(self, *args, **kwargs):
        if count := self.programme_steps.count():
            raise PermissionDenied(
                f"Doanh nghiệp “{self.name}” đã có {count} bước của Chương trình đảm bảo đo lường trong sổ; "
                "hãy xóa các bước đó trước khi xóa doanh nghiệp."
            )
        return super().delete(*args, **kwargs)


def enterprise_by_tax_code(text: str, commune) -> Enterprise:
    """The commune's enterprise with this tax code, for the import column "Mã số thuế"."""
    code = normalise_tax_code(text)
    if not TAX_CODE.match(code):
        raise ValueError(
            f"“{text}” không phải mã số thuế hợp lệ (10 chữ số, hoặc 10 chữ số-3 chữ số); "
            "nếu ô Excel để kiểu số, số 0 đầu bị mất: hãy định dạng cột là Văn bản"
        )
    enterprise = Enterprise.objects.filter(owner_unit=commune, tax_code=code).first()
    if enterprise is None:
        raise ValueError(f"sổ doanh nghiệp của xã chưa có doanh nghiệp có mã số thuế “{code}”")
    return enterprise


class ProgrammeStepKind(models.TextChoices):
    ASSESSMENT = "danh_gia", "Đánh giá thực trạng"
    PLAN = "ke_hoach", "Xây dựng kế hoạch"
    CONSULTATION = "tu_van", "Tư vấn"
    APPROVAL = "phe_duyet", "Phê duyệt"
    IMPLEMENTATION = "trien_khai", "Triển khai"
    REPORT = "bao_cao", "Báo cáo kết quả"


class ProgrammeStep(RegisterModel):
    """One step an enterprise went through, on a date, with the document that records it."""

    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.PROTECT, related_name="programme_steps", verbose_name="doanh nghiệp"
    )
    step = models.CharField("bước", max_length=20, choices=ProgrammeStepKind.choices)
    date = models.DateField("ngày")
    document = models.CharField("văn bản (số, trích yếu)", max_length=500, blank=True)

    search_fields = ("enterprise", "enterprise_tax_code", "document")

    class Meta:
        verbose_name = "bước chương trình đảm bảo đo lường"
        verbose_name_plural = "các bước chương trình đảm bảo đo lường"
        ordering = ["enterprise__name", "date", "id"]
        indexes = [
            models.Index(fields=["owner_unit", "step", "date"]),
            models.Index(fields=["enterprise", "date"]),
            models.Index(fields=["unit"]),
        ]

    def __str__(self) -> str:
        name = self.enterprise.name if self.enterprise_id else ""
        when = f" ({self.date:%d/%m/%Y})" if self.date else ""
        return f"{name} – {self.get_step_display()}{when}"

    def get_absolute_url(self) -> str:
        return reverse("registers:detail", args=["buoc-dam-bao-do-luong", self.pk])

    @property
    def enterprise_tax_code(self) -> str:
        return self.enterprise.tax_code if self.enterprise_id else ""

    def clean(self):
        self.document = tidy(self.document)
        commune = commune_of(self)
        if self.enterprise_id and commune is not None and self.enterprise.owner_unit_id != commune.pk:
            raise ValidationError({"enterprise": "Doanh nghiệp không thuộc xã của đơn vị theo dõi."})
        if self.enterprise_id and self.step and self.date:
            same = ProgrammeStep.objects.filter(
                enterprise_id=self.enterprise_id, step=self.step, date=self.date
            )
            if same.exclude(pk=self.pk).exists():
                message = f"Doanh nghiệp “{self.enterprise.name}” đã có bước “{self.get_step_display()}” "
                raise ValidationError({"step": message + f"ngày {self.date:%d/%m/%Y}."})
