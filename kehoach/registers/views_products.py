"""Pages of the traceable products register beyond the generic ones: QR code, label, product images.

Mounted under so-theo-doi/san-pham-truy-xuat/<pk>/ by registers/urls.py. The detail page panels
(`spec.extra["detail_panels"]`) are here too: code and label, the minimum information of Thông tư
02/2024/TT-BKHCN, and the images.
"""

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from kehoach.core.audit import audit_change
from kehoach.core.models import AuditEntry
from kehoach.tracking.services.evidence import validate_upload

from . import labels
from .models import ProductImage, TraceableProduct
from .permissions import can_keep, ensure_can_keep
from .public import qr_link

MAX_IMAGES = 12


def _product(request, pk: int) -> TraceableProduct:
    from kehoach.units.access import access_for

    product = get_object_or_404(TraceableProduct.objects.select_related("owner_unit", "unit"), pk=pk)
    if not access_for(request.user).can_read_unit(product.owner_unit):
        raise PermissionDenied("Bạn không có quyền xem sản phẩm này.")
    return product


def _file_stem(product: TraceableProduct) -> str:
    return product.gtin or product.trace_code.replace("/", "-") or str(product.pk)


# Panels on the detail page -----------------------------------------------------------------------


def code_panel(request, product: TraceableProduct) -> str:
    link = qr_link(request, product)
    return render_to_string(
        "registers/panels/product_code.html",
        {
            "product": product,
            "qr_link": link,
            "qr_svg": labels.qr_svg(link),
            "qr_url": reverse("registers:product_qr", args=[product.pk]),
            "label_url": reverse("registers:product_label", args=[product.pk]),
        },
        request=request,
    )


def information_panel(request, product: TraceableProduct) -> str:
    items = product.minimum_information(image_count=product.images.count())
    return render_to_string(
        "registers/panels/product_information.html",
        {"items": items, "missing": sum(1 for _, ok in items if not ok)},
        request=request,
    )


def images_panel(request, product: TraceableProduct) -> str:
    return render_to_string(
        "registers/panels/product_images.html",
        {
            "product": product,
            "images": list(product.images.all()),
            "can_edit": can_keep(request.user, product.unit),
            "max_images": MAX_IMAGES,
            "upload_url": reverse("registers:product_image_add", args=[product.pk]),
        },
        request=request,
    )


DETAIL_PANELS = (code_panel, information_panel, images_panel)


# QR code and label -------------------------------------------------------------------------------


@login_required
def qr_download(request, pk: int):
    product = _product(request, pk)
    response = HttpResponse(labels.qr_png(qr_link(request, product)), content_type="image/png")
    response["Content-Disposition"] = f'attachment; filename="qr-{_file_stem(product)}.png"'
    return response


@login_required
def label_download(request, pk: int):
    product = _product(request, pk)
    size = request.GET.get("kho", "50x30")
    if size not in labels.LABEL_SIZES:
        raise Http404("Không có khổ nhãn này.")
    return FileResponse(
        io.BytesIO(labels.label_pdf(product, qr_link(request, product), size)),
        content_type="application/pdf",
        filename=f"nhan-{_file_stem(product)}-{size}.pdf",
    )


# Images ----------------------------------------------------------------------------------------


def validate_image(upload) -> tuple[str, str]:
    """(content type, sha256) of a PNG or JPEG photo, decided from its content, or a ValidationError."""
    try:
        content_type, digest = validate_upload(upload)
    except ValidationError as error:
        raise ValidationError(error.message_dict.get("file", error.messages)) from error
    name = upload.name or "tệp"
    if not content_type.startswith("image/"):
        raise ValidationError(
            f"Tệp “{name}” không phải ảnh PNG hoặc JPEG; hệ thống kiểm tra nội dung tệp, "
            "không dựa vào phần đuôi tên tệp."
        )
    from PIL import Image, UnidentifiedImageError

    try:
        upload.seek(0)
        with Image.open(upload) as image:
            image.verify()
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        raise ValidationError(f"Tệp “{name}” hỏng, không đọc được như một ảnh.") from exc
    finally:
        upload.seek(0)
    return content_type, digest


@transaction.atomic
def image_add(*, actor, product: TraceableProduct, upload, caption: str = "") -> ProductImage:
    ensure_can_keep(actor, product.unit)
    if product.images.count() >= MAX_IMAGES:
        raise ValidationError(f"Mỗi sản phẩm có tối đa {MAX_IMAGES} ảnh.")
    content_type, digest = validate_image(upload)
    image = ProductImage(
        product=product,
        original_name=(upload.name or "anh")[:255],
        content_type=content_type,
        size=upload.size,
        sha256=digest,
        caption=caption.strip()[:300],
        uploaded_by=actor,
    )
    image.file.save(upload.name or "anh", upload, save=False)
    try:
        image.save()
    except Exception:
        image.file.storage.delete(image.file.name)
        raise
    audit_change(
        actor=actor,
        obj=product,
        action=AuditEntry.Action.UPDATE,
        after={"Ảnh sản phẩm": image.original_name},
        summary=f"Thêm ảnh “{image.original_name}”",
    )
    return image


@transaction.atomic
def image_delete(*, actor, image: ProductImage) -> None:
    product = image.product
    ensure_can_keep(actor, product.unit)
    audit_change(
        actor=actor,
        obj=product,
        action=AuditEntry.Action.UPDATE,
        before={"Ảnh sản phẩm": image.original_name},
        summary=f"Xóa ảnh “{image.original_name}”",
    )
    image.delete()  # the file goes after commit (models.products._remove_image_file)


@login_required
@require_POST
def image_upload(request, pk: int):
    product = _product(request, pk)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, "Chưa chọn ảnh.")
        return redirect(product)
    try:
        image_add(actor=request.user, product=product, upload=upload, caption=request.POST.get("caption", ""))
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, f"Đã thêm ảnh “{upload.name}”.")
    return redirect(f"{product.get_absolute_url()}#anh-san-pham")


@login_required
def image_file(request, pk: int, image_pk: int):
    product = _product(request, pk)
    image = get_object_or_404(ProductImage, pk=image_pk, product=product)
    try:
        handle = image.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404("Ảnh không còn trên máy chủ.") from exc
    response = FileResponse(handle, content_type=image.content_type, filename=image.original_name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    response["Content-Security-Policy"] = "default-src 'none'"
    return response


@login_required
@require_POST
def image_remove(request, pk: int, image_pk: int):
    product = _product(request, pk)
    image = get_object_or_404(ProductImage, pk=image_pk, product=product)
    image_delete(actor=request.user, image=image)
    messages.success(request, f"Đã xóa ảnh “{image.original_name}”.")
    return redirect(f"{product.get_absolute_url()}#anh-san-pham")


# Included by registers/urls.py under so-theo-doi/san-pham-truy-xuat/<int:pk>/ (names in "registers:").
urlpatterns = [
    path("qr.png", qr_download, name="product_qr"),
    path("nhan.pdf", label_download, name="product_label"),
    path("anh/", image_upload, name="product_image_add"),
    path("anh/<int:image_pk>/", image_file, name="product_image"),
    path("anh/<int:image_pk>/xoa/", image_remove, name="product_image_delete"),
]
