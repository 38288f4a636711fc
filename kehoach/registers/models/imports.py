"""One import of a register from an XLSX/CSV file: the stored file, the check and the write, with progress.

Nothing reaches the register before the person confirms, and then every row is written in one
transaction or none (io.py). The record only holds what the pages show: counts, the row errors and
a preview of the first rows.
"""

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse

from kehoach.core.models import TimeStampedModel
from kehoach.units.models import Unit

MAX_ERRORS = 1000  # row errors kept on the record; `error_count` has them all
PREVIEW_ROWS = 100


def register_import_path(instance: "RegisterImport", filename: str) -> str:
    # A random name: the stored path reveals nothing and cannot be guessed; the original name is kept apart.
    return f"register-imports/{uuid.uuid4().hex}"


class RegisterImport(TimeStampedModel):
    class Status(models.TextChoices):
        QUEUED = "cho", "Chờ xử lý"
        CHECKING = "dang_kiem_tra", "Đang kiểm tra"
        CHECKED = "da_kiem_tra", "Đã kiểm tra"
        WRITING = "dang_ghi", "Đang ghi"
        WRITTEN = "da_ghi", "Đã ghi"
        ERROR = "loi", "Lỗi"

    slug = models.SlugField("sổ theo dõi", max_length=50)
    owner_unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name="xã")
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name="đơn vị mặc định của các dòng"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="register_imports",
        verbose_name="người tải lên",
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="người xác nhận ghi",
    )
    file = models.FileField("tệp", upload_to=register_import_path, max_length=300, blank=True)
    original_name = models.CharField("tên tệp", max_length=255)
    size = models.PositiveBigIntegerField("dung lượng (byte)", default=0)
    status = models.CharField("trạng thái", max_length=15, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField("tiến độ (%)", default=0)
    total = models.PositiveIntegerField("số dòng", default=0)
    processed = models.PositiveIntegerField("số dòng đã xử lý", default=0)
    # "Dòng 14, cột Mã số thuế: …", at most MAX_ERRORS of them; error_count counts them all.
    errors = models.JSONField("lỗi theo dòng", default=list, blank=True)
    error_count = models.PositiveIntegerField("số lỗi", default=0)
    # The first PREVIEW_ROWS rows as read: [{"number": 2, "cells": [...], "bad": false}, ...].
    preview = models.JSONField("xem trước", default=list, blank=True)
    message = models.TextField("kết quả", blank=True)

    class Meta:
        verbose_name = "phiên nhập sổ theo dõi"
        verbose_name_plural = "phiên nhập sổ theo dõi"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["created_by", "slug", "status"])]

    def __str__(self) -> str:
        return f"Nhập “{self.original_name}”"

    def get_absolute_url(self) -> str:
        return reverse("registers:import-detail", args=[self.slug, self.pk])

    @property
    def is_running(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.CHECKING, self.Status.WRITING)

    @property
    def can_confirm(self) -> bool:
        return self.status == self.Status.CHECKED and not self.error_count and self.total > 0

    @property
    def errors_left_off(self) -> int:
        return max(0, self.error_count - len(self.errors))
