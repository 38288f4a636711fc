"""Thống kê thủ tục hành chính: monthly figures, validation, import/export and the four rates."""

import datetime
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kehoach.registers.computations import COMPUTATIONS
from kehoach.registers.models import ProcedureMonth
from kehoach.registers.registry import spec_for
from kehoach.registers.services.rows import row_save

D = datetime.date
KEYS = ("ket_qua_tthc_so_hoa", "hai_long_tthc", "tai_su_dung_du_lieu_tthc", "ho_so_cong_viec_truc_tuyen")


def month(users, units, year, m, **figures):
    data = {"unit": units["TT PVHCC"], "year": year, "month": m, **figures}
    return row_save(actor=users["pvhcc"], spec=spec_for("thu-tuc-hanh-chinh"), data=data)


def compute(key, owner, until):
    return COMPUTATIONS[key](owner=owner, year=2026, until=until, params={})


@pytest.fixture
def months(habac, users, units):
    """Hand-computed fixture: January–March count at a March cut-off, April and December 2025 never do."""
    common = {"received": 0, "results_issued": 0}
    return [
        month(
            users, units, 2025, 12, received=1000, reused_data=1000, results_issued=1000, results_digitised=0
        ),
        month(
            users,
            units,
            2026,
            1,
            received=100,
            received_online=60,
            reused_data=50,
            results_issued=80,
            results_electronic=70,
            results_digitised=60,
            survey_total=40,
            survey_satisfied=36,
            work_records_total=200,
            work_records_online=150,
            work_records_classified=20,
        ),
        month(
            users,
            units,
            2026,
            2,
            received=50,
            reused_data=45,
            results_issued=70,
            results_digitised=70,
            survey_total=10,
            survey_satisfied=10,
            work_records_total=100,
            work_records_online=100,
        ),
        # March: nothing received yet, but the month is there and counted.
        month(users, units, 2026, 3, **common),
        month(
            users,
            units,
            2026,
            4,
            received=1000,
            reused_data=0,
            results_issued=1000,
            results_digitised=0,
            survey_total=1000,
            survey_satisfied=0,
            work_records_total=1000,
            work_records_online=0,
        ),
    ]


def test_the_four_rates_sum_the_months_up_to_the_cut_off(habac, units, months):
    commune = units["UBND xã Hà Bắc"]
    until = D(2026, 3, 31)
    digitised = compute("ket_qua_tthc_so_hoa", commune, until)
    # (60 + 70 + 0) ÷ (80 + 70 + 0) = 130/150
    assert (digitised.numerator, digitised.denominator, digitised.value) == (130, 150, Decimal("86.67"))
    satisfied = compute("hai_long_tthc", commune, until)
    assert (satisfied.numerator, satisfied.denominator, satisfied.value) == (46, 50, Decimal("92.00"))
    reuse = compute("tai_su_dung_du_lieu_tthc", commune, until)
    assert (reuse.numerator, reuse.denominator, reuse.value) == (95, 150, Decimal("63.33"))
    online = compute("ho_so_cong_viec_truc_tuyen", commune, until)
    # (150 + 100) ÷ ((200 − 20) + 100) = 250/280
    assert (online.numerator, online.denominator, online.value) == (250, 280, Decimal("89.29"))
    assert [r.label for r in digitised.rows] == [
        "Tháng 01/2026: 60/80 (75%)",
        "Tháng 02/2026: 70/70 (100%)",
        "Tháng 03/2026: 0/0",
    ]
    assert digitised.rows[0].url == months[1].get_absolute_url()
    assert digitised.method == (
        "Cộng dồn 3 tháng (Tháng 01/2026 đến tháng 03/2026): 130 kết quả giải quyết TTHC được số hóa "
        "trên tổng số 150 kết quả giải quyết TTHC đã trả."
    )


def test_the_cut_off_month_counts_and_the_next_does_not(habac, units, months):
    commune = units["UBND xã Hà Bắc"]
    # A cut-off on 1 April brings April in; on 31 March it is not summed.
    assert compute("ket_qua_tthc_so_hoa", commune, D(2026, 4, 1)).denominator == 1150
    assert compute("ket_qua_tthc_so_hoa", commune, D(2026, 3, 31)).denominator == 150
    # A cut-off on 1 February already counts February.
    assert compute("hai_long_tthc", commune, D(2026, 2, 1)).denominator == 50
    assert len(compute("hai_long_tthc", commune, D(2026, 1, 31)).rows) == 1


def test_empty_registers_give_no_value_not_a_crash(habac, units, other_city):
    for key in KEYS:
        result = compute(key, units["UBND xã Hà Bắc"], D(2026, 6, 14))
        assert result.value is None and result.rows == [] and result.denominator == 0
        assert result.method == "Chưa có số liệu tháng nào trong năm đến kỳ này."
        assert compute(key, units["UBND xã Hà Bắc"], D(2025, 12, 31)).value is None


