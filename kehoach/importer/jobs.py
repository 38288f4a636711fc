"""Import jobs: upload → read in the background → review → publish (or abandon), and the runner.

The runner has three modes, chosen by the setting `KEHOACH_JOBS`:
- "thread" (default): after the upload commits, a daemon thread of the web process reads the file;
  right for one machine.
- "sync": the file is read during the upload request (tests, scripted use).
- "worker": the job waits in the database for `kehoach worker`, which may run on another machine
  (a city deployment with several app servers behind a proxy).
Whatever the mode, nothing of the plan is created before the reviewer publishes: the job holds the
extracted contract, and `job_publish` creates the plan, with any confirmed new units, in one
transaction.
"""

import copy
import datetime
import logging
import threading
import time
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import DatabaseError, connection, connections, transaction
from django.db.models import Q
from django.utils import timezone

from kehoach.core.audit import audit_change, snapshot
from kehoach.core.jobs import STALE_AFTER, jobs_mode, run_after_commit, wait_for_threads  # noqa: F401 (re-exported)
from kehoach.core.models import AuditEntry
from kehoach.core.text import nfc
from kehoach.plans.choices import PlanStatus
from kehoach.plans.models import Plan
from kehoach.plans.permissions import ensure_can_manage
from kehoach.plans.services.contract import plan_create_from_contract
from kehoach.units.access import access_for
from kehoach.units.choices import ADMINISTRATIVE_KINDS
from kehoach.units.models import Unit
from kehoach.units.services import name_key, unit_create

from .duplicates import Duplicate, find_duplicates
from .errors import DocumentError
from .extract import extract_plan
from .forms import guess_year, publish_problems
from .matching import match_names, new_unit_kind
from .models import ImportJob
from .readers import max_bytes, read_bytes

log = logging.getLogger(__name__)

SOURCE_LIMIT = 2_000_000  # characters of source text kept for the review screen

Status = ImportJob.Status


def source_text(lines: list[str]) -> str:
    """The text the extractor read, as the review screen shows it (tables as "| a | b |" rows)."""
    text = "\n".join(line.rstrip() for line in lines).strip("\n")
    return text[:SOURCE_LIMIT]


def document_read(data: bytes, *, name: str) -> tuple[dict[str, Any], str]:
    """(contract, source text) of a document held in memory; DocumentError when it cannot be read."""
    if len(data) > max_bytes():
        raise DocumentError(f"Tệp “{name}” quá lớn; chỉ nhận tệp đến {max_bytes() // (1024 * 1024)} MB.")
    lines = read_bytes(data, name=name)
    return dict(extract_plan(lines)), source_text(lines)


# Who ---------------------------------------------------------------------------------------------


def owner_of(unit: Unit) -> Unit:
    """The level of government a plan led by `unit` belongs to: the nearest commune/city at or above it."""
    if unit.is_administrative:
        return unit
    above = Unit.objects.filter(pk__in=unit.ancestor_ids, kind__in=ADMINISTRATIVE_KINDS).order_by("-depth")
    owner = above.first()
    if owner is None:
        raise ValidationError(
            f"Đơn vị “{unit}” không thuộc xã, phường hay thành phố nào: không nhập kế hoạch được."
        )
    return owner


def can_import(user) -> bool:
    return bool(access_for(user).coordinator_units)


def can_see(user, job: ImportJob) -> bool:
    """The creator, and đầu mối of the job's lead unit (or of a unit above it)."""
    return can_import(user) and (
        job.created_by_id == user.pk or access_for(user).can_manage_plans_of(job.lead_unit)
    )


def _ensure_manage(user, job: ImportJob) -> None:
    if not can_see(user, job):
        raise PermissionDenied("Chỉ cán bộ đầu mối của đơn vị này mới được xử lý phiên nhập.")


def _event(
    actor, job: ImportJob, summary: str, *, action=AuditEntry.Action.EVENT, context=None, **after
) -> None:
    audit_change(actor=actor, obj=job, action=action, after=after or None, context=context, summary=summary)


# Upload and reading ------------------------------------------------------------------------------


