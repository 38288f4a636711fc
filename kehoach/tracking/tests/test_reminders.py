"""Reminders (đôn đốc): who is reminded of what, never twice, and one e-mail digest per user per day."""

import datetime
import smtplib
from io import StringIO

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kehoach.plans.choices import DeadlineKind, PlanStatus, TaskUnitRole
from kehoach.plans.models import Indicator, Task, TaskUnit
from kehoach.tracking import selectors
from kehoach.tracking.choices import NotificationKind, PeriodKind, ReporterRole, ReportStatus
from kehoach.tracking.models import DigestLog, Measurement, Notification, Period, ProgressReport
from kehoach.tracking.services.progress import progress_report_return
from kehoach.tracking.services.reminders import digest_send, reminders_run

D = datetime.date
MAY = D(2026, 5, 4)  # after the cut-off of quý I (14/03), before that of quý II (14/06)
JULY = D(2026, 7, 1)  # after the cut-off of quý II and of 6 tháng đầu năm (14/06)
BASE_URL = "https://kehoach.habac.example.vn"


@pytest.fixture
def emails(users, settings):
    """Every demo user gets an address, except the Văn phòng officer, who has none."""
    settings.KEHOACH_BASE_URL = BASE_URL
    for user in users.values():
        user.email = "" if user.username == "vanphong" else f"{user.username}@habac.example.vn"
        user.save(update_fields=["email"])
    mail.outbox = []
    return users


def add_task(plan, leads, *, due_on, title="Nhiệm vụ thử nghiệm nhắc việc", completed_on=None, position=100):
    task = Task.objects.create(
        plan=plan,
        position=position,
        title=title,
        output="Báo cáo kết quả",
        deadline_text=f"Trước ngày {due_on:%d/%m/%Y}",
        deadline_kind=DeadlineKind.DATE,
        deadline_date=due_on,
        due_on=due_on,
        completed_on=completed_on,
    )
    for i, unit in enumerate(leads):
        TaskUnit.objects.create(task=task, unit=unit, role=TaskUnitRole.LEAD, position=i)
    return task


def sent(kind=None, **filters) -> set[tuple[str, str]]:
    qs = Notification.objects.filter(**filters)
    if kind:
        qs = qs.filter(kind=kind)
    return set(qs.values_list("user__username", "key"))


def period(plan, kind, number) -> Period:
    return Period.objects.get(plan=plan, kind=kind, year=2026, number=number)


def outbox_for(address: str) -> list:
    return [m for m in mail.outbox if m.to == [address]]


# --- Deadline within N days -------------------------------------------------------------------------


def test_due_soon_reminds_each_lead_person_once(habac, users, units):
    task = add_task(habac, [units["Phòng KT"], units["TT PVHCC"]], due_on=MAY + datetime.timedelta(days=3))
    add_task(habac, [units["Phòng KT"]], due_on=MAY + datetime.timedelta(days=9), title="Còn xa")
    add_task(
        habac, [units["Phòng KT"]], due_on=MAY + datetime.timedelta(days=2), completed_on=MAY, title="Xong"
    )

    result = reminders_run(today=MAY)

    key = f"due_soon:{task.pk}:2026-05-07"
    assert sent(NotificationKind.DUE_SOON) == {("kinhte", key), ("pvhcc", key)}
    assert result["due_soon"] == 2
    note = Notification.objects.get(user=users["kinhte"], key=key)
    assert note.title == f"Sắp đến hạn 07/05/2026 (còn 3 ngày): {task.title}"
    assert "Đơn vị chủ trì: Phòng KT, TT PVHCC." in note.body
    assert note.url == task.get_absolute_url()

    # The same day again, and the next day: nothing new.
    assert reminders_run(today=MAY)["created"] == 0
    assert reminders_run(today=MAY + datetime.timedelta(days=1))["due_soon"] == 0
    assert Notification.objects.filter(kind=NotificationKind.DUE_SOON).count() == 2


