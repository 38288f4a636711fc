"""Writing, refreshing, submitting and issuing periodic reports. Views, the API and commands call these only.

Dự thảo (đầu mối edits) → Trình ký → Chờ ký (locked; lãnh đạo notified) → Ký ban hành → Đã ban hành,
or from Chờ ký back to Dự thảo: lãnh đạo returns it with a reason (đầu mối notified) or đầu mối withdraws it.
"""

import datetime
import hashlib
import json
import logging
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.http import Http404
from django.utils import timezone

from kehoach.core.audit import audit_change, snapshot
from kehoach.core.jobs import run_after_commit
from kehoach.core.models import AuditEntry
from kehoach.documents.document import OfficialDocument, place_date, two_digits
from kehoach.documents.http import render_file
from kehoach.documents.models import DocumentKind, OutgoingDocument
from kehoach.documents.naming import place_name, signature_parts
from kehoach.documents.services.register import (
    document_file,
    document_filename,
    document_issue,
    document_store_files,
    expected_number,
    symbol_for,
)
from kehoach.plans.models import Plan
from kehoach.plans.permissions import ensure_can_manage
from kehoach.tracking.choices import NotificationKind, PeriodKind, ReportStatus
from kehoach.tracking.models import Measurement
from kehoach.tracking.services.notifications import notify_on_commit, plan_leaders, plan_reviewers

from .builder import build_document, default_title
from .collect import bounds_of, collect
from .models import EDITABLE_FIELDS, Report, ReportState
from .payload import indicators_payload, report_payload
from .permissions import ensure_can_edit, ensure_can_issue, ensure_can_withdraw

log = logging.getLogger(__name__)


# Parts prefilled from the units' progress reports, and the field each comes from.
NARRATIVES = {"shortcomings": "difficulties", "next_steps": "next_steps", "proposals": "proposals"}
REQUIRED = {
    "title": "Trích yếu",
    "direction": "Công tác chỉ đạo, triển khai",
    "shortcomings": "Tồn tại, hạn chế và nguyên nhân",
    "next_steps": "Phương hướng, nhiệm vụ kỳ tới",
    "proposals": "Đề xuất, kiến nghị",
    "recipients": "Nơi nhận",
    "signer_name": "Họ tên người ký",
}


class ReportConflict(ValidationError):
    """Saved from an old version: someone else changed the report since it was opened."""


@dataclass(frozen=True)
class Blocker:
    """Why a report cannot be submitted or signed yet; `field` names the part to fill in, if that is why."""

    text: str
    field: str = ""


def _prefill_narrative(items: list[str], empty: str) -> str:
    return "\n".join(f"- {item}" for item in items) if items else empty


def prefill(report: Report, data: dict[str, Any]) -> dict[str, str]:
    """Suggested text for the editable parts, from the plan and the units' accepted progress reports."""
    plan = report.plan
    owner = plan.owner_unit
    lead = plan.lead_unit
    n = data["narratives"]
    task_count = plan.tasks.count()
    indicator_count = plan.indicators.count()
    date = f" ngày {plan.issued_on:%d/%m/%Y}" if plan.issued_on else ""
    number = f" số {plan.number}" if plan.number else ""
    lead_name = lead.name if lead else "đơn vị đầu mối"
    direction = (
        f"{owner.short_name or owner.name} đã ban hành Kế hoạch{number}{date}, giao {lead_name} "
        f"hướng dẫn, đôn đốc, tổng hợp; phân công {task_count:02d} nhiệm vụ và "
        f"{indicator_count:02d} chỉ tiêu cho các phòng, ban, đơn vị. "
        "Các đơn vị báo cáo tiến độ theo kỳ trên hệ thống; số liệu trong báo cáo này là số liệu "
        "đã được đầu mối kiểm tra, chấp nhận."
    )
    recipients = "\n".join(
        [
            "Sở Khoa học và Công nghệ thành phố (để b/c)",
            "TT Đảng ủy, TT HĐND xã (để b/c)",
            "Chủ tịch, các PCT UBND xã",
            "Các phòng, ban, đơn vị thuộc xã",
            f"Lưu: VT, {lead.short_name or lead.name}" if lead else "Lưu: VT",
        ]
    )
    return {
        "direction": direction,
        "shortcomings": _prefill_narrative(n["difficulties"], ""),
        "next_steps": _prefill_narrative(n["next_steps"], ""),
        "proposals": _prefill_narrative(n["proposals"], "Không có."),
        "recipients": recipients,
    }


