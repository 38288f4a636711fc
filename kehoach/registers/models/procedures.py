"""Thống kê thủ tục hành chính: one row per commune and month, from the public-service portal's exports
(or entered), plus the work records (hồ sơ công việc) handled on the e-office system. Feeds the rates of
digitised results, satisfaction, data reuse and online work records (see docs/indicators.md)."""

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.functional import cached_property

from .base import RegisterModel

NON_NEGATIVE = "Phải là số nguyên không âm."


class CountField(models.PositiveIntegerField):
    """A count of dossiers or records: a whole number, never negative, blank meaning 0."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("default", 0)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    @cached_property
    def validators(self):
        kept = [v for v in super().validators if not isinstance(v, MinValueValidator)]
        return [MinValueValidator(0, NON_NEGATIVE), *kept]

    def formfield(self, **kwargs):
        field = super().formfield(**kwargs)
        field.validators = [v for v in field.validators if not isinstance(v, MinValueValidator)]
        field.validators.append(MinValueValidator(0, NON_NEGATIVE))
        field.error_messages["invalid"] = "Phải là số nguyên, ví dụ 125."
        field.widget = forms.NumberInput(attrs={"min": 0, "step": 1, "inputmode": "numeric"})
        return field


# Parts that cannot exceed their whole: (part, whole, message).
PARTS = (
    (
        "received_online",
        "received",
        "Số hồ sơ tiếp nhận trực tuyến không được lớn hơn tổng số hồ sơ tiếp nhận.",
    ),
    (
        "reused_data",
        "received",
        "Số hồ sơ có tái sử dụng dữ liệu không được lớn hơn tổng số hồ sơ tiếp nhận.",
    ),
    (
        "results_electronic",
        "results_issued",
        "Số kết quả trả bản điện tử không được lớn hơn tổng số kết quả đã trả.",
    ),
    (
        "results_digitised",
        "results_issued",
        "Số kết quả được số hóa không được lớn hơn tổng số kết quả đã trả.",
    ),
    ("survey_satisfied", "survey_total", "Số ý kiến hài lòng không được lớn hơn tổng số ý kiến đánh giá."),
    (
        "work_records_classified",
        "work_records_total",
        "Số hồ sơ công việc mật không được lớn hơn tổng số hồ sơ công việc.",
    ),
)


class ProcedureMonth(RegisterModel):
    """A commune's administrative-procedure figures for one month."""

    year = models.PositiveSmallIntegerField("năm")
    month = models.PositiveSmallIntegerField("tháng")
    received = CountField("hồ sơ tiếp nhận")
    received_online = CountField("hồ sơ tiếp nhận trực tuyến")
    results_issued = CountField("kết quả giải quyết đã trả")
    results_electronic = CountField("kết quả trả bản điện tử")
    results_digitised = CountField("kết quả được số hóa")
    reused_data = CountField("hồ sơ có tái sử dụng dữ liệu số hóa")
    survey_total = CountField("ý kiến đánh giá")
    survey_satisfied = CountField("ý kiến hài lòng")
    work_records_total = CountField("hồ sơ công việc")
    work_records_online = CountField("hồ sơ công việc xử lý trên hệ thống")
    work_records_classified = CountField("hồ sơ công việc mật")
    source = models.CharField(
        "nguồn số liệu",
        max_length=255,
        blank=True,
        help_text="Ví dụ: xuất từ Cổng Dịch vụ công ngày 05/04/2026.",
    )

    search_fields = ("source",)

    class Meta:
        verbose_name = "số liệu thủ tục hành chính tháng"
        verbose_name_plural = "thống kê thủ tục hành chính"
        ordering = ["-year", "-month", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner_unit", "year", "month"],
                name="registers_procedure_month_once",
                violation_error_message="Xã đã có số liệu thủ tục hành chính của tháng này.",
            )
        ]
        indexes = [models.Index(fields=["unit"])]

    def __str__(self) -> str:
        return f"Tháng {self.month:02d}/{self.year}" if self.year and self.month else "Tháng mới"

    def get_absolute_url(self) -> str:
        return reverse("registers:detail", args=["thu-tuc-hanh-chinh", self.pk])

    @property
    def work_records_counted(self) -> int:
        """Work records the online rate is measured against: all but the classified ones."""
        return (self.work_records_total or 0) - (self.work_records_classified or 0)

    def clean(self):
        errors: dict[str, str] = {}
        for name in [f.name for f in self._meta.fields if isinstance(f, CountField)]:
            if getattr(self, name) is None:
                setattr(self, name, 0)
        if self.month is not None and not 1 <= self.month <= 12:
            errors["month"] = "Tháng phải từ 1 đến 12."
        if self.year is not None and not 2000 <= self.year <= 2100:
            errors["year"] = "Năm không hợp lệ (ví dụ 2026)."
        for part, whole, message in PARTS:
            value, total = getattr(self, part), getattr(self, whole)
            if value >= 0 and total >= 0 and value > total and part not in errors:
                errors[part] = message
        online, counted = self.work_records_online, self.work_records_counted
        if "work_records_classified" not in errors and online >= 0 and online > counted >= 0:
            errors["work_records_online"] = (
                "Số hồ sơ công việc xử lý trên hệ thống không được lớn hơn số hồ sơ công việc không mật."
            )
        if (
            not errors
            and self.owner_unit_id
            and self.year
            and self.month
            and ProcedureMonth.objects.filter(
                owner_unit_id=self.owner_unit_id, year=self.year, month=self.month
            )
            .exclude(pk=self.pk)
            .exists()
        ):
            errors["month"] = f"Xã đã có số liệu thủ tục hành chính tháng {self.month:02d}/{self.year}."
        if errors:
            raise ValidationError(errors)

    def validate_constraints(self, exclude=None):
        # clean() names the month already present; the constraint guards the database.
        super().validate_constraints(exclude=set(exclude or ()) | {"month"})
