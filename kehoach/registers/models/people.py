"""Cán bộ và kỹ năng số: the roster of officials, digital-skills courses with their attendance, and
Bình dân học vụ số completions. Together they feed "cán bộ, công chức, viên chức được tập huấn, bồi
dưỡng kỹ năng số" (distinct officials trained in the year ÷ officials employed)."""

import datetime
import unicodedata

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone

from kehoach.core.text import fold

from .base import RegisterModel, RegisterQuerySet


def name_key(text: str | None) -> str:
    """A person's or a course's name for matching: same letters and diacritics, any case or spacing."""
    return " ".join(unicodedata.normalize("NFC", text or "").split()).casefold()


class OfficialCategory(models.TextChoices):
    CADRE = "can_bo", "Cán bộ"
    CIVIL_SERVANT = "cong_chuc", "Công chức"
    PUBLIC_EMPLOYEE = "vien_chuc", "Viên chức"
    WORKER = "nguoi_lao_dong", "Người lao động"


class OfficialQuerySet(RegisterQuerySet):
    def employed_on(self, day: datetime.date) -> "OfficialQuerySet":
        """Officials in post on that day: started on or before it, not left before it."""
        return self.filter(employed_from__lte=day).filter(
            models.Q(employed_until__isnull=True) | models.Q(employed_until__gte=day)
        )


class Official(RegisterModel):
    """One cán bộ, công chức, viên chức (or người lao động) of a unit, with the dates of employment."""

    code = models.CharField("mã cán bộ", max_length=40, blank=True)
    full_name = models.CharField("họ và tên", max_length=200)
    birth_date = models.DateField("ngày sinh", null=True, blank=True)
    position = models.CharField("chức vụ, vị trí việc làm", max_length=200, blank=True)
    category = models.CharField(
        "phân loại", max_length=20, choices=OfficialCategory.choices, default=OfficialCategory.CIVIL_SERVANT
    )
    employed_from = models.DateField("ngày bắt đầu công tác")
    employed_until = models.DateField(
        "ngày thôi công tác", null=True, blank=True, help_text="Để trống nếu đang công tác."
    )

    objects = OfficialQuerySet.as_manager()

    search_fields = ("full_name", "code", "position")

    class Meta:
        verbose_name = "cán bộ"
        verbose_name_plural = "cán bộ, công chức, viên chức"
        ordering = ["full_name", "id"]
        indexes = [
            models.Index(fields=["owner_unit", "category"]),
            models.Index(fields=["owner_unit", "employed_from", "employed_until"]),
            models.Index(fields=["owner_unit", "full_name"]),
            models.Index(fields=["unit"]),
        ]

    def __str__(self) -> str:
        return self.full_name

    def get_absolute_url(self) -> str:
        return reverse("registers:detail", args=["can-bo", self.pk])

    @property
    def is_employed(self) -> bool:
        return self.employed_until is None or self.employed_until >= timezone.localdate()

    def clean(self):
        errors = {}
        self.full_name = " ".join((self.full_name or "").split())
        self.code = (self.code or "").strip()
        if self.birth_date and self.employed_from and self.birth_date >= self.employed_from:
            errors["birth_date"] = "Ngày sinh phải trước ngày bắt đầu công tác."
        if self.employed_from and self.employed_until and self.employed_until < self.employed_from:
            errors["employed_until"] = "Ngày thôi công tác không được trước ngày bắt đầu công tác."
        if self.code and self.owner_unit_id:
            clash = (
                Official.objects.filter(owner_unit_id=self.owner_unit_id, code=self.code)
                .exclude(pk=self.pk)
                .first()
            )
            if clash:
                errors["code"] = f"Mã cán bộ “{self.code}” đã dùng cho {clash.full_name}."
        if errors:
            raise ValidationError(errors)


class CourseForm(models.TextChoices):
    IN_PERSON = "truc_tiep", "Trực tiếp"
    ONLINE = "truc_tuyen", "Trực tuyến"