def test_moved_deadline_reminds_again(habac, units):
    task = add_task(habac, [units["Phòng KT"]], due_on=MAY + datetime.timedelta(days=3))
    reminders_run(today=MAY)
    Task.objects.filter(pk=task.pk).update(due_on=D(2026, 5, 20))

    reminders_run(today=D(2026, 5, 15))

    assert sent(NotificationKind.DUE_SOON) == {
        ("kinhte", f"due_soon:{task.pk}:2026-05-07"),
        ("kinhte", f"due_soon:{task.pk}:2026-05-20"),
    }


def test_due_today_is_a_last_call_not_overdue(habac, units):
    task = add_task(habac, [units["Công an xã"]], due_on=MAY)
    reminders_run(today=MAY)
    note = Notification.objects.get(key=f"due_soon:{task.pk}:2026-05-04")
    assert "hôm nay là hạn cuối" in note.title
    assert not Notification.objects.filter(kind=NotificationKind.OVERDUE).exists()


def test_tasks_waiting_on_a_trigger_are_not_reminded(habac):
    # Tasks 1–3 of the Hà Bắc plan wait for "Thành phố ban hành Kế hoạch": no deadline yet.
    waiting = list(
        Task.objects.filter(plan=habac, deadline_kind=DeadlineKind.CONDITIONAL, due_on__isnull=True)
    )
    assert len(waiting) == 3
    reminders_run(today=D(2026, 12, 28))
    reminded = {
        int(key.split(":")[1])
        for _, key in sent(kind__in=[NotificationKind.DUE_SOON, NotificationKind.OVERDUE])
    }
    # The six tasks due 31/12/2026 are, the three waiting ones are not.
    assert reminded == set(
        Task.objects.filter(plan=habac, due_on=D(2026, 12, 31)).values_list("pk", flat=True)
    )
    assert len(reminded) == 6


# --- Overdue ------------------------------------------------------------------------------------------


def test_overdue_notifies_lead_people_and_dau_moi(habac, units):
    task = add_task(habac, [units["Công an xã"]], due_on=MAY - datetime.timedelta(days=2))

    result = reminders_run(today=MAY)

    key = f"overdue:{task.pk}:2026-05-02"
    assert sent(NotificationKind.OVERDUE) == {("congan", key), ("daumoi", key)}
    assert result["overdue"] == 2
    note = Notification.objects.get(user__username="congan", key=key)
    assert note.title == f"Quá hạn từ 02/05/2026: {task.title}"
    assert "đã quá hạn 2 ngày" in note.body
    assert reminders_run(today=MAY + datetime.timedelta(days=1))["overdue"] == 0


def test_only_issued_plans_are_reminded(habac, units):
    add_task(habac, [units["Công an xã"]], due_on=MAY - datetime.timedelta(days=2))
    habac.status = PlanStatus.DRAFT
    habac.save()
    assert reminders_run(today=JULY) == {
        "plans": 0,
        "failed_plans": 0,
        "due_soon": 0,
        "overdue": 0,
        "missing": 0,
        "missing_summary": 0,
        "created": 0,
    }
    assert not Notification.objects.exists()


def test_a_failing_plan_does_not_stop_the_others(habac, units, other_city, monkeypatch):
    from kehoach.tracking.services import reminders

    own = add_task(other_city["plan"], [other_city["office"]], due_on=D(2026, 6, 1), title="Nhiệm vụ Sóc Sơn")
    add_task(habac, [units["Công an xã"]], due_on=D(2026, 6, 1))
    real = reminders._plan_reminders

    def broken_for_habac(plan, today, days_before):
        counts = real(plan, today, days_before)
        if plan.pk == habac.pk:
            raise RuntimeError("lỗi dữ liệu")
        return counts

    monkeypatch.setattr(reminders, "_plan_reminders", broken_for_habac)
    result = reminders_run(today=JULY)

    assert (result["plans"], result["failed_plans"]) == (1, 1)
    # Hà Bắc's transaction was rolled back whole; Sóc Sơn's went through.
    assert sent() == {("daumoi_socson", f"overdue:{own.pk}:2026-06-01")}
    with pytest.raises(CommandError, match="Không tạo được thông báo cho 1 kế hoạch"):
        call_command("remind", "--date", "2026-07-01", "--no-email", stdout=StringIO())


