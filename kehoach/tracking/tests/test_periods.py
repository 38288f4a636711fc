"""Reporting periods: the date arithmetic of every kind, and the services that create, move, pick,
close and reopen a plan's periods.

Default cut-off day 14 (Nghị định 09/2019/NĐ-CP): a month runs 15/(m-1) → 14/m, a quarter from the
15th of the month before it to the 14th of its last month, 6 and 9 months and the year from 15/12 of
the previous year.
"""

import datetime
import itertools
from collections import Counter

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from kehoach.core.audit import history_for
from kehoach.core.models import AuditEntry
from kehoach.plans.models import Indicator, Task
from kehoach.plans.selectors import tasks_with_units
from kehoach.tracking.choices import PeriodKind, ReportStatus
from kehoach.tracking.models import Measurement, Period, ProgressReport, ReportingConfig
from kehoach.tracking.periods import period_bounds, period_label, periods_of_year
from kehoach.tracking.services import measurements as measurement_services
from kehoach.tracking.services import progress as progress_services
from kehoach.tracking.services.periods import (
    current_period,
    period_close,
    period_reopen,
    periods_sync,
    reporting_config,
    reporting_config_update,
)

D = datetime.date
DAY = datetime.timedelta(days=1)
VH_XH = "Phòng VH-XH"


def bounds(kind, year, number, **kwargs):
    b = period_bounds(kind, year, number, **kwargs)
    return b.starts_on, b.ends_on, b.due_on


def assert_validation(exc_info, field: str, fragment: str):
    errors = exc_info.value.message_dict
    assert field in errors, errors
    assert any(fragment in message for message in errors[field]), errors[field]


# period_bounds with the default cut-off 14 -------------------------------------------------------


def test_january_runs_from_15_december_of_the_previous_year():
    assert bounds(PeriodKind.MONTH, 2026, 1) == (D(2025, 12, 15), D(2026, 1, 14), D(2026, 1, 19))


def test_march_runs_from_15_february_to_14_march():
    assert bounds(PeriodKind.MONTH, 2026, 3) == (D(2026, 2, 15), D(2026, 3, 14), D(2026, 3, 19))


def test_december_runs_from_15_november_to_14_december():
    assert bounds(PeriodKind.MONTH, 2026, 12) == (D(2026, 11, 15), D(2026, 12, 14), D(2026, 12, 19))


@pytest.mark.parametrize(
    "number, starts_on, ends_on",
    [
        (1, D(2025, 12, 15), D(2026, 3, 14)),
        (2, D(2026, 3, 15), D(2026, 6, 14)),
        (3, D(2026, 6, 15), D(2026, 9, 14)),
        (4, D(2026, 9, 15), D(2026, 12, 14)),
    ],
)
def test_quarters(number, starts_on, ends_on):
    b = period_bounds(PeriodKind.QUARTER, 2026, number)
    assert (b.starts_on, b.ends_on) == (starts_on, ends_on)
    assert b.due_on == ends_on + 5 * DAY


def test_six_months_run_from_15_december_to_14_june():
    assert bounds(PeriodKind.HALF, 2026, 1) == (D(2025, 12, 15), D(2026, 6, 14), D(2026, 6, 19))


def test_nine_months_run_from_15_december_to_14_september():
    assert bounds(PeriodKind.NINE, 2026, 1) == (D(2025, 12, 15), D(2026, 9, 14), D(2026, 9, 19))


def test_year_runs_from_15_december_to_14_december():
    assert bounds(PeriodKind.YEAR, 2026, 1) == (D(2025, 12, 15), D(2026, 12, 14), D(2026, 12, 19))


def test_calendar_span_is_the_months_the_period_reports_on():
    q1 = period_bounds(PeriodKind.QUARTER, 2026, 1)
    assert (q1.calendar_start, q1.calendar_end) == (D(2026, 1, 1), D(2026, 3, 31))
    year = period_bounds(PeriodKind.YEAR, 2026, 1)
    assert (year.calendar_start, year.calendar_end) == (D(2026, 1, 1), D(2026, 12, 31))
    feb_leap = period_bounds(PeriodKind.MONTH, 2028, 2)
    assert feb_leap.calendar_end == D(2028, 2, 29)


# Other cut-off days, leap years ------------------------------------------------------------------


