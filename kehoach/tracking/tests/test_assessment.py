"""Indicator assessment, computed in one place: combining units' figures, the final judgement
(vượt / đạt / chưa đạt), progress along the straight line (đúng tiến độ / có nguy cơ / chậm), the
switch at the year's end; the đầu mối's desk on the seed and the "thiếu số liệu" list.
"""

import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest

from kehoach.plans.choices import Comparator
from kehoach.plans.models import Indicator, Task
from kehoach.plans.selectors import tasks_with_units
from kehoach.tracking.assessment import (
    assess,
    assess_final,
    assess_progress,
    combine,
    expected_value,
    year_fraction,
)
from kehoach.tracking.choices import Assessment, PeriodKind, ReportStatus
from kehoach.tracking.models import Period
from kehoach.tracking.selectors import desk, missing
from kehoach.tracking.services import measurements as measurement_services
from kehoach.tracking.services import progress as progress_services

D = datetime.date
Y = 2026
MID_YEAR = D(2026, 7, 2)  # 182 of 364 days: exactly half way
VH_XH = "Phòng VH-XH"


def ind(comparator=Comparator.AT_LEAST, target="10", target_max=None, unit="sáng kiến", baseline=None):
    return Indicator(
        comparator=comparator,
        target=Decimal(target),
        target_max=Decimal(target_max) if target_max is not None else None,
        unit_of_measure=unit,
        baseline=Decimal(baseline) if baseline is not None else None,
    )


def fig(value, numerator=None, denominator=None):
    def dec(x):
        return Decimal(str(x)) if x is not None else None

    return SimpleNamespace(value=dec(value), numerator=dec(numerator), denominator=dec(denominator))


# combine -----------------------------------------------------------------------------------------


def test_rates_with_numerator_and_denominator_are_summed():
    rate = ind(unit="%", target="100")
    # 30/40 and 10/10: 40/50 = 80%, not the mean 87.5% of the two rates.
    assert combine(rate, [fig("75", 30, 40), fig("100", 10, 10)]) == Decimal("80.00")


def test_summed_rate_is_rounded_to_two_decimals():
    rate = ind(unit="%", target="100")
    assert combine(rate, [fig("33.33", 1, 3), fig("16.67", 1, 6)]) == Decimal("22.22")


def test_rates_without_numerator_and_denominator_are_averaged():
    rate = ind(unit="%", target="90")
    assert combine(rate, [fig("80"), fig("95")]) == Decimal("87.50")
    # One unit without numerator/denominator: the mean of the rates.
    assert combine(rate, [fig("75", 30, 40), fig("100")]) == Decimal("87.50")
    assert combine(rate, [fig("10"), fig("20"), fig("20")]) == Decimal("16.67")


def test_counts_are_summed():
    count = ind(unit="doanh nghiệp", target="2")
    assert combine(count, [fig("1"), fig("2"), fig("0")]) == Decimal("3")


def test_figures_without_a_value_are_ignored():
    count = ind()
    assert combine(count, [fig(None), fig("4")]) == Decimal("4")


@pytest.mark.parametrize("figures", [[], [fig(None)], [fig(None), fig(None)]])
@pytest.mark.parametrize("unit", ["%", "sáng kiến"])
def test_no_value_combines_to_none(figures, unit):
    assert combine(ind(unit=unit, target="50"), figures) is None


# assess_final ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "actual, expected",
    [
        ("12", Assessment.EXCEEDED),
        ("10", Assessment.MET),
        ("9.99", Assessment.NOT_MET),
        ("0", Assessment.NOT_MET),
    ],
)
def test_final_at_least(actual, expected):
    assert assess_final(ind(target="10"), Decimal(actual)) == expected


@pytest.mark.parametrize(
    "actual, expected",
    [("3", Assessment.EXCEEDED), ("5", Assessment.MET), ("5.01", Assessment.NOT_MET)],
)
def test_final_at_most(actual, expected):
    assert assess_final(ind(comparator=Comparator.AT_MOST, target="5", unit="%"), Decimal(actual)) == expected