# --- Reports missing after the cut-off ----------------------------------------------------------------


def submit_all_measurements(plan, per: Period, unit) -> None:
    for indicator in Indicator.objects.filter(plan=plan, lead_unit=unit):
        Measurement.objects.create(
            indicator=indicator, period=per, unit=unit, value=1, status=ReportStatus.SUBMITTED
        )


def test_missing_reports_after_cutoff_notify_units_and_dau_moi_once(habac, units):
    q2 = period(habac, PeriodKind.QUARTER, 2)
    assert q2.ends_on == D(2026, 6, 14)
    submit_all_measurements(habac, q2, units["Phòng KT"])

    # Up to the cut-off day nothing is missing yet.
    reminders_run(today=D(2026, 6, 14))
    assert not Notification.objects.filter(key__startswith=f"missing:{q2.pk}:").exists()

    reminders_run(today=JULY)

    rows = selectors.missing(habac, q2, today=JULY)
    concerned = {row["unit"].pk for row in rows}
    assert units["Phòng KT"].pk not in concerned
    assert {units["Phòng VH-XH"].pk, units["TT PVHCC"].pk, units["TT DVSNC"].pk} <= concerned
    expected = {
        ("daumoi", f"missing:{q2.pk}:{units['Phòng VH-XH'].pk}"),
        ("vhxh", f"missing:{q2.pk}:{units['Phòng VH-XH'].pk}"),
        ("vanphong", f"missing:{q2.pk}:{units['Văn phòng HĐND và UBND'].pk}"),
        ("pvhcc", f"missing:{q2.pk}:{units['TT PVHCC'].pk}"),
        ("dvsnc", f"missing:{q2.pk}:{units['TT DVSNC'].pk}"),
    }
    assert sent(NotificationKind.MISSING, key__startswith=f"missing:{q2.pk}:") == expected
    assert sent(key=f"missing-summary:{q2.pk}") == {("daumoi", f"missing-summary:{q2.pk}")}

    note = Notification.objects.get(user__username="pvhcc", key=f"missing:{q2.pk}:{units['TT PVHCC'].pk}")
    assert note.title == "TT PVHCC chưa gửi báo cáo quý II/2026: 3 chỉ tiêu"
    assert "hạn gửi báo cáo ngày 19/06/2026" in note.body
    assert note.url == f"/ke-hoach/{habac.pk}/ky/{q2.pk}/?don_vi={units['TT PVHCC'].pk}"
    summary = Notification.objects.get(key=f"missing-summary:{q2.pk}")
    assert summary.title == f"Kỳ báo cáo quý II/2026: {len(rows)} đơn vị chưa gửi đủ báo cáo"
    assert "- TT PVHCC: 3 chỉ tiêu" in summary.body
    # Phòng KT still owes quý I, where it sent nothing.
    assert ("kinhte", f"missing:{period(habac, PeriodKind.QUARTER, 1).pk}:{units['Phòng KT'].pk}") in sent()

    before = Notification.objects.count()
    assert reminders_run(today=JULY)["created"] == 0
    assert reminders_run(today=JULY + datetime.timedelta(days=1))["created"] == 0
    assert Notification.objects.count() == before


def test_closed_periods_are_not_chased(habac, users):
    q1 = period(habac, PeriodKind.QUARTER, 1)
    Period.objects.filter(pk=q1.pk).update(closed_at=datetime.datetime(2026, 4, 1, tzinfo=datetime.UTC))
    reminders_run(today=MAY)
    assert not Notification.objects.filter(key__in=[f"missing-summary:{q1.pk}"]).exists()
    assert not Notification.objects.filter(key__startswith=f"missing:{q1.pk}:").exists()


