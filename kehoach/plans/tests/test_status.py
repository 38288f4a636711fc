"""Task status: the Python rule, its boundaries, and the SQL version agreeing with it on every case."""

import datetime
import itertools
from collections import Counter

import pytest
from django.utils import timezone

from kehoach.plans.choices import DeadlineKind, TaskStatus
from kehoach.plans.models import Task
from kehoach.plans.status import (
    DONE_STATUSES,
    STATUS_BADGES,
    StatusInput,
    compute_status,
    status_case,
    status_q,
    task_status,
)

D = datetime.date
DAY = datetime.timedelta(days=1)
TODAY = D(2026, 6, 15)


def status(kind=DeadlineKind.DATE, starts_on=None, due_on=None, completed_on=None, today=TODAY):
    return compute_status(StatusInput(kind, starts_on, due_on, completed_on), today)


# compute_status -----------------------------------------------------------------------------------


def test_due_today_is_on_track():
    assert status(due_on=TODAY) == TaskStatus.ON_TRACK


def test_due_tomorrow_is_on_track():
    assert status(due_on=TODAY + DAY) == TaskStatus.ON_TRACK


def test_due_yesterday_is_overdue():
    assert status(due_on=TODAY - DAY) == TaskStatus.OVERDUE


def test_completed_exactly_on_due_date_is_done_on_time():
    assert status(due_on=TODAY - 5 * DAY, completed_on=TODAY - 5 * DAY) == TaskStatus.DONE_ON_TIME


def test_completed_before_due_date_is_done_on_time():
    assert status(due_on=TODAY + 10 * DAY, completed_on=TODAY) == TaskStatus.DONE_ON_TIME


def test_completed_one_day_late_is_done_late():
    assert status(due_on=TODAY - 5 * DAY, completed_on=TODAY - 4 * DAY) == TaskStatus.DONE_LATE


def test_completed_without_due_date_is_done_on_time():
    assert status(kind=DeadlineKind.CONDITIONAL, completed_on=TODAY) == TaskStatus.DONE_ON_TIME


def test_completion_wins_over_not_started_and_waiting():
    assert (
        status(starts_on=TODAY + DAY, due_on=TODAY + 9 * DAY, completed_on=TODAY) == TaskStatus.DONE_ON_TIME
    )
    assert status(kind=DeadlineKind.CONDITIONAL, due_on=None, completed_on=TODAY) == TaskStatus.DONE_ON_TIME


def test_conditional_without_due_date_is_waiting_never_overdue():
    assert status(kind=DeadlineKind.CONDITIONAL) == TaskStatus.WAITING
    # Waiting wins even if a start date was set.
    assert status(kind=DeadlineKind.CONDITIONAL, starts_on=TODAY - 100 * DAY) == TaskStatus.WAITING
    assert status(kind=DeadlineKind.CONDITIONAL, starts_on=TODAY + DAY) == TaskStatus.WAITING


def test_conditional_with_due_date_behaves_like_a_dated_task():
    assert status(kind=DeadlineKind.CONDITIONAL, starts_on=TODAY - DAY, due_on=TODAY) == TaskStatus.ON_TRACK
    assert status(kind=DeadlineKind.CONDITIONAL, starts_on=TODAY - 40 * DAY, due_on=TODAY - DAY) == (
        TaskStatus.OVERDUE
    )
    assert status(kind=DeadlineKind.CONDITIONAL, starts_on=TODAY + DAY, due_on=TODAY + 31 * DAY) == (
        TaskStatus.NOT_STARTED
    )


def test_starts_tomorrow_is_not_started():
    assert (
        status(kind=DeadlineKind.PERIOD, starts_on=TODAY + DAY, due_on=TODAY + 90 * DAY)
        == TaskStatus.NOT_STARTED
    )


def test_starts_today_is_on_track():
    assert status(kind=DeadlineKind.PERIOD, starts_on=TODAY, due_on=TODAY + 90 * DAY) == TaskStatus.ON_TRACK


def test_non_conditional_without_due_date_is_on_track():
    assert status(kind=DeadlineKind.CONTINUOUS, starts_on=None, due_on=None) == TaskStatus.ON_TRACK


def test_continuous_task_after_year_end_is_overdue():
    assert (
        status(
            kind=DeadlineKind.CONTINUOUS, starts_on=D(2026, 1, 1), due_on=D(2026, 12, 31), today=D(2027, 1, 1)
        )
        == TaskStatus.OVERDUE
    )


def test_status_labels_and_badges_cover_every_status():
    assert set(STATUS_BADGES) == set(TaskStatus)
    assert set(DONE_STATUSES) == {TaskStatus.DONE_ON_TIME, TaskStatus.DONE_LATE}
    assert TaskStatus.WAITING.label == "Chờ điều kiện"
    assert TaskStatus.OVERDUE.label == "Đang thực hiện (quá hạn)"


