"""Scenarios raise exactly one alert when their condition starts to hold and clear it when it stops."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from kehoach.operations.choices import AlertAction, AlertState, ScenarioKind, Severity
from kehoach.operations.facts import PlanFacts, facts_for
from kehoach.operations.models import Alert, Scenario
from kehoach.operations.services.alerts import alert_acknowledge, alert_resolve, alerts_evaluate
from kehoach.operations.services.scenarios import DEFAULTS, scenarios_install_missing
from kehoach.plans.choices import DeadlineKind, TaskUnitRole
from kehoach.plans.models import Plan, Task, TaskUnit
from kehoach.reports.models import Report, ReportState
from kehoach.tracking.choices import NotificationKind, ReportStatus
from kehoach.tracking.models import Notification
from kehoach.tracking.services.periods import periods_sync

D = datetime.date


def only(plan, kind: str, **fields) -> Scenario:
    """Keep one scenario of the plan's default set switched on, adjusted by `fields`."""
    scenarios_install_missing(plans=[plan])
    Scenario.objects.filter(plan=plan).exclude(kind=kind).update(enabled=False)
    scenario = Scenario.objects.get(plan=plan, kind=kind)
    for key, value in fields.items():
        setattr(scenario, key, value)
    scenario.save()
    return scenario


def active(plan):
    return list(Alert.objects.filter(plan=plan).active())


def run(plan, day):
    return alerts_evaluate(today=day, plans=[plan])


def test_every_issued_plan_gets_the_default_scenarios_once(plan):
    run(plan, D(2026, 1, 5))
    run(plan, D(2026, 1, 6))
    assert Scenario.objects.filter(plan=plan).count() == len(DEFAULTS)
    assert {s.kind for s in Scenario.objects.filter(plan=plan)} == set(ScenarioKind.values)


def test_overdue_task_raises_one_alert_the_day_after_its_deadline_and_clears_when_done(plan, make_task):
    only(plan, ScenarioKind.TASK_OVERDUE)
    task = make_task("Số hóa hồ sơ", due=D(2026, 6, 30))
    run(plan, D(2026, 6, 30))
    assert active(plan) == []
    run(plan, D(2026, 7, 1))
    run(plan, D(2026, 7, 2))
    alerts = active(plan)
    assert len(alerts) == 1
    alert = alerts[0]
    assert alert.task == task and alert.severity == Severity.RED
    assert alert.title.startswith("Quá hạn 2 ngày")  # the text follows the data, the alert stays one
    task.completed_on = D(2026, 7, 3)
    task.save()
    run(plan, D(2026, 7, 3))
    alert.refresh_from_db()
    assert alert.state == AlertState.RESOLVED and alert.resolved_by is None
    assert [e.action for e in alert.events.all()] == [AlertAction.RAISED, AlertAction.CLEARED]


def test_at_risk_window_edges(plan, make_task):
    only(plan, ScenarioKind.TASK_AT_RISK, days=30)
    make_task("Đúng 30 ngày", due=D(2026, 7, 31))
    make_task("Còn 31 ngày", due=D(2026, 8, 1))
    run(plan, D(2026, 7, 1))
    assert [a.task.title for a in active(plan)] == ["Đúng 30 ngày"]


def test_at_risk_when_progress_is_behind_the_straight_line_by_more_than_ten_points(
    plan, make_task, report, period_of
):
    only(plan, ScenarioKind.TASK_AT_RISK, days=30)
    q2 = period_of("quy", 2)  # cut-off 14/06: 165 of 364 days from 01/01 to 31/12 → expected 45 %
    on_edge = make_task("Chậm 10 điểm", due=D(2026, 12, 31))
    behind = make_task("Chậm 11 điểm", due=D(2026, 12, 31))
    report(on_edge, q2, 35)
    report(behind, q2, 34)
    run(plan, D(2026, 7, 1))
    assert [a.task for a in active(plan)] == [behind]
    assert "34%" in active(plan)[0].detail and "45%" in active(plan)[0].detail


