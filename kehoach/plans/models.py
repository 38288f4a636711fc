from django.conf import settings
from django.db import models
from django.urls import reverse

from kehoach.core.models import TimeStampedModel
from kehoach.core.text import fold
from kehoach.units.models import Unit

from .choices import (
    BudgetSource,
    Commitment,
    Comparator,
    DeadlineKind,
    Direction,
    PlanField,
    PlanStatus,
    TaskUnitRole,
)

ALL_UNITS_LABEL = "Các phòng, cơ quan, đơn vị"


class PlanQuerySet(models.QuerySet):
    def readable_by(self, user) -> "PlanQuerySet":
        from kehoach.units.access import access_for

        return self.filter(access_for(user).read_q("owner_unit__path"))


class Plan(TimeStampedModel):
    """A Kế hoạch as issued: its identity, what it aims at, who carries it out."""

    number = models.CharField("số, ký hiệu", max_length=60, blank=True, help_text="Ví dụ: 97/KH-UBND")
    issued_on = models.DateField("ngày ban hành", null=True, blank=True)
    place = models.CharField("địa danh", max_length=100, blank=True)
    title = models.CharField("trích yếu", max_length=500)
    field = models.CharField("lĩnh vực", max_length=10, choices=PlanField.choices, default=PlanField.OTHER)
    year = models.PositiveSmallIntegerField("năm kế hoạch", db_index=True)
    owner_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="owned_plans", verbose_name="cơ quan ban hành"
    )
    issuer_name = models.CharField("tên cơ quan ban hành", max_length=255, blank=True)
    lead_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="led_plans", verbose_name="đơn vị đầu mối"
    )
    signer_name = models.CharField("người ký", max_length=150, blank=True)
    signer_position = models.CharField("chức vụ người ký", max_length=150, blank=True)
    signer_authority = models.CharField(
        "thẩm quyền ký", max_length=100, blank=True, help_text="Ví dụ: TM. ỦY BAN NHÂN DÂN"
    )
    recipients = models.TextField("nơi nhận", blank=True)
    status = models.CharField(
        "trạng thái", max_length=10, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    # Separation of duties: đầu mối writes and sends his own unit's reports, lãnh đạo accepts them.
    leader_reviews_lead_unit = models.BooleanField(
        "lãnh đạo duyệt báo cáo của đơn vị đầu mối",
        default=False,
        help_text=(
            "Bật để báo cáo tiến độ và số liệu do chính đơn vị đầu mối lập được lãnh đạo UBND chấp nhận "
            "hoặc trả lại; đầu mối không tự chấp nhận báo cáo của đơn vị mình."
        ),
    )
    search_text = models.TextField(editable=False, default="", verbose_name="chuỗi tìm kiếm")

    objects = PlanQuerySet.as_manager()

    class Meta:
        verbose_name = "kế hoạch"
        verbose_name_plural = "kế hoạch"
        ordering = ["-year", "-issued_on", "-id"]
        indexes = [
            models.Index(fields=["owner_unit", "-year"]),
            models.Index(fields=["lead_unit"]),
            models.Index(fields=["status"]),
        ]

    def __str__(self) -> str:
        return f"{self.number} – {self.title}" if self.number else self.title

    def get_absolute_url(self) -> str:
        return reverse("plans:detail", args=[self.pk])

    @staticmethod
    def compose_search_text(*, number: str, title: str, issuer_name: str, field: str, goals=()) -> str:
        """What the plan's search reads: number, title, issuer, field and goals, folded (core.search)."""
        field_label = PlanField(field).label if field in PlanField.values else ""
        return fold(" ".join([number, title, issuer_name, field_label, *goals]))

    def save(self, *args, **kwargs):
        # The goals are rows of their own: `plans.services` saves the plan again when they change.
        goals = [goal.text for goal in self.goals.all()] if self.pk else []
        self.search_text = self.compose_search_text(
            number=self.number, title=self.title, issuer_name=self.issuer_name, field=self.field, goals=goals
        )
        super().save(*args, **kwargs)

    def refresh_search_text(self) -> None:
        """After the goals changed (they are rows of their own): the search text read again and stored."""
        goals = list(Goal.objects.filter(plan=self).order_by("position", "id").values_list("text", flat=True))
        self.search_text = self.compose_search_text(
            number=self.number, title=self.title, issuer_name=self.issuer_name, field=self.field, goals=goals
        )
        Plan.objects.filter(pk=self.pk).update(search_text=self.search_text)


class PlanReference(models.Model):
    """A document the plan is based on or carries out (căn cứ, thực hiện)."""

    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, related_name="references", verbose_name="kế hoạch"
    )
    position = models.PositiveIntegerField("thứ tự", default=0)
    number = models.CharField("số, ký hiệu", max_length=60, blank=True)
    issued_on = models.DateField("ngày ban hành", null=True, blank=True)
    issuer = models.CharField("cơ quan ban hành", max_length=255, blank=True)
    title = models.CharField("trích yếu", max_length=500, blank=True)

    class Meta:
        verbose_name = "căn cứ"
        verbose_name_plural = "căn cứ"
        ordering = ["plan", "position", "id"]

    def __str__(self) -> str:
        return self.number or self.title or "Văn bản"


