"""Báo cáo định kỳ trên hệ thống báo cáo: the reports owed and the CT06 rate."""

import datetime
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kehoach.registers.computations import COMPUTATIONS
from kehoach.registers.models import PeriodicReportDue
from kehoach.registers.registry import spec_for
from kehoach.registers.services.rows import row_save

D = datetime.date


def report(users, units, name, period, due, submitted=None, on_system=False, **more):
    data = {
        "unit": units["Văn phòng HĐND và UBND"],
        "name": name,
        "period_label": period,
        "due_on": due,
        "submitted_on": submitted,
        "on_system": on_system,
        **more,
    }
    return row_save(actor=users["vanphong"], spec=spec_for("bao-cao-dinh-ky"), data=data)


def rate(owner, until):
    return COMPUTATIONS["bao_cao_dinh_ky_tren_he_thong"](owner=owner, year=2026, until=until, params={})


@pytest.fixture
def reports(habac, users, units):
    """Hand-computed fixture for the cut-off 31/03/2026."""
    kt = "Báo cáo tình hình kinh tế - xã hội"
    return [
        # Due last year: never in 2026's rate.
        report(users, units, kt, "Tháng 12/2025", D(2025, 12, 20), D(2025, 12, 19), True),
        # Sent on the system: counts.
        report(users, units, kt, "Tháng 01/2026", D(2026, 1, 20), D(2026, 1, 19), True),
        # Sent late, but on the system before the cut-off: counts.
        report(users, units, kt, "Tháng 02/2026", D(2026, 2, 20), D(2026, 3, 2), True),
        # Sent by e-mail, not on the system: due, not counted.
        report(
            users, units, "Báo cáo cải cách hành chính", "Quý I/2026", D(2026, 3, 15), D(2026, 3, 14), False
        ),
        # Due on the cut-off day, sent on the system the day after: due, not yet counted at 31/03.
        report(users, units, kt, "Tháng 03/2026", D(2026, 3, 31), D(2026, 4, 1), True),
        # Due the day after the cut-off: not due yet.
        report(users, units, "Báo cáo chuyển đổi số", "Quý I/2026", D(2026, 4, 1)),
    ]


def test_the_rate_counts_reports_due_and_sent_on_the_system_by_the_cut_off(habac, units, reports):
    commune = units["UBND xã Hà Bắc"]
    march = rate(commune, D(2026, 3, 31))
    assert (march.numerator, march.denominator, march.value) == (Decimal(2), Decimal(4), Decimal("50.00"))
    assert [r.label for r in march.rows] == [
        "Báo cáo tình hình kinh tế - xã hội – Tháng 01/2026 (hạn 20/01/2026): gửi trên hệ thống 19/01/2026",
        "Báo cáo tình hình kinh tế - xã hội – Tháng 02/2026 (hạn 20/02/2026): gửi trên hệ thống 02/03/2026",
        "Báo cáo cải cách hành chính – Quý I/2026 (hạn 15/03/2026): gửi ngoài hệ thống 14/03/2026",
        "Báo cáo tình hình kinh tế - xã hội – Tháng 03/2026 (hạn 31/03/2026): chưa gửi",
    ]
    assert march.rows[0].url == reports[1].get_absolute_url()
    assert march.method == (
        "2 báo cáo định kỳ gửi trên hệ thống thông tin báo cáo trên tổng số 4 báo cáo đến hạn "
        "đến ngày 31/03/2026."
    )
    # A day later the March report is sent and the Quý I digital report falls due: 3 of 5.
    april = rate(commune, D(2026, 4, 1))
    assert (april.numerator, april.denominator, april.value) == (Decimal(3), Decimal(5), Decimal("60.00"))


def test_empty_register_gives_no_value_not_a_crash(habac, units):
    result = rate(units["UBND xã Hà Bắc"], D(2026, 6, 14))
    assert result.value is None and result.rows == [] and result.denominator == 0


def test_another_communes_reports_do_not_count(habac, units, reports, other_city):
    PeriodicReportDue.objects.create(
        owner_unit=other_city["commune"],
        unit=other_city["office"],
        name="X",
        period_label="Y",
        due_on=D(2026, 1, 5),
    )
    assert rate(units["UBND xã Hà Bắc"], D(2026, 3, 31)).denominator == 4