def job_create(*, actor, upload: UploadedFile, lead_unit: Unit, field: str) -> ImportJob:
    """Store the upload under MEDIA_ROOT/imports/ with a random name and start reading it."""
    access = access_for(actor)
    if lead_unit.pk not in {u.pk for u in access.coordinator_units}:
        raise PermissionDenied("Chỉ cán bộ đầu mối của đơn vị này mới được nhập kế hoạch.")
    name = (upload.name or "tệp")[:255]
    if upload.size > max_bytes():
        raise ValidationError(f"Tệp “{name}” quá lớn; chỉ nhận tệp đến {max_bytes() // (1024 * 1024)} MB.")
    job = ImportJob(
        original_name=name,
        size=upload.size,
        created_by=actor,
        owner_unit=owner_of(lead_unit),
        lead_unit=lead_unit,
        field=field,
    )
    job.file.save(name, upload, save=False)
    try:
        with transaction.atomic():
            job.save()
            _event(
                actor,
                job,
                "Tải lên văn bản kế hoạch để nhập",
                action=AuditEntry.Action.CREATE,
                **{"Tệp": name, "Đơn vị đầu mối": str(lead_unit)},
            )
            job_enqueue(job)
    except Exception:
        # The file is written before its row; a failed insert must not leave it behind.
        job.file.storage.delete(job.file.name)
        raise
    if jobs_mode() == "sync":
        job.refresh_from_db()
    return job


def _update(job_id: int, **fields) -> bool:
    return ImportJob.objects.filter(pk=job_id).update(**fields, updated_at=timezone.now()) == 1


def job_run(job_id: int) -> None:
    """Read the job's file: progress 10 → 50 → 100, then the contract or the Vietnamese error."""
    job = ImportJob.objects.select_related("created_by").filter(pk=job_id).first()
    if job is None or job.status not in (Status.QUEUED, Status.READING):
        return  # abandoned, or already read
    _update(job_id, status=Status.READING, progress=10, message="")
    try:
        with job.file.open("rb") as handle:
            data = handle.read()
        if len(data) > max_bytes():
            raise DocumentError(
                f"Tệp “{job.original_name}” quá lớn; chỉ nhận tệp đến {max_bytes() // (1024 * 1024)} MB."
            )
        lines = read_bytes(data, name=job.original_name)
        _update(job_id, progress=50)
        contract = dict(extract_plan(lines))
    except DocumentError as error:
        message = error.message
    except RecursionError:
        message = "Tệp có cấu trúc quá phức tạp, không đọc được."
    except FileNotFoundError:
        message = "Không còn tệp đã tải lên; hãy tải lên lại."
    except Exception:
        log.exception("Import job %s failed", job_id)
        message = "Không đọc được tệp do lỗi của hệ thống; hãy thử lại hoặc báo quản trị hệ thống."
    else:
        contract["year"] = guess_year(contract)
        if _update(
            job_id,
            status=Status.DONE,
            progress=100,
            source_text=source_text(lines),
            result=contract,
            unit_choices={},
            message="",
        ):
            _event(
                job.created_by,
                job,
                "Đã đọc văn bản",
                **{
                    "Chỉ tiêu": len(contract.get("indicators") or []),
                    "Nhiệm vụ": len(contract.get("tasks") or []),
                },
            )
        return
    if _update(job_id, status=Status.ERROR, progress=100, message=message):
        _event(job.created_by, job, "Không đọc được văn bản", **{"Lỗi": message})


def _crashed(job_id: int) -> None:
    _update(job_id, status=Status.ERROR, progress=100, message="Không đọc được tệp do lỗi của hệ thống.")


def job_enqueue(job: ImportJob) -> None:
    # "worker": the job stays queued until `kehoach worker` claims it.
    if jobs_mode() != "worker":
        run_after_commit(job_run, job.pk, name=f"kehoach-nhap-{job.pk}", on_crash=_crashed)


def is_stale(job: ImportJob, now: datetime.datetime | None = None) -> bool:
    return job.is_running and job.updated_at < (now or timezone.now()) - STALE_AFTER


def job_retry(*, actor, job: ImportJob) -> None:
    """Read again a job that failed or was cut off."""
    _ensure_manage(actor, job)
    if not (job.status == Status.ERROR or is_stale(job)):
        raise ValidationError("Phiên nhập này không cần đọc lại.")
    with transaction.atomic():
        _update(job.pk, status=Status.QUEUED, progress=0, message="")
        _event(actor, job, "Đọc lại văn bản")
        job.status = Status.QUEUED
        job_enqueue(job)


# The worker --------------------------------------------------------------------------------------


def _claimable() -> Q:
    return Q(status=Status.QUEUED) | Q(status=Status.READING, updated_at__lt=timezone.now() - STALE_AFTER)


