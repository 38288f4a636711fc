"""A notification stops counting once what it asks for is done, or once its page is opened."""

import datetime
import re
from decimal import Decimal

import pytest

from kehoach.plans.models import Indicator, Task
from kehoach.plans.selectors import tasks_with_units
from kehoach.tracking import selectors
from kehoach.tracking.choices import NotificationKind, PeriodKind, ReportStatus
from kehoach.tracking.models import Measurement, Notification, Period
from kehoach.tracking.services import measurements as m_services
from kehoach.tracking.services import progress as p_services
from kehoach.tracking.services.notifications import notify
from kehoach.tracking.services.reminders import reminders_run

JULY = datetime.date(2026, 7, 1)


@pytest.fixture
def q4(habac) -> Period:
    return Period.objects.get(plan=habac, kind=PeriodKind.QUARTER, year=2026, number=4)


def task_at(plan, position: int) -> Task:
    return tasks_with_units(Task.objects.filter(plan=plan, position=position)).get()


def badge(client) -> int:
    """The unread count the navigation bar shows (0 when it shows none)."""
    html = client.get("/thong-bao/").content.decode()
    found = re.search(r'id="unread-count">(\d+)<', html)
    return int(found.group(1)) if found else 0


def unread(user, **filters) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True, **filters).count()


def submitted_report(habac, users, units, q4, django_capture_on_commit_callbacks):
    vhxh = users["vhxh"]
    with django_capture_on_commit_callbacks(execute=True):
        report = p_services.progress_report_open(
            actor=vhxh, task=task_at(habac, 5), period=q4, unit=units["Phòng VH-XH"]
        )
        report = p_services.progress_report_save(
            actor=vhxh,
            report=report,
            data={"percent_complete": 60, "results": "Đã triển khai."},
            version=None,
        )
        report = p_services.progress_report_submit(actor=vhxh, report=report)
    return report


@pytest.mark.parametrize("step", ["accept", "return"])
def test_review_request_is_read_once_the_report_is_reviewed(
    step, habac, users, units, q4, client_for, django_capture_on_commit_callbacks
):
    report = submitted_report(habac, users, units, q4, django_capture_on_commit_callbacks)
    daumoi = client_for(users["daumoi"])
    assert unread(users["daumoi"], kind=NotificationKind.SUBMITTED) == 1
    before = badge(daumoi)
    assert before >= 1

    with django_capture_on_commit_callbacks(execute=True):
        if step == "accept":
            p_services.progress_report_accept(actor=users["daumoi"], report=report)
        else:
            p_services.progress_report_return(
                actor=users["daumoi"], report=report, reason="Thiếu minh chứng."
            )

    assert unread(users["daumoi"], kind=NotificationKind.SUBMITTED) == 0
    # Returning tells the unit's people, among them đầu mối when it is a member of that unit.
    told = unread(users["daumoi"], kind=NotificationKind.RETURNED)
    assert badge(daumoi) == before - 1 + told