def test_two_lead_units_count_as_the_least_advanced(plan, make_task, report, period_of):
    only(plan, ScenarioKind.TASK_AT_RISK, days=30)
    task = make_task("Hai đơn vị chủ trì", due=D(2026, 12, 31), leads=("Phòng VH-XH", "TT PVHCC"))
    report(task, period_of("quy", 2), 60)
    run(plan, D(2026, 7, 1))
    # Trung tâm PVHCC never reported: the task is at 0 %, far behind 45 %.
    assert [a.task for a in active(plan)] == [task]


def test_conditional_task_is_at_risk_while_its_lead_time_runs(plan, make_task, trigger):
    only(plan, ScenarioKind.TASK_AT_RISK, days=0)
    event = trigger(occurred=D(2026, 5, 1))
    make_task("Ban hành kế hoạch", due=D(2026, 5, 31), trigger=event, kind="conditional")
    run(plan, D(2026, 4, 30))
    assert active(plan) == []
    run(plan, D(2026, 5, 10))
    assert len(active(plan)) == 1 and "Thành phố ban hành Kế hoạch" in active(plan)[0].detail


def test_indicator_below_target_raises_and_clears(plan, make_indicator, figure, period_of):
    only(plan, ScenarioKind.INDICATOR_BELOW, use_forecast=False)
    indicator = make_indicator("CT05", target=90)
    low = figure(indicator, period_of("quy", 1), 70)
    run(plan, D(2026, 4, 1))
    assert [a.indicator for a in active(plan)] == [indicator]
    low.value = 92
    low.save()
    run(plan, D(2026, 4, 2))
    assert active(plan) == []


def test_year_end_forecast_below_target_raises_for_a_count(plan, make_indicator, figure, period_of):
    only(plan, ScenarioKind.INDICATOR_BELOW, use_forecast=True)
    indicator = make_indicator("CT01", target=10, unit="sáng kiến")
    figure(indicator, period_of("quy", 2), 2)  # 2 by mid-June → about 4 by December
    run(plan, D(2026, 7, 1))
    alerts = active(plan)
    assert len(alerts) == 1 and "dự báo cuối năm" in alerts[0].detail


def test_missing_figure_after_cut_off(plan, make_indicator, figure, period_of):
    only(plan, ScenarioKind.FIGURE_MISSING, days=5)
    indicator = make_indicator("CT03")
    q1 = period_of("quy", 1)  # cut-off 14/03
    run(plan, D(2026, 3, 19))
    assert active(plan) == []
    run(plan, D(2026, 3, 20))
    assert [(a.indicator, a.period) for a in active(plan)] == [(indicator, q1)]
    figure(indicator, q1, 95)
    run(plan, D(2026, 3, 21))
    assert active(plan) == []


def test_trigger_late(plan, make_task, trigger):
    only(plan, ScenarioKind.TRIGGER_LATE, days=30)
    event = trigger(expected=D(2026, 3, 31))
    make_task("Chờ thành phố", due=None, trigger=event, kind="conditional")
    run(plan, D(2026, 4, 30))
    assert active(plan) == []
    run(plan, D(2026, 5, 1))
    assert len(active(plan)) == 1
    event.occurred_on = D(2026, 5, 2)
    event.save()
    task = event.tasks.get()
    task.due_on = D(2026, 6, 1)
    task.save()
    run(plan, D(2026, 5, 3))
    assert active(plan) == []


def test_no_progress_for_two_periods(plan, make_task, report, period_of):
    only(plan, ScenarioKind.NO_PROGRESS, days=2)
    task = make_task("Duy trì ISO", due=D(2026, 12, 31), start=D(2026, 1, 1))
    run(plan, D(2026, 6, 19))  # Quý II still open for submission: only Quý I has passed
    assert active(plan) == []
    run(plan, D(2026, 6, 20))
    assert [a.task for a in active(plan)] == [task]
    report(task, period_of("quy", 2), 40, status=ReportStatus.SUBMITTED)
    run(plan, D(2026, 6, 21))
    assert active(plan) == []


