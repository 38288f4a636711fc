"""Indicator data (số liệu chỉ tiêu): who reports which indicator, validation of values and rates with
Vietnamese messages naming the field, submission rules, the review workflow, closed periods and
conflicting saves.
"""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from kehoach.core.audit import history_for
from kehoach.core.models import AuditEntry
from kehoach.plans.models import Indicator
from kehoach.tracking.choices import NotificationKind, PeriodKind, ReportStatus
from kehoach.tracking.forms import MeasurementForm
from kehoach.tracking.models import Measurement, Notification, Period
from kehoach.tracking.services import measurements as services
from kehoach.tracking.services.periods import period_close, period_reopen
from kehoach.tracking.services.workflow import ConflictError

VH_XH = "Phòng VH-XH"
VAN_PHONG = "Văn phòng HĐND và UBND"


@pytest.fixture
def q2(habac):
    return Period.objects.get(plan=habac, kind=PeriodKind.QUARTER, number=2)


def indicator(plan, code) -> Indicator:
    return Indicator.objects.get(plan=plan, code=code)


@pytest.fixture
def ct01(habac):
    """Số sáng kiến được công nhận, phạm vi xã: a count ("sáng kiến"), Phòng VH-XH reports."""
    return indicator(habac, "CT01")


@pytest.fixture
def ct03(habac):
    """Tỷ lệ cán bộ được tập huấn: a rate, Phòng VH-XH leads, Văn phòng HĐND và UBND coordinates."""
    return indicator(habac, "CT03")


@pytest.fixture
def ct04(habac):
    """Tỷ lệ phủ sóng 5G: a rate reported by Phòng VH-XH alone."""
    return indicator(habac, "CT04")


def open_m(actor, ind, period, unit) -> Measurement:
    return services.measurement_open(actor=actor, indicator=ind, period=period, unit=unit)


def save(actor, measurement, version=None, **data) -> Measurement:
    return services.measurement_save(actor=actor, measurement=measurement, data=data, version=version)


def submitted(actor, ind, period, unit, **data) -> Measurement:
    measurement = open_m(actor, ind, period, unit)
    measurement = save(actor, measurement, **{"source": "Sổ theo dõi của phòng", **data})
    return services.measurement_submit(actor=actor, measurement=measurement)


@pytest.fixture
def vhxh_ct01(users, units, ct01, q2):
    return open_m(users["vhxh"], ct01, q2, units[VH_XH])


@pytest.fixture
def vhxh_ct04(users, units, ct04, q2):
    return open_m(users["vhxh"], ct04, q2, units[VH_XH])


# Opening -----------------------------------------------------------------------------------------


def test_lead_unit_opens_a_draft(habac, users, units, ct01, q2):
    m = open_m(users["vhxh"], ct01, q2, units[VH_XH])
    assert (m.status, m.version, m.value, m.unit) == (ReportStatus.DRAFT, 1, None, units[VH_XH])
    entry = history_for(m).get()
    assert (entry.action, entry.actor) == (AuditEntry.Action.CREATE, users["vhxh"])
    assert open_m(users["daumoi"], ct01, q2, units[VH_XH]).pk == m.pk


def test_coordinating_unit_opens_its_own_figure(habac, users, units, ct03, q2):
    m = open_m(users["vanphong"], ct03, q2, units[VAN_PHONG])
    assert m.unit == units[VAN_PHONG]


@pytest.mark.parametrize(
    "username, unit_name, code",
    [
        ("kinhte", "Phòng KT", "CT01"),
        ("congan", "Công an xã", "CT03"),
        ("vhxh", VH_XH, "CT05"),
        ("pvhcc", "TT PVHCC", "CT04"),
    ],
)
def test_a_unit_not_assigned_to_the_indicator_is_refused(habac, users, units, q2, username, unit_name, code):
    unit = units[unit_name]
    with pytest.raises(ValidationError) as exc_info:
        open_m(users[username], indicator(habac, code), q2, unit)
    assert exc_info.value.messages == [f"{unit} không được giao báo cáo chỉ tiêu này."]
    assert not Measurement.objects.exists()


@pytest.mark.parametrize("username", ["kinhte", "lanhdao", "captren", "quantri"])
def test_a_user_of_another_unit_cannot_open(habac, users, units, ct01, q2, username):
    with pytest.raises(PermissionDenied):
        open_m(users[username], ct01, q2, units[VH_XH])


