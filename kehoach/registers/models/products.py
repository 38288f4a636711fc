"""Sản phẩm truy xuất nguồn gốc: products the commune helps put on the national traceability portal.

The fields follow the minimum traceability information of Thông tư 02/2024/TT-BKHCN (see docs/indicators.md,
CT11). A product is identified by its GTIN (GS1 barcode number) and/or its trace code; either must exist
and neither may repeat within the commune. Its QR code is a GS1 Digital Link style URL (labels.py).
"""

import re
import urllib.parse
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.urls import reverse
from django.utils.encoding import iri_to_uri

from .base import RegisterModel

PRODUCT_SLUG = "san-pham-truy-xuat"

GTIN_LENGTHS = (8, 12, 13, 14)
TAX_CODE_RE = re.compile(r"^\d{10}(-\d{3})?$")
TRACE_CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._\-/]*$")
# GS1 AI (10) batch/lot: at most 20 characters of GS1 character set 82 (no spaces, no diacritics).
GS1_LOT_RE = re.compile(r"^[!\"%&'()*+,\-./0-9:;<=>?A-Z_a-z]{1,20}$")


def gs1_check_digit(body: str) -> int:
    """The GS1 mod-10 check digit of `body` (all digits but the last): weights 3, 1, 3, … from the right."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10


def gs1_valid(number: str) -> bool:
    return number.isdigit() and len(number) >= 2 and gs1_check_digit(number[:-1]) == int(number[-1])


def gtin14(gtin: str) -> str:
    """GTIN-8/12/13 padded with leading zeros to the 14 digits GS1 Digital Link uses."""
    return gtin.zfill(14)


def gtin_variants(gtin: str) -> list[str]:
    """Every way the same GTIN can be written (8, 12, 13 or 14 digits with leading zeros)."""
    core = gtin.lstrip("0") or "0"
    return [core.zfill(n) for n in GTIN_LENGTHS if len(core) <= n]


def _compact(value: str) -> str:
    return re.sub(r"[\s\-.]", "", value or "")


class TraceableProduct(RegisterModel):
    """One product (hàng hóa) with the traceability information the national portal needs."""

    # Thông tư 02/2024/TT-BKHCN: tên sản phẩm, hàng hóa.
    name = models.CharField("tên sản phẩm, hàng hóa", max_length=255)
    # Thương hiệu, nhãn hiệu, mã ký hiệu, số sê-ri sản phẩm (nếu có).
    brand = models.CharField("thương hiệu, nhãn hiệu", max_length=255, blank=True)
    model_code = models.CharField("mã ký hiệu, số sê-ri", max_length=120, blank=True)
    # Identity: the GS1 trade item number and/or the trace code (mã truy xuất nguồn gốc).
    gtin = models.CharField(
        "mã GTIN (mã số mã vạch)",
        max_length=20,
        blank=True,
        help_text="8, 12, 13 hoặc 14 chữ số, chữ số cuối là số kiểm tra GS1, ví dụ 8934567890120.",
    )
    trace_code = models.CharField(
        "mã truy xuất nguồn gốc",
        max_length=100,
        blank=True,
        help_text="Mã do hệ thống truy xuất nguồn gốc cấp; cần GTIN hoặc mã truy xuất (ít nhất một).",
    )
    lot = models.CharField(
        "số lô",
        max_length=60,
        blank=True,
        help_text="Khi có GTIN: tối đa 20 ký tự không dấu, không khoảng trắng (GS1 AI 10).",
    )
    # Thời gian sản xuất, kinh doanh; thời hạn sử dụng (nếu có).
    production_date = models.DateField("ngày sản xuất", null=True, blank=True)
    expiry_date = models.DateField("hạn sử dụng", null=True, blank=True)
    # Tiêu chuẩn quốc gia, quy chuẩn kỹ thuật, tiêu chuẩn quốc tế, khu vực, cơ sở được áp dụng.
    standard = models.CharField(
        "tiêu chuẩn áp dụng", max_length=255, blank=True, help_text="Ví dụ: TCVN 11041-2:2017, VietGAP, OCOP."
    )
    # Tên, địa chỉ đơn vị sản xuất, kinh doanh; its tax code or GS1 location number.
    producer_name = models.CharField("đơn vị sản xuất, kinh doanh", max_length=255)
    producer_address = models.CharField("địa chỉ đơn vị sản xuất, kinh doanh", max_length=500, blank=True)
    producer_tax_code = models.CharField(
        "mã số thuế đơn vị sản xuất",
        max_length=20,
        blank=True,
        help_text="10 chữ số, hoặc 10 chữ số-3 chữ số với đơn vị phụ thuộc, ví dụ 0201234567-001.",
    )
    producer_gln = models.CharField(
        "mã địa điểm toàn cầu (GLN)", max_length=20, blank=True, help_text="13 chữ số, có số kiểm tra GS1."
    )
    # Các công đoạn sản xuất, kinh doanh: mã truy vết sản phẩm, mã truy vết địa điểm, thời gian sự kiện.
    stages = models.TextField(
        "các công đoạn sản xuất, kinh doanh",
        blank=True,
        help_text="Mỗi công đoạn một dòng: tên; mã truy vết sản phẩm; mã truy vết địa điểm; thời gian.",
    )
    portal_url = models.URLField(
        "đường dẫn trên Cổng truy xuất nguồn gốc quốc gia", max_length=500, blank=True
    )
    portal_connected = models.BooleanField("đã kết nối Cổng truy xuất nguồn gốc quốc gia", default=False)
    connected_on = models.DateField("ngày kết nối Cổng", null=True, blank=True)
    note = models.TextField("ghi chú", blank=True)

    search_fields = (
        "name",
        "brand",
        "producer_name",
        "producer_tax_code",
        "gtin",
        "trace_code",
        "lot",
        "standard",
    )

    class Meta:
        verbose_name = "sản phẩm truy xuất nguồn gốc"
        verbose_name_plural = "sản phẩm truy xuất nguồn gốc"
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["owner_unit", "portal_connected", "connected_on"]),
            models.Index(fields=["owner_unit", "gtin"]),
            models.Index(fields=["owner_unit", "trace_code"]),
            models.Index(fields=["unit"]),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("registers:detail", args=[PRODUCT_SLUG, self.pk])

    # Codes ----------------------------------------------------------------------------------------

    @property
    def gtin14(self) -> str:
        return gtin14(self.gtin) if self.gtin else ""

    @property
    def code_text(self) -> str:
        """GTIN and/or trace code as people read them on a label or a list."""
        parts = []
        if self.gtin:
            parts.append(f"GTIN {self.gtin}")
        if self.trace_code:
            parts.append(f"Mã truy xuất {self.trace_code}")
        return " · ".join(parts)

    def digital_link(self, own_base: str) -> str:
        """What the QR code encodes: a GS1 Digital Link URI when there is a GTIN, else the portal link
        or this installation's trace page. `own_base` is the address this installation is reached at
        (`registers.public.public_base`): its links lead to the public product page (public.py)."""
        own_base = own_base.rstrip("/")
        if self.gtin:
            host = urllib.parse.urlsplit(self.portal_url).netloc if self.portal_url else ""
            base = f"https://{host}" if host else own_base
            return base + self.public_path
        if self.portal_url:
            return iri_to_uri(self.portal_url)
        return own_base + self.public_path

    @property
    def public_path(self) -> str:
        """The path of this product's public page: /01/<GTIN-14>[/10/<lot>], else /truy-xuat/<code>."""
        if self.gtin:
            path = f"/01/{self.gtin14}"
            if self.lot:
                path += f"/10/{urllib.parse.quote(self.lot, safe='')}"
            return path
        return f"/truy-xuat/{urllib.parse.quote(self.trace_code, safe='')}"

    # Validation -----------------------------------------------------------------------------------

    def clean(self):
        errors: dict[str, list[str]] = {}

        def add(field: str, message: str) -> None:
            errors.setdefault(field, []).append(message)

        self.gtin = _compact(self.gtin)
        self.producer_gln = _compact(self.producer_gln)
        self.producer_tax_code = re.sub(r"\s", "", self.producer_tax_code or "")
        self.trace_code = (self.trace_code or "").strip()
        self.lot = (self.lot or "").strip()

        if self.gtin:
            if not self.gtin.isdigit() or len(self.gtin) not in GTIN_LENGTHS:
                add("gtin", f"Mã GTIN “{self.gtin}” phải gồm 8, 12, 13 hoặc 14 chữ số.")
            elif not gs1_valid(self.gtin):
                expected = gs1_check_digit(self.gtin[:-1])
                add(
                    "gtin",
                    f"Mã GTIN “{self.gtin}” sai số kiểm tra: chữ số cuối phải là {expected}, không phải "
                    f"{self.gtin[-1]}.",
                )
        if self.trace_code and not TRACE_CODE_RE.match(self.trace_code):
            add(
                "trace_code",
                "Mã truy xuất chỉ gồm chữ cái không dấu, chữ số và các ký tự . _ - /, không có khoảng trắng.",
            )
        if not self.gtin and not self.trace_code:
            add("gtin", "Cần ghi mã GTIN hoặc mã truy xuất nguồn gốc (ít nhất một trong hai).")
        if self.gtin and self.lot and not GS1_LOT_RE.match(self.lot):
            add(
                "lot",
                "Số lô đi kèm mã GTIN tối đa 20 ký tự, không dấu, không khoảng trắng (theo GS1, AI 10).",
            )
        if self.producer_gln:
            if not (self.producer_gln.isdigit() and len(self.producer_gln) == 13):
                add("producer_gln", f"Mã GLN “{self.producer_gln}” phải gồm đúng 13 chữ số.")
            elif not gs1_valid(self.producer_gln):
                expected = gs1_check_digit(self.producer_gln[:-1])
                add(
                    "producer_gln",
                    f"Mã GLN “{self.producer_gln}” sai số kiểm tra: chữ số cuối phải là {expected}.",
                )
        if self.producer_tax_code and not TAX_CODE_RE.match(self.producer_tax_code):
            add(
                "producer_tax_code",
                f"Mã số thuế “{self.producer_tax_code}” không hợp lệ: phải gồm 10 chữ số, hoặc 10 chữ số, "
                "dấu gạch ngang và 3 chữ số (đơn vị phụ thuộc), ví dụ 0201234567 hoặc 0201234567-001.",
            )
        if self.production_date and self.expiry_date and self.expiry_date < self.production_date:
            add("expiry_date", "Hạn sử dụng không được trước ngày sản xuất.")
        if self.portal_connected:
            if not self.connected_on:
                add("connected_on", "Sản phẩm đã kết nối Cổng cần ghi ngày kết nối.")
            # The minimum information of Thông tư 02/2024/TT-BKHCN must be there before connecting.
            if not (self.producer_address or "").strip():
                add(
                    "producer_address",
                    "Sản phẩm kết nối Cổng cần ghi địa chỉ đơn vị sản xuất, kinh doanh "
                    "(thông tin tối thiểu theo Thông tư 02/2024/TT-BKHCN).",
                )
            if not self.production_date:
                add(
                    "production_date",
                    "Sản phẩm kết nối Cổng cần ghi thời gian sản xuất "
                    "(thông tin tối thiểu theo Thông tư 02/2024/TT-BKHCN).",
                )
        elif self.connected_on:
            add("connected_on", "Có ngày kết nối thì cần đánh dấu “Đã kết nối Cổng”.")
        if self.owner_unit_id:
            self._check_duplicates(errors, add)
        if errors:
            raise ValidationError(errors)

    def _check_duplicates(self, errors, add) -> None:
        others = TraceableProduct.objects.filter(owner_unit_id=self.owner_unit_id).exclude(pk=self.pk)
        if self.gtin and "gtin" not in errors:
            clash = others.filter(gtin__in=gtin_variants(self.gtin)).only("name", "gtin").first()
            if clash:
                add("gtin", f"Đã có sản phẩm “{clash.name}” với mã GTIN {clash.gtin} trong sổ.")
        if self.trace_code and "trace_code" not in errors:
            clash = others.filter(trace_code__iexact=self.trace_code).only("name").first()
            if clash:
                add(
                    "trace_code",
                    f"Đã có sản phẩm “{clash.name}” với mã truy xuất {self.trace_code} trong sổ.",
                )

    # The minimum information of Thông tư 02/2024/TT-BKHCN, as (label, present) for the detail page.
    def minimum_information(self, *, image_count: int) -> list[tuple[str, bool]]:
        return [
            ("Tên sản phẩm, hàng hóa", bool(self.name)),
            ("Hình ảnh sản phẩm, hàng hóa", image_count > 0),
            ("Tên đơn vị sản xuất, kinh doanh", bool(self.producer_name)),
            ("Địa chỉ đơn vị sản xuất, kinh doanh", bool(self.producer_address)),
            (
                "Các công đoạn sản xuất, kinh doanh (mã truy vết sản phẩm, địa điểm, thời gian)",
                bool(self.stages),
            ),
            ("Thời gian sản xuất, kinh doanh", bool(self.production_date)),
            ("Mã truy xuất nguồn gốc (hoặc GTIN)", bool(self.trace_code or self.gtin)),
            ("Tiêu chuẩn áp dụng", bool(self.standard)),
        ]


