from django.conf import settings
from django.db import models

from kehoach.core.models import TimeStampedModel
from kehoach.core.text import fold
from kehoach.units.models import Unit


class RegisterQuerySet(models.QuerySet):
    def readable_by(self, user) -> "RegisterQuerySet":
        from kehoach.units.access import access_for

        return self.filter(access_for(user).read_q("owner_unit__path"))


class RegisterModel(TimeStampedModel):
    """A row of a register a commune keeps. Every register has its commune, its keeping unit and search."""

    owner_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name="xã, phường"
    )
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name="đơn vị theo dõi")
    search_text = models.TextField("chuỗi tìm kiếm", editable=False, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
        verbose_name="người nhập",
    )

    objects = RegisterQuerySet.as_manager()

    # Fields whose text search reads; each register names its own.
    search_fields: tuple[str, ...] = ()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.search_text = fold(" ".join(str(getattr(self, f) or "") for f in self.search_fields))
        super().save(*args, **kwargs)
