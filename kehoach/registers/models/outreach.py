"""Tuyên truyền: articles and broadcasts, and the community digital technology teams of the villages."""

import os
import re
import uuid

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.urls import reverse

from kehoach.core.models import TimeStampedModel

from .base import RegisterModel
from .coverage import Village, commune_of, same_commune, tidy


class OutreachKind(models.TextChoices):
    ARTICLE = "bai_viet", "Bài viết"
    RADIO = "tin_phat_thanh", "Tin phát thanh"
    REPORTAGE = "phong_su", "Phóng sự"
    OTHER = "khac", "Khác"


def outreach_path(instance: "OutreachItem", filename: str) -> str:
    # A random name: the stored path reveals nothing and cannot be guessed; the original name is kept apart.
    return f"outreach/{uuid.uuid4().hex}"


def link_error(link: str) -> str | None:
    if not link:
        return None
    try:
        URLValidator(schemes=["http", "https"])(link)
    except ValidationError:
        return "Đường dẫn không hợp lệ: hãy dán đầy đủ địa chỉ, bắt đầu bằng http:// hoặc https://."
    return None


class OutreachItem(RegisterModel):
    """An article, a radio news item or a reportage, with where and when it ran and its link or file."""

    kind = models.CharField("loại", max_length=20, choices=OutreachKind.choices, default=OutreachKind.ARTICLE)
    title = models.CharField("tiêu đề", max_length=500)
    date = models.DateField("ngày đăng, phát")
    channel = models.CharField(
        "kênh", max_length=255, help_text="Ví dụ: Trang thông tin điện tử xã, Đài truyền thanh xã."
    )
    series = models.CharField(
        "chuyên mục, chuỗi bài",
        max_length=255,
        blank=True,
        help_text="Ví dụ: Chuyển đổi số xã Hà Bắc; Cuộc thi viết thư quốc tế UPU.",
    )
    link = models.CharField("đường dẫn", max_length=500, blank=True)
    file = models.FileField("tệp đính kèm", upload_to=outreach_path, max_length=300, blank=True)
    file_name = models.CharField("tên tệp", max_length=255, blank=True, editable=False)
    file_type = models.CharField("loại tệp", max_length=100, blank=True, editable=False)

    search_fields = ("title", "channel", "series")

    class Meta:
        verbose_name = "tin, bài tuyên truyền"
        verbose_name_plural = "tin, bài tuyên truyền"
        ordering = ["-date", "-id"]
        indexes = [
            models.Index(fields=["owner_unit", "date"]),
            models.Index(fields=["owner_unit", "kind", "date"]),
            models.Index(fields=["owner_unit", "series", "date"]),
            models.Index(fields=["owner_unit", "channel"]),
            models.Index(fields=["unit"]),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("registers:detail", args=["tuyen-truyen", self.pk])

    def clean(self):
        self.title = tidy(self.title)
        self.channel = tidy(self.channel)
        self.series = tidy(self.series)
        self.link = (self.link or "").strip()
        errors = {}
        if message := link_error(self.link):
            errors["link"] = message
        if self.file and not getattr(self.file, "_committed", True):
            from kehoach.tracking.services.evidence import validate_upload

            try:
                self.file_type, _ = validate_upload(self.file.file)
            except ValidationError as error:
                errors.update(error.message_dict)
            else:
                self.file_name = os.path.basename(self.file.name or "tep")[:255]
        elif not self.file:
            self.file_name = self.file_type = ""
        if errors:
            raise ValidationError(errors)


class CommunityTechTeam(RegisterModel):
    """Tổ công nghệ số cộng đồng: one per village, with its members and what it did."""

    name = models.CharField("tên tổ", max_length=300)
    village = models.ForeignKey(
        Village, on_delete=models.PROTECT, related_name="tech_teams", verbose_name="thôn"
    )
    established_on = models.DateField("ngày thành lập", null=True, blank=True)
    decision_number = models.CharField("số quyết định thành lập", max_length=60, blank=True)

    search_fields = ("name", "village", "decision_number")

    class Meta:
        verbose_name = "tổ công nghệ số cộng đồng"
        verbose_name_plural = "tổ công nghệ số cộng đồng"
        ordering = ["village__name_key", "id"]
        indexes = [
            models.Index(fields=["owner_unit", "established_on"]),
            models.Index(fields=["unit"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["village"],
                name="registers_techteam_one_per_village",
                violation_error_message="Thôn đã có tổ công nghệ số cộng đồng.",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("registers:detail", args=["to-cong-nghe-so", self.pk])

    def clean(self):
        self.name = tidy(self.name)
        self.decision_number = tidy(self.decision_number)
        village = self.village if self.village_id else None
        errors = {}
        if message := same_commune(village, commune_of(self)):
            errors["village"] = message
        elif village is not None:
            other = CommunityTechTeam.objects.filter(village=village).exclude(pk=self.pk).first()
            if other is not None:
                errors["village"] = f"Thôn “{village.name}” đã có tổ công nghệ số cộng đồng “{other.name}”."
        if errors:
            raise ValidationError(errors)


class TeamRole(models.TextChoices):
    LEADER = "to_truong", "Tổ trưởng"
    DEPUTY = "to_pho", "Tổ phó"
    MEMBER = "thanh_vien", "Thành viên"


PHONE = re.compile(r"^(0|\+84)\d{9}$")


def normalise_phone(text: str | None) -> str:
    return re.sub(r"[\s.\-()]", "", text or "")


class TeamMember(TimeStampedModel):
    team = models.ForeignKey(
        CommunityTechTeam, on_delete=models.CASCADE, related_name="members", verbose_name="tổ"
    )
    full_name = models.CharField("họ và tên", max_length=200)
    role = models.CharField("vai trò", max_length=20, choices=TeamRole.choices, default=TeamRole.MEMBER)
    phone = models.CharField("điện thoại", max_length=20, blank=True)

    class Meta:
        verbose_name = "thành viên tổ công nghệ số"
        verbose_name_plural = "thành viên tổ công nghệ số"
        ordering = ["team", "role", "full_name", "id"]

    def __str__(self) -> str:
        text = f"{self.full_name} ({self.get_role_display()})"
        return f"{text}, {self.phone}" if self.phone else text

    def clean(self):
        self.full_name = tidy(self.full_name)
        self.phone = normalise_phone(self.phone)
        if self.phone and not PHONE.match(self.phone):
            raise ValidationError(
                {"phone": "Số điện thoại phải có 10 chữ số, bắt đầu bằng 0 (ví dụ 0912 345 678) hoặc +84."}
            )


class TeamActivity(TimeStampedModel):
    team = models.ForeignKey(
        CommunityTechTeam, on_delete=models.CASCADE, related_name="activities", verbose_name="tổ"
    )
    date = models.DateField("ngày")
    description = models.CharField("nội dung hoạt động", max_length=1000)
    people_reached = models.IntegerField("số người được hỗ trợ", null=True, blank=True)

    class Meta:
        verbose_name = "hoạt động của tổ công nghệ số"
        verbose_name_plural = "hoạt động của tổ công nghệ số"
        ordering = ["team", "-date", "-id"]
        indexes = [models.Index(fields=["team", "date"])]

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y}: {self.description}" if self.date else self.description

    def clean(self):
        self.description = tidy(self.description)
        if self.people_reached is not None and self.people_reached < 0:
            raise ValidationError({"people_reached": "Số người được hỗ trợ không được âm."})