def test_months_with_zero_totals_give_no_value(habac, users, units):
    month(users, units, 2026, 1)
    result = compute("hai_long_tthc", units["UBND xã Hà Bắc"], D(2026, 3, 31))
    assert result.value is None and len(result.rows) == 1


def test_another_communes_months_do_not_count(habac, users, units, months, other_city):
    ProcedureMonth.objects.create(
        owner_unit=other_city["commune"], unit=other_city["office"], year=2026, month=1, received=999
    )
    assert compute("tai_su_dung_du_lieu_tthc", units["UBND xã Hà Bắc"], D(2026, 3, 31)).denominator == 150


def test_parts_cannot_exceed_their_totals(habac, users, units):
    with pytest.raises(ValidationError) as error:
        month(
            users,
            units,
            2026,
            1,
            received=10,
            received_online=11,
            reused_data=12,
            results_issued=5,
            results_electronic=6,
            results_digitised=7,
            survey_total=3,
            survey_satisfied=4,
            work_records_total=10,
            work_records_classified=2,
            work_records_online=9,
        )
    assert error.value.message_dict == {
        "received_online": ["Số hồ sơ tiếp nhận trực tuyến không được lớn hơn tổng số hồ sơ tiếp nhận."],
        "reused_data": ["Số hồ sơ có tái sử dụng dữ liệu không được lớn hơn tổng số hồ sơ tiếp nhận."],
        "results_electronic": ["Số kết quả trả bản điện tử không được lớn hơn tổng số kết quả đã trả."],
        "results_digitised": ["Số kết quả được số hóa không được lớn hơn tổng số kết quả đã trả."],
        "survey_satisfied": ["Số ý kiến hài lòng không được lớn hơn tổng số ý kiến đánh giá."],
        "work_records_online": [
            "Số hồ sơ công việc xử lý trên hệ thống không được lớn hơn số hồ sơ công việc không mật."
        ],
    }


def test_form_messages_for_negative_month_and_duplicate(habac, users, units, client_for):
    client = client_for(users["pvhcc"])
    data = {
        "year": "2026",
        "month": "13",
        "unit": units["TT PVHCC"].pk,
        "received": "-1",
        "survey_total": "1,5",
    }
    page = client.post("/so-theo-doi/thu-tuc-hanh-chinh/them/", data).content.decode()
    assert "Phải là số nguyên không âm." in page
    assert "Phải là số nguyên, ví dụ 125." in page
    assert not ProcedureMonth.objects.exists()
    data = {"year": "2026", "month": "13", "unit": units["TT PVHCC"].pk, "received": "5"}
    page = client.post("/so-theo-doi/thu-tuc-hanh-chinh/them/", data).content.decode()
    assert "Tháng phải từ 1 đến 12." in page
    data["month"] = "3"
    response = client.post("/so-theo-doi/thu-tuc-hanh-chinh/them/", data)
    assert response.status_code == 302
    saved = ProcedureMonth.objects.get()
    assert (saved.received, saved.results_issued, saved.owner_unit) == (5, 0, units["UBND xã Hà Bắc"])
    page = client.post("/so-theo-doi/thu-tuc-hanh-chinh/them/", data).content.decode()
    assert "Xã đã có số liệu thủ tục hành chính tháng 03/2026." in page
    assert ProcedureMonth.objects.count() == 1
    detail = client.get(saved.get_absolute_url()).content.decode()
    assert "Tỷ lệ trong tháng" in detail


HEADER = (
    "Năm,Tháng,Hồ sơ tiếp nhận,Hồ sơ có tái sử dụng dữ liệu số hóa,Kết quả giải quyết đã trả,"
    "Kết quả được số hóa\n"
)


def upload(client, text, name="a.csv"):
    return client.post(
        "/so-theo-doi/thu-tuc-hanh-chinh/nhap/", {"file": SimpleUploadedFile(name, text.encode())}
    )


def confirm(client):
    return client.post("/so-theo-doi/thu-tuc-hanh-chinh/nhap/", {"confirm": "1"})


