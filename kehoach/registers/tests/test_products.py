"""Register 7, sản phẩm truy xuất nguồn gốc: codes, duplicates, QR code, label, images, CT11, permissions."""

import datetime
import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kehoach.core.models import AuditEntry
from kehoach.registers import labels
from kehoach.registers.computations import COMPUTATIONS
from kehoach.registers.models import ProductImage, TraceableProduct
from kehoach.registers.models.products import gs1_valid

BASE = "/so-theo-doi/san-pham-truy-xuat/"
GTIN = "8936000001001"  # valid GS1 check digit
GTIN_2 = "8936000002008"
GLN = "8931234000004"
PORTAL = "https://truyxuatnguongoc.gov.vn/san-pham/gao-thom-ha-bac"
NAME = "Gạo thơm hữu cơ Hà Bắc – túi 5 kg"
PRODUCER = "Hợp tác xã Nông nghiệp Dịch vụ Hà Bắc"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def product_data(units, **overrides):
    data = {
        "name": NAME,
        "unit": units["Phòng KT"].pk,
        "brand": "Hà Bắc Xanh",
        "gtin": GTIN,
        "trace_code": "HB-GAO-0001",
        "lot": "LO-2026/01",
        "production_date": "10/05/2026",
        "expiry_date": "10/05/2027",
        "standard": "TCVN 11041-2:2017; VietGAP",
        "producer_name": PRODUCER,
        "producer_address": "Thôn Đông, xã Hà Bắc, thành phố Hải Phòng",
        "producer_tax_code": "0201234567-001",
        "producer_gln": GLN,
        "stages": "Gieo cấy; HB-LUA-01; 8931234000004; 02/2026\nĐóng gói; HB-GAO-01; 8931234000004; 05/2026",
        "portal_url": PORTAL,
        "portal_connected": "on",
        "connected_on": "20/05/2026",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def make(units, owner=None, unit=None, **fields) -> TraceableProduct:
    """A product written straight to the register (for computations and permissions)."""
    unit = unit or units["Phòng KT"]
    values = {"name": NAME, "producer_name": PRODUCER, "gtin": GTIN}
    values.update(fields)
    return TraceableProduct.objects.create(owner_unit=owner or units["UBND xã Hà Bắc"], unit=unit, **values)


def png_bytes(size=(8, 8)) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, (20, 120, 40)).save(buffer, format="PNG")
    return buffer.getvalue()


# A small QR decoder for clean images (no skew, no damage): enough to read back what the page offers. --


def qr_matrix_from_png(data: bytes) -> list[list[bool]]:
    from PIL import Image

    image = Image.open(io.BytesIO(data)).convert("L")
    width, height = image.size
    dark = [[image.getpixel((x, y)) < 128 for x in range(width)] for y in range(height)]
    top = next(y for y in range(height) if any(dark[y]))
    left = min(row.index(True) for row in dark if any(row))
    right = max(width - 1 - row[::-1].index(True) for row in dark if any(row))
    row = dark[top + 2]  # just inside the top-left finder pattern, clear of anti-aliased edges
    start = row.index(True)
    run = 0
    while row[start + run]:
        run += 1
    module = run / 7  # the top-left finder pattern is 7 modules wide
    size = round((right - left + 1) / module)
    return [
        [dark[int(top + (r + 0.5) * module)][int(left + (c + 0.5) * module)] for c in range(size)]
        for r in range(size)
    ]