@pytest.mark.parametrize(
    "actual, expected",
    [
        ("60", Assessment.MET),
        ("65", Assessment.MET),
        ("70", Assessment.MET),
        ("59.99", Assessment.NOT_MET),
        ("70.5", Assessment.EXCEEDED),
    ],
)
def test_final_between(actual, expected):
    between = ind(comparator=Comparator.BETWEEN, target="60", target_max="70", unit="%")
    assert assess_final(between, Decimal(actual)) == expected


def test_final_between_without_an_upper_bound_is_the_single_value():
    between = ind(comparator=Comparator.BETWEEN, target="60", unit="%")
    assert assess_final(between, Decimal("60")) == Assessment.MET
    assert assess_final(between, Decimal("61")) == Assessment.EXCEEDED


def test_final_without_a_value_is_no_data():
    assert assess_final(ind(), None) == Assessment.NO_DATA


# assess_progress ---------------------------------------------------------------------------------


def test_year_fraction():
    assert year_fraction(D(2026, 1, 1), Y) == 0
    assert year_fraction(D(2025, 12, 20), Y) == 0
    assert year_fraction(MID_YEAR, Y) == Decimal("0.5")
    assert year_fraction(D(2026, 12, 31), Y) == 1
    assert year_fraction(D(2027, 1, 5), Y) == 1


def test_expected_value_is_a_straight_line_from_the_baseline():
    assert expected_value(ind(target="10"), MID_YEAR, Y) == Decimal("5")
    assert expected_value(ind(target="100", baseline="60", unit="%"), MID_YEAR, Y) == Decimal("80")
    assert expected_value(ind(target="100", baseline="60", unit="%"), D(2026, 1, 1), Y) == Decimal("60")
    # "At most" without a baseline: the ceiling holds all year.
    assert expected_value(ind(comparator=Comparator.AT_MOST, target="5", unit="%"), MID_YEAR, Y) == Decimal(
        "5"
    )


@pytest.mark.parametrize(
    "actual, expected",
    [
        ("5", Assessment.ON_TRACK),
        ("7", Assessment.ON_TRACK),
        ("4.5", Assessment.AT_RISK),
        ("4", Assessment.AT_RISK),  # within a tenth of the way (1) below the line
        ("3.99", Assessment.BEHIND),
        ("0", Assessment.BEHIND),
    ],
)
def test_progress_at_least_without_baseline_at_mid_year(actual, expected):
    assert assess_progress(ind(target="10"), Decimal(actual), MID_YEAR, Y) == expected


@pytest.mark.parametrize(
    "actual, expected",
    [
        ("80", Assessment.ON_TRACK),
        ("77", Assessment.AT_RISK),
        ("76", Assessment.AT_RISK),
        ("75.99", Assessment.BEHIND),
    ],
)
def test_progress_at_least_with_baseline_at_mid_year(actual, expected):
    trained = ind(target="100", baseline="60", unit="%")
    assert assess_progress(trained, Decimal(actual), MID_YEAR, Y) == expected


@pytest.mark.parametrize(
    "actual, expected",
    [
        ("15", Assessment.ON_TRACK),
        ("12", Assessment.ON_TRACK),
        ("16", Assessment.AT_RISK),
        ("16.01", Assessment.BEHIND),
    ],
)
def test_progress_at_most_with_baseline_at_mid_year(actual, expected):
    late_files = ind(comparator=Comparator.AT_MOST, target="10", baseline="20", unit="%")
    assert assess_progress(late_files, Decimal(actual), MID_YEAR, Y) == expected


def test_progress_without_a_value_is_no_data():
    assert assess_progress(ind(), None, MID_YEAR, Y) == Assessment.NO_DATA


# assess: final at the year's end, progress before ------------------------------------------------


