"""Progress reports (báo cáo tiến độ): a unit's account of one task in one period."""

import datetime
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone

from kehoach.core.audit import audit_change
from kehoach.core.models import AuditEntry
from kehoach.plans.models import Task, TaskUnit
from kehoach.units.models import Unit

from ..choices import ReporterRole, ReportStatus
from ..models import Period, ProgressReport
from ..permissions import ensure_can_report
from ..selectors import tasks_in_period
from . import workflow
from .notifications import task_completed

FIELDS = (
    "percent_complete",
    "results",
    "outputs",
    "output_delivered",
    "completed_on",
    "difficulties",
    "proposals",
    "next_steps",
    "spent_amount",
)


def reporter_role(task: Task, unit: Unit) -> str | None:
    """Lead if the task names the unit as lead; coordinate if named, or if every unit of its commune is."""
    if any(u.pk == unit.pk for u in task.lead_units):
        return ReporterRole.LEAD
    if any(u.pk == unit.pk for u in task.coordinating_units):
        return ReporterRole.COORDINATE
    if (
        task.coordinates_all_units
        and unit.path.startswith(task.plan.owner_unit.path)
        and not unit.is_administrative
    ):
        return ReporterRole.COORDINATE
    return None


def progress_report_new(*, actor, task: Task, period: Period, unit: Unit) -> ProgressReport:
    """The unit's report for this task and period: the stored one, else a new draft not yet saved.

    Writes nothing: opening "Lập báo cáo" only shows the form; the draft is stored by the first save,
    autosave or attached file (`progress_report_start`). Raises when the unit may not report here.
    """
    ensure_can_report(actor, unit)
    if period.plan_id != task.plan_id:
        raise ValidationError("Kỳ báo cáo không thuộc kế hoạch của nhiệm vụ.")
    existing = ProgressReport.objects.filter(task=task, period=period, unit=unit).first()
    if existing:
        return existing
    if period.is_closed:
        raise ValidationError(f"Kỳ {period.label} đã khóa sổ: không lập báo cáo mới được.")
    if not tasks_in_period(task.plan, period).filter(pk=task.pk).exists():
        if task.due_on is None and task.deadline_kind == "conditional":
            raise ValidationError(
                "Nhiệm vụ đang chờ điều kiện: chưa phải báo cáo cho đến khi sự kiện được ghi nhận."
            )
        raise ValidationError(f"Nhiệm vụ không phải báo cáo trong kỳ {period.label}.")
    role = reporter_role(task, unit)
    if role is None:
        raise ValidationError(f"{unit} không chủ trì hay phối hợp nhiệm vụ này.")
    previous = (
        ProgressReport.objects.filter(task=task, unit=unit, status=ReportStatus.ACCEPTED)
        .order_by("-period__ends_on")
        .first()
    )
    return ProgressReport(
        task=task,
        period=period,
        unit=unit,
        role=role,
        # A new period starts from what was last accepted, so units only write what changed.
        percent_complete=previous.percent_complete if previous else 0,
    )


@transaction.atomic
def progress_report_open(*, actor, task: Task, period: Period, unit: Unit) -> ProgressReport:
    """The unit's report for this task and period, stored as an empty draft the first time (API, demo)."""
    report = progress_report_new(actor=actor, task=task, period=period, unit=unit)
    if report.pk is not None:
        return report
    return workflow.create(
        actor=actor, record=report, data={}, fields=FIELDS, validate=_validate, autosave=False
    )


@transaction.atomic
def progress_report_start(
    *,
    actor,
    task: Task,
    period: Period,
    unit: Unit,
    data: dict[str, Any],
    version: int | None,
    autosave: bool = False,
) -> ProgressReport:
    """The first save of a report opened with `progress_report_new` (see `workflow.start`); `version` 0
    means the user started before any draft existed."""
    return workflow.start(
        actor=actor,
        record=progress_report_new(actor=actor, task=task, period=period, unit=unit),
        data=data,
        fields=FIELDS,
        validate=_validate,
        autosave=autosave,
        reread=lambda: ProgressReport.objects.get(task=task, period=period, unit=unit),
        save=lambda report: progress_report_save(
            actor=actor, report=report, data=data, version=version, autosave=autosave
        ),
    )


def _validate(report: ProgressReport) -> None:
    errors = {}
    if not 0 <= report.percent_complete <= 100:
        errors["percent_complete"] = "Tỷ lệ hoàn thành phải từ 0 đến 100%."
    if report.completed_on and report.completed_on > timezone.localdate():
        errors["completed_on"] = "Ngày hoàn thành không được sau ngày hôm nay."
    if report.spent_amount is not None and report.spent_amount < 0:
        errors["spent_amount"] = "Kinh phí đã sử dụng không được âm."
    if report.role == ReporterRole.COORDINATE and report.spent_amount is not None:
        errors["spent_amount"] = "Chỉ đơn vị chủ trì báo cáo kinh phí đã sử dụng của nhiệm vụ."
    if report.role == ReporterRole.COORDINATE and report.output_delivered:
        errors["output_delivered"] = "Chỉ đơn vị chủ trì xác nhận đã có kết quả/sản phẩm của nhiệm vụ."
    if errors:
        raise ValidationError(errors)


