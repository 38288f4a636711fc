"""Trình ký → chờ ký → ký ban hành or trả lại: who may do what in each state (allowed and refused per
role), what is refused and why, the links to what is missing, notifications, audit, the confirmation
page, and the period list that starts with the period due now."""

import datetime
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from kehoach.core.audit import history_for
from kehoach.core.models import AuditEntry
from kehoach.documents.models import OutgoingDocument
from kehoach.reports import services
from kehoach.reports.forms import ReportCreateForm, create_choices, send_choices
from kehoach.reports.models import Report, ReportState
from kehoach.tracking.choices import NotificationKind
from kehoach.tracking.models import Notification
from kehoach.units.choices import Role
from kehoach.units.models import Membership, User
from kehoach.units.services import token_create

from .conftest import submit_and_issue

TODAY = datetime.date(2026, 4, 2)
OTHERS = ["vhxh", "captren", "kinhte"]


@pytest.fixture
def draft(habac, users, accepted_q1) -> Report:
    return services.report_create(
        actor=users["daumoi"], plan=habac, period_kind="quy", period_number=1, today=TODAY
    )


@pytest.fixture
def submitted(users, draft) -> Report:
    return services.report_submit(actor=users["daumoi"], report=draft, today=TODAY)


@pytest.fixture
def city_chairman(habac) -> User:
    chairman = User.objects.create_user("chutich_tp", password="x", full_name="Chủ tịch thành phố")
    Membership.objects.create(user=chairman, unit=habac.owner_unit.parent, role=Role.LEADER)
    return chairman


def bearer(user) -> dict:
    _, raw = token_create(user=user, name="Kiểm thử trình ký")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


# Services: trình ký ---------------------------------------------------------------------------------