def test_a_period_of_another_plan_is_refused(habac, users, units, other_city, ct01):
    from kehoach.tracking.services.periods import periods_sync

    foreign = periods_sync(plan=other_city["plan"])[0]
    with pytest.raises(ValidationError, match="không thuộc kế hoạch của chỉ tiêu"):
        open_m(users["vhxh"], ct01, foreign, units[VH_XH])


# Validation --------------------------------------------------------------------------------------


def assert_refused(actor, measurement, data, field, message):
    version = Measurement.objects.get(pk=measurement.pk).version
    with pytest.raises(ValidationError) as exc_info:
        save(actor, measurement, **data)
    assert exc_info.value.message_dict == {field: [message]}
    stored = Measurement.objects.get(pk=measurement.pk)
    assert stored.version == version, "nothing is saved"


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"value": Decimal("100.01")}, "value", "Tỷ lệ phải nằm trong khoảng từ 0 đến 100%."),
        ({"value": Decimal("150")}, "value", "Tỷ lệ phải nằm trong khoảng từ 0 đến 100%."),
        ({"value": Decimal("-1")}, "value", "Giá trị không được âm."),
        (
            {"numerator": Decimal("41"), "denominator": Decimal("40")},
            "numerator",
            "Tử số không được lớn hơn mẫu số.",
        ),
        ({"numerator": Decimal("0"), "denominator": Decimal("0")}, "denominator", "Mẫu số phải lớn hơn 0."),
        ({"numerator": Decimal("1"), "denominator": Decimal("-5")}, "denominator", "Mẫu số phải lớn hơn 0."),
        ({"numerator": Decimal("-1"), "denominator": Decimal("5")}, "numerator", "Tử số không được âm."),
        ({"numerator": Decimal("3")}, "denominator", "Đã nhập tử số thì cần nhập cả mẫu số."),
        ({"denominator": Decimal("3")}, "numerator", "Đã nhập mẫu số thì cần nhập cả tử số."),
        (
            {"numerator": Decimal("2.5"), "denominator": Decimal("10")},
            "numerator",
            "Tử số và mẫu số là số đếm, phải là số nguyên.",
        ),
    ],
)
def test_rate_validation(habac, users, vhxh_ct04, data, field, message):
    assert_refused(users["vhxh"], vhxh_ct04, data, field, message)


@pytest.mark.parametrize("value", [Decimal("0"), Decimal("100"), Decimal("57.25")])
def test_rate_between_0_and_100_is_accepted(habac, users, vhxh_ct04, value):
    m = save(users["vhxh"], vhxh_ct04, value=value)
    m.refresh_from_db()
    assert m.value == value


@pytest.mark.parametrize(
    "numerator, denominator, value",
    [
        (Decimal("1"), Decimal("3"), Decimal("33.33")),
        (Decimal("2"), Decimal("3"), Decimal("66.67")),
        (Decimal("45"), Decimal("60"), Decimal("75.00")),
        (Decimal("0"), Decimal("7"), Decimal("0.00")),
        (Decimal("7"), Decimal("7"), Decimal("100.00")),
    ],
)
def test_rate_is_computed_from_numerator_and_denominator(
    habac, users, vhxh_ct04, numerator, denominator, value
):
    m = save(users["vhxh"], vhxh_ct04, numerator=numerator, denominator=denominator, value=Decimal("99"))
    m.refresh_from_db()
    assert (m.numerator, m.denominator, m.value) == (numerator, denominator, value)


def test_numerator_and_denominator_are_only_for_rates(habac, users, vhxh_ct01):
    assert_refused(
        users["vhxh"],
        vhxh_ct01,
        {"numerator": Decimal("3"), "denominator": Decimal("5")},
        "numerator",
        "Chỉ tiêu này không phải tỷ lệ: nhập giá trị, không nhập tử số/mẫu số.",
    )


def test_a_count_must_be_a_whole_number(habac, users, vhxh_ct01):
    assert_refused(
        users["vhxh"],
        vhxh_ct01,
        {"value": Decimal("2.5")},
        "value",
        "Chỉ tiêu đếm số sáng kiến: giá trị phải là số nguyên.",
    )


def test_a_count_may_exceed_100(habac, users, vhxh_ct01):
    m = save(users["vhxh"], vhxh_ct01, value=Decimal("120"))
    assert m.value == Decimal("120")


def test_a_negative_count_is_refused(habac, users, vhxh_ct01):
    assert_refused(users["vhxh"], vhxh_ct01, {"value": Decimal("-3")}, "value", "Giá trị không được âm.")


