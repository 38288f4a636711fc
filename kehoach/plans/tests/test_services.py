"""Domain services of plans: tasks, triggers, indicators and plan updates on the Hà Bắc plan.

Each write is checked for its outcome, its validation (field key + Vietnamese message, nothing
half-saved), its permission check and the audit entry it leaves (actor, before → after).
"""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from kehoach.core.audit import context_key, history_for
from kehoach.core.models import AuditEntry
from kehoach.plans.choices import BudgetSource, DeadlineKind, TaskStatus, TaskUnitRole
from kehoach.plans.models import Indicator, IndicatorGroup, Plan, Task, TaskUnit, Trigger
from kehoach.plans.services.indicators import indicator_save
from kehoach.plans.services.plans import plan_update
from kehoach.plans.services.tasks import task_save, trigger_record
from kehoach.plans.status import status_q

D = datetime.date
VH_XH = "Phòng Văn hóa - Xã hội"


def db_state():
    """Row counts that a failed action must leave unchanged."""
    return {
        "tasks": Task.objects.count(),
        "task_units": TaskUnit.objects.count(),
        "indicators": Indicator.objects.count(),
        "audit": AuditEntry.objects.count(),
        "triggers_recorded": Trigger.objects.filter(occurred_on__isnull=False).count(),
    }


def last_audit_pk() -> int:
    entry = AuditEntry.objects.order_by("-pk").first()
    return entry.pk if entry else 0


def entries_since(pk: int, qs=None):
    return list((qs if qs is not None else AuditEntry.objects.all()).filter(pk__gt=pk).order_by("pk"))


def assert_validation(exc_info, field: str, fragment: str):
    errors = exc_info.value.message_dict
    assert field in errors, errors
    assert any(fragment in message for message in errors[field]), errors[field]


@pytest.fixture
def daumoi(users):
    return users["daumoi"]


@pytest.fixture
def trigger(habac):
    return Trigger.objects.get(plan=habac)


def base_task_data(**overrides):
    data = {
        "title": "Tổ chức hội thảo khoa học cấp xã",
        "output": "Hội thảo",
        "deadline_text": "Quý III/2026",
        "budget_amount": 50_000_000,
        "budget_source": BudgetSource.COMMUNE,
    }
    data.update(overrides)
    return data


# task_save ---------------------------------------------------------------------------------------


def test_task_save_creates_task_with_units_and_schedule(habac, units, daumoi):
    since = last_audit_pk()
    task = task_save(
        actor=daumoi,
        plan=habac,
        data=base_task_data(),
        lead_units=[units["Phòng VH-XH"]],
        coordinating_units=[units["Phòng KT"], units["TT PVHCC"]],
    )
    task.refresh_from_db()
    assert task.plan == habac
    assert task.deadline_kind == DeadlineKind.PERIOD
    assert task.deadline_date == D(2026, 9, 30)
    assert task.starts_on == D(2026, 7, 1)
    assert task.due_on == D(2026, 9, 30)
    assert task.trigger is None
    assert task.position == 10  # after the nine tasks of the seed
    assert task.search_text == "to chuc hoi thao khoa hoc cap xa hoi thao"
    links = list(
        TaskUnit.objects.filter(task=task)
        .order_by("role", "position")
        .values_list("unit", "role", "position")
    )
    assert links == [
        (units["Phòng VH-XH"].pk, TaskUnitRole.LEAD, 0),
        (units["Phòng KT"].pk, TaskUnitRole.COORDINATE, 0),
        (units["TT PVHCC"].pk, TaskUnitRole.COORDINATE, 1),
    ]
    assert [u.name for u in task.lead_units] == [VH_XH]
    assert [u.name for u in task.coordinating_units] == ["Phòng Kinh tế", "Trung tâm Phục vụ Hành chính công"]

    [entry] = entries_since(since)
    assert entry.action == AuditEntry.Action.CREATE
    assert entry.actor == daumoi
    assert entry.content_type.model == "task" and entry.object_id == str(task.pk)
    assert entry.context == context_key(habac)
    changes = entry.changes
    assert changes["nhiệm vụ"] == [None, "Tổ chức hội thảo khoa học cấp xã"]
    assert changes["thời hạn (như ghi trong kế hoạch)"] == [None, "Quý III/2026"]
    assert changes["loại thời hạn"] == [None, "Theo kỳ"]
    assert changes["ngày hạn"] == [None, "30/09/2026"]
    assert changes["kinh phí (đồng)"] == [None, "50.000.000 đồng"]
    assert changes["nguồn kinh phí"] == [None, "Ngân sách xã"]
    assert changes["Đơn vị chủ trì"] == [None, [VH_XH]]
    assert changes["Đơn vị phối hợp"] == [None, ["Phòng Kinh tế", "Trung tâm Phục vụ Hành chính công"]]
    assert list(history_for(task)) == [entry]
    assert entry in history_for(habac, include_children=True)


