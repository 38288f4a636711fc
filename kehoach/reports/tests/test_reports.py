"""Periodic reports: data from accepted records only, prefilled narratives, editing with conflicts,
issuing with a register number, the frozen snapshot, permissions, and the delivery queued upstream."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kehoach.core.audit import history_for
from kehoach.documents.models import OutgoingDocument
from kehoach.exchange.models import Delivery
from kehoach.plans.choices import TaskStatus
from kehoach.plans.models import Indicator
from kehoach.reports import services
from kehoach.reports.collect import collect
from kehoach.reports.models import Report, ReportState
from kehoach.tracking.services import measurements as m_services

from .conftest import VH_XH

TODAY = datetime.date(2026, 4, 2)


def create(users, habac, kind="quy", number=1) -> Report:
    return services.report_create(
        actor=users["daumoi"], plan=habac, period_kind=kind, period_number=number, today=TODAY
    )


def submit(users, report, on=TODAY) -> Report:
    return services.report_submit(actor=users["daumoi"], report=report, today=on)


def issue(users, report, on=TODAY) -> Report:
    """Submit the draft for signature if it is one, then sign it."""
    if report.is_draft:
        report = submit(users, report, on)
    return services.report_issue(actor=users["lanhdao"], report=report, issued_on=on, today=on)


def test_collect_states_accepted_data_only(habac, users, units, q1, accepted_q1):
    # A figure submitted but not accepted does not count.
    ct03 = Indicator.objects.get(plan=habac, code="CT03")
    m = m_services.measurement_open(actor=users["vhxh"], indicator=ct03, period=q1, unit=units[VH_XH])
    m_services.measurement_submit(
        actor=users["vhxh"],
        measurement=m_services.measurement_save(
            actor=users["vhxh"],
            measurement=m,
            version=None,
            data={"value": Decimal("90"), "source": "Danh sách"},
        ),
    )
    report = Report(plan=habac, period_kind="quy", period_number=1)
    data = collect(report, today=TODAY)
    by_code = {i["code"]: i for i in data["indicators"]}
    assert by_code["CT01"]["value"] == "3" and by_code["CT04"]["value"] == "35"
    assert by_code["CT03"]["value"] is None and by_code["CT03"]["assessment"] == "chua_co_so_lieu"
    assert len(data["indicators"]) == Indicator.objects.filter(plan=habac).count()
    tasks = {t["title"]: t for t in data["tasks"]}
    task4 = tasks[accepted_q1["task4"].title]
    # Done on the day the later of its two lead units finished; each lead's part is named.
    assert task4["status"] == TaskStatus.DONE_ON_TIME and task4["completed_on"] == "2026-03-10"
    assert task4["outputs"] == (
        "Phòng Văn hóa - Xã hội: 12 bài tuyên truyền;"
        " Trung tâm Dịch vụ sự nghiệp công: 3 bản tin truyền thanh"
    )
    assert "Phòng Văn hóa - Xã hội: Đã đăng 12 bài tuyên truyền về Cuộc thi UPU" in task4["results"]
    task5 = tasks[accepted_q1["task5"].title]
    assert task5["percent_complete"] == 40
    assert data["period"]["label"] == "Quý I/2026" and data["period"]["ends_on"] == "2026-03-14"
    assert any("Thiếu cán bộ" in d for d in data["narratives"]["difficulties"])


def test_a_two_lead_task_with_one_lead_done_is_reported_open(habac, users, units, q1):
    """Only Phòng VH-XH delivered task 4's output; TT DVSNC has not reported: the report says the task
    is still under way, at TT DVSNC's 0%, not 100%."""
    from .conftest import accept_lead_output, task_at

    task4 = task_at(habac, 4)
    accept_lead_output(
        users["vhxh"],
        users["daumoi"],
        task4,
        q1,
        units[VH_XH],
        completed_on=datetime.date(2026, 3, 10),
        results="Đã đăng 12 bài tuyên truyền về Cuộc thi UPU",
        outputs="12 bài tuyên truyền",
    )
    data = collect(Report(plan=habac, period_kind="quy", period_number=1), today=TODAY)
    item = {t["title"]: t for t in data["tasks"]}[task4.title]
    assert (item["status"], item["completed_on"], item["percent_complete"]) == (
        TaskStatus.ON_TRACK,
        None,
        0,
    )
    assert item["outputs"] == "12 bài tuyên truyền"
    assert data["summary"]["tasks_done"] == 0