def test_a_measured_amount_may_have_decimals(habac, users, units, q2):
    road = Indicator.objects.create(
        plan=habac,
        code="CT99",
        name="Chiều dài đường cáp quang mới",
        target=Decimal("12.5"),
        unit_of_measure="km",
        lead_unit=units[VH_XH],
    )
    m = open_m(users["vhxh"], road, q2, units[VH_XH])
    m = save(users["vhxh"], m, value=Decimal("3.75"))
    m.refresh_from_db()
    assert m.value == Decimal("3.75")


def test_text_in_a_number_is_refused_by_the_form(habac, vhxh_ct01):
    with translation.override("vi"):
        form = MeasurementForm(
            data={"value": "mười hai", "source": "Sổ", "note": "", "version": "1"}, instance=vhxh_ct01
        )
        assert not form.is_valid()
        [message] = form.errors["value"]
        assert "Phải là số" in message
        form = MeasurementForm(
            data={"value": "12", "source": "Sổ", "note": "", "version": "1"}, instance=vhxh_ct01
        )
        assert form.is_valid(), form.errors
        assert form.cleaned_data["value"] == Decimal("12")


def test_the_form_reads_a_vietnamese_decimal_comma(habac, vhxh_ct04):
    with translation.override("vi"):
        form = MeasurementForm(
            data={"value": "57,5", "source": "VNPT", "note": "", "version": "1"}, instance=vhxh_ct04
        )
        assert form.is_valid(), form.errors
        assert form.cleaned_data["value"] == Decimal("57.5")


def test_the_form_offers_numerator_and_denominator_only_for_rates(habac, vhxh_ct01, vhxh_ct04):
    assert "numerator" not in MeasurementForm(instance=vhxh_ct01).fields
    assert {"numerator", "denominator"} <= set(MeasurementForm(instance=vhxh_ct04).fields)


# Submission --------------------------------------------------------------------------------------


def test_submit_needs_a_value(habac, users, vhxh_ct01):
    save(users["vhxh"], vhxh_ct01, source="Sổ theo dõi sáng kiến")
    with pytest.raises(ValidationError) as exc_info:
        services.measurement_submit(actor=users["vhxh"], measurement=vhxh_ct01)
    assert exc_info.value.message_dict == {
        "value": ["Cần nhập giá trị (hoặc tử số và mẫu số) trước khi gửi."]
    }
    assert Measurement.objects.get(pk=vhxh_ct01.pk).status == ReportStatus.DRAFT


def test_submit_needs_a_source(habac, users, vhxh_ct01):
    save(users["vhxh"], vhxh_ct01, value=Decimal("3"), source="  ")
    with pytest.raises(ValidationError) as exc_info:
        services.measurement_submit(actor=users["vhxh"], measurement=vhxh_ct01)
    assert exc_info.value.message_dict == {"source": ["Cần ghi nguồn số liệu."]}