def report_create(
    *, actor, plan: Plan, period_kind: str, period_number: int, today: datetime.date | None = None
) -> Report:
    ensure_can_manage(actor, plan)
    today = today or timezone.localdate()
    if period_kind not in PeriodKind.values:
        raise ValidationError({"period_kind": "Loại kỳ báo cáo không hợp lệ."})
    try:
        bounds_of(plan, period_kind, int(period_number))
    except (ValueError, TypeError) as exc:
        raise ValidationError({"period_number": str(exc)}) from None
    with transaction.atomic():
        report = Report(
            plan=plan, period_kind=period_kind, period_number=int(period_number), created_by=actor
        )
        data = collect(report, today=today)
        report.title = default_title(report, data)
        for field, value in prefill(report, data).items():
            setattr(report, field, value)
        authority, delegation, position = signature_parts(plan.signer_authority, plan.signer_position)
        report.signer_authority = authority or report.signer_authority
        report.signer_delegation = delegation
        report.signer_position = position or report.signer_position
        report.signer_name = plan.signer_name
        try:
            with transaction.atomic():
                report.save()
        except IntegrityError:
            raise ValidationError(
                {
                    "period_kind": f"Đã có dự thảo báo cáo {report.period_label} (chưa ban hành, có thể đang "
                    "chờ ký); hãy mở dự thảo đó trong danh sách báo cáo."
                }
            ) from None
        audit_change(
            actor=actor,
            obj=report,
            action=AuditEntry.Action.CREATE,
            after=snapshot(report, extra={"kỳ": report.period_label}),
            context=plan,
            summary=f"Lập dự thảo báo cáo {report.period_label}",
        )
    return report


def _locked(report: Report) -> Report:
    return (
        Report.objects.select_for_update()
        .select_related("plan__owner_unit", "plan__lead_unit")
        .get(pk=report.pk)
    )


def report_update(*, actor, report: Report, data: dict[str, Any], version: int | None = None) -> Report:
    """Change the editable parts of a draft. `version` is what the editor opened; an older one is refused."""
    ensure_can_edit(actor, report)
    with transaction.atomic():
        current = _locked(report)
        ensure_can_edit(actor, current)
        if version is not None and int(version) != current.version:
            who = current.updated_at.astimezone(timezone.get_current_timezone())
            raise ReportConflict(
                f"Dự thảo vừa được người khác sửa lúc {who:%H:%M %d/%m/%Y} trong lúc bạn sửa; "
                "nội dung bạn nhập vẫn còn trên màn hình, xin tải lại để xem bản mới rồi sửa tiếp."
            )
        before = snapshot(current)
        for field in EDITABLE_FIELDS:
            if field in data:
                value = (data[field] or "").strip()
                setattr(current, field, value)
        if not current.title:
            raise ValidationError({"title": "Trích yếu không được để trống."})
        current.version += 1
        current.full_clean(exclude=["plan", "document", "issued_by", "created_by", "data"])
        current.save()
        audit_change(
            actor=actor,
            obj=current,
            action=AuditEntry.Action.UPDATE,
            before=before,
            after=snapshot(current),
            context=current.plan,
            summary=f"Sửa dự thảo báo cáo {current.period_label}",
        )
    return current


def report_refill(*, actor, report: Report, fields: list[str], today: datetime.date | None = None) -> Report:
    """Replace parts of a draft with fresh suggestions from the units' latest accepted reports."""
    ensure_can_edit(actor, report)
    data = collect(report, today=today or timezone.localdate())
    suggested = prefill(report, data)
    changes = {field: suggested[field] for field in fields if field in suggested}
    if not changes:
        raise ValidationError("Không có mục nào để lấy lại.")
    return report_update(actor=actor, report=report, data=changes)


def report_delete(*, actor, report: Report) -> None:
    ensure_can_edit(actor, report)
    with transaction.atomic():
        # Issued meanwhile? Then it is no longer a draft and stays.
        report = _locked(report)
        ensure_can_edit(actor, report)
        audit_change(
            actor=actor,
            obj=report,
            action=AuditEntry.Action.DELETE,
            before=snapshot(report),
            context=report.plan,
            summary=f"Xóa dự thảo báo cáo {report.period_label}",
        )
        report.delete()