def test_task_save_date_deadline_has_no_start(habac, units, daumoi):
    task = task_save(
        actor=daumoi, plan=habac, data=base_task_data(deadline_text="15/3"), lead_units=[units["Phòng KT"]]
    )
    assert (task.deadline_kind, task.deadline_date, task.starts_on, task.due_on) == (
        DeadlineKind.DATE,
        D(2026, 3, 15),
        None,
        D(2026, 3, 15),
    )


def test_task_save_update_records_before_and_after(habac, units, daumoi):
    task = task_save(actor=daumoi, plan=habac, data=base_task_data(), lead_units=[units["Phòng VH-XH"]])
    since = last_audit_pk()
    updated = task_save(
        actor=daumoi,
        plan=habac,
        task=task,
        data={"deadline_text": "30/06/2026", "title": "Tổ chức hội thảo khoa học"},
        lead_units=[units["Phòng KT"]],
        coordinating_units=[units["Phòng VH-XH"]],
    )
    assert updated.pk == task.pk
    updated.refresh_from_db()
    assert (updated.deadline_kind, updated.starts_on, updated.due_on) == (
        DeadlineKind.DATE,
        None,
        D(2026, 6, 30),
    )
    assert [u.name for u in updated.lead_units] == ["Phòng Kinh tế"]
    assert [u.name for u in updated.coordinating_units] == [VH_XH]
    assert TaskUnit.objects.filter(task=task).count() == 2

    [entry] = entries_since(since)
    assert entry.action == AuditEntry.Action.UPDATE
    assert entry.actor == daumoi
    assert entry.changes["nhiệm vụ"] == ["Tổ chức hội thảo khoa học cấp xã", "Tổ chức hội thảo khoa học"]
    assert entry.changes["thời hạn (như ghi trong kế hoạch)"] == ["Quý III/2026", "30/06/2026"]
    assert entry.changes["loại thời hạn"] == ["Theo kỳ", "Ngày cụ thể"]
    assert entry.changes["ngày hạn"] == ["30/09/2026", "30/06/2026"]
    assert entry.changes["Đơn vị chủ trì"] == [[VH_XH], ["Phòng Kinh tế"]]
    assert entry.changes["Đơn vị phối hợp"] == [[], [VH_XH]]
    # Unchanged fields are not in the diff.
    assert "kinh phí (đồng)" not in entry.changes
    assert [e.action for e in history_for(task)] == [AuditEntry.Action.UPDATE, AuditEntry.Action.CREATE]


def test_task_save_unchanged_update_writes_no_audit(habac, units, daumoi):
    task = task_save(actor=daumoi, plan=habac, data=base_task_data(), lead_units=[units["Phòng VH-XH"]])
    since = last_audit_pk()
    task_save(actor=daumoi, plan=habac, task=task, data=base_task_data(), lead_units=[units["Phòng VH-XH"]])
    assert entries_since(since) == []


def test_task_save_conditional_with_trigger(habac, units, daumoi, trigger):
    task = task_save(
        actor=daumoi,
        plan=habac,
        data=base_task_data(deadline_text="Sau khi Thành phố ban hành Kế hoạch", lead_time_days=10),
        lead_units=[units["Phòng VH-XH"]],
        trigger=trigger,
    )
    assert task.deadline_kind == DeadlineKind.CONDITIONAL
    assert task.trigger == trigger
    assert (task.starts_on, task.due_on) == (None, None)
    assert task.status() == TaskStatus.WAITING


def test_task_save_on_recorded_trigger_is_due_at_once(habac, units, daumoi, trigger):
    trigger_record(actor=daumoi, trigger=trigger, occurred_on=D(2026, 3, 20), document_number="123/KH-UBND")
    trigger.refresh_from_db()  # as a form would load it
    task = task_save(
        actor=daumoi,
        plan=habac,
        data=base_task_data(deadline_text="Sau khi Thành phố ban hành Kế hoạch", lead_time_days=45),
        lead_units=[units["Phòng VH-XH"]],
        trigger=trigger,
    )
    assert (task.starts_on, task.due_on) == (D(2026, 3, 20), D(2026, 5, 4))


