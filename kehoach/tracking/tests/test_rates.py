"""Plan-level figures (plans.status.plan_rates):

done of total             = the headline, "x/y nhiệm vụ đã hoàn thành";
overdue                   = open tasks past their deadline;
on-time rate              = completed on time ÷ tasks due (deadline come, or done);
reporting completion rate = completed ÷ (completed + overdue unfinished), the government reporting formula.

Tasks are built with their dates set directly, so every number below is exact.
"""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from kehoach.plans.choices import DeadlineKind, TaskStatus
from kehoach.plans.models import Task
from kehoach.plans.status import plan_rates
from kehoach.tracking.choices import PeriodKind
from kehoach.tracking.models import Period
from kehoach.tracking.services import progress as progress_services
from kehoach.tracking.services.evidence import evidence_add

D = datetime.date
DAY = datetime.timedelta(days=1)
TODAY = D(2026, 6, 30)


@pytest.fixture
def plan(other_city):
    return other_city["plan"]


def make(plan, name, *, due_on=None, completed_on=None, starts_on=None, kind=DeadlineKind.DATE) -> Task:
    return Task.objects.create(
        plan=plan,
        title=name,
        deadline_text=due_on.strftime("%d/%m/%Y") if due_on else "Sau khi Thành phố ban hành Kế hoạch",
        deadline_kind=kind,
        deadline_date=due_on if kind == DeadlineKind.DATE else None,
        starts_on=starts_on,
        due_on=due_on,
        completed_on=completed_on,
    )


@pytest.fixture
def mixed(plan):
    """Nine tasks, one or more of every status on 30/06/2026."""
    make(plan, "A done on time", due_on=D(2026, 3, 31), completed_on=D(2026, 3, 20))
    make(plan, "B done late", due_on=D(2026, 3, 31), completed_on=D(2026, 4, 10))
    make(plan, "C done early, deadline still ahead", due_on=D(2026, 12, 31), completed_on=D(2026, 5, 1))
    make(plan, "D overdue", due_on=D(2026, 4, 30))
    make(plan, "E overdue", due_on=D(2026, 6, 29))
    make(plan, "F running", due_on=D(2026, 12, 31))
    make(plan, "G waiting for the city", kind=DeadlineKind.CONDITIONAL)
    make(plan, "H due today", due_on=TODAY)
    make(plan, "I not started", starts_on=D(2026, 7, 1), due_on=D(2026, 9, 30))
    return Task.objects.filter(plan=plan)


def test_rates_of_a_mixed_plan(mixed):
    rates = plan_rates(mixed, TODAY)
    assert rates["total"] == 9
    assert rates["counts"] == {
        TaskStatus.DONE_ON_TIME: 2,
        TaskStatus.DONE_LATE: 1,
        TaskStatus.OVERDUE: 2,
        TaskStatus.ON_TRACK: 2,
        TaskStatus.WAITING: 1,
        TaskStatus.NOT_STARTED: 1,
    }
    assert (rates["done"], rates["done_on_time"], rates["overdue"], rates["due"]) == (3, 2, 2, 6)
    # 3 done ÷ (3 done + 2 overdue)
    assert rates["reporting_completion_rate"] == 60.0
    # 2 on time ÷ 6 due (A, B, C done; D, E overdue; H due today)
    assert rates["on_time_rate"] == 33.3


def test_rates_move_with_today(mixed):
    # On 01/07 H is overdue too: 3 ÷ (3 + 3) and 2 ÷ 6.
    rates = plan_rates(mixed, TODAY + DAY)
    assert rates["counts"][TaskStatus.OVERDUE] == 3
    assert rates["reporting_completion_rate"] == 50.0
    assert rates["on_time_rate"] == 33.3


def test_all_done_on_time(plan):
    make(plan, "A", due_on=D(2026, 3, 31), completed_on=D(2026, 3, 31))
    make(plan, "B", due_on=D(2026, 5, 31), completed_on=D(2026, 5, 1))
    rates = plan_rates(Task.objects.filter(plan=plan), TODAY)
    assert (rates["reporting_completion_rate"], rates["on_time_rate"]) == (100.0, 100.0)


def test_all_late(plan):
    make(plan, "A", due_on=D(2026, 3, 31), completed_on=D(2026, 4, 1))
    make(plan, "B", due_on=D(2026, 3, 31))
    make(plan, "C", due_on=D(2026, 3, 31))
    rates = plan_rates(Task.objects.filter(plan=plan), TODAY)
    assert rates["reporting_completion_rate"] == 33.3
    assert rates["on_time_rate"] == 0.0


def test_nothing_due_yet_gives_no_rates(plan):
    make(plan, "F running", due_on=D(2026, 12, 31))
    make(plan, "G waiting", kind=DeadlineKind.CONDITIONAL)
    make(plan, "I not started", starts_on=D(2026, 7, 1), due_on=D(2026, 9, 30))
    rates = plan_rates(Task.objects.filter(plan=plan), TODAY)
    assert rates["total"] == 3
    assert rates["done"] == 0
    assert rates["reporting_completion_rate"] is None
    assert rates["on_time_rate"] is None


