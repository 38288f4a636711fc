"""Progress reports (báo cáo tiến độ): who opens them in which role, drafts, submission rules,
review by the đầu mối, the transitions that are refused, task completion, audit, notifications
after commit, and two people saving the same report.
"""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from kehoach.core.audit import history_for
from kehoach.core.models import AuditEntry
from kehoach.plans.choices import TaskStatus, TaskUnitRole
from kehoach.plans.models import Task, TaskUnit
from kehoach.plans.selectors import tasks_with_units
from kehoach.tracking.choices import NotificationKind, PeriodKind, ReporterRole, ReportStatus
from kehoach.tracking.models import Notification, Period, ProgressReport
from kehoach.tracking.services import progress as progress_services
from kehoach.tracking.services.evidence import evidence_add
from kehoach.tracking.services.workflow import ConflictError

DAY = datetime.timedelta(days=1)
VH_XH = "Phòng VH-XH"
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"

# Labels under which snapshots and conflicts name the fields.
PERCENT = "tỷ lệ hoàn thành (%)"
RESULTS = "kết quả đạt được"
COMPLETED_ON = "ngày hoàn thành"
STATUS = "Trạng thái"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def q2(habac):
    return Period.objects.get(plan=habac, kind=PeriodKind.QUARTER, number=2)


@pytest.fixture
def q3(habac):
    return Period.objects.get(plan=habac, kind=PeriodKind.QUARTER, number=3)


def task_at(plan, position: int) -> Task:
    return tasks_with_units(Task.objects.filter(plan=plan, position=position)).get()


@pytest.fixture
def task4(habac):
    """ "Tuyên truyền … UPU": Phòng VH-XH and TT DVSNC lead, output "Bài tuyên truyền"."""
    return task_at(habac, 4)


@pytest.fixture
def task5(habac):
    """ "Triển khai kế hoạch chuyển đổi số xã": Phòng VH-XH leads, "các phòng, cơ quan, đơn vị" coordinate."""
    return task_at(habac, 5)


@pytest.fixture
def vhxh_unit(units):
    return units[VH_XH]


def open_report(actor, task, period, unit) -> ProgressReport:
    return progress_services.progress_report_open(actor=actor, task=task, period=period, unit=unit)


def save(actor, report, version=None, **data) -> ProgressReport:
    return progress_services.progress_report_save(actor=actor, report=report, data=data, version=version)


def submitted(actor, task, period, unit, **data) -> ProgressReport:
    report = open_report(actor, task, period, unit)
    report = save(actor, report, **{"results": "Đã triển khai trong kỳ", **data})
    return progress_services.progress_report_submit(actor=actor, report=report)


def add_output(actor, report, name="bai-tuyen-truyen.pdf"):
    return evidence_add(actor=actor, upload=SimpleUploadedFile(name, PDF), report=report, is_output=True)


def completed_lead_report(actor, task, period, unit, completed_on) -> ProgressReport:
    """A lead report claiming the task's output, with evidence of it, submitted."""
    report = open_report(actor, task, period, unit)
    add_output(actor, report)
    report = save(
        actor,
        report,
        percent_complete=100,
        output_delivered=True,
        completed_on=completed_on,
        results="Đã đăng 12 bài tuyên truyền về Cuộc thi UPU",
        outputs="12 bài tuyên truyền",
    )
    return progress_services.progress_report_submit(actor=actor, report=report)


def errors_of(exc_info) -> dict:
    return exc_info.value.message_dict


# Opening a report ----------------------------------------------------------------------------------


def test_lead_unit_staff_opens_a_lead_draft(habac, users, task5, q2, vhxh_unit):
    report = open_report(users["vhxh"], task5, q2, vhxh_unit)
    assert (report.role, report.status, report.version, report.percent_complete) == (
        ReporterRole.LEAD,
        ReportStatus.DRAFT,
        1,
        0,
    )
    assert (report.task, report.period, report.unit) == (task5, q2, vhxh_unit)
    entry = history_for(report).get()
    assert (entry.action, entry.actor) == (AuditEntry.Action.CREATE, users["vhxh"])


def test_opening_twice_returns_the_same_report(habac, users, task5, q2, vhxh_unit):
    first = open_report(users["vhxh"], task5, q2, vhxh_unit)
    second = open_report(users["daumoi"], task5, q2, vhxh_unit)
    assert first.pk == second.pk
    assert ProgressReport.objects.count() == 1
    assert history_for(first).count() == 1


def test_daumoi_of_the_unit_may_open_its_report(habac, users, task5, q2, vhxh_unit):
    assert open_report(users["daumoi"], task5, q2, vhxh_unit).role == ReporterRole.LEAD


def test_second_lead_unit_reports_as_lead(habac, users, units, task4, q2):
    report = open_report(users["dvsnc"], task4, q2, units["TT DVSNC"])
    assert report.role == ReporterRole.LEAD


@pytest.mark.parametrize(
    "username, unit_name",
    [
        ("congan", "Công an xã"),
        ("kinhte", "Phòng KT"),
        ("dvsnc", "TT DVSNC"),
        ("mttq", "UBMTTQ Việt Nam xã"),
    ],
)
def test_every_commune_unit_may_open_a_coordinating_part_of_an_all_units_task(
    habac, users, units, task5, q2, username, unit_name
):
    report = open_report(users[username], task5, q2, units[unit_name])
    assert report.role == ReporterRole.COORDINATE