def test_task_save_from_conditional_to_dated_drops_the_trigger(habac, units, daumoi, trigger):
    task = Task.objects.get(plan=habac, position=1)
    updated = task_save(
        actor=daumoi,
        plan=habac,
        task=task,
        data={"deadline_text": "Quý II/2026"},
        lead_units=[units["Phòng VH-XH"]],
    )
    assert updated.trigger is None
    assert (updated.deadline_kind, updated.starts_on, updated.due_on) == (
        DeadlineKind.PERIOD,
        D(2026, 4, 1),
        D(2026, 6, 30),
    )
    [entry] = history_for(updated)
    assert entry.changes["chờ sự kiện"] == ["Thành phố ban hành Kế hoạch", None]
    assert "Đơn vị chủ trì" not in entry.changes  # unchanged


def _other_commune_trigger(other_city):
    return Trigger.objects.create(plan=other_city["plan"], description="Thành phố ban hành Kế hoạch")


INVALID_TASKS = {
    "no lead unit": (
        lambda u, oc: {"data": base_task_data(), "lead_units": []},
        "lead_units",
        "ít nhất một đơn vị chủ trì",
    ),
    "lead unit of another commune": (
        lambda u, oc: {"data": base_task_data(), "lead_units": [oc["office"]]},
        "lead_units",
        "không thuộc cơ quan ban hành kế hoạch",
    ),
    "coordinating unit of another commune": (
        lambda u, oc: {
            "data": base_task_data(),
            "lead_units": [u["Phòng VH-XH"]],
            "coordinating_units": [u["Phòng KT"], oc["office"]],
        },
        "coordinating_units",
        "không thuộc cơ quan ban hành kế hoạch",
    ),
    "city unit above the commune": (
        lambda u, oc: {"data": base_task_data(), "lead_units": [u["Sở KH&CN Hải Phòng"]]},
        "lead_units",
        "không thuộc cơ quan ban hành kế hoạch",
    ),
    "same unit lead and coordinating": (
        lambda u, oc: {
            "data": base_task_data(),
            "lead_units": [u["Phòng VH-XH"]],
            "coordinating_units": [u["Phòng VH-XH"]],
        },
        "coordinating_units",
        "đã là đơn vị chủ trì",
    ),
    "budget without source": (
        lambda u, oc: {"data": base_task_data(budget_source=""), "lead_units": [u["Phòng VH-XH"]]},
        "budget_source",
        "nguồn kinh phí",
    ),
    "negative budget": (
        lambda u, oc: {"data": base_task_data(budget_amount=-1), "lead_units": [u["Phòng VH-XH"]]},
        "budget_amount",
        "không được âm",
    ),
    "unknown budget source": (
        lambda u, oc: {"data": base_task_data(budget_source="vay_no"), "lead_units": [u["Phòng VH-XH"]]},
        "budget_source",
        "",
    ),
    "unreadable deadline": (
        lambda u, oc: {"data": base_task_data(deadline_text="xyz abc"), "lead_units": [u["Phòng VH-XH"]]},
        "deadline_text",
        "Không hiểu thời hạn “xyz abc”",
    ),
    "impossible date": (
        lambda u, oc: {"data": base_task_data(deadline_text="31/02/2026"), "lead_units": [u["Phòng VH-XH"]]},
        "deadline_text",
        "31/02/2026",
    ),
    "empty deadline": (
        lambda u, oc: {"data": base_task_data(deadline_text=""), "lead_units": [u["Phòng VH-XH"]]},
        "deadline_text",
        "Chưa nhập thời hạn",
    ),
    "conditional without trigger": (
        lambda u, oc: {
            "data": base_task_data(deadline_text="Sau khi Thành phố ban hành Kế hoạch"),
            "lead_units": [u["Phòng VH-XH"]],
        },
        "trigger",
        "cần chọn sự kiện điều kiện",
    ),
    "trigger of another plan": (
        lambda u, oc: {
            "data": base_task_data(deadline_text="Sau khi Thành phố ban hành Kế hoạch"),
            "lead_units": [u["Phòng VH-XH"]],
            "trigger": _other_commune_trigger(oc),
        },
        "trigger",
        "không thuộc kế hoạch này",
    ),
    "empty title": (
        lambda u, oc: {"data": base_task_data(title=""), "lead_units": [u["Phòng VH-XH"]]},
        "title",
        "",
    ),
}


@pytest.mark.parametrize("case", list(INVALID_TASKS))
def test_task_save_refuses_bad_input_and_saves_nothing(habac, units, other_city, daumoi, case):
    make_kwargs, field, fragment = INVALID_TASKS[case]
    kwargs = make_kwargs(units, other_city)
    before = db_state()
    with pytest.raises(ValidationError) as exc:
        task_save(actor=daumoi, plan=habac, **kwargs)
    assert_validation(exc, field, fragment)
    assert db_state() == before


