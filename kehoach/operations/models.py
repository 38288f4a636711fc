"""Operating scenarios (kịch bản điều hành), the alerts they raise, reminders sent from the centre."""

from django.conf import settings
from django.db import models
from django.urls import reverse

from kehoach.core.models import TimeStampedModel
from kehoach.plans.models import Indicator, Plan, Task
from kehoach.tracking.models import Period
from kehoach.units.models import Unit

from .choices import AlertAction, AlertState, ScenarioKind, Severity


class ScenarioQuerySet(models.QuerySet):
    def readable_by(self, user) -> "ScenarioQuerySet":
        from kehoach.units.access import access_for

        return self.filter(access_for(user).read_q("plan__owner_unit__path"))


class Scenario(TimeStampedModel):
    """A rule over one plan's data that raises an alert of a severity to chosen recipients."""

    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, related_name="scenarios", verbose_name="kế hoạch"
    )
    kind = models.CharField("loại kịch bản", max_length=20, choices=ScenarioKind.choices)
    name = models.CharField("tên kịch bản", max_length=200)
    severity = models.CharField(
        "mức cảnh báo", max_length=5, choices=Severity.choices, default=Severity.YELLOW
    )
    days = models.PositiveSmallIntegerField(
        "số ngày (N)",
        default=0,
        help_text="Ý nghĩa theo loại kịch bản: số ngày sau ngày chốt, số ngày trước hạn, số kỳ…",
    )
    threshold = models.DecimalField(
        "ngưỡng (%)",
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Với chỉ tiêu: cảnh báo khi đạt dưới ngưỡng này của mục tiêu (để trống: 100%).",
    )
    use_forecast = models.BooleanField(
        "xét cả giá trị dự báo cuối năm", default=True, help_text="Chỉ dùng cho kịch bản chỉ tiêu."
    )
    notify_units = models.BooleanField("báo đơn vị chịu trách nhiệm", default=True)
    notify_coordinators = models.BooleanField("báo đầu mối", default=True)
    notify_leaders = models.BooleanField("báo lãnh đạo", default=False)
    escalate_after_days = models.PositiveSmallIntegerField(
        "chuyển cấp sau (ngày)",
        null=True,
        blank=True,
        help_text=(
            "Không ai tiếp nhận sau số ngày này thì nâng mức cảnh báo và báo lãnh đạo. "
            "Để trống: không chuyển cấp."
        ),
    )
    enabled = models.BooleanField("đang áp dụng", default=True)
    position = models.PositiveSmallIntegerField("thứ tự", default=0)

    objects = ScenarioQuerySet.as_manager()

    class Meta:
        verbose_name = "kịch bản điều hành"
        verbose_name_plural = "kịch bản điều hành"
        ordering = ["plan", "position", "id"]
        indexes = [models.Index(fields=["plan", "enabled"])]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("operations:scenario_edit", args=[self.plan_id, self.pk])


class AlertQuerySet(models.QuerySet):
    def readable_by(self, user) -> "AlertQuerySet":
        from kehoach.units.access import access_for

        return self.filter(access_for(user).read_q("plan__owner_unit__path"))

    def active(self) -> "AlertQuerySet":
        return self.exclude(state=AlertState.RESOLVED)


