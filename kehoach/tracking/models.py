import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse

from kehoach.core.models import TimeStampedModel
from kehoach.plans.models import Indicator, Plan, Task
from kehoach.units.models import Unit

from .choices import NotificationKind, PeriodKind, ReporterRole, ReportStatus
from .periods import period_label


def default_kinds() -> list[str]:
    return [PeriodKind.QUARTER, PeriodKind.HALF, PeriodKind.YEAR]


class ReportingConfig(TimeStampedModel):
    """Which periods a plan reports on, its data cut-off day and how long units have to submit."""

    plan = models.OneToOneField(
        Plan, on_delete=models.CASCADE, related_name="reporting", verbose_name="kế hoạch"
    )
    kinds = models.JSONField("kỳ báo cáo", default=default_kinds)
    cutoff_day = models.PositiveSmallIntegerField(
        "ngày chốt số liệu", default=14, help_text="Số liệu tính đến ngày này của tháng cuối kỳ (1–28)."
    )
    submit_days = models.PositiveSmallIntegerField("số ngày gửi báo cáo sau ngày chốt", default=5)

    class Meta:
        verbose_name = "cấu hình kỳ báo cáo"
        verbose_name_plural = "cấu hình kỳ báo cáo"

    def __str__(self) -> str:
        return f"Kỳ báo cáo của {self.plan}"


class PeriodQuerySet(models.QuerySet):
    def readable_by(self, user) -> "PeriodQuerySet":
        from kehoach.units.access import access_for

        return self.filter(access_for(user).read_q("plan__owner_unit__path"))


class Period(TimeStampedModel):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="periods", verbose_name="kế hoạch")
    kind = models.CharField("loại kỳ", max_length=10, choices=PeriodKind.choices)
    year = models.PositiveSmallIntegerField("năm")
    number = models.PositiveSmallIntegerField("kỳ số")
    starts_on = models.DateField("số liệu từ ngày")
    ends_on = models.DateField("ngày chốt số liệu")
    due_on = models.DateField("hạn gửi báo cáo")
    closed_at = models.DateTimeField("khóa sổ lúc", null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="người khóa sổ",
    )

    objects = PeriodQuerySet.as_manager()

    class Meta:
        verbose_name = "kỳ báo cáo"
        verbose_name_plural = "kỳ báo cáo"
        ordering = ["plan", "ends_on", "-starts_on"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "kind", "year", "number"], name="period_unique"),
        ]
        indexes = [models.Index(fields=["plan", "ends_on"]), models.Index(fields=["due_on"])]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return period_label(self.kind, self.year, self.number)

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None

    def get_absolute_url(self) -> str:
        return reverse("tracking:desk", args=[self.plan_id, self.pk])


class WorkflowModel(TimeStampedModel):
    """Shared by progress reports and indicator data: status, review trail, optimistic locking."""

    status = models.CharField(
        "trạng thái", max_length=10, choices=ReportStatus.choices, default=ReportStatus.DRAFT
    )
    return_reason = models.TextField("lý do trả lại", blank=True)
    submitted_at = models.DateTimeField("gửi lúc", null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="người gửi",
    )
    reviewed_at = models.DateTimeField("duyệt lúc", null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="người duyệt",
    )
    # Incremented on every save; a save carrying an older version is a conflict, never a silent overwrite.
    version = models.PositiveIntegerField("phiên bản", default=1, editable=False)

    class Meta:
        abstract = True

    @property
    def is_locked(self) -> bool:
        return self.status == ReportStatus.ACCEPTED or self.period.is_closed

    @property
    def is_editable_by_unit(self) -> bool:
        return self.status in (ReportStatus.DRAFT, ReportStatus.RETURNED) and not self.period.is_closed


class ReportQuerySet(models.QuerySet):
    def readable_by(self, user) -> "ReportQuerySet":
        from kehoach.units.access import access_for

        return self.filter(access_for(user).read_q("period__plan__owner_unit__path"))