def missing_parts(report: Report) -> list[str]:
    return [label for field, label in REQUIRED.items() if not getattr(report, field).strip()]


def blockers(
    report: Report, *, today: datetime.date | None = None, action: str = "trình ký"
) -> list[Blocker]:
    """What stops the report from being submitted (or signed) today: empty required parts, each named
    with its field so the page links to it, a period whose data cut-off has not come yet, and, to
    submit, a commune without a leader's account to sign."""
    today = today or timezone.localdate()
    found = [
        Blocker(f"Mục “{label}” còn trống.", field)
        for field, label in REQUIRED.items()
        if not getattr(report, field).strip()
    ]
    bounds = bounds_of(report.plan, report.period_kind, report.period_number)
    if today < bounds.ends_on:
        found.append(
            Blocker(
                f"Kỳ {report.period_label} chốt số liệu ngày {bounds.ends_on:%d/%m/%Y}: {action} được "
                "từ ngày đó. Trong lúc chờ, dự thảo vẫn sửa được và số liệu luôn cập nhật đến hôm nay."
            )
        )
    if action == "trình ký" and not plan_leaders(report.plan):
        found.append(
            Blocker(
                f"{report.plan.owner_unit} chưa có tài khoản lãnh đạo nào để ký; "
                "đề nghị quản trị gán vai trò lãnh đạo trước khi trình ký."
            )
        )
    return found


def _refuse(found: list[Blocker], action: str) -> None:
    if found:
        raise ValidationError(f"Chưa {action} được: " + " ".join(b.text for b in found))


def _state_event(actor, report: Report, before_state: str, summary: str, extra: dict | None = None) -> None:
    audit_change(
        actor=actor,
        obj=report,
        action=AuditEntry.Action.EVENT,
        before={"Trạng thái": ReportState(before_state).label},
        after={"Trạng thái": report.get_state_display(), **(extra or {})},
        context=report.plan,
        summary=summary,
    )


def report_submit(
    *, actor, report: Report, version: int | None = None, today: datetime.date | None = None
) -> Report:
    """Trình ký: đầu mối hands the finished draft to lãnh đạo, who are notified. The draft is locked
    until it is signed, returned or withdrawn."""
    today = today or timezone.localdate()
    ensure_can_edit(actor, report)
    with transaction.atomic():
        current = _locked(report)
        ensure_can_edit(actor, current)
        if version not in (None, "") and int(version) != current.version:
            raise ReportConflict("Dự thảo vừa được người khác sửa; xin xem lại nội dung mới rồi trình ký.")
        _refuse(blockers(current, today=today), "trình ký")
        current.state = ReportState.SUBMITTED
        current.submitted_at, current.submitted_by = timezone.now(), actor
        current.return_reason = ""
        current.version += 1
        current.save()
        _state_event(actor, current, ReportState.DRAFT, f"Trình ký báo cáo {current.period_label}")
        plan = current.plan
        notify_on_commit(
            users=plan_leaders(plan),
            kind=NotificationKind.SIGN,
            key=f"report-sign:{current.pk}:{current.version}",
            title=f"{actor} trình ký báo cáo {current.period_label} – {plan.number or plan.title}",
            body=current.title,
            url=current.get_absolute_url(),
        )
    return current


def report_return(*, actor, report: Report, reason: str) -> Report:
    """Lãnh đạo sends the report awaiting signature back to đầu mối with what to change."""
    ensure_can_issue(actor, report, action="trả lại")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Cần ghi lý do trả lại để đầu mối biết phải sửa gì."})
    with transaction.atomic():
        current = _locked(report)
        ensure_can_issue(actor, current, action="trả lại")
        current.state = ReportState.DRAFT
        current.returned_at, current.returned_by = timezone.now(), actor
        current.return_reason = reason
        current.version += 1
        current.save()
        _state_event(
            actor,
            current,
            ReportState.SUBMITTED,
            f"Trả lại báo cáo {current.period_label}: {reason}",
            {"Lý do trả lại": reason},
        )
        users = plan_reviewers(current.plan)
        if current.submitted_by_id and current.submitted_by.is_active:
            users.append(current.submitted_by)
        notify_on_commit(
            users=users,
            kind=NotificationKind.RETURNED,
            key=f"report-returned:{current.pk}:{current.version}",
            title=f"{actor} trả lại dự thảo báo cáo {current.period_label}: {reason}"[:300],
            body=reason,
            url=current.get_absolute_url(),
        )
    return current