def test_cutoff_20():
    assert bounds(PeriodKind.MONTH, 2026, 1, cutoff_day=20) == (
        D(2025, 12, 21),
        D(2026, 1, 20),
        D(2026, 1, 25),
    )
    assert bounds(PeriodKind.QUARTER, 2026, 2, cutoff_day=20)[:2] == (D(2026, 3, 21), D(2026, 6, 20))
    assert bounds(PeriodKind.YEAR, 2026, 1, cutoff_day=20)[:2] == (D(2025, 12, 21), D(2026, 12, 20))


def test_cutoff_1_starts_on_the_2nd_of_the_month_before():
    assert bounds(PeriodKind.MONTH, 2026, 1, cutoff_day=1)[:2] == (D(2025, 12, 2), D(2026, 1, 1))
    assert bounds(PeriodKind.MONTH, 2026, 3, cutoff_day=1)[:2] == (D(2026, 2, 2), D(2026, 3, 1))
    assert bounds(PeriodKind.HALF, 2026, 1, cutoff_day=1)[:2] == (D(2025, 12, 2), D(2026, 6, 1))


def test_cutoff_28_in_a_leap_year_gives_29_february_to_march():
    assert bounds(PeriodKind.MONTH, 2028, 2, cutoff_day=28)[:2] == (D(2028, 1, 29), D(2028, 2, 28))
    # 29/02/2028 is the first day of March's data, never lost between two periods.
    assert bounds(PeriodKind.MONTH, 2028, 3, cutoff_day=28)[:2] == (D(2028, 2, 29), D(2028, 3, 28))
    assert bounds(PeriodKind.QUARTER, 2028, 1, cutoff_day=28)[:2] == (D(2027, 12, 29), D(2028, 3, 28))


def test_cutoff_28_in_a_common_year_starts_march_on_1_march():
    assert bounds(PeriodKind.MONTH, 2027, 3, cutoff_day=28)[:2] == (D(2027, 3, 1), D(2027, 3, 28))


def test_due_on_is_cutoff_plus_submit_days_across_a_year_boundary():
    assert bounds(PeriodKind.YEAR, 2026, 1, submit_days=20)[2] == D(2027, 1, 3)
    assert bounds(PeriodKind.MONTH, 2026, 2, submit_days=0)[2] == D(2026, 2, 14)
    assert bounds(PeriodKind.QUARTER, 2028, 1, cutoff_day=28, submit_days=10)[2] == D(2028, 4, 7)


@pytest.mark.parametrize("cutoff_day", [1, 14, 20, 28])
@pytest.mark.parametrize("year", [2026, 2027, 2028])
@pytest.mark.parametrize("kind", [PeriodKind.MONTH, PeriodKind.QUARTER])
def test_periods_of_a_kind_cover_the_year_without_gap_or_overlap(kind, year, cutoff_day):
    periods = periods_of_year([kind], year, cutoff_day=cutoff_day)
    whole = period_bounds(PeriodKind.YEAR, year, 1, cutoff_day=cutoff_day)
    assert periods[0].starts_on == whole.starts_on
    assert periods[-1].ends_on == whole.ends_on
    for before, after in itertools.pairwise(periods):
        assert after.starts_on == before.ends_on + DAY
    # The next year picks up the day after this year's last cut-off.
    following = period_bounds(kind, year + 1, 1, cutoff_day=cutoff_day)
    assert following.starts_on == periods[-1].ends_on + DAY
    assert (
        sum((p.ends_on - p.starts_on).days + 1 for p in periods) == (whole.ends_on - whole.starts_on).days + 1
    )


# Invalid input -----------------------------------------------------------------------------------


def test_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="Loại kỳ báo cáo không hợp lệ"):
        period_bounds("tuan", 2026, 1)


@pytest.mark.parametrize(
    "kind, number",
    [
        (PeriodKind.MONTH, 0),
        (PeriodKind.MONTH, 13),
        (PeriodKind.QUARTER, 0),
        (PeriodKind.QUARTER, 5),
        (PeriodKind.HALF, 2),
        (PeriodKind.NINE, 2),
        (PeriodKind.YEAR, 2),
    ],
)
def test_number_outside_the_kind_is_refused(kind, number):
    with pytest.raises(ValueError, match=f"Kỳ số {number} không hợp lệ"):
        period_bounds(kind, 2026, number)