class ProgressReport(WorkflowModel):
    """A unit's report on one task for one period: the lead unit's, or a coordinating unit's part."""

    task = models.ForeignKey(
        Task, on_delete=models.CASCADE, related_name="progress_reports", verbose_name="nhiệm vụ"
    )
    period = models.ForeignKey(
        Period, on_delete=models.PROTECT, related_name="progress_reports", verbose_name="kỳ"
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="progress_reports", verbose_name="đơn vị"
    )
    role = models.CharField("vai trò", max_length=10, choices=ReporterRole.choices)
    percent_complete = models.PositiveSmallIntegerField("tỷ lệ hoàn thành (%)", default=0)
    results = models.TextField("kết quả đạt được", blank=True)
    outputs = models.TextField("sản phẩm đã có", blank=True)
    output_delivered = models.BooleanField("đã có kết quả/sản phẩm theo kế hoạch", default=False)
    completed_on = models.DateField("ngày hoàn thành", null=True, blank=True)
    difficulties = models.TextField("khó khăn, vướng mắc", blank=True)
    proposals = models.TextField("đề xuất, kiến nghị", blank=True)
    next_steps = models.TextField("nhiệm vụ kỳ tới", blank=True)
    # Cumulative from 1 January, reported by the lead unit: the centre sets it against the planned budget.
    spent_amount = models.BigIntegerField(
        "kinh phí đã sử dụng, lũy kế (đồng)",
        null=True,
        blank=True,
        help_text="Chỉ đơn vị chủ trì ghi, tính từ đầu năm đến ngày chốt số liệu.",
    )

    objects = ReportQuerySet.as_manager()

    class Meta:
        verbose_name = "báo cáo tiến độ"
        verbose_name_plural = "báo cáo tiến độ"
        ordering = ["period", "task", "role", "unit"]
        constraints = [
            models.UniqueConstraint(fields=["task", "period", "unit"], name="progress_report_unique")
        ]
        indexes = [models.Index(fields=["period", "status"]), models.Index(fields=["unit", "status"])]

    # How notifications and messages name this kind of record and what it is about.
    noun = "báo cáo"
    key_prefix = "progress"

    def __str__(self) -> str:
        return f"Báo cáo {self.period.label} – {self.task} – {self.unit}"

    @property
    def subject(self) -> str:
        return self.task.title

    def get_absolute_url(self) -> str:
        return reverse("tracking:report", args=[self.pk])


class Measurement(WorkflowModel):
    """A unit's figure for one indicator and period: a value, or numerator and denominator for a rate.

    Values are cumulative from the start of the plan's year to the period's cut-off (lũy kế).
    """

    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="measurements", verbose_name="chỉ tiêu"
    )
    period = models.ForeignKey(
        Period, on_delete=models.PROTECT, related_name="measurements", verbose_name="kỳ"
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="measurements", verbose_name="đơn vị"
    )
    value = models.DecimalField("giá trị", max_digits=16, decimal_places=2, null=True, blank=True)
    numerator = models.DecimalField("tử số", max_digits=16, decimal_places=2, null=True, blank=True)
    denominator = models.DecimalField("mẫu số", max_digits=16, decimal_places=2, null=True, blank=True)
    source = models.CharField("nguồn số liệu", max_length=300, blank=True)
    note = models.TextField("ghi chú", blank=True)
    # Figures computed from a register: never typed by the unit; an override needs a reason.
    is_computed = models.BooleanField("tính từ sổ theo dõi", default=False)
    computed_value = models.DecimalField(
        "giá trị tính từ sổ", max_digits=16, decimal_places=2, null=True, blank=True
    )
    explanation = models.JSONField("cách tính", default=dict, blank=True)
    override_reason = models.TextField("lý do điều chỉnh", blank=True)

    objects = ReportQuerySet.as_manager()

    class Meta:
        verbose_name = "số liệu chỉ tiêu"
        verbose_name_plural = "số liệu chỉ tiêu"
        ordering = ["period", "indicator", "unit"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "period", "unit"], name="measurement_unique")
        ]
        indexes = [models.Index(fields=["period", "status"]), models.Index(fields=["unit", "status"])]

    noun = "số liệu"
    key_prefix = "measurement"

    @property
    def is_editable_by_unit(self) -> bool:
        return not self.is_computed and super().is_editable_by_unit

    def __str__(self) -> str:
        return f"Số liệu {self.period.label} – {self.indicator.code} – {self.unit}"

    @property
    def subject(self) -> str:
        return self.indicator.name

    def get_absolute_url(self) -> str:
        return reverse("tracking:measurement", args=[self.pk])