def test_an_empty_plan_gives_no_rates(plan):
    rates = plan_rates(Task.objects.filter(plan=plan), TODAY)
    assert rates["total"] == 0
    assert rates["reporting_completion_rate"] is None
    assert rates["on_time_rate"] is None


def test_only_overdue_gives_zero_not_none(plan):
    make(plan, "D overdue", due_on=D(2026, 4, 30))
    rates = plan_rates(Task.objects.filter(plan=plan), TODAY)
    assert (rates["reporting_completion_rate"], rates["on_time_rate"]) == (0.0, 0.0)


def test_a_task_done_without_a_deadline_is_on_time(plan):
    make(plan, "Conditional task done", kind=DeadlineKind.CONDITIONAL, completed_on=D(2026, 5, 5))
    rates = plan_rates(Task.objects.filter(plan=plan), TODAY)
    assert rates["counts"][TaskStatus.DONE_ON_TIME] == 1
    assert (rates["reporting_completion_rate"], rates["on_time_rate"]) == (100.0, 100.0)


@pytest.fixture
def one_of_nine(plan):
    """The case that misled: one task done on time, eight open and none of them overdue yet."""
    make(plan, "A done on time", due_on=D(2026, 3, 31), completed_on=D(2026, 3, 20))
    for n in range(8):
        make(plan, f"Open {n}", due_on=D(2026, 12, 31))
    return Task.objects.filter(plan=plan)


def test_one_done_of_nine_is_one_of_nine_not_one_hundred_percent(one_of_nine):
    rates = plan_rates(one_of_nine, TODAY)
    assert f"{rates['done']}/{rates['total']}" == "1/9"
    assert rates["overdue"] == 0
    # Both ratios only look at tasks already due, so they are 100% here: neither may stand as the headline.
    assert (rates["on_time_rate"], rates["reporting_completion_rate"]) == (100.0, 100.0)
    assert rates["definitions"]["on_time_rate"] == (
        "Tỷ lệ đúng hạn: số nhiệm vụ hoàn thành đúng hạn ÷ số nhiệm vụ đã đến hạn hoặc đã hoàn thành."
    )
    assert rates["definitions"]["reporting_completion_rate"].startswith(
        "Tỷ lệ hoàn thành theo cách tính báo cáo: số nhiệm vụ đã hoàn thành ÷ (số nhiệm vụ đã hoàn thành"
    )
    assert set(rates["definitions"]) == {"done", "overdue", "on_time_rate", "reporting_completion_rate"}


def test_overdue_counts_open_tasks_past_their_deadline(one_of_nine):
    Task.objects.filter(title__in=["Open 0", "Open 1"]).update(due_on=D(2026, 6, 1))
    Task.objects.filter(title="Open 2").update(due_on=TODAY)  # due today: not overdue yet
    rates = plan_rates(one_of_nine, TODAY)
    assert (rates["done"], rates["total"], rates["overdue"], rates["due"]) == (1, 9, 2, 4)
    assert rates["on_time_rate"] == 25.0  # 1 on time ÷ 4 due (A, Open 0, Open 1, Open 2)
    assert rates["reporting_completion_rate"] == 33.3  # 1 ÷ (1 + 2)


def test_rates_are_one_query(one_of_nine, django_assert_num_queries):
    with django_assert_num_queries(1):
        plan_rates(one_of_nine, TODAY)


def test_rates_follow_an_accepted_report(habac, users, units, settings, tmp_path):
    """End to end on the seed: the plan's figures move once every lead of task 4 (Phòng VH-XH and TT
    DVSNC) has an accepted report with output evidence, not before."""
    settings.MEDIA_ROOT = tmp_path / "media"
    today = timezone.localdate()
    tasks = Task.objects.filter(plan=habac)
    before = plan_rates(tasks, today)

    task = Task.objects.get(plan=habac, position=4)
    Task.objects.filter(pk=task.pk).update(due_on=today + 10 * DAY)
    period = Period.objects.get(plan=habac, kind=PeriodKind.QUARTER, number=2)

    def accept_output(username, unit_name):
        actor = users[username]
        report = progress_services.progress_report_open(
            actor=actor, task=task, period=period, unit=units[unit_name]
        )
        evidence_add(
            actor=actor,
            upload=SimpleUploadedFile("bai.pdf", b"%PDF-1.4\n%%EOF\n"),
            report=report,
            is_output=True,
        )
        report = progress_services.progress_report_save(
            actor=actor,
            report=report,
            data={
                "results": "Đã đăng bài",
                "percent_complete": 100,
                "output_delivered": True,
                "completed_on": today,
            },
            version=None,
        )
        report = progress_services.progress_report_submit(actor=actor, report=report)
        assert plan_rates(tasks, today)["done"] == before["done"]
        progress_services.progress_report_accept(actor=users["daumoi"], report=report)

    accept_output("vhxh", "Phòng VH-XH")
    assert plan_rates(tasks, today)["done"] == before["done"], "one lead of two has not finished the task"
    accept_output("dvsnc", "TT DVSNC")

    after = plan_rates(tasks, today)
    assert after["done"] == before["done"] + 1
    assert after["counts"][TaskStatus.DONE_ON_TIME] == before["counts"][TaskStatus.DONE_ON_TIME] + 1
