import hashlib

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.urls import reverse

from kehoach.core.models import TimeStampedModel
from kehoach.core.text import fold

from .choices import ADMINISTRATIVE_KINDS, Role, UnitKind


class UnitQuerySet(models.QuerySet):
    def subtree_of(self, unit: "Unit") -> "UnitQuerySet":
        return self.filter(path__startswith=unit.path)

    def readable_by(self, user) -> "UnitQuerySet":
        from .access import access_for

        return self.filter(access_for(user).read_q("path"))


class Unit(TimeStampedModel):
    """A node of the administrative tree: city → commune → departments, centres, organisations."""

    name = models.CharField("tên đơn vị", max_length=255)
    short_name = models.CharField("tên viết tắt", max_length=100, blank=True)
    aliases = models.TextField(
        "tên gọi khác", blank=True, help_text="Mỗi dòng một cách viết khác của tên đơn vị (ví dụ: TT PVHCC)."
    )
    kind = models.CharField("loại đơn vị", max_length=10, choices=UnitKind.choices)
    code = models.CharField(
        "mã định danh",
        max_length=40,
        blank=True,
        db_index=True,
        help_text=(
            "Mã định danh điện tử của cơ quan, đơn vị (Quyết định 20/2020/QĐ-TTg), "
            "dùng khi gửi dữ liệu lên cấp trên."
        ),
    )
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name="đơn vị cấp trên",
    )
    # Materialised path "/1/5/12/": subtree reads are one indexed prefix match at any depth.
    path = models.CharField(
        max_length=255, editable=False, db_index=True, default="", verbose_name="đường dẫn trong cây đơn vị"
    )
    depth = models.PositiveSmallIntegerField(editable=False, default=0, verbose_name="cấp trong cây")
    position = models.PositiveIntegerField("thứ tự", default=0)
    search_text = models.TextField(editable=False, default="", verbose_name="chuỗi tìm kiếm")

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = "đơn vị"
        verbose_name_plural = "đơn vị"
        ordering = ["path"]
        constraints = [models.UniqueConstraint(fields=["parent", "name"], name="unit_unique_name_in_parent")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("units:detail", args=[self.pk])

    @property
    def is_administrative(self) -> bool:
        return self.kind in ADMINISTRATIVE_KINDS

    @property
    def ancestor_ids(self) -> list[int]:
        return [int(part) for part in self.path.strip("/").split("/") if part][:-1]

    def save(self, *args, **kwargs):
        self.search_text = fold(" ".join([self.name, self.short_name, self.aliases]))
        super().save(*args, **kwargs)
        expected = f"{self.parent.path if self.parent_id else '/'}{self.pk}/"
        if expected != self.path:
            old = self.path
            self.path, self.depth = expected, expected.count("/") - 2
            Unit.objects.filter(pk=self.pk).update(path=self.path, depth=self.depth)
            if old:
                for child in Unit.objects.filter(path__startswith=old).exclude(pk=self.pk):
                    child.save(update_fields=["path", "depth"])


class User(AbstractUser):
    full_name = models.CharField("họ và tên", max_length=150, blank=True)
    position_title = models.CharField("chức vụ", max_length=150, blank=True)
    phone = models.CharField("điện thoại", max_length=30, blank=True)

    class Meta:
        verbose_name = "người dùng"
        verbose_name_plural = "người dùng"

    def __str__(self) -> str:
        return self.full_name or self.get_full_name() or self.username

    def get_full_name(self) -> str:
        return self.full_name or super().get_full_name()


class Membership(TimeStampedModel):
    """A user acts for a unit in one role; permissions follow from these rows and the unit tree."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="memberships", verbose_name="người dùng"
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="memberships", verbose_name="đơn vị"
    )
    role = models.CharField("vai trò", max_length=10, choices=Role.choices)

    class Meta:
        verbose_name = "vai trò tại đơn vị"
        verbose_name_plural = "vai trò tại đơn vị"
        constraints = [models.UniqueConstraint(fields=["user", "unit", "role"], name="membership_unique")]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} – {self.unit}"


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(TimeStampedModel):
    """A personal API token. Only its hash is stored; the token is shown once when created."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name="người dùng"
    )
    name = models.CharField("tên gợi nhớ", max_length=100)
    prefix = models.CharField("tiền tố", max_length=12)
    key_hash = models.CharField(max_length=64, unique=True, verbose_name="mã băm của khóa")
    last_used_at = models.DateTimeField("dùng lần cuối", null=True, blank=True)
    revoked_at = models.DateTimeField("thu hồi lúc", null=True, blank=True)

    class Meta:
        verbose_name = "mã truy cập API"
        verbose_name_plural = "mã truy cập API"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
