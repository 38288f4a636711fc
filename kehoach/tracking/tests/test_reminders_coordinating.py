"""Due-soon reminders reach the coordinating units too; an overdue task stays with the lead units."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext

from kehoach.plans.choices import DeadlineKind, TaskUnitRole
from kehoach.plans.models import Task, TaskUnit
from kehoach.tracking.choices import NotificationKind
from kehoach.tracking.models import Notification
from kehoach.tracking.services.reminders import reminders_run

MAY = datetime.date(2026, 5, 4)


def add_task(
    plan,
    *,
    leads,
    coordinators=(),
    all_units=False,
    due_on,
    title="Nhiệm vụ có đơn vị phối hợp",
    position=100,
):
    task = Task.objects.create(
        plan=plan,
        position=position,
        title=title,
        output="Báo cáo kết quả",
        deadline_text=f"Trước ngày {due_on:%d/%m/%Y}",
        deadline_kind=DeadlineKind.DATE,
        deadline_date=due_on,
        due_on=due_on,
        coordinates_all_units=all_units,
    )
    links = [(u, TaskUnitRole.LEAD) for u in leads] + [(u, TaskUnitRole.COORDINATE) for u in coordinators]
    for i, (unit, role) in enumerate(links):
        TaskUnit.objects.create(task=task, unit=unit, role=role, position=i)
    return task


def recipients(kind: str, task: Task) -> set[str]:
    return set(
        Notification.objects.filter(kind=kind, key__contains=f":{task.pk}:").values_list(
            "user__username", flat=True
        )
    )


def test_coordinating_unit_is_reminded_before_the_deadline_but_not_when_overdue(habac, units):
    task = add_task(
        habac,
        leads=[units["Phòng KT"]],
        coordinators=[units["Công an xã"]],
        due_on=MAY + datetime.timedelta(days=3),
    )

    result = reminders_run(today=MAY)

    assert recipients(NotificationKind.DUE_SOON, task) == {"kinhte", "congan"}
    assert result["due_soon"] == 2
    note = Notification.objects.get(user__username="congan", kind=NotificationKind.DUE_SOON)
    assert "Đơn vị chủ trì: Phòng KT." in note.body
    assert "Đơn vị phối hợp: Công an xã." in note.body

    # Four days later the deadline has passed: the lead unit and đầu mối hear of it, the coordinator not.
    result = reminders_run(today=MAY + datetime.timedelta(days=4))

    assert recipients(NotificationKind.OVERDUE, task) == {"kinhte", "daumoi"}
    assert result["overdue"] == 2
    assert not Notification.objects.filter(user__username="congan", kind=NotificationKind.OVERDUE).exists()


def test_task_coordinated_by_every_unit_reminds_the_communes_units_only(habac, units, other_city):
    task = add_task(habac, leads=[units["Phòng KT"]], all_units=True, due_on=MAY + datetime.timedelta(days=2))

    reminders_run(today=MAY)

    # Every cán bộ and đầu mối of Hà Bắc's departments, centres and organisations; not the commune's
    # leader (an administrative unit), the city's supervisor, nor another city's people.
    assert recipients(NotificationKind.DUE_SOON, task) == {
        "daumoi",
        "vhxh",
        "vanphong",
        "kinhte",
        "congan",
        "pvhcc",
        "dvsnc",
        "mttq",
    }
    note = Notification.objects.get(user__username="mttq", kind=NotificationKind.DUE_SOON)
    assert "Đơn vị phối hợp: Các phòng, cơ quan, đơn vị." in note.body


def test_coordinating_people_cost_no_extra_query_per_task(habac, units):
    kt, ca, pv = units["Phòng KT"], units["Công an xã"], units["TT PVHCC"]
    add_task(habac, leads=[kt], coordinators=[ca], due_on=MAY + datetime.timedelta(days=2))
    add_task(habac, leads=[ca], all_units=True, due_on=MAY + datetime.timedelta(days=3), position=101)
    with CaptureQueriesContext(connection) as few:
        reminders_run(today=MAY)

    Notification.objects.all().delete()
    leads = [kt, ca, pv]
    for i in range(20):
        add_task(
            habac,
            leads=[leads[i % 3]],
            coordinators=[leads[(i + 1) % 3], units["Phòng VH-XH"]],
            all_units=bool(i % 4 == 0),
            due_on=MAY + datetime.timedelta(days=(i % 7) + 1),
            title=f"Nhiệm vụ {i}",
            position=200 + i,
        )
    with CaptureQueriesContext(connection) as many:
        result = reminders_run(today=MAY)

    assert result["due_soon"] > 40
    assert len(many) == len(few), "\n".join(q["sql"] for q in many.captured_queries)