def test_assess_switches_to_the_final_judgement_at_the_end_of_the_year():
    target_10 = ind(target="10")
    # Quý II (cut-off 14/06): 6 is ahead of the line (about 4.5 expected).
    assert assess(target_10, Decimal("6"), period_end=D(2026, 6, 14), year=Y) == Assessment.ON_TRACK
    assert assess(target_10, Decimal("6"), period_end=D(2026, 11, 30), year=Y) == Assessment.BEHIND
    # The year and Quý IV (cut-off 14/12) are judged against the target itself.
    assert assess(target_10, Decimal("6"), period_end=D(2026, 12, 14), year=Y) == Assessment.NOT_MET
    assert assess(target_10, Decimal("6"), period_end=D(2026, 12, 1), year=Y) == Assessment.NOT_MET
    assert assess(target_10, Decimal("10"), period_end=D(2026, 12, 14), year=Y) == Assessment.MET
    assert assess(target_10, Decimal("11"), period_end=D(2026, 12, 14), year=Y) == Assessment.EXCEEDED


# The desk on the seed ----------------------------------------------------------------------------


def period(plan, kind, number=1) -> Period:
    return Period.objects.get(plan=plan, kind=kind, number=number)


def figure(users, units, plan, per, code, username, unit_name, status, **data):
    """A unit's figure for one indicator, brought to `status` through the real services."""
    actor = users[username]
    m = measurement_services.measurement_open(
        actor=actor, indicator=Indicator.objects.get(plan=plan, code=code), period=per, unit=units[unit_name]
    )
    m = measurement_services.measurement_save(
        actor=actor, measurement=m, data={"source": "Sổ theo dõi", **data}, version=None
    )
    if status in (ReportStatus.SUBMITTED, ReportStatus.ACCEPTED, ReportStatus.RETURNED):
        m = measurement_services.measurement_submit(actor=actor, measurement=m)
    if status == ReportStatus.ACCEPTED:
        m = measurement_services.measurement_accept(actor=users["daumoi"], measurement=m)
    if status == ReportStatus.RETURNED:
        m = measurement_services.measurement_return(
            actor=users["daumoi"], measurement=m, reason="Kiểm tra lại"
        )
    return m


def rows_by_code(indicator_rows):
    return {row.indicator.code: row for row in indicator_rows}


def test_desk_combines_accepted_figures_and_assesses_them(habac, users, units):
    q2 = period(habac, PeriodKind.QUARTER, 2)
    A, S, N = ReportStatus.ACCEPTED, ReportStatus.SUBMITTED, ReportStatus.DRAFT
    figure(users, units, habac, q2, "CT01", "vhxh", VH_XH, A, value=Decimal("3"))
    figure(
        users, units, habac, q2, "CT03", "vhxh", VH_XH, A, numerator=Decimal("30"), denominator=Decimal("40")
    )
    vp_ct03 = figure(
        users,
        units,
        habac,
        q2,
        "CT03",
        "vanphong",
        "Văn phòng HĐND và UBND",
        S,
        numerator=Decimal("10"),
        denominator=Decimal("10"),
    )
    figure(users, units, habac, q2, "CT04", "vhxh", VH_XH, N, value=Decimal("50"))
    figure(users, units, habac, q2, "CT10", "kinhte", "Phòng KT", A, value=Decimal("1"))
    figure(users, units, habac, q2, "CT10", "vhxh", VH_XH, A, value=Decimal("1"))
    figure(users, units, habac, q2, "CT11", "kinhte", "Phòng KT", ReportStatus.RETURNED, value=Decimal("5"))

    _, indicator_rows = desk(habac, q2, today=D(2026, 6, 20))
    rows = rows_by_code(indicator_rows)
    assert len(rows) == 11
    # 3 sáng kiến by 14/06 against about 4.5 expected on the line to 10: more than a tenth behind.
    assert (rows["CT01"].value, rows["CT01"].assessment) == (Decimal("3"), Assessment.BEHIND)
    # Văn phòng's submitted figure is not counted until accepted.
    assert (rows["CT03"].value, rows["CT03"].assessment) == (Decimal("75.00"), Assessment.ON_TRACK)
    assert (rows["CT04"].value, rows["CT04"].assessment) == (None, Assessment.NO_DATA)
    assert (rows["CT10"].value, rows["CT10"].assessment) == (Decimal("2"), Assessment.ON_TRACK)
    assert (rows["CT11"].value, rows["CT11"].assessment) == (None, Assessment.NO_DATA)
    assert [(s.unit.name, s.role, s.state) for s in rows["CT03"].slots] == [
        ("Phòng Văn hóa - Xã hội", "chu_tri", ReportStatus.ACCEPTED),
        ("Văn phòng Hội đồng nhân dân và Ủy ban nhân dân", "phoi_hop", ReportStatus.SUBMITTED),
    ]
    assert [s.state for s in rows["CT05"].slots] == ["chua_lap"]

    measurement_services.measurement_accept(actor=users["daumoi"], measurement=vp_ct03)
    rows = rows_by_code(desk(habac, q2, today=D(2026, 6, 20))[1])
    assert rows["CT03"].value == Decimal("80.00")