def test_returned_notice_is_read_once_the_report_is_sent_again(
    habac, users, units, q4, client_for, django_capture_on_commit_callbacks
):
    report = submitted_report(habac, users, units, q4, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        report = p_services.progress_report_return(
            actor=users["daumoi"], report=report, reason="Thiếu số liệu."
        )
    assert unread(users["vhxh"], kind=NotificationKind.RETURNED) == 1
    with django_capture_on_commit_callbacks(execute=True):
        p_services.progress_report_save(
            actor=users["vhxh"], report=report, data={"results": "Đã triển khai, có số liệu."}, version=None
        )
        p_services.progress_report_submit(actor=users["vhxh"], report=report)
    assert unread(users["vhxh"], kind=NotificationKind.RETURNED) == 0


def test_missing_reminder_is_read_once_the_unit_sent_everything(habac, users, units):
    """TT PVHCC owes three figures for quý II: its reminder stays until the last one is sent."""
    q2 = Period.objects.get(plan=habac, kind=PeriodKind.QUARTER, year=2026, number=2)
    pvhcc_unit = units["TT PVHCC"]
    reminders_run(today=JULY)
    key = f"missing:{q2.pk}:{pvhcc_unit.pk}"
    notify(
        users=[users["pvhcc"]], kind=NotificationKind.NUDGE, key=f"nudge:{q2.pk}:{pvhcc_unit.pk}:1", title="x"
    )
    assert unread(users["pvhcc"], key=key) == 1
    owed = next(row for row in selectors.missing(habac, q2, today=JULY) if row["unit"] == pvhcc_unit)
    indicators = [indicator for indicator, _ in owed["indicators"]]
    assert len(indicators) == 3 and not owed["tasks"]

    def send(indicator: Indicator) -> None:
        m = m_services.measurement_open(actor=users["pvhcc"], indicator=indicator, period=q2, unit=pvhcc_unit)
        data = (
            {"numerator": Decimal(9), "denominator": Decimal(10)}
            if indicator.is_rate
            else {"value": Decimal(1)}
        )
        m = m_services.measurement_save(
            actor=users["pvhcc"], measurement=m, data={**data, "source": "Sổ theo dõi"}, version=None
        )
        m_services.measurement_submit(actor=users["pvhcc"], measurement=m)

    for indicator in indicators[:-1]:
        send(indicator)
        assert unread(users["pvhcc"], key=key) == 1
    send(indicators[-1])
    assert unread(users["pvhcc"], key=key) == 0
    assert unread(users["pvhcc"], kind=NotificationKind.NUDGE) == 0
    assert Measurement.objects.filter(period=q2, unit=pvhcc_unit, status=ReportStatus.SUBMITTED).count() == 3
    # Other units still owe: đầu mối's summary and their reminders stay.
    assert unread(users["daumoi"], key=f"missing-summary:{q2.pk}") == 1
    assert unread(users["vhxh"], key=f"missing:{q2.pk}:{units['Phòng VH-XH'].pk}") == 1


def test_deadline_reminders_are_read_once_the_task_is_done(habac, users, units, q4, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from kehoach.tracking.services.evidence import evidence_add

    settings.MEDIA_ROOT = tmp_path
    task = task_at(habac, 4)  # leads: Phòng VH-XH and TT DVSNC
    for kind in ("due_soon", "overdue"):
        notify(
            users=[users["vhxh"], users["dvsnc"]], kind=kind, key=f"{kind}:{task.pk}:2026-12-31", title=kind
        )
    for username, unit in (("vhxh", "Phòng VH-XH"), ("dvsnc", "TT DVSNC")):
        actor = users[username]
        report = p_services.progress_report_open(actor=actor, task=task, period=q4, unit=units[unit])
        evidence_add(
            actor=actor,
            upload=SimpleUploadedFile("kq.pdf", b"%PDF-1.4\n%%EOF\n"),
            report=report,
            is_output=True,
        )
        data = {"percent_complete": 100, "output_delivered": True, "completed_on": datetime.date(2026, 11, 2)}
        report = p_services.progress_report_save(
            actor=actor, report=report, data={**data, "results": "Xong", "outputs": "Bài"}, version=None
        )
        report = p_services.progress_report_submit(actor=actor, report=report)
        assert unread(users["vhxh"], key__startswith=f"overdue:{task.pk}:") == 1
        p_services.progress_report_accept(actor=users["daumoi"], report=report)
    assert Task.objects.get(pk=task.pk).completed_on is not None
    assert unread(users["vhxh"], key__startswith=f"due_soon:{task.pk}:") == 0
    assert unread(users["dvsnc"], key__startswith=f"overdue:{task.pk}:") == 0


def test_opening_the_page_a_notification_links_to_reads_it(
    habac, users, units, q4, client_for, django_capture_on_commit_callbacks
):
    report = submitted_report(habac, users, units, q4, django_capture_on_commit_callbacks)
    daumoi = client_for(users["daumoi"])
    before = badge(daumoi)
    other = notify(
        users=[users["daumoi"]], kind=NotificationKind.NUDGE, key="elsewhere", title="x", url="/khac/"
    )
    assert other == 1 and badge(daumoi) == before + 1
    page = daumoi.get(report.get_absolute_url()).content.decode()
    # The page itself already counts it as read, and so does every page after.
    assert re.search(r'id="unread-count">(\d+)<', page).group(1) == str(before)
    assert unread(users["daumoi"], kind=NotificationKind.SUBMITTED) == 0
    assert unread(users["daumoi"], key="elsewhere") == 1
    assert badge(daumoi) == before