def test_submit_with_numerator_and_denominator(
    habac, users, units, ct03, q2, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        m = submitted(
            users["vhxh"], ct03, q2, units[VH_XH], numerator=Decimal("30"), denominator=Decimal("40")
        )
    m.refresh_from_db()
    assert (m.status, m.value, m.submitted_by) == (ReportStatus.SUBMITTED, Decimal("75.00"), users["vhxh"])
    assert not Notification.objects.exists()
    for callback in callbacks:
        callback()
    notification = Notification.objects.get()
    assert (notification.user, notification.kind) == (users["daumoi"], NotificationKind.SUBMITTED)
    assert notification.url == m.get_absolute_url()


# Review workflow ---------------------------------------------------------------------------------


def test_daumoi_accepts_and_the_figure_is_locked(habac, users, units, ct01, q2):
    m = submitted(users["vhxh"], ct01, q2, units[VH_XH], value=Decimal("4"))
    m = services.measurement_accept(actor=users["daumoi"], measurement=m)
    m.refresh_from_db()
    assert (m.status, m.reviewed_by) == (ReportStatus.ACCEPTED, users["daumoi"])
    with pytest.raises(ValidationError, match="đã được chấp nhận"):
        save(users["vhxh"], m, version=m.version, value=Decimal("5"))
    assert Measurement.objects.get(pk=m.pk).value == Decimal("4")


@pytest.mark.parametrize("username", ["vhxh", "vanphong", "lanhdao", "captren", "quantri"])
def test_only_daumoi_reviews(habac, users, units, ct01, q2, username):
    m = submitted(users["vhxh"], ct01, q2, units[VH_XH], value=Decimal("4"))
    with pytest.raises(PermissionDenied):
        services.measurement_accept(actor=users[username], measurement=m)
    with pytest.raises(PermissionDenied):
        services.measurement_return(actor=users[username], measurement=m, reason="Thiếu")
    services.measurement_accept(actor=users["daumoi"], measurement=m)
    with pytest.raises(PermissionDenied):
        services.measurement_reopen(actor=users[username], measurement=m, reason="Sửa")
    assert Measurement.objects.get(pk=m.pk).status == ReportStatus.ACCEPTED


def test_other_city_coordinator_cannot_review(habac, users, units, other_city, ct01, q2):
    m = submitted(users["vhxh"], ct01, q2, units[VH_XH], value=Decimal("4"))
    with pytest.raises(PermissionDenied):
        services.measurement_accept(actor=other_city["coordinator"], measurement=m)


def test_return_needs_a_reason_and_notifies_the_unit(
    habac, users, units, ct03, q2, django_capture_on_commit_callbacks
):
    m = submitted(users["vanphong"], ct03, q2, units[VAN_PHONG], value=Decimal("80"))
    with pytest.raises(ValidationError) as exc_info:
        services.measurement_return(actor=users["daumoi"], measurement=m, reason=" ")
    assert exc_info.value.message_dict == {"reason": ["Cần ghi lý do trả lại để đơn vị biết phải sửa gì."]}
    with django_capture_on_commit_callbacks(execute=True):
        m = services.measurement_return(actor=users["daumoi"], measurement=m, reason="Thiếu danh sách")
    m.refresh_from_db()
    assert (m.status, m.return_reason) == (ReportStatus.RETURNED, "Thiếu danh sách")
    returned = Notification.objects.filter(kind=NotificationKind.RETURNED)
    assert [(n.user.username, n.body) for n in returned] == [("vanphong", "Thiếu danh sách")]
    # A returned figure is corrected and sent again.
    m = save(users["vanphong"], m, version=m.version, value=Decimal("85"))
    m = services.measurement_submit(actor=users["vanphong"], measurement=m)
    assert m.status == ReportStatus.SUBMITTED


def test_reopen_needs_a_reason(habac, users, units, ct01, q2, django_capture_on_commit_callbacks):
    m = submitted(users["vhxh"], ct01, q2, units[VH_XH], value=Decimal("4"))
    m = services.measurement_accept(actor=users["daumoi"], measurement=m)
    with pytest.raises(ValidationError) as exc_info:
        services.measurement_reopen(actor=users["daumoi"], measurement=m, reason="")
    assert exc_info.value.message_dict == {"reason": ["Cần ghi lý do mở lại báo cáo."]}
    with django_capture_on_commit_callbacks(execute=True):
        m = services.measurement_reopen(actor=users["daumoi"], measurement=m, reason="Sai số liệu")
    m.refresh_from_db()
    assert m.status == ReportStatus.RETURNED
    assert {n.user.username for n in Notification.objects.filter(kind=NotificationKind.RETURNED)} == {
        "vhxh",
        "daumoi",
    }


def test_refused_transitions(habac, users, units, ct01, q2):
    daumoi = users["daumoi"]
    draft = open_m(users["vhxh"], ct01, q2, units[VH_XH])
    with pytest.raises(ValidationError, match="Chỉ chấp nhận được báo cáo đã gửi"):
        services.measurement_accept(actor=daumoi, measurement=draft)
    with pytest.raises(ValidationError, match="Chỉ trả lại được báo cáo đã gửi"):
        services.measurement_return(actor=daumoi, measurement=draft, reason="x")
    with pytest.raises(ValidationError, match="Chỉ mở lại được báo cáo đã chấp nhận"):
        services.measurement_reopen(actor=daumoi, measurement=draft, reason="x")
    m = services.measurement_submit(
        actor=users["vhxh"], measurement=save(users["vhxh"], draft, value=Decimal("2"), source="Sổ")
    )
    with pytest.raises(ValidationError, match="đang chờ đầu mối xem xét"):
        save(users["vhxh"], m, value=Decimal("3"))
    m = services.measurement_accept(actor=daumoi, measurement=m)
    with pytest.raises(ValidationError, match="Chỉ trả lại được báo cáo đã gửi"):
        services.measurement_return(actor=daumoi, measurement=m, reason="x")


def test_every_step_is_audited(habac, users, units, ct01, q2):
    vhxh, daumoi = users["vhxh"], users["daumoi"]
    m = submitted(vhxh, ct01, q2, units[VH_XH], value=Decimal("4"))
    m = services.measurement_accept(actor=daumoi, measurement=m)
    entries = list(history_for(m).order_by("pk"))
    assert [(e.action, e.actor.username) for e in entries] == [
        (AuditEntry.Action.CREATE, "vhxh"),
        (AuditEntry.Action.UPDATE, "vhxh"),
        (AuditEntry.Action.EVENT, "vhxh"),
        (AuditEntry.Action.EVENT, "daumoi"),
    ]
    assert entries[1].changes == {"giá trị": [None, "4"], "nguồn số liệu": ["", "Sổ theo dõi của phòng"]}
    assert entries[3].changes == {"Trạng thái": ["Đã gửi", "Đã chấp nhận"]}


# Closed period -----------------------------------------------------------------------------------


def test_a_closed_period_refuses_values(habac, users, units, ct01, q2):
    vhxh, daumoi = users["vhxh"], users["daumoi"]
    draft = save(vhxh, open_m(vhxh, ct01, q2, units[VH_XH]), value=Decimal("2"), source="Sổ")
    period_close(actor=daumoi, period=q2)
    with pytest.raises(ValidationError, match="Kỳ Quý II/2026 đã khóa sổ"):
        save(vhxh, draft, value=Decimal("3"))
    with pytest.raises(ValidationError, match="đã khóa sổ"):
        services.measurement_submit(actor=vhxh, measurement=draft)
    assert Measurement.objects.get(pk=draft.pk).value == Decimal("2")
    period_reopen(actor=daumoi, period=q2, reason="Bổ sung")
    m = services.measurement_submit(actor=vhxh, measurement=draft)
    period_close(actor=daumoi, period=q2)
    with pytest.raises(ValidationError, match="đã khóa sổ"):
        services.measurement_accept(actor=daumoi, measurement=m)
    assert Measurement.objects.get(pk=m.pk).status == ReportStatus.SUBMITTED


# Conflicts ---------------------------------------------------------------------------------------


def test_second_save_with_a_stale_version_is_a_conflict(habac, users, vhxh_ct01):
    vhxh, daumoi = users["vhxh"], users["daumoi"]
    base = save(vhxh, vhxh_ct01, value=Decimal("2"), source="Sổ")
    version = base.version
    save(vhxh, base, version=version, value=Decimal("3"), source="Sổ")
    with pytest.raises(ConflictError) as exc_info:
        save(daumoi, base, version=version, value=Decimal("5"), source="Sổ")
    assert exc_info.value.current.value == Decimal("3")
    # field label → [saved value, your value]
    assert {k: [str(v) for v in pair] for k, pair in exc_info.value.changes.items()} == {
        "giá trị": ["3", "5"]
    }
    assert Measurement.objects.get(pk=base.pk).value == Decimal("3")
    m = save(daumoi, base, version=exc_info.value.current.version, value=Decimal("5"), source="Sổ")
    assert (m.value, m.version) == (Decimal("5"), version + 2)


def test_conflict_lists_only_fields_that_differ_when_a_decimal_is_sent_unchanged(habac, users, vhxh_ct04):
    """Regression: an untouched decimal (40 sent back as 40.00) must not be listed as a change."""
    vhxh, daumoi = users["vhxh"], users["daumoi"]
    base = save(vhxh, vhxh_ct04, value=Decimal("40"), source="VNPT")
    version = base.version
    save(vhxh, base, version=version, value=Decimal("40.00"), source="Viettel")
    # The form renders 40 as "40,00" and sends it back untouched.
    with pytest.raises(ConflictError) as exc_info:
        save(
            daumoi, base, version=version, value=Decimal("40.00"), source="VNPT", note="Theo báo cáo nhà mạng"
        )
    assert exc_info.value.changes == {
        "nguồn số liệu": ["Viettel", "VNPT"],
        "ghi chú": ["", "Theo báo cáo nhà mạng"],
    }


def test_a_count_whose_unit_contains_ha_is_still_a_count(habac, users, units, q2):
    loudspeakers = Indicator.objects.create(
        plan=habac,
        code="CT98",
        name="Số cụm loa truyền thanh thông minh",
        target=Decimal("10"),
        unit_of_measure="cụm loa truyền thanh",
        lead_unit=units[VH_XH],
    )
    m = open_m(users["vhxh"], loudspeakers, q2, units[VH_XH])
    with pytest.raises(ValidationError) as exc_info:
        save(users["vhxh"], m, value=Decimal("2.5"))
    assert "phải là số nguyên" in exc_info.value.message_dict["value"][0]
