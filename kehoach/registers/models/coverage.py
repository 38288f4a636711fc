"""Phủ sóng di động: the commune's villages (thôn) with their population, and 5G coverage per village."""

import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.urls import reverse

from kehoach.core.text import fold, nfc

from .base import RegisterModel

_SPACES = re.compile(r"\s+")


def commune_of(obj: RegisterModel):
    """The commune a register row belongs to, also while a form validates a row not yet prepared."""
    if obj.owner_unit_id:
        return obj.owner_unit
    if obj.unit_id:
        from kehoach.plans.services.plans import owner_unit_for

        return owner_unit_for(obj.unit)
    return None


def tidy(text: str | None) -> str:
    return _SPACES.sub(" ", nfc(text))


class Village(RegisterModel):
    """Thôn: the population and households counted on a date; the denominator of 5G coverage."""

    name = models.CharField("tên thôn", max_length=200)
    name_key = models.CharField(max_length=200, editable=False, default="", verbose_name="tên chuẩn hóa")
    population = models.IntegerField("số dân (người)", null=True, blank=True)
    households = models.IntegerField("số hộ", null=True, blank=True)
    as_of = models.DateField("số liệu dân số tính đến ngày", null=True, blank=True)

    search_fields = ("name",)

    class Meta:
        verbose_name = "thôn"
        verbose_name_plural = "thôn"
        ordering = ["name_key", "id"]
        indexes = [models.Index(fields=["unit"])]
        constraints = [
            models.UniqueConstraint(
                fields=["owner_unit", "name_key"],
                name="registers_village_unique_name",
                violation_error_message="Xã đã có thôn trùng tên.",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("registers:detail", args=["thon", self.pk])

    def clean(self):
        # name_key is set on save only: the uniqueness is checked here by the folded name, with a message.
        self.name = tidy(self.name)
        errors = {}
        if self.population is not None and self.population < 0:
            errors["population"] = "Số dân không được âm."
        if self.households is not None and self.households < 0:
            errors["households"] = "Số hộ không được âm."
        if (
            "population" not in errors
            and "households" not in errors
            and self.population is not None
            and self.households is not None
            and self.households > self.population
        ):
            errors["households"] = "Số hộ không thể lớn hơn số dân."
        commune = commune_of(self)
        if self.name and commune is not None:
            same = Village.objects.filter(owner_unit=commune, name_key=fold(self.name)).exclude(pk=self.pk)
            if same.exists():
                errors["name"] = f"Xã đã có thôn “{self.name}”."
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        self.name = tidy(self.name)
        self.name_key = fold(self.name)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        kept = []
        if self.coverages.exists():
            kept.append("phủ sóng 5G")
        if self.tech_teams.exists():
            kept.append("tổ công nghệ số cộng đồng")
        if kept:
            raise PermissionDenied(
                f"Thôn “{self.name}” đang có {' và '.join(kept)} trong sổ; "
                "hãy xóa các dòng đó trước khi xóa thôn."
            )
        return super().delete(*args, **kwargs)


def village_in(text: str, commune) -> Village:
    """The commune's village named `text` (accents, case and spacing ignored), for import columns "Thôn"."""
    village = Village.objects.filter(owner_unit=commune, name_key=fold(tidy(text))).first()
    if village is None:
        raise ValueError(f"xã chưa có thôn “{text}” trong sổ thôn; hãy thêm thôn trước")
    return village


def same_commune(village: Village | None, commune) -> str | None:
    """The error when a village is not one of the row's commune."""
    if village is not None and commune is not None and village.owner_unit_id != commune.pk:
        return "Thôn không thuộc xã của đơn vị theo dõi."
    return None


class Operator(models.TextChoices):
    VIETTEL = "viettel", "Viettel"
    VNPT = "vnpt", "VNPT (VinaPhone)"
    MOBIFONE = "mobifone", "MobiFone"
    OTHER = "khac", "Khác"


class Coverage5G(RegisterModel):
    """A village covered by an operator's 5G signal from a date."""

    village = models.ForeignKey(
        Village, on_delete=models.PROTECT, related_name="coverages", verbose_name="thôn"
    )
    operator = models.CharField("nhà mạng", max_length=20, choices=Operator.choices)
    covered_from = models.DateField("phủ sóng 5G từ ngày")
    note = models.CharField("ghi chú", max_length=500, blank=True)

    search_fields = ("village", "note")

    class Meta:
        verbose_name = "phủ sóng 5G"
        verbose_name_plural = "phủ sóng 5G"
        ordering = ["-covered_from", "-id"]
        indexes = [
            models.Index(fields=["owner_unit", "covered_from"]),
            models.Index(fields=["owner_unit", "operator"]),
            models.Index(fields=["unit"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["village", "operator"],
                name="registers_coverage5g_unique_operator",
                violation_error_message="Thôn đã có bản ghi phủ sóng 5G của nhà mạng này.",
            )
        ]

    def __str__(self) -> str:
        village = self.village.name if self.village_id else ""
        return f"{village} – {self.get_operator_display()}"

    def get_absolute_url(self) -> str:
        return reverse("registers:detail", args=["phu-song-5g", self.pk])

    def clean(self):
        errors = {}
        village = self.village if self.village_id else None
        if message := same_commune(village, commune_of(self)):
            errors["village"] = message
        elif village is not None and self.operator:
            same = Coverage5G.objects.filter(village=village, operator=self.operator).exclude(pk=self.pk)
            if same.exists():
                errors["village"] = (
                    f"Thôn “{village.name}” đã có bản ghi phủ sóng 5G của {self.get_operator_display()}."
                )
        if errors:
            raise ValidationError(errors)