# --- E-mail digest ------------------------------------------------------------------------------------


def test_one_digest_per_user_per_day_and_never_a_repeat(habac, emails, units):
    reminders_run(today=JULY)
    result = digest_send(today=JULY)

    recipients = [m.to[0] for m in mail.outbox]
    assert len(recipients) == len(set(recipients)) == result["sent"]
    assert "vanphong" not in " ".join(recipients)  # no address: in-app only
    assert Notification.objects.filter(user__username="vanphong", emailed_on__isnull=True).exists()
    assert DigestLog.objects.filter(day=JULY).count() == result["sent"]
    pvhcc_notes = Notification.objects.filter(user__username="pvhcc")
    (message,) = outbox_for("pvhcc@habac.example.vn")
    assert message.subject == f"[kehoach] Nhắc việc ngày 01/07/2026: {pvhcc_notes.count()} việc cần chú ý"
    assert "Kính gửi Đỗ Thị Mai," in message.body
    for note in pvhcc_notes:
        assert note.title in message.body
        assert note.emailed_on == JULY
        assert f"{BASE_URL}{note.url}" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert f'href="{BASE_URL}/ke-hoach/{habac.pk}/ky/' in html
    assert f"{BASE_URL}/thong-bao/" in message.body

    # Later the same day a task falls overdue: reminded in-app now, by e-mail only tomorrow.
    mail.outbox = []
    late = add_task(
        habac, [units["TT PVHCC"]], due_on=D(2026, 6, 30), title="Số hóa hồ sơ thủ tục hành chính"
    )
    assert reminders_run(today=JULY)["overdue"] == 2
    assert digest_send(today=JULY)["sent"] == 0
    assert mail.outbox == []

    next_day = JULY + datetime.timedelta(days=1)
    reminders_run(today=next_day)
    digest_send(today=next_day)
    assert sorted(m.to[0] for m in mail.outbox) == ["daumoi@habac.example.vn", "pvhcc@habac.example.vn"]
    (message,) = outbox_for("pvhcc@habac.example.vn")
    assert message.subject == "[kehoach] Nhắc việc ngày 02/07/2026: 1 việc cần chú ý"
    assert f"Quá hạn từ 30/06/2026: {late.title}" in message.body
    for note in pvhcc_notes.filter(emailed_on=JULY):
        assert note.title not in message.body

    # A third run the same day sends nothing at all.
    mail.outbox = []
    assert digest_send(today=next_day) == {"sent": 0, "failed": 0, "notifications": 0}
    assert mail.outbox == []


def test_notifications_already_read_are_not_emailed(habac, emails, units):
    task = add_task(habac, [units["Công an xã"]], due_on=MAY + datetime.timedelta(days=1))
    reminders_run(today=MAY)
    Notification.objects.filter(user__username="congan").update(read_at=datetime.datetime.now(datetime.UTC))
    digest_send(today=MAY)
    assert outbox_for("congan@habac.example.vn") == []
    assert Notification.objects.get(key=f"due_soon:{task.pk}:2026-05-05").emailed_on is None


def test_a_long_digest_lists_the_most_pressing_first_and_counts_the_rest(habac, emails):
    kinhte = emails["kinhte"]
    Notification.objects.bulk_create(
        [
            Notification(
                user=kinhte, kind=NotificationKind.DUE_SOON, key=f"thu:{i}", title=f"Sắp đến hạn số {i}"
            )
            for i in range(59)
        ]
        + [
            Notification(
                user=kinhte, kind=NotificationKind.OVERDUE, key="thu:qua-han", title="Việc đã quá hạn"
            )
        ]
    )
    assert digest_send(today=MAY) == {"sent": 1, "failed": 0, "notifications": 60}
    (message,) = mail.outbox
    assert message.subject == "[kehoach] Nhắc việc ngày 04/05/2026: 60 việc cần chú ý"
    assert (
        message.body.index("QUÁ HẠN")
        < message.body.index("Việc đã quá hạn")
        < message.body.index("SẮP ĐẾN HẠN")
    )
    assert "… và 10 thông báo khác." in message.body
    assert not Notification.objects.filter(user=kinhte, emailed_on__isnull=True).exists()


