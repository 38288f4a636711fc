"""Chương trình đảm bảo đo lường: enterprises, the programme's steps, and the count of enterprises (CT10)."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kehoach.core.models import AuditEntry
from kehoach.registers.computations import COMPUTATIONS
from kehoach.registers.models import Enterprise, ProgrammeStep
from kehoach.registers.registry import spec_for
from kehoach.registers.services.rows import row_save

ENTERPRISE_HEADER = "Tên doanh nghiệp,Mã số thuế,Địa chỉ,Ngành nghề\n"
STEP_HEADER = "Mã số thuế,Bước,Ngày,Văn bản\n"


def enterprise(user, unit, name, tax_code) -> Enterprise:
    return row_save(
        actor=user, spec=spec_for("doanh-nghiep"), data={"name": name, "tax_code": tax_code, "unit": unit}
    )


def step(user, unit, company, kind, day, document="") -> ProgrammeStep:
    data = {"enterprise": company, "step": kind, "date": day, "document": document, "unit": unit}
    return row_save(actor=user, spec=spec_for("buoc-dam-bao-do-luong"), data=data)


def supported(owner, until, year=2026):
    return COMPUTATIONS["doanh_nghiep_dam_bao_do_luong"](owner=owner, year=year, until=until, params={})


def upload(client, slug, text, name="a.csv"):
    return client.post(f"/so-theo-doi/{slug}/nhap/", {"file": SimpleUploadedFile(name, text.encode())})


@pytest.fixture
def programme(habac, users, units):
    """Five enterprises of Hà Bắc:
    An Phát   — triển khai 10/03/2026 (counts from March);
    Bình Minh — triển khai 30/06/2026 (counts from the cut-off 30/06, not 29/06);
    Cường Thịnh — triển khai 20/12/2025 only (last year: never counts in 2026);
    Duy Tân   — đánh giá thực trạng and kế hoạch in 2026 but no triển khai (does not count);
    Gia Hưng  — triển khai twice in 2026 (counts once, from the first)."""
    user, unit = users["kinhte"], units["Phòng KT"]
    an = enterprise(user, unit, "Công ty TNHH An Phát", "0201234567")
    binh = enterprise(user, unit, "Công ty CP Bình Minh", "0209876543-001")
    cuong = enterprise(user, unit, "Công ty TNHH Cường Thịnh", "0201111111")
    duy = enterprise(user, unit, "HTX Duy Tân", "0202222222")
    gia = enterprise(user, unit, "Công ty TNHH Gia Hưng", "0203333333")
    step(user, unit, an, "danh_gia", datetime.date(2026, 1, 15), "Biên bản đánh giá 01/BB")
    step(user, unit, an, "trien_khai", datetime.date(2026, 3, 10), "QĐ 12/QĐ-CT")
    step(user, unit, binh, "trien_khai", datetime.date(2026, 6, 30))
    step(user, unit, cuong, "trien_khai", datetime.date(2025, 12, 20))
    step(user, unit, duy, "danh_gia", datetime.date(2026, 2, 1))
    step(user, unit, duy, "ke_hoach", datetime.date(2026, 4, 1))
    step(user, unit, gia, "trien_khai", datetime.date(2026, 5, 5))
    step(user, unit, gia, "trien_khai", datetime.date(2026, 8, 1))
    return {"an": an, "binh": binh, "cuong": cuong, "duy": duy, "gia": gia}


# The formula -------------------------------------------------------------------------------------


def test_an_empty_register_counts_none(habac, units):
    result = supported(units["UBND xã Hà Bắc"], datetime.date(2026, 6, 30))
    assert result.value == Decimal(0) and result.rows == []


def test_enterprises_implementing_in_the_year_with_the_cut_off_edge(programme, units):
    commune = units["UBND xã Hà Bắc"]
    on_the_day = supported(commune, datetime.date(2026, 6, 30))
    assert on_the_day.value == Decimal(3)
    assert [r.label for r in on_the_day.rows] == [
        "Công ty TNHH An Phát (MST 0201234567): triển khai từ 10/03/2026",
        "Công ty TNHH Gia Hưng (MST 0203333333): triển khai từ 05/05/2026",
        "Công ty CP Bình Minh (MST 0209876543-001): triển khai từ 30/06/2026",
    ]
    assert on_the_day.rows[0].url == programme["an"].get_absolute_url()
    assert supported(commune, datetime.date(2026, 6, 29)).value == Decimal(2)
    assert supported(commune, datetime.date(2026, 3, 9)).value == Decimal(0)
    # Year-to-date: the whole year at 31 December; 2025 has only Cường Thịnh.
    assert supported(commune, datetime.date(2027, 3, 31)).value == Decimal(3)
    last_year = supported(commune, datetime.date(2025, 12, 31), year=2025)
    assert [r.label for r in last_year.rows] == [
        "Công ty TNHH Cường Thịnh (MST 0201111111): triển khai từ 20/12/2025"
    ]


def test_another_communes_enterprises_do_not_count(programme, other_city):
    company = Enterprise.objects.create(
        owner_unit=other_city["commune"], unit=other_city["office"], name="Sóc Sơn", tax_code="0100000001"
    )
    ProgrammeStep.objects.create(
        owner_unit=other_city["commune"],
        unit=other_city["office"],
        enterprise=company,
        step="trien_khai",
        date=datetime.date(2026, 2, 2),
    )
    assert supported(other_city["commune"], datetime.date(2026, 6, 30)).value == Decimal(1)
    assert supported(programme["an"].owner_unit, datetime.date(2026, 6, 30)).value == Decimal(3)


def test_the_computation_is_a_count_reading_both_registers():
    spec = COMPUTATIONS["doanh_nghiep_dam_bao_do_luong"]
    assert not spec.is_rate and set(spec.models) == {Enterprise, ProgrammeStep}


# Validation and duplicates -----------------------------------------------------------------------


@pytest.mark.parametrize("code", ["12345", "02012345678", "0201234567-01", "020123456A", "0201234567/001"])
def test_tax_code_format_is_checked(habac, users, units, client_for, code):
    page = client_for(users["kinhte"]).post(
        "/so-theo-doi/doanh-nghiep/them/",
        {"name": "Công ty A", "tax_code": code, "unit": units["Phòng KT"].pk},
    )
    assert "Mã số thuế phải gồm 10 chữ số, hoặc 10 chữ số, dấu “-” và 3 chữ số" in page.content.decode()
    assert not Enterprise.objects.exists()


def test_tax_code_is_tidied(habac, users, units):
    company = enterprise(users["kinhte"], units["Phòng KT"], "Công ty A", " 0201 234 567 – 001 ")
    assert company.tax_code == "0201234567-001"


def test_the_same_tax_code_is_refused(programme, users, units, client_for):
    page = client_for(users["kinhte"]).post(
        "/so-theo-doi/doanh-nghiep/them/",
        {"name": "Công ty khác", "tax_code": "0201234567", "unit": units["Phòng KT"].pk},
    )
    assert "Đã có doanh nghiệp “Công ty TNHH An Phát” với mã số thuế 0201234567." in page.content.decode()
    # The same step on the same day twice is a duplicate too.
    with pytest.raises(ValidationError) as error:
        step(users["kinhte"], units["Phòng KT"], programme["an"], "trien_khai", datetime.date(2026, 3, 10))
    assert error.value.message_dict["step"] == [
        "Doanh nghiệp “Công ty TNHH An Phát” đã có bước “Triển khai” ngày 10/03/2026."
    ]


def test_a_step_for_another_communes_enterprise_is_refused(habac, users, units, other_city):
    foreign = Enterprise.objects.create(
        owner_unit=other_city["commune"], unit=other_city["office"], name="Sóc Sơn", tax_code="0100000001"
    )
    with pytest.raises(ValidationError) as error:
        step(users["kinhte"], units["Phòng KT"], foreign, "trien_khai", datetime.date(2026, 3, 10))
    assert error.value.message_dict["enterprise"] == ["Doanh nghiệp không thuộc xã của đơn vị theo dõi."]


# The steps panel on the enterprise's page --------------------------------------------------------


def test_steps_are_added_and_removed_on_the_enterprise_page(programme, users, client_for):
    client = client_for(users["kinhte"])
    duy = programme["duy"]
    url = f"/so-theo-doi/doanh-nghiep/{duy.pk}/buoc/them/"
    response = client.post(url, {"step": "trien_khai", "date": "2026-06-01", "document": "QĐ 20/QĐ-DT"})
    assert response.status_code == 302 and response["Location"] == f"{duy.get_absolute_url()}#cac-buoc"
    added = ProgrammeStep.objects.get(enterprise=duy, step="trien_khai")
    assert (added.unit, added.document, added.created_by) == (duy.unit, "QĐ 20/QĐ-DT", users["kinhte"])
    assert AuditEntry.objects.filter(object_id=str(added.pk), action="create").exists()
    page = client.get(duy.get_absolute_url()).content.decode()
    assert "Các bước Chương trình đảm bảo đo lường" in page and "QĐ 20/QĐ-DT" in page and "01/06/2026" in page
    assert supported(duy.owner_unit, datetime.date(2026, 6, 30)).value == Decimal(4)
    # Errors come back as messages on the page.
    client.post(url, {"step": "trien_khai", "date": "2026-06-01"})
    page = client.get(duy.get_absolute_url()).content.decode()
    assert "đã có bước “Triển khai” ngày 01/06/2026" in page
    client.post(url, {"step": "", "date": "31/02/2026"})
    page = client.get(duy.get_absolute_url()).content.decode()
    assert "Chưa chọn bước." in page and "Ngày không hợp lệ (dd/mm/yyyy)." in page
    # Removing a step.
    response = client.post(f"/so-theo-doi/doanh-nghiep/{duy.pk}/buoc/{added.pk}/xoa/")
    assert response.status_code == 302 and not ProgrammeStep.objects.filter(pk=added.pk).exists()


def test_only_the_keeping_unit_edits_steps(programme, users, client_for, other_city):
    an = programme["an"]
    url = f"/so-theo-doi/doanh-nghiep/{an.pk}/buoc/them/"
    data = {"step": "bao_cao", "date": "2026-09-01"}
    assert client_for(users["vhxh"]).post(url, data).status_code == 403
    assert client_for(other_city["supervisor"]).post(url, data).status_code == 403
    first = an.programme_steps.first()
    assert (
        client_for(users["vhxh"]).post(f"/so-theo-doi/doanh-nghiep/{an.pk}/buoc/{first.pk}/xoa/").status_code
        == 403
    )
    assert an.programme_steps.count() == 2
    # Others read the page without the form; the city outside reads nothing.
    page = client_for(users["captren"]).get(an.get_absolute_url()).content.decode()
    assert "Thêm bước" not in page and "QĐ 12/QĐ-CT" in page
    assert client_for(other_city["supervisor"]).get(an.get_absolute_url()).status_code == 403
    assert (
        "An Phát"
        not in client_for(other_city["supervisor"]).get("/so-theo-doi/doanh-nghiep/").content.decode()
    )
    assert client_for(users["kinhte"]).get(an.get_absolute_url()).content.decode().count("Thêm bước") == 1


def test_an_enterprise_with_steps_is_not_deleted(programme, users, client_for):
    response = client_for(users["kinhte"]).post(f"/so-theo-doi/doanh-nghiep/{programme['an'].pk}/xoa/")
    assert response.status_code == 403 and "đã có 2 bước" in response.content.decode()
    assert Enterprise.objects.filter(pk=programme["an"].pk).exists()


# Import and export -------------------------------------------------------------------------------


def test_enterprise_import_is_all_or_nothing(habac, users, client_for):
    client = client_for(users["kinhte"])
    bad = (
        ENTERPRISE_HEADER
        + "Công ty A,0201234567,Hà Bắc,Cơ khí\n"
        + "Công ty B,201234,,\n"
        + "Công ty C,0201234567,,\n"
        + "Công ty D,,,\n"
    )
    page = upload(client, "doanh-nghiep", bad).content.decode()
    assert "Dòng 3, cột Mã số thuế: Mã số thuế phải gồm 10 chữ số" in page
    assert "Dòng 4, cột Mã số thuế: trùng với dòng 2 trong tệp." in page
    assert "Dòng 5, cột Mã số thuế: bắt buộc, không được để trống." in page
    assert client.post("/so-theo-doi/doanh-nghiep/nhap/", {"confirm": "1"}).status_code == 200
    assert not Enterprise.objects.exists()
    upload(
        client,
        "doanh-nghiep",
        ENTERPRISE_HEADER + "Công ty A,0201234567,Hà Bắc,Cơ khí\nCông ty B,0201234568,,\n",
    )
    assert client.post("/so-theo-doi/doanh-nghiep/nhap/", {"confirm": "1"}).status_code == 302
    assert Enterprise.objects.count() == 2
    page = upload(client, "doanh-nghiep", ENTERPRISE_HEADER + "Công ty E,0201234568,,\n").content.decode()
    assert "Dòng 2, cột Mã số thuế: Đã có doanh nghiệp “Công ty B” với mã số thuế 0201234568." in page


def test_step_import_matches_enterprises_by_tax_code(programme, users, client_for):
    client = client_for(users["kinhte"])
    before = ProgrammeStep.objects.count()
    bad = (
        STEP_HEADER
        + "0202222222,Triển khai,15/06/2026,QĐ 30/QĐ-DT\n"
        + "0209999999,Tư vấn,01/05/2026,\n"
        + "2222222,Tư vấn,01/05/2026,\n"
        + "0202222222,Nghiệm thu,01/05/2026,\n"
        + "0201234567,trien_khai,10/03/2026,\n"
    )
    page = upload(client, "buoc-dam-bao-do-luong", bad).content.decode()
    assert (
        "Dòng 3, cột Mã số thuế: sổ doanh nghiệp của xã chưa có doanh nghiệp có mã số thuế “0209999999”."
        in page
    )
    assert "Dòng 4, cột Mã số thuế: “2222222” không phải mã số thuế hợp lệ" in page
    assert "Dòng 5, cột Bước: “Nghiệm thu” không thuộc các giá trị" in page
    assert (
        "Dòng 6, cột Bước: Doanh nghiệp “Công ty TNHH An Phát” đã có bước “Triển khai” ngày 10/03/2026."
        in page
    )
    client.post("/so-theo-doi/buoc-dam-bao-do-luong/nhap/", {"confirm": "1"})
    assert ProgrammeStep.objects.count() == before
    good = STEP_HEADER + "0202222222,Triển khai,15/06/2026,QĐ 30/QĐ-DT\n0202222222,tư vấn,01/05/2026,\n"
    upload(client, "buoc-dam-bao-do-luong", good)
    assert client.post("/so-theo-doi/buoc-dam-bao-do-luong/nhap/", {"confirm": "1"}).status_code == 302
    assert ProgrammeStep.objects.count() == before + 2
    assert supported(programme["duy"].owner_unit, datetime.date(2026, 6, 30)).value == Decimal(4)


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_exports_reimport_unchanged(programme, users, client_for, fmt):
    client = client_for(users["kinhte"])
    companies = client.get(f"/so-theo-doi/doanh-nghiep/xuat.{fmt}").content
    steps = client.get(f"/so-theo-doi/buoc-dam-bao-do-luong/xuat.{fmt}").content
    company_fields = ("name", "tax_code", "address", "sector", "contact", "unit")
    step_fields = ("enterprise__tax_code", "step", "date", "document", "unit")
    before = (
        sorted(Enterprise.objects.values_list(*company_fields)),
        sorted(ProgrammeStep.objects.values_list(*step_fields)),
    )
    ProgrammeStep.objects.all().delete()
    Enterprise.objects.all().delete()
    client.post("/so-theo-doi/doanh-nghiep/nhap/", {"file": SimpleUploadedFile(f"x.{fmt}", companies)})
    assert client.post("/so-theo-doi/doanh-nghiep/nhap/", {"confirm": "1"}).status_code == 302
    client.post("/so-theo-doi/buoc-dam-bao-do-luong/nhap/", {"file": SimpleUploadedFile(f"x.{fmt}", steps)})
    assert client.post("/so-theo-doi/buoc-dam-bao-do-luong/nhap/", {"confirm": "1"}).status_code == 302
    after = (
        sorted(Enterprise.objects.values_list(*company_fields)),
        sorted(ProgrammeStep.objects.values_list(*step_fields)),
    )
    assert after == before


def test_list_queries_do_not_grow_with_rows(
    programme, users, units, client_for, django_assert_max_num_queries
):
    client = client_for(users["kinhte"])
    urls = ("/so-theo-doi/doanh-nghiep/", "/so-theo-doi/buoc-dam-bao-do-luong/")
    counts = {}
    for url in urls:
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        counts[url] = len(queries)
    user, unit = users["kinhte"], units["Phòng KT"]
    for i in range(10):
        company = enterprise(user, unit, f"Công ty số {i}", f"02100000{i:02d}")
        step(user, unit, company, "danh_gia", datetime.date(2026, 2, 1))
        step(user, unit, company, "trien_khai", datetime.date(2026, 4, 1))
    for url, n in counts.items():
        with django_assert_max_num_queries(n):
            assert client.get(url).status_code == 200
    page = client.get("/so-theo-doi/doanh-nghiep/").content.decode()
    assert "Triển khai (01/04/2026)" in page
    filtered = client.get("/so-theo-doi/doanh-nghiep/?step=trien_khai&year=2025").content.decode()
    assert "Cường Thịnh" in filtered and "An Phát" not in filtered