def test_submit_locks_the_draft_notifies_leaders_and_is_audited(
    users, draft, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        report = services.report_submit(
            actor=users["daumoi"], report=draft, version=draft.version, today=TODAY
        )
    assert report.state == ReportState.SUBMITTED and report.is_submitted
    assert report.submitted_by == users["daumoi"] and report.submitted_at is not None
    (notification,) = Notification.objects.filter(kind=NotificationKind.SIGN)
    assert notification.user == users["lanhdao"] and notification.url == report.get_absolute_url()
    assert "trình ký báo cáo Quý I/2026" in notification.title
    entry = history_for(report).order_by("-pk").first()
    assert entry.action == AuditEntry.Action.EVENT and entry.actor == users["daumoi"]
    assert entry.summary == "Trình ký báo cáo Quý I/2026"
    assert entry.changes["Trạng thái"] == ["Dự thảo", "Chờ ký"]
    # Locked while it awaits signature: no edit, refill or delete.
    with pytest.raises(ValidationError, match="đang chờ lãnh đạo ký"):
        services.report_update(actor=users["daumoi"], report=report, data={"proposals": "Sửa"})
    with pytest.raises(ValidationError):
        services.report_delete(actor=users["daumoi"], report=report)
    with pytest.raises(ValidationError):
        services.report_submit(actor=users["daumoi"], report=report, today=TODAY)


@pytest.mark.parametrize("username", ["lanhdao", *OTHERS])
def test_only_the_lead_department_submits(users, draft, username):
    with pytest.raises(PermissionDenied):
        services.report_submit(actor=users[username], report=draft, today=TODAY)
    draft.refresh_from_db()
    assert draft.state == ReportState.DRAFT


def test_submit_refused_with_missing_parts_named_and_linked(users, draft):
    draft = services.report_update(
        actor=users["daumoi"], report=draft, data={"signer_name": "", "recipients": ""}
    )
    found = services.blockers(draft, today=TODAY)
    assert [b.field for b in found] == ["recipients", "signer_name"]
    assert found[0].text == "Mục “Nơi nhận” còn trống."
    with pytest.raises(ValidationError) as exc:
        services.report_submit(actor=users["daumoi"], report=draft, today=TODAY)
    assert "Chưa trình ký được" in exc.value.messages[0] and "Họ tên người ký" in exc.value.messages[0]
    draft.refresh_from_db()
    assert draft.state == ReportState.DRAFT


def test_submit_refused_before_the_cutoff(users, draft):
    with pytest.raises(ValidationError) as exc:
        services.report_submit(actor=users["daumoi"], report=draft, today=datetime.date(2026, 3, 13))
    assert "chốt số liệu ngày 14/03/2026: trình ký được từ ngày đó" in exc.value.messages[0]
    # On the cut-off day itself it goes.
    report = services.report_submit(actor=users["daumoi"], report=draft, today=datetime.date(2026, 3, 14))
    assert report.is_submitted


def test_submit_from_an_old_version_is_a_conflict(users, draft):
    old = draft.version
    services.report_update(actor=users["daumoi"], report=draft, data={"proposals": "Mới"})
    with pytest.raises(services.ReportConflict):
        services.report_submit(actor=users["daumoi"], report=draft, version=old, today=TODAY)


def test_submit_refused_when_the_commune_has_no_leader(users, draft, client_for):
    Membership.objects.filter(role=Role.LEADER).delete()
    with pytest.raises(ValidationError, match="chưa có tài khoản lãnh đạo"):
        services.report_submit(actor=users["daumoi"], report=draft, today=TODAY)
    page = client_for(users["daumoi"]).get(draft.get_absolute_url()).content.decode()
    assert "chưa có tài khoản lãnh đạo nào để ký" in page
    assert reverse("reports:submit", args=[draft.pk]) not in page


# Services: trả lại, rút lại, ký ban hành -----------------------------------------------------------------


def test_leader_returns_with_a_reason_and_daumoi_is_told(
    users, submitted, django_capture_on_commit_callbacks
):
    with pytest.raises(ValidationError):
        services.report_return(actor=users["lanhdao"], report=submitted, reason="  ")
    with django_capture_on_commit_callbacks(execute=True):
        report = services.report_return(
            actor=users["lanhdao"], report=submitted, reason="Bổ sung số liệu chỉ tiêu CT03"
        )
    assert report.state == ReportState.DRAFT and report.return_reason == "Bổ sung số liệu chỉ tiêu CT03"
    assert report.returned_by == users["lanhdao"]
    (notification,) = Notification.objects.filter(kind=NotificationKind.RETURNED)
    assert notification.user == users["daumoi"] and notification.body == "Bổ sung số liệu chỉ tiêu CT03"
    entry = history_for(report).order_by("-pk").first()
    assert entry.summary == "Trả lại báo cáo Quý I/2026: Bổ sung số liệu chỉ tiêu CT03"
    assert entry.actor == users["lanhdao"]
    # Editable again; submitting again clears the reason.
    report = services.report_update(actor=users["daumoi"], report=report, data={"proposals": "Đã bổ sung"})
    report = services.report_submit(actor=users["daumoi"], report=report, today=TODAY)
    assert report.return_reason == ""


@pytest.mark.parametrize("username", ["daumoi", *OTHERS])
def test_only_the_leader_returns(users, submitted, username):
    with pytest.raises(PermissionDenied):
        services.report_return(actor=users[username], report=submitted, reason="Không")
    submitted.refresh_from_db()
    assert submitted.is_submitted


def test_city_leader_neither_returns_nor_signs(submitted, city_chairman):
    with pytest.raises(PermissionDenied):
        services.report_return(actor=city_chairman, report=submitted, reason="Không")
    with pytest.raises(PermissionDenied):
        services.report_issue(actor=city_chairman, report=submitted, issued_on=TODAY, today=TODAY)


def test_a_draft_cannot_be_returned_or_signed(users, draft):
    with pytest.raises(ValidationError, match="chưa được trình ký"):
        services.report_issue(actor=users["lanhdao"], report=draft, issued_on=TODAY, today=TODAY)
    with pytest.raises(ValidationError, match="chưa được trình ký"):
        services.report_return(actor=users["lanhdao"], report=draft, reason="Không")
    assert not OutgoingDocument.objects.exists()


def test_daumoi_withdraws_a_submitted_report(users, submitted):
    for username in ("lanhdao", *OTHERS):
        with pytest.raises(PermissionDenied):
            services.report_withdraw(actor=users[username], report=submitted)
    report = services.report_withdraw(actor=users["daumoi"], report=submitted)
    assert report.state == ReportState.DRAFT
    assert history_for(report).order_by("-pk").first().summary == "Rút lại báo cáo Quý I/2026 để sửa"
    with pytest.raises(ValidationError):
        services.report_withdraw(actor=users["daumoi"], report=report)


@pytest.mark.parametrize("username", ["daumoi", *OTHERS])
def test_only_the_leader_signs(users, submitted, username):
    with pytest.raises(PermissionDenied):
        services.report_issue(actor=users[username], report=submitted, issued_on=TODAY, today=TODAY)
    assert not OutgoingDocument.objects.exists()


def test_signing_is_audited_with_number_and_date(users, submitted):
    report = services.report_issue(actor=users["lanhdao"], report=submitted, issued_on=TODAY, today=TODAY)
    entry = history_for(report).order_by("-pk").first()
    assert entry.summary == "Ký ban hành báo cáo Quý I/2026, số 01/BC-UBND"
    assert entry.changes["Trạng thái"] == ["Chờ ký", "Đã ban hành"]
    assert entry.changes["Số, ký hiệu"][1] == "01/BC-UBND"
    assert entry.changes["Ngày ban hành"][1] == "02/04/2026"


def test_signing_preview_names_the_next_number(habac, users, submitted):
    preview = services.signing_preview(submitted, today=TODAY)
    assert preview.number_symbol == "01/BC-UBND" and preview.earliest == datetime.date(2026, 3, 14)
    assert preview.recipients[0] == "Sở Khoa học và Công nghệ thành phố (để b/c)"
    assert preview.signer[0] == "TM. ỦY BAN NHÂN DÂN"
    second = services.report_create(
        actor=users["daumoi"], plan=habac, period_kind="thang", period_number=1, today=TODAY
    )
    second = services.report_update(
        actor=users["daumoi"], report=second, data={"shortcomings": "Không có.", "next_steps": "Tiếp tục."}
    )
    submit_and_issue(users, second, on=TODAY)
    assert services.signing_preview(submitted, today=TODAY).number_symbol == "02/BC-UBND"


# Pages ----------------------------------------------------------------------------------------------


def test_draft_page_links_what_is_missing_and_disables_submit(users, draft, client_for):
    services.report_update(actor=users["daumoi"], report=draft, data={"signer_name": ""})
    page = client_for(users["daumoi"]).get(draft.get_absolute_url()).content.decode()
    assert "Chưa trình ký được" in page and "Mục “Họ tên người ký” còn trống." in page
    assert f'href="{reverse("reports:edit", args=[draft.pk])}#id_signer_name"' in page
    assert '<button class="btn btn-primary" type="button" disabled' in page
    assert reverse("reports:submit", args=[draft.pk]) not in page


def test_page_says_when_submission_opens_for_a_period_under_way(habac, users, client_for, monkeypatch):
    # 20 July: Quý III closes its figures on 14/09/2026; until then Trình ký is not offered.
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: datetime.date(2026, 7, 20))
    report = services.report_create(actor=users["daumoi"], plan=habac, period_kind="quy", period_number=3)
    page = client_for(users["daumoi"]).get(report.get_absolute_url()).content.decode()
    assert "Kỳ Quý III/2026 chốt số liệu ngày 14/09/2026: trình ký được từ ngày đó." in page
    assert reverse("reports:submit", args=[report.pk]) not in page
    with pytest.raises(ValidationError):
        services.report_submit(actor=users["daumoi"], report=report)