def test_nine_month_report_covers_the_whole_span(habac, users, accepted_q1):
    """Figures from Quý III (same cut-off); tasks and their results since 15/12/2025, so what was
    finished in Quý I is reported as finished."""
    report = Report(plan=habac, period_kind="9thang", period_number=1)
    data = collect(report, today=datetime.date(2026, 10, 1))
    assert data["period"]["label"] == "9 tháng đầu năm 2026"
    assert data["period"]["source_period_label"] == "Quý III/2026"
    tasks = {t["title"]: t for t in data["tasks"]}
    task4 = tasks[accepted_q1["task4"].title]
    assert task4["status"] == TaskStatus.DONE_ON_TIME and "12 bài tuyên truyền" in task4["results"]
    assert data["summary"]["tasks_done"] >= 1
    # Task 5's latest accepted report (Quý I) still tells what was done and what is hard.
    assert "dự thảo kế hoạch chuyển đổi số" in tasks[accepted_q1["task5"].title]["results"]
    assert any("Thiếu cán bộ" in d for d in data["narratives"]["difficulties"])


def test_city_leader_cannot_sign_or_number_for_the_commune(habac, users, accepted_q1):
    from kehoach.documents.services.register import can_register
    from kehoach.units.choices import Role
    from kehoach.units.models import Membership, User

    city = habac.owner_unit.parent
    chairman = User.objects.create_user("chutich_tp", password="x", full_name="Chủ tịch thành phố")
    Membership.objects.create(user=chairman, unit=city, role=Role.LEADER)
    report = create(users, habac)
    with pytest.raises(PermissionDenied):
        services.report_issue(actor=chairman, report=report, issued_on=TODAY, today=TODAY)
    assert not can_register(chairman, habac.owner_unit) and can_register(chairman, city)
    assert not OutgoingDocument.objects.exists()


def test_issue_refuses_a_draft_changed_after_it_was_read(habac, users, accepted_q1):
    report = submit(users, create(users, habac))
    read_version = report.version
    report = services.report_withdraw(actor=users["daumoi"], report=report)
    services.report_update(actor=users["daumoi"], report=report, data={"proposals": "Đổi sau khi trình"})
    report = submit(users, report)
    with pytest.raises(services.ReportConflict):
        services.report_issue(
            actor=users["lanhdao"], report=report, issued_on=TODAY, today=TODAY, version=read_version
        )
    assert not OutgoingDocument.objects.exists()


def test_deleting_a_draft_issued_meanwhile_is_refused(habac, users, accepted_q1):
    report = create(users, habac)
    stale = Report.objects.get(pk=report.pk)
    issue(users, report)
    with pytest.raises(PermissionDenied):
        services.report_delete(actor=users["daumoi"], report=stale)
    assert Report.objects.filter(pk=report.pk, state=ReportState.ISSUED).exists()


def test_deputy_signature_is_prefilled_as_decree_30_writes_it(habac, users, accepted_q1):
    habac.signer_position = "Phó Chủ tịch"
    habac.save()
    report = create(users, habac)
    assert (report.signer_authority, report.signer_delegation, report.signer_position) == (
        "TM. ỦY BAN NHÂN DÂN",
        "KT. CHỦ TỊCH",
        "PHÓ CHỦ TỊCH",
    )


