"""Deadlines as Vietnamese plans write them: every kind of design.md, resolved against plan year 2026."""

import datetime

import pytest

from kehoach.plans.choices import DeadlineKind
from kehoach.plans.deadlines import (
    Deadline,
    DeadlineError,
    Schedule,
    month_end,
    parse_deadline,
    quarter_bounds,
    schedule,
)

D = datetime.date
YEAR = 2026


@pytest.mark.parametrize(
    ("text", "kind", "due", "starts"),
    [
        # date
        ("30/06/2026", DeadlineKind.DATE, D(2026, 6, 30), None),
        ("30/6/2026", DeadlineKind.DATE, D(2026, 6, 30), None),
        ("15/3", DeadlineKind.DATE, D(2026, 3, 15), None),
        ("trước ngày 15 tháng 3 năm 2026", DeadlineKind.DATE, D(2026, 3, 15), None),
        ("Trước ngày 20 tháng 12", DeadlineKind.DATE, D(2026, 12, 20), None),
        # period: quarters
        ("Quý I/2026", DeadlineKind.PERIOD, D(2026, 3, 31), D(2026, 1, 1)),
        ("Quý II/2026", DeadlineKind.PERIOD, D(2026, 6, 30), D(2026, 4, 1)),
        ("Quý III/2026", DeadlineKind.PERIOD, D(2026, 9, 30), D(2026, 7, 1)),
        ("Quý IV/2026", DeadlineKind.PERIOD, D(2026, 12, 31), D(2026, 10, 1)),
        ("Quý 2 năm 2027", DeadlineKind.PERIOD, D(2027, 6, 30), D(2027, 4, 1)),
        ("Quý III", DeadlineKind.PERIOD, D(2026, 9, 30), D(2026, 7, 1)),
        # period: halves, nine months
        ("6 tháng đầu năm", DeadlineKind.PERIOD, D(2026, 6, 30), D(2026, 1, 1)),
        ("6 tháng cuối năm 2026", DeadlineKind.PERIOD, D(2026, 12, 31), D(2026, 7, 1)),
        ("6 tháng cuối năm", DeadlineKind.PERIOD, D(2026, 12, 31), D(2026, 7, 1)),
        ("9 tháng đầu năm", DeadlineKind.PERIOD, D(2026, 9, 30), D(2026, 1, 1)),
        # period: months (leap and common February)
        ("Tháng 2/2028", DeadlineKind.PERIOD, D(2028, 2, 29), D(2028, 2, 1)),
        ("Tháng 2/2026", DeadlineKind.PERIOD, D(2026, 2, 28), D(2026, 2, 1)),
        ("Tháng 8/2024", DeadlineKind.PERIOD, D(2024, 8, 31), D(2024, 8, 1)),
        ("Tháng 12/2026", DeadlineKind.PERIOD, D(2026, 12, 31), D(2026, 12, 1)),
        ("Tháng 4", DeadlineKind.PERIOD, D(2026, 4, 30), D(2026, 4, 1)),
        # period: years
        ("Năm 2026", DeadlineKind.PERIOD, D(2026, 12, 31), D(2026, 1, 1)),
        ("2024 - 2025", DeadlineKind.PERIOD, D(2025, 12, 31), D(2024, 1, 1)),
        ("2024–2025", DeadlineKind.PERIOD, D(2025, 12, 31), D(2024, 1, 1)),
        # continuous: closed at the end of the plan year
        ("Cả năm", DeadlineKind.CONTINUOUS, D(2026, 12, 31), D(2026, 1, 1)),
        ("Thường xuyên", DeadlineKind.CONTINUOUS, D(2026, 12, 31), D(2026, 1, 1)),
        ("Hằng quý", DeadlineKind.CONTINUOUS, D(2026, 12, 31), D(2026, 1, 1)),
        ("Thường xuyên năm 2027", DeadlineKind.CONTINUOUS, D(2027, 12, 31), D(2027, 1, 1)),
        # conditional: no date until the trigger is recorded
        ("Sau khi Thành phố ban hành Kế hoạch", DeadlineKind.CONDITIONAL, None, None),
        ("Ngày sau khi có hướng dẫn", DeadlineKind.CONDITIONAL, None, None),
    ],
)
def test_parse_deadline_every_kind(text, kind, due, starts):
    result = parse_deadline(text, year=YEAR)
    assert result == Deadline(kind, due, starts), text
    assert result.kind == kind
    assert result.date == due
    assert result.starts_on == starts


def test_parse_deadline_kind_is_the_stored_value():
    assert parse_deadline("Cả năm", year=YEAR).kind == "continuous"
    assert parse_deadline("Quý I/2026", year=YEAR).kind == "period"
    assert parse_deadline("30/06/2026", year=YEAR).kind == "date"
    assert parse_deadline("Sau khi Thành phố ban hành Kế hoạch", year=YEAR).kind == "conditional"


def test_year_from_plan_used_when_text_omits_it():
    assert parse_deadline("15/3", year=2027).date == D(2027, 3, 15)
    assert parse_deadline("Cả năm", year=2027) == Deadline(
        DeadlineKind.CONTINUOUS, D(2027, 12, 31), D(2027, 1, 1)
    )
    assert parse_deadline("6 tháng đầu năm", year=2028).date == D(2028, 6, 30)
    # An explicit year in the text wins over the plan's year.
    assert parse_deadline("30/06/2025", year=2027).date == D(2025, 6, 30)