class DigitalSkillCourse(RegisterModel):
    """A digital-skills training course (tập huấn, bồi dưỡng kỹ năng số); its attendance is kept on it."""

    title = models.CharField("tên khóa tập huấn", max_length=500)
    organiser = models.CharField("đơn vị tổ chức", max_length=255, blank=True)
    starts_on = models.DateField("ngày bắt đầu")
    ends_on = models.DateField(
        "ngày kết thúc", null=True, blank=True, help_text="Để trống nếu khóa học trong một ngày."
    )
    hours = models.DecimalField("số giờ", max_digits=6, decimal_places=1, null=True, blank=True)
    form = models.CharField(
        "hình thức", max_length=20, choices=CourseForm.choices, default=CourseForm.IN_PERSON
    )
    evidence = models.TextField(
        "minh chứng", blank=True, help_text="Kế hoạch, quyết định mở lớp, danh sách ký, đường dẫn…"
    )

    search_fields = ("title", "organiser", "evidence")

    class Meta:
        verbose_name = "khóa tập huấn kỹ năng số"
        verbose_name_plural = "khóa tập huấn kỹ năng số"
        ordering = ["-starts_on", "-id"]
        indexes = [
            models.Index(fields=["owner_unit", "starts_on"]),
            models.Index(fields=["owner_unit", "ends_on"]),
            models.Index(fields=["owner_unit", "form"]),
            models.Index(fields=["unit"]),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("registers:detail", args=["tap-huan-ky-nang-so", self.pk])

    def clean(self):
        errors = {}
        self.title = " ".join((self.title or "").split())
        if self.starts_on and not self.ends_on:
            self.ends_on = self.starts_on
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            errors["ends_on"] = "Ngày kết thúc không được trước ngày bắt đầu."
        if self.hours is not None and self.hours <= 0:
            errors["hours"] = "Số giờ phải lớn hơn 0."
        if errors:
            raise ValidationError(errors)


class CourseAttendance(RegisterModel):
    """One official on a course's list of learners; counts when completed.

    Import files name the course and the official in words (Khóa học, Họ và tên, Đơn vị); `clean()`
    finds them in the commune's registers, so a file, the course page and the form validate alike.
    """

    course = models.ForeignKey(
        DigitalSkillCourse,
        on_delete=models.CASCADE,
        related_name="attendances",
        verbose_name="khóa tập huấn",
        blank=True,
    )
    official = models.ForeignKey(
        Official, on_delete=models.CASCADE, related_name="attendances", verbose_name="cán bộ", blank=True
    )
    completed = models.BooleanField("hoàn thành", default=True)

    search_fields = ("official_name", "course_title")

    class Meta:
        verbose_name = "học viên khóa tập huấn"
        verbose_name_plural = "học viên khóa tập huấn kỹ năng số"
        ordering = ["-course__starts_on", "course_id", "official__full_name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["course", "official"],
                name="registers_attendance_once",
                violation_error_message="Cán bộ này đã có trong danh sách học viên của khóa học.",
            )
        ]
        indexes = [
            models.Index(fields=["owner_unit", "completed"]),
            models.Index(fields=["official"]),
            models.Index(fields=["unit"]),
        ]

    def __str__(self) -> str:
        return f"{self.official_name} – {self.course_title}"

    def get_absolute_url(self) -> str:
        return reverse("registers:detail", args=["hoc-vien-tap-huan", self.pk])

    # The words an import file gives; read back from the linked rows for export.
    @property
    def course_title(self) -> str:
        if getattr(self, "_course_title", None) is not None:
            return self._course_title
        return self.course.title if self.course_id else ""

    @course_title.setter
    def course_title(self, value: str) -> None:
        self._course_title = value or ""

    @property
    def course_starts_on(self) -> datetime.date | None:
        if getattr(self, "_course_starts_on", None) is not None:
            return self._course_starts_on
        return self.course.starts_on if self.course_id else None

    @course_starts_on.setter
    def course_starts_on(self, value: datetime.date | None) -> None:
        self._course_starts_on = value

    @property
    def official_name(self) -> str:
        if getattr(self, "_official_name", None) is not None:
            return self._official_name
        return self.official.full_name if self.official_id else ""

    @official_name.setter
    def official_name(self, value: str) -> None:
        self._official_name = value or ""

    @property
    def official_unit(self):
        if getattr(self, "_official_unit", None) is not None:
            return self._official_unit
        return self.official.unit if self.official_id else None

    @official_unit.setter
    def official_unit(self, value) -> None:
        self._official_unit = value

    def _find_course(self, errors: dict) -> None:
        title = self._course_title
        candidates = [
            c
            for c in DigitalSkillCourse.objects.filter(
                owner_unit_id=self.owner_unit_id, search_text__contains=fold(title)
            ).select_related("unit")
            if name_key(c.title) == name_key(title)
        ]
        starts_on = getattr(self, "_course_starts_on", None)
        if starts_on:
            candidates = [c for c in candidates if c.starts_on == starts_on]
        if len(candidates) == 1:
            self.course = candidates[0]
        elif not candidates:
            when = f" bắt đầu ngày {starts_on:%d/%m/%Y}" if starts_on else ""
            errors["course_title"] = f"Không có khóa tập huấn “{title}”{when} trong sổ của xã."
        else:
            errors["course_title"] = (
                f"Có {len(candidates)} khóa tập huấn tên “{title}”; hãy ghi cột Ngày bắt đầu khóa học."
            )

    def _find_official(self, errors: dict) -> None:
        name = self._official_name
        unit = getattr(self, "_official_unit", None)
        candidates = [
            o
            for o in Official.objects.filter(
                owner_unit_id=self.owner_unit_id, search_text__contains=fold(name)
            )
            if name_key(o.full_name) == name_key(name)
        ]
        if unit is not None:
            candidates = [o for o in candidates if o.unit_id == unit.pk]
        if len(candidates) == 1:
            self.official = candidates[0]
        elif not candidates:
            where = f" thuộc {unit}" if unit is not None else ""
            errors["official_name"] = f"Không có cán bộ “{name}”{where} trong danh sách cán bộ của xã."
        else:
            errors["official_name"] = (
                f"Có {len(candidates)} cán bộ tên “{name}”; hãy ghi cột Đơn vị để phân biệt."
            )

    def clean(self):
        errors: dict[str, str] = {}
        if getattr(self, "_course_title", None):
            self._find_course(errors)
        if getattr(self, "_official_name", None):
            self._find_official(errors)
        if errors:
            raise ValidationError(errors)
        if not self.course_id:
            errors["course_title" if hasattr(self, "_course_title") else "course"] = (
                "Chưa chọn khóa tập huấn."
            )
        if not self.official_id:
            errors["official_name" if hasattr(self, "_official_name") else "official"] = "Chưa chọn cán bộ."
        if errors:
            raise ValidationError(errors)
        course, official = self.course, self.official
        if self.owner_unit_id and (
            course.owner_unit_id != self.owner_unit_id or official.owner_unit_id != self.owner_unit_id
        ):
            errors["course"] = "Khóa tập huấn và cán bộ phải cùng một xã với sổ."
        elif self.unit_id and course.unit_id != self.unit_id:
            errors["course_title" if hasattr(self, "_course_title") else "course"] = (
                f"Khóa tập huấn “{course.title}” do {course.unit} theo dõi; "
                "danh sách học viên do đơn vị đó cập nhật."
            )
        elif (
            CourseAttendance.objects.filter(course_id=course.pk, official_id=official.pk)
            .exclude(pk=self.pk)
            .exists()
        ):
            errors["official_name" if hasattr(self, "_official_name") else "official"] = (
                f"{official.full_name} đã có trong danh sách học viên của khóa “{course.title}”."
            )
        if errors:
            raise ValidationError(errors)

    def validate_constraints(self, exclude=None):
        # clean() already says which official is listed twice, by name; the constraint guards the database.
        exclude = set(exclude or ()) | {"official"}
        super().validate_constraints(exclude=exclude)


