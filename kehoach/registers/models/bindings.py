from django.db import models

from kehoach.core.models import TimeStampedModel
from kehoach.plans.models import Indicator


class IndicatorBinding(TimeStampedModel):
    """An indicator whose figures are computed from a register by a declared computation."""

    indicator = models.OneToOneField(
        Indicator, on_delete=models.CASCADE, related_name="binding", verbose_name="chỉ tiêu"
    )
    computation = models.CharField("cách tính", max_length=60, db_index=True)
    params = models.JSONField("tham số", default=dict, blank=True)

    class Meta:
        verbose_name = "chỉ tiêu tính từ sổ"
        verbose_name_plural = "chỉ tiêu tính từ sổ"

    def __str__(self) -> str:
        return f"{self.indicator.code}: {self.computation}"

    @property
    def spec(self):
        from ..computations import COMPUTATIONS

        return COMPUTATIONS.get(self.computation)