def test_another_city_hears_nothing_about_ha_bac(habac, emails, units, other_city):
    for user in (other_city["supervisor"], other_city["coordinator"]):
        user.email = f"{user.username}@hanoi.example.vn"
        user.save(update_fields=["email"])
    own = add_task(other_city["plan"], [other_city["office"]], due_on=D(2026, 6, 1), title="Nhiệm vụ Sóc Sơn")
    habac_task = add_task(habac, [units["Phòng VH-XH"]], due_on=D(2026, 6, 1), title="Nhiệm vụ Hà Bắc")

    reminders_run(today=JULY)
    digest_send(today=JULY)

    outsiders = [other_city["supervisor"], other_city["coordinator"]]
    assert sent(user__in=outsiders) == {("daumoi_socson", f"overdue:{own.pk}:2026-06-01")}
    (message,) = outbox_for("daumoi_socson@hanoi.example.vn")
    assert "Nhiệm vụ Sóc Sơn" in message.body
    assert "Hà Bắc" not in message.body and "97/KH-UBND" not in message.body
    assert outbox_for("captren_hn@hanoi.example.vn") == []
    # And Hà Bắc hears nothing about Sóc Sơn.
    assert not Notification.objects.filter(key__contains=f":{own.pk}:").exclude(user__in=outsiders).exists()
    assert ("daumoi", f"overdue:{habac_task.pk}:2026-06-01") in sent()


def test_returned_report_goes_into_the_next_digest(habac, emails, units, django_capture_on_commit_callbacks):
    reminders_run(today=JULY)
    digest_send(today=JULY)
    mail.outbox = []
    task = Task.objects.get(plan=habac, position=5)
    report = ProgressReport.objects.create(
        task=task,
        period=period(habac, PeriodKind.QUARTER, 2),
        unit=units["Phòng VH-XH"],
        role=ReporterRole.LEAD,
        percent_complete=50,
        results="Đã tổ chức 2 hội nghị.",
        status=ReportStatus.SUBMITTED,
    )
    with django_capture_on_commit_callbacks(execute=True):
        progress_report_return(actor=emails["daumoi"], report=report, reason="Thiếu minh chứng hội nghị.")
    returned = Notification.objects.filter(kind=NotificationKind.RETURNED)
    assert {n.user.username for n in returned} == {"daumoi", "vhxh"}

    next_day = JULY + datetime.timedelta(days=1)
    assert reminders_run(today=next_day)["created"] == 0
    digest_send(today=next_day)

    (message,) = outbox_for("vhxh@habac.example.vn")
    assert message.subject == "[kehoach] Nhắc việc ngày 02/07/2026: 1 việc cần chú ý"
    assert f"Báo cáo Quý II/2026 bị trả lại: {task.title}" in message.body
    assert "Thiếu minh chứng hội nghị." in message.body
    assert f"{BASE_URL}/bao-cao-tien-do/{report.pk}/" in message.body
    assert set(returned.values_list("emailed_on", flat=True)) == {next_day}


