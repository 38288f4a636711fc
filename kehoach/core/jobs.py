"""Background work for single-machine installs: run after commit in a thread, inline, or leave it queued.

`KEHOACH_JOBS` (setting or environment) chooses: "thread" (default) starts a daemon thread once the
request's transaction commits; "sync" runs inline (tests, scripts); "worker" leaves queued work to
`kehoach worker`. Every context that runs background work goes through `run_after_commit`, so tests
and shutdown can wait for all of it with `wait_for_threads`.
"""

import datetime
import logging
import os
import threading
import time
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connections, transaction

log = logging.getLogger(__name__)

MODES = ("thread", "sync", "worker")
# Work still marked running after this long was cut off (server restarted, worker killed).
STALE_AFTER = datetime.timedelta(minutes=10)

_threads: set[threading.Thread] = set()
_threads_lock = threading.Lock()


def jobs_mode() -> str:
    mode = getattr(settings, "KEHOACH_JOBS", None) or os.environ.get("KEHOACH_JOBS") or "thread"
    if mode not in MODES:
        raise ImproperlyConfigured(f"KEHOACH_JOBS must be one of {', '.join(MODES)}, not {mode!r}")
    return mode


def run_after_commit(
    target: Callable[[int], None],
    pk: int,
    *,
    name: str,
    on_crash: Callable[[int], None],
    inline: bool = False,
) -> None:
    """Run `target(pk)` inline (sync mode or `inline`) or in a thread after commit.

    `on_crash(pk)` marks the work failed when the thread dies, so nothing is left "running".
    """
    if inline or jobs_mode() == "sync":
        target(pk)
        return

    def main() -> None:
        try:
            target(pk)
        except Exception:
            log.exception("Background job %s failed", name)
            on_crash(pk)
        finally:
            connections.close_all()
            with _threads_lock:
                _threads.discard(threading.current_thread())

    def start() -> None:
        thread = threading.Thread(target=main, name=name, daemon=True)
        with _threads_lock:
            _threads.add(thread)
        thread.start()

    transaction.on_commit(start)


def threads_running() -> bool:
    with _threads_lock:
        return any(t.is_alive() for t in _threads)


def wait_for_threads(timeout: float = 30.0) -> bool:
    """Wait for this process's background threads (tests, shutdown); True when none is left."""
    deadline = time.monotonic() + timeout
    while True:
        with _threads_lock:
            running = list(_threads)
        if not running:
            return True
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return False
        running[0].join(remaining)