def test_periodic_report_not_issued_by_its_deadline(plan, users):
    only(plan, ScenarioKind.REPORT_NOT_ISSUED, days=0)
    run(plan, D(2026, 3, 19))  # Quý I due 19/03
    assert active(plan) == []
    run(plan, D(2026, 3, 20))
    assert [a.period.label for a in active(plan)] == ["Quý I/2026"]
    Report.objects.create(
        plan=plan, period_kind="quy", period_number=1, state=ReportState.ISSUED, title="Báo cáo quý I"
    )
    run(plan, D(2026, 3, 21))
    assert active(plan) == []


def test_recipients_are_notified_once(plan, make_task, users):
    only(plan, ScenarioKind.TASK_OVERDUE)  # units, đầu mối and leaders
    make_task("Số hóa hồ sơ", due=D(2026, 6, 30))
    run(plan, D(2026, 7, 1))
    run(plan, D(2026, 7, 2))
    notified = set(
        Notification.objects.filter(kind=NotificationKind.ALERT).values_list("user__username", flat=True)
    )
    assert {"vhxh", "daumoi", "lanhdao"} <= notified
    assert "congan" not in notified
    assert Notification.objects.filter(kind=NotificationKind.ALERT, user=users["lanhdao"]).count() == 1


def test_escalation_when_nobody_acknowledges(plan, make_task, users):
    only(plan, ScenarioKind.TASK_AT_RISK, days=30, escalate_after_days=3, notify_leaders=False)
    make_task("Sắp đến hạn", due=D(2026, 7, 20))
    acknowledged = make_task("Đã có người nhận", due=D(2026, 7, 21))
    run(plan, D(2026, 7, 1))
    alert_acknowledge(actor=users["daumoi"], alert=Alert.objects.get(task=acknowledged), note="Đang xử lý")
    run(plan, D(2026, 7, 3))
    assert not Alert.objects.filter(escalated_at__isnull=False).exists()
    assert not Notification.objects.filter(user=users["lanhdao"]).exists()
    run(plan, D(2026, 7, 4))
    escalated = Alert.objects.get(escalated_at__isnull=False)
    assert escalated.task.title == "Sắp đến hạn" and escalated.severity == Severity.RED
    assert Notification.objects.filter(user=users["lanhdao"], title__startswith="Chuyển cấp").count() == 1
    run(plan, D(2026, 7, 5))
    assert Notification.objects.filter(user=users["lanhdao"]).count() == 1


def test_resolved_by_hand_is_not_raised_again_until_the_condition_clears(plan, make_task, users):
    only(plan, ScenarioKind.TASK_OVERDUE)
    task = make_task("Số hóa hồ sơ", due=D(2026, 6, 30))
    run(plan, D(2026, 7, 1))
    alert = active(plan)[0]
    with pytest.raises(ValidationError):
        alert_resolve(actor=users["daumoi"], alert=alert, note="  ")
    alert_resolve(actor=users["daumoi"], alert=alert, note="Đã họp với Phòng VH-XH, gia hạn miệng")
    run(plan, D(2026, 7, 2))
    assert active(plan) == []
    task.due_on = D(2026, 7, 31)  # the condition clears …
    task.save()
    run(plan, D(2026, 7, 3))
    run(plan, D(2026, 8, 1))  # … and comes back: a new alert
    assert len(active(plan)) == 1 and active(plan)[0].pk != alert.pk


def test_only_the_people_concerned_handle_an_alert(plan, make_task, users):
    only(plan, ScenarioKind.TASK_OVERDUE)
    make_task("Số hóa hồ sơ", due=D(2026, 6, 30))
    run(plan, D(2026, 7, 1))
    alert = active(plan)[0]
    for outsider in ("congan", "captren"):
        with pytest.raises(PermissionDenied):
            alert_acknowledge(actor=users[outsider], alert=alert)
    alert_acknowledge(actor=users["vhxh"], alert=alert, note="Phòng đang hoàn thiện")
    alert.refresh_from_db()
    assert alert.state == AlertState.ACKNOWLEDGED and alert.acknowledged_by == users["vhxh"]
    with pytest.raises(ValidationError):
        alert_acknowledge(actor=users["lanhdao"], alert=alert)
    alert_resolve(actor=users["lanhdao"], alert=alert, note="Đã chỉ đạo hoàn thành trong tuần")
    assert [e.action for e in alert.events.all()] == [
        AlertAction.RAISED,
        AlertAction.ACKNOWLEDGED,
        AlertAction.RESOLVED,
    ]


