"""One HTTP POST to the receiver, and what its answer means for the delivery.

Only the standard library: the receiver is a plain HTTPS endpoint and we need nothing beyond a POST
with a timeout. Redirects are not followed (urllib would turn a redirected POST into a GET without
the body), so a moved endpoint shows as an error to fix in the settings.

The error of a failed attempt is shown to the people who follow deliveries: it says in Vietnamese what
happened and who can fix it. The system's own detail (the exception, the setting to check) goes to the
log, for the administrator.
"""

import http.client
import json
import logging
import math
import socket
import ssl
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from kehoach.core.templatetags.vn import format_number

log = logging.getLogger(__name__)

OK, TEMPORARY, ERROR = "ok", "tam_loi", "loi"
# Statuses that say "not now" rather than "never": retrying later may succeed.
TEMPORARY_STATUSES = frozenset({408, 425, 429})
MAX_ANSWER_BYTES = 1_000_000
USER_AGENT = "kehoach"


@dataclass(frozen=True)
class Result:
    outcome: str  # OK, TEMPORARY or ERROR
    http_status: int | None = None
    error: str = ""
    receipt: dict[str, Any] | None = None
    retry_after: float | None = None  # seconds, from the receiver's Retry-After


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None  # the 3xx then surfaces as an HTTPError


_opener = urllib.request.build_opener(_NoRedirect)


def encode(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def post(*, url: str, body: bytes, key: str, token: str, timeout: float) -> Result:
    """POST `body` (JSON, UTF-8) and classify the answer; never raises for network or HTTP errors."""
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "Accept": "application/json",
        "Idempotency-Key": key,
        "User-Agent": USER_AGENT,
    }
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with _opener.open(request, timeout=timeout) as response:
            return classify(response.status, response.read(MAX_ANSWER_BYTES), timeout=timeout)
    except urllib.error.HTTPError as error:
        try:
            answer = error.read(MAX_ANSWER_BYTES)
        except (OSError, http.client.HTTPException):
            answer = b""
        retry_after = error.headers.get("Retry-After") if error.headers else None
        error.close()
        return classify(error.code, answer, retry_after=retry_after, timeout=timeout)
    except urllib.error.URLError as error:
        reason = error.reason
        log.warning("Delivery to the receiver (KEHOACH_EXCHANGE_URL) failed: %r", reason)
        if isinstance(reason, BaseException):
            return Result(TEMPORARY, error=network_error(reason, timeout=timeout))
        return Result(TEMPORARY, error="Không kết nối được với máy nhận")
    except (OSError, http.client.HTTPException) as error:
        # Raised while reading the answer: timeouts, the receiver closing the connection.
        log.warning("Delivery to the receiver (KEHOACH_EXCHANGE_URL) failed: %r", error)
        return Result(TEMPORARY, error=network_error(error, timeout=timeout))


def classify(status: int, answer: bytes, *, retry_after: str | None = None, timeout: float = 10) -> Result:
    data = _json(answer)
    if 200 <= status < 300:
        return Result(OK, http_status=status, receipt=data)
    if status == 409 and _says_duplicate(data):
        # The receiver already holds this key: an earlier attempt got through and its answer was lost.
        return Result(OK, http_status=status, receipt=data)
    message = f"Máy nhận trả lỗi HTTP {status}"
    detail = _detail(data)
    if detail:
        message = f"{message}: {detail}"
    if status in TEMPORARY_STATUSES or status >= 500:
        return Result(TEMPORARY, http_status=status, error=message, retry_after=_seconds(retry_after))
    if 300 <= status < 400:
        return Result(ERROR, http_status=status, error=f"{message} (chuyển hướng): kiểm tra lại địa chỉ nhận")
    if status in (401, 403):
        log.warning("The receiver refused the token (HTTP %s): check KEHOACH_EXCHANGE_TOKEN", status)
        if not detail:
            message = f"{message}: máy nhận không chấp nhận mã xác thực, cần quản trị hệ thống kiểm tra"
    if 400 <= status < 500:
        return Result(ERROR, http_status=status, error=message)
    return Result(TEMPORARY, http_status=status, error=message)


def network_error(error: BaseException, *, timeout: float) -> str:
    """What went wrong, for people; the exception itself is logged by the caller."""
    if isinstance(error, TimeoutError | socket.timeout):
        return f"Quá thời gian chờ {format_number(timeout)} giây"
    if isinstance(error, socket.gaierror):
        return "Không kết nối được: không tìm thấy máy nhận theo tên"
    if isinstance(error, ConnectionRefusedError):
        return "Không kết nối được: máy nhận từ chối kết nối"
    if isinstance(error, http.client.RemoteDisconnected):
        return "Không kết nối được: máy nhận đóng kết nối trước khi trả lời"
    if isinstance(error, ConnectionResetError | BrokenPipeError):
        return "Không kết nối được: kết nối bị ngắt giữa chừng"
    if isinstance(error, ssl.SSLError):
        return "Không kết nối được: chứng chỉ bảo mật của máy nhận không hợp lệ"
    return "Không kết nối được với máy nhận"


def _json(answer: bytes) -> dict[str, Any] | None:
    if not answer:
        return None
    try:
        data = json.loads(answer.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return {"text": answer[:2000].decode("utf-8", "replace")}
    return data if isinstance(data, dict) else {"answer": data}


def _says_duplicate(data: dict[str, Any] | None) -> bool:
    if not data:
        return False
    return any(str(data.get(field, "")).lower() == "duplicate" for field in ("status", "code", "error"))


def _detail(data: dict[str, Any] | None) -> str:
    if not data:
        return ""
    for field in ("message", "error", "detail", "text"):
        if data.get(field):
            return str(data[field])[:300]
    return ""


# A receiver asking for more than this is read as this: a delivery must not wait for days.
MAX_RETRY_AFTER = 1800.0


def _seconds(value: str | None) -> float | None:
    try:
        seconds = float(value) if value else None
    except ValueError:
        return None  # an HTTP date: the backoff applies
    if seconds is None or not math.isfinite(seconds):
        return None  # "inf", "nan": nonsense, the backoff applies
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)


def monotonic_ms(start: float) -> int:
    return max(int((time.monotonic() - start) * 1000), 0)
