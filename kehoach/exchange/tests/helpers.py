"""Test helpers: a reference receiver served from a thread, payloads, a closed port."""

import collections
import socket
import threading
from pathlib import Path

from kehoach.exchange.receiver import ReceiverHandler, build_receiver
from kehoach.exchange.services import enqueue


def free_port() -> int:
    """A loopback port nobody listens on (the receiver is "down" there until started on it)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Receiver:
    """A reference receiver served from a thread; `requests` counts POSTs per idempotency key."""

    def __init__(self, directory: Path, *, port: int = 0, token: str = "", handler=ReceiverHandler):
        self.requests: collections.Counter[str] = collections.Counter()
        self.lines: list[str] = []
        self.headers: list[dict[str, str]] = []
        counter, lines, headers = self.requests, self.lines, self.headers

        class Counting(handler):
            def do_POST(self):
                counter[self.headers.get("Idempotency-Key") or ""] += 1
                headers.append(dict(self.headers))
                super().do_POST()

        self.server = build_receiver(
            directory=directory, port=port, token=token, handler=Counting, log=lines.append
        )
        self.directory = Path(directory)
        self.url = self.server.url
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def files(self) -> list[Path]:
        return self.server.stored_files()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


def report_payload(n: int) -> dict:
    return {
        "schema": "kehoach.report/1",
        "report": {"id": n, "title": f"Báo cáo quý {n} năm 2026", "values": [1, 2.5, "ba"]},
    }


def queue(unit, n: int = 1, *, actor=None, key: str | None = None, kind: str = "report.issued"):
    return enqueue(
        kind=kind,
        payload=report_payload(n),
        key=key or f"kehoach:test:report:{n}",
        unit=unit,
        source_type="reports.report",
        source_id=n,
        summary=f"Báo cáo số {n:02d}/BC-UBND – Quý I năm 2026",
        actor=actor,
    )