def test_pages_per_role_and_state(users, draft, client_for):
    daumoi, lanhdao = client_for(users["daumoi"]), client_for(users["lanhdao"])
    url = draft.get_absolute_url()
    assert reverse("reports:submit", args=[draft.pk]) in daumoi.get(url).content.decode()
    leader_page = lanhdao.get(url).content.decode()
    assert "Dự thảo đang do đầu mối" in leader_page and "Ký ban hành" not in leader_page
    # Lãnh đạo opening the signing page of a draft is sent back with the reason.
    response = lanhdao.get(reverse("reports:issue", args=[draft.pk]), follow=True)
    assert "Báo cáo chưa được trình ký" in response.content.decode()
    # Staff and another city see nothing of it; submitting through the page is refused.
    for username in OTHERS:
        assert client_for(users[username]).post(reverse("reports:submit", args=[draft.pk])).status_code == 404
    assert lanhdao.post(reverse("reports:submit", args=[draft.pk])).status_code == 403

    assert (
        daumoi.post(reverse("reports:submit", args=[draft.pk]), {"version": draft.version}).status_code == 302
    )
    draft.refresh_from_db()
    assert draft.is_submitted
    waiting = daumoi.get(url).content.decode()
    assert "Chờ ký" in waiting and "Rút lại để sửa" in waiting and "Sửa dự thảo" not in waiting
    assert daumoi.get(reverse("reports:edit", args=[draft.pk])).status_code == 302
    assert daumoi.get(reverse("reports:issue", args=[draft.pk])).status_code == 403
    assert daumoi.post(reverse("reports:return", args=[draft.pk]), {"reason": "x"}).status_code == 403
    signing = lanhdao.get(url).content.decode()
    assert reverse("reports:issue", args=[draft.pk]) in signing and "Trả lại cho đầu mối" in signing
    assert lanhdao.post(reverse("reports:withdraw", args=[draft.pk])).status_code == 403


