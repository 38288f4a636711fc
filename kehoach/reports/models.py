"""The periodic report a commune sends upward: a draft đầu mối edits, then an issued, frozen document."""

from django.conf import settings
from django.db import models
from django.urls import reverse

from kehoach.core.models import TimeStampedModel
from kehoach.core.text import fold
from kehoach.documents.models import OutgoingDocument
from kehoach.plans.models import Plan
from kehoach.tracking.choices import PeriodKind
from kehoach.tracking.periods import period_label


class ReportState(models.TextChoices):
    DRAFT = "du_thao", "Dự thảo"
    SUBMITTED = "cho_ky", "Chờ ký"
    ISSUED = "da_ban_hanh", "Đã ban hành"


# Not yet issued: đầu mối's draft, or the draft submitted to lãnh đạo for signature.
OPEN_STATES = (ReportState.DRAFT, ReportState.SUBMITTED)


# What đầu mối writes in a draft; everything else is compiled from the data.
EDITABLE_FIELDS = (
    "title",
    "introduction",
    "direction",
    "shortcomings",
    "next_steps",
    "proposals",
    "recipients",
    "signer_authority",
    "signer_delegation",
    "signer_position",
    "signer_name",
)


class ReportQuerySet(models.QuerySet):
    def readable_by(self, user) -> "ReportQuerySet":
        from kehoach.units.access import access_for

        return self.filter(access_for(user).read_q("plan__owner_unit__path"))


class Report(TimeStampedModel):
    """ "Báo cáo kết quả thực hiện Kế hoạch …" for one period of the plan's year.

    The period is named by kind and number, not by a `Period` row: a 9-month report is written even
    where units report by quarter; its figures come from the reporting period with the same cut-off.
    """

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="reports", verbose_name="kế hoạch")
    period_kind = models.CharField("loại kỳ", max_length=10, choices=PeriodKind.choices)
    period_number = models.PositiveSmallIntegerField("kỳ số", default=1)
    state = models.CharField(
        "trạng thái", max_length=12, choices=ReportState.choices, default=ReportState.DRAFT, db_index=True
    )
    title = models.CharField("trích yếu", max_length=500)
    introduction = models.TextField("mở đầu", blank=True)
    direction = models.TextField("công tác chỉ đạo, triển khai", blank=True)
    shortcomings = models.TextField("tồn tại, hạn chế và nguyên nhân", blank=True)
    next_steps = models.TextField("phương hướng, nhiệm vụ kỳ tới", blank=True)
    proposals = models.TextField("đề xuất, kiến nghị", blank=True)
    recipients = models.TextField("nơi nhận", blank=True, help_text="Mỗi dòng một nơi nhận.")
    signer_authority = models.CharField("thẩm quyền ký", max_length=100, default="TM. ỦY BAN NHÂN DÂN")
    signer_delegation = models.CharField(
        "ký thay", max_length=100, blank=True, help_text="Ví dụ: KT. CHỦ TỊCH; để trống khi Chủ tịch ký."
    )
    signer_position = models.CharField("chức vụ người ký", max_length=100, default="CHỦ TỊCH")
    signer_name = models.CharField("họ tên người ký", max_length=150, blank=True)
    # Everything the report states, frozen at issue together with `document.content`.
    data = models.JSONField("số liệu khi ban hành", default=dict, blank=True)
    document = models.OneToOneField(
        OutgoingDocument,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="report",
        verbose_name="văn bản đã ban hành",
    )
    # Trình ký: đầu mối hands the draft to lãnh đạo; lãnh đạo signs it or returns it with a reason.
    submitted_at = models.DateTimeField("trình ký lúc", null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="người trình ký",
    )
    returned_at = models.DateTimeField("trả lại lúc", null=True, blank=True)
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="người trả lại",
    )
    return_reason = models.TextField("lý do trả lại", blank=True)
    issued_at = models.DateTimeField("ban hành lúc", null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="người ký ban hành",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="người lập",
    )
    version = models.PositiveIntegerField(default=1, editable=False, verbose_name="phiên bản")
    search_text = models.TextField(editable=False, default="", verbose_name="chuỗi tìm kiếm")

    objects = ReportQuerySet.as_manager()

    class Meta:
        verbose_name = "báo cáo định kỳ"
        verbose_name_plural = "báo cáo định kỳ"
        ordering = ["-plan__year", "plan_id", "-created_at"]
        constraints = [
            # One report in the works per period (draft or awaiting signature); issued reports stay, a
            # corrected one is a new draft.
            models.UniqueConstraint(
                fields=["plan", "period_kind", "period_number"],
                condition=models.Q(state__in=["du_thao", "cho_ky"]),
                name="report_one_open_per_period",
            )
        ]
        indexes = [models.Index(fields=["plan", "period_kind", "period_number"])]

    def __str__(self) -> str:
        return f"Báo cáo {self.period_label} – {self.plan}"

    @property
    def period_label(self) -> str:
        return period_label(self.period_kind, self.plan.year, self.period_number)

    @property
    def is_draft(self) -> bool:
        """Đầu mối's draft, editable (not while it awaits signature)."""
        return self.state == ReportState.DRAFT

    @property
    def is_submitted(self) -> bool:
        """Trình ký: awaiting lãnh đạo's signature or return."""
        return self.state == ReportState.SUBMITTED

    @property
    def is_issued(self) -> bool:
        return self.state == ReportState.ISSUED

    def get_absolute_url(self) -> str:
        return reverse("reports:detail", args=[self.pk])

    def save(self, *args, **kwargs):
        # Title and period ("Quý I năm 2026"): what the search page finds a report by (core.search).
        self.search_text = fold(" ".join([self.title, self.period_label]))
        super().save(*args, **kwargs)
