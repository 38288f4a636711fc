from django.conf import settings
from django.db import models


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)
    updated_at = models.DateTimeField("cập nhật lúc", auto_now=True)

    class Meta:
        abstract = True


class AuditEntry(models.Model):
    """One change to business data: who, when, before → after. Written in the same transaction."""

    class Action(models.TextChoices):
        CREATE = "create", "Tạo mới"
        UPDATE = "update", "Sửa"
        DELETE = "delete", "Xóa"
        EVENT = "event", "Sự kiện"

    content_type = models.ForeignKey(
        "contenttypes.ContentType", on_delete=models.PROTECT, verbose_name="loại đối tượng"
    )
    object_id = models.CharField(max_length=64, verbose_name="mã đối tượng")
    object_repr = models.CharField("đối tượng", max_length=300)
    # A key that groups changes under the object a user reads them on, e.g. "plans.plan:7".
    context = models.CharField(max_length=100, blank=True, db_index=True, verbose_name="thuộc hồ sơ")
    action = models.CharField("thao tác", max_length=10, choices=Action.choices)
    summary = models.CharField("nội dung", max_length=300, blank=True)
    changes = models.JSONField("thay đổi", default=dict, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        verbose_name="người thực hiện",
    )
    at = models.DateTimeField("thời điểm", auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "nhật ký thay đổi"
        verbose_name_plural = "nhật ký thay đổi"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id", "-at"])]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.object_repr}"