@pytest.mark.parametrize("cutoff_day", [0, 29, 30, 31])
def test_cutoff_outside_1_to_28_is_refused(cutoff_day):
    with pytest.raises(ValueError, match="Ngày chốt số liệu phải từ 1 đến 28"):
        period_bounds(PeriodKind.MONTH, 2026, 2, cutoff_day=cutoff_day)


def test_periods_of_year_refuses_an_unknown_kind():
    with pytest.raises(ValueError):
        periods_of_year(["tuan"], 2026)


# Labels ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kind, number, label",
    [
        (PeriodKind.MONTH, 1, "Tháng 01/2026"),
        (PeriodKind.MONTH, 12, "Tháng 12/2026"),
        (PeriodKind.QUARTER, 1, "Quý I/2026"),
        (PeriodKind.QUARTER, 2, "Quý II/2026"),
        (PeriodKind.QUARTER, 4, "Quý IV/2026"),
        (PeriodKind.HALF, 1, "6 tháng đầu năm 2026"),
        (PeriodKind.NINE, 1, "9 tháng đầu năm 2026"),
        (PeriodKind.YEAR, 1, "Năm 2026"),
    ],
)
def test_labels(kind, number, label):
    assert period_label(kind, 2026, number) == label
    assert period_bounds(kind, 2026, number).label == label


def test_periods_of_year_are_ordered_by_cutoff_shorter_first():
    periods = periods_of_year([PeriodKind.QUARTER, PeriodKind.HALF, PeriodKind.YEAR], 2026)
    assert [p.label for p in periods] == [
        "Quý I/2026",
        "Quý II/2026",
        "6 tháng đầu năm 2026",
        "Quý III/2026",
        "Quý IV/2026",
        "Năm 2026",
    ]


def test_periods_of_year_counts_every_kind():
    kinds = [PeriodKind.MONTH, PeriodKind.QUARTER, PeriodKind.HALF, PeriodKind.NINE, PeriodKind.YEAR]
    counts = Counter(p.kind for p in periods_of_year(kinds, 2026))
    assert counts == {
        PeriodKind.MONTH: 12,
        PeriodKind.QUARTER: 4,
        PeriodKind.HALF: 1,
        PeriodKind.NINE: 1,
        PeriodKind.YEAR: 1,
    }


# periods_sync ------------------------------------------------------------------------------------


def period_of(plan, kind, number=1) -> Period:
    return Period.objects.get(plan=plan, kind=kind, number=number, year=plan.year)


def test_habac_has_its_configured_periods(habac):
    periods = list(Period.objects.filter(plan=habac))
    assert len(periods) == 6
    assert Counter(p.kind for p in periods) == {PeriodKind.QUARTER: 4, PeriodKind.HALF: 1, PeriodKind.YEAR: 1}
    q1 = period_of(habac, PeriodKind.QUARTER)
    assert (q1.starts_on, q1.ends_on, q1.due_on, q1.label) == (
        D(2025, 12, 15),
        D(2026, 3, 14),
        D(2026, 3, 19),
        "Quý I/2026",
    )


def test_periods_sync_is_idempotent(habac):
    before = {
        (p.kind, p.number): (p.pk, p.starts_on, p.ends_on, p.due_on)
        for p in Period.objects.filter(plan=habac)
    }
    first = periods_sync(plan=habac)
    second = periods_sync(plan=habac)
    assert len(first) == len(second) == 6
    assert [p.pk for p in first] == [p.pk for p in second]
    after = {
        (p.kind, p.number): (p.pk, p.starts_on, p.ends_on, p.due_on)
        for p in Period.objects.filter(plan=habac)
    }
    assert after == before


def test_periods_sync_creates_exactly_the_configured_periods_for_a_new_plan(other_city):
    plan = other_city["plan"]
    assert not Period.objects.filter(plan=plan).exists()
    created = periods_sync(plan=plan)
    assert len(created) == 6
    assert Period.objects.filter(plan=plan).count() == 6
    assert [p.label for p in created] == [
        "Quý I/2026",
        "Quý II/2026",
        "6 tháng đầu năm 2026",
        "Quý III/2026",
        "Quý IV/2026",
        "Năm 2026",
    ]
    periods_sync(plan=plan)
    assert Period.objects.filter(plan=plan).count() == 6


