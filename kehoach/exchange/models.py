"""The outbox of payloads for the city's reporting system, and the log of every attempt to send them.

A `Delivery` is written in the same transaction as the thing it reports (an issued report, a period's
figures); sending happens afterwards and is retried until the receiver confirms it. Exchange refers to
its source by type and id only, so it depends on nothing but units and core.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse

from kehoach.core.models import TimeStampedModel

# What each kind of payload is called on the pages; unknown kinds show as they are.
KIND_LABELS = {
    "report.issued": "Báo cáo đã ban hành",
    "indicators.period": "Số liệu chỉ tiêu theo kỳ",
}


class DeliveryQuerySet(models.QuerySet):
    def readable_by(self, user) -> "DeliveryQuerySet":
        from kehoach.units.access import access_for

        return self.filter(access_for(user).read_q("unit__path"))


class Delivery(TimeStampedModel):
    """One payload to deliver exactly once, identified at the receiver by its idempotency key."""

    class State(models.TextChoices):
        QUEUED = "cho_gui", "Chờ gửi"
        SENDING = "dang_gui", "Đang gửi"
        DELIVERED = "da_gui", "Đã gửi"
        FAILED = "that_bai", "Thất bại"

    kind = models.CharField("loại dữ liệu", max_length=50, choices=list(KIND_LABELS.items()))
    idempotency_key = models.CharField("khóa chống trùng", max_length=200, unique=True)
    payload = models.JSONField("nội dung gửi")
    unit = models.ForeignKey(
        "units.Unit", on_delete=models.PROTECT, related_name="deliveries", verbose_name="đơn vị gửi"
    )
    source_type = models.CharField("loại nguồn", max_length=100)
    source_id = models.PositiveBigIntegerField("mã nguồn")
    summary = models.CharField("nội dung tóm tắt", max_length=300)
    state = models.CharField("trạng thái", max_length=10, choices=State.choices, default=State.QUEUED)
    attempts = models.PositiveIntegerField("số lần gửi", default=0)
    next_attempt_at = models.DateTimeField("gửi lần tới lúc", null=True, blank=True)
    # Start of the automatic retry window (MAX_AGE counts from here); cleared by a manual retry.
    first_attempt_at = models.DateTimeField("gửi lần đầu lúc", null=True, blank=True)
    last_error = models.TextField("lỗi gần nhất", blank=True)
    delivered_at = models.DateTimeField("đã gửi lúc", null=True, blank=True)
    receipt = models.JSONField("phản hồi của máy nhận", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="người tạo",
    )

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        verbose_name = "gói dữ liệu gửi cấp trên"
        verbose_name_plural = "gói dữ liệu gửi cấp trên"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="exchange_due_idx"),
            models.Index(fields=["unit", "created_at"], name="exchange_unit_created_idx"),
            models.Index(fields=["source_type", "source_id"], name="exchange_source_idx"),
            models.Index(fields=["kind"], name="exchange_kind_idx"),
        ]

    def __str__(self) -> str:
        return self.summary

    def get_absolute_url(self) -> str:
        return reverse("exchange:detail", args=[self.pk])

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)


class DeliveryAttempt(models.Model):
    """One POST to the receiver and what came of it."""

    class Outcome(models.TextChoices):
        OK = "ok", "Thành công"
        TEMPORARY = "tam_loi", "Lỗi tạm thời"
        ERROR = "loi", "Lỗi"

    delivery = models.ForeignKey(
        Delivery, on_delete=models.CASCADE, related_name="attempt_log", verbose_name="gói dữ liệu"
    )
    number = models.PositiveIntegerField("lần gửi thứ")
    started_at = models.DateTimeField("bắt đầu lúc")
    duration_ms = models.PositiveIntegerField("thời gian (ms)", default=0)
    http_status = models.PositiveSmallIntegerField("mã HTTP", null=True, blank=True)
    outcome = models.CharField("kết quả", max_length=10, choices=Outcome.choices)
    error = models.TextField("lỗi", blank=True)

    class Meta:
        verbose_name = "lần gửi"
        verbose_name_plural = "các lần gửi"
        ordering = ["started_at", "id"]
        indexes = [models.Index(fields=["delivery", "started_at"], name="exchange_attempt_idx")]

    def __str__(self) -> str:
        return f"Lần {self.number}: {self.get_outcome_display()}"
