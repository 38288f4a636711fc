"""`kehoach serve`: the web server (gunicorn) and, by default, the background worker next to it.

The worker (`kehoach worker`) runs the day's reminders and scenario evaluation at KEHOACH_DAILY_AT,
so an install started with `./start.sh` keeps its daily promise without cron. Both run as children
of this process, which supervises them (`Supervisor`): Ctrl+C or SIGTERM is passed on once to each,
the worker is started again after a pause if it dies, and when the web server exits the worker is
stopped and `serve` exits with the web server's status. Should `serve` itself be killed outright,
Linux stops both children too (parent-death signal), so none is left behind.

`--no-worker` serves the web alone, replacing this process with gunicorn as before: for deployments
that run `kehoach worker` as its own service (systemd).
"""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from kehoach.operations.daily import daily_at

# Pauses before starting a dead worker again, growing while it keeps dying soon after each start.
RESTART_DELAYS = (1.0, 2.0, 5.0, 10.0, 30.0, 60.0)
# A worker that lived this long before dying was healthy: the next restart waits the first pause.
HEALTHY_AFTER = 60.0
# Time the worker gets to finish the document it is reading once asked to stop.
WORKER_GRACE = 30.0


def gunicorn_command(*, host: str, port: str, workers: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "kehoach.wsgi:application",
        "--bind",
        f"{host}:{port}",
        "--workers",
        str(workers),
        "--threads",
        "4",
        "--access-logfile",
        "-",
        "--graceful-timeout",
        "10",
    ]


def worker_command() -> list[str]:
    return [sys.executable, "-m", "kehoach.cli", "worker"]


def server_commands(
    *, host: str, port: str, workers: int, worker: bool
) -> tuple[list[str], list[str] | None]:
    """(the web server's command, the worker's command or None with --no-worker)."""
    return gunicorn_command(host=host, port=port, workers=workers), worker_command() if worker else None


def restart_delay(failures: int) -> float:
    """The pause before the worker's next start after `failures` quick deaths in a row (1 = the first)."""
    return RESTART_DELAYS[min(max(failures, 1), len(RESTART_DELAYS)) - 1]


def exit_status(returncode: int) -> int:
    # Popen gives -N for a child killed by signal N; a shell says 128 + N.
    return 128 - returncode if returncode < 0 else returncode


