"""The demo's story: loaded on a given day, the first screens show the plan at work, not an empty plan.

Each test loads the demo once (a few seconds: some hundred service calls), so the checks of one day
live together in one test.
"""

import datetime
from collections import Counter

import pytest

from kehoach.core.models import AuditEntry
from kehoach.demo.services import load_habac
from kehoach.documents.models import OutgoingDocument
from kehoach.plans.choices import DeadlineKind, TaskStatus
from kehoach.plans.models import Plan, Task, Trigger
from kehoach.registers.models import Initiative, Official, ProcedureMonth, TraceableProduct
from kehoach.reports.models import Report, ReportState
from kehoach.tracking.choices import Assessment, PeriodKind, ReporterRole, ReportStatus
from kehoach.tracking.models import Evidence, Measurement, Period, ProgressReport
from kehoach.tracking.selectors import indicator_rows, latest_progress, missing

BEHIND = {Assessment.BEHIND, Assessment.NOT_MET}
GOOD = {Assessment.ON_TRACK, Assessment.MET, Assessment.EXCEEDED}


@pytest.fixture
def load_on(db, monkeypatch, settings, tmp_path):
    """load_on(day) → the demo plan loaded with `day` as today (evidence files under a temporary folder)."""
    settings.MEDIA_ROOT = tmp_path / "media"

    def load(day: datetime.date) -> Plan:
        monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: day)
        plan, created = load_habac()
        assert created
        return plan

    return load


def elapsed_share(day: datetime.date) -> float:
    start, end = datetime.date(day.year, 1, 1), datetime.date(day.year, 12, 31)
    return 100 * (day - start).days / (end - start).days


def assert_tasks(plan: Plan, today: datetime.date) -> None:
    tasks = list(Task.objects.filter(plan=plan).order_by("position"))
    statuses = {t.position: t.status(today) for t in tasks}
    assert TaskStatus.OVERDUE in statuses.values()
    assert TaskStatus.DONE_ON_TIME in statuses.values()

    # The city's plan arrived about 75 days ago; the tasks waiting on it fell due about 45 days ago.
    trigger = Trigger.objects.get(plan=plan)
    assert trigger.occurred_on == today - datetime.timedelta(days=75)
    assert trigger.document_number == "215/KH-UBND"
    waiting = [t for t in tasks if t.deadline_kind == DeadlineKind.CONDITIONAL]
    assert {t.due_on for t in waiting} == {today - datetime.timedelta(days=45)}
    first, second, third = waiting
    assert statuses[first.position] == TaskStatus.DONE_ON_TIME
    assert first.completed_on <= first.due_on
    assert statuses[second.position] == TaskStatus.OVERDUE
    assert latest_progress(second).percent_complete == 60
    # Two lead units: one delivered and was accepted, the other has not, so the task stays open.
    delivered = ProgressReport.objects.filter(
        task=third, role=ReporterRole.LEAD, status=ReportStatus.ACCEPTED, output_delivered=True
    )
    assert [r.unit.name for r in delivered] == ["Phòng Văn hóa - Xã hội"]
    assert delivered.get().evidence.filter(is_output=True, content_type="application/pdf").exists()
    assert not ProgressReport.objects.filter(
        task=third, unit__name="Trung tâm Phục vụ Hành chính công", output_delivered=True
    ).exists()
    assert third.completed_on is None and statuses[third.position] == TaskStatus.OVERDUE

    # At risk: open, due within 60 days, its latest accepted progress well behind the year's straight line.
    at_risk = [
        t
        for t in tasks
        if statuses[t.position] == TaskStatus.ON_TRACK
        and (t.due_on - today).days <= 60
        and (progress := latest_progress(t)) is not None
        and progress.percent_complete < elapsed_share(today) - 20
    ]
    assert [t.position for t in at_risk] and 9 in [t.position for t in at_risk]
    continuous = [t for t in tasks if t.deadline_kind == DeadlineKind.CONTINUOUS]
    assert sum(70 <= latest_progress(t).percent_complete <= 80 for t in continuous) >= 3

    budgets = [t for t in tasks if t.budget_amount]
    assert len(budgets) >= 3 and all(t.budget_source for t in budgets)