def test_a_second_active_alert_for_one_condition_is_impossible(plan, make_task):
    only(plan, ScenarioKind.TASK_OVERDUE)
    make_task("Số hóa hồ sơ", due=D(2026, 6, 30))
    run(plan, D(2026, 7, 1))
    alert = active(plan)[0]
    alert.pk = None
    with pytest.raises(IntegrityError), transaction.atomic():
        alert.save()


def test_a_change_to_the_plan_is_evaluated_after_commit(
    plan, users, units, django_capture_on_commit_callbacks
):
    from kehoach.plans.services.tasks import task_save

    only(plan, ScenarioKind.TASK_OVERDUE)
    past = datetime.date.today() - datetime.timedelta(days=3)
    with django_capture_on_commit_callbacks(execute=True):
        task = task_save(
            actor=users["daumoi"],
            plan=plan,
            data={
                "title": "Số hóa hồ sơ",
                "deadline_text": f"Trước ngày {past:%d/%m/%Y}",
                "deadline_kind": "date",
                "deadline_date": past,
            },
            lead_units=[units["Phòng VH-XH"]],
        )
    assert [a.task for a in active(plan)] == [task]


def _copy_plan(plan, units, number: str):
    """Another issued plan of the commune with the same shape: two tasks, one overdue, its periods."""

    other = Plan.objects.create(
        number=number,
        title=f"Kế hoạch {number}",
        year=plan.year,
        owner_unit=plan.owner_unit,
        lead_unit=plan.lead_unit,
        field=plan.field,
        status=plan.status,
    )
    periods_sync(plan=other)
    for title, due in (("Số hóa hồ sơ", D(2026, 3, 31)), ("Cập nhật cổng", D(2026, 12, 31))):
        task = Task.objects.create(
            plan=other, title=title, deadline_text="", deadline_kind=DeadlineKind.DATE, due_on=due
        )
        TaskUnit.objects.create(task=task, unit=units["Phòng VH-XH"], role=TaskUnitRole.LEAD, position=0)
    return other


def test_evaluation_reads_the_same_number_of_queries_for_one_plan_or_many(
    plan, units, django_assert_num_queries
):

    def steady_queries(plans) -> int:
        alerts_evaluate(today=D(2026, 7, 1), plans=plans)  # raises; the second run only reads
        with CaptureQueriesContext(connection) as ctx:
            alerts_evaluate(today=D(2026, 7, 1), plans=plans)
        return len(ctx.captured_queries)

    one = _copy_plan(plan, units, "1/KH-UBND")
    few = [one, *(_copy_plan(plan, units, f"{n}/KH-UBND") for n in range(2, 6))]
    assert steady_queries([one]) == steady_queries(few)
    assert Alert.objects.filter(plan__in=few).active().count() >= len(few)  # each plan's overdue task


def test_facts_loaded_together_equal_facts_loaded_alone(plan, units):

    plans = [_copy_plan(plan, units, f"{n}/KH-UBND") for n in range(1, 4)]
    day = D(2026, 7, 1)
    together = facts_for(plans, day)
    for p in plans:
        alone = PlanFacts(p, day)
        assert [t.pk for t in together[p.pk].overdue] == [t.pk for t in alone.overdue]
        assert [r.task.pk for r in together[p.pk].at_risk] == [r.task.pk for r in alone.at_risk]
        assert together[p.pk].status_counts == alone.status_counts
        assert [x.pk for x in together[p.pk].periods] == [x.pk for x in alone.periods]
        assert together[p.pk].current_period == alone.current_period