def test_task_status_defaults_to_local_today():
    today = timezone.localdate()
    task = Task(deadline_kind=DeadlineKind.DATE, due_on=today)
    assert task_status(task) == TaskStatus.ON_TRACK
    assert task.status() == TaskStatus.ON_TRACK
    task.due_on = today - DAY
    assert task.status() == TaskStatus.OVERDUE
    assert task.status(today=today - 2 * DAY) == TaskStatus.ON_TRACK


# Python and SQL agree ------------------------------------------------------------------------------

STARTS = {"none": None, "past": TODAY - 30 * DAY, "future": TODAY + 30 * DAY}
DUES = {"none": None, "past": TODAY - 10 * DAY, "today": TODAY, "future": TODAY + 10 * DAY}
COMPLETIONS = ("none", "before", "on", "after")


def _completed_on(mode: str, due: datetime.date | None) -> datetime.date | None:
    reference = due or TODAY
    return {"none": None, "before": reference - DAY, "on": reference, "after": reference + DAY}[mode]


@pytest.fixture
def task_matrix(habac):
    """Every kind × starts_on × due_on × completed_on, stored as Task rows of the Hà Bắc plan."""
    rows = []
    for kind, (s_name, starts), (d_name, due), c_mode in itertools.product(
        DeadlineKind, STARTS.items(), DUES.items(), COMPLETIONS
    ):
        rows.append(
            Task(
                plan=habac,
                title=f"matrix {kind.value} start={s_name} due={d_name} done={c_mode}",
                deadline_text="matrix",
                deadline_kind=kind,
                starts_on=starts,
                due_on=due,
                completed_on=_completed_on(c_mode, due),
            )
        )
    Task.objects.bulk_create(rows)
    tasks = list(Task.objects.filter(plan=habac, title__startswith="matrix "))
    assert len(tasks) == len(DeadlineKind) * len(STARTS) * len(DUES) * len(COMPLETIONS)
    return tasks


@pytest.mark.parametrize("today", [TODAY - DAY, TODAY, TODAY + DAY], ids=["yesterday", "today", "tomorrow"])
def test_status_q_matches_compute_status_for_every_status(task_matrix, today):
    expected = {s: set() for s in TaskStatus}
    for task in task_matrix:
        expected[task_status(task, today)].add(task.pk)
    matrix = Task.objects.filter(pk__in=[t.pk for t in task_matrix])
    for s in TaskStatus:
        got = set(matrix.filter(status_q(s, today)).values_list("pk", flat=True))
        titles = {t.pk: t.title for t in task_matrix}
        assert got == expected[s], (
            f"{s}: only in SQL {sorted(titles[p] for p in got - expected[s])}, "
            f"only in Python {sorted(titles[p] for p in expected[s] - got)}"
        )
    # Every status occurs in the matrix, so the check above is not vacuous.
    assert all(expected[s] for s in TaskStatus), {s: len(v) for s, v in expected.items()}


@pytest.mark.parametrize("today", [TODAY - DAY, TODAY, TODAY + DAY], ids=["yesterday", "today", "tomorrow"])
def test_status_q_partitions_the_tasks(task_matrix, today):
    matrix = Task.objects.filter(pk__in=[t.pk for t in task_matrix])
    counts = Counter()
    for s in TaskStatus:
        for pk in matrix.filter(status_q(s, today)).values_list("pk", flat=True):
            counts[pk] += 1
    assert set(counts) == {t.pk for t in task_matrix}
    assert set(counts.values()) == {1}


@pytest.mark.parametrize("today", [TODAY - DAY, TODAY, TODAY + DAY], ids=["yesterday", "today", "tomorrow"])
def test_status_case_annotation_matches_compute_status(task_matrix, today):
    annotated = dict(
        Task.objects.filter(pk__in=[t.pk for t in task_matrix])
        .annotate(st=status_case(today))
        .values_list("pk", "st")
    )
    mismatches = [
        (t.title, annotated[t.pk], task_status(t, today).value)
        for t in task_matrix
        if annotated[t.pk] != task_status(t, today).value
    ]
    assert not mismatches


def test_status_case_counts_group_in_the_database(task_matrix):
    from django.db.models import Count

    rows = (
        Task.objects.filter(pk__in=[t.pk for t in task_matrix])
        .annotate(st=status_case(TODAY))
        .values("st")
        .annotate(n=Count("pk"))
        .order_by()
    )
    in_sql = {row["st"]: row["n"] for row in rows}
    in_python = Counter(task_status(t, TODAY).value for t in task_matrix)
    assert in_sql == dict(in_python)


def test_status_q_accepts_plain_string_values(task_matrix):
    by_value = set(Task.objects.filter(status_q("cho_dieu_kien", TODAY)).values_list("pk", flat=True))
    by_enum = set(Task.objects.filter(status_q(TaskStatus.WAITING, TODAY)).values_list("pk", flat=True))
    assert by_value == by_enum
    assert by_value