def product_image_path(instance: "ProductImage", filename: str) -> str:
    # Random names: nothing about the product or the original file shows in the stored path.
    return f"products/{uuid.uuid4().hex[:2]}/{uuid.uuid4().hex}"


class ProductImage(models.Model):
    """A photo of a product. Its type is read from its content; it is served only through a checked view."""

    product = models.ForeignKey(
        TraceableProduct, on_delete=models.CASCADE, related_name="images", verbose_name="sản phẩm"
    )
    file = models.FileField("tệp ảnh", upload_to=product_image_path, max_length=300)
    original_name = models.CharField("tên tệp", max_length=255)
    content_type = models.CharField("loại ảnh", max_length=100)
    size = models.PositiveBigIntegerField("dung lượng (byte)")
    sha256 = models.CharField(max_length=64, verbose_name="mã băm SHA-256")
    caption = models.CharField("chú thích", max_length=300, blank=True)
    uploaded_at = models.DateTimeField("tải lên lúc", auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="người tải lên",
    )

    class Meta:
        verbose_name = "ảnh sản phẩm"
        verbose_name_plural = "ảnh sản phẩm"
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name

    def get_absolute_url(self) -> str:
        return reverse("registers:product_image", args=[self.product_id, self.pk])


@receiver(post_delete, sender=ProductImage)
def _remove_image_file(sender, instance: ProductImage, **kwargs) -> None:
    """The stored file goes once the row is gone for good (also when its product is deleted)."""
    if instance.file.name:
        name, storage = instance.file.name, instance.file.storage
        transaction.on_commit(lambda: storage.delete(name))
