"""The scenarios of a plan: the default set every issued plan starts with, and đầu mối's changes."""

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from kehoach.core.audit import audit_change, snapshot
from kehoach.core.models import AuditEntry
from kehoach.plans.models import Plan
from kehoach.plans.permissions import ensure_can_manage

from ..choices import ScenarioKind, Severity
from ..models import Scenario

# name, kind, severity, days, escalate after, recipients (units, đầu mối, leaders)
DEFAULTS: list[dict[str, Any]] = [
    {
        "name": "Nhiệm vụ quá hạn",
        "kind": ScenarioKind.TASK_OVERDUE,
        "severity": Severity.RED,
        "days": 0,
        "escalate_after_days": None,
        "notify_leaders": True,
    },
    {
        "name": "Nhiệm vụ có nguy cơ chậm (trong 30 ngày tới)",
        "kind": ScenarioKind.TASK_AT_RISK,
        "severity": Severity.ORANGE,
        "days": 30,
        "escalate_after_days": 7,
    },
    {
        "name": "Chỉ tiêu thấp hơn mục tiêu hoặc dự báo không đạt cuối năm",
        "kind": ScenarioKind.INDICATOR_BELOW,
        "severity": Severity.ORANGE,
        "days": 0,
        "escalate_after_days": 10,
    },
    {
        "name": "Chưa có số liệu 5 ngày sau ngày chốt",
        "kind": ScenarioKind.FIGURE_MISSING,
        "severity": Severity.YELLOW,
        "days": 5,
        "escalate_after_days": 7,
    },
    {
        "name": "Không báo cáo tiến độ 2 kỳ liên tiếp",
        "kind": ScenarioKind.NO_PROGRESS,
        "severity": Severity.ORANGE,
        "days": 2,
        "escalate_after_days": 7,
    },
    {
        "name": "Chờ sự kiện điều kiện quá 30 ngày so với dự kiến",
        "kind": ScenarioKind.TRIGGER_LATE,
        "severity": Severity.YELLOW,
        "days": 30,
        "escalate_after_days": None,
    },
    {
        "name": "Báo cáo định kỳ chưa ban hành khi đến hạn",
        "kind": ScenarioKind.REPORT_NOT_ISSUED,
        "severity": Severity.RED,
        "days": 0,
        "escalate_after_days": None,
        "notify_units": False,
        "notify_leaders": True,
    },
]

EDITABLE = (
    "name",
    "severity",
    "days",
    "threshold",
    "use_forecast",
    "notify_units",
    "notify_coordinators",
    "notify_leaders",
    "escalate_after_days",
    "enabled",
)


def default_scenarios(plan: Plan) -> list[Scenario]:
    return [
        Scenario(plan=plan, position=i, **{"notify_units": True, **item}) for i, item in enumerate(DEFAULTS)
    ]


def scenarios_install_missing(*, plans: list[Plan]) -> int:
    """Give every plan that has no scenario yet the default set (one query to find them)."""
    if not plans:
        return 0
    having = set(Scenario.objects.filter(plan__in=[p.pk for p in plans]).values_list("plan_id", flat=True))
    rows = [s for p in plans if p.pk not in having for s in default_scenarios(p)]
    Scenario.objects.bulk_create(rows)
    return len(rows)


def validate(scenario: Scenario) -> None:
    errors: dict[str, str] = {}
    if not scenario.name.strip():
        errors["name"] = "Cần đặt tên kịch bản."
    if scenario.threshold is not None and not (Decimal(0) < scenario.threshold <= Decimal(1000)):
        errors["threshold"] = "Ngưỡng phải lớn hơn 0 và không quá 1.000%."
    if scenario.kind == ScenarioKind.NO_PROGRESS and scenario.days < 1:
        errors["days"] = "Số kỳ liên tiếp phải từ 1 trở lên."
    if scenario.days > 366:
        errors["days"] = "Số ngày không quá 366."
    if not (scenario.notify_units or scenario.notify_coordinators or scenario.notify_leaders):
        errors["notify_coordinators"] = "Cần chọn ít nhất một nơi nhận cảnh báo."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def scenario_update(*, actor, scenario: Scenario, data: dict[str, Any]) -> Scenario:
    """đầu mối changes thresholds, recipients, escalation or switches a scenario on or off."""
    scenario = (
        Scenario.objects.select_for_update(of=("self",)).select_related("plan__lead_unit").get(pk=scenario.pk)
    )
    ensure_can_manage(actor, scenario.plan)
    before = snapshot(scenario)
    for key in EDITABLE:
        if key in data:
            setattr(scenario, key, data[key])
    validate(scenario)
    scenario.save()
    audit_change(
        actor=actor,
        obj=scenario,
        action=AuditEntry.Action.UPDATE,
        before=before,
        after=snapshot(scenario),
        context=scenario.plan,
    )
    return scenario