def test_a_unit_not_involved_is_refused(habac, users, units, task5, q2):
    Task.objects.filter(pk=task5.pk).update(coordinates_all_units=False)
    task = task_at(habac, 5)
    with pytest.raises(ValidationError) as exc_info:
        open_report(users["congan"], task, q2, units["Công an xã"])
    assert exc_info.value.messages == ["Công an xã không chủ trì hay phối hợp nhiệm vụ này."]
    assert not ProgressReport.objects.exists()


def test_a_named_coordinating_unit_opens_a_coordinating_part(habac, users, units, task5, q2):
    Task.objects.filter(pk=task5.pk).update(coordinates_all_units=False)
    TaskUnit.objects.create(task=task5, unit=units["Công an xã"], role=TaskUnitRole.COORDINATE, position=1)
    task = task_at(habac, 5)
    assert open_report(users["congan"], task, q2, units["Công an xã"]).role == ReporterRole.COORDINATE
    with pytest.raises(ValidationError, match="Phòng Kinh tế không chủ trì hay phối hợp"):
        open_report(users["kinhte"], task, q2, units["Phòng KT"])


def test_a_unit_of_another_commune_is_not_one_of_all_units(habac, other_city, task5, q2):
    with pytest.raises(ValidationError, match="không chủ trì hay phối hợp"):
        open_report(other_city["coordinator"], task5, q2, other_city["office"])


@pytest.mark.parametrize("username", ["congan", "kinhte", "lanhdao", "captren", "quantri"])
def test_a_user_of_another_unit_cannot_open_its_report(habac, users, task5, q2, vhxh_unit, username):
    with pytest.raises(PermissionDenied):
        open_report(users[username], task5, q2, vhxh_unit)
    assert not ProgressReport.objects.exists()


def test_staff_cannot_open_a_report_for_another_unit(habac, users, units, task5, q2):
    with pytest.raises(PermissionDenied):
        open_report(users["vhxh"], task5, q2, units["Công an xã"])


def test_a_period_of_another_plan_is_refused(habac, users, other_city, task5, vhxh_unit):
    from kehoach.tracking.services.periods import periods_sync

    foreign = periods_sync(plan=other_city["plan"])[0]
    with pytest.raises(ValidationError, match="không thuộc kế hoạch"):
        open_report(users["vhxh"], task5, foreign, vhxh_unit)


def test_a_new_period_starts_from_the_last_accepted_percent(habac, users, task5, q2, q3, vhxh_unit):
    report = submitted(users["vhxh"], task5, q2, vhxh_unit, percent_complete=40)
    progress_services.progress_report_accept(actor=users["daumoi"], report=report)
    assert open_report(users["vhxh"], task5, q3, vhxh_unit).percent_complete == 40


# Drafts ------------------------------------------------------------------------------------------


def test_saving_a_draft_bumps_the_version_and_is_audited(habac, users, task5, q2, vhxh_unit):
    vhxh = users["vhxh"]
    report = open_report(vhxh, task5, q2, vhxh_unit)
    report = save(vhxh, report, version=1, percent_complete=40, results="Đã ban hành kế hoạch")
    report.refresh_from_db()
    assert (report.percent_complete, report.results, report.version) == (40, "Đã ban hành kế hoạch", 2)
    assert report.status == ReportStatus.DRAFT
    entry = history_for(report).filter(action=AuditEntry.Action.UPDATE).get()
    assert entry.actor == vhxh
    assert entry.changes == {PERCENT: [0, 40], RESULTS: ["", "Đã ban hành kế hoạch"]}


@pytest.mark.parametrize(
    "data, field, fragment",
    [
        ({"percent_complete": 101}, "percent_complete", "Tỷ lệ hoàn thành phải từ 0 đến 100%."),
        ({"percent_complete": -1}, "percent_complete", "Tỷ lệ hoàn thành phải từ 0 đến 100%."),
        ("tomorrow", "completed_on", "Ngày hoàn thành không được sau ngày hôm nay."),
    ],
)
def test_draft_validation_names_the_field(habac, users, task5, q2, vhxh_unit, today, data, field, fragment):
    if data == "tomorrow":
        data = {"completed_on": today + DAY}
    vhxh = users["vhxh"]
    report = open_report(vhxh, task5, q2, vhxh_unit)
    with pytest.raises(ValidationError) as exc_info:
        save(vhxh, report, version=1, **data)
    assert errors_of(exc_info) == {field: [fragment]}
    report.refresh_from_db()
    assert (report.version, report.percent_complete, report.completed_on) == (1, 0, None)
    assert not history_for(report).filter(action=AuditEntry.Action.UPDATE).exists()


def test_a_coordinating_unit_cannot_claim_the_task_output(habac, users, units, task5, q2):
    report = open_report(users["congan"], task5, q2, units["Công an xã"])
    with pytest.raises(ValidationError) as exc_info:
        save(users["congan"], report, output_delivered=True)
    assert errors_of(exc_info) == {
        "output_delivered": ["Chỉ đơn vị chủ trì xác nhận đã có kết quả/sản phẩm của nhiệm vụ."]
    }