def test_import_is_all_or_nothing_with_row_errors(habac, users, units, client_for):
    client = client_for(users["pvhcc"])
    month(users, units, 2026, 1, received=5)
    bad = (
        HEADER
        + "2026,2,100,50,80,60\n"
        + "2026,3,100,150,80,60\n"
        + "2026,4,-5,0,0,0\n"
        + '2026,5,"1.250,5",0,0,0\n'
        + "2026,2,1,0,0,0\n"
        + "2026,1,1,0,0,0\n"
        + "2026,,1,0,0,0\n"
    )
    page = upload(client, bad).content.decode()
    assert (
        "Dòng 3, cột Hồ sơ có tái sử dụng dữ liệu số hóa: "
        "Số hồ sơ có tái sử dụng dữ liệu không được lớn hơn tổng số hồ sơ tiếp nhận." in page
    )
    assert "Dòng 4, cột Hồ sơ tiếp nhận: Phải là số nguyên không âm." in page
    assert "Dòng 5, cột Hồ sơ tiếp nhận: “1.250,5” phải là số nguyên." in page
    assert "Dòng 6, cột Tháng: trùng với dòng 2 trong tệp." in page
    assert "Dòng 7, cột Tháng: Xã đã có số liệu thủ tục hành chính tháng 01/2026." in page
    assert "Dòng 8, cột Tháng: bắt buộc, không được để trống." in page
    assert confirm(client).status_code == 200
    assert ProcedureMonth.objects.count() == 1
    upload(client, HEADER + '2026,2,"1.250",50,80,60\n2026,3,100,100,80,80\n')
    assert confirm(client).status_code == 302
    assert list(ProcedureMonth.objects.order_by("month").values_list("month", "received", "unit")) == [
        (1, 5, units["TT PVHCC"].pk),
        (2, 1250, units["TT PVHCC"].pk),
        (3, 100, units["TT PVHCC"].pk),
    ]


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_an_export_reimports_unchanged(habac, users, units, client_for, months, fmt):
    client = client_for(users["pvhcc"])
    ProcedureMonth.objects.filter(month=1).update(source="Cổng Dịch vụ công, xuất ngày 05/02/2026")
    skip = ("id", "created_at", "updated_at", "search_text")
    fields = [f.name for f in ProcedureMonth._meta.fields if f.name not in skip]
    before = sorted(ProcedureMonth.objects.values_list(*fields))
    exported = client.get(f"/so-theo-doi/thu-tuc-hanh-chinh/xuat.{fmt}").content
    if fmt == "csv":
        assert "2026," in exported.decode("utf-8-sig") and "2.026" not in exported.decode("utf-8-sig")
    ProcedureMonth.objects.all().delete()
    response = client.post(
        "/so-theo-doi/thu-tuc-hanh-chinh/nhap/", {"file": SimpleUploadedFile(f"x.{fmt}", exported)}
    )
    assert not re.search(r"Dòng \d+, ", response.content.decode())
    assert confirm(client).status_code == 302
    assert sorted(ProcedureMonth.objects.values_list(*fields)) == before


def test_only_the_keeping_unit_edits_and_other_cities_do_not_read(
    habac, users, units, client_for, other_city
):
    row = month(users, units, 2026, 1, received=5)
    assert client_for(users["vanphong"]).get(row.get_absolute_url()).status_code == 200
    response = client_for(users["vanphong"]).post(
        f"/so-theo-doi/thu-tuc-hanh-chinh/{row.pk}/sua/", {"year": "2026", "month": "1", "received": "9"}
    )
    assert response.status_code == 403
    assert (
        client_for(users["vanphong"]).post(f"/so-theo-doi/thu-tuc-hanh-chinh/{row.pk}/xoa/").status_code
        == 403
    )
    outsider = client_for(other_city["supervisor"])
    assert outsider.get(row.get_absolute_url()).status_code == 403
    assert "Tháng 01/2026" not in outsider.get("/so-theo-doi/thu-tuc-hanh-chinh/").content.decode()
    ProcedureMonth.objects.get(pk=row.pk, received=5)


def test_the_list_page_queries_a_bounded_number_of_times(habac, users, units, client_for):
    client = client_for(users["pvhcc"])

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/so-theo-doi/thu-tuc-hanh-chinh/?year=2026").status_code == 200
        return len(queries)

    month(users, units, 2026, 1)
    few = count()
    for m in range(2, 13):
        month(users, units, 2026, m, received=m)
    assert count() == few


def test_a_changed_month_recomputes_the_bound_indicators(
    habac_computed, users, units, django_capture_on_commit_callbacks
):
    from kehoach.tracking.models import Measurement, Period

    with django_capture_on_commit_callbacks(execute=True):
        month(
            users, units, 2026, 1, results_issued=10, results_digitised=9, survey_total=4, survey_satisfied=3
        )
    period = (
        Period.objects.filter(plan=habac_computed, ends_on__gte=D(2026, 1, 31)).order_by("ends_on").first()
    )
    figures = dict(
        Measurement.objects.filter(indicator__plan=habac_computed, period=period).values_list(
            "indicator__code", "value"
        )
    )
    assert figures["CT07"] == Decimal("90.00") and figures["CT08"] == Decimal("75.00")


def test_the_pages_open(habac, users, units, client_for):
    row = month(users, units, 2026, 1, received=5)
    client = client_for(users["pvhcc"])
    for url in (
        "/so-theo-doi/thu-tuc-hanh-chinh/them/",
        row.get_absolute_url(),
        f"{row.get_absolute_url()}sua/",
    ):
        assert client.get(url).status_code == 200, url
