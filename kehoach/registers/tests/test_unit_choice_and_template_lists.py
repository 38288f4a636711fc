"""Register forms choose the person's unit for them; XLSX templates offer drop-down lists."""

import io
import re

from openpyxl import load_workbook

from kehoach.registers.io import LIST_SHEET, read_table
from kehoach.registers.models import Initiative
from kehoach.registers.registry import REGISTRY
from kehoach.units.choices import Role
from kehoach.units.models import Membership

from .test_initiatives import initiative_data


def unit_select(html: str) -> str:
    return re.search(r'<select name="unit".*?</select>', html, re.S).group(0)


def test_one_unit_is_chosen_and_fixed(habac, users, units, client_for):
    client = client_for(users["vhxh"])
    select = unit_select(client.get("/so-theo-doi/sang-kien/them/").content.decode())
    assert "— Chọn —" not in select
    assert " disabled" in select
    assert f'<option value="{units["Phòng VH-XH"].pk}" selected>Phòng Văn hóa - Xã hội</option>' in select
    # The fixed unit is written whatever the browser sends.
    data = initiative_data(units)
    data.pop("unit")
    assert client.post("/so-theo-doi/sang-kien/them/", data).status_code == 302
    data = initiative_data(units, unit=units["Phòng KT"].pk, title="Khác", decision_number="16/QĐ-UBND")
    assert client.post("/so-theo-doi/sang-kien/them/", data).status_code == 302
    assert set(Initiative.objects.values_list("unit", flat=True)) == {units["Phòng VH-XH"].pk}
    # Editing keeps it fixed too.
    initiative = Initiative.objects.first()
    select = unit_select(client.get(f"/so-theo-doi/sang-kien/{initiative.pk}/sua/").content.decode())
    assert " disabled" in select and "— Chọn —" not in select


def test_several_units_preselect_the_first_and_let_choose(habac, users, units, client_for):
    Membership.objects.create(user=users["vhxh"], unit=units["Phòng KT"], role=Role.STAFF)
    client = client_for(users["vhxh"])
    select = unit_select(client.get("/so-theo-doi/sang-kien/them/").content.decode())
    assert "— Chọn —" not in select and " disabled" not in select
    assert select.count("<option") == 2 and select.count(" selected") == 1
    response = client.post("/so-theo-doi/sang-kien/them/", initiative_data(units, unit=units["Phòng KT"].pk))
    assert response.status_code == 302
    assert Initiative.objects.get().unit == units["Phòng KT"]


def workbook(client, slug: str):
    response = client.get(f"/so-theo-doi/{slug}/mau.xlsx")
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.content)), response.content


def validations(book) -> dict[str, tuple[str, list[str], object]]:
    """Header of the validated column → (range, values offered, the validation)."""
    sheet = book.worksheets[0]
    headers = {cell.column_letter: cell.value for cell in sheet[1]}
    lists = book[LIST_SHEET]
    result = {}
    for validation in sheet.data_validations.dataValidation:
        target = str(validation.sqref)
        letter = re.match(r"([A-Z]+)2:", target).group(1)
        source = re.match(r"'(.+)'!\$([A-Z]+)\$2:\$[A-Z]+\$(\d+)", validation.formula1)
        assert source.group(1) == LIST_SHEET
        column = [c.value for c in lists[source.group(2)]][1 : int(source.group(3))]
        result[headers[letter]] = (target, column, validation)
    return result


def test_template_lists_units_choices_and_yes_no(habac, users, client_for):
    client = client_for(users["vhxh"])
    book, content = workbook(client, "sang-kien")
    assert book[LIST_SHEET].sheet_state == "hidden"
    found = validations(book)
    assert set(found) == {"Đơn vị", "Trạng thái", "Phạm vi ảnh hưởng"}
    target, values, validation = found["Trạng thái"]
    assert target.endswith(":J20001") or target.startswith("J2:")
    assert values == ["Đăng ký", "Đang đánh giá", "Được công nhận", "Không công nhận"]
    assert validation.type == "list" and validation.showErrorMessage and validation.showInputMessage
    assert validation.errorTitle == "Giá trị không hợp lệ"
    assert "chỉ nhận giá trị trong danh sách" in validation.error
    assert validation.prompt.startswith("Chọn một giá trị trong danh sách")
    assert found["Phạm vi ảnh hưởng"][1] == ["Cấp xã", "Cấp thành phố"]
    assert found["Đơn vị"][1] == ["Phòng Văn hóa - Xã hội"]
    assert "Chọn đơn vị theo dõi" in found["Đơn vị"][2].prompt
    # The import still reads the first sheet: the template's header, nothing from the lists.
    assert read_table(content, "mau.xlsx")[0][0] == "Tên sáng kiến"

    book, _ = workbook(client, "hoc-vien-tap-huan")
    yes_no = validations(book)["Hoàn thành"]
    assert yes_no[1] == ["Có", "Không"] and yes_no[2].prompt == "Chọn Có hoặc Không."


def test_every_fixed_value_column_of_every_register_has_its_list(habac, users, client_for):
    client = client_for(users["daumoi"])
    for spec in REGISTRY.values():
        book, _ = workbook(client, spec.slug)
        found = validations(book) if LIST_SHEET in book.sheetnames else {}
        for column in spec.columns:
            fixed = column.resolve is None and column.kind in ("choice", "bool", "unit")
            assert (column.header in found) == fixed, (spec.slug, column.header)
            if fixed:
                assert found[column.header][2].allow_blank == (not column.required)
                assert len(found[column.header][2].prompt) <= 255