@pytest.mark.parametrize("username", ["congan", "lanhdao", "captren", "quantri"])
def test_only_the_units_people_edit_its_draft(habac, users, task5, q2, vhxh_unit, username):
    report = open_report(users["vhxh"], task5, q2, vhxh_unit)
    with pytest.raises(PermissionDenied):
        save(users[username], report, results="Sửa hộ")
    report.refresh_from_db()
    assert report.results == ""


# Submission rules ----------------------------------------------------------------------------------


def test_submit_needs_results(habac, users, task5, q2, vhxh_unit):
    vhxh = users["vhxh"]
    report = open_report(vhxh, task5, q2, vhxh_unit)
    save(vhxh, report, results="   ", percent_complete=30)
    with pytest.raises(ValidationError) as exc_info:
        progress_services.progress_report_submit(actor=vhxh, report=report)
    assert errors_of(exc_info) == {"results": ["Cần ghi kết quả đạt được trong kỳ trước khi gửi."]}
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT


def test_lead_report_at_100_percent_needs_output_date_and_evidence(habac, users, task4, q2, vhxh_unit):
    vhxh = users["vhxh"]
    report = open_report(vhxh, task4, q2, vhxh_unit)
    save(vhxh, report, results="Đã hoàn thành", percent_complete=100)
    with pytest.raises(ValidationError) as exc_info:
        progress_services.progress_report_submit(actor=vhxh, report=report)
    errors = errors_of(exc_info)
    assert set(errors) == {"output_delivered", "completed_on", "evidence"}
    assert errors["output_delivered"] == ["Nhiệm vụ hoàn thành 100% cần xác nhận đã có “Bài tuyên truyền”."]
    assert errors["completed_on"] == ["Cần ghi ngày hoàn thành nhiệm vụ."]
    assert "Bài tuyên truyền" in errors["evidence"][0]
    assert ProgressReport.objects.get(pk=report.pk).status == ReportStatus.DRAFT


def test_lead_report_with_output_delivered_needs_100_percent(habac, users, task4, q2, vhxh_unit, today):
    vhxh = users["vhxh"]
    report = open_report(vhxh, task4, q2, vhxh_unit)
    add_output(vhxh, report)
    save(
        vhxh, report, results="Đã có sản phẩm", percent_complete=60, output_delivered=True, completed_on=today
    )
    with pytest.raises(ValidationError) as exc_info:
        progress_services.progress_report_submit(actor=vhxh, report=report)
    assert errors_of(exc_info) == {
        "percent_complete": ["Đã có kết quả/sản phẩm thì tỷ lệ hoàn thành phải là 100%."]
    }


def test_evidence_not_marked_as_output_does_not_count(habac, users, task4, q2, vhxh_unit, today):
    vhxh = users["vhxh"]
    report = open_report(vhxh, task4, q2, vhxh_unit)
    evidence_add(actor=vhxh, upload=SimpleUploadedFile("anh.pdf", PDF), report=report, is_output=False)
    save(vhxh, report, results="Xong", percent_complete=100, output_delivered=True, completed_on=today)
    with pytest.raises(ValidationError) as exc_info:
        progress_services.progress_report_submit(actor=vhxh, report=report)
    assert set(errors_of(exc_info)) == {"evidence"}


def test_complete_lead_report_is_submitted(habac, users, task4, q2, vhxh_unit, today):
    report = completed_lead_report(users["vhxh"], task4, q2, vhxh_unit, today - DAY)
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    assert report.submitted_by == users["vhxh"]
    assert report.submitted_at is not None


def test_a_coordinating_part_at_100_percent_needs_no_output(habac, users, units, task5, q2):
    report = submitted(users["congan"], task5, q2, units["Công an xã"], percent_complete=100)
    assert report.status == ReportStatus.SUBMITTED


# Review ------------------------------------------------------------------------------------------


def test_daumoi_accepts_a_submitted_report(habac, users, task5, q2, vhxh_unit):
    report = submitted(users["vhxh"], task5, q2, vhxh_unit, percent_complete=30)
    report = progress_services.progress_report_accept(actor=users["daumoi"], report=report)
    report.refresh_from_db()
    assert (report.status, report.reviewed_by) == (ReportStatus.ACCEPTED, users["daumoi"])
    assert report.is_locked and not report.is_editable_by_unit
    entry = history_for(report).order_by("-pk").first()
    assert (entry.action, entry.actor, entry.summary) == (
        AuditEntry.Action.EVENT,
        users["daumoi"],
        "Chấp nhận báo cáo",
    )
    assert entry.changes == {STATUS: ["Đã gửi", "Đã chấp nhận"]}


@pytest.mark.parametrize("username", ["vhxh", "lanhdao", "captren", "quantri", "congan"])
def test_only_daumoi_accepts_returns_and_reopens(habac, users, task5, q2, vhxh_unit, username):
    actor = users[username]
    report = submitted(users["vhxh"], task5, q2, vhxh_unit)
    with pytest.raises(PermissionDenied):
        progress_services.progress_report_accept(actor=actor, report=report)
    with pytest.raises(PermissionDenied):
        progress_services.progress_report_return(actor=actor, report=report, reason="Thiếu minh chứng")
    progress_services.progress_report_accept(actor=users["daumoi"], report=report)
    with pytest.raises(PermissionDenied):
        progress_services.progress_report_reopen(actor=actor, report=report, reason="Sửa lại")
    assert ProgressReport.objects.get(pk=report.pk).status == ReportStatus.ACCEPTED


