"""Separation of duties, a plan setting: when on, the lead unit's own progress reports and figures are
accepted, returned and reopened by the commune's lãnh đạo, not by đầu mối; every other unit's stay with
đầu mối. Off by default. The setting is changed by đầu mối or lãnh đạo on the plan's settings page."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from kehoach.core.audit import history_for
from kehoach.plans.models import Indicator, Plan, Task
from kehoach.plans.selectors import tasks_with_units
from kehoach.plans.services.plans import plan_review_setting_update
from kehoach.tracking.choices import NotificationKind, PeriodKind, ReportStatus
from kehoach.tracking.models import Notification, Period
from kehoach.tracking.permissions import ReviewScope, can_review_record
from kehoach.tracking.services import measurements as m_services
from kehoach.tracking.services import progress as p_services

VH_XH = "Phòng VH-XH"  # the plan's lead unit: đầu mối's own unit
REFUSAL = "đầu mối không tự chấp nhận, trả lại hay mở lại báo cáo của đơn vị mình"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def q1(habac):
    return Period.objects.get(plan=habac, kind=PeriodKind.QUARTER, number=1)


@pytest.fixture
def task5(habac) -> Task:
    """Phòng VH-XH leads; "các phòng, cơ quan, đơn vị" coordinate (Công an xã among them)."""
    return tasks_with_units(Task.objects.filter(plan=habac, position=5)).get()


def sent(actor, task, period, unit):
    report = p_services.progress_report_open(actor=actor, task=task, period=period, unit=unit)
    report = p_services.progress_report_save(
        actor=actor, report=report, version=None, data={"results": "Đã triển khai trong kỳ"}
    )
    return p_services.progress_report_submit(actor=actor, report=report)


def separate(plan: Plan, actor) -> Plan:
    return plan_review_setting_update(actor=actor, plan=plan, leader_reviews_lead_unit=True)


def test_off_by_default_daumoi_accepts_his_own_unit(habac, users, units, q1, task5):
    assert Plan.objects.get(pk=habac.pk).leader_reviews_lead_unit is False
    report = sent(users["daumoi"], task5, q1, units[VH_XH])
    assert can_review_record(users["daumoi"], report) and not can_review_record(users["lanhdao"], report)
    with pytest.raises(PermissionDenied):
        p_services.progress_report_accept(actor=users["lanhdao"], report=report)
    assert (
        p_services.progress_report_accept(actor=users["daumoi"], report=report).status
        == ReportStatus.ACCEPTED
    )


def test_on_the_leader_reviews_the_lead_unit_and_daumoi_is_refused(
    habac, users, units, q1, task5, django_capture_on_commit_callbacks
):
    separate(habac, users["lanhdao"])
    with django_capture_on_commit_callbacks(execute=True):
        own = sent(users["vhxh"], task5, q1, units[VH_XH])
    # The leader is told, not đầu mối.
    (notification,) = Notification.objects.filter(kind=NotificationKind.SUBMITTED)
    assert notification.user == users["lanhdao"] and notification.url == own.get_absolute_url()

    with pytest.raises(PermissionDenied) as exc:
        p_services.progress_report_accept(actor=users["daumoi"], report=own)
    assert REFUSAL in str(exc.value) and "lãnh đạo UBND" in str(exc.value)
    with pytest.raises(PermissionDenied):
        p_services.progress_report_return(actor=users["daumoi"], report=own, reason="Tự trả lại")
    for username in ("vhxh", "captren", "congan"):
        with pytest.raises(PermissionDenied):
            p_services.progress_report_accept(actor=users[username], report=own)

    returned = p_services.progress_report_return(
        actor=users["lanhdao"], report=own, reason="Thiếu minh chứng"
    )
    assert returned.status == ReportStatus.RETURNED and returned.reviewed_by == users["lanhdao"]
    again = p_services.progress_report_submit(actor=users["vhxh"], report=returned)
    accepted = p_services.progress_report_accept(actor=users["lanhdao"], report=again)
    assert accepted.status == ReportStatus.ACCEPTED
    assert history_for(accepted).order_by("-pk").first().actor == users["lanhdao"]
    with pytest.raises(PermissionDenied):
        p_services.progress_report_reopen(actor=users["daumoi"], report=accepted, reason="Sửa")
    reopened = p_services.progress_report_reopen(actor=users["lanhdao"], report=accepted, reason="Sửa số")
    assert reopened.status == ReportStatus.RETURNED


def test_on_other_units_stay_with_daumoi(habac, users, units, q1, task5, django_capture_on_commit_callbacks):
    separate(habac, users["daumoi"])
    with django_capture_on_commit_callbacks(execute=True):
        other = sent(users["congan"], task5, q1, units["Công an xã"])
    assert {n.user.username for n in Notification.objects.filter(kind=NotificationKind.SUBMITTED)} == {
        "daumoi"
    }
    with pytest.raises(PermissionDenied):
        p_services.progress_report_accept(actor=users["lanhdao"], report=other)
    assert (
        p_services.progress_report_accept(actor=users["daumoi"], report=other).status == ReportStatus.ACCEPTED
    )


def test_on_figures_of_the_lead_unit_go_to_the_leader(habac, users, units, q1):
    separate(habac, users["lanhdao"])
    indicator = Indicator.objects.get(plan=habac, code="CT01")
    m = m_services.measurement_open(actor=users["vhxh"], indicator=indicator, period=q1, unit=units[VH_XH])
    m = m_services.measurement_save(
        actor=users["vhxh"], measurement=m, version=None, data={"value": Decimal("3"), "source": "Sổ"}
    )
    m = m_services.measurement_submit(actor=users["vhxh"], measurement=m)
    with pytest.raises(PermissionDenied, match="lãnh đạo UBND"):
        m_services.measurement_accept(actor=users["daumoi"], measurement=m)
    assert (
        m_services.measurement_accept(actor=users["lanhdao"], measurement=m).status == ReportStatus.ACCEPTED
    )


def test_review_scope(habac, users, units):
    scope = ReviewScope(users["daumoi"], habac)
    assert scope and units[VH_XH] in scope and units["Công an xã"] in scope
    assert not ReviewScope(users["lanhdao"], habac)
    habac = separate(habac, users["daumoi"])
    scope, leader = ReviewScope(users["daumoi"], habac), ReviewScope(users["lanhdao"], habac)
    assert units[VH_XH] not in scope and units["Công an xã"] in scope
    assert units[VH_XH] in leader and units["Công an xã"] not in leader and leader
    assert not ReviewScope(users["vhxh"], habac) and not ReviewScope(users["captren"], habac)


# The setting -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["daumoi", "lanhdao"])
def test_daumoi_or_leader_changes_the_setting_audited(habac, users, client_for, username):
    client = client_for(users[username])
    url = reverse("plans:settings", args=[habac.pk])
    page = client.get(url).content.decode()
    assert "Ai chấp nhận báo cáo của đơn vị đầu mối" in page and 'value="0" ' in page
    assert f'href="{url}"' in client.get(habac.get_absolute_url()).content.decode()
    response = client.post(url, {"leader_reviews_lead_unit": "1"}, follow=True)
    assert "do lãnh đạo UBND chấp nhận" in response.content.decode()
    habac.refresh_from_db()
    assert habac.leader_reviews_lead_unit is True
    entry = history_for(habac).order_by("-pk").first()
    assert entry.actor == users[username] and "do lãnh đạo UBND chấp nhận" in entry.summary
    client.post(url, {"leader_reviews_lead_unit": "0"})
    habac.refresh_from_db()
    assert habac.leader_reviews_lead_unit is False


@pytest.mark.parametrize("username", ["vhxh", "captren", "kinhte"])
def test_others_cannot_change_the_setting(habac, users, client_for, username):
    client = client_for(users[username])
    url = reverse("plans:settings", args=[habac.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"leader_reviews_lead_unit": "1"}).status_code == 403
    assert (
        reverse("plans:settings", args=[habac.pk])
        not in client.get(habac.get_absolute_url()).content.decode()
    )
    with pytest.raises(PermissionDenied):
        plan_review_setting_update(actor=users[username], plan=habac, leader_reviews_lead_unit=True)
    habac.refresh_from_db()
    assert habac.leader_reviews_lead_unit is False


def test_other_city_sees_no_settings_page(habac, client_for, other_city):
    assert (
        client_for(other_city["supervisor"]).get(reverse("plans:settings", args=[habac.pk])).status_code
        == 403
    )


# Pages ---------------------------------------------------------------------------------------------------


def test_pages_offer_review_to_whoever_may_review(habac, users, units, q1, task5, client_for):
    separate(habac, users["lanhdao"])
    own = sent(users["vhxh"], task5, q1, units[VH_XH])
    other = sent(users["congan"], task5, q1, units["Công an xã"])
    accept_own = reverse("tracking:report_review", args=[own.pk, "accept"])
    accept_other = reverse("tracking:report_review", args=[other.pk, "accept"])
    daumoi, lanhdao = client_for(users["daumoi"]), client_for(users["lanhdao"])

    page = daumoi.get(own.get_absolute_url()).content.decode()
    assert accept_own not in page and "lãnh đạo UBND chấp nhận hoặc trả lại" in page
    assert accept_own in lanhdao.get(own.get_absolute_url()).content.decode()
    assert accept_other in daumoi.get(other.get_absolute_url()).content.decode()
    assert accept_other not in lanhdao.get(other.get_absolute_url()).content.decode()

    desk = reverse("tracking:desk", args=[habac.pk, q1.pk])
    daumoi_desk, leader_desk = daumoi.get(desk).content.decode(), lanhdao.get(desk).content.decode()
    assert accept_other in daumoi_desk and accept_own not in daumoi_desk
    assert accept_own in leader_desk and accept_other not in leader_desk
    # Period administration stays with đầu mối.
    assert "Khóa sổ kỳ" in daumoi_desk and "Khóa sổ kỳ" not in leader_desk

    refused = daumoi.post(accept_own)
    assert refused.status_code == 403 and REFUSAL in refused.content.decode()
    assert lanhdao.post(accept_own, headers={"HX-Request": "true"}).status_code == 200
    own.refresh_from_db()
    assert own.status == ReportStatus.ACCEPTED and own.reviewed_by == users["lanhdao"]


def test_setting_is_shown_on_the_plan_page(habac, users, client_for):
    page = client_for(users["vhxh"]).get(habac.get_absolute_url()).content.decode()
    assert "Duyệt báo cáo của đơn vị đầu mối" in page and "Đầu mối chấp nhận" in page
    separate(habac, users["daumoi"])
    assert (
        "Lãnh đạo UBND chấp nhận" in client_for(users["vhxh"]).get(habac.get_absolute_url()).content.decode()
    )