def test_task_save_refuses_the_same_unit_twice(habac, units, daumoi):
    before = db_state()
    with pytest.raises(ValidationError) as exc:
        task_save(
            actor=daumoi,
            plan=habac,
            data=base_task_data(),
            lead_units=[units["Phòng KT"], units["Phòng KT"]],
        )
    assert "lead_units" in exc.value.message_dict
    assert db_state() == before


def test_task_save_failed_update_leaves_task_untouched(habac, units, daumoi):
    task = task_save(
        actor=daumoi,
        plan=habac,
        data=base_task_data(),
        lead_units=[units["Phòng VH-XH"]],
        coordinating_units=[units["Phòng KT"]],
    )
    before = db_state()
    with pytest.raises(ValidationError) as exc:
        # The unit check runs after the task row was written: the transaction must undo it.
        task_save(
            actor=daumoi,
            plan=habac,
            task=task,
            data={"title": "Tên mới", "deadline_text": "Cả năm"},
            lead_units=[],
        )
    assert_validation(exc, "lead_units", "ít nhất một đơn vị chủ trì")
    assert db_state() == before
    task.refresh_from_db()
    assert task.title == "Tổ chức hội thảo khoa học cấp xã"
    assert (task.deadline_kind, task.due_on) == (DeadlineKind.PERIOD, D(2026, 9, 30))
    assert [u.name for u in task.lead_units] == [VH_XH]
    assert [u.name for u in task.coordinating_units] == ["Phòng Kinh tế"]


# Permissions -------------------------------------------------------------------------------------

NON_COORDINATORS = ["vhxh", "lanhdao", "captren", "quantri", "other_city_coordinator"]


def _actor(name, users, other_city):
    return other_city["coordinator"] if name == "other_city_coordinator" else users[name]


@pytest.mark.parametrize("who", NON_COORDINATORS)
def test_non_coordinator_cannot_save_tasks(habac, users, units, other_city, who):
    before = db_state()
    with pytest.raises(PermissionDenied):
        task_save(
            actor=_actor(who, users, other_city),
            plan=habac,
            data=base_task_data(),
            lead_units=[units["Phòng VH-XH"]],
        )
    existing = Task.objects.filter(plan=habac).first()
    with pytest.raises(PermissionDenied):
        task_save(
            actor=_actor(who, users, other_city),
            plan=habac,
            task=existing,
            data={"title": "Đổi tên"},
            lead_units=[units["Phòng VH-XH"]],
        )
    assert db_state() == before


@pytest.mark.parametrize("who", NON_COORDINATORS)
def test_non_coordinator_cannot_save_indicators(habac, users, other_city, who):
    before = db_state()
    with pytest.raises(PermissionDenied):
        indicator_save(
            actor=_actor(who, users, other_city),
            plan=habac,
            data={"name": "Chỉ tiêu mới", "target": Decimal(1), "unit_of_measure": "hội thảo"},
        )
    with pytest.raises(PermissionDenied):
        indicator_save(
            actor=_actor(who, users, other_city),
            plan=habac,
            indicator=Indicator.objects.get(plan=habac, code="CT01"),
            data={"target": Decimal(20)},
        )
    assert db_state() == before
    assert Indicator.objects.get(plan=habac, code="CT01").target == Decimal(10)


@pytest.mark.parametrize("who", NON_COORDINATORS)
def test_non_coordinator_cannot_update_plan(habac, users, other_city, who):
    before = db_state()
    with pytest.raises(PermissionDenied):
        plan_update(
            actor=_actor(who, users, other_city), plan=habac, data={"title": "Tên khác", "year": 2027}
        )
    assert db_state() == before
    habac.refresh_from_db()
    assert (habac.title, habac.year) == ("Kế hoạch Khoa học và Công nghệ xã Hà Bắc năm 2026", 2026)


@pytest.mark.parametrize("who", NON_COORDINATORS)
def test_non_coordinator_cannot_record_trigger(habac, users, other_city, trigger, who):
    before = db_state()
    with pytest.raises(PermissionDenied):
        trigger_record(
            actor=_actor(who, users, other_city),
            trigger=trigger,
            occurred_on=D(2026, 3, 20),
            document_number="123/KH-UBND",
        )
    assert db_state() == before