# ISO/IEC 18004 error correction level M, versions 1–10: (blocks, EC codewords per block).
QR_BLOCKS_M = {1: (1, 10), 2: (1, 16), 3: (1, 26), 4: (2, 18), 5: (2, 24), 6: (4, 16), 7: (4, 18), 8: (4, 22)}
QR_BLOCKS_M.update({9: (5, 22), 10: (5, 26)})
QR_MASKS = [
    lambda r, c: (r + c) % 2 == 0,
    lambda r, c: r % 2 == 0,
    lambda r, c: c % 3 == 0,
    lambda r, c: (r + c) % 3 == 0,
    lambda r, c: (r // 2 + c // 3) % 2 == 0,
    lambda r, c: (r * c) % 2 + (r * c) % 3 == 0,
    lambda r, c: ((r * c) % 2 + (r * c) % 3) % 2 == 0,
    lambda r, c: ((r + c) % 2 + (r * c) % 3) % 2 == 0,
]


def qr_decode(m: list[list[bool]]) -> str:
    size = len(m)
    version = (size - 17) // 4
    assert size == 17 + 4 * version and 1 <= version <= 10
    # Format information (first copy, beside the top-left finder), matched against the 32 valid codes.
    read = [m[i][8] for i in range(6)] + [m[7][8], m[8][8], m[8][7]] + [m[8][14 - i] for i in range(9, 15)]
    read_bits = sum(int(b) << i for i, b in enumerate(read))

    def format_bits(level_bits, mask):
        data = level_bits << 3 | mask
        rem = data
        for _ in range(10):
            rem = (rem << 1) ^ ((rem >> 9) * 0x537)
        return (data << 10 | rem) ^ 0x5412

    level_bits, mask = min(
        ((lv, mk) for lv in range(4) for mk in range(8)),
        key=lambda lm: bin(format_bits(*lm) ^ read_bits).count("1"),
    )
    assert level_bits == 0, "the product QR code uses error correction level M"
    # Function modules: finders with separators and format areas, timing, alignment, version info.
    func = [[False] * size for _ in range(size)]

    def mark(r0, c0, h, w):
        for r in range(max(r0, 0), min(r0 + h, size)):
            for c in range(max(c0, 0), min(c0 + w, size)):
                func[r][c] = True

    mark(0, 0, 9, 9)
    mark(0, size - 8, 9, 8)
    mark(size - 8, 0, 8, 9)
    mark(6, 0, 1, size)
    mark(0, 6, size, 1)
    if version > 1:
        count = version // 7 + 2
        step = (version * 8 + count * 3 + 5) // (count * 4 - 4) * 2
        positions = sorted([size - 7 - i * step for i in range(count - 1)] + [6])
        for r in positions:
            for c in positions:
                if (r, c) not in ((6, 6), (6, size - 7), (size - 7, 6)):
                    mark(r - 2, c - 2, 5, 5)
    if version >= 7:
        mark(0, size - 11, 6, 3)
        mark(size - 11, 0, 3, 6)
    bits = []
    right = size - 1
    while right >= 1:
        if right == 6:
            right = 5
        upward = ((right + 1) & 2) == 0
        for vert in range(size):
            r = size - 1 - vert if upward else vert
            for c in (right, right - 1):
                if not func[r][c]:
                    bits.append(m[r][c] ^ QR_MASKS[mask](r, c))
        right -= 2
    raw = [
        int("".join("1" if b else "0" for b in bits[i : i + 8]), 2) for i in range(0, len(bits) // 8 * 8, 8)
    ]
    blocks, ec = QR_BLOCKS_M[version]
    short_len = len(raw) // blocks
    short_count = blocks - len(raw) % blocks
    data_blocks: list[list[int]] = [[] for _ in range(blocks)]
    k = 0
    for i in range(short_len - ec + 1):
        for b in range(blocks):
            if i < short_len - ec or b >= short_count:
                data_blocks[b].append(raw[k])
                k += 1
    stream = "".join(f"{byte:08b}" for block in data_blocks for byte in block)
    pos, out = 0, bytearray()
    alnum = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"

    def take(n):
        nonlocal pos
        value = int(stream[pos : pos + n], 2)
        pos += n
        return value

    while pos + 4 <= len(stream):
        mode = take(4)
        if mode == 0:
            break
        if mode == 4:
            out += bytes(take(8) for _ in range(take(8 if version < 10 else 16)))
        elif mode == 2:
            n = take(9 if version < 10 else 11)
            for _ in range(n // 2):
                pair = take(11)
                out += (alnum[pair // 45] + alnum[pair % 45]).encode()
            if n % 2:
                out += alnum[take(6)].encode()
        elif mode == 1:
            n = take(10 if version < 10 else 12)
            for size_digits in [3] * (n // 3) + ([n % 3] if n % 3 else []):
                out += str(take({3: 10, 2: 7, 1: 4}[size_digits])).zfill(size_digits).encode()
        else:
            raise AssertionError(f"mode {mode} not expected in a product QR code")
    return out.decode("iso-8859-1")


def qr_decode_png(data: bytes) -> str:
    return qr_decode(qr_matrix_from_png(data))


def zxing_read(data: bytes) -> list[str] | None:
    """What zxing-cpp reads in a PNG, or None where it is not installed (it is not a dependency)."""
    try:
        import zxingcpp
    except ImportError:
        return None
    from PIL import Image

    return [r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(data)))]


# Codes ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("number", ["4006381333931", "036000291452", "96385074", "10614141000415", GTIN, GLN])
def test_gs1_check_digits_of_known_numbers(number):
    assert gs1_valid(number)
    assert not gs1_valid(number[:-1] + str((int(number[-1]) + 1) % 10))


def test_kinhte_adds_a_product_with_its_code_panels(habac, users, units, client_for):
    client = client_for(users["kinhte"])
    response = client.post(f"{BASE}them/", product_data(units))
    product = TraceableProduct.objects.get()
    assert response.status_code == 302 and response["Location"] == product.get_absolute_url()
    assert product.owner_unit == units["UBND xã Hà Bắc"]
    assert (product.producer_tax_code, product.connected_on) == ("0201234567-001", datetime.date(2026, 5, 20))
    assert AuditEntry.objects.filter(object_id=str(product.pk), action="create").exists()
    page = client.get(product.get_absolute_url()).content.decode()
    assert "<svg" in page and 'class="product-qr"' in page
    assert "https://truyxuatnguongoc.gov.vn/01/08936000001001/10/LO-2026%2F01" in page
    assert "Thông tin tối thiểu theo Thông tư 02/2024/TT-BKHCN" in page
    assert "Hình ảnh sản phẩm, hàng hóa" in page  # no image yet: listed as missing
    assert f"{BASE}{product.pk}/nhan.pdf" in page and f"{BASE}{product.pk}/qr.png" in page


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"gtin": "8936000001002"},
            "Mã GTIN “8936000001002” sai số kiểm tra: chữ số cuối phải là 1, không phải 2.",
        ),
        ({"gtin": "89360000010"}, "Mã GTIN “89360000010” phải gồm 8, 12, 13 hoặc 14 chữ số."),
        ({"producer_gln": "8931234000005"}, "Mã GLN “8931234000005” sai số kiểm tra: chữ số cuối phải là 4."),
        ({"producer_gln": "893123400000"}, "Mã GLN “893123400000” phải gồm đúng 13 chữ số."),
        ({"producer_tax_code": "020123456"}, "Mã số thuế “020123456” không hợp lệ: phải gồm 10 chữ số"),
        ({"producer_tax_code": "0201234567-01"}, "Mã số thuế “0201234567-01” không hợp lệ"),
        (
            {"gtin": "", "trace_code": ""},
            "Cần ghi mã GTIN hoặc mã truy xuất nguồn gốc (ít nhất một trong hai).",
        ),
        ({"trace_code": "HB GẠO 1"}, "Mã truy xuất chỉ gồm chữ cái không dấu, chữ số"),
        ({"lot": "Lô tháng 5/2026"}, "Số lô đi kèm mã GTIN tối đa 20 ký tự, không dấu, không khoảng trắng"),
        ({"connected_on": ""}, "Sản phẩm đã kết nối Cổng cần ghi ngày kết nối."),
        ({"producer_address": ""}, "Sản phẩm kết nối Cổng cần ghi địa chỉ đơn vị sản xuất, kinh doanh"),
        ({"portal_connected": None}, "Có ngày kết nối thì cần đánh dấu “Đã kết nối Cổng”."),
        ({"expiry_date": "01/05/2026"}, "Hạn sử dụng không được trước ngày sản xuất."),
        ({"portal_url": "truyxuat gov vn"}, "Đường dẫn trên Cổng phải là địa chỉ web đầy đủ"),
        ({"name": ""}, "Chưa nhập tên sản phẩm, hàng hóa."),
    ],
)
def test_validation_messages(habac, users, units, client_for, overrides, message):
    response = client_for(users["kinhte"]).post(f"{BASE}them/", product_data(units, **overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not TraceableProduct.objects.exists()


@pytest.mark.parametrize(
    ("gtin", "tax_code", "gln"),
    [
        ("96385074", "0201234567", ""),
        ("036000291452", "", GLN),
        ("10614141000415", "0201234567-001", ""),
        ("893 6000 00100 1", " 0201234567 ", "893-1234-00000-4"),
    ],
)
def test_valid_codes_are_kept_without_spaces(habac, users, units, client_for, gtin, tax_code, gln):
    data = product_data(units, gtin=gtin, producer_tax_code=tax_code, producer_gln=gln)
    response = client_for(users["kinhte"]).post(f"{BASE}them/", data)
    assert response.status_code == 302, response.content.decode()
    product = TraceableProduct.objects.get()
    assert product.gtin == gtin.replace(" ", "")
    assert (product.producer_tax_code, product.producer_gln) == (tax_code.strip(), gln.replace("-", ""))


# Duplicates ---------------------------------------------------------------------------------------


def test_the_same_gtin_or_trace_code_is_refused(habac, users, units, client_for):
    client = client_for(users["kinhte"])
    assert client.post(f"{BASE}them/", product_data(units)).status_code == 302
    # The same GTIN written with 14 digits is the same product.
    page = client.post(
        f"{BASE}them/", product_data(units, name="Gạo khác", gtin="0" + GTIN, trace_code="HB-2")
    ).content.decode()
    assert f"Đã có sản phẩm “{NAME}” với mã GTIN {GTIN} trong sổ." in page
    page = client.post(
        f"{BASE}them/", product_data(units, name="Gạo khác", gtin=GTIN_2, trace_code="hb-gao-0001")
    ).content.decode()
    assert f"Đã có sản phẩm “{NAME}” với mã truy xuất hb-gao-0001 trong sổ." in page
    assert TraceableProduct.objects.count() == 1
    # Editing a product does not clash with itself.
    product = TraceableProduct.objects.get()
    edited = client.post(f"{BASE}{product.pk}/sua/", product_data(units, lot="LO-2026-02"))
    assert edited.status_code == 302
    product.refresh_from_db()
    assert product.lot == "LO-2026-02"


def _csv(*rows: str) -> SimpleUploadedFile:
    header = '"Tên sản phẩm, hàng hóa",Mã GTIN,Mã truy xuất nguồn gốc,"Đơn vị sản xuất, kinh doanh",Số lô\n'
    return SimpleUploadedFile("san-pham.csv", (header + "".join(r + "\n" for r in rows)).encode())


def test_import_refuses_duplicates_and_bad_codes(habac, users, units, client_for):
    client = client_for(users["kinhte"])
    page = client.post(
        f"{BASE}nhap/",
        {"file": _csv(f"Gạo A,{GTIN},,HTX A,L1", f"Gạo B,{GTIN},,HTX B,L2", "Gạo C,8936000002009,,HTX C,")},
    ).content.decode()
    assert "Dòng 3, cột Mã GTIN: trùng với dòng 2 trong tệp." in page
    assert "Dòng 4, cột Mã GTIN: Mã GTIN “8936000002009” sai số kiểm tra" in page
    assert client.post(f"{BASE}nhap/", {"confirm": "1"}).status_code == 200
    assert not TraceableProduct.objects.exists()

    make(units, gtin=GTIN_2, name="Mật ong")
    page = client.post(f"{BASE}nhap/", {"file": _csv(f"Gạo A,0{GTIN_2},,HTX A,")}).content.decode()
    assert "Dòng 2, cột Mã GTIN: Đã có sản phẩm “Mật ong” với mã GTIN 8936000002008 trong sổ." in page
    # Two rows with the same trace code: refused when written, and nothing is written.
    client.post(f"{BASE}nhap/", {"file": _csv("Gạo A,,HB-1,HTX A,", "Gạo B,,hb-1,HTX B,")})
    response = client.post(f"{BASE}nhap/", {"confirm": "1"})
    assert "Đã có sản phẩm “Gạo A” với mã truy xuất hb-1 trong sổ." in response.content.decode()
    assert TraceableProduct.objects.count() == 1


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_an_export_reimports_unchanged(habac, users, units, client_for, fmt):
    client = client_for(users["kinhte"])
    client.post(f"{BASE}them/", product_data(units, gtin="0" + GTIN, note="Hỗ trợ năm 2026"))
    client.post(
        f"{BASE}them/",
        product_data(
            units, name="Mật ong", gtin="", trace_code="HB-MO-1", portal_connected=None, connected_on=""
        ),
    )
    fields = [f.name for f in TraceableProduct._meta.concrete_fields if f.editable and f.name != "id"]
    before = sorted(TraceableProduct.objects.values_list(*fields))
    exported = client.get(f"{BASE}xuat.{fmt}").content
    TraceableProduct.objects.all().delete()
    client.post(f"{BASE}nhap/", {"file": SimpleUploadedFile(f"x.{fmt}", exported)})
    assert client.post(f"{BASE}nhap/", {"confirm": "1"}).status_code == 302
    assert sorted(TraceableProduct.objects.values_list(*fields)) == before


# QR code -----------------------------------------------------------------------------------------


def test_the_qr_code_decodes_to_the_product_url(habac, users, units, client_for):
    client = client_for(users["kinhte"])
    client.post(f"{BASE}them/", product_data(units))
    product = TraceableProduct.objects.get()
    expected = "https://truyxuatnguongoc.gov.vn/01/08936000001001/10/LO-2026%2F01"
    assert product.digital_link("http://testserver/") == expected
    response = client.get(f"{BASE}{product.pk}/qr.png")
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == f'attachment; filename="qr-{GTIN}.png"'
    assert qr_decode_png(response.content) == expected
    # The symbol is exactly the one segno makes for that URL.
    import segno

    assert labels.product_qr(expected).matrix == segno.make_qr(expected, error="m", boost_error=False).matrix
    assert zxing_read(response.content) in (None, [expected])


def test_the_qr_url_for_each_kind_of_product(habac, units):
    own = "https://kehoach.habac.gov.vn/"
    assert (
        make(units, gtin="96385074", lot="").digital_link(own)
        == "https://kehoach.habac.gov.vn/01/00000096385074"
    )
    assert (
        make(units, gtin="036000291452", lot="A1", portal_url="https://portal.example.vn/x?y=1").digital_link(
            own
        )
        == "https://portal.example.vn/01/00036000291452/10/A1"
    )
    assert make(units, gtin="", trace_code="HB-1", portal_url=PORTAL).digital_link(own) == PORTAL
    only_code = make(units, gtin="", trace_code="HB/2026/7")
    assert only_code.digital_link(own) == "https://kehoach.habac.gov.vn/truy-xuat/HB%2F2026%2F7"
    assert qr_decode_png(labels.qr_png(only_code.digital_link(own), scale=3)) == only_code.digital_link(own)


@pytest.mark.parametrize(
    ("fields", "path"),
    [
        ({"gtin": GTIN, "lot": "LO-2026/01"}, "/01/08936000001001/10/LO-2026%2F01"),
        ({"gtin": "96385074", "lot": ""}, "/01/00000096385074"),
        ({"gtin": "", "trace_code": "HB/2026/7"}, "/truy-xuat/HB%2F2026%2F7"),
    ],
)
def test_without_a_configured_address_the_qr_code_leads_to_the_public_page_of_this_server(
    habac, users, units, client_for, settings, fields, path
):
    """KEHOACH_BASE_URL unset: the QR code is built from the address the page was asked at (not a
    localhost guess), and that address answers for anyone who scans the label, without an account."""
    settings.KEHOACH_PUBLIC_URL = ""
    product = make(units, note="Ghi chú nội bộ: giá nhập 12.000 đồng", producer_address="Thôn Đông", **fields)
    client = client_for(users["kinhte"])
    page = client.get(product.get_absolute_url(), HTTP_HOST="127.0.0.1:8103").content.decode()
    link = f"http://127.0.0.1:8103{path}"
    assert f'href="{link}"' in page
    assert qr_decode_png(client.get(f"{BASE}{product.pk}/qr.png", HTTP_HOST="127.0.0.1:8103").content) == link

    from django.test import Client

    public = Client().get(path, HTTP_HOST="127.0.0.1:8103")
    assert public.status_code == 200
    text = public.content.decode()
    assert NAME in text and PRODUCER in text and "Thôn Đông" in text
    assert "Ghi chú nội bộ" not in text and "Mở trong sổ theo dõi" not in text
    # Someone of the commune who scans it is offered the register's page too.
    assert "Mở trong sổ theo dõi" in client.get(path).content.decode()


def test_a_configured_address_is_used_for_the_qr_code(habac, users, units, client_for, settings):
    settings.KEHOACH_PUBLIC_URL = "https://kehoach.habac.gov.vn"
    product = make(units, gtin="", trace_code="HB-7")
    page = client_for(users["kinhte"]).get(product.get_absolute_url()).content.decode()
    assert 'href="https://kehoach.habac.gov.vn/truy-xuat/HB-7"' in page


def test_the_public_page_of_an_unknown_code_is_not_found(habac, units, client):
    make(units, gtin=GTIN, lot="LO-1")
    assert client.get("/01/00000000000000").status_code == 404
    assert client.get("/01/abc").status_code == 404
    assert client.get("/truy-xuat/KHONG-CO").status_code == 404
    # A lot the register does not hold is not another lot's page; a product kept without a lot answers
    # for all of its lots, saying so.
    assert client.get("/01/08936000001001/10/LO-2").status_code == 404
    assert client.get("/01/08936000001001/10/LO-1").status_code == 200
    make(units, gtin="96385074", lot="")
    general = client.get("/01/00000096385074/10/LO-9").content.decode()
    assert "Không có thông tin riêng cho số lô “LO-9”" in general


# Label -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("size", "points"), [("", (141.73, 85.04)), ("a7", (209.76, 297.64))])
def test_the_label_prints_vietnamese_and_embeds_its_font(habac, users, units, client_for, size, points):
    import pypdfium2

    client = client_for(users["kinhte"])
    client.post(f"{BASE}them/", product_data(units))
    product = TraceableProduct.objects.get()
    response = client.get(f"{BASE}{product.pk}/nhan.pdf" + (f"?kho={size}" if size else ""))
    assert response["Content-Type"] == "application/pdf"
    content = b"".join(response.streaming_content)
    document = pypdfium2.PdfDocument(content)
    page = document[0]
    assert tuple(round(v, 2) for v in page.get_size()) == points
    text = " ".join(page.get_textpage().get_text_range().split())
    assert "Gạo thơm hữu cơ Hà Bắc" in text
    assert "Hợp tác xã Nông nghiệp" in text and f"GTIN {GTIN}" in text and "Số lô: LO-2026/01" in text
    # The font travels inside the PDF (a TrueType subset of Liberation Sans), not taken from the system.
    assert b"/FontFile2" in content and b"+LiberationSans" in content
    # The printed QR code reads too (the part of the label where it is drawn, in mm from the top left).
    box = (24, 0, 50, 30) if size != "a7" else (0, 51, 74, 95)
    printed = _png(page, box)
    assert qr_decode_png(printed) == product.digital_link("http://testserver/")
    assert zxing_read(printed) in (None, [product.digital_link("http://testserver/")])
    document.close()


def _png(page, box_mm) -> bytes:
    scale = 8
    px = scale * 72 / 25.4
    image = page.render(scale=scale).to_pil().crop(tuple(round(v * px) for v in box_mm))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def test_label_fonts_are_shipped_with_their_licence():
    fonts = Path(labels.FONT_REGULAR).parent
    assert fonts.parts[-3:] == ("kehoach", "static", "fonts")
    assert labels.FONT_REGULAR.exists() and labels.FONT_BOLD.exists()
    assert "SIL OPEN FONT LICENSE Version 1.1" in (fonts / "LICENSE-LiberationSans.txt").read_text()


def test_an_unknown_label_size_is_not_found(habac, users, units, client_for):
    product = make(units)
    assert client_for(users["kinhte"]).get(f"{BASE}{product.pk}/nhan.pdf?kho=a0").status_code == 404


# Images ------------------------------------------------------------------------------------------


def test_images_are_checked_stored_apart_and_served_to_readers(
    habac, users, units, client_for, other_city, media, django_capture_on_commit_callbacks
):
    product = make(units)
    client = client_for(users["kinhte"])
    response = client.post(
        f"{BASE}{product.pk}/anh/",
        {"file": SimpleUploadedFile("gạo.png", png_bytes()), "caption": "Túi 5 kg"},
    )
    assert response.status_code == 302
    image = ProductImage.objects.get()
    stored = Path(image.file.path)
    assert stored.is_relative_to(Path(media) / "products") and "gạo" not in stored.name
    assert (image.content_type, image.original_name, image.caption) == ("image/png", "gạo.png", "Túi 5 kg")
    assert AuditEntry.objects.filter(object_id=str(product.pk), summary="Thêm ảnh “gạo.png”").exists()

    served = client_for(users["captren"]).get(image.get_absolute_url())
    assert served.status_code == 200 and served["Content-Type"] == "image/png"
    assert served["X-Content-Type-Options"] == "nosniff"
    assert b"".join(served.streaming_content) == png_bytes()
    assert client_for(other_city["supervisor"]).get(image.get_absolute_url()).status_code == 403
    # Only the keeping unit adds or removes images.
    other = client_for(users["vhxh"]).post(
        f"{BASE}{product.pk}/anh/", {"file": SimpleUploadedFile("a.png", png_bytes())}
    )
    assert other.status_code == 403
    page = client.get(product.get_absolute_url()).content.decode()
    assert image.get_absolute_url() in page

    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"{BASE}{product.pk}/anh/{image.pk}/xoa/")
    assert not ProductImage.objects.exists() and not stored.exists()


def test_deleting_a_product_removes_its_image_files(
    habac, users, units, client_for, media, django_capture_on_commit_callbacks
):
    product = make(units)
    client = client_for(users["kinhte"])
    for name in ("a.png", "b.png"):
        client.post(f"{BASE}{product.pk}/anh/", {"file": SimpleUploadedFile(name, png_bytes())})
    paths = [Path(i.file.path) for i in ProductImage.objects.all()]
    assert len(paths) == 2 and all(p.exists() for p in paths)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"{BASE}{product.pk}/xoa/").status_code == 302
    assert not TraceableProduct.objects.exists() and not any(p.exists() for p in paths)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("anh.png", b"%PDF-1.4 not an image", "không phải ảnh PNG hoặc JPEG"),
        ("anh.jpg", b"MZ\x90\x00 a program", "không phải loại được phép"),
        ("anh.png", b"\x89PNG\r\n\x1a\n" + b"garbage" * 10, "hỏng, không đọc được như một ảnh"),
        ("anh.png", b"", "rỗng"),
    ],
)
def test_files_that_are_not_images_are_refused(
    habac, users, units, client_for, media, name, content, message
):
    product = make(units)
    response = client_for(users["kinhte"]).post(
        f"{BASE}{product.pk}/anh/", {"file": SimpleUploadedFile(name, content)}, follow=True
    )
    assert message in response.content.decode()
    assert not ProductImage.objects.exists()
    assert not (Path(media) / "products").exists() or not any((Path(media) / "products").rglob("*.*"))