def test_a_report_on_the_system_needs_its_date(habac, users, units, client_for):
    with pytest.raises(ValidationError) as error:
        report(users, units, "Báo cáo A", "Tháng 01/2026", D(2026, 1, 20), on_system=True)
    assert error.value.message_dict == {"submitted_on": ["Báo cáo đã gửi trên hệ thống cần ghi ngày gửi."]}
    page = (
        client_for(users["vanphong"])
        .post(
            "/so-theo-doi/bao-cao-dinh-ky/them/",
            {"unit": units["Văn phòng HĐND và UBND"].pk, "on_system": "on", "due_on": "20/01/2026"},
        )
        .content.decode()
    )
    for message in (
        "Chưa nhập tên báo cáo.",
        "Chưa nhập kỳ báo cáo.",
        "Báo cáo đã gửi trên hệ thống cần ghi ngày gửi.",
    ):
        assert message in page
    assert not PeriodicReportDue.objects.exists()


def test_the_same_report_for_the_same_period_is_refused(habac, users, units):
    report(users, units, "Báo cáo A", "Tháng 01/2026", D(2026, 1, 20))
    with pytest.raises(ValidationError) as error:
        report(users, units, "Báo cáo A", "Tháng 01/2026", D(2026, 1, 25))
    assert error.value.message_dict == {
        "name": ["Đã có báo cáo định kỳ khác trùng tên báo cáo “Báo cáo A” và kỳ báo cáo “Tháng 01/2026”."]
    }
    report(users, units, "Báo cáo A", "Tháng 02/2026", D(2026, 2, 20))


HEADER = "Tên báo cáo,Kỳ báo cáo,Hạn gửi,Ngày gửi,Gửi trên hệ thống báo cáo\n"


def upload(client, text, name="a.csv"):
    return client.post(
        "/so-theo-doi/bao-cao-dinh-ky/nhap/", {"file": SimpleUploadedFile(name, text.encode())}
    )


def confirm(client):
    return client.post("/so-theo-doi/bao-cao-dinh-ky/nhap/", {"confirm": "1"})


def test_import_is_all_or_nothing_with_row_errors(habac, users, client_for):
    client = client_for(users["vanphong"])
    bad = (
        HEADER
        + "Báo cáo KT-XH,Tháng 01/2026,20/01/2026,19/01/2026,Có\n"
        + "Báo cáo KT-XH,Tháng 02/2026,20/02/2026,,Có\n"
        + "Báo cáo KT-XH,Tháng 01/2026,20/01/2026,,Không\n"
        + "Báo cáo KT-XH,Tháng 03/2026,,,Không\n"
        + "Báo cáo KT-XH,Tháng 04/2026,20/04/2026,,Có lẽ\n"
    )
    page = upload(client, bad).content.decode()
    assert "Dòng 3, cột Ngày gửi: Báo cáo đã gửi trên hệ thống cần ghi ngày gửi." in page
    assert "Dòng 4, cột Tên báo cáo: trùng với dòng 2 trong tệp." in page
    assert "Dòng 5, cột Hạn gửi: bắt buộc, không được để trống." in page
    assert "Dòng 6, cột Gửi trên hệ thống báo cáo: “Có lẽ” phải là “Có” hoặc “Không”." in page
    assert confirm(client).status_code == 200
    assert not PeriodicReportDue.objects.exists()
    upload(
        client,
        HEADER
        + "Báo cáo KT-XH,Tháng 01/2026,20/01/2026,19/01/2026,Có\nBáo cáo KT-XH,Tháng 02/2026,20/02/2026,,\n",
    )
    assert confirm(client).status_code == 302
    assert sorted(PeriodicReportDue.objects.values_list("period_label", "on_system")) == [
        ("Tháng 01/2026", True),
        ("Tháng 02/2026", False),
    ]
    page = upload(client, HEADER + "Báo cáo KT-XH,Tháng 01/2026,20/01/2026,,\n").content.decode()
    assert (
        "Dòng 2, cột Tên báo cáo: Đã có báo cáo định kỳ khác trùng tên báo cáo “Báo cáo KT-XH” và kỳ báo cáo "
        "“Tháng 01/2026”."
    ) in page


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_an_export_reimports_unchanged(habac, users, units, client_for, reports, fmt):
    client = client_for(users["vanphong"])
    report(
        users,
        units,
        "Báo cáo A, phụ lục",
        "Quý II/2026",
        D(2026, 6, 15),
        D(2026, 6, 1),
        True,
        reference="5/BC-UBND",
    )
    fields = [
        "name",
        "period_label",
        "unit",
        "due_on",
        "submitted_on",
        "on_system",
        "reference",
        "owner_unit",
    ]
    before = sorted(PeriodicReportDue.objects.values_list(*fields))
    exported = client.get(f"/so-theo-doi/bao-cao-dinh-ky/xuat.{fmt}").content
    PeriodicReportDue.objects.all().delete()
    response = client.post(
        "/so-theo-doi/bao-cao-dinh-ky/nhap/", {"file": SimpleUploadedFile(f"x.{fmt}", exported)}
    )
    assert not re.search(r"Dòng \d+, ", response.content.decode())
    assert confirm(client).status_code == 302
    assert sorted(PeriodicReportDue.objects.values_list(*fields)) == before