def test_other_city_coordinator_cannot_review(habac, users, other_city, task5, q2, vhxh_unit):
    report = submitted(users["vhxh"], task5, q2, vhxh_unit)
    with pytest.raises(PermissionDenied):
        progress_services.progress_report_accept(actor=other_city["coordinator"], report=report)
    with pytest.raises(PermissionDenied):
        progress_services.progress_report_return(actor=other_city["coordinator"], report=report, reason="x")
    assert ProgressReport.objects.get(pk=report.pk).status == ReportStatus.SUBMITTED


@pytest.mark.parametrize("reason", ["", "  \n "])
def test_return_needs_a_reason(habac, users, task5, q2, vhxh_unit, reason):
    report = submitted(users["vhxh"], task5, q2, vhxh_unit)
    with pytest.raises(ValidationError) as exc_info:
        progress_services.progress_report_return(actor=users["daumoi"], report=report, reason=reason)
    assert errors_of(exc_info) == {"reason": ["Cần ghi lý do trả lại để đơn vị biết phải sửa gì."]}
    assert ProgressReport.objects.get(pk=report.pk).status == ReportStatus.SUBMITTED


def test_returned_report_is_editable_and_can_be_sent_again(habac, users, task5, q2, vhxh_unit):
    vhxh, daumoi = users["vhxh"], users["daumoi"]
    report = submitted(vhxh, task5, q2, vhxh_unit, percent_complete=30)
    report = progress_services.progress_report_return(actor=daumoi, report=report, reason="  Thiếu số liệu  ")
    report.refresh_from_db()
    assert (report.status, report.return_reason, report.reviewed_by) == (
        ReportStatus.RETURNED,
        "Thiếu số liệu",
        daumoi,
    )
    assert report.is_editable_by_unit
    report = save(vhxh, report, version=report.version, results="Đã bổ sung số liệu")
    report = progress_services.progress_report_submit(actor=vhxh, report=report)
    report = progress_services.progress_report_accept(actor=daumoi, report=report)
    report.refresh_from_db()
    assert (report.status, report.return_reason) == (ReportStatus.ACCEPTED, "")


@pytest.mark.parametrize("reason", ["", "   "])
def test_reopen_needs_a_reason(habac, users, task5, q2, vhxh_unit, reason):
    report = submitted(users["vhxh"], task5, q2, vhxh_unit)
    report = progress_services.progress_report_accept(actor=users["daumoi"], report=report)
    with pytest.raises(ValidationError) as exc_info:
        progress_services.progress_report_reopen(actor=users["daumoi"], report=report, reason=reason)
    assert errors_of(exc_info) == {"reason": ["Cần ghi lý do mở lại báo cáo."]}
    assert ProgressReport.objects.get(pk=report.pk).status == ReportStatus.ACCEPTED


def test_daumoi_reopens_an_accepted_report_for_correction(habac, users, task5, q2, vhxh_unit):
    report = submitted(users["vhxh"], task5, q2, vhxh_unit)
    report = progress_services.progress_report_accept(actor=users["daumoi"], report=report)
    report = progress_services.progress_report_reopen(
        actor=users["daumoi"], report=report, reason="Sai số liệu"
    )
    report.refresh_from_db()
    assert (report.status, report.return_reason) == (ReportStatus.RETURNED, "Sai số liệu")
    assert report.is_editable_by_unit
    entry = history_for(report).order_by("-pk").first()
    assert entry.summary == "Mở lại báo cáo đã chấp nhận: Sai số liệu"
    assert entry.changes == {STATUS: ["Đã chấp nhận", "Trả lại"]}


# Transitions that are not allowed ------------------------------------------------------------------


def test_accepting_a_draft_is_refused(habac, users, task5, q2, vhxh_unit):
    report = open_report(users["vhxh"], task5, q2, vhxh_unit)
    with pytest.raises(ValidationError) as exc_info:
        progress_services.progress_report_accept(actor=users["daumoi"], report=report)
    assert exc_info.value.messages == ["Chỉ chấp nhận được báo cáo đã gửi."]


def test_returning_a_draft_or_an_accepted_report_is_refused(habac, users, task5, q2, vhxh_unit):
    daumoi = users["daumoi"]
    draft = open_report(users["vhxh"], task5, q2, vhxh_unit)
    with pytest.raises(ValidationError, match="Chỉ trả lại được báo cáo đã gửi"):
        progress_services.progress_report_return(actor=daumoi, report=draft, reason="x")
    report = progress_services.progress_report_submit(
        actor=users["vhxh"], report=save(users["vhxh"], draft, results="Xong phần việc")
    )
    report = progress_services.progress_report_accept(actor=daumoi, report=report)
    with pytest.raises(ValidationError) as exc_info:
        progress_services.progress_report_return(actor=daumoi, report=report, reason="x")
    assert exc_info.value.messages == ["Chỉ trả lại được báo cáo đã gửi."]
    assert ProgressReport.objects.get(pk=report.pk).status == ReportStatus.ACCEPTED