def report_withdraw(*, actor, report: Report) -> Report:
    """Đầu mối takes back a report awaiting signature to change it; it must be submitted again."""
    ensure_can_withdraw(actor, report)
    with transaction.atomic():
        current = _locked(report)
        ensure_can_withdraw(actor, current)
        current.state = ReportState.DRAFT
        current.version += 1
        current.save()
        _state_event(actor, current, ReportState.SUBMITTED, f"Rút lại báo cáo {current.period_label} để sửa")
    return current


@dataclass(frozen=True)
class SigningPreview:
    """What the leader confirms before signing: the number the register will give, the date, recipients."""

    number_symbol: str
    earliest: datetime.date
    today: datetime.date
    place: str
    recipients: list[str]
    signer: list[str]

    def place_date(self, issued_on: datetime.date | None) -> str:
        """The date line as the signed document will print it: "Hà Bắc, ngày 07 tháng 12 năm 2026"."""
        return place_date(self.place, issued_on) if issued_on else ""


def signing_preview(report: Report, *, today: datetime.date | None = None) -> SigningPreview:
    today = today or timezone.localdate()
    issuer = report.plan.owner_unit
    number = expected_number(issuer, today.year)
    bounds = bounds_of(report.plan, report.period_kind, report.period_number)
    plan = report.plan
    return SigningPreview(
        number_symbol=f"{two_digits(number)}/{symbol_for(DocumentKind.REPORT, issuer)}",
        earliest=bounds.ends_on,
        today=today,
        place=plan.place or place_name(plan.issuer_name or issuer.name),
        recipients=[line.strip(" -;.") for line in report.recipients.splitlines() if line.strip(" -;.")],
        signer=[
            x
            for x in (
                report.signer_authority,
                report.signer_delegation,
                report.signer_position,
                report.signer_name,
            )
            if x
        ],
    )


def report_document(report: Report, *, today: datetime.date | None = None) -> OfficialDocument:
    """The document as it reads now: frozen content once issued, else the draft from live data."""
    if report.is_issued and report.document_id:
        return OfficialDocument.from_dict(report.document.content)
    data = collect(report, today=today or timezone.localdate())
    return build_document(report, data)


def report_file(report: Report, ext: str) -> tuple[bytes, str]:
    """The report as a PDF or DOCX and its file name: the issued file, or the draft rendered now."""
    if not report.is_issued:
        stamp = timezone.localdate().strftime("%d-%m-%Y")
        filename = f"Dự thảo báo cáo {report.period_label} {stamp}.{ext}"
        return render_file(report_document(report), ext), filename
    if report.document is None:
        # Recorded as issued elsewhere (an import, the city's synthetic communes): no frozen file to give.
        raise Http404("Báo cáo này được ghi nhận từ hệ thống khác, không có văn bản lưu trong sổ văn bản đi.")
    return document_file(report.document, ext), document_filename(report.document, ext)


def report_issue(
    *,
    actor,
    report: Report,
    issued_on: datetime.date | None = None,
    today: datetime.date | None = None,
    version: int | None = None,
) -> Report:
    """Sign and issue a report awaiting signature: take the next number from the register, freeze data
    and document, queue delivery.

    One transaction: the number, the frozen report and the outbox entry commit together or not at all.
    """
    today = today or timezone.localdate()
    issued_on = issued_on or today
    ensure_can_issue(actor, report)
    with transaction.atomic():
        report = _locked(report)
        ensure_can_issue(actor, report)
        if version is not None and int(version) != report.version:
            # The leader signs what they read: a change since then must be read first.
            raise ReportConflict(
                "Dự thảo đã được sửa sau khi bạn mở để ký; xin xem lại nội dung mới rồi ký ban hành."
            )
        bounds = bounds_of(report.plan, report.period_kind, report.period_number)
        if issued_on < bounds.ends_on:
            raise ValidationError(
                {
                    "issued_on": f"Kỳ {report.period_label} chốt số liệu ngày {bounds.ends_on:%d/%m/%Y}; "
                    "chưa ban hành báo cáo trước ngày đó được."
                }
            )
        if issued_on > today:
            raise ValidationError({"issued_on": "Ngày ban hành không được sau ngày hôm nay."})
        missing = missing_parts(report)
        if missing:
            raise ValidationError(f"Chưa ban hành được: các mục sau còn trống: {', '.join(missing)}.")
        data = collect(report, today=issued_on)
        before_state = report.state
        entry = document_issue(
            actor=actor,
            issuer=report.plan.owner_unit,
            kind=DocumentKind.REPORT,
            title=report.title,
            issued_on=issued_on,
            build=lambda number, symbol: build_document(
                report, data, number=number, symbol=symbol, issued_on=issued_on
            ),
            signer_name=report.signer_name,
            signer_position=" ".join(x for x in (report.signer_delegation, report.signer_position) if x),
            recipients=report.recipients,
            source_type="reports.report",
            source_id=report.pk,
        )
        report.data = data
        report.document = entry
        report.state = ReportState.ISSUED
        report.issued_at = timezone.now()
        report.issued_by = actor
        report.version += 1
        report.save()
        _state_event(
            actor,
            report,
            before_state,
            f"Ký ban hành báo cáo {report.period_label}, số {entry.number_symbol}",
            {"Số, ký hiệu": entry.number_symbol, "Ngày ban hành": issued_on},
        )
        _queue_delivery(actor, report)
        # Files are rendered once the issue has committed; until then (or if it fails) they render on demand.
        transaction.on_commit(
            lambda: run_after_commit(
                _store_files, entry.pk, name=f"document-files-{entry.pk}", on_crash=lambda pk: None
            )
        )
    return report