def test_impossible_date_names_the_date():
    with pytest.raises(DeadlineError) as exc:
        parse_deadline("31/02/2026", year=YEAR)
    message = str(exc.value)
    assert "31/02/2026" in message
    assert "không có thật" in message


def test_impossible_day_in_words_is_refused():
    with pytest.raises(DeadlineError, match="30/02/2026"):
        parse_deadline("trước ngày 30 tháng 2 năm 2026", year=YEAR)


def test_month_thirteen_is_refused():
    with pytest.raises(DeadlineError) as exc:
        parse_deadline("Tháng 13/2026", year=YEAR)
    message = str(exc.value)
    assert "Tháng 13" in message
    assert "không hợp lệ" in message
    assert "Tháng 13/2026" in message


def test_numeric_date_with_month_thirteen_is_refused():
    with pytest.raises(DeadlineError, match="không hợp lệ"):
        parse_deadline("15/13/2026", year=YEAR)


@pytest.mark.parametrize("text", ["", "   ", None])
def test_empty_text_is_refused(text):
    with pytest.raises(DeadlineError, match="Chưa nhập thời hạn"):
        parse_deadline(text, year=YEAR)


def test_gibberish_is_refused_with_examples():
    with pytest.raises(DeadlineError) as exc:
        parse_deadline("xyz abc", year=YEAR)
    message = str(exc.value)
    assert "Không hiểu thời hạn “xyz abc”" in message
    for example in ("30/06/2026", "Quý II/2026", "6 tháng đầu năm", "Năm 2026", "Cả năm", "Sau khi"):
        assert example in message


def test_deadline_error_is_a_value_error():
    assert issubclass(DeadlineError, ValueError)


def test_month_end_and_quarter_bounds():
    assert month_end(2028, 2) == D(2028, 2, 29)
    assert month_end(2100, 2) == D(2100, 2, 28)
    assert month_end(2026, 4) == D(2026, 4, 30)
    assert quarter_bounds(2026, 1) == (D(2026, 1, 1), D(2026, 3, 31))
    assert quarter_bounds(2026, 4) == (D(2026, 10, 1), D(2026, 12, 31))


# schedule ---------------------------------------------------------------------------------------


def test_schedule_conditional_without_trigger_has_no_dates():
    result = schedule(kind=DeadlineKind.CONDITIONAL, deadline_date=None, trigger_date=None, lead_time_days=30)
    assert result == Schedule(None, None)


def test_schedule_conditional_with_trigger_opens_on_trigger_and_adds_lead_time():
    result = schedule(
        kind=DeadlineKind.CONDITIONAL, deadline_date=None, trigger_date=D(2026, 4, 1), lead_time_days=30
    )
    assert result == Schedule(D(2026, 4, 1), D(2026, 5, 1))


def test_schedule_conditional_across_leap_day():
    result = schedule(
        kind=DeadlineKind.CONDITIONAL, deadline_date=None, trigger_date=D(2028, 2, 10), lead_time_days=30
    )
    assert result == Schedule(D(2028, 2, 10), D(2028, 3, 11))


def test_schedule_conditional_across_year_end():
    result = schedule(
        kind=DeadlineKind.CONDITIONAL, deadline_date=None, trigger_date=D(2026, 12, 15), lead_time_days=30
    )
    assert result == Schedule(D(2026, 12, 15), D(2027, 1, 14))


@pytest.mark.parametrize(("lead", "due"), [(0, D(2026, 5, 10)), (10, D(2026, 5, 20)), (45, D(2026, 6, 24))])
def test_schedule_conditional_lead_times(lead, due):
    result = schedule(
        kind=DeadlineKind.CONDITIONAL, deadline_date=None, trigger_date=D(2026, 5, 10), lead_time_days=lead
    )
    assert result == Schedule(D(2026, 5, 10), due)


@pytest.mark.parametrize("kind", [DeadlineKind.DATE, DeadlineKind.PERIOD, DeadlineKind.CONTINUOUS])
def test_schedule_other_kinds_keep_their_dates_and_ignore_trigger(kind):
    result = schedule(
        kind=kind,
        deadline_date=D(2026, 6, 30),
        starts_on=D(2026, 4, 1),
        trigger_date=D(2026, 1, 5),
        lead_time_days=30,
    )
    assert result == Schedule(D(2026, 4, 1), D(2026, 6, 30))


def test_schedule_defaults_starts_on_to_none():
    result = schedule(
        kind=DeadlineKind.DATE, deadline_date=D(2026, 6, 30), trigger_date=None, lead_time_days=30
    )
    assert result == Schedule(None, D(2026, 6, 30))


@pytest.mark.parametrize("text", ["Quý 5/2026", "Quý V/2026", "Quý 0/2026"])
def test_impossible_quarter_is_refused(text):
    with pytest.raises(DeadlineError, match="không hợp lệ"):
        parse_deadline(text, year=YEAR)
