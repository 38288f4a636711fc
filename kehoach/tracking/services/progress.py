"""Progress reports (báo cáo tiến độ): a unit's account of one task in one period."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from kehoach.core.audit import audit_change, snapshot
from kehoach.core.models import AuditEntry
from kehoach.plans.models import Task
from kehoach.units.models import Unit

from ..choices import ReporterRole, ReportStatus
from ..models import Period, ProgressReport
from ..permissions import ensure_can_report
from ..selectors import tasks_in_period
from . import workflow

FIELDS = (
    "percent_complete",
    "results",
    "outputs",
    "output_delivered",
    "completed_on",
    "difficulties",
    "proposals",
    "next_steps",
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


@transaction.atomic
def progress_report_open(*, actor, task: Task, period: Period, unit: Unit) -> ProgressReport:
    """The unit's report for this task and period, created as a draft the first time."""
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
    report = ProgressReport.objects.create(
        task=task,
        period=period,
        unit=unit,
        role=role,
        # A new period starts from what was last accepted, so units only write what changed.
        percent_complete=previous.percent_complete if previous else 0,
    )
    audit_change(
        actor=actor, obj=report, action=AuditEntry.Action.CREATE, after=snapshot(report), context=period.plan
    )
    return report


def _validate(report: ProgressReport) -> None:
    errors = {}
    if not 0 <= report.percent_complete <= 100:
        errors["percent_complete"] = "Tỷ lệ hoàn thành phải từ 0 đến 100%."
    if report.completed_on and report.completed_on > timezone.localdate():
        errors["completed_on"] = "Ngày hoàn thành không được sau ngày hôm nay."
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
    *, actor, report: ProgressReport, data: dict[str, Any], version: int | None
) -> ProgressReport:
    return workflow.save_fields(
        actor=actor, record=report, data=data, fields=FIELDS, version=version, validate=_validate
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


def task_refresh_completion(*, actor, task: Task) -> None:
    """A task is done when an accepted lead report declares its output with evidence of it."""
    done = (
        ProgressReport.objects.filter(
            task=task,
            role=ReporterRole.LEAD,
            status=ReportStatus.ACCEPTED,
            output_delivered=True,
            percent_complete=100,
            completed_on__isnull=False,
            evidence__is_output=True,
        )
        .order_by("completed_on")
        .first()
    )
    completed_on = done.completed_on if done else None
    task = Task.objects.select_for_update().get(pk=task.pk)
    if task.completed_on == completed_on:
        return
    before = {"Ngày hoàn thành": task.completed_on}
    task.completed_on = completed_on
    task.save(update_fields=["completed_on", "updated_at"])
    audit_change(
        actor=actor,
        obj=task,
        action=AuditEntry.Action.UPDATE,
        before=before,
        after={"Ngày hoàn thành": completed_on},
        context=task.plan,
        summary="Hoàn thành theo báo cáo được chấp nhận" if completed_on else "Bỏ trạng thái hoàn thành",
    )