def test_accepting_twice_is_refused(habac, users, task5, q2, vhxh_unit):
    report = submitted(users["vhxh"], task5, q2, vhxh_unit)
    report = progress_services.progress_report_accept(actor=users["daumoi"], report=report)
    with pytest.raises(ValidationError, match="Chỉ chấp nhận được báo cáo đã gửi"):
        progress_services.progress_report_accept(actor=users["daumoi"], report=report)


def test_reopening_a_report_that_is_not_accepted_is_refused(habac, users, task5, q2, vhxh_unit):
    report = submitted(users["vhxh"], task5, q2, vhxh_unit)
    with pytest.raises(ValidationError) as exc_info:
        progress_services.progress_report_reopen(actor=users["daumoi"], report=report, reason="x")
    assert exc_info.value.messages == ["Chỉ mở lại được báo cáo đã chấp nhận."]


def test_a_submitted_report_cannot_be_edited_or_sent_again(habac, users, task5, q2, vhxh_unit):
    vhxh = users["vhxh"]
    report = submitted(vhxh, task5, q2, vhxh_unit, percent_complete=30)
    with pytest.raises(ValidationError) as exc_info:
        save(vhxh, report, version=report.version, percent_complete=90)
    assert exc_info.value.messages == ["Báo cáo đã gửi, đang chờ đầu mối xem xét: không sửa được."]
    with pytest.raises(ValidationError, match="đang chờ đầu mối xem xét"):
        progress_services.progress_report_submit(actor=vhxh, report=report)
    report.refresh_from_db()
    assert (report.percent_complete, report.status) == (30, ReportStatus.SUBMITTED)


def test_an_accepted_report_cannot_be_edited(habac, users, task5, q2, vhxh_unit):
    vhxh = users["vhxh"]
    report = submitted(vhxh, task5, q2, vhxh_unit, percent_complete=30)
    report = progress_services.progress_report_accept(actor=users["daumoi"], report=report)
    for actor in (vhxh, users["daumoi"]):
        with pytest.raises(ValidationError) as exc_info:
            save(actor, report, version=report.version, percent_complete=90)
        assert exc_info.value.messages == [
            "Báo cáo đã được chấp nhận và đã khóa; cần đầu mối mở lại nếu phải sửa."
        ]
    with pytest.raises(ValidationError, match="đã được chấp nhận"):
        progress_services.progress_report_submit(actor=vhxh, report=report)
    assert ProgressReport.objects.get(pk=report.pk).percent_complete == 30


# Task completion ---------------------------------------------------------------------------------


def set_due(task, due_on):
    Task.objects.filter(pk=task.pk).update(due_on=due_on)


def test_accepted_lead_report_with_output_completes_a_single_lead_task_on_time(
    habac, users, task5, q2, vhxh_unit, today
):
    set_due(task5, today + 10 * DAY)
    report = completed_lead_report(users["vhxh"], task5, q2, vhxh_unit, today - DAY)
    task5.refresh_from_db()
    assert task5.completed_on is None, "a submitted report does not complete the task"
    progress_services.progress_report_accept(actor=users["daumoi"], report=report)
    task5.refresh_from_db()
    assert task5.completed_on == today - DAY
    assert task5.status(today) == TaskStatus.DONE_ON_TIME
    entry = history_for(task5).order_by("-pk").first()
    assert entry.actor == users["daumoi"]
    assert entry.summary == "Hoàn thành theo báo cáo được chấp nhận"


def test_completion_after_the_deadline_is_done_late(habac, users, task5, q2, vhxh_unit, today):
    set_due(task5, today - 30 * DAY)
    report = completed_lead_report(users["vhxh"], task5, q2, vhxh_unit, today - DAY)
    progress_services.progress_report_accept(actor=users["daumoi"], report=report)
    task5.refresh_from_db()
    assert task5.completed_on == today - DAY
    assert task5.status(today) == TaskStatus.DONE_LATE


def test_reopening_the_report_clears_the_completion(habac, users, task5, q2, vhxh_unit, today):
    set_due(task5, today - 30 * DAY)
    report = completed_lead_report(users["vhxh"], task5, q2, vhxh_unit, today - DAY)
    report = progress_services.progress_report_accept(actor=users["daumoi"], report=report)
    progress_services.progress_report_reopen(actor=users["daumoi"], report=report, reason="Thiếu bài đăng")
    task5.refresh_from_db()
    assert task5.completed_on is None
    assert task5.status(today) == TaskStatus.OVERDUE
    entry = history_for(task5).order_by("-pk").first()
    assert (entry.summary, entry.actor) == ("Bỏ trạng thái hoàn thành", users["daumoi"])


# Task 4 has two lead units, Phòng VH-XH and TT DVSNC: each must deliver before the task is done.


def accept(users, report) -> ProgressReport:
    return progress_services.progress_report_accept(actor=users["daumoi"], report=report)


def test_a_two_lead_task_stays_open_after_one_leads_accepted_output(
    habac, users, units, task4, q2, vhxh_unit, today
):
    set_due(task4, today + 10 * DAY)
    accept(users, completed_lead_report(users["vhxh"], task4, q2, vhxh_unit, today - 2 * DAY))
    task4.refresh_from_db()
    assert task4.completed_on is None
    assert task4.status(today) == TaskStatus.ON_TRACK
    assert not history_for(task4).filter(summary="Hoàn thành theo báo cáo được chấp nhận").exists()
    # TT DVSNC reporting progress without the output changes nothing.
    accept(users, submitted(users["dvsnc"], task4, q2, units["TT DVSNC"], percent_complete=80))
    task4.refresh_from_db()
    assert task4.completed_on is None