def test_confirmation_page_shows_number_date_recipients_and_signs(users, submitted, client_for):
    lanhdao = client_for(users["lanhdao"])
    url = reverse("reports:issue", args=[submitted.pk])
    page = lanhdao.get(url).content.decode()
    assert '<strong id="so-hieu">01/BC-UBND</strong>' in page
    assert "Ký ban hành là thao tác không hoàn tác được." in page
    assert "Sở Khoa học và Công nghệ thành phố (để b/c)" in page
    assert 'type="date"' in page and 'min="2026-03-14"' in page
    assert not OutgoingDocument.objects.exists(), "opening the confirmation takes no number"
    # A date before the cut-off comes back on the page with the reason, nothing issued.
    refused = lanhdao.post(url, {"issued_on": "2026-03-10", "version": submitted.version})
    assert refused.status_code == 200 and "chốt số liệu ngày 14/03/2026" in refused.content.decode()
    assert not OutgoingDocument.objects.exists()
    response = lanhdao.post(url, {"issued_on": "2026-04-02", "version": submitted.version}, follow=True)
    assert "Đã ban hành báo cáo số 01/BC-UBND." in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.is_issued and submitted.document.issued_on == TODAY


def test_return_and_withdraw_through_the_pages(users, submitted, client_for):
    lanhdao, daumoi = client_for(users["lanhdao"]), client_for(users["daumoi"])
    url = reverse("reports:return", args=[submitted.pk])
    empty = lanhdao.post(url, {"reason": ""}, follow=True)
    assert "Cần ghi lý do trả lại" in empty.content.decode()
    lanhdao.post(url, {"reason": "Viết lại phần phương hướng"})
    submitted.refresh_from_db()
    assert submitted.is_draft and submitted.return_reason == "Viết lại phần phương hướng"
    assert "Viết lại phần phương hướng" in daumoi.get(submitted.get_absolute_url()).content.decode()
    assert (
        "Viết lại phần phương hướng"
        in daumoi.get(reverse("reports:edit", args=[submitted.pk])).content.decode()
    )
    services.report_submit(actor=users["daumoi"], report=submitted, today=TODAY)
    response = daumoi.post(reverse("reports:withdraw", args=[submitted.pk]))
    assert response["Location"] == reverse("reports:edit", args=[submitted.pk])
    submitted.refresh_from_db()
    assert submitted.is_draft


def test_submitted_report_stays_private_to_leadership_and_lead_department(
    users, submitted, client_for, other_city, city_chairman
):
    url = submitted.get_absolute_url()
    for user in (users["vhxh"], users["captren"], other_city["supervisor"], city_chairman):
        assert client_for(user).get(url).status_code == 404
    listing = client_for(users["lanhdao"]).get(reverse("reports:plan_reports", args=[submitted.plan_id]))
    assert "Chờ ký" in listing.content.decode()


# API ------------------------------------------------------------------------------------------------