def evidence_path(instance: "Evidence", filename: str) -> str:
    # Random names: the stored path reveals nothing and cannot be guessed; the original name is kept apart.
    return f"evidence/{uuid.uuid4().hex[:2]}/{uuid.uuid4().hex}"


class Evidence(models.Model):
    """A file proving what a report says. Stored outside the web root, served only through a checked view."""

    progress_report = models.ForeignKey(
        ProgressReport,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="evidence",
        verbose_name="báo cáo tiến độ",
    )
    measurement = models.ForeignKey(
        Measurement,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="evidence",
        verbose_name="số liệu chỉ tiêu",
    )
    file = models.FileField("tệp", upload_to=evidence_path, max_length=300)
    original_name = models.CharField("tên tệp", max_length=255)
    content_type = models.CharField("loại tệp", max_length=100)
    size = models.PositiveBigIntegerField("dung lượng (byte)")
    sha256 = models.CharField(max_length=64, verbose_name="mã băm SHA-256")
    description = models.CharField("mô tả", max_length=300, blank=True)
    is_output = models.BooleanField("là kết quả/sản phẩm của nhiệm vụ", default=False)
    uploaded_at = models.DateTimeField("tải lên lúc", auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="người tải lên",
    )

    class Meta:
        verbose_name = "minh chứng"
        verbose_name_plural = "minh chứng"
        ordering = ["uploaded_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress_report__isnull=False) ^ models.Q(measurement__isnull=False),
                name="evidence_belongs_to_one",
            )
        ]

    def __str__(self) -> str:
        return self.original_name

    def get_absolute_url(self) -> str:
        return reverse("tracking:evidence", args=[self.pk])


class Notification(models.Model):
    """An in-app reminder (đôn đốc). `key` makes the same reminder impossible to send twice."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name="người nhận",
    )
    kind = models.CharField("loại", max_length=20, choices=NotificationKind.choices)
    key = models.CharField(max_length=200, verbose_name="khóa chống gửi trùng")
    title = models.CharField("tiêu đề", max_length=300)
    body = models.TextField("nội dung", blank=True)
    url = models.CharField("liên kết", max_length=300, blank=True)
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True, db_index=True)
    read_at = models.DateTimeField("đã đọc lúc", null=True, blank=True)
    emailed_on = models.DateField("đã gửi thư ngày", null=True, blank=True)

    class Meta:
        verbose_name = "thông báo"
        verbose_name_plural = "thông báo"
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="notification_unique_key")]
        indexes = [models.Index(fields=["user", "read_at"]), models.Index(fields=["emailed_on"])]

    def __str__(self) -> str:
        return self.title


class DigestLog(models.Model):
    """One e-mail digest per user per day."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name="người nhận"
    )
    day = models.DateField(verbose_name="ngày")
    sent_at = models.DateTimeField(auto_now_add=True, verbose_name="gửi lúc")
    count = models.PositiveIntegerField(default=0, verbose_name="số việc")

    class Meta:
        verbose_name = "thư tổng hợp đã gửi"
        verbose_name_plural = "thư tổng hợp đã gửi"
        constraints = [models.UniqueConstraint(fields=["user", "day"], name="digest_once_a_day")]

    def __str__(self) -> str:
        return f"{self.user} {self.day}"