def test_a_two_lead_task_completes_with_the_second_lead_on_the_later_date(
    habac, users, units, task4, q2, vhxh_unit, today
):
    set_due(task4, today + 10 * DAY)
    # Phòng VH-XH finished later but was accepted first; TT DVSNC finished earlier, accepted second.
    accept(users, completed_lead_report(users["vhxh"], task4, q2, vhxh_unit, today - 2 * DAY))
    accept(users, completed_lead_report(users["dvsnc"], task4, q2, units["TT DVSNC"], today - 5 * DAY))
    task4.refresh_from_db()
    assert task4.completed_on == today - 2 * DAY
    assert task4.status(today) == TaskStatus.DONE_ON_TIME
    entry = history_for(task4).order_by("-pk").first()
    assert (entry.summary, entry.actor) == ("Hoàn thành theo báo cáo được chấp nhận", users["daumoi"])


def test_the_later_lead_can_make_a_two_lead_task_late(habac, users, units, task4, q2, vhxh_unit, today):
    set_due(task4, today - 3 * DAY)
    accept(users, completed_lead_report(users["vhxh"], task4, q2, vhxh_unit, today - 5 * DAY))
    accept(users, completed_lead_report(users["dvsnc"], task4, q2, units["TT DVSNC"], today - DAY))
    task4.refresh_from_db()
    assert (task4.completed_on, task4.status(today)) == (today - DAY, TaskStatus.DONE_LATE)


@pytest.mark.parametrize("reopened", ["vhxh", "dvsnc"])
def test_reopening_either_leads_report_uncompletes_a_two_lead_task(
    habac, users, units, task4, q2, vhxh_unit, today, reopened
):
    set_due(task4, today + 10 * DAY)
    reports = {
        "vhxh": accept(users, completed_lead_report(users["vhxh"], task4, q2, vhxh_unit, today - 2 * DAY)),
        "dvsnc": accept(
            users, completed_lead_report(users["dvsnc"], task4, q2, units["TT DVSNC"], today - 5 * DAY)
        ),
    }
    task4.refresh_from_db()
    assert task4.completed_on == today - 2 * DAY
    progress_services.progress_report_reopen(
        actor=users["daumoi"], report=reports[reopened], reason="Sai ngày"
    )
    task4.refresh_from_db()
    assert task4.completed_on is None
    assert task4.status(today) == TaskStatus.ON_TRACK
    entry = history_for(task4).order_by("-pk").first()
    assert (entry.summary, entry.changes) == (
        "Bỏ trạng thái hoàn thành",
        {"Ngày hoàn thành": [(today - 2 * DAY).strftime("%d/%m/%Y"), None]},
    )
    # Corrected and accepted again, the task is done again.
    report = ProgressReport.objects.get(pk=reports[reopened].pk)
    report = progress_services.progress_report_submit(actor=users[reopened], report=report)
    accept(users, report)
    task4.refresh_from_db()
    assert task4.completed_on == today - 2 * DAY


def test_a_task_without_a_lead_unit_is_never_completed_by_reports(habac, users, task4, today):
    TaskUnit.objects.filter(task=task4, role=TaskUnitRole.LEAD).delete()
    progress_services.task_refresh_completion(actor=users["daumoi"], task=task4)
    task4.refresh_from_db()
    assert task4.completed_on is None


def test_lead_parts_show_each_leads_latest_report_and_output(
    habac, users, units, task4, q2, q3, vhxh_unit, today
):
    accept(users, completed_lead_report(users["vhxh"], task4, q2, vhxh_unit, today - 2 * DAY))
    save(users["dvsnc"], open_report(users["dvsnc"], task4, q3, units["TT DVSNC"]), percent_complete=60)
    task = task_at(habac, 4)
    reports = list(
        ProgressReport.objects.filter(task=task).select_related("period").prefetch_related("evidence")
    )
    parts = progress_services.lead_parts(task.lead_units, reports)
    assert [
        (p.unit.short_name, p.latest.period.label, p.latest.status, p.latest.percent_complete, p.completed_on)
        for p in parts
    ] == [
        (VH_XH, q2.label, ReportStatus.ACCEPTED, 100, today - 2 * DAY),
        ("TT DVSNC", q3.label, ReportStatus.DRAFT, 60, None),
    ]
    assert progress_services.completion_date(parts) is None


def test_returned_report_does_not_complete_the_task(habac, users, task4, q2, vhxh_unit, today):
    report = completed_lead_report(users["vhxh"], task4, q2, vhxh_unit, today - DAY)
    progress_services.progress_report_return(actor=users["daumoi"], report=report, reason="Ảnh mờ")
    task4.refresh_from_db()
    assert task4.completed_on is None


def test_accepted_report_below_100_percent_does_not_complete_the_task(habac, users, task4, q2, vhxh_unit):
    report = submitted(users["vhxh"], task4, q2, vhxh_unit, percent_complete=80)
    progress_services.progress_report_accept(actor=users["daumoi"], report=report)
    task4.refresh_from_db()
    assert task4.completed_on is None