def test_api_submit_return_withdraw_per_role(users, client, draft):
    daumoi, lanhdao = bearer(users["daumoi"]), bearer(users["lanhdao"])

    def post(path, user, body=None):
        return client.post(
            f"/api/v1/reports/{draft.pk}/{path}",
            json.dumps(body or {}),
            content_type="application/json",
            **user,
        )

    assert post("submit", lanhdao).status_code == 403
    assert post("submit", bearer(users["vhxh"])).status_code == 404
    submitted = post("submit", daumoi)
    assert submitted.status_code == 200 and submitted.json()["state"] == "cho_ky"
    assert post("return", daumoi, {"reason": "x"}).status_code == 403
    assert post("withdraw", lanhdao).status_code == 403
    returned = post("return", lanhdao, {"reason": "Thiếu kiến nghị"})
    assert returned.status_code == 200
    assert returned.json()["state"] == "du_thao" and returned.json()["return_reason"] == "Thiếu kiến nghị"
    post("submit", daumoi)
    withdrawn = post("withdraw", daumoi)
    assert withdrawn.status_code == 200 and withdrawn.json()["state"] == "du_thao"


# The period list -------------------------------------------------------------------------------------


def labels(choices) -> list[tuple[str, list[str]]]:
    return [(group, [label for _, label in options]) for group, options in choices]


def test_period_list_starts_with_the_period_due_now(habac, users):
    # 20 July 2026: Quý II and 6 tháng closed on 14/06 (the longer report first); 9 tháng, Quý III and
    # the year are under way.
    choices = labels(create_choices(habac, datetime.date(2026, 7, 20)))
    assert choices == [
        ("Đến hạn báo cáo", ["6 tháng đầu năm 2026", "Quý II/2026", "Quý I/2026"]),
        (
            "Kỳ đang thực hiện",
            [
                "9 tháng đầu năm 2026 (chốt số liệu 14/09/2026)",
                "Quý III/2026 (chốt số liệu 14/09/2026)",
                "Năm 2026 (chốt số liệu 14/12/2026)",
            ],
        ),
    ]
    form = ReportCreateForm(plan=habac, today=datetime.date(2026, 7, 20))
    assert form.initial["period"] == "6thang:1"
    assert 'value="6thang:1" selected' in str(form["period"])
    # Months are offered only where the plan's units report monthly.
    assert not any("Tháng" in label for _, options in choices for label in options)


def test_period_list_leaves_out_open_reports_and_marks_issued_ones(habac, users, accepted_q1):
    report = services.report_create(
        actor=users["daumoi"], plan=habac, period_kind="quy", period_number=1, today=TODAY
    )
    submit_and_issue(users, report, on=TODAY)
    services.report_create(actor=users["daumoi"], plan=habac, period_kind="quy", period_number=2, today=TODAY)
    # 20 July: Quý II is drafted, so its cut-off is taken care of; the period under way comes first.
    choices = labels(create_choices(habac, datetime.date(2026, 7, 20)))
    assert choices == [
        (
            "Kỳ đang thực hiện",
            [
                "9 tháng đầu năm 2026 (chốt số liệu 14/09/2026)",
                "Quý III/2026 (chốt số liệu 14/09/2026)",
                "Năm 2026 (chốt số liệu 14/12/2026)",
            ],
        ),
        ("Kỳ khác đã qua", ["6 tháng đầu năm 2026 (đã có báo cáo cùng ngày chốt)"]),
        ("Đã ban hành – lập báo cáo đính chính", ["Quý I/2026 (đã ban hành)"]),
    ]
    assert ReportCreateForm(plan=habac, today=datetime.date(2026, 7, 20)).initial["period"] == "9thang:1"
    # Any period of the year is still accepted; the service explains a refusal.
    form = ReportCreateForm({"period": "quy:2"}, plan=habac, today=datetime.date(2026, 7, 20))
    assert form.is_valid()
    assert not ReportCreateForm({"period": "quy:9"}, plan=habac).is_valid()


def test_send_list_offers_closed_periods_latest_first(habac):
    assert [label for _, label in send_choices(habac, datetime.date(2026, 7, 20))] == [
        "6 tháng đầu năm 2026",
        "Quý II/2026",
        "Quý I/2026",
    ]