class Alert(TimeStampedModel):
    """One occurrence of a scenario's condition on one subject; never two open for the same condition."""

    scenario = models.ForeignKey(
        Scenario, on_delete=models.CASCADE, related_name="alerts", verbose_name="kịch bản"
    )
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="alerts", verbose_name="kế hoạch")
    # The condition's identity within the scenario, e.g. "task:12" or "indicator:3"; see services/rules.py.
    key = models.CharField(max_length=120, verbose_name="khóa điều kiện")
    severity = models.CharField("mức cảnh báo", max_length=5, choices=Severity.choices)
    state = models.CharField("trạng thái", max_length=8, choices=AlertState.choices, default=AlertState.OPEN)
    title = models.CharField("cảnh báo", max_length=400)
    detail = models.TextField("chi tiết", blank=True)
    url = models.CharField("liên kết", max_length=300, blank=True)
    unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.SET_NULL, related_name="alerts", verbose_name="đơn vị"
    )
    task = models.ForeignKey(
        Task, null=True, blank=True, on_delete=models.CASCADE, related_name="alerts", verbose_name="nhiệm vụ"
    )
    indicator = models.ForeignKey(
        Indicator,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="alerts",
        verbose_name="chỉ tiêu",
    )
    period = models.ForeignKey(
        Period,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="alerts",
        verbose_name="kỳ báo cáo",
    )
    raised_at = models.DateTimeField("phát sinh lúc")
    raised_on = models.DateField("ngày phát sinh")
    acknowledged_at = models.DateTimeField("tiếp nhận lúc", null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="người tiếp nhận",
    )
    acknowledge_note = models.TextField("ghi chú tiếp nhận", blank=True)
    escalated_at = models.DateTimeField("chuyển cấp lúc", null=True, blank=True)
    resolved_at = models.DateTimeField("xử lý xong lúc", null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="người xử lý xong",
    )
    resolve_note = models.TextField("ghi chú xử lý", blank=True)
    # Resolved by a person while the condition still held: the same condition is not raised again
    # until the data clears it once (then this flag drops and a later recurrence is a new alert).
    holds_condition = models.BooleanField(default=False, editable=False, verbose_name="điều kiện còn đúng")

    objects = AlertQuerySet.as_manager()

    class Meta:
        verbose_name = "cảnh báo"
        verbose_name_plural = "cảnh báo"
        ordering = ["-raised_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["scenario", "key"],
                condition=~models.Q(state="da_xu_ly"),
                name="alert_one_active_per_condition",
            )
        ]
        indexes = [
            models.Index(fields=["plan", "state", "severity"]),
            models.Index(fields=["state", "raised_on"]),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("operations:alert", args=[self.pk])

    @property
    def is_active(self) -> bool:
        return self.state != AlertState.RESOLVED


class AlertEvent(models.Model):
    """The alert's history: raised, acknowledged, escalated, resolved by someone or cleared by the data."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="events", verbose_name="cảnh báo")
    action = models.CharField("sự kiện", max_length=15, choices=AlertAction.choices)
    at = models.DateTimeField("lúc")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="người thực hiện",
    )
    note = models.TextField("ghi chú", blank=True)

    class Meta:
        verbose_name = "diễn biến cảnh báo"
        verbose_name_plural = "diễn biến cảnh báo"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.at:%d/%m/%Y %H:%M}"


class Reminder(models.Model):
    """An "đôn đốc" sent from the centre to a unit that owes reports or figures for a period."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="+", verbose_name="kế hoạch")
    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="+", verbose_name="kỳ báo cáo")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+", verbose_name="đơn vị")
    sent_at = models.DateTimeField("gửi lúc")
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="người gửi",
    )
    recipients = models.PositiveSmallIntegerField("số người nhận", default=0)
    owed = models.TextField("việc còn nợ", blank=True)

    class Meta:
        verbose_name = "đôn đốc"
        verbose_name_plural = "đôn đốc"
        ordering = ["-sent_at", "-id"]
        indexes = [models.Index(fields=["period", "unit", "-sent_at"])]

    def __str__(self) -> str:
        return f"Đôn đốc {self.unit} {self.sent_at:%d/%m/%Y}"


class DailyRun(models.Model):
    """The day's scheduled work (reminders, scenario evaluation, digest) happened once per day."""

    day = models.DateField("ngày", unique=True)
    started_at = models.DateTimeField("bắt đầu lúc")
    finished_at = models.DateTimeField("xong lúc", null=True, blank=True)
    result = models.JSONField("kết quả", default=dict, blank=True)

    class Meta:
        verbose_name = "lần chạy hằng ngày"
        verbose_name_plural = "lần chạy hằng ngày"
        ordering = ["-day"]

    def __str__(self) -> str:
        return f"{self.day:%d/%m/%Y}"


class DataVersion(models.Model):
    """A token that changes whenever the data behind a plan (scope "plan:<id>") or behind a city's
    comparison ("city:<id>") changes, so cached pages keyed by it are never served stale."""

    scope = models.CharField("phạm vi", max_length=40, unique=True)
    token = models.CharField("mã phiên bản", max_length=32)
    changed_at = models.DateTimeField("thay đổi lúc")

    class Meta:
        verbose_name = "phiên bản dữ liệu"
        verbose_name_plural = "phiên bản dữ liệu"

    def __str__(self) -> str:
        return self.scope