def test_create_prefills_narratives_from_unit_reports(habac, users, accepted_q1):
    report = create(users, habac)
    assert report.state == ReportState.DRAFT
    assert report.title == (
        "Kết quả thực hiện Kế hoạch số 97/KH-UBND về Khoa học và Công nghệ xã Hà Bắc quý I năm 2026"
    )
    assert "Thiếu cán bộ có chuyên môn công nghệ thông tin" in report.shortcomings
    assert "Đề nghị Sở hỗ trợ tập huấn kỹ năng số" in report.proposals
    assert "Hoàn thiện và ban hành kế hoạch chuyển đổi số" in report.next_steps
    assert report.signer_name == habac.signer_name and report.signer_authority == "TM. ỦY BAN NHÂN DÂN"
    assert history_for(report).exists()


def test_only_one_draft_per_period(habac, users, accepted_q1):
    create(users, habac)
    with pytest.raises(ValidationError) as exc:
        create(users, habac)
    assert "Đã có dự thảo báo cáo Quý I/2026" in exc.value.message_dict["period_kind"][0]


@pytest.mark.parametrize("username", ["vhxh", "lanhdao", "captren"])
def test_only_the_lead_department_creates(habac, users, username):
    with pytest.raises(PermissionDenied):
        services.report_create(actor=users[username], plan=habac, period_kind="quy", period_number=1)
    assert not Report.objects.exists()


def test_invalid_period_is_named(habac, users):
    with pytest.raises(ValidationError) as exc:
        services.report_create(actor=users["daumoi"], plan=habac, period_kind="quy", period_number=5)
    assert "period_number" in exc.value.message_dict


def test_update_and_conflict(habac, users, accepted_q1):
    report = create(users, habac)
    opened = report.version
    report = services.report_update(
        actor=users["daumoi"], report=report, data={"shortcomings": "Tồn tại A"}, version=opened
    )
    assert report.shortcomings == "Tồn tại A" and report.version == opened + 1
    with pytest.raises(services.ReportConflict):
        services.report_update(
            actor=users["daumoi"], report=report, data={"shortcomings": "B"}, version=opened
        )
    report.refresh_from_db()
    assert report.shortcomings == "Tồn tại A"
    with pytest.raises(PermissionDenied):
        services.report_update(actor=users["vhxh"], report=report, data={"shortcomings": "C"})


def test_issue_takes_a_number_freezes_and_queues_delivery(habac, users, units, q1, accepted_q1):
    report = issue(users, create(users, habac))
    report.refresh_from_db()
    entry = report.document
    assert report.state == ReportState.ISSUED and report.issued_by == users["lanhdao"]
    assert (entry.number, entry.year, entry.symbol, entry.issued_on) == (1, 2026, "BC-UBND", TODAY)
    assert entry.number_symbol == "01/BC-UBND" and entry.issuer == habac.owner_unit
    assert entry.content["number"] == "Số: 01/BC-UBND"
    assert entry.content["place_date"] == "Hà Bắc, ngày 02 tháng 4 năm 2026"
    assert entry.content["draft"] is False
    text_before = services.report_document(report).text()
    assert "kết quả đạt 3 sáng kiến" in text_before

    # Data accepted later never reaches the issued report.
    ct01 = accepted_q1["figures"]["CT01"]
    m_services.measurement_reopen(actor=users["daumoi"], measurement=ct01, reason="Sửa số liệu")
    ct01.refresh_from_db()
    ct01 = m_services.measurement_save(
        actor=users["vhxh"], measurement=ct01, version=None, data={"value": Decimal("7"), "source": "Sổ"}
    )
    m_services.measurement_accept(
        actor=users["daumoi"],
        measurement=m_services.measurement_submit(actor=users["vhxh"], measurement=ct01),
    )
    report.refresh_from_db()
    assert services.report_document(report).text() == text_before
    assert {i["code"]: i["value"] for i in report.data["indicators"]}["CT01"] == "3"
    live = collect(report, today=TODAY)
    assert {i["code"]: i["value"] for i in live["indicators"]}["CT01"] == "7"

    delivery = Delivery.objects.get(source_type="reports.report", source_id=report.pk)
    payload = delivery.payload
    assert payload["schema"] == "kehoach.report/1" and payload["document"]["number_symbol"] == "01/BC-UBND"
    assert {i["code"]: i["value"] for i in payload["indicators"]}["CT01"] == "3"
    assert payload["idempotency_key"] == delivery.idempotency_key
    # Issued reports cannot be edited or issued again.
    with pytest.raises(PermissionDenied):
        services.report_update(actor=users["daumoi"], report=report, data={"title": "x"})
    with pytest.raises(PermissionDenied):
        issue(users, report)