class Goal(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="goals", verbose_name="kế hoạch")
    position = models.PositiveIntegerField("thứ tự", default=0)
    text = models.TextField("mục tiêu")

    class Meta:
        verbose_name = "mục tiêu"
        verbose_name_plural = "mục tiêu"
        ordering = ["plan", "position", "id"]

    def __str__(self) -> str:
        return self.text[:80]


class IndicatorGroup(models.Model):
    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, related_name="indicator_groups", verbose_name="kế hoạch"
    )
    position = models.PositiveIntegerField("thứ tự", default=0)
    name = models.CharField("tên nhóm", max_length=255)

    class Meta:
        verbose_name = "nhóm chỉ tiêu"
        verbose_name_plural = "nhóm chỉ tiêu"
        ordering = ["plan", "position", "id"]

    def __str__(self) -> str:
        return self.name


class CityIndicator(TimeStampedModel):
    """An entry of a city's shared indicator catalogue: communes' indicators linked to it are compared."""

    city = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="catalogue_indicators", verbose_name="thành phố"
    )
    code = models.CharField("mã", max_length=20, help_text="Mã dùng chung trong thành phố, ví dụ TP-CDS-05")
    name = models.CharField("tên chỉ tiêu", max_length=500)
    unit_of_measure = models.CharField("đơn vị tính", max_length=50)
    direction = models.CharField(
        "chiều tốt", max_length=5, choices=Direction.choices, default=Direction.HIGHER
    )
    position = models.PositiveIntegerField("thứ tự", default=0)
    search_text = models.TextField(editable=False, default="", verbose_name="chuỗi tìm kiếm")

    class Meta:
        verbose_name = "chỉ tiêu dùng chung của thành phố"
        verbose_name_plural = "danh mục chỉ tiêu dùng chung"
        ordering = ["city", "position", "code"]
        constraints = [models.UniqueConstraint(fields=["city", "code"], name="city_indicator_unique_code")]

    def __str__(self) -> str:
        return f"{self.code} – {self.name}"

    def save(self, *args, **kwargs):
        self.search_text = fold(" ".join([self.code, self.name]))
        super().save(*args, **kwargs)


class Indicator(TimeStampedModel):
    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, related_name="indicators", verbose_name="kế hoạch"
    )
    group = models.ForeignKey(
        IndicatorGroup,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="indicators",
        verbose_name="nhóm chỉ tiêu",
    )
    position = models.PositiveIntegerField("thứ tự", default=0)
    code = models.CharField(
        "mã chỉ tiêu", max_length=20, help_text="Mã ổn định dùng khi trao đổi dữ liệu, ví dụ CT01"
    )
    name = models.CharField("tên chỉ tiêu", max_length=500)
    comparator = models.CharField(
        "so sánh", max_length=10, choices=Comparator.choices, default=Comparator.AT_LEAST
    )
    target = models.DecimalField("giá trị mục tiêu", max_digits=14, decimal_places=2)
    target_max = models.DecimalField("giá trị tối đa", max_digits=14, decimal_places=2, null=True, blank=True)
    unit_of_measure = models.CharField("đơn vị tính", max_length=50)
    commitment = models.CharField(
        "mức cam kết", max_length=10, choices=Commitment.choices, default=Commitment.REQUIRED
    )
    baseline = models.DecimalField("giá trị đầu kỳ", max_digits=14, decimal_places=2, null=True, blank=True)
    method = models.TextField("cách tính, nguồn số liệu", blank=True)
    lead_unit = models.ForeignKey(
        Unit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="led_indicators",
        verbose_name="đơn vị chủ trì",
    )
    coordinating_units = models.ManyToManyField(
        Unit, blank=True, related_name="coordinated_indicators", verbose_name="đơn vị phối hợp"
    )
    city_indicator = models.ForeignKey(
        CityIndicator,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="indicators",
        verbose_name="chỉ tiêu dùng chung của thành phố",
        help_text="Liên kết để so sánh chỉ tiêu này giữa các xã, phường.",
    )
    search_text = models.TextField(editable=False, default="", verbose_name="chuỗi tìm kiếm")

    class Meta:
        verbose_name = "chỉ tiêu"
        verbose_name_plural = "chỉ tiêu"
        ordering = ["plan", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["plan", "code"], name="indicator_unique_code")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("plans:indicator", args=[self.pk])

    @staticmethod
    def compose_search_text(*, code: str, name: str) -> str:
        return fold(" ".join([code, name]))

    def save(self, *args, **kwargs):
        self.search_text = self.compose_search_text(code=self.code, name=self.name)
        super().save(*args, **kwargs)

    @property
    def is_rate(self) -> bool:
        return self.unit_of_measure.strip() == "%"

    @property
    def target_in_words(self) -> str:
        from .services.wording import target_in_words

        return target_in_words(self)


