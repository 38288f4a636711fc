"""Báo cáo định kỳ trên hệ thống báo cáo: the periodic socio-economic reports the commune owes, each
marked submitted on the city's reporting system or not. Feeds the 100% reporting indicator."""

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse

from .base import RegisterModel


class PeriodicReportDue(RegisterModel):
    """One report owed for one period ("Tháng 03/2026", "Quý I/2026"), with when and how it was sent."""

    name = models.CharField("tên báo cáo", max_length=500)
    period_label = models.CharField(
        "kỳ báo cáo", max_length=60, help_text="Ví dụ: Tháng 03/2026, Quý I/2026."
    )
    due_on = models.DateField("hạn gửi")
    submitted_on = models.DateField("ngày gửi", null=True, blank=True, help_text="Để trống nếu chưa gửi.")
    on_system = models.BooleanField(
        "gửi trên hệ thống báo cáo của thành phố",
        default=False,
        help_text="Hệ thống thông tin báo cáo của thành phố, kết nối Hệ thống thông tin báo cáo Chính phủ.",
    )
    reference = models.CharField("số, ký hiệu báo cáo", max_length=100, blank=True)

    search_fields = ("name", "period_label", "reference")

    class Meta:
        verbose_name = "báo cáo định kỳ"
        verbose_name_plural = "báo cáo định kỳ"
        ordering = ["-due_on", "name", "id"]
        indexes = [
            models.Index(fields=["owner_unit", "due_on"]),
            models.Index(fields=["owner_unit", "on_system", "submitted_on"]),
            models.Index(fields=["unit"]),
        ]

    def __str__(self) -> str:
        return f"{self.name} – {self.period_label}"

    def get_absolute_url(self) -> str:
        return reverse("registers:detail", args=["bao-cao-dinh-ky", self.pk])

    @property
    def status(self) -> str:
        if not self.submitted_on:
            return "Chưa gửi"
        where = "trên hệ thống" if self.on_system else "ngoài hệ thống"
        late = " (quá hạn)" if self.due_on and self.submitted_on > self.due_on else ""
        return f"Đã gửi {where} {self.submitted_on:%d/%m/%Y}{late}"

    def clean(self):
        errors = {}
        self.name = " ".join((self.name or "").split())
        self.period_label = " ".join((self.period_label or "").split())
        if self.on_system and not self.submitted_on:
            errors["submitted_on"] = "Báo cáo đã gửi trên hệ thống cần ghi ngày gửi."
        if errors:
            raise ValidationError(errors)