def test_coordinating_reports_never_complete_a_task(habac, users, units, task5, q2, today):
    congan = users["congan"]
    report = open_report(congan, task5, q2, units["Công an xã"])
    # Even with a file marked as output, 100% and a date, a coordinating part is only a part.
    add_output(congan, report)
    report = save(
        congan, report, results="Đã phối hợp tuyên truyền", percent_complete=100, completed_on=today
    )
    report = progress_services.progress_report_submit(actor=congan, report=report)
    progress_services.progress_report_accept(actor=users["daumoi"], report=report)
    task5.refresh_from_db()
    assert task5.completed_on is None
    assert task5.status(today) not in (TaskStatus.DONE_ON_TIME, TaskStatus.DONE_LATE)


# Audit trail -------------------------------------------------------------------------------------


def test_every_step_is_audited_with_its_actor(habac, users, task5, q2, vhxh_unit):
    vhxh, daumoi = users["vhxh"], users["daumoi"]
    report = open_report(vhxh, task5, q2, vhxh_unit)
    report = save(vhxh, report, version=report.version, results="Đợt 1", percent_complete=20)
    report = progress_services.progress_report_submit(actor=vhxh, report=report)
    report = progress_services.progress_report_return(actor=daumoi, report=report, reason="Thiếu số liệu")
    report = save(vhxh, report, version=report.version, results="Đợt 1, có số liệu")
    report = progress_services.progress_report_submit(actor=vhxh, report=report)
    report = progress_services.progress_report_accept(actor=daumoi, report=report)
    report = progress_services.progress_report_reopen(actor=daumoi, report=report, reason="Sai ngày")
    entries = list(history_for(report).order_by("pk"))
    assert [(e.action, e.actor.username, e.summary) for e in entries] == [
        (AuditEntry.Action.CREATE, "vhxh", ""),
        (AuditEntry.Action.UPDATE, "vhxh", ""),
        (AuditEntry.Action.EVENT, "vhxh", "Gửi báo cáo"),
        (AuditEntry.Action.EVENT, "daumoi", "Trả lại báo cáo: Thiếu số liệu"),
        (AuditEntry.Action.UPDATE, "vhxh", ""),
        (AuditEntry.Action.EVENT, "vhxh", "Gửi báo cáo"),
        (AuditEntry.Action.EVENT, "daumoi", "Chấp nhận báo cáo"),
        (AuditEntry.Action.EVENT, "daumoi", "Mở lại báo cáo đã chấp nhận: Sai ngày"),
    ]
    assert entries[1].changes == {PERCENT: [0, 20], RESULTS: ["", "Đợt 1"]}
    assert entries[2].changes == {STATUS: ["Nháp", "Đã gửi"]}
    assert entries[3].changes == {STATUS: ["Đã gửi", "Trả lại"]}
    assert entries[4].changes == {RESULTS: ["Đợt 1", "Đợt 1, có số liệu"]}
    # Every entry is filed under the plan, so the plan's history shows it.
    assert {e.context for e in entries} == {f"plans.plan:{habac.pk}"}


def test_resubmitting_a_returned_report_audits_returned_to_submitted(habac, users, task5, q2, vhxh_unit):
    vhxh, daumoi = users["vhxh"], users["daumoi"]
    report = submitted(vhxh, task5, q2, vhxh_unit)
    report = progress_services.progress_report_return(actor=daumoi, report=report, reason="Thiếu số liệu")
    report = progress_services.progress_report_submit(actor=vhxh, report=report)
    entry = history_for(report).order_by("-pk").first()
    assert entry.summary == "Gửi báo cáo"
    assert entry.changes == {STATUS: ["Trả lại", "Đã gửi"]}


# Notifications, after commit only ----------------------------------------------------------------


def test_submission_notifies_the_daumoi_after_commit(
    habac, users, task5, q2, vhxh_unit, django_capture_on_commit_callbacks
):
    vhxh = users["vhxh"]
    report = save(vhxh, open_report(vhxh, task5, q2, vhxh_unit), results="Đã triển khai")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        report = progress_services.progress_report_submit(actor=vhxh, report=report)
    assert not Notification.objects.exists(), "nothing is sent before the transaction commits"
    assert len(callbacks) == 1
    callbacks[0]()
    notification = Notification.objects.get()
    assert notification.user == users["daumoi"]
    assert notification.kind == NotificationKind.SUBMITTED
    assert notification.url == report.get_absolute_url()
    assert "Quý II/2026" in notification.title
    assert task5.title in notification.title


def test_a_failed_submission_notifies_nobody(
    habac, users, task5, q2, vhxh_unit, django_capture_on_commit_callbacks
):
    report = open_report(users["vhxh"], task5, q2, vhxh_unit)
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(ValidationError):
        progress_services.progress_report_submit(actor=users["vhxh"], report=report)
    assert callbacks == []
    assert not Notification.objects.exists()


def test_return_notifies_the_units_people_after_commit(
    habac, users, task5, q2, vhxh_unit, django_capture_on_commit_callbacks
):
    report = submitted(users["vhxh"], task5, q2, vhxh_unit)
    Notification.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        progress_services.progress_report_return(actor=users["daumoi"], report=report, reason="Thiếu số liệu")
    assert not Notification.objects.exists()
    for callback in callbacks:
        callback()
    notifications = Notification.objects.filter(kind=NotificationKind.RETURNED)
    assert {n.user.username for n in notifications} == {"vhxh", "daumoi"}
    assert {n.body for n in notifications} == {"Thiếu số liệu"}