class DigitalLiteracyCompletion(RegisterModel):
    """A Bình dân học vụ số completion imported from the platform's export, matched to the roster by name."""

    full_name = models.CharField("họ và tên", max_length=200)
    birth_date = models.DateField("ngày sinh", null=True, blank=True)
    official = models.ForeignKey(
        Official,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="literacy_completions",
        verbose_name="cán bộ trong danh sách",
        help_text=(
            "Để trống để hệ thống tự khớp theo họ tên (và ngày sinh nếu có) trong danh sách cán bộ của xã."
        ),
    )
    module = models.CharField("khóa học, học phần", max_length=500)
    completed_on = models.DateField("ngày hoàn thành")
    platform = models.CharField("nền tảng", max_length=200, default="Bình dân học vụ số", blank=True)
    certificate = models.CharField("số chứng nhận", max_length=100, blank=True)

    search_fields = ("full_name", "module", "certificate")

    class Meta:
        verbose_name = "kết quả Bình dân học vụ số"
        verbose_name_plural = "kết quả Bình dân học vụ số"
        ordering = ["-completed_on", "full_name", "id"]
        indexes = [
            models.Index(fields=["owner_unit", "completed_on"]),
            models.Index(fields=["owner_unit", "full_name"]),
            models.Index(fields=["official"]),
            models.Index(fields=["unit"]),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} – {self.module}"

    def get_absolute_url(self) -> str:
        return reverse("registers:detail", args=["binh-dan-hoc-vu-so", self.pk])

    def match_official(self) -> Official | None:
        """The one official of the commune with this name (and birth date, when both are known)."""
        candidates = [
            o
            for o in Official.objects.filter(
                owner_unit_id=self.owner_unit_id, search_text__contains=fold(self.full_name)
            )
            if name_key(o.full_name) == name_key(self.full_name)
        ]
        if self.birth_date:
            candidates = [o for o in candidates if o.birth_date in (None, self.birth_date)]
        return candidates[0] if len(candidates) == 1 else None

    def clean(self):
        errors = {}
        self.full_name = " ".join((self.full_name or "").split())
        if not self.platform:
            self.platform = "Bình dân học vụ số"
        if self.birth_date and self.completed_on and self.birth_date >= self.completed_on:
            errors["birth_date"] = "Ngày sinh phải trước ngày hoàn thành."
        if self.official_id and self.owner_unit_id and self.official.owner_unit_id != self.owner_unit_id:
            errors["official"] = "Cán bộ phải thuộc danh sách cán bộ của cùng xã."
        if errors:
            raise ValidationError(errors)
        if not self.official_id and self.owner_unit_id and self.full_name:
            self.official = self.match_official()