def test_only_the_keeping_unit_edits_and_other_cities_do_not_read(
    habac, users, units, client_for, other_city
):
    row = report(users, units, "Báo cáo A", "Tháng 01/2026", D(2026, 1, 20))
    pvhcc = client_for(users["pvhcc"])
    assert pvhcc.get(row.get_absolute_url()).status_code == 200
    data = {"name": "Đổi", "period_label": "X", "due_on": "20/01/2026", "unit": units["TT PVHCC"].pk}
    assert pvhcc.post(f"/so-theo-doi/bao-cao-dinh-ky/{row.pk}/sua/", data).status_code == 403
    assert pvhcc.post(f"/so-theo-doi/bao-cao-dinh-ky/{row.pk}/xoa/").status_code == 403
    outsider = client_for(other_city["supervisor"])
    assert outsider.get(row.get_absolute_url()).status_code == 403
    assert "Báo cáo A" not in outsider.get("/so-theo-doi/bao-cao-dinh-ky/").content.decode()
    assert PeriodicReportDue.objects.get(pk=row.pk).name == "Báo cáo A"


def test_the_state_filter(habac, users, client_for, reports):
    client = client_for(users["vanphong"])
    page = client.get("/so-theo-doi/bao-cao-dinh-ky/?state=ngoai").content.decode()
    assert "Báo cáo cải cách hành chính" in page and "Báo cáo chuyển đổi số" not in page
    page = client.get("/so-theo-doi/bao-cao-dinh-ky/?state=chua").content.decode()
    assert "Báo cáo chuyển đổi số" in page and "Báo cáo cải cách hành chính" not in page


def test_the_list_page_queries_a_bounded_number_of_times(habac, users, units, client_for):
    client = client_for(users["vanphong"])

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/so-theo-doi/bao-cao-dinh-ky/").status_code == 200
        return len(queries)

    report(users, units, "Báo cáo", "Tháng 01/2026", D(2026, 1, 20))
    few = count()
    for m in range(2, 13):
        report(users, units, "Báo cáo", f"Tháng {m:02d}/2026", D(2026, m, 20), D(2026, m, 19), m % 2 == 0)
    assert count() == few


def test_a_new_report_recomputes_the_bound_indicator(
    habac_computed, users, units, django_capture_on_commit_callbacks
):
    from kehoach.tracking.models import Measurement, Period

    with django_capture_on_commit_callbacks(execute=True):
        report(users, units, "Báo cáo KT-XH", "Tháng 01/2026", D(2026, 1, 20), D(2026, 1, 19), True)
        report(users, units, "Báo cáo KT-XH", "Tháng 02/2026", D(2026, 2, 20))
    period = (
        Period.objects.filter(plan=habac_computed, ends_on__gte=D(2026, 2, 20)).order_by("ends_on").first()
    )
    measurement = Measurement.objects.get(
        indicator__plan=habac_computed, indicator__code="CT06", period=period
    )
    assert measurement.value == Decimal("50.00")
    assert measurement.explanation["count"] == 2


def test_the_pages_open(habac, users, units, client_for):
    row = report(users, units, "Báo cáo A", "Tháng 01/2026", D(2026, 1, 20), D(2026, 1, 25), True)
    client = client_for(users["vanphong"])
    for url in (
        "/so-theo-doi/bao-cao-dinh-ky/them/",
        row.get_absolute_url(),
        f"{row.get_absolute_url()}sua/",
    ):
        assert client.get(url).status_code == 200, url
    assert (
        "Đã gửi trên hệ thống 25/01/2026 (quá hạn)"
        in client.get("/so-theo-doi/bao-cao-dinh-ky/").content.decode()
    )