class MeasureSection(models.Model):
    """A heading of the "Nhiệm vụ, giải pháp" part; sub-headings (a, b) have a parent."""

    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, related_name="measure_sections", verbose_name="kế hoạch"
    )
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="children",
        verbose_name="mục cha",
    )
    position = models.PositiveIntegerField("thứ tự", default=0)
    label = models.CharField("số mục", max_length=10, blank=True, help_text="Ví dụ: 1, 2, a, b")
    title = models.CharField("tiêu đề", max_length=500)

    class Meta:
        verbose_name = "mục nhiệm vụ, giải pháp"
        verbose_name_plural = "mục nhiệm vụ, giải pháp"
        ordering = ["plan", "position", "id"]

    def __str__(self) -> str:
        return self.title


class Measure(models.Model):
    section = models.ForeignKey(
        MeasureSection, on_delete=models.CASCADE, related_name="measures", verbose_name="mục"
    )
    position = models.PositiveIntegerField("thứ tự", default=0)
    text = models.TextField("nội dung")

    class Meta:
        verbose_name = "nhiệm vụ, giải pháp"
        verbose_name_plural = "nhiệm vụ, giải pháp"
        ordering = ["section", "position", "id"]

    def __str__(self) -> str:
        return self.text[:80]


class Responsibility(TimeStampedModel):
    """What one unit must do under "Tổ chức thực hiện"."""

    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, related_name="responsibilities", verbose_name="kế hoạch"
    )
    position = models.PositiveIntegerField("thứ tự", default=0)
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="responsibilities", verbose_name="đơn vị"
    )
    duties = models.JSONField("nhiệm vụ được giao", default=list)

    class Meta:
        verbose_name = "trách nhiệm đơn vị"
        verbose_name_plural = "trách nhiệm đơn vị"
        ordering = ["plan", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["plan", "unit"], name="responsibility_unique_unit")]

    def __str__(self) -> str:
        return f"Trách nhiệm của {self.unit}"