def test_periods_sync_for_another_year(other_city):
    plan = other_city["plan"]
    created = periods_sync(plan=plan, year=2027)
    assert {p.year for p in created} == {2027}
    assert period_of_year_2027(plan).starts_on == D(2026, 12, 15)


def period_of_year_2027(plan):
    return Period.objects.get(plan=plan, kind=PeriodKind.YEAR, year=2027)


# reporting_config_update -------------------------------------------------------------------------


def test_daumoi_changes_cutoff_and_open_periods_move(habac, users):
    config = reporting_config_update(
        actor=users["daumoi"],
        plan=habac,
        kinds=[PeriodKind.YEAR, PeriodKind.QUARTER],
        cutoff_day=20,
        submit_days=10,
    )
    config.refresh_from_db()
    # Stored in the fixed order of PeriodKind, whatever order the form sent.
    assert config.kinds == [PeriodKind.QUARTER, PeriodKind.YEAR]
    assert (config.cutoff_day, config.submit_days) == (20, 10)
    q2 = period_of(habac, PeriodKind.QUARTER, 2)
    assert (q2.starts_on, q2.ends_on, q2.due_on) == (D(2026, 3, 21), D(2026, 6, 20), D(2026, 6, 30))
    year = period_of(habac, PeriodKind.YEAR)
    assert (year.starts_on, year.ends_on, year.due_on) == (D(2025, 12, 21), D(2026, 12, 20), D(2026, 12, 30))
    entry = history_for(config).get()
    assert entry.actor == users["daumoi"]
    assert entry.action == AuditEntry.Action.UPDATE
    assert entry.changes["ngày chốt số liệu"] == [14, 20]


def test_closed_period_keeps_its_dates_when_the_cutoff_changes(habac, users):
    q1 = period_close(actor=users["daumoi"], period=period_of(habac, PeriodKind.QUARTER, 1))
    reporting_config_update(
        actor=users["daumoi"],
        plan=habac,
        kinds=[PeriodKind.QUARTER, PeriodKind.HALF, PeriodKind.YEAR],
        cutoff_day=20,
        submit_days=5,
    )
    q1.refresh_from_db()
    assert (q1.starts_on, q1.ends_on, q1.due_on) == (D(2025, 12, 15), D(2026, 3, 14), D(2026, 3, 19))
    q3 = period_of(habac, PeriodKind.QUARTER, 3)
    assert (q3.starts_on, q3.ends_on, q3.due_on) == (D(2026, 6, 21), D(2026, 9, 20), D(2026, 9, 25))


def test_adding_months_creates_twelve_periods(habac, users):
    reporting_config_update(
        actor=users["daumoi"],
        plan=habac,
        kinds=[PeriodKind.MONTH, PeriodKind.QUARTER, PeriodKind.HALF, PeriodKind.YEAR],
        cutoff_day=14,
        submit_days=5,
    )
    counts = Counter(Period.objects.filter(plan=habac).values_list("kind", flat=True))
    assert counts == {PeriodKind.MONTH: 12, PeriodKind.QUARTER: 4, PeriodKind.HALF: 1, PeriodKind.YEAR: 1}


@pytest.mark.parametrize(
    "kwargs, field, message",
    [
        ({"kinds": []}, "kinds", "Chọn ít nhất một loại kỳ báo cáo."),
        ({"kinds": ["quy", "tuan"]}, "kinds", "Loại kỳ báo cáo không hợp lệ."),
        ({"cutoff_day": 0}, "cutoff_day", "Ngày chốt số liệu phải từ 1 đến 28."),
        ({"cutoff_day": 29}, "cutoff_day", "Ngày chốt số liệu phải từ 1 đến 28."),
        ({"submit_days": -1}, "submit_days", "Số ngày gửi báo cáo phải từ 0 đến 60."),
        ({"submit_days": 61}, "submit_days", "Số ngày gửi báo cáo phải từ 0 đến 60."),
    ],
)
def test_config_validation_names_the_field_in_vietnamese(habac, users, kwargs, field, message):
    data = {"kinds": [PeriodKind.QUARTER], "cutoff_day": 20, "submit_days": 5, **kwargs}
    before = list(Period.objects.filter(plan=habac).values_list("pk", "starts_on", "ends_on", "due_on"))
    with pytest.raises(ValidationError) as exc_info:
        reporting_config_update(actor=users["daumoi"], plan=habac, **data)
    assert exc_info.value.message_dict[field] == [message]
    config = reporting_config(habac)
    assert (config.kinds, config.cutoff_day, config.submit_days) == (["quy", "6thang", "nam"], 14, 5)
    assert (
        list(Period.objects.filter(plan=habac).values_list("pk", "starts_on", "ends_on", "due_on")) == before
    )
    assert not AuditEntry.objects.filter(content_type__model="reportingconfig").exists()