def _store_files(entry_pk: int) -> None:
    try:
        document_store_files(OutgoingDocument.objects.get(pk=entry_pk))
    except Exception:
        # The report is issued; downloads render from the frozen content until the files exist.
        log.exception("Rendering the files of document %s failed", entry_pk)


def _queue_delivery(actor, report: Report) -> None:
    from kehoach.exchange.services import enqueue

    entry = report.document
    enqueue(
        kind="report.issued",
        payload=report_payload(report),
        # One key per issued document, unique across installations (database ids are not): re-sending
        # the same report never creates a second copy upstream, and two communes never collide.
        key=f"kehoach:report:{entry.uid}",
        unit=report.plan.owner_unit,
        source_type="reports.report",
        source_id=report.pk,
        summary=f"Báo cáo số {entry.number_symbol} – {report.period_label}",
        actor=actor,
    )


def indicators_send(
    *, actor, plan: Plan, period_kind: str, period_number: int, today: datetime.date | None = None
):
    """Queue a period's accepted indicator values for the city's system.

    The key is the hash of what is sent: sending unchanged figures again is a no-op, changed figures
    go as a new delivery. Sender name and plan number are part of it, so communes never collide.
    """
    from kehoach.exchange.services import enqueue

    ensure_can_manage(actor, plan)
    today = today or timezone.localdate()
    try:
        bounds = bounds_of(plan, period_kind, int(period_number))
    except (ValueError, TypeError) as exc:
        raise ValidationError({"period": str(exc)}) from None
    if today <= bounds.ends_on:
        raise ValidationError(
            {
                "period": f"Kỳ {bounds.label} chốt số liệu ngày {bounds.ends_on:%d/%m/%Y}; "
                "chưa gửi số liệu được."
            }
        )
    data = collect(Report(plan=plan, period_kind=period_kind, period_number=int(period_number)), today=today)
    payload = indicators_payload(data)
    if not any(item["value"] is not None for item in payload["indicators"]):
        raise ValidationError({"period": f"Kỳ {bounds.label} chưa có số liệu chỉ tiêu nào được chấp nhận."})
    # The latest acceptance makes figures that went A → B → A a new delivery; unchanged ones are not.
    period_id = data["period"]["source_period_id"]
    revision = Measurement.objects.filter(period_id=period_id, status=ReportStatus.ACCEPTED).aggregate(
        latest=Max("reviewed_at"), last_change=Max("updated_at")
    )
    stamp = {k: v.isoformat() if v else None for k, v in revision.items()}
    digest = hashlib.sha256(
        json.dumps([payload, stamp], sort_keys=True, ensure_ascii=False).encode()
    ).hexdigest()
    with transaction.atomic():
        return enqueue(
            kind="indicators.period",
            payload=payload,
            key=f"kehoach:indicators:{digest}",
            unit=plan.owner_unit,
            source_type="plans.plan",
            source_id=plan.pk,
            summary=f"Số liệu chỉ tiêu {bounds.label} – {plan.number or plan.title}"[:300],
            actor=actor,
        )