def test_desk_judges_the_year_period_against_the_target(habac, users, units):
    year = period(habac, PeriodKind.YEAR)
    A = ReportStatus.ACCEPTED
    figure(users, units, habac, year, "CT01", "vhxh", VH_XH, A, value=Decimal("12"))
    figure(users, units, habac, year, "CT02", "vhxh", VH_XH, A, value=Decimal("1"))
    figure(
        users,
        units,
        habac,
        year,
        "CT03",
        "vhxh",
        VH_XH,
        A,
        numerator=Decimal("30"),
        denominator=Decimal("40"),
    )
    figure(
        users,
        units,
        habac,
        year,
        "CT03",
        "vanphong",
        "Văn phòng HĐND và UBND",
        A,
        numerator=Decimal("10"),
        denominator=Decimal("10"),
    )
    figure(users, units, habac, year, "CT10", "kinhte", "Phòng KT", A, value=Decimal("2"))
    rows = rows_by_code(desk(habac, year, today=D(2026, 12, 20))[1])
    assert (rows["CT01"].value, rows["CT01"].assessment) == (Decimal("12"), Assessment.EXCEEDED)
    assert rows["CT02"].assessment == Assessment.NOT_MET
    assert (rows["CT03"].value, rows["CT03"].assessment) == (Decimal("80.00"), Assessment.NOT_MET)
    assert (rows["CT10"].value, rows["CT10"].assessment) == (Decimal("2"), Assessment.MET)
    assert rows["CT04"].assessment == Assessment.NO_DATA


def test_desk_lists_the_tasks_that_owe_a_report_with_their_slots(habac, users, units):
    q2 = period(habac, PeriodKind.QUARTER, 2)
    task5 = tasks_with_units(Task.objects.filter(plan=habac, position=5)).get()
    progress_services.progress_report_open(
        actor=users["congan"], task=task5, period=q2, unit=units["Công an xã"]
    )
    task_rows, _ = desk(habac, q2, today=D(2026, 6, 20))
    # Tasks waiting on the city's plan (no date yet) owe nothing.
    assert [row.task.position for row in task_rows] == [4, 5, 6, 7, 8, 9]
    by_position = {row.task.position: row for row in task_rows}
    assert [(s.unit.short_name, s.role) for s in by_position[4].slots] == [
        ("Phòng VH-XH", "chu_tri"),
        ("TT DVSNC", "chu_tri"),
    ]
    # A unit that opened its part of an "all units" task gets its own slot.
    assert [(s.unit.short_name, s.role, s.state) for s in by_position[5].slots] == [
        ("Phòng VH-XH", "chu_tri", "chua_lap"),
        ("Công an xã", "phoi_hop", ReportStatus.DRAFT),
    ]


# selectors.missing -------------------------------------------------------------------------------