def test_config_validation_reports_every_bad_field_at_once(habac, users):
    with pytest.raises(ValidationError) as exc_info:
        reporting_config_update(actor=users["daumoi"], plan=habac, kinds=[], cutoff_day=31, submit_days=90)
    assert set(exc_info.value.message_dict) == {"kinds", "cutoff_day", "submit_days"}


@pytest.mark.parametrize("username", ["vhxh", "lanhdao", "kinhte", "captren", "quantri"])
def test_only_daumoi_changes_the_reporting_config(habac, users, username):
    with pytest.raises(PermissionDenied):
        reporting_config_update(
            actor=users[username], plan=habac, kinds=[PeriodKind.QUARTER], cutoff_day=20, submit_days=5
        )
    assert reporting_config(habac).cutoff_day == 14
    assert period_of(habac, PeriodKind.QUARTER, 2).ends_on == D(2026, 6, 14)


def test_other_city_coordinator_cannot_change_the_config(habac, other_city):
    with pytest.raises(PermissionDenied):
        reporting_config_update(
            actor=other_city["coordinator"],
            plan=habac,
            kinds=[PeriodKind.QUARTER],
            cutoff_day=20,
            submit_days=5,
        )


def test_removing_a_kind_removes_its_unused_periods(habac, users):
    daumoi = users["daumoi"]
    reporting_config_update(
        actor=daumoi,
        plan=habac,
        kinds=[PeriodKind.MONTH, PeriodKind.QUARTER, PeriodKind.HALF, PeriodKind.YEAR],
        cutoff_day=14,
        submit_days=5,
    )
    reporting_config_update(
        actor=daumoi,
        plan=habac,
        kinds=[PeriodKind.QUARTER, PeriodKind.HALF, PeriodKind.YEAR],
        cutoff_day=14,
        submit_days=5,
    )
    assert current_period(habac, D(2026, 5, 1)).label == "Quý II/2026"
    assert not Period.objects.filter(plan=habac, kind=PeriodKind.MONTH).exists()


# current_period ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "today, label",
    [
        (D(2025, 12, 15), "Quý I/2026"),
        (D(2026, 1, 10), "Quý I/2026"),
        (D(2026, 3, 14), "Quý I/2026"),
        (D(2026, 3, 15), "Quý II/2026"),
        (D(2026, 5, 1), "Quý II/2026"),
        (D(2026, 6, 14), "Quý II/2026"),
        (D(2026, 6, 15), "Quý III/2026"),
        (D(2026, 12, 14), "Quý IV/2026"),
    ],
)
def test_current_period_is_the_shortest_containing_today(habac, today, label):
    assert current_period(habac, today).label == label


def test_current_period_prefers_a_month_when_months_are_reported(habac, users):
    reporting_config_update(
        actor=users["daumoi"],
        plan=habac,
        kinds=[PeriodKind.MONTH, PeriodKind.QUARTER, PeriodKind.YEAR],
        cutoff_day=14,
        submit_days=5,
    )
    assert current_period(habac, D(2026, 5, 1)).label == "Tháng 05/2026"
    assert current_period(habac, D(2026, 5, 15)).label == "Tháng 06/2026"


def test_current_period_before_the_first_period_is_the_first(habac):
    assert current_period(habac, D(2025, 11, 1)).label == "Quý I/2026"


def test_current_period_after_the_last_is_one_that_ended_last(habac):
    assert current_period(habac, D(2027, 2, 1)).ends_on == D(2026, 12, 14)


