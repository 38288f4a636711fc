"""The day's work runs once a day by itself: claimed by one process, each step isolated, started by
the worker's loop after KEHOACH_DAILY_AT, and the worker supervised by `kehoach serve`."""

import datetime
import logging
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
import types
from io import StringIO
from pathlib import Path

import pytest
from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.db import connections
from django.utils import timezone

from kehoach.core.management.commands import serve
from kehoach.importer.management.commands.worker import daily_pass
from kehoach.operations import daily
from kehoach.operations.daily import daily_at, daily_due, daily_run
from kehoach.operations.models import DailyRun
from kehoach.tracking.choices import NotificationKind
from kehoach.tracking.models import Notification

JULY = datetime.date(2026, 7, 1)  # after the cut-off of quý II: every unit that has not reported is reminded
ALERTS_MODULE = "kehoach.operations.services.alerts"


def local(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


@pytest.fixture
def alerts(monkeypatch):
    """A stand-in scenario evaluator: records its calls and raises one alert for đầu mối."""
    calls: list[datetime.date] = []

    def alerts_evaluate(*, today, plans=None):
        from kehoach.units.models import User

        calls.append(today)
        Notification.objects.get_or_create(
            user=User.objects.get(username="daumoi"),
            key=f"alert:test:{today.isoformat()}",
            defaults={"kind": NotificationKind.ALERT, "title": "Cảnh báo đỏ: chỉ tiêu thấp hơn mục tiêu"},
        )
        return {"plans": 1, "failed_plans": 0, "raised": 1, "cleared": 0, "escalated": 0, "notified": 1}

    try:
        import kehoach.operations.services.alerts as installed
    except ImportError:
        module = types.ModuleType(ALERTS_MODULE)
        module.alerts_evaluate = alerts_evaluate
        monkeypatch.setitem(sys.modules, ALERTS_MODULE, module)
    else:
        # Only the evaluator is replaced: the centre's views import the module's other functions.
        monkeypatch.setattr(installed, "alerts_evaluate", alerts_evaluate, raising=False)
    return calls


def without_evaluator(monkeypatch) -> None:
    """As before operations/services/alerts.py (or its alerts_evaluate) existed: the import fails."""
    try:
        import kehoach.operations.services.alerts as installed
    except ImportError:
        monkeypatch.setitem(sys.modules, ALERTS_MODULE, None)
    else:
        monkeypatch.delattr(installed, "alerts_evaluate", raising=False)


@pytest.fixture
def daumoi_email(users):
    users["daumoi"].email = "daumoi@habac.example.vn"
    users["daumoi"].save(update_fields=["email"])
    mail.outbox = []
    return users["daumoi"].email


# --- Once a day ---------------------------------------------------------------------------------------


def test_runs_once_a_day_and_force_runs_it_again(habac, alerts, daumoi_email):
    first = daily_run(today=JULY)

    assert first["skipped"] is False
    assert first["errors"] == {} and first["unavailable"] == []
    assert first["reminders"]["created"] > 0 and first["reminders"]["missing_summary"] > 0
    assert first["alerts"]["raised"] == 1 and alerts == [JULY]
    assert first["digest"]["sent"] == 1
    run = DailyRun.objects.get(day=JULY)
    assert run.finished_at is not None and run.finished_at >= run.started_at
    assert run.result == {k: v for k, v in first.items() if k != "skipped"}
    # The digest goes last: the alert raised by the day's evaluation is already in it.
    (letter,) = mail.outbox
    assert letter.to == [daumoi_email] and "Cảnh báo đỏ: chỉ tiêu thấp hơn mục tiêu" in letter.body

    again = daily_run(today=JULY)

    assert again["skipped"] is True and again["reason"] == "done"
    assert alerts == [JULY] and len(mail.outbox) == 1
    assert DailyRun.objects.get(day=JULY).started_at == run.started_at

    forced = daily_run(today=JULY, force=True)

    assert forced["skipped"] is False and alerts == [JULY, JULY]
    # Every step is idempotent: the rerun repeats no reminder and no e-mail.
    assert forced["reminders"]["created"] == 0 and forced["digest"]["sent"] == 0
    rerun = DailyRun.objects.get(day=JULY)
    assert rerun.started_at > run.started_at and rerun.finished_at > rerun.started_at
    assert DailyRun.objects.count() == 1

    # The next day is a day of its own.
    assert daily_run(today=JULY + datetime.timedelta(days=1))["skipped"] is False
    assert DailyRun.objects.count() == 2


def test_a_failing_step_is_recorded_and_the_others_still_run(
    habac, alerts, daumoi_email, monkeypatch, caplog
):
    def broken(*, today):
        raise RuntimeError("lỗi dữ liệu thử nghiệm")

    monkeypatch.setattr(daily, "reminders_run", broken)
    with caplog.at_level(logging.ERROR, logger="kehoach.operations.daily"):
        result = daily_run(today=JULY)

    assert result["errors"] == {"reminders": "RuntimeError: lỗi dữ liệu thử nghiệm"}
    assert "reminders" not in result
    assert alerts == [JULY] and result["digest"]["sent"] == 1
    assert "bước “reminders” lỗi" in caplog.text and "lỗi dữ liệu thử nghiệm" in caplog.text
    run = DailyRun.objects.get(day=JULY)
    assert run.finished_at is not None and run.result["errors"] == result["errors"]
    assert daily.daily_problems(result) == [
        "Bước nhắc việc lỗi: RuntimeError: lỗi dữ liệu thử nghiệm (xem nhật ký lỗi)."
    ]


def test_a_missing_scenario_evaluator_is_skipped_and_recorded(habac, monkeypatch):
    # Before the scenario evaluator exists the import fails: the other steps go on.
    without_evaluator(monkeypatch)

    result = daily_run(today=JULY)

    assert result["unavailable"] == ["alerts"] and result["errors"] == {}
    assert "alerts" not in result and result["reminders"]["created"] > 0 and "digest" in result
    assert DailyRun.objects.get(day=JULY).result["unavailable"] == ["alerts"]
    assert daily.daily_problems(result) == []
    assert "chưa có bước đánh giá kịch bản điều hành" in daily.daily_summary(result)


def test_a_run_in_progress_is_left_alone_and_an_abandoned_one_is_taken_over(habac, alerts, caplog):
    started = timezone.now() - datetime.timedelta(minutes=30)
    DailyRun.objects.create(day=JULY, started_at=started)

    for force in (False, True):
        busy = daily_run(today=JULY, force=force)
        assert busy["skipped"] is True and busy["reason"] == "running"
    assert alerts == [] and not Notification.objects.exists()
    assert "đang do một tiến trình khác chạy" in daily.daily_summary(busy)

    # Still unfinished two hours on: the process that started it died (server stopped mid-run).
    DailyRun.objects.filter(day=JULY).update(
        started_at=timezone.now() - datetime.timedelta(hours=2, minutes=1)
    )
    with caplog.at_level(logging.WARNING, logger="kehoach.operations.daily"):
        taken = daily_run(today=JULY)

    assert taken["skipped"] is False and alerts == [JULY]
    assert "bỏ dở" in caplog.text
    run = DailyRun.objects.get(day=JULY)
    assert run.finished_at is not None and run.started_at > started


@pytest.mark.django_db(transaction=True)
def test_two_processes_the_same_day_never_both_run(monkeypatch):
    """A second caller while the first is still inside its steps sees the claimed day and skips."""
    inside, release = threading.Event(), threading.Event()
    ran: list[str] = []

    def slow_reminders(*, today):
        ran.append(threading.current_thread().name)
        inside.set()
        assert release.wait(10)
        return {"created": 0}

    monkeypatch.setattr(daily, "reminders_run", slow_reminders)
    monkeypatch.setattr(daily, "digest_send", lambda *, today: {"sent": 0, "failed": 0, "notifications": 0})
    without_evaluator(monkeypatch)
    results: dict[str, dict] = {}

    def call(name: str) -> None:
        try:
            results[name] = daily_run(today=JULY, force=True)
        finally:
            connections.close_all()

    first = threading.Thread(target=call, args=("first",), name="first")
    first.start()
    assert inside.wait(10)
    second = threading.Thread(target=call, args=("second",), name="second")
    second.start()
    second.join(10)
    release.set()
    first.join(10)

    assert ran == ["first"]
    assert results["second"]["skipped"] is True and results["second"]["reason"] == "running"
    assert results["first"]["skipped"] is False
    assert DailyRun.objects.get(day=JULY).finished_at is not None


# --- When it is due -----------------------------------------------------------------------------------


def test_daily_due_after_the_configured_hour_until_the_day_is_done(db, settings):
    settings.KEHOACH_DAILY_AT = "06:30"

    assert daily_due(local(JULY, 6, 29)) is False
    assert daily_due(local(JULY, 6, 30)) is True
    assert daily_due(local(JULY, 23, 59)) is True
    # Started elsewhere and not finished yet: still due (daily_run then sees it is taken).
    DailyRun.objects.create(day=JULY, started_at=timezone.now())
    assert daily_due(local(JULY, 7)) is True
    DailyRun.objects.filter(day=JULY).update(finished_at=timezone.now())
    assert daily_due(local(JULY, 7)) is False
    # Local time decides the day: 23:30 UTC on 30/06 is already 06:30 on 01/07 in Việt Nam.
    assert daily_due(datetime.datetime(2026, 6, 30, 23, 30, tzinfo=datetime.UTC)) is False
    assert daily_due(local(JULY + datetime.timedelta(days=1), 6, 30)) is True


@pytest.mark.parametrize("value", ["6h", "24:00", "06:60", "", "0600"])
def test_a_bad_daily_hour_is_refused(settings, value):
    settings.KEHOACH_DAILY_AT = value
    with pytest.raises(ImproperlyConfigured, match="KEHOACH_DAILY_AT phải có dạng HH:MM"):
        daily_at()


def test_default_daily_hour_is_six(settings):
    del settings.KEHOACH_DAILY_AT
    assert daily_at() == datetime.time(6, 0)


# --- The worker's pass --------------------------------------------------------------------------------


def test_worker_pass_runs_the_day_when_due_and_only_then(habac, alerts, settings):
    settings.KEHOACH_DAILY_AT = "06:00"

    assert daily_pass(local(JULY, 5, 59)) is None
    assert not DailyRun.objects.exists() and alerts == []

    result = daily_pass(local(JULY, 6, 1))

    assert result["skipped"] is False and result["day"] == "2026-07-01"
    assert result["reminders"]["created"] > 0 and alerts == [JULY]
    assert DailyRun.objects.get(day=JULY).finished_at is not None
    # Later passes that day do nothing.
    assert daily_pass(local(JULY, 6, 2)) is None
    assert daily_pass(local(JULY, 18)) is None
    assert alerts == [JULY]


def test_worker_pass_survives_a_broken_daily_job(db, settings, monkeypatch, caplog):
    settings.KEHOACH_DAILY_AT = "06:00"

    def broken(*, today, force=False):
        raise RuntimeError("cơ sở dữ liệu tạm ngừng")

    monkeypatch.setattr(daily, "daily_run", broken)
    with caplog.at_level(logging.ERROR):
        assert daily_pass(local(JULY, 7)) is None
    assert "Daily run failed" in caplog.text and "cơ sở dữ liệu tạm ngừng" in caplog.text


# --- The command --------------------------------------------------------------------------------------


def run_daily(*args) -> str:
    out = StringIO()
    call_command("daily", *args, stdout=out)
    return out.getvalue().strip()


def test_command_runs_once_and_reruns_with_force(habac, alerts, daumoi_email):
    out = run_daily("--date", "2026-07-01")
    created = Notification.objects.exclude(kind=NotificationKind.ALERT).count()
    assert out == (
        f"Công việc ngày 01/07/2026: tạo {created} thông báo nhắc việc, "
        "đánh giá kịch bản điều hành (1 cảnh báo mới), gửi 1 thư nhắc việc."
    )

    finished = timezone.localtime(DailyRun.objects.get(day=JULY).finished_at)
    assert run_daily("--date", "2026-07-01") == (
        f"Công việc ngày 01/07/2026 đã chạy xong lúc {finished:%H:%M}; dùng --force để chạy lại."
    )
    assert run_daily("--date", "2026-07-01", "--force") == (
        "Công việc ngày 01/07/2026: tạo 0 thông báo nhắc việc, đánh giá kịch bản điều hành "
        "(1 cảnh báo mới), gửi 0 thư nhắc việc."
    )
    out = StringIO()
    call_command("daily", "--date", "2026-07-02", verbosity=2, stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[1].startswith("  Nhắc việc: 1 kế hoạch đã ban hành, ")
    assert lines[2] == (
        "  Đánh giá kịch bản điều hành: kế hoạch: 1; kế hoạch lỗi: 0; cảnh báo mới: 1; "
        "cảnh báo tự đóng: 0; cảnh báo chuyển cấp: 0; thông báo cảnh báo: 1."
    )
    # The next day đầu mối's digest holds that day's new alert only: the rest went out the day before.
    assert lines[3] == "  Thư tổng hợp: gửi 1 thư (1 thông báo), 0 thư chưa gửi được."


def test_command_fails_when_a_step_fails_and_refuses_a_bad_date(habac, alerts, monkeypatch):
    def broken(*, today):
        raise RuntimeError("không đọc được kế hoạch")

    monkeypatch.setattr(daily, "digest_send", broken)
    out = StringIO()
    with pytest.raises(
        CommandError, match="Bước gửi thư tổng hợp lỗi: RuntimeError: không đọc được kế hoạch"
    ):
        call_command("daily", "--date", "2026-07-01", stdout=out)
    assert out.getvalue().strip().endswith("bước gửi thư tổng hợp lỗi.")
    assert DailyRun.objects.get(day=JULY).finished_at is not None
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("daily", "--date", "01/07/2026")


def test_remind_command_still_works_on_its_own(habac):
    out = StringIO()
    call_command("remind", "--date", "2026-07-01", "--no-email", stdout=out)
    assert out.getvalue().startswith("Đã tạo ") and Notification.objects.exists()
    assert not DailyRun.objects.exists()


# --- `kehoach serve` ----------------------------------------------------------------------------------


def test_server_commands_with_and_without_the_worker():
    web, worker = serve.server_commands(host="0.0.0.0", port="8080", workers=3, worker=True)
    assert web[:4] == [sys.executable, "-m", "gunicorn", "kehoach.wsgi:application"]
    assert web[web.index("--bind") + 1] == "0.0.0.0:8080" and web[web.index("--workers") + 1] == "3"
    assert worker == [sys.executable, "-m", "kehoach.cli", "worker"]
    assert serve.server_commands(host="127.0.0.1", port="8000", workers=2, worker=False)[1] is None


@pytest.fixture
def no_static(monkeypatch):
    """`serve` without collectstatic or migrate: records what it would have run."""
    calls: list[str] = []
    monkeypatch.setattr(serve, "call_command", lambda name, **kwargs: calls.append(name))
    return calls


def test_serve_supervises_the_web_server_and_the_worker_by_default(no_static, monkeypatch, settings):
    settings.KEHOACH_DAILY_AT = "05:45"
    started = []

    class FakeSupervisor:
        def __init__(self, web, worker, **kwargs):
            started.append((web, worker, kwargs["env"]))

        def run(self):
            return 0

    monkeypatch.setattr(serve, "Supervisor", FakeSupervisor)
    monkeypatch.setattr(serve, "exec_server", lambda command: pytest.fail("must not exec"))
    out = StringIO()
    call_command("serve", "--host", "127.0.0.1", "--port", "8123", stdout=out)

    assert no_static == ["migrate", "collectstatic"]
    ((web, worker, env),) = started
    assert "127.0.0.1:8123" in web and worker == serve.worker_command()
    assert env["DJANGO_SETTINGS_MODULE"]
    assert out.getvalue().splitlines() == [
        "kehoach đang chạy tại http://127.0.0.1:8123/ (Ctrl+C để dừng)",
        "Nhắc việc và đánh giá kịch bản điều hành chạy tự động mỗi ngày lúc 05:45 (giờ Việt Nam).",
    ]


def test_serve_no_worker_execs_the_web_server_alone(no_static, monkeypatch):
    execs = []
    monkeypatch.setattr(serve, "exec_server", execs.append)
    monkeypatch.setattr(serve, "Supervisor", lambda *a, **k: pytest.fail("no worker wanted"))
    out = StringIO()
    call_command(
        "serve",
        "--no-migrate",
        "--no-worker",
        "--host",
        "127.0.0.1",
        "--port",
        "8000",
        "--workers",
        "2",
        stdout=out,
    )

    assert no_static == ["collectstatic"]
    assert execs == [serve.gunicorn_command(host="127.0.0.1", port="8000", workers=2)]
    lines = out.getvalue().splitlines()
    assert lines[0] == "kehoach đang chạy tại http://127.0.0.1:8000/ (Ctrl+C để dừng)"
    assert "--no-worker" in lines[1]


def test_serve_exits_with_the_web_servers_status(no_static, monkeypatch):
    class Failing:
        def __init__(self, *args, **kwargs):
            pass

        def run(self):
            return 3  # e.g. gunicorn could not bind the port

    monkeypatch.setattr(serve, "Supervisor", Failing)
    with pytest.raises(SystemExit) as exited:
        call_command("serve", "--no-migrate", stdout=StringIO())
    assert exited.value.code == 3


def test_serve_refuses_a_bad_daily_hour_before_starting_anything(no_static, monkeypatch, settings):
    settings.KEHOACH_DAILY_AT = "sáu giờ"
    monkeypatch.setattr(serve, "Supervisor", lambda *a, **k: pytest.fail("nothing may start"))
    with pytest.raises(ImproperlyConfigured):
        call_command("serve", stdout=StringIO())
    assert no_static == []


# --- The supervision, with small stand-in processes ---------------------------------------------------

# Stands in for gunicorn: records the signal it is stopped with, or exits with a status when told to.
WEB = textwrap.dedent(
    """
    import pathlib, signal, sys, time
    here = pathlib.Path(sys.argv[1])
    def stop(signum, frame):
        (here / "web.signal").write_text(str(signum))
        sys.exit(0)
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    (here / "web.pid").write_text(str(__import__("os").getpid()))
    for _ in range(600):
        if (here / "web.exit").exists():
            sys.exit(int((here / "web.exit").read_text()))
        time.sleep(0.05)
    """
)
# Stands in for the worker: counts its starts; dies at once while told to, else waits to be stopped.
WORKER = textwrap.dedent(
    """
    import os, pathlib, signal, sys, time
    here = pathlib.Path(sys.argv[1])
    with open(here / "worker.starts", "a") as f:
        f.write(f"{os.getpid()}\\n")
    if (here / "worker.die").exists():
        sys.exit(1)
    def stop(signum, frame):
        (here / "worker.signal").write_text(str(signum))
        sys.exit(0)
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    time.sleep(30)
    """
)


def wait_for(condition, timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return False


def starts(here: Path) -> int:
    path = here / "worker.starts"
    return len(path.read_text().splitlines()) if path.exists() else 0


def supervisor(here: Path, said: list[str]) -> serve.Supervisor:
    return serve.Supervisor(
        [sys.executable, "-c", WEB, str(here)],
        [sys.executable, "-c", WORKER, str(here)],
        say=said.append,
        poll=0.02,
        delays=lambda failures: 0.05 * failures,
        worker_grace=10,
    )


def test_dead_worker_restarts_with_growing_pauses_and_sigterm_stops_both(tmp_path):
    (tmp_path / "worker.die").write_text("")
    said: list[str] = []
    sup = supervisor(tmp_path, said)

    def operator() -> None:
        # Three quick deaths, then a worker that stays up; then `kill <serve>`.
        if wait_for(lambda: starts(tmp_path) >= 3):
            (tmp_path / "worker.die").unlink()
            if wait_for(lambda: starts(tmp_path) >= 4 and sup.worker.poll() is None):
                time.sleep(0.2)  # let the fourth worker install its signal handlers
                os.kill(os.getpid(), signal.SIGTERM)

    before = signal.getsignal(signal.SIGTERM)
    thread = threading.Thread(target=operator)
    thread.start()
    code = sup.run()
    thread.join()

    assert code == 0
    assert said[:3] == [
        "Tiến trình nền đã dừng (mã 1); khởi động lại sau 0.05 giây.",
        "Tiến trình nền đã dừng (mã 1); khởi động lại sau 0.1 giây.",
        "Tiến trình nền đã dừng (mã 1); khởi động lại sau 0.15 giây.",
    ]
    assert (tmp_path / "web.signal").read_text() == str(int(signal.SIGTERM))
    assert (tmp_path / "worker.signal").read_text() == str(int(signal.SIGTERM))
    assert sup.web.poll() is not None and sup.worker.poll() is not None
    assert signal.getsignal(signal.SIGTERM) is before


def test_when_the_web_server_exits_the_worker_is_stopped(tmp_path):
    said: list[str] = []
    sup = supervisor(tmp_path, said)

    def crash_web() -> None:
        if wait_for(lambda: starts(tmp_path) >= 1 and (tmp_path / "web.pid").exists()):
            time.sleep(0.2)
            (tmp_path / "web.exit").write_text("3")

    thread = threading.Thread(target=crash_web)
    thread.start()
    code = sup.run()
    thread.join()

    assert code == 3
    assert said == ["Máy chủ web đã dừng (mã 3); dừng tiến trình nền."]
    assert (tmp_path / "worker.signal").read_text() == str(int(signal.SIGTERM))
    assert sup.worker.poll() is not None and starts(tmp_path) == 1


def test_restart_pauses_grow_and_stay_capped():
    assert [serve.restart_delay(n) for n in range(1, 9)] == [1, 2, 5, 10, 30, 60, 60, 60]
    assert serve.exit_status(-signal.SIGTERM) == 128 + signal.SIGTERM and serve.exit_status(3) == 3


def _state(pid: int) -> str | None:
    """The process's state letter, None once it is gone (a zombie counts as gone: it runs nothing)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return None
    return None if state in ("Z", "X") else state


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="parent-death signal is Linux only")
def test_children_do_not_outlive_a_killed_serve(tmp_path):
    script = textwrap.dedent(
        f"""
        import os, sys
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kehoach.settings.test")
        import django
        django.setup()
        from kehoach.core.management.commands.serve import Supervisor
        Supervisor(
            [sys.executable, "-c", {WEB!r}, {str(tmp_path)!r}],
            [sys.executable, "-c", {WORKER!r}, {str(tmp_path)!r}],
        ).run()
        """
    )
    parent = subprocess.Popen([sys.executable, "-c", script], cwd=Path(__file__).resolve().parents[3])
    try:
        assert wait_for(lambda: starts(tmp_path) >= 1 and (tmp_path / "web.pid").exists(), timeout=60)
        web_pid = int((tmp_path / "web.pid").read_text())
        worker_pid = int((tmp_path / "worker.starts").read_text().split()[0])
        assert _state(web_pid) and _state(worker_pid)
        parent.kill()  # no chance to clean up: only the kernel can stop the children now
        parent.wait()
        assert wait_for(lambda: _state(web_pid) is None and _state(worker_pid) is None)
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait()