def summary(entries):
    return {
        entry["unit"].short_name: (
            sorted(task.position for task, _ in entry["tasks"]),
            sorted(indicator.code for indicator, _ in entry["indicators"]),
        )
        for entry in entries
    }


def test_missing_lists_each_unit_with_what_it_still_owes(habac):
    q2 = period(habac, PeriodKind.QUARTER, 2)
    entries = missing(habac, q2, today=D(2026, 6, 20))
    assert [e["unit"].short_name for e in entries] == [
        "Phòng VH-XH",
        "Văn phòng HĐND và UBND",
        "Phòng KT",
        "TT PVHCC",
        "TT DVSNC",
    ]
    assert summary(entries) == {
        "Phòng VH-XH": ([4, 5, 6, 7, 8, 9], ["CT01", "CT02", "CT03", "CT04", "CT10", "CT11"]),
        "Văn phòng HĐND và UBND": ([], ["CT03", "CT05", "CT06"]),
        "Phòng KT": ([], ["CT10", "CT11"]),
        "TT PVHCC": ([], ["CT07", "CT08", "CT09"]),
        "TT DVSNC": ([4], []),
    }


def test_submitted_items_disappear_from_missing(habac, users, units):
    q2 = period(habac, PeriodKind.QUARTER, 2)
    task4 = tasks_with_units(Task.objects.filter(plan=habac, position=4)).get()

    def send(username, unit_name):
        actor = users[username]
        report = progress_services.progress_report_open(
            actor=actor, task=task4, period=q2, unit=units[unit_name]
        )
        report = progress_services.progress_report_save(
            actor=actor, report=report, data={"results": "Đã đăng bài"}, version=None
        )
        return progress_services.progress_report_submit(actor=actor, report=report)

    # A draft is still missing.
    progress_services.progress_report_open(actor=users["vhxh"], task=task4, period=q2, unit=units[VH_XH])
    assert 4 in summary(missing(habac, q2, today=D(2026, 6, 20)))["Phòng VH-XH"][0]

    send("vhxh", VH_XH)
    dvsnc = send("dvsnc", "TT DVSNC")
    for code in ("CT03", "CT05", "CT06"):
        figure(
            users,
            units,
            habac,
            q2,
            code,
            "vanphong",
            "Văn phòng HĐND và UBND",
            ReportStatus.SUBMITTED,
            value=Decimal("90"),
        )
    figure(users, units, habac, q2, "CT01", "vhxh", VH_XH, ReportStatus.ACCEPTED, value=Decimal("2"))
    figure(users, units, habac, q2, "CT10", "kinhte", "Phòng KT", ReportStatus.RETURNED, value=Decimal("1"))

    result = summary(missing(habac, q2, today=D(2026, 6, 20)))
    assert result["Phòng VH-XH"] == ([5, 6, 7, 8, 9], ["CT02", "CT03", "CT04", "CT10", "CT11"])
    assert "TT DVSNC" not in result
    assert "Văn phòng HĐND và UBND" not in result
    # A returned figure is owed again.
    assert result["Phòng KT"] == ([], ["CT10", "CT11"])

    # Returning TT DVSNC's report puts it back on the list.
    progress_services.progress_report_return(actor=users["daumoi"], report=dvsnc, reason="Thiếu ảnh")
    assert summary(missing(habac, q2, today=D(2026, 6, 20)))["TT DVSNC"] == ([4], [])


def test_missing_is_per_period(habac, users, units):
    q2, q3 = period(habac, PeriodKind.QUARTER, 2), period(habac, PeriodKind.QUARTER, 3)
    figure(users, units, habac, q2, "CT07", "pvhcc", "TT PVHCC", ReportStatus.SUBMITTED, value=Decimal("95"))
    assert summary(missing(habac, q2, today=D(2026, 6, 20)))["TT PVHCC"] == ([], ["CT08", "CT09"])
    assert summary(missing(habac, q3, today=D(2026, 9, 20)))["TT PVHCC"] == ([], ["CT07", "CT08", "CT09"])