def test_current_period_of_a_plan_without_periods_is_none(other_city):
    assert current_period(other_city["plan"], D(2026, 5, 1)) is None


# Closing and reopening a period ------------------------------------------------------------------


def test_daumoi_closes_a_period_and_it_is_audited(habac, users):
    daumoi = users["daumoi"]
    period = period_close(actor=daumoi, period=period_of(habac, PeriodKind.QUARTER, 1))
    period.refresh_from_db()
    assert period.is_closed
    assert period.closed_by == daumoi
    assert period.closed_at <= timezone.now()
    entry = history_for(period).get()
    assert entry.action == AuditEntry.Action.EVENT
    assert entry.actor == daumoi
    assert entry.summary == "Khóa sổ kỳ Quý I/2026"
    assert entry.changes == {"Trạng thái": ["Đang mở", "Đã khóa sổ"]}


def test_closing_a_closed_period_is_refused(habac, users):
    period = period_close(actor=users["daumoi"], period=period_of(habac, PeriodKind.QUARTER, 1))
    with pytest.raises(ValidationError, match="đã khóa sổ"):
        period_close(actor=users["daumoi"], period=period)


@pytest.mark.parametrize("username", ["vhxh", "lanhdao", "congan", "captren", "quantri"])
def test_only_daumoi_closes_a_period(habac, users, username):
    with pytest.raises(PermissionDenied):
        period_close(actor=users[username], period=period_of(habac, PeriodKind.QUARTER, 1))
    assert not period_of(habac, PeriodKind.QUARTER, 1).is_closed


def test_other_city_coordinator_cannot_close_a_period(habac, other_city):
    with pytest.raises(PermissionDenied):
        period_close(actor=other_city["coordinator"], period=period_of(habac, PeriodKind.QUARTER, 1))


@pytest.mark.parametrize("reason", ["", "   \n"])
def test_reopening_a_period_needs_a_reason(habac, users, reason):
    period = period_close(actor=users["daumoi"], period=period_of(habac, PeriodKind.QUARTER, 1))
    with pytest.raises(ValidationError) as exc_info:
        period_reopen(actor=users["daumoi"], period=period, reason=reason)
    assert exc_info.value.message_dict == {"reason": ["Cần ghi lý do mở lại kỳ báo cáo."]}
    assert period_of(habac, PeriodKind.QUARTER, 1).is_closed


@pytest.mark.parametrize("username", ["vhxh", "lanhdao", "captren", "quantri"])
def test_only_daumoi_reopens_a_period(habac, users, username):
    period = period_close(actor=users["daumoi"], period=period_of(habac, PeriodKind.QUARTER, 1))
    with pytest.raises(PermissionDenied):
        period_reopen(actor=users[username], period=period, reason="Bổ sung số liệu")
    assert period_of(habac, PeriodKind.QUARTER, 1).is_closed


def test_reopening_an_open_period_is_refused(habac, users):
    with pytest.raises(ValidationError, match="đang mở"):
        period_reopen(actor=users["daumoi"], period=period_of(habac, PeriodKind.QUARTER, 1), reason="x")


def test_daumoi_reopens_with_a_reason_and_it_is_audited(habac, users):
    daumoi = users["daumoi"]
    period = period_close(actor=daumoi, period=period_of(habac, PeriodKind.QUARTER, 1))
    period = period_reopen(actor=daumoi, period=period, reason="  Phòng Kinh tế bổ sung số liệu  ")
    period.refresh_from_db()
    assert not period.is_closed
    assert period.closed_by is None
    entries = list(history_for(period).order_by("pk"))
    assert [e.summary for e in entries] == [
        "Khóa sổ kỳ Quý I/2026",
        "Mở lại kỳ Quý I/2026: Phòng Kinh tế bổ sung số liệu",
    ]
    assert entries[1].actor == daumoi
    assert entries[1].changes == {"Trạng thái": ["Đã khóa sổ", "Đang mở"]}


# A closed period refuses everything --------------------------------------------------------------


@pytest.fixture
def task5(habac):
    """ "Triển khai kế hoạch chuyển đổi số xã năm 2026": Phòng VH-XH leads, every unit coordinates."""
    return tasks_with_units(Task.objects.filter(plan=habac, position=5)).get()


@pytest.fixture
def q1(habac):
    return period_of(habac, PeriodKind.QUARTER, 1)


