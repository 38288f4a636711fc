"""The public page of a traceable product: where its QR code leads when it is not on the national portal.

Anyone who scans the label (a buyer, an inspector) reads the product's traceability information here
without an account: /01/<GTIN-14>[/10/<lot>] (a GS1 Digital Link, resolved by this installation) or
/truy-xuat/<mã truy xuất>. Only what the label stands for is shown — the minimum information of
Thông tư 02/2024/TT-BKHCN — never the register's internal notes or who keeps it.

`public_base(request)` is the address this installation is reached at: KEHOACH_BASE_URL when it is
set, else the address the request came to, so a QR code made on the demo at :8103 leads to :8103.
"""

from django.conf import settings
from django.http import Http404
from django.shortcuts import render

from kehoach.units.access import access_for

from .models import TraceableProduct
from .models.products import gtin_variants


def public_base(request) -> str:
    return settings.KEHOACH_PUBLIC_URL or request.build_absolute_uri("/")


def qr_link(request, product: TraceableProduct) -> str:
    """What the product's QR code encodes (TraceableProduct.digital_link) as seen from this request."""
    return product.digital_link(public_base(request))


def _stages(text: str) -> list[list[str]]:
    """ "Thu hoạch; SP-01; ĐĐ-02; 05/2026" per line → its four parts (missing ones empty)."""
    rows = []
    for line in (text or "").splitlines():
        parts = [part.strip() for part in line.split(";")]
        if any(parts):
            head, tail = parts[:3], parts[3:]
            rows.append([*head, *[""] * (3 - len(head)), "; ".join(tail)])
    return rows


def _page(request, product: TraceableProduct, *, lot: str = ""):
    can_open = request.user.is_authenticated and access_for(request.user).can_read_unit(product.owner_unit)
    response = render(
        request,
        "registers/product_public.html",
        {
            "product": product,
            "stages": _stages(product.stages),
            "other_lot": lot if lot and lot != product.lot else "",
            "register_url": product.get_absolute_url() if can_open else "",
        },
    )
    response["X-Robots-Tag"] = "noindex"  # a label's page, not one for search engines
    return response


def by_gtin(request, gtin: str, lot: str = ""):
    """/01/<GTIN>[/10/<lot>]: the product with that GTIN (and lot, when there is one with it)."""
    if not gtin.isdigit() or len(gtin) > 14:
        raise Http404("Không có sản phẩm với mã GTIN này.")
    lot = lot.strip("/")
    products = list(
        TraceableProduct.objects.filter(gtin__in=gtin_variants(gtin))
        .select_related("owner_unit")
        .order_by("pk")
    )
    product = next((p for p in products if lot and p.lot == lot), None) or next(
        (p for p in products if not p.lot), None
    )
    if product is None and products and not lot:
        product = products[0]
    if product is None:
        raise Http404("Không có sản phẩm với mã GTIN và số lô này.")
    return _page(request, product, lot=lot)


def by_trace_code(request, code: str):
    """/truy-xuat/<mã truy xuất>: the product with that trace code."""
    code = code.strip("/")
    product = (
        TraceableProduct.objects.filter(trace_code__iexact=code)
        .select_related("owner_unit")
        .order_by("pk")
        .first()
        if code
        else None
    )
    if product is None:
        raise Http404("Không có sản phẩm với mã truy xuất này.")
    return _page(request, product)