def test_anonymous_cannot_save(habac, units):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDenied):
        task_save(actor=AnonymousUser(), plan=habac, data=base_task_data(), lead_units=[units["Phòng VH-XH"]])


def test_other_city_coordinator_manages_own_plan_only(habac, other_city):
    coordinator = other_city["coordinator"]
    updated = plan_update(
        actor=coordinator, plan=other_city["plan"], data={"title": "Kế hoạch CĐS xã Sóc Sơn 2026"}
    )
    assert updated.title == "Kế hoạch CĐS xã Sóc Sơn 2026"
    with pytest.raises(PermissionDenied):
        plan_update(actor=coordinator, plan=habac, data={"title": "x"})


# trigger_record ----------------------------------------------------------------------------------


def test_seed_trigger_waits_for_the_first_three_tasks(habac, trigger):
    waiting = list(
        Task.objects.filter(trigger=trigger).order_by("position").values_list("position", flat=True)
    )
    assert waiting == [1, 2, 3]
    assert trigger.description == "Thành phố ban hành Kế hoạch"
    for task in Task.objects.filter(trigger=trigger):
        assert (task.starts_on, task.due_on) == (None, None)
        assert task.status() == TaskStatus.WAITING


def test_trigger_record_gives_waiting_tasks_a_deadline(habac, units, daumoi, trigger):
    short = task_save(
        actor=daumoi,
        plan=habac,
        data=base_task_data(deadline_text="Sau khi Thành phố ban hành Kế hoạch", lead_time_days=10),
        lead_units=[units["Phòng VH-XH"]],
        trigger=trigger,
    )
    since = last_audit_pk()
    occurred = D(2026, 3, 20)
    changed = trigger_record(
        actor=daumoi,
        trigger=trigger,
        occurred_on=occurred,
        document_number=" 123/KH-UBND ",
        document_issuer="Ủy ban nhân dân thành phố Hải Phòng",
        document_title="Kế hoạch phát triển khoa học, công nghệ",
    )
    assert sorted(t.pk for t in changed) == sorted(
        Task.objects.filter(trigger=trigger).values_list("pk", flat=True)
    )
    assert len(changed) == 4

    trigger.refresh_from_db()
    assert trigger.occurred_on == occurred
    assert trigger.document_number == "123/KH-UBND"
    assert trigger.document_issuer == "Ủy ban nhân dân thành phố Hải Phòng"
    assert trigger.recorded_by == daumoi
    assert trigger.recorded_at is not None
    assert trigger.is_fulfilled

    for task in Task.objects.filter(plan=habac, position__in=[1, 2, 3]):
        assert task.trigger == trigger
        assert task.starts_on == occurred
        assert task.due_on == D(2026, 4, 19), task.title  # 20/03 + 30 days
        assert task.status(today=D(2026, 3, 25)) == TaskStatus.ON_TRACK
        assert task.status(today=D(2026, 4, 20)) == TaskStatus.OVERDUE
        assert task.status() != TaskStatus.WAITING
    short.refresh_from_db()
    assert (short.starts_on, short.due_on) == (occurred, D(2026, 3, 30))
    assert short.status() != TaskStatus.WAITING
    assert (
        not Task.objects.filter(plan=habac)
        .filter(status_q(TaskStatus.WAITING, timezone.localdate()))
        .exists()
    )

    new = entries_since(since)
    [event] = [e for e in new if e.action == AuditEntry.Action.EVENT]
    assert event.actor == daumoi
    assert event.object_id == str(trigger.pk)
    assert event.context == context_key(habac)
    assert "123/KH-UBND" in event.summary
    assert event.changes["ngày xảy ra"] == [None, "20/03/2026"]
    assert event.changes["số, ký hiệu văn bản"] == ["", "123/KH-UBND"]
    assert event.changes["người ghi nhận"] == [None, str(daumoi)]
    assert event in history_for(trigger)

    task_entries = [e for e in new if e.action == AuditEntry.Action.UPDATE]
    assert sorted(int(e.object_id) for e in task_entries) == sorted(t.pk for t in changed)
    for entry in task_entries:
        assert entry.actor == daumoi
        assert entry.context == context_key(habac)
        expected_due = "30/03/2026" if entry.object_id == str(short.pk) else "19/04/2026"
        assert entry.changes["Hạn hoàn thành"] == [None, expected_due]
    first = Task.objects.get(plan=habac, position=1)
    assert [e.action for e in history_for(first)] == [AuditEntry.Action.UPDATE]
    plan_history = set(history_for(habac, include_children=True).values_list("pk", flat=True))
    assert {e.pk for e in new} <= plan_history