def _validate_submit(report: ProgressReport) -> None:
    _validate(report)
    errors = {}
    if not report.results.strip():
        errors["results"] = "Cần ghi kết quả đạt được trong kỳ trước khi gửi."
    if report.role == ReporterRole.LEAD and (report.output_delivered or report.percent_complete == 100):
        output = report.task.output or "kết quả/sản phẩm"
        if not report.output_delivered:
            errors["output_delivered"] = f"Nhiệm vụ hoàn thành 100% cần xác nhận đã có “{output}”."
        if not report.completed_on:
            errors["completed_on"] = "Cần ghi ngày hoàn thành nhiệm vụ."
        if report.percent_complete != 100:
            errors["percent_complete"] = "Đã có kết quả/sản phẩm thì tỷ lệ hoàn thành phải là 100%."
        if not report.evidence.filter(is_output=True).exists():
            errors["evidence"] = f"Cần đính kèm minh chứng là “{output}” (đánh dấu “là kết quả/sản phẩm”)."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def progress_report_save(
    *, actor, report: ProgressReport, data: dict[str, Any], version: int | None, autosave: bool = False
) -> ProgressReport:
    return workflow.save_fields(
        actor=actor,
        record=report,
        data=data,
        fields=FIELDS,
        version=version,
        validate=_validate,
        autosave=autosave,
    )


@transaction.atomic
def progress_report_submit(*, actor, report: ProgressReport) -> ProgressReport:
    report = workflow.submit(actor=actor, record=report, validate_submit=_validate_submit)
    workflow.notify_submitted(report)
    return report


@transaction.atomic
def progress_report_accept(*, actor, report: ProgressReport) -> ProgressReport:
    report = workflow.accept(actor=actor, record=report)
    task_refresh_completion(actor=actor, task=report.task)
    return report


@transaction.atomic
def progress_report_return(*, actor, report: ProgressReport, reason: str) -> ProgressReport:
    report = workflow.return_(actor=actor, record=report, reason=reason)
    workflow.notify_returned(report)
    return report


@transaction.atomic
def progress_report_reopen(*, actor, report: ProgressReport, reason: str) -> ProgressReport:
    report = workflow.reopen(actor=actor, record=report, reason=reason)
    task_refresh_completion(actor=actor, task=report.task)
    workflow.notify_returned(report, reopened=True)
    return report


@dataclass(frozen=True)
class LeadPart:
    """One lead unit's share of a task: its latest report and the accepted report declaring the output."""

    unit: Unit
    latest: ProgressReport | None
    output_report: ProgressReport | None

    @property
    def output_accepted(self) -> bool:
        return self.output_report is not None

    @property
    def completed_on(self) -> datetime.date | None:
        return self.output_report.completed_on if self.output_report else None


def declares_output(report: ProgressReport) -> bool:
    """An accepted lead report stating the output is delivered: 100%, a completion date, evidence of it.

    Reads `report.evidence.all()`, so callers prefetch the evidence to stay at a fixed number of queries.
    """
    return (
        report.role == ReporterRole.LEAD
        and report.status == ReportStatus.ACCEPTED
        and report.output_delivered
        and report.percent_complete == 100
        and report.completed_on is not None
        and any(e.is_output for e in report.evidence.all())
    )


def lead_parts(lead_units: list[Unit], reports: list[ProgressReport]) -> list[LeadPart]:
    """Each lead unit's part, from the task's reports (period loaded, evidence prefetched)."""
    parts = []
    for unit in lead_units:
        own = [r for r in reports if r.unit_id == unit.pk]
        latest = max(own, key=lambda r: (r.period.ends_on, r.period.starts_on, r.pk), default=None)
        # The first accepted declaration counts: a later period's report repeating "done" does not move
        # the day the unit finished.
        declared = [r for r in own if declares_output(r)]
        output_report = min(declared, key=lambda r: (r.completed_on, r.pk), default=None)
        parts.append(LeadPart(unit=unit, latest=latest, output_report=output_report))
    return parts


def completion_date(parts: list[LeadPart]) -> datetime.date | None:
    """The task is done when every lead unit has delivered, on the day the last of them finished."""
    if not parts or not all(p.output_accepted for p in parts):
        return None
    return max(p.completed_on for p in parts)


def task_refresh_completion(*, actor, task: Task) -> None:
    """Set or clear the task's completion from its lead units' accepted reports (see `completion_date`)."""
    # Lock the task before reading the reports: two lead reports accepted at once then see each other,
    # and neither leaves the task open once both are accepted.
    task = (
        Task.objects.select_for_update()
        .select_related("plan")
        .prefetch_related(Prefetch("task_units", queryset=TaskUnit.objects.select_related("unit")))
        .get(pk=task.pk)
    )
    leads = task.lead_units
    reports = list(
        ProgressReport.objects.filter(task=task, unit__in=[u.pk for u in leads])
        .select_related("period")
        .prefetch_related("evidence")
    )
    completed_on = completion_date(lead_parts(leads, reports))
    if task.completed_on == completed_on:
        return
    before = {"Ngày hoàn thành": task.completed_on}
    task.completed_on = completed_on
    task.save(update_fields=["completed_on", "updated_at"])
    if completed_on:
        task_completed(task)
    audit_change(
        actor=actor,
        obj=task,
        action=AuditEntry.Action.UPDATE,
        before=before,
        after={"Ngày hoàn thành": completed_on},
        context=task.plan,
        summary="Hoàn thành theo báo cáo được chấp nhận" if completed_on else "Bỏ trạng thái hoàn thành",
    )