# Indicator CT11 ----------------------------------------------------------------------------------


def _ct11(owner, until):
    return COMPUTATIONS["san_pham_truy_xuat"](owner=owner, year=2026, until=until, params={})


def test_ct11_on_an_empty_register(habac, units):
    result = _ct11(units["UBND xã Hà Bắc"], datetime.date(2026, 12, 31))
    assert (result.value, result.rows) == (0, [])


def test_ct11_counts_products_connected_within_the_year_to_the_cut_off(habac, units, other_city):
    commune = units["UBND xã Hà Bắc"]

    def connected(name, day, **kw):
        return make(units, name=name, gtin="", trace_code=name, portal_connected=True, connected_on=day, **kw)

    connected("cuoi-2025", datetime.date(2025, 12, 31))
    first = connected("dau-nam", datetime.date(2026, 1, 1))
    connected("cuoi-quy-1", datetime.date(2026, 3, 31))
    connected("dau-quy-2", datetime.date(2026, 4, 1), unit=units["Phòng VH-XH"])
    connected("nam-sau", datetime.date(2027, 1, 15))
    make(units, name="chua-ket-noi", gtin="", trace_code="chua")
    make(
        units,
        name="xa-khac",
        owner=other_city["commune"],
        unit=other_city["office"],
        portal_connected=True,
        connected_on=datetime.date(2026, 2, 1),
    )

    q1 = _ct11(commune, datetime.date(2026, 3, 31))
    assert q1.value == 2
    assert [r.label for r in q1.rows] == [
        "dau-nam (Mã truy xuất dau-nam, kết nối Cổng 01/01/2026)",
        "cuoi-quy-1 (Mã truy xuất cuoi-quy-1, kết nối Cổng 31/03/2026)",
    ]
    assert q1.rows[0].url == first.get_absolute_url()
    assert q1.method == "Đếm 2 sản phẩm truy xuất nguồn gốc kết nối Cổng quốc gia."
    assert _ct11(commune, datetime.date(2026, 4, 1)).value == 3
    # A cut-off past 31 December stops at the end of the plan's year.
    assert _ct11(commune, datetime.date(2027, 6, 30)).value == 3
    assert _ct11(commune, datetime.date(2025, 12, 31)).value == 0


