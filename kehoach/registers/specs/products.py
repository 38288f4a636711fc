from ..computations import Computed, Row, computation, count, year_window
from ..filters import TraceableProductFilter
from ..forms import TraceableProductForm
from ..models import TraceableProduct
from ..models.products import PRODUCT_SLUG
from ..registry import Column, RegisterSpec, register
from ..views_products import DETAIL_PANELS


def _connection(product: TraceableProduct) -> str:
    if not product.portal_connected:
        return "Chưa kết nối"
    return f"Đã kết nối {product.connected_on:%d/%m/%Y}" if product.connected_on else "Đã kết nối"


register(
    RegisterSpec(
        slug=PRODUCT_SLUG,
        title="Sản phẩm truy xuất nguồn gốc",
        model=TraceableProduct,
        form_class=TraceableProductForm,
        filterset_class=TraceableProductFilter,
        list_columns=(
            ("Sản phẩm", lambda o: o.name),
            ("Đơn vị sản xuất, kinh doanh", lambda o: o.producer_name),
            ("GTIN / mã truy xuất", lambda o: " · ".join(c for c in (o.gtin, o.trace_code) if c)),
            ("Số lô", lambda o: o.lot),
            ("Cổng truy xuất quốc gia", _connection),
            ("Đơn vị theo dõi", lambda o: o.unit.short_name or o.unit.name),
        ),
        columns=(
            Column("name", "Tên sản phẩm, hàng hóa", required=True),
            Column("unit", "Đơn vị theo dõi", kind="unit"),
            Column("brand", "Thương hiệu, nhãn hiệu"),
            Column("model_code", "Mã ký hiệu, số sê-ri"),
            Column("gtin", "Mã GTIN", help="8, 12, 13 hoặc 14 chữ số, có số kiểm tra GS1"),
            Column("trace_code", "Mã truy xuất nguồn gốc", help="Cần GTIN hoặc mã truy xuất (ít nhất một)"),
            Column("lot", "Số lô"),
            Column("production_date", "Ngày sản xuất", kind="date"),
            Column("expiry_date", "Hạn sử dụng", kind="date"),
            Column("standard", "Tiêu chuẩn áp dụng"),
            Column("producer_name", "Đơn vị sản xuất, kinh doanh", required=True),
            Column("producer_address", "Địa chỉ đơn vị sản xuất, kinh doanh"),
            Column(
                "producer_tax_code",
                "Mã số thuế đơn vị sản xuất",
                help="10 chữ số hoặc 10 chữ số-3 chữ số; ghi dạng chữ (Text) để giữ số 0 đầu",
            ),
            Column("producer_gln", "Mã GLN", help="13 chữ số có số kiểm tra GS1"),
            Column(
                "stages",
                "Các công đoạn sản xuất, kinh doanh",
                help="Mỗi công đoạn một dòng: tên; mã truy vết sản phẩm; mã truy vết địa điểm; thời gian",
            ),
            Column("portal_url", "Đường dẫn trên Cổng truy xuất nguồn gốc"),
            Column("portal_connected", "Đã kết nối Cổng", kind="bool"),
            Column("connected_on", "Ngày kết nối Cổng", kind="date"),
            Column("note", "Ghi chú"),
        ),
        identity=("gtin",),
        feeds="Chỉ tiêu số sản phẩm được hỗ trợ truy xuất nguồn gốc, kết nối Cổng truy xuất quốc gia.",
        extra={"detail_panels": DETAIL_PANELS},
    )
)


@computation(
    "san_pham_truy_xuat",
    "Sản phẩm truy xuất nguồn gốc kết nối Cổng truy xuất nguồn gốc quốc gia",
    models=(TraceableProduct,),
)
def products_connected(*, owner, year, until) -> Computed:
    """Products of the commune marked connected to the national portal with a connection date from
    1 January of the plan's year to the period's cut-off."""
    start, end = year_window(year, until)
    products = (
        TraceableProduct.objects.filter(
            owner_unit=owner, portal_connected=True, connected_on__gte=start, connected_on__lte=end
        )
        .order_by("connected_on", "pk")
        .only("pk", "name", "gtin", "trace_code", "connected_on")
    )
    rows = [
        Row(
            f"{p.name} ({p.code_text}, kết nối Cổng {p.connected_on:%d/%m/%Y})",
            p.get_absolute_url(),
        )
        for p in products
    ]
    return count(rows, noun="sản phẩm truy xuất nguồn gốc kết nối Cổng quốc gia")