def test_second_report_takes_the_next_number(habac, users, accepted_q1):
    first = issue(users, create(users, habac))
    draft = create(users, habac, "6thang", 1)
    # The half year carries the units' latest accepted reports (here those of Quý I).
    assert "Thiếu cán bộ" in draft.shortcomings
    second = issue(users, draft, on=datetime.date(2026, 6, 20))
    assert (first.document.number, second.document.number) == (1, 2)
    assert second.document.number_symbol == "02/BC-UBND"


def test_issue_refused_before_cutoff_or_in_future(habac, users, accepted_q1):
    report = submit(users, create(users, habac))
    with pytest.raises(ValidationError) as exc:
        services.report_issue(
            actor=users["lanhdao"], report=report, issued_on=datetime.date(2026, 3, 10), today=TODAY
        )
    assert "chốt số liệu ngày 14/03/2026" in exc.value.message_dict["issued_on"][0]
    with pytest.raises(ValidationError):
        services.report_issue(
            actor=users["lanhdao"], report=report, issued_on=datetime.date(2026, 5, 1), today=TODAY
        )
    assert not OutgoingDocument.objects.exists() and not Delivery.objects.exists()
    report.refresh_from_db()
    assert report.state == ReportState.SUBMITTED


@pytest.mark.parametrize("username", ["daumoi", "vhxh", "captren"])
def test_only_leadership_issues(habac, users, accepted_q1, username):
    report = create(users, habac)
    with pytest.raises(PermissionDenied):
        services.report_issue(actor=users[username], report=report, issued_on=TODAY, today=TODAY)
    assert not OutgoingDocument.objects.exists()


def test_document_structure_follows_decree_30(habac, users, accepted_q1):
    report = issue(users, create(users, habac))
    doc = services.report_document(report)
    assert doc.issuer_lines == ["ỦY BAN NHÂN DÂN", "XÃ HÀ BẮC"] and doc.kind == "BÁO CÁO"
    headings = [b.text for b in doc.body if b.type == "heading" and b.level == 1]
    assert headings == [
        "I. KẾT QUẢ THỰC HIỆN",
        "II. TỒN TẠI, HẠN CHẾ VÀ NGUYÊN NHÂN",
        "III. PHƯƠNG HƯỚNG, NHIỆM VỤ KỲ TỚI",
        "IV. ĐỀ XUẤT, KIẾN NGHỊ",
    ]
    assert doc.body[-1].text.endswith("./.")
    assert doc.recipients[-1].startswith("- Lưu: VT") and doc.recipients[-1].endswith(".")
    assert all(r.endswith(";") for r in doc.recipients[:-1])
    assert doc.signature.lines[0] == "TM. ỦY BAN NHÂN DÂN"
    assert [a.label for a in doc.appendices] == ["Phụ lục I", "Phụ lục II"]
    assert doc.appendices[0].subtitle == "(Kèm theo Báo cáo số 01/BC-UBND ngày 02/04/2026 của UBND xã Hà Bắc)"
    indicator_rows = doc.appendices[0].blocks[0].rows
    assert any(row[1].startswith("CT01.") and row[4] == "3" for row in indicator_rows)
    task_rows = doc.appendices[1].blocks[0].rows
    assert len(task_rows) == len(report.data["tasks"])


def test_draft_document_has_no_number(habac, users, accepted_q1):
    doc = services.report_document(create(users, habac))
    assert doc.draft and doc.number == "Số:      /BC-UBND"
