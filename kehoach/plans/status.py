"""Task status, derived from dates and never stored: the one definition, in Python and as a query.

`task_status` decides for one task; `status_q` gives the same decision as a database filter, so
lists filter and dashboards count in SQL. A test checks the two agree on every case.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Case, CharField, F, Q, Value, When
from django.utils import timezone

from .choices import DeadlineKind, TaskStatus


@dataclass(frozen=True)
class StatusInput:
    kind: str
    starts_on: datetime.date | None
    due_on: datetime.date | None
    completed_on: datetime.date | None


def compute_status(task: StatusInput, today: datetime.date) -> TaskStatus:
    if task.completed_on is not None:
        if task.due_on is None or task.completed_on <= task.due_on:
            return TaskStatus.DONE_ON_TIME
        return TaskStatus.DONE_LATE
    if task.kind == DeadlineKind.CONDITIONAL and task.due_on is None:
        return TaskStatus.WAITING
    if task.starts_on is not None and today < task.starts_on:
        return TaskStatus.NOT_STARTED
    if task.due_on is None or today <= task.due_on:
        return TaskStatus.ON_TRACK
    return TaskStatus.OVERDUE


def task_status(task, today: datetime.date | None = None) -> TaskStatus:
    return compute_status(
        StatusInput(task.deadline_kind, task.starts_on, task.due_on, task.completed_on),
        today or timezone.localdate(),
    )


def status_q(status: str, today: datetime.date) -> Q:
    done = Q(completed_on__isnull=False)
    open_ = Q(completed_on__isnull=True)
    waiting = open_ & Q(deadline_kind=DeadlineKind.CONDITIONAL, due_on__isnull=True)
    not_started = open_ & ~waiting & Q(starts_on__gt=today)
    running = open_ & ~waiting & ~Q(starts_on__gt=today)
    conditions = {
        TaskStatus.DONE_ON_TIME: done & (Q(due_on__isnull=True) | Q(completed_on__lte=F("due_on"))),
        TaskStatus.DONE_LATE: done & Q(completed_on__gt=F("due_on")),
        TaskStatus.WAITING: waiting,
        TaskStatus.NOT_STARTED: not_started,
        TaskStatus.ON_TRACK: running & (Q(due_on__isnull=True) | Q(due_on__gte=today)),
        TaskStatus.OVERDUE: running & Q(due_on__lt=today),
    }
    return conditions[TaskStatus(status)]


def status_case(today: datetime.date) -> Case:
    """The status as an annotation, for ordering and grouped counts in the database."""
    return Case(
        *(When(status_q(s, today), then=Value(s.value)) for s in TaskStatus),
        output_field=CharField(),
    )


DONE_STATUSES = frozenset({TaskStatus.DONE_ON_TIME, TaskStatus.DONE_LATE})

STATUS_BADGES = {
    TaskStatus.NOT_STARTED: "secondary",
    TaskStatus.WAITING: "info",
    TaskStatus.ON_TRACK: "primary",
    TaskStatus.OVERDUE: "danger",
    TaskStatus.DONE_ON_TIME: "success",
    TaskStatus.DONE_LATE: "warning",
}


# What each plan figure means, shown next to it wherever it appears (pages, reports, API). The
# reporting formula ignores tasks not yet due, so on its own it reads "100%" while most work is open:
# it is kept for the reports that ask for it, never shown alone as the plan's headline.
RATE_DEFINITIONS = {
    "done": "Số nhiệm vụ đã hoàn thành (đúng hạn hoặc trễ hạn) trên tổng số nhiệm vụ của kế hoạch.",
    "overdue": "Số nhiệm vụ đã quá hạn hoàn thành mà chưa hoàn thành.",
    "on_time_rate": (
        "Tỷ lệ đúng hạn: số nhiệm vụ hoàn thành đúng hạn ÷ số nhiệm vụ đã đến hạn hoặc đã hoàn thành."
    ),
    "reporting_completion_rate": (
        "Tỷ lệ hoàn thành theo cách tính báo cáo: số nhiệm vụ đã hoàn thành ÷ (số nhiệm vụ đã hoàn thành"
        " + số nhiệm vụ quá hạn chưa hoàn thành); không tính nhiệm vụ chưa đến hạn."
    ),
}


def plan_rates(tasks, today: datetime.date) -> dict:
    """The plan's figures, counted in one aggregate query.

    done of total is the headline; overdue counts open tasks past their deadline; on-time rate =
    completed on time ÷ tasks due (deadline come, or done); reporting completion rate = completed ÷
    (completed + overdue unfinished), the formula government reports use. `definitions` says each in
    Vietnamese for the places that show them.
    """
    from django.db.models import Count

    counts = tasks.aggregate(
        **{s.value: Count("pk", filter=status_q(s, today)) for s in TaskStatus},
        due=Count("pk", filter=Q(completed_on__isnull=False) | Q(due_on__lte=today)),
        total=Count("pk"),
    )
    on_time = counts[TaskStatus.DONE_ON_TIME.value]
    done = on_time + counts[TaskStatus.DONE_LATE.value]
    overdue = counts[TaskStatus.OVERDUE.value]
    return {
        "counts": {TaskStatus(k): v for k, v in counts.items() if k in TaskStatus.values},
        "total": counts["total"],
        "done": done,
        "done_on_time": on_time,
        "overdue": overdue,
        "due": counts["due"],
        "on_time_rate": round(100 * on_time / counts["due"], 1) if counts["due"] else None,
        "reporting_completion_rate": round(100 * done / (done + overdue), 1) if done + overdue else None,
        "definitions": RATE_DEFINITIONS,
    }
