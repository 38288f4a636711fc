"""The reference receiver: what the city's side must do for delivery to be exactly-once.

It keeps one file per idempotency key and answers a repeated key with "duplicate" instead of storing
it again. Meant for trying the exchange locally and for tests, so it listens on loopback only.

    server = build_receiver(directory=path, port=0, token="…")
    threading.Thread(target=server.serve_forever, daemon=True).start()
    ...  # POST to http://127.0.0.1:{server.server_address[1]}/
    server.shutdown(); server.server_close()
"""

import datetime
import hashlib
import hmac
import ipaddress
import json
import os
import re
import socket
import tempfile
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

MAX_BODY_BYTES = 20 * 1024 * 1024
INDEX = ".keys.json"  # file name → idempotency key
_SAFE_KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,149}")


class ReceiverError(ValueError):
    """A receiver that cannot be started as asked (the message is for the person running it)."""


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def file_name(key: str) -> str:
    """The file for a key: the key itself when it is a plain name, else a readable part plus a hash.

    The hash keeps distinct keys in distinct files ("a:b" and "a_b" must not be taken for each other).
    """
    if _SAFE_KEY.fullmatch(key):
        return f"{key}.json"
    readable = re.sub(r"[^A-Za-z0-9._-]+", "_", key).strip("._-")[:100] or "key"
    return f"{readable}-{hashlib.sha256(key.encode('utf-8')).hexdigest()[:16]}.json"


class ReceiverServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(
        self,
        address: tuple[str, int],
        handler: type[BaseHTTPRequestHandler],
        *,
        directory: Path,
        token: str,
        log: Callable[[str], None],
    ):
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        self.directory = directory
        self.token = token
        self.log = log
        self.lock = threading.Lock()
        super().__init__(address, handler)

    def write(self, name: str, data: bytes) -> None:
        """Write aside then rename: a crash never leaves a half-written file under its final name."""
        handle, temporary = tempfile.mkstemp(dir=self.directory, prefix=".nhan-", suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, self.directory / name)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def index(self) -> dict[str, str]:
        try:
            return json.loads((self.directory / INDEX).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}

    def stored_files(self) -> list[Path]:
        """The received payloads, oldest first."""
        files = [p for p in self.directory.glob("*.json") if not p.name.startswith(".")]
        return sorted(files, key=lambda p: (p.stat().st_mtime_ns, p.name))

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{port}/"


class ReceiverHandler(BaseHTTPRequestHandler):
    server: ReceiverServer
    server_version = "kehoach-receiver"
    sys_version = ""

    # Answers -------------------------------------------------------------------------------------
    def respond(self, status: int, body: dict[str, Any], *, note: str = "") -> None:
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        if status == 401:
            self.send_header("WWW-Authenticate", 'Bearer realm="kehoach"')
        self.end_headers()
        self.wfile.write(data)
        self.server.log(f"{self.client_address[0]} {self.command} {self.path} → {status}{note}")

    def refuse(self, status: int, error: str, message: str) -> None:
        self.respond(status, {"error": error, "message": message}, note=f" ({error})")

    def log_request(self, code: Any = "-", size: Any = "-") -> None:
        pass  # `respond` logs one line with what happened

    def log_message(self, format: str, *args: Any) -> None:
        self.server.log(f"{self.client_address[0]} {format % args}")

    # Requests ------------------------------------------------------------------------------------
    def authorised(self) -> bool:
        if not self.server.token:
            return True
        given = self.headers.get("Authorization", "")
        if hmac.compare_digest(given.encode(), f"Bearer {self.server.token}".encode()):
            return True
        self.refuse(401, "unauthorized", "Thiếu hoặc sai mã xác thực (Authorization: Bearer …)")
        return False

    def do_GET(self) -> None:
        if not self.authorised():
            return
        index = self.server.index()
        keys = [index.get(path.name, path.stem) for path in self.server.stored_files()]
        self.respond(200, {"count": len(keys), "keys": keys})

    def do_POST(self) -> None:
        key = (self.headers.get("Idempotency-Key") or "").strip()
        try:
            length = int(self.headers.get("Content-Length") or "")
            if length < 0:
                raise ValueError(length)
        except ValueError:
            self.refuse(400, "length_required", "Thiếu Content-Length")
            return
        if length > MAX_BODY_BYTES:
            self.refuse(413, "too_large", "Nội dung quá lớn")
            return
        body = self.rfile.read(length)  # read even when refusing, so the sender gets the answer
        if not self.authorised():
            return
        if not key:
            self.refuse(400, "missing_idempotency_key", "Thiếu tiêu đề Idempotency-Key")
            return
        try:
            data = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            self.refuse(400, "invalid_json", "Nội dung không phải JSON (UTF-8)")
            return
        if not isinstance(data, dict):
            self.refuse(400, "invalid_json", "Nội dung phải là một đối tượng JSON")
            return
        if self.store(key, body):
            received_at = datetime.datetime.now().astimezone().isoformat(timespec="seconds")
            self.answer_stored(key, received_at)
        else:
            self.respond(200, {"status": "duplicate", "key": key}, note=f" duplicate {key}")

    def store(self, key: str, body: bytes) -> bool:
        """Write the body for `key` unless there is one already; False for a duplicate."""
        name = file_name(key)
        with self.server.lock:
            if (self.server.directory / name).exists():
                return False
            self.server.write(name, body)
            # File names cannot always hold the key itself; the index maps them back for GET.
            index = self.server.index()
            index[name] = key
            self.server.write(INDEX, json.dumps(index, ensure_ascii=False, indent=1).encode("utf-8"))
        return True

    def answer_stored(self, key: str, received_at: str) -> None:
        self.respond(
            201, {"status": "received", "key": key, "received_at": received_at}, note=f" received {key}"
        )


def build_receiver(
    *,
    directory: str | Path,
    host: str = "127.0.0.1",
    port: int = 8765,
    token: str = "",
    log: Callable[[str], None] | None = None,
    handler: type[ReceiverHandler] = ReceiverHandler,
) -> ReceiverServer:
    """A receiver bound to `host:port` (port 0: any free port); not yet serving."""
    if not is_loopback(host):
        raise ReceiverError(
            f"Máy nhận mẫu chỉ chạy trên địa chỉ nội bộ của máy (127.0.0.1, ::1 hoặc localhost), "
            f"không nhận “{host}”: đây là công cụ thử nghiệm, không dùng để nhận dữ liệu thật."
        )
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    bind = "127.0.0.1" if host == "localhost" else host.strip("[]")
    return ReceiverServer(
        (bind, port), handler, directory=folder, token=token or "", log=log or (lambda line: None)
    )
