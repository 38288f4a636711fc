"""The register framework on its first register: pages, permissions, import all-or-nothing, export."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kehoach.core.models import AuditEntry
from kehoach.registers.models import Initiative

HEADER = "Tên sáng kiến,Tác giả,Trạng thái,Phạm vi ảnh hưởng,Số quyết định công nhận,Ngày quyết định\n"


def initiative_data(units, **overrides):
    data = {
        "title": "Số hóa hồ sơ một cửa",
        "authors": "Lê Văn Minh",
        "unit": units["Phòng VH-XH"].pk,
        "status": "cong_nhan",
        "scope": "xa",
        "decision_number": "15/QĐ-UBND",
        "decision_date": "10/05/2026",
        "score_novelty": "8,5",
    }
    data.update(overrides)
    return data


def test_staff_adds_an_initiative_and_it_is_audited(habac, users, units, client_for):
    client = client_for(users["vhxh"])
    response = client.post("/so-theo-doi/sang-kien/them/", initiative_data(units))
    initiative = Initiative.objects.get()
    assert response.status_code == 302 and response["Location"] == initiative.get_absolute_url()
    assert initiative.owner_unit == units["UBND xã Hà Bắc"]
    assert str(initiative.score_novelty) == "8.50"
    assert AuditEntry.objects.filter(object_id=str(initiative.pk), action="create").exists()
    page = client.get(initiative.get_absolute_url()).content.decode()
    assert "15/QĐ-UBND" in page and "10/05/2026" in page


def test_recognised_initiative_needs_its_decision(habac, users, units, client_for):
    response = client_for(users["vhxh"]).post(
        "/so-theo-doi/sang-kien/them/", initiative_data(units, decision_number="", scope="")
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Sáng kiến được công nhận cần ghi số quyết định công nhận." in page
    assert "Sáng kiến được công nhận cần ghi phạm vi ảnh hưởng." in page
    assert not Initiative.objects.exists()


def test_reading_and_writing_follow_the_unit_tree(habac, users, units, client_for, other_city):
    client_for(users["vhxh"]).post("/so-theo-doi/sang-kien/them/", initiative_data(units))
    initiative = Initiative.objects.get()
    assert client_for(users["captren"]).get(initiative.get_absolute_url()).status_code == 200
    assert client_for(other_city["supervisor"]).get(initiative.get_absolute_url()).status_code == 403
    assert (
        "Số hóa hồ sơ"
        not in client_for(other_city["supervisor"]).get("/so-theo-doi/sang-kien/").content.decode()
    )
    # Another unit's staff cannot change it; the city reads only.
    kinhte = client_for(users["kinhte"])
    assert (
        kinhte.post(f"/so-theo-doi/sang-kien/{initiative.pk}/sua/", initiative_data(units)).status_code == 403
    )
    assert client_for(users["captren"]).get("/so-theo-doi/sang-kien/them/").status_code == 403


def test_import_is_all_or_nothing_with_row_errors(habac, users, client_for):
    client = client_for(users["vhxh"])
    bad = HEADER + "A,B,Được công nhận,Cấp xã,16/QĐ-UBND,12/05/2026\nC,,Đăng ký,,,\nD,E,Đã xong,,,\n"
    response = client.post(
        "/so-theo-doi/sang-kien/nhap/", {"file": SimpleUploadedFile("a.csv", bad.encode())}
    )
    page = response.content.decode()
    assert "Dòng 3, cột Tác giả: bắt buộc, không được để trống." in page
    assert "Dòng 4, cột Trạng thái: “Đã xong” không thuộc các giá trị" in page
    assert client.post("/so-theo-doi/sang-kien/nhap/", {"confirm": "1"}).status_code == 200
    assert not Initiative.objects.exists()

    good = HEADER + "A,B,Được công nhận,Cấp xã,16/QĐ-UBND,12/05/2026\nC,D,Đăng ký,,,\n"
    client.post("/so-theo-doi/sang-kien/nhap/", {"file": SimpleUploadedFile("a.csv", good.encode())})
    response = client.post("/so-theo-doi/sang-kien/nhap/", {"confirm": "1"})
    assert response.status_code == 302
    assert Initiative.objects.count() == 2


def test_duplicates_in_the_file_are_refused(habac, users, client_for):
    client = client_for(users["vhxh"])
    rows = (
        HEADER
        + "A,B,Được công nhận,Cấp xã,16/QĐ-UBND,12/05/2026\nA,B,Được công nhận,Cấp xã,16/QĐ-UBND,12/05/2026\n"
    )
    page = client.post("/so-theo-doi/sang-kien/nhap/", {"file": SimpleUploadedFile("a.csv", rows.encode())})
    assert "Dòng 3, cột Số quyết định công nhận: trùng với dòng 2 trong tệp." in page.content.decode()


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_an_export_reimports_unchanged(habac, users, units, client_for, fmt):
    client = client_for(users["vhxh"])
    client.post("/so-theo-doi/sang-kien/them/", initiative_data(units))
    exported = client.get(f"/so-theo-doi/sang-kien/xuat.{fmt}").content
    Initiative.objects.all().delete()
    client.post("/so-theo-doi/sang-kien/nhap/", {"file": SimpleUploadedFile(f"x.{fmt}", exported)})
    assert client.post("/so-theo-doi/sang-kien/nhap/", {"confirm": "1"}).status_code == 302
    again = Initiative.objects.get()
    assert (again.title, again.decision_number, str(again.decision_date), again.unit) == (
        "Số hóa hồ sơ một cửa",
        "15/QĐ-UBND",
        "2026-05-10",
        units["Phòng VH-XH"],
    )


def test_the_template_has_the_vietnamese_headers(habac, users, client_for):
    from openpyxl import load_workbook

    content = client_for(users["vhxh"]).get("/so-theo-doi/sang-kien/mau.xlsx").content
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    assert [c.value for c in sheet[1]][:3] == ["Tên sáng kiến", "Tác giả", "Đơn vị"]
