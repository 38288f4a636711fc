"""An import of a plan document: the uploaded file, what the extractor read, and the reviewed result.

Nothing of the plan exists in the plan tables until the reviewer publishes; the job holds the
contract (design.md, "Plan import contract") while it is being read and reviewed.
"""

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse

from kehoach.core.models import TimeStampedModel
from kehoach.units.models import Unit


def import_path(instance: "ImportJob", filename: str) -> str:
    # Random names: the stored path reveals nothing and cannot be guessed; the original name is kept apart.
    return f"imports/{uuid.uuid4().hex}"


class ImportJob(TimeStampedModel):
    class Status(models.TextChoices):
        QUEUED = "cho", "Chờ xử lý"
        READING = "dang_doc", "Đang đọc"
        DONE = "da_doc", "Đã đọc"
        ERROR = "loi", "Lỗi"
        PUBLISHED = "cong_bo", "Đã công bố"

    file = models.FileField("tệp", upload_to=import_path, max_length=300)
    original_name = models.CharField("tên tệp", max_length=255)
    size = models.PositiveBigIntegerField("dung lượng (byte)", default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="import_jobs",
        verbose_name="người tải lên",
    )
    owner_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name="cơ quan ban hành"
    )
    lead_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name="đơn vị đầu mối"
    )
    field = models.CharField("lĩnh vực", max_length=10)
    status = models.CharField("trạng thái", max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField("tiến độ (%)", default=0)
    message = models.TextField("thông báo lỗi", blank=True)
    source_text = models.TextField("nội dung đã đọc", blank=True)
    result = models.JSONField("kết quả trích xuất", null=True, blank=True)
    # Raw unit name → {"unit": id} or {"new": true}: the reviewer's choices, applied at publish.
    unit_choices = models.JSONField("đối chiếu đơn vị", default=dict, blank=True)
    plan = models.ForeignKey(
        "plans.Plan",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="kế hoạch đã tạo",
    )

    class Meta:
        verbose_name = "phiên nhập kế hoạch"
        verbose_name_plural = "phiên nhập kế hoạch"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["created_by", "status"]),
            models.Index(fields=["status", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"Nhập “{self.original_name}”"

    def get_absolute_url(self) -> str:
        return reverse("importer:job", args=[self.pk])

    @property
    def is_running(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.READING)

    @property
    def is_reviewable(self) -> bool:
        return self.status == self.Status.DONE
