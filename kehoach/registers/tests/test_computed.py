"""Indicators computed from registers: recomputed on change, traced to rows, overridden with a reason."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kehoach.registers.models import IndicatorBinding, Initiative
from kehoach.registers.registry import spec_for
from kehoach.registers.services.computed import binding_set, refresh_plan
from kehoach.registers.services.rows import row_save
from kehoach.tracking.assessment import assess_final
from kehoach.tracking.choices import Assessment, ReportStatus
from kehoach.tracking.models import Measurement, Period
from kehoach.tracking.services.measurements import measurement_override


def recognised(units, user, *, title, scope="xa", day=datetime.date(2026, 5, 10)):
    return row_save(
        actor=user,
        spec=spec_for("sang-kien"),
        data={
            "title": title,
            "authors": "Tác giả",
            "unit": units["Phòng VH-XH"],
            "status": "cong_nhan",
            "scope": scope,
            "decision_number": f"{title}/QĐ-UBND",
            "decision_date": day,
        },
    )


def figure(plan, code, period):
    return Measurement.objects.get(indicator__plan=plan, indicator__code=code, period=period)


@pytest.fixture
def periods(habac_computed):
    return {p.label: p for p in Period.objects.filter(plan=habac_computed)}


def test_the_seed_binds_the_initiative_indicators(habac_computed):
    keys = dict(
        IndicatorBinding.objects.filter(indicator__plan=habac_computed).values_list(
            "indicator__code", "computation"
        )
    )
    assert keys["CT01"] == "sang_kien_cap_xa" and keys["CT02"] == "sang_kien_cap_thanh_pho"


def test_register_change_recomputes_the_figures(
    habac_computed, users, units, periods, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        recognised(units, users["vhxh"], title="SK1")
        recognised(units, users["vhxh"], title="SK2", day=datetime.date(2026, 9, 20))
        recognised(units, users["vhxh"], title="SK3", scope="thanh_pho")
    q2, q3 = periods["Quý II/2026"], periods["Quý III/2026"]
    assert figure(habac_computed, "CT01", q2).value == 1  # SK2 comes after the Quý II cut-off (14/06)
    assert figure(habac_computed, "CT01", q3).value == 1  # 20/09 is after the Quý III cut-off (14/09) too
    assert figure(habac_computed, "CT01", periods["Quý IV/2026"]).value == 2
    assert figure(habac_computed, "CT02", q2).value == 1
    m = figure(habac_computed, "CT01", periods["Năm 2026"])
    assert m.is_computed and m.status == ReportStatus.ACCEPTED and m.unit == units["Phòng VH-XH"]
    assert [row["label"].split(" (")[0] for row in m.explanation["rows"]] == ["SK1", "SK2"]
    assert m.explanation["rows"][0]["url"] == Initiative.objects.get(title="SK1").get_absolute_url()
    assert m.explanation["method"] == "Đếm 2 sáng kiến được công nhận cấp xã."
    assert assess_final(m.indicator, m.value) == Assessment.NOT_MET  # target: at least 10


def test_closed_periods_keep_their_figure(
    habac_computed, users, units, periods, django_capture_on_commit_callbacks
):
    from kehoach.tracking.services.periods import period_close

    with django_capture_on_commit_callbacks(execute=True):
        recognised(units, users["vhxh"], title="SK1")
    q2 = periods["Quý II/2026"]
    period_close(actor=users["daumoi"], period=q2)
    with django_capture_on_commit_callbacks(execute=True):
        recognised(units, users["vhxh"], title="SK0", day=datetime.date(2026, 2, 1))
    assert figure(habac_computed, "CT01", q2).value == 1
    assert figure(habac_computed, "CT01", periods["Quý III/2026"]).value == 2


def test_empty_register_gives_zero_not_a_crash(habac_computed, periods):
    refresh_plan(plan=habac_computed)
    assert figure(habac_computed, "CT01", periods["Quý I/2026"]).value == Decimal(0)


def test_override_needs_a_reason_and_is_audited(habac_computed, users, units, periods):
    from kehoach.core.audit import history_for

    refresh_plan(plan=habac_computed)
    m = figure(habac_computed, "CT01", periods["Quý IV/2026"])
    with pytest.raises(ValidationError) as error:
        measurement_override(actor=users["daumoi"], measurement=m, value=Decimal(3), reason=" ")
    assert error.value.message_dict["reason"] == ["Cần ghi lý do điều chỉnh số liệu tính từ sổ theo dõi."]
    with pytest.raises(PermissionDenied):
        measurement_override(actor=users["vhxh"], measurement=m, value=Decimal(3), reason="x")
    measurement_override(actor=users["daumoi"], measurement=m, value=Decimal(3), reason="Quyết định về muộn")
    m.refresh_from_db()
    assert (m.value, m.computed_value, m.override_reason) == (Decimal(3), Decimal(0), "Quyết định về muộn")
    refresh_plan(plan=habac_computed)  # recomputing keeps the override
    m.refresh_from_db()
    assert m.value == Decimal(3)
    assert "Điều chỉnh số liệu tính từ sổ: Quyết định về muộn" in [e.summary for e in history_for(m)]
    measurement_override(actor=users["daumoi"], measurement=m, value=None, reason="")
    m.refresh_from_db()
    assert m.value == Decimal(0) and m.override_reason == ""


def test_units_cannot_edit_a_computed_figure(habac_computed, users, periods, client_for):
    refresh_plan(plan=habac_computed)
    m = figure(habac_computed, "CT01", periods["Quý IV/2026"])
    page = client_for(users["vhxh"]).get(m.get_absolute_url()).content.decode()
    assert "Tính từ sổ theo dõi" in page and 'name="value"' not in page.split('id="cach-tinh"')[0]


def test_binding_is_for_the_lead_department_and_matches_the_kind(habac_computed, users):
    ct03 = habac_computed.indicators.get(code="CT03")  # a rate
    with pytest.raises(ValidationError) as error:
        binding_set(actor=users["daumoi"], indicator=ct03, computation="sang_kien_cap_xa")
    assert "không hợp với chỉ tiêu" in error.value.messages[0]
    ct01 = habac_computed.indicators.get(code="CT01")
    with pytest.raises(PermissionDenied):
        binding_set(actor=users["vhxh"], indicator=ct01, computation=None)
    binding_set(actor=users["daumoi"], indicator=ct01, computation=None)
    assert not IndicatorBinding.objects.filter(indicator=ct01).exists()


def test_indicator_page_shows_the_source(habac_computed, users, client_for):
    ct01 = habac_computed.indicators.get(code="CT01")
    page = client_for(users["daumoi"]).get(ct01.get_absolute_url()).content.decode()
    assert "Tính tự động từ sổ theo dõi" in page and "Tính lại ngay" in page
    page = client_for(users["vhxh"]).get(ct01.get_absolute_url()).content.decode()
    assert "Tính lại ngay" not in page


def test_desk_shows_one_computed_figure_and_nobody_owes_it(habac_computed, periods):
    from kehoach.tracking.selectors import desk, missing

    refresh_plan(plan=habac_computed)
    q4 = periods["Quý IV/2026"]
    _, indicator_rows = desk(habac_computed, q4, today=datetime.date(2026, 11, 27))
    ct03 = next(r for r in indicator_rows if r.indicator.code == "CT03")  # coordinated by Văn phòng
    assert [(s.unit.short_name, s.state_label) for s in ct03.slots] == [("Phòng VH-XH", "Tính từ sổ")]
    owed = [
        i.code
        for row in missing(habac_computed, q4, today=datetime.date(2026, 11, 27))
        for i, _ in row["indicators"]
    ]
    assert owed == []