def test_return_of_a_coordinating_part_notifies_that_unit_only(
    habac, users, units, task5, q2, django_capture_on_commit_callbacks
):
    report = submitted(users["congan"], task5, q2, units["Công an xã"])
    with django_capture_on_commit_callbacks(execute=True):
        progress_services.progress_report_return(actor=users["daumoi"], report=report, reason="Bổ sung")
    returned = Notification.objects.filter(kind=NotificationKind.RETURNED)
    assert [n.user.username for n in returned] == ["congan"]


def test_reopen_notifies_the_units_people(
    habac, users, task5, q2, vhxh_unit, django_capture_on_commit_callbacks
):
    report = submitted(users["vhxh"], task5, q2, vhxh_unit)
    report = progress_services.progress_report_accept(actor=users["daumoi"], report=report)
    with django_capture_on_commit_callbacks(execute=True):
        progress_services.progress_report_reopen(actor=users["daumoi"], report=report, reason="Sai số")
    reopened = Notification.objects.filter(kind=NotificationKind.RETURNED)
    assert {n.user.username for n in reopened} == {"vhxh", "daumoi"}


def test_each_submission_notifies_again(
    habac, users, task5, q2, vhxh_unit, django_capture_on_commit_callbacks
):
    vhxh, daumoi = users["vhxh"], users["daumoi"]
    with django_capture_on_commit_callbacks(execute=True):
        report = submitted(vhxh, task5, q2, vhxh_unit)
    with django_capture_on_commit_callbacks(execute=True):
        report = progress_services.progress_report_return(actor=daumoi, report=report, reason="Thiếu")
    with django_capture_on_commit_callbacks(execute=True):
        progress_services.progress_report_submit(actor=vhxh, report=report)
    assert Notification.objects.filter(user=daumoi, kind=NotificationKind.SUBMITTED).count() == 2


# Two people saving the same report ---------------------------------------------------------------


def test_second_save_with_a_stale_version_is_a_conflict(habac, users, task5, q2, vhxh_unit):
    vhxh, daumoi = users["vhxh"], users["daumoi"]
    report = save(vhxh, open_report(vhxh, task5, q2, vhxh_unit), results="Bản đầu", percent_complete=10)
    loaded_by_vhxh = ProgressReport.objects.get(pk=report.pk)
    loaded_by_daumoi = ProgressReport.objects.get(pk=report.pk)
    version = loaded_by_vhxh.version
    assert loaded_by_daumoi.version == version == 2

    save(vhxh, loaded_by_vhxh, version=version, results="Kết quả của vhxh", percent_complete=40)
    with pytest.raises(ConflictError) as exc_info:
        save(
            daumoi,
            loaded_by_daumoi,
            version=version,
            results="Kết quả của đầu mối",
            percent_complete=40,
            difficulties="Thiếu kinh phí",
        )
    conflict = exc_info.value
    assert conflict.current.pk == report.pk
    assert conflict.current.version == version + 1
    assert conflict.current.results == "Kết quả của vhxh"
    assert conflict.changes == {
        RESULTS: ["Kết quả của vhxh", "Kết quả của đầu mối"],
        "khó khăn, vướng mắc": ["", "Thiếu kinh phí"],
    }
    assert "dữ liệu bạn nhập vẫn còn" in str(conflict)

    # The first user's data is intact, and the conflict wrote nothing.
    stored = ProgressReport.objects.get(pk=report.pk)
    assert (stored.results, stored.percent_complete, stored.difficulties, stored.version) == (
        "Kết quả của vhxh",
        40,
        "",
        version + 1,
    )
    assert history_for(stored).filter(actor=daumoi).count() == 0

    # Saving again from the current version succeeds.
    saved = save(
        daumoi,
        loaded_by_daumoi,
        version=conflict.current.version,
        results="Kết quả của đầu mối",
        difficulties="Thiếu kinh phí",
    )
    saved.refresh_from_db()
    assert (saved.results, saved.difficulties, saved.percent_complete, saved.version) == (
        "Kết quả của đầu mối",
        "Thiếu kinh phí",
        40,
        version + 2,
    )


def test_save_without_a_version_is_not_checked(habac, users, task5, q2, vhxh_unit):
    vhxh = users["vhxh"]
    report = save(vhxh, open_report(vhxh, task5, q2, vhxh_unit), results="A")
    report = save(vhxh, report, version=None, results="B")
    assert report.results == "B"


def test_conflict_lists_only_fields_that_differ_when_a_date_is_sent_unchanged(
    habac, users, task4, q2, vhxh_unit, today
):
    """Regression: an unchanged date must not be listed as a change (display form vs str(date))."""
    vhxh, daumoi = users["vhxh"], users["daumoi"]
    done_on = today - DAY
    report = save(vhxh, open_report(vhxh, task4, q2, vhxh_unit), results="A", completed_on=done_on)
    version = report.version
    save(vhxh, report, version=version, results="B", completed_on=done_on)
    # The đầu mối's form sends every field, the date unchanged.
    with pytest.raises(ConflictError) as exc_info:
        save(daumoi, report, version=version, results="C", completed_on=done_on)
    assert exc_info.value.changes == {RESULTS: ["B", "C"]}
