"""A small issued plan of xã Hà Bắc whose tasks, periods and figures each test shapes itself."""

import datetime
from decimal import Decimal

import pytest

from kehoach.plans.choices import Comparator, DeadlineKind, PlanField, PlanStatus, TaskUnitRole
from kehoach.plans.models import Indicator, Plan, Task, TaskUnit, Trigger
from kehoach.tracking.choices import ReporterRole, ReportStatus
from kehoach.tracking.models import Measurement, Period, ProgressReport
from kehoach.tracking.services.periods import periods_sync

D = datetime.date
JUNE_30 = D(2026, 6, 30)


@pytest.fixture
def plan(habac, units) -> Plan:
    plan = Plan.objects.create(
        number="12/KH-UBND",
        title="Kế hoạch chuyển đổi số xã Hà Bắc năm 2026",
        year=2026,
        owner_unit=units["UBND xã Hà Bắc"],
        lead_unit=units["Phòng VH-XH"],
        field=PlanField.DIGITAL,
        status=PlanStatus.ISSUED,
    )
    periods_sync(plan=plan)
    return plan


@pytest.fixture
def make_task(plan, units):
    def make(title="Nhiệm vụ", *, due=JUNE_30, start=None, leads=("Phòng VH-XH",), kind=None, **extra):
        task = Task.objects.create(
            plan=plan,
            title=title,
            deadline_text=f"Trước ngày {due:%d/%m/%Y}" if due else "Sau khi Thành phố ban hành Kế hoạch",
            deadline_kind=kind or (DeadlineKind.DATE if due else DeadlineKind.CONDITIONAL),
            due_on=due,
            starts_on=start,
            **extra,
        )
        for i, name in enumerate(leads):
            TaskUnit.objects.create(task=task, unit=units[name], role=TaskUnitRole.LEAD, position=i)
        return task

    return make


@pytest.fixture
def period_of(plan):
    def get(kind="quy", number=1) -> Period:
        return Period.objects.get(plan=plan, kind=kind, number=number)

    return get


@pytest.fixture
def report(units):
    def make(task, period, percent, *, unit="Phòng VH-XH", status=ReportStatus.ACCEPTED, **extra):
        return ProgressReport.objects.create(
            task=task,
            period=period,
            unit=units[unit],
            role=ReporterRole.LEAD,
            percent_complete=percent,
            results="Đã triển khai",
            status=status,
            **extra,
        )

    return make


@pytest.fixture
def make_indicator(plan, units):
    def make(code="CT01", *, target=90, unit="%", comparator=Comparator.AT_LEAST, lead="Phòng VH-XH"):
        return Indicator.objects.create(
            plan=plan,
            code=code,
            name=f"Chỉ tiêu {code}",
            target=Decimal(target),
            unit_of_measure=unit,
            comparator=comparator,
            lead_unit=units[lead],
        )

    return make


@pytest.fixture
def figure(units):
    def make(indicator, period, value, *, unit="Phòng VH-XH", status=ReportStatus.ACCEPTED):
        return Measurement.objects.create(
            indicator=indicator, period=period, unit=units[unit], value=Decimal(value), status=status
        )

    return make


@pytest.fixture
def trigger(plan):
    def make(*, expected=None, occurred=None):
        return Trigger.objects.create(
            plan=plan, description="Thành phố ban hành Kế hoạch", expected_on=expected, occurred_on=occurred
        )

    return make