def job_claim() -> int | None:
    """Take one waiting job for this worker; several workers never take the same one."""
    if connection.features.has_select_for_update_skip_locked:
        with transaction.atomic():
            job = (
                ImportJob.objects.select_for_update(skip_locked=True)
                .filter(_claimable())
                .order_by("created_at", "id")
                .only("pk")
                .first()
            )
            if job is None:
                return None
            _update(job.pk, status=Status.READING, progress=5)
            return job.pk
    # SQLite: one writer at a time; a conditional UPDATE is the claim.
    for pk in (
        ImportJob.objects.filter(_claimable()).order_by("created_at", "id").values_list("pk", flat=True)[:20]
    ):
        if ImportJob.objects.filter(_claimable(), pk=pk).update(
            status=Status.READING, progress=5, updated_at=timezone.now()
        ):
            return pk
    return None


def jobs_work(*, once: bool = False, sleep: float = 2.0, stop: threading.Event | None = None) -> int:
    """Run waiting jobs; with `once`, until none is left. Returns how many were run."""
    done = 0
    while not (stop and stop.is_set()):
        try:
            pk = job_claim()
        except DatabaseError:
            log.exception("Could not claim an import job")
            connections.close_all()
            pk = None
        if pk is not None:
            job_run(pk)
            done += 1
            continue
        if once:
            break
        connections.close_all()  # do not hold a connection while idle
        if stop:
            stop.wait(sleep)
        else:
            time.sleep(sleep)
    return done


# Review, publish, abandon ------------------------------------------------------------------------


@transaction.atomic
def job_save_review(*, actor, job: ImportJob, result: dict[str, Any], unit_choices: dict[str, Any]) -> None:
    """Keep the reviewer's edits on the job. No plan data is written."""
    _ensure_manage(actor, job)
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if job.status != Status.DONE:
        raise ValidationError("Phiên nhập này không còn ở bước rà soát.")
    changed = job.result != result or job.unit_choices != unit_choices
    job.result = result
    job.unit_choices = unit_choices
    job.save(update_fields=["result", "unit_choices", "updated_at"])
    if changed:
        _event(
            actor,
            job,
            "Lưu kết quả rà soát",
            **{
                "Chỉ tiêu": len(result.get("indicators") or []),
                "Nhiệm vụ": len(result.get("tasks") or []),
                "Tổ chức thực hiện": len(result.get("responsibilities") or []),
            },
        )


def _rename(data: dict[str, Any], mapping: dict[str, str]) -> dict[str, Any]:
    def name(n: str) -> str:
        key = nfc(n)
        return mapping.get(key, key)

    for task in data.get("tasks") or []:
        # Two spellings of one unit, or a unit both leading and coordinating, link it once.
        lead = list(dict.fromkeys(name(n) for n in task.get("lead_units") or []))
        coordinating = list(dict.fromkeys(name(n) for n in task.get("coordinating_units") or []))
        task["lead_units"] = lead
        task["coordinating_units"] = [n for n in coordinating if n not in lead]
    for item in data.get("responsibilities") or []:
        item["unit"] = name(item.get("unit") or "")
    return data


class DuplicatePlan(ValidationError):
    """Publishing would create a plan the system already has; `duplicates` says which, and what may
    be done about each (open it, replace a draft, or confirm that the import is another plan)."""

    def __init__(self, duplicates: list[Duplicate]):
        super().__init__([d.message for d in duplicates])
        self.duplicates = duplicates


def job_duplicates(job: ImportJob) -> list[Duplicate]:
    """The plans already in the system that publishing this job would create again."""
    data = job.result or {}
    return find_duplicates(data, owner_unit=job.owner_unit, year=guess_year(data))


def _check_duplicates(actor, job: ImportJob, *, replace: int | None, confirmed: bool) -> Plan | None:
    """Refuse a second copy of a plan; returns the draft to replace when the reviewer chose one.

    Same number and issuing body: never published twice (a draft may be replaced, an issued plan
    never). Near-identical title and year: published only when the reviewer confirms it is another
    plan, or replaces the draft."""
    duplicates = job_duplicates(job)
    replaced = None
    if replace is not None:
        chosen = next((d for d in duplicates if d.plan.pk == replace), None)
        if chosen is None:
            raise ValidationError(
                "Kế hoạch được chọn để thay thế không trùng với văn bản đang nhập (hoặc không còn): "
                "không có gì được thay đổi."
            )
        if not chosen.replaceable:
            raise DuplicatePlan(duplicates)
        ensure_can_manage(actor, chosen.plan)
        replaced = Plan.objects.select_for_update().get(pk=chosen.plan.pk)
        if replaced.status != PlanStatus.DRAFT:
            raise DuplicatePlan(duplicates)
        duplicates = [d for d in duplicates if d is not chosen]
    if any(d.same_number or not confirmed for d in duplicates):
        raise DuplicatePlan(duplicates)
    return replaced