def test_trigger_record_refuses_future_date(habac, daumoi, trigger):
    before = db_state()
    with pytest.raises(ValidationError) as exc:
        trigger_record(
            actor=daumoi,
            trigger=trigger,
            occurred_on=timezone.localdate() + datetime.timedelta(days=1),
            document_number="123/KH-UBND",
        )
    assert_validation(exc, "occurred_on", "không được sau ngày hôm nay")
    assert db_state() == before
    trigger.refresh_from_db()
    assert trigger.occurred_on is None


def test_trigger_record_accepts_today(habac, daumoi, trigger):
    today = timezone.localdate()
    changed = trigger_record(actor=daumoi, trigger=trigger, occurred_on=today, document_number="5/KH-UBND")
    assert {t.due_on for t in changed} == {today + datetime.timedelta(days=30)}


@pytest.mark.parametrize("number", ["", "   "])
def test_trigger_record_refuses_missing_number(habac, daumoi, trigger, number):
    before = db_state()
    with pytest.raises(ValidationError) as exc:
        trigger_record(actor=daumoi, trigger=trigger, occurred_on=D(2026, 3, 20), document_number=number)
    assert_validation(exc, "document_number", "số, ký hiệu văn bản")
    assert db_state() == before
    assert set(Task.objects.filter(trigger=trigger).values_list("due_on", flat=True)) == {None}


def test_trigger_record_refuses_missing_date(habac, daumoi, trigger):
    with pytest.raises(ValidationError) as exc:
        trigger_record(actor=daumoi, trigger=trigger, occurred_on=None, document_number="123/KH-UBND")
    assert_validation(exc, "occurred_on", "Cần ghi ngày")


def test_trigger_record_refuses_date_long_before_the_plan(habac, daumoi, trigger):
    with pytest.raises(ValidationError) as exc:
        trigger_record(
            actor=daumoi, trigger=trigger, occurred_on=D(2024, 12, 31), document_number="1/KH-UBND"
        )
    assert_validation(exc, "occurred_on", "quá xa")


# indicator_save ----------------------------------------------------------------------------------


def indicator_data(**overrides):
    data = {
        "name": "Số hội thảo khoa học được tổ chức",
        "comparator": ">=",
        "target": Decimal(3),
        "unit_of_measure": "hội thảo",
        "commitment": "required",
    }
    data.update(overrides)
    return data


def test_indicator_save_creates_with_next_code(habac, units, daumoi):
    group = IndicatorGroup.objects.filter(plan=habac).first()
    since = last_audit_pk()
    indicator = indicator_save(
        actor=daumoi,
        plan=habac,
        data=indicator_data(group=group, lead_unit=units["Phòng KT"]),
        coordinating_units=[units["Phòng VH-XH"]],
    )
    indicator.refresh_from_db()
    assert indicator.code == "CT12"
    assert indicator.position == 12
    assert indicator.group == group
    assert indicator.target == Decimal(3)
    assert list(indicator.coordinating_units.values_list("name", flat=True)) == [VH_XH]
    [entry] = entries_since(since)
    assert entry.action == AuditEntry.Action.CREATE
    assert entry.actor == daumoi
    assert entry.context == context_key(habac)
    assert entry.changes["tên chỉ tiêu"] == [None, "Số hội thảo khoa học được tổ chức"]
    assert entry.changes["mã chỉ tiêu"] == [None, "CT12"]
    assert entry.changes["giá trị mục tiêu"] == [None, "3"]
    assert entry.changes["đơn vị chủ trì"] == [None, "Phòng Kinh tế"]
    assert entry.changes["đơn vị phối hợp"] == [None, [VH_XH]]
    assert entry.changes["so sánh"] == [None, "Tối thiểu (≥)"]
    assert list(history_for(indicator)) == [entry]


def test_indicator_save_between_range(habac, daumoi):
    indicator = indicator_save(
        actor=daumoi,
        plan=habac,
        data=indicator_data(
            comparator="between", target=Decimal(60), target_max=Decimal(70), unit_of_measure="%"
        ),
    )
    indicator.refresh_from_db()
    assert (indicator.target, indicator.target_max) == (Decimal(60), Decimal(70))


def test_indicator_save_update_records_before_and_after(habac, daumoi):
    ct01 = Indicator.objects.get(plan=habac, code="CT01")
    since = last_audit_pk()
    indicator_save(actor=daumoi, plan=habac, indicator=ct01, data={"target": Decimal(12)})
    ct01.refresh_from_db()
    assert ct01.target == Decimal(12)
    [entry] = entries_since(since)
    assert entry.action == AuditEntry.Action.UPDATE
    assert entry.actor == daumoi
    assert list(entry.changes) == ["giá trị mục tiêu"]
    before, after = entry.changes["giá trị mục tiêu"]
    assert Decimal(before) == Decimal(10)
    assert Decimal(after) == Decimal(12)
    assert entry in history_for(habac, include_children=True)