def _die_with_parent() -> Callable[[], None] | None:
    """A preexec_fn asking Linux to SIGTERM the child when `serve` dies (even by SIGKILL)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes

        prctl = ctypes.CDLL(None, use_errno=True).prctl  # resolved here, before the fork
    except (OSError, AttributeError):
        return None
    parent = os.getpid()
    pr_set_pdeathsig = 1

    def preexec() -> None:
        prctl(pr_set_pdeathsig, signal.SIGTERM)
        if os.getppid() != parent:  # the parent died before the request took effect
            os.kill(os.getpid(), signal.SIGTERM)

    return preexec


class Supervisor:
    """Run the web server and the worker as children; see the module's docstring."""

    def __init__(
        self,
        web: Sequence[str],
        worker: Sequence[str] | None,
        *,
        say: Callable[[str], None] = print,
        env: dict[str, str] | None = None,
        poll: float = 0.5,
        delays: Callable[[int], float] = restart_delay,
        healthy_after: float = HEALTHY_AFTER,
        worker_grace: float = WORKER_GRACE,
    ) -> None:
        self.web_command, self.worker_command = list(web), list(worker) if worker else None
        self.say, self.env, self.poll = say, env, poll
        self.delays, self.healthy_after, self.worker_grace = delays, healthy_after, worker_grace
        self.web: subprocess.Popen | None = None
        self.worker: subprocess.Popen | None = None
        self.worker_started = 0.0
        self.failures = 0
        self.restart_at: float | None = None
        self.stopping = False

    def _start(self, command: list[str]) -> subprocess.Popen:
        # A process group of its own: Ctrl+C in the terminal reaches `serve` alone, which passes it on
        # exactly once, the same path as a SIGTERM from systemd or docker. Gunicorn stops its own
        # workers; hit twice, a SIGINT would turn its shutdown into a forced one.
        return subprocess.Popen(command, env=self.env, preexec_fn=_die_with_parent(), process_group=0)

    def _start_worker(self) -> None:
        self.worker = self._start(self.worker_command)
        self.worker_started = time.monotonic()
        self.restart_at = None

    def stop(self, signum: int = signal.SIGTERM, frame=None) -> None:
        """Pass the signal on to both children; the loop ends when the web server has exited."""
        self.stopping = True
        for child in (self.web, self.worker):
            if child is not None:
                child.send_signal(signum)  # a no-op for a child that has already exited

    def run(self) -> int:
        """Supervise until the web server exits; returns its exit status."""
        handled = (signal.SIGINT, signal.SIGTERM)
        previous = {sig: signal.signal(sig, self.stop) for sig in handled}
        try:
            self.web = self._start(self.web_command)
            if self.worker_command:
                self._start_worker()
            while (code := self.web.poll()) is None:
                self._watch_worker()
                time.sleep(self.poll)
            if not self.stopping:
                self.say(f"Máy chủ web đã dừng (mã {exit_status(code)}); dừng tiến trình nền.")
            return exit_status(code)
        finally:
            # Also on an error of our own: never leave a child running without its supervisor.
            self.stopping = True
            self._stop_worker()
            if self.web is not None and self.web.poll() is None:
                self.web.terminate()
                self.web.wait()
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def _watch_worker(self) -> None:
        if self.worker is None or self.stopping or self.worker.poll() is None:
            return
        now = time.monotonic()
        if self.restart_at is None:
            lived = now - self.worker_started
            self.failures = 1 if lived >= self.healthy_after else self.failures + 1
            delay = self.delays(self.failures)
            self.restart_at = now + delay
            self.say(
                f"Tiến trình nền đã dừng (mã {exit_status(self.worker.returncode)}); "
                f"khởi động lại sau {delay:g} giây."
            )
        elif now >= self.restart_at:
            self._start_worker()

    def _stop_worker(self) -> None:
        worker = self.worker
        if worker is None or worker.poll() is not None:
            return
        worker.terminate()
        try:
            worker.wait(self.worker_grace)
        except subprocess.TimeoutExpired:
            self.say("Tiến trình nền không dừng kịp; buộc dừng.")
            worker.kill()
            worker.wait()


def exec_server(command: list[str]) -> None:
    """Become the web server (--no-worker): nothing is left of `serve` to supervise anything."""
    os.execv(command[0], command)


class Command(BaseCommand):
    help = (
        "Chạy hệ thống: cập nhật cơ sở dữ liệu, gom tệp tĩnh rồi phục vụ bằng gunicorn, kèm tiến trình "
        "nền chạy nhắc việc và kịch bản điều hành hằng ngày (trừ khi dùng --no-worker)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", default=os.environ.get("PORT", "8000"))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "2")))
        parser.add_argument("--no-migrate", action="store_true", help="Không chạy migrate trước khi phục vụ.")
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help=(
                "Không chạy tiến trình nền (kehoach worker) kèm máy chủ web, khi nó đã chạy riêng "
                "(ví dụ một dịch vụ systemd)."
            ),
        )

    def handle(self, *args, host, port, workers, no_migrate, no_worker, **options):
        at = daily_at()  # a bad KEHOACH_DAILY_AT stops here, before anything starts
        if not no_migrate:
            call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        self.stdout.write(f"kehoach đang chạy tại http://{host}:{port}/ (Ctrl+C để dừng)")
        # The children find the same settings whatever way this process was started.
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", settings.SETTINGS_MODULE)
        web, worker = server_commands(host=host, port=port, workers=workers, worker=not no_worker)
        if worker is None:
            self.stdout.write(
                "Không chạy tiến trình nền (--no-worker): nhắc việc hằng ngày cần `kehoach worker` "
                "hoặc `kehoach daily` chạy riêng."
            )
            self.stdout.flush()
            exec_server(web)
            return
        self.stdout.write(
            f"Nhắc việc và đánh giá kịch bản điều hành chạy tự động mỗi ngày lúc {at:%H:%M} (giờ Việt Nam)."
        )
        self.stdout.flush()
        code = Supervisor(web, worker, say=self._say, env=dict(os.environ)).run()
        if code:
            sys.exit(code)

    def _say(self, message: str) -> None:
        self.stderr.write(message)
        self.stderr.flush()