def job_publish(
    *, actor, job: ImportJob, issue: bool, replace: int | None = None, confirmed: bool = False
) -> Plan:
    """Create the confirmed new units and the plan, in one transaction; ValidationError naming the row.

    A plan the system already has is refused with `DuplicatePlan` (see duplicates.py): `replace` (the
    id of one of its drafts) replaces that draft, `confirmed` publishes next to a plan whose title is
    only near-identical."""
    _ensure_manage(actor, job)
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().select_related("owner_unit", "lead_unit").get(pk=job.pk)
        if job.status == Status.PUBLISHED:
            raise ValidationError("Kế hoạch của phiên nhập này đã được công bố.")
        if job.status != Status.DONE:
            raise ValidationError("Văn bản chưa đọc xong: chưa công bố được.")
        # One publish at a time per issuing body: two imports of one document cannot both pass the check.
        Unit.objects.select_for_update().filter(pk=job.owner_unit_id).first()
        replaced = _check_duplicates(actor, job, replace=replace, confirmed=confirmed)
        data = copy.deepcopy(job.result or {})
        problems = publish_problems(data)
        rows = match_names(data, job.owner_unit, job.unit_choices)
        for row in rows:
            if not row.decided:
                hint = f" (đề xuất: {row.suggestions[0].name})" if row.suggestions else ""
                problems.append(
                    f"{row.uses[0]}: đơn vị “{row.name}” chưa khớp với đơn vị nào của "
                    f"{job.owner_unit}{hint} — "
                    "chọn đơn vị trong danh sách hoặc đánh dấu “Tạo đơn vị mới”."
                )
        if problems:
            raise ValidationError(problems)
        if replaced is not None:
            audit_change(
                actor=actor,
                obj=replaced,
                action=AuditEntry.Action.DELETE,
                before=snapshot(replaced),
                summary=f"Thay bản dự thảo bằng kế hoạch nhập từ văn bản “{job.original_name}”",
            )
            replaced_label = str(replaced)
            replaced.tasks.all().delete()  # tasks first: they hold their triggers (protected) in place
            replaced.delete()
        mapping: dict[str, str] = {}
        created: dict[str, Unit] = {}
        for row in rows:
            if row.collective:
                continue
            if row.is_new:
                key = name_key(row.name)
                if key not in created:
                    try:
                        created[key] = unit_create(
                            actor=actor, name=row.name, kind=new_unit_kind(row.name), parent=job.owner_unit
                        )
                    except ValidationError as error:
                        raise ValidationError(
                            f"{row.uses[0]}: không tạo được đơn vị mới “{row.name}”: "
                            + " ".join(error.messages)
                        ) from None
                mapping[row.name] = created[key].name
            else:
                mapping[row.name] = row.unit.name
        data = _rename(data, mapping)
        plan = plan_create_from_contract(
            actor=actor,
            data=data,
            owner_unit=job.owner_unit,
            lead_unit=job.lead_unit,
            field=job.field,
            status=PlanStatus.ISSUED if issue else PlanStatus.DRAFT,
        )
        job.plan = plan
        job.status = Status.PUBLISHED
        job.save(update_fields=["plan", "status", "updated_at"])
        _event(
            actor,
            job,
            f"Công bố kế hoạch từ văn bản “{job.original_name}”",
            context=plan,
            **{
                "Kế hoạch": str(plan),
                "Trạng thái": plan.get_status_display(),
                **({"Đơn vị mới": sorted(u.name for u in created.values())} if created else {}),
                **({"Thay bản dự thảo": replaced_label} if replaced is not None else {}),
            },
        )
    return plan


def job_abandon(*, actor, job: ImportJob) -> None:
    """Delete the job and its file: nothing is left behind (a published plan stays)."""
    _ensure_manage(actor, job)
    with transaction.atomic():
        stored, storage = job.file.name, job.file.storage
        audit_change(
            actor=actor,
            obj=job,
            action=AuditEntry.Action.DELETE,
            before={"Tệp": job.original_name, "Trạng thái": job.get_status_display()},
            summary="Bỏ phiên nhập",
        )
        job.delete()
        if stored:
            transaction.on_commit(lambda: storage.delete(stored))