# Permissions and pages ---------------------------------------------------------------------------


def test_reading_and_keeping_follow_the_unit_tree(habac, users, units, client_for, other_city, client):
    kinhte = client_for(users["kinhte"])
    kinhte.post(f"{BASE}them/", product_data(units))
    product = TraceableProduct.objects.get()
    captren = client_for(users["captren"])
    for url in (product.get_absolute_url(), f"{BASE}{product.pk}/qr.png", f"{BASE}{product.pk}/nhan.pdf"):
        assert captren.get(url).status_code == 200
        assert client_for(other_city["supervisor"]).get(url).status_code == 403
        assert client.get(url).status_code == 302  # anonymous: to the login page
    assert NAME not in client_for(other_city["supervisor"]).get(BASE).content.decode()
    assert NAME in captren.get(BASE).content.decode()
    # Phòng VH-XH does not keep Phòng Kinh tế's products; the city reads only.
    assert client_for(users["vhxh"]).post(f"{BASE}{product.pk}/sua/", product_data(units)).status_code == 403
    assert client_for(users["vhxh"]).post(f"{BASE}{product.pk}/xoa/").status_code == 403
    assert captren.get(f"{BASE}them/").status_code == 403
    page = captren.get(product.get_absolute_url()).content.decode()
    assert "Thêm ảnh" not in page


def test_list_filters_and_bounded_queries(habac, users, units, client_for):
    for i in range(3):
        make(units, name=f"Sản phẩm {i}", gtin="", trace_code=f"A{i}")
    client = client_for(users["kinhte"])
    with CaptureQueriesContext(connection) as few:
        assert client.get(BASE).status_code == 200
    for i in range(3, 25):
        make(
            units,
            name=f"Sản phẩm {i}",
            gtin="",
            trace_code=f"A{i}",
            portal_connected=i % 2 == 0,
            connected_on=datetime.date(2026, 5, 1) if i % 2 == 0 else None,
        )
    with CaptureQueriesContext(connection) as many:
        page = client.get(BASE).content.decode()
    assert len(many) == len(few)
    assert "Đã kết nối 01/05/2026" in page
    connected = client.get(BASE, {"connected": "co"}).content.decode()
    assert "Sản phẩm 4" in connected and "Sản phẩm 3<" not in connected
    assert "Sản phẩm 7" in client.get(BASE, {"q": "san pham 7"}).content.decode()