def test_failed_send_is_not_marked_and_is_retried(habac, emails, monkeypatch):
    reminders_run(today=JULY)
    real_send = EmailBackend.send_messages

    def flaky(self, messages):
        if messages[0].to == ["pvhcc@habac.example.vn"]:
            raise smtplib.SMTPServerDisconnected("Máy chủ thư ngắt kết nối")
        return real_send(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", flaky)
    first = digest_send(today=JULY)
    assert first["failed"] == 1 and first["sent"] >= 1
    assert outbox_for("pvhcc@habac.example.vn") == []
    assert not DigestLog.objects.filter(user=emails["pvhcc"]).exists()
    assert not Notification.objects.filter(user=emails["pvhcc"], emailed_on__isnull=False).exists()
    assert not Notification.objects.filter(user=emails["dvsnc"], emailed_on__isnull=True).exists()

    monkeypatch.setattr(EmailBackend, "send_messages", real_send)
    mail.outbox = []
    assert digest_send(today=JULY) == {
        "sent": 1,
        "failed": 0,
        "notifications": Notification.objects.filter(user=emails["pvhcc"]).count(),
    }
    assert [m.to for m in mail.outbox] == [["pvhcc@habac.example.vn"]]
    assert not Notification.objects.filter(user=emails["pvhcc"], emailed_on__isnull=True).exists()


def test_mail_server_down_leaves_everything_for_the_next_run(habac, emails, monkeypatch):
    reminders_run(today=JULY)

    def refuse(self):
        raise ConnectionRefusedError("Không kết nối được máy chủ thư")

    monkeypatch.setattr(EmailBackend, "open", refuse, raising=False)
    result = digest_send(today=JULY)
    assert result["sent"] == 0 and result["failed"] > 0
    assert not DigestLog.objects.exists()
    assert not Notification.objects.filter(emailed_on__isnull=False).exists()

    monkeypatch.undo()
    assert digest_send(today=JULY)["sent"] == result["failed"]


# --- The command ---------------------------------------------------------------------------------------


def test_command_prints_summary_and_accepts_date(habac, emails):
    out = StringIO()
    call_command("remind", "--date", "2026-07-01", stdout=out)
    created = Notification.objects.count()
    letters = len(mail.outbox)
    assert created > 0 and letters > 0
    assert out.getvalue().strip() == f"Đã tạo {created} thông báo, gửi {letters} thư nhắc việc."
    assert set(DigestLog.objects.values_list("day", flat=True)) == {JULY}

    out = StringIO()
    call_command("remind", "--date", "2026-07-01", stdout=out)
    assert out.getvalue().strip() == "Đã tạo 0 thông báo, gửi 0 thư nhắc việc."


def test_command_without_email_and_with_a_bad_date(habac, emails):
    out = StringIO()
    call_command("remind", "--date", "2026-07-01", "--no-email", stdout=out)
    assert (
        out.getvalue().strip()
        == f"Đã tạo {Notification.objects.count()} thông báo, không gửi thư (--no-email)."
    )
    assert mail.outbox == []
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("remind", "--date", "01/07/2026")


def test_command_reports_a_failed_send(habac, emails, monkeypatch):
    def down(self, messages):
        raise smtplib.SMTPException("Lỗi máy chủ thư")

    monkeypatch.setattr(EmailBackend, "send_messages", down)
    out = StringIO()
    with pytest.raises(CommandError, match="sẽ gửi lại ở lần chạy sau"):
        call_command("remind", "--date", "2026-07-01", stdout=out)
    assert "gửi 0 thư nhắc việc" in out.getvalue()


# --- Queries ------------------------------------------------------------------------------------------


def test_reminders_run_queries_do_not_grow_with_tasks(habac, units):
    leads = [units["Phòng KT"], units["Công an xã"], units["TT PVHCC"]]
    add_task(habac, [leads[0]], due_on=MAY + datetime.timedelta(days=2))
    add_task(habac, [leads[1]], due_on=MAY - datetime.timedelta(days=2))
    with CaptureQueriesContext(connection) as few:
        first = reminders_run(today=MAY)

    Notification.objects.all().delete()
    for i in range(30):
        days = (i % 7) + 1
        due = MAY + datetime.timedelta(days=days) if i % 2 else MAY - datetime.timedelta(days=days)
        add_task(
            habac, [leads[i % 3], leads[(i + 1) % 3]], due_on=due, title=f"Nhiệm vụ {i}", position=200 + i
        )
    with CaptureQueriesContext(connection) as many:
        second = reminders_run(today=MAY)

    assert second["due_soon"] + second["overdue"] > first["due_soon"] + first["overdue"] + 30
    assert len(few) <= 25
    assert len(many) == len(few), "\n".join(q["sql"] for q in many.captured_queries)