def test_closed_period_refuses_a_new_report(habac, users, units, task5, q1):
    period_close(actor=users["daumoi"], period=q1)
    q1.refresh_from_db()
    with pytest.raises(ValidationError, match="đã khóa sổ"):
        progress_services.progress_report_open(actor=users["vhxh"], task=task5, period=q1, unit=units[VH_XH])
    assert not ProgressReport.objects.exists()


def test_closed_period_refuses_a_new_measurement(habac, users, units, q1):
    period_close(actor=users["daumoi"], period=q1)
    q1.refresh_from_db()
    indicator = Indicator.objects.get(plan=habac, code="CT01")
    with pytest.raises(ValidationError, match="đã khóa sổ"):
        measurement_services.measurement_open(
            actor=users["vhxh"], indicator=indicator, period=q1, unit=units[VH_XH]
        )
    assert not Measurement.objects.exists()


def test_closed_period_refuses_edits_and_submission(habac, users, units, task5, q1):
    vhxh = users["vhxh"]
    report = progress_services.progress_report_open(actor=vhxh, task=task5, period=q1, unit=units[VH_XH])
    report = progress_services.progress_report_save(
        actor=vhxh, report=report, data={"results": "Đã ban hành kế hoạch", "percent_complete": 30}, version=1
    )
    period_close(actor=users["daumoi"], period=q1)
    with pytest.raises(ValidationError, match="Kỳ Quý I/2026 đã khóa sổ"):
        progress_services.progress_report_save(
            actor=vhxh, report=report, data={"percent_complete": 50}, version=report.version
        )
    with pytest.raises(ValidationError, match="Kỳ Quý I/2026 đã khóa sổ"):
        progress_services.progress_report_submit(actor=vhxh, report=report)
    report.refresh_from_db()
    assert (report.status, report.percent_complete) == (ReportStatus.DRAFT, 30)
    assert not report.is_editable_by_unit
    assert report.is_locked


def test_closed_period_refuses_accept_and_return(habac, users, units, task5, q1):
    vhxh, daumoi = users["vhxh"], users["daumoi"]
    report = progress_services.progress_report_open(actor=vhxh, task=task5, period=q1, unit=units[VH_XH])
    report = progress_services.progress_report_save(
        actor=vhxh, report=report, data={"results": "Đã triển khai", "percent_complete": 30}, version=None
    )
    report = progress_services.progress_report_submit(actor=vhxh, report=report)
    period_close(actor=daumoi, period=q1)
    with pytest.raises(ValidationError, match="đã khóa sổ"):
        progress_services.progress_report_accept(actor=daumoi, report=report)
    with pytest.raises(ValidationError, match="đã khóa sổ"):
        progress_services.progress_report_return(actor=daumoi, report=report, reason="Thiếu số liệu")
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    # Reopening the period lets the review go on.
    period_reopen(actor=daumoi, period=q1, reason="Duyệt nốt báo cáo")
    report = progress_services.progress_report_accept(actor=daumoi, report=report)
    assert report.status == ReportStatus.ACCEPTED


def test_closed_period_refuses_reopening_an_accepted_report(habac, users, units, task5, q1):
    vhxh, daumoi = users["vhxh"], users["daumoi"]
    report = progress_services.progress_report_open(actor=vhxh, task=task5, period=q1, unit=units[VH_XH])
    report = progress_services.progress_report_save(
        actor=vhxh, report=report, data={"results": "Đã triển khai"}, version=None
    )
    report = progress_services.progress_report_submit(actor=vhxh, report=report)
    report = progress_services.progress_report_accept(actor=daumoi, report=report)
    period_close(actor=daumoi, period=q1)
    with pytest.raises(ValidationError, match="mở lại kỳ trước"):
        progress_services.progress_report_reopen(actor=daumoi, report=report, reason="Sửa số liệu")
    report.refresh_from_db()
    assert report.status == ReportStatus.ACCEPTED


def test_reporting_config_is_created_with_the_defaults(other_city):
    config = reporting_config(other_city["plan"])
    assert (config.kinds, config.cutoff_day, config.submit_days) == (["quy", "6thang", "nam"], 14, 5)
    assert ReportingConfig.objects.filter(plan=other_city["plan"]).count() == 1