class Trigger(TimeStampedModel):
    """An event some tasks wait for, e.g. "Thành phố ban hành Kế hoạch"; recorded with its document."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="triggers", verbose_name="kế hoạch")
    description = models.CharField("điều kiện", max_length=300)
    document_number = models.CharField("số, ký hiệu văn bản", max_length=60, blank=True)
    document_issuer = models.CharField("cơ quan ban hành", max_length=255, blank=True)
    document_title = models.CharField("trích yếu văn bản", max_length=500, blank=True)
    expected_on = models.DateField(
        "ngày dự kiến xảy ra",
        null=True,
        blank=True,
        help_text="Để kịch bản điều hành cảnh báo khi quá ngày này mà sự kiện chưa xảy ra.",
    )
    occurred_on = models.DateField("ngày xảy ra", null=True, blank=True)
    recorded_at = models.DateTimeField("ghi nhận lúc", null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="người ghi nhận",
    )

    class Meta:
        verbose_name = "sự kiện điều kiện"
        verbose_name_plural = "sự kiện điều kiện"
        ordering = ["plan", "id"]

    def __str__(self) -> str:
        return self.description

    @property
    def is_fulfilled(self) -> bool:
        return self.occurred_on is not None


class TaskQuerySet(models.QuerySet):
    def readable_by(self, user) -> "TaskQuerySet":
        from kehoach.units.access import access_for

        return self.filter(access_for(user).read_q("plan__owner_unit__path"))


class Task(TimeStampedModel):
    """A concrete task of the plan's appendix: owner units, output, deadline, resources."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="tasks", verbose_name="kế hoạch")
    position = models.PositiveIntegerField("STT", default=0)
    title = models.CharField("nhiệm vụ", max_length=500)
    description = models.TextField("nội dung chi tiết", blank=True)
    output = models.CharField("kết quả/sản phẩm", max_length=300, blank=True)
    units = models.ManyToManyField(Unit, through="TaskUnit", related_name="tasks", verbose_name="đơn vị")
    coordinates_all_units = models.BooleanField(
        "mọi phòng, cơ quan, đơn vị phối hợp", default=False, help_text=f"Kế hoạch ghi: “{ALL_UNITS_LABEL}”"
    )
    deadline_text = models.CharField("thời hạn (như ghi trong kế hoạch)", max_length=200)
    deadline_kind = models.CharField("loại thời hạn", max_length=12, choices=DeadlineKind.choices)
    deadline_date = models.DateField("ngày hạn", null=True, blank=True)
    trigger = models.ForeignKey(
        Trigger,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tasks",
        verbose_name="chờ sự kiện",
    )
    lead_time_days = models.PositiveIntegerField(
        "số ngày thực hiện sau sự kiện", null=True, blank=True, help_text="Để trống: 30 ngày"
    )
    # Derived by services.schedule from the fields above and the trigger; indexed for filters.
    starts_on = models.DateField("bắt đầu từ", null=True, blank=True, editable=False)
    due_on = models.DateField("hạn hoàn thành", null=True, blank=True, editable=False)
    # Set only when tracking accepts a report with evidence of the output; never typed by hand.
    completed_on = models.DateField("ngày hoàn thành", null=True, blank=True, editable=False)
    budget_amount = models.BigIntegerField("kinh phí (đồng)", null=True, blank=True)
    budget_source = models.CharField(
        "nguồn kinh phí", max_length=20, choices=BudgetSource.choices, blank=True
    )
    budget_note = models.CharField("ghi chú nguồn lực", max_length=500, blank=True)
    search_text = models.TextField(editable=False, default="", verbose_name="chuỗi tìm kiếm")

    objects = TaskQuerySet.as_manager()

    class Meta:
        verbose_name = "nhiệm vụ"
        verbose_name_plural = "nhiệm vụ"
        ordering = ["plan", "position", "id"]
        indexes = [
            models.Index(fields=["plan", "position"]),
            models.Index(fields=["due_on"]),
            models.Index(fields=["deadline_kind", "due_on"]),
            models.Index(fields=["completed_on"]),
            models.Index(fields=["starts_on"]),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("plans:task", args=[self.pk])

    def save(self, *args, **kwargs):
        self.search_text = fold(" ".join([self.title, self.output, self.description]))
        super().save(*args, **kwargs)

    @property
    def effective_lead_time_days(self) -> int:
        if self.lead_time_days is not None:
            return self.lead_time_days
        return settings.KEHOACH_DEFAULT_LEAD_TIME_DAYS

    def status(self, today=None):
        from .status import task_status

        return task_status(self, today=today)

    def _units_with(self, role: str) -> list[Unit]:
        # Uses the prefetched "task_units" when present so lists stay at a fixed number of queries.
        links = sorted(self.task_units.all(), key=lambda link: (link.position, link.pk))
        return [link.unit for link in links if link.role == role]

    @property
    def lead_units(self) -> list[Unit]:
        return self._units_with(TaskUnitRole.LEAD)

    @property
    def coordinating_units(self) -> list[Unit]:
        return self._units_with(TaskUnitRole.COORDINATE)


class TaskUnit(models.Model):
    task = models.ForeignKey(
        Task, on_delete=models.CASCADE, related_name="task_units", verbose_name="nhiệm vụ"
    )
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="task_links", verbose_name="đơn vị")
    role = models.CharField("vai trò", max_length=10, choices=TaskUnitRole.choices)
    position = models.PositiveSmallIntegerField(default=0, verbose_name="thứ tự")

    class Meta:
        verbose_name = "đơn vị thực hiện"
        verbose_name_plural = "đơn vị thực hiện"
        constraints = [models.UniqueConstraint(fields=["task", "unit"], name="task_unit_unique")]
        indexes = [models.Index(fields=["unit", "role"])]

    def __str__(self) -> str:
        return f"{self.unit} ({self.get_role_display()})"