def assert_periods(plan: Plan, today: datetime.date) -> Period:
    past = list(Period.objects.filter(plan=plan, ends_on__lt=today).order_by("ends_on", "-starts_on"))
    assert [p.label for p in past] == ["Quý I/2026", "Quý II/2026", "6 tháng đầu năm 2026", "Quý III/2026"]
    for period in past:
        accepted = ProgressReport.objects.filter(period=period, status=ReportStatus.ACCEPTED)
        assert accepted.filter(role=ReporterRole.LEAD).count() >= 5, period.label
        assert accepted.filter(role=ReporterRole.COORDINATE).exists(), period.label
    latest = past[-1]

    returned = ProgressReport.objects.filter(status=ReportStatus.RETURNED)
    assert returned.exists()
    assert all(r.return_reason.startswith("Chưa đính kèm minh chứng") for r in returned)
    assert ProgressReport.objects.filter(period=latest, status=ReportStatus.SUBMITTED).exists()

    # One unit has sent nothing for the latest cut-off: it shows among those that have not sent.
    silent = [
        row["unit"].name
        for row in missing(plan, latest, today=today)
        if not ProgressReport.objects.filter(period=latest, unit=row["unit"]).exists()
    ]
    assert silent == ["Trung tâm Dịch vụ sự nghiệp công"]
    return latest


def assert_indicators(plan: Plan, latest: Period) -> None:
    quarters = Period.objects.filter(plan=plan, kind=PeriodKind.QUARTER, ends_on__lte=latest.ends_on)
    with_values: Counter = Counter()
    for period in quarters:
        for row in indicator_rows(plan, period):
            if row.value is not None:
                with_values[row.indicator.code] += 1
    assert len(with_values) == 11 and min(with_values.values()) >= 3, with_values

    assessed = {row.indicator.code: row.assessment for row in indicator_rows(plan, latest)}
    assert assessed["CT01"] in BEHIND  # 3 of 10 initiatives by the third quarter
    assert Assessment.AT_RISK in assessed.values()
    assert sum(a in GOOD for a in assessed.values()) >= 5
    assert not Measurement.objects.filter(period=latest, is_computed=False).exists()


def assert_periodic_reports(plan: Plan, latest: Period) -> None:
    """Every period past its cut-off has its report issued, numbered in the order of the dates."""
    issued = list(Report.objects.filter(state=ReportState.ISSUED).order_by("document__number"))
    past = Period.objects.filter(plan=plan, ends_on__lte=latest.ends_on).exclude(kind=PeriodKind.YEAR)
    assert {(r.period_kind, r.period_number) for r in issued} == {(p.kind, p.number) for p in past}
    assert [r.document.issued_on for r in issued] == sorted(r.document.issued_on for r in issued)
    assert all(r.document.number_symbol.endswith("/BC-UBND") for r in issued)
    assert {r.issued_by.username for r in issued} == {"lanhdao"}
    last = issued[-1]
    assert (last.period_kind, last.period_number) == (PeriodKind.QUARTER, latest.number)
    assert latest.ends_on < last.document.issued_on
    assert "Số lượng sáng kiến" in last.shortcomings
    assert Report.objects.filter(state=ReportState.DRAFT, period_number=latest.number + 1).exists()


def fingerprint() -> dict[str, int]:
    models = (
        Plan,
        Task,
        Trigger,
        ProgressReport,
        Evidence,
        Measurement,
        Report,
        OutgoingDocument,
        AuditEntry,
        Initiative,
        Official,
        ProcedureMonth,
        TraceableProduct,
    )
    return {model.__name__: model.objects.count() for model in models}


@pytest.mark.parametrize("today", [datetime.date(2026, 12, 6), datetime.date(2026, 11, 10)])
def test_the_demo_tells_the_year_up_to_today(load_on, today):
    # On 10/11 the city's plan came before the third quarter's cut-off, so its tasks report in two quarters.
    plan = load_on(today)
    assert_tasks(plan, today)
    latest = assert_periods(plan, today)
    assert_indicators(plan, latest)
    assert_periodic_reports(plan, latest)
    assert Evidence.objects.filter(is_output=True).count() >= 2

    before = fingerprint()
    again, created = load_habac()
    assert (again, created) == (plan, False)
    assert fingerprint() == before


def test_early_in_the_year_the_tasks_still_wait_for_the_city(load_on):
    today = datetime.date(2026, 4, 20)
    plan = load_on(today)
    assert Trigger.objects.get(plan=plan).occurred_on is None
    assert not ProgressReport.objects.filter(task__deadline_kind=DeadlineKind.CONDITIONAL).exists()
    reported = set(ProgressReport.objects.values_list("period__kind", "period__number"))
    assert reported == {(PeriodKind.QUARTER, 1)}
    issued = Report.objects.get(state=ReportState.ISSUED)
    assert issued.period_number == 1 and issued.document.issued_on <= today
    assert not Initiative.objects.filter(decision_date__gt=today).exists()


def test_plans_loaded_for_hand_entered_figures_stay_empty(habac):
    assert not ProgressReport.objects.exists()
    assert not Report.objects.exists()
    assert Trigger.objects.get(plan=habac).occurred_on is None
