"""Phủ sóng di động: villages, 5G coverage per village, and the population-weighted coverage rate (CT04)."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kehoach.core.models import AuditEntry
from kehoach.registers.computations import COMPUTATIONS
from kehoach.registers.models import Coverage5G, Village
from kehoach.registers.registry import spec_for
from kehoach.registers.services.rows import row_save
from kehoach.units.models import Unit

VILLAGE_HEADER = "Tên thôn,Số dân,Số hộ,Số liệu tính đến ngày\n"
COVERAGE_HEADER = "Thôn,Nhà mạng,Phủ sóng từ ngày,Ghi chú\n"


def village(user, unit, name, population, **extra) -> Village:
    data = {"name": name, "population": population, "unit": unit, **extra}
    return row_save(actor=user, spec=spec_for("thon"), data=data)


def cover(user, unit, village, operator, day) -> Coverage5G:
    data = {"village": village, "operator": operator, "covered_from": day, "unit": unit}
    return row_save(actor=user, spec=spec_for("phu-song-5g"), data=data)


def coverage_rate(owner, until, year=2026):
    return COMPUTATIONS["phu_song_5g"](owner=owner, year=year, until=until, params={})


def upload(client, slug, text, name="a.csv"):
    return client.post(f"/so-theo-doi/{slug}/nhap/", {"file": SimpleUploadedFile(name, text.encode())})


@pytest.fixture
def habac_villages(habac, users, units):
    """Đông 1.200 (Viettel from 01/03/2026), Tây 800 (VNPT and MobiFone from 30/06/2026),
    Nam 500 (no 5G), Bắc without a population figure (Viettel from 10/01/2026)."""
    user, unit = users["vhxh"], units["Phòng VH-XH"]
    east = village(user, unit, "Thôn Đông", 1200, households=310)
    west = village(user, unit, "Thôn Tây", 800)
    village(user, unit, "Thôn Nam", 500)
    north = village(user, unit, "Thôn Bắc", None)
    cover(user, unit, east, "viettel", datetime.date(2026, 3, 1))
    cover(user, unit, west, "vnpt", datetime.date(2026, 6, 30))
    cover(user, unit, west, "mobifone", datetime.date(2026, 8, 15))
    cover(user, unit, north, "viettel", datetime.date(2026, 1, 10))
    return {"east": east, "west": west, "north": north}


# The formula -------------------------------------------------------------------------------------


def test_an_empty_register_gives_no_value(habac, units):
    result = coverage_rate(units["UBND xã Hà Bắc"], datetime.date(2026, 6, 30))
    assert result.value is None and result.rows == []
    assert "chưa có thôn nào" in result.method


def test_population_weighted_rate_with_the_cut_off_edge(habac_villages, units):
    commune = units["UBND xã Hà Bắc"]
    # Coverage from the cut-off date counts: (1.200 + 800) ÷ (1.200 + 800 + 500) = 80 %.
    on_the_day = coverage_rate(commune, datetime.date(2026, 6, 30))
    assert on_the_day.value == Decimal("80.00")
    assert (on_the_day.numerator, on_the_day.denominator) == (Decimal(2000), Decimal(2500))
    assert [r.label for r in on_the_day.rows] == [
        "Thôn Đông: 1.200 người (5G: Viettel từ 01/03/2026)",
        "Thôn Tây: 800 người (5G: VNPT (VinaPhone) từ 30/06/2026)",
    ]
    assert on_the_day.rows[0].url == habac_villages["east"].get_absolute_url()
    # The village without a population figure is in neither term, and the method says so.
    assert "1 thôn chưa có số dân nên chưa được tính: Thôn Bắc" in on_the_day.method
    # The day before, Tây is not covered yet: 1.200 ÷ 2.500 = 48 %.
    assert coverage_rate(commune, datetime.date(2026, 6, 29)).value == Decimal("48.00")
    # A second operator in the same village counts the village once.
    later = coverage_rate(commune, datetime.date(2026, 9, 30))
    assert later.value == Decimal("80.00") and later.numerator == Decimal(2000)
    assert "MobiFone từ 15/08/2026" in later.rows[1].label


def test_coverage_is_a_state_read_at_the_cut_off(habac_villages, users, units):
    commune = units["UBND xã Hà Bắc"]
    # Coverage begun in an earlier year still counts; a cut-off after 31 December reads 31 December.
    assert coverage_rate(commune, datetime.date(2027, 3, 31), year=2026).value == Decimal("80.00")
    assert coverage_rate(commune, datetime.date(2027, 3, 31), year=2027).value == Decimal("80.00")
    assert coverage_rate(commune, datetime.date(2025, 12, 31), year=2025).value == Decimal("0.00")


def test_only_villages_without_population_give_no_value(habac, users, units):
    user, unit = users["vhxh"], units["Phòng VH-XH"]
    lone = village(user, unit, "Thôn Trung", None)
    cover(user, unit, lone, "viettel", datetime.date(2026, 1, 5))
    result = coverage_rate(units["UBND xã Hà Bắc"], datetime.date(2026, 6, 30))
    assert result.value is None and result.denominator == 0


def test_another_communes_villages_do_not_count(habac_villages, other_city):
    commune, office = other_city["commune"], other_city["office"]
    Village.objects.create(owner_unit=commune, unit=office, name="Thôn Đông", population=9000)
    assert coverage_rate(commune, datetime.date(2026, 6, 30)).value == Decimal("0.00")
    habac = Unit.objects.get(short_name="UBND xã Hà Bắc")
    assert coverage_rate(habac, datetime.date(2026, 6, 30)).value == Decimal("80.00")


def test_the_computation_is_a_rate_reading_both_registers():
    spec = COMPUTATIONS["phu_song_5g"]
    assert spec.is_rate and set(spec.models) == {Village, Coverage5G}


# Pages, validation and duplicates ----------------------------------------------------------------


def test_staff_add_a_village_and_its_coverage(habac, users, units, client_for):
    client = client_for(users["vhxh"])
    response = client.post(
        "/so-theo-doi/thon/them/",
        {
            "name": "Thôn  Đông ",
            "population": "1.250",
            "households": "320",
            "as_of": "01/01/2026",
            "unit": units["Phòng VH-XH"].pk,
        },
    )
    east = Village.objects.get()
    assert response.status_code == 302 and (east.name, east.population) == ("Thôn Đông", 1250)
    assert east.owner_unit == units["UBND xã Hà Bắc"]
    response = client.post(
        "/so-theo-doi/phu-song-5g/them/",
        {
            "village": east.pk,
            "operator": "viettel",
            "covered_from": "2026-03-01",
            "unit": units["Phòng VH-XH"].pk,
        },
    )
    assert response.status_code == 302
    assert AuditEntry.objects.filter(object_id=str(Coverage5G.objects.get().pk), action="create").exists()
    page = client.get(east.get_absolute_url()).content.decode()
    assert "Phủ sóng 5G của thôn" in page and "Viettel" in page and "01/03/2026" in page
    listing = client.get("/so-theo-doi/thon/").content.decode()
    assert "Viettel từ 01/03/2026" in listing and "1.250" in listing


def test_population_cannot_be_negative(habac, users, units, client_for):
    client = client_for(users["vhxh"])
    page = client.post(
        "/so-theo-doi/thon/them/",
        {"name": "Thôn Đông", "population": "-5", "households": "-1", "unit": units["Phòng VH-XH"].pk},
    ).content.decode()
    assert "Số dân không được âm." in page and "Số hộ không được âm." in page
    page = client.post(
        "/so-theo-doi/thon/them/",
        {"name": "Thôn Đông", "population": "100", "households": "150", "unit": units["Phòng VH-XH"].pk},
    ).content.decode()
    assert "Số hộ không thể lớn hơn số dân." in page
    assert not Village.objects.exists()


def test_the_same_village_name_is_refused(habac_villages, users, units, client_for):
    page = (
        client_for(users["kinhte"])
        .post(
            "/so-theo-doi/thon/them/",
            {"name": "thôn  đông", "population": "10", "unit": units["Phòng KT"].pk},
        )
        .content.decode()
    )
    assert "Xã đã có thôn “thôn đông”." in page
    # The same operator twice in a village is a duplicate; another commune may have its own Thôn Đông.
    page = (
        client_for(users["vhxh"])
        .post(
            "/so-theo-doi/phu-song-5g/them/",
            {
                "village": habac_villages["east"].pk,
                "operator": "viettel",
                "covered_from": "2026-05-01",
                "unit": units["Phòng VH-XH"].pk,
            },
        )
        .content.decode()
    )
    assert "Thôn “Thôn Đông” đã có bản ghi phủ sóng 5G của Viettel." in page


def test_a_village_of_another_commune_cannot_be_chosen(habac, users, units, client_for, other_city):
    foreign = Village.objects.create(
        owner_unit=other_city["commune"], unit=other_city["office"], name="Thôn Sóc", population=10
    )
    page = (
        client_for(users["vhxh"])
        .post(
            "/so-theo-doi/phu-song-5g/them/",
            {
                "village": foreign.pk,
                "operator": "viettel",
                "covered_from": "2026-05-01",
                "unit": units["Phòng VH-XH"].pk,
            },
        )
        .content.decode()
    )
    assert "Thôn không thuộc xã của bạn." in page
    # The model refuses it too, for imports and the API.
    with pytest.raises(Exception, match="Thôn không thuộc xã của đơn vị theo dõi"):
        cover(users["vhxh"], units["Phòng VH-XH"], foreign, "viettel", datetime.date(2026, 5, 1))
    assert not Coverage5G.objects.exists()


def test_a_village_with_coverage_is_not_deleted(habac_villages, users, client_for):
    east = habac_villages["east"]
    response = client_for(users["vhxh"]).post(f"/so-theo-doi/thon/{east.pk}/xoa/")
    assert response.status_code == 403
    assert "đang có phủ sóng 5G trong sổ" in response.content.decode()
    assert Village.objects.filter(pk=east.pk).exists()


def test_reading_and_writing_follow_the_unit_tree(habac_villages, users, units, client_for, other_city):
    east = habac_villages["east"]
    assert client_for(users["captren"]).get(east.get_absolute_url()).status_code == 200
    assert client_for(other_city["supervisor"]).get(east.get_absolute_url()).status_code == 403
    assert "Thôn Đông" not in client_for(other_city["supervisor"]).get("/so-theo-doi/thon/").content.decode()
    edit = {"name": "Thôn Đông", "population": "1300", "unit": units["Phòng VH-XH"].pk}
    assert client_for(users["kinhte"]).post(f"/so-theo-doi/thon/{east.pk}/sua/", edit).status_code == 403
    assert client_for(users["captren"]).get("/so-theo-doi/phu-song-5g/them/").status_code == 403
    assert client_for(users["vhxh"]).post(f"/so-theo-doi/thon/{east.pk}/sua/", edit).status_code == 302


# Import and export -------------------------------------------------------------------------------


def test_village_import_is_all_or_nothing(habac, users, client_for):
    client = client_for(users["vhxh"])
    bad = VILLAGE_HEADER + "Thôn Đông,1.200,310,01/01/2026\nThôn Tây,-3,,\nThôn Đông,5,,\nThôn Nam,nhiều,,\n"
    page = upload(client, "thon", bad).content.decode()
    assert "Dòng 3, cột Số dân: Số dân không được âm." in page
    assert "Dòng 4, cột Tên thôn: trùng với dòng 2 trong tệp." in page
    assert "Dòng 5, cột Số dân: “nhiều” không phải là số." in page
    assert client.post("/so-theo-doi/thon/nhap/", {"confirm": "1"}).status_code == 200
    assert not Village.objects.exists()
    upload(client, "thon", VILLAGE_HEADER + "Thôn Đông,1.200,310,01/01/2026\nThôn Tây,800,,\n")
    assert client.post("/so-theo-doi/thon/nhap/", {"confirm": "1"}).status_code == 302
    assert sorted(Village.objects.values_list("name", "population")) == [
        ("Thôn Tây", 800),
        ("Thôn Đông", 1200),
    ]
    # Importing a village the register already has is refused, accents and case aside.
    page = upload(client, "thon", VILLAGE_HEADER + "THÔN ĐÔNG,5,,\n").content.decode()
    assert "Dòng 2, cột Tên thôn: Xã đã có thôn “THÔN ĐÔNG”." in page


def test_coverage_import_matches_villages_by_name(habac_villages, users, client_for):
    client = client_for(users["vhxh"])
    Coverage5G.objects.all().delete()
    bad = COVERAGE_HEADER + "thôn đông,Viettel,01/03/2026,\nThôn Xa,VNPT,01/03/2026,\nThôn Tây,Vinaphone,,\n"
    page = upload(client, "phu-song-5g", bad).content.decode()
    assert "Dòng 3, cột Thôn: xã chưa có thôn “Thôn Xa” trong sổ thôn; hãy thêm thôn trước." in page
    assert "Dòng 4, cột Nhà mạng: “Vinaphone” không thuộc các giá trị" in page
    assert "Dòng 4, cột Phủ sóng từ ngày: bắt buộc, không được để trống." in page
    client.post("/so-theo-doi/phu-song-5g/nhap/", {"confirm": "1"})
    assert not Coverage5G.objects.exists()
    good = COVERAGE_HEADER + "thôn đông,Viettel,01/03/2026,trạm BTS thôn\nThôn Tây,vnpt,30/06/2026,\n"
    upload(client, "phu-song-5g", good)
    assert client.post("/so-theo-doi/phu-song-5g/nhap/", {"confirm": "1"}).status_code == 302
    assert sorted(Coverage5G.objects.values_list("village__name", "operator")) == [
        ("Thôn Tây", "vnpt"),
        ("Thôn Đông", "viettel"),
    ]
    dup = COVERAGE_HEADER + "Thôn Nam,Viettel,01/03/2026,\nthôn nam,Viettel,02/03/2026,\n"
    page = upload(client, "phu-song-5g", dup).content.decode()
    assert "Dòng 3, cột Thôn: trùng với dòng 2 trong tệp." in page


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_exports_reimport_unchanged(habac_villages, users, units, client_for, fmt):
    client = client_for(users["vhxh"])
    villages = client.get(f"/so-theo-doi/thon/xuat.{fmt}").content
    coverage = client.get(f"/so-theo-doi/phu-song-5g/xuat.{fmt}").content
    before_v = sorted(Village.objects.values_list("name", "population", "households", "as_of", "unit"))
    before_c = sorted(
        Coverage5G.objects.values_list("village__name", "operator", "covered_from", "note", "unit")
    )
    Coverage5G.objects.all().delete()
    Village.objects.all().delete()
    client.post("/so-theo-doi/thon/nhap/", {"file": SimpleUploadedFile(f"x.{fmt}", villages)})
    assert client.post("/so-theo-doi/thon/nhap/", {"confirm": "1"}).status_code == 302
    client.post("/so-theo-doi/phu-song-5g/nhap/", {"file": SimpleUploadedFile(f"x.{fmt}", coverage)})
    assert client.post("/so-theo-doi/phu-song-5g/nhap/", {"confirm": "1"}).status_code == 302
    assert (
        sorted(Village.objects.values_list("name", "population", "households", "as_of", "unit")) == before_v
    )
    after_c = sorted(
        Coverage5G.objects.values_list("village__name", "operator", "covered_from", "note", "unit")
    )
    assert after_c == before_c


def test_the_template_explains_the_village_column(habac, users, client_for):
    import io

    from openpyxl import load_workbook

    content = client_for(users["vhxh"]).get("/so-theo-doi/phu-song-5g/mau.xlsx").content
    workbook = load_workbook(io.BytesIO(content))
    assert [c.value for c in workbook.worksheets[0][1]][:3] == ["Thôn", "Nhà mạng", "Phủ sóng từ ngày"]
    guide = {row[0].value: row[2].value for row in workbook["Hướng dẫn"].iter_rows(min_row=2)}
    assert "sổ thôn" in guide["Thôn"]


def test_list_queries_do_not_grow_with_rows(habac, users, units, client_for, django_assert_max_num_queries):
    client = client_for(users["vhxh"])
    user, unit = users["vhxh"], units["Phòng VH-XH"]

    def add(start, n):
        for i in range(start, start + n):
            v = village(user, unit, f"Thôn {i}", 100 + i)
            cover(user, unit, v, "viettel", datetime.date(2026, 1, 1))

    add(0, 2)
    for url in ("/so-theo-doi/thon/", "/so-theo-doi/phu-song-5g/"):
        client.get(url)
    counts = {}
    for url in ("/so-theo-doi/thon/", "/so-theo-doi/phu-song-5g/"):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as small:
            client.get(url)
        counts[url] = len(small)
    add(2, 12)
    for url, n in counts.items():
        with django_assert_max_num_queries(n):
            assert client.get(url).status_code == 200