def test_indicator_save_with_unchanged_target_writes_no_audit(habac, daumoi):
    ct01 = Indicator.objects.get(plan=habac, code="CT01")
    since = last_audit_pk()
    indicator_save(actor=daumoi, plan=habac, indicator=ct01, data={"target": Decimal("10")})
    assert entries_since(since) == []


def _other_group(other_city):
    return IndicatorGroup.objects.create(plan=other_city["plan"], name="Nhóm của xã khác")


INVALID_INDICATORS = {
    "between without target_max": (
        lambda u, oc: {"data": indicator_data(comparator="between", target=Decimal(60), target_max=None)},
        "target_max",
        "cần giá trị tối đa",
    ),
    "between with max below target": (
        lambda u, oc: {
            "data": indicator_data(comparator="between", target=Decimal(70), target_max=Decimal(60))
        },
        "target_max",
        "phải lớn hơn giá trị mục tiêu",
    ),
    "target_max on an at-least target": (
        lambda u, oc: {"data": indicator_data(target_max=Decimal(5))},
        "target_max",
        "Chỉ nhập giá trị tối đa khi chỉ tiêu là một khoảng",
    ),
    "percentage above 100": (
        lambda u, oc: {"data": indicator_data(target=Decimal("100.5"), unit_of_measure="%")},
        "target",
        "từ 0 đến 100%",
    ),
    "percentage baseline below 0": (
        lambda u, oc: {
            "data": indicator_data(target=Decimal(90), baseline=Decimal(-1), unit_of_measure=" % ")
        },
        "baseline",
        "từ 0 đến 100%",
    ),
    "negative count": (
        lambda u, oc: {"data": indicator_data(target=Decimal(-1))},
        "target",
        "không được âm",
    ),
    "duplicate code": (
        lambda u, oc: {"data": indicator_data(code="CT01")},
        "code",
        "CT01 đã được dùng",
    ),
    "lead unit of another commune": (
        lambda u, oc: {"data": indicator_data(lead_unit=oc["office"])},
        "lead_unit",
        "phải thuộc cơ quan ban hành",
    ),
    "group of another plan": (
        lambda u, oc: {"data": indicator_data(group=_other_group(oc))},
        "group",
        "không thuộc kế hoạch này",
    ),
    "coordinating unit of another commune": (
        lambda u, oc: {"data": indicator_data(), "coordinating_units": [oc["office"]]},
        "coordinating_units",
        "không thuộc cơ quan ban hành",
    ),
    "empty name": (
        lambda u, oc: {"data": indicator_data(name="")},
        "name",
        "",
    ),
}


@pytest.mark.parametrize("case", list(INVALID_INDICATORS))
def test_indicator_save_refuses_bad_input_and_saves_nothing(habac, units, other_city, daumoi, case):
    make_kwargs, field, fragment = INVALID_INDICATORS[case]
    kwargs = make_kwargs(units, other_city)
    before = db_state()
    with pytest.raises(ValidationError) as exc:
        indicator_save(actor=daumoi, plan=habac, **kwargs)
    assert_validation(exc, field, fragment)
    assert db_state() == before


def test_indicator_save_keeps_own_code_on_update(habac, daumoi):
    ct02 = Indicator.objects.get(plan=habac, code="CT02")
    indicator_save(
        actor=daumoi, plan=habac, indicator=ct02, data={"code": "CT02", "name": ct02.name + " (sửa)"}
    )
    ct02.refresh_from_db()
    assert ct02.name.endswith("(sửa)")


def test_indicator_save_refuses_taking_another_indicators_code(habac, daumoi):
    ct02 = Indicator.objects.get(plan=habac, code="CT02")
    with pytest.raises(ValidationError) as exc:
        indicator_save(actor=daumoi, plan=habac, indicator=ct02, data={"code": "CT03"})
    assert_validation(exc, "code", "CT03 đã được dùng")
    ct02.refresh_from_db()
    assert ct02.code == "CT02"


# plan_update -------------------------------------------------------------------------------------


def _schedule_by_text(plan):
    return {
        (t.position, t.deadline_text): (t.deadline_date, t.starts_on, t.due_on)
        for t in Task.objects.filter(plan=plan)
    }


