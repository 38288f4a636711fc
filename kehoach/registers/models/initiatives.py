from django.db import models
from django.urls import reverse

from .base import RegisterModel


class InitiativeScope(models.TextChoices):
    COMMUNE = "xa", "Cấp xã"
    CITY = "thanh_pho", "Cấp thành phố"


class InitiativeStatus(models.TextChoices):
    REGISTERED = "dang_ky", "Đăng ký"
    EVALUATING = "dang_danh_gia", "Đang đánh giá"
    RECOGNISED = "cong_nhan", "Được công nhận"
    REJECTED = "khong_cong_nhan", "Không công nhận"


class Initiative(RegisterModel):
    """Sáng kiến: registered, evaluated by the council, then recognised (or not) with a scope of effect."""

    title = models.CharField("tên sáng kiến", max_length=500)
    authors = models.CharField("tác giả", max_length=500)
    field = models.CharField("lĩnh vực", max_length=200, blank=True)
    description = models.TextField("mô tả", blank=True)
    applied_on = models.DateField("ngày áp dụng", null=True, blank=True)
    score_novelty = models.DecimalField(
        "điểm tính mới", max_digits=5, decimal_places=2, null=True, blank=True
    )
    score_applicability = models.DecimalField(
        "điểm khả năng áp dụng", max_digits=5, decimal_places=2, null=True, blank=True
    )
    score_effectiveness = models.DecimalField(
        "điểm hiệu quả", max_digits=5, decimal_places=2, null=True, blank=True
    )
    decision_number = models.CharField("số quyết định công nhận", max_length=60, blank=True)
    decision_date = models.DateField("ngày quyết định", null=True, blank=True, db_index=True)
    decision_issuer = models.CharField("cơ quan công nhận", max_length=255, blank=True)
    scope = models.CharField("phạm vi ảnh hưởng", max_length=10, choices=InitiativeScope.choices, blank=True)
    status = models.CharField(
        "trạng thái", max_length=20, choices=InitiativeStatus.choices, default=InitiativeStatus.REGISTERED
    )

    search_fields = ("title", "authors", "field", "decision_number")

    class Meta:
        verbose_name = "sáng kiến"
        verbose_name_plural = "sáng kiến"
        ordering = ["-decision_date", "-id"]
        indexes = [
            models.Index(fields=["owner_unit", "status", "scope", "decision_date"]),
            models.Index(fields=["unit"]),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("registers:detail", args=["sang-kien", self.pk])

    def clean(self):
        errors = {}
        for name in ("score_novelty", "score_applicability", "score_effectiveness"):
            value = getattr(self, name)
            if value is not None and not 0 <= value <= 100:
                errors[name] = "Điểm phải từ 0 đến 100."
        if self.status == InitiativeStatus.RECOGNISED:
            for name, message in (
                ("scope", "Sáng kiến được công nhận cần ghi phạm vi ảnh hưởng."),
                ("decision_number", "Sáng kiến được công nhận cần ghi số quyết định công nhận."),
                ("decision_date", "Sáng kiến được công nhận cần ghi ngày quyết định."),
            ):
                if not getattr(self, name):
                    errors[name] = message
        if self.decision_date and self.applied_on and self.decision_date < self.applied_on:
            errors["decision_date"] = "Ngày quyết định công nhận không được trước ngày áp dụng."
        if errors:
            from django.core.exceptions import ValidationError

            raise ValidationError(errors)

    @property
    def total_score(self):
        scores = [
            s
            for s in (self.score_novelty, self.score_applicability, self.score_effectiveness)
            if s is not None
        ]
        return sum(scores) if scores else None