def test_plan_update_changing_year_reschedules_whole_year_deadlines(habac, daumoi):
    before_schedule = _schedule_by_text(habac)
    assert {v for (_, text), v in before_schedule.items() if text == "Cả năm"} == {
        (D(2026, 12, 31), D(2026, 1, 1), D(2026, 12, 31))
    }
    since = last_audit_pk()
    updated = plan_update(actor=daumoi, plan=habac, data={"year": 2027})
    assert updated.year == 2027
    after_schedule = _schedule_by_text(habac)
    for (position, text), (deadline_date, starts_on, due_on) in after_schedule.items():
        if text == "Cả năm":
            assert (deadline_date, starts_on, due_on) == (D(2027, 12, 31), D(2027, 1, 1), D(2027, 12, 31)), (
                position
            )
        elif text == "Năm 2026":  # the text names its year: unchanged
            assert (deadline_date, starts_on, due_on) == (D(2026, 12, 31), D(2026, 1, 1), D(2026, 12, 31))
        else:  # conditional, still waiting
            assert (deadline_date, starts_on, due_on) == (None, None, None)
    assert sum(text == "Cả năm" for _, text in after_schedule) == 5

    plan_entries = [e for e in entries_since(since) if e.content_type.model == "plan"]
    [entry] = plan_entries
    assert entry.action == AuditEntry.Action.UPDATE
    assert entry.actor == daumoi
    assert entry.changes == {"năm kế hoạch": [2026, 2027]}
    assert entry in history_for(habac)
    assert entry in history_for(habac, include_children=True)


def test_plan_update_changing_year_audits_the_task_deadlines(habac, daumoi):
    task = Task.objects.filter(plan=habac, deadline_text="Cả năm").first()
    since = last_audit_pk()
    plan_update(actor=daumoi, plan=habac, data={"year": 2027})
    task_entries = entries_since(since, history_for(task))
    assert task_entries, "no audit entry for the rescheduled task"
    assert task_entries[0].changes["ngày hạn"] == ["31/12/2026", "31/12/2027"]
    assert task_entries[0].actor == daumoi


def test_plan_update_records_before_and_after(habac, daumoi):
    since = last_audit_pk()
    plan_update(
        actor=daumoi,
        plan=habac,
        data={
            "title": "Kế hoạch KH&CN xã Hà Bắc năm 2026",
            "signer_name": "Nguyễn Văn A",
            "unknown": "ignored",
        },
    )
    habac.refresh_from_db()
    assert habac.title == "Kế hoạch KH&CN xã Hà Bắc năm 2026"
    assert "ke hoach kh&cn xa ha bac" in habac.search_text
    [entry] = entries_since(since)
    assert entry.actor == daumoi
    assert entry.changes == {
        "trích yếu": [
            "Kế hoạch Khoa học và Công nghệ xã Hà Bắc năm 2026",
            "Kế hoạch KH&CN xã Hà Bắc năm 2026",
        ],
        "người ký": ["Nguyễn Anh Tuấn", "Nguyễn Văn A"],
    }


def test_plan_update_without_change_writes_no_audit(habac, daumoi):
    since = last_audit_pk()
    plan_update(actor=daumoi, plan=habac, data={"year": 2026, "title": habac.title})
    assert entries_since(since) == []
    assert Task.objects.get(plan=habac, position=5).due_on == D(2026, 12, 31)


def test_plan_update_refuses_lead_unit_the_actor_does_not_coordinate(habac, units, daumoi):
    before = db_state()
    with pytest.raises(ValidationError) as exc:
        plan_update(actor=daumoi, plan=habac, data={"lead_unit": units["Phòng KT"]})
    assert_validation(exc, "lead_unit", "đơn vị mình làm đầu mối")
    assert db_state() == before
    assert Plan.objects.get(pk=habac.pk).lead_unit == units["Phòng VH-XH"]


def test_plan_update_refuses_lead_unit_outside_the_commune(habac, other_city, daumoi):
    with pytest.raises(ValidationError) as exc:
        plan_update(actor=daumoi, plan=habac, data={"lead_unit": other_city["office"]})
    assert_validation(exc, "lead_unit", "phải thuộc cơ quan ban hành")


def test_plan_update_refuses_empty_title_and_saves_nothing(habac, daumoi):
    before = db_state()
    with pytest.raises(ValidationError) as exc:
        plan_update(actor=daumoi, plan=habac, data={"title": "", "year": 2027})
    assert "title" in exc.value.message_dict
    assert db_state() == before
    habac.refresh_from_db()
    assert habac.year == 2026
