"""The reference receiver: authentication, validation, one stored copy per idempotency key."""

import json
import threading
import urllib.error
import urllib.request

import pytest

from kehoach.exchange.receiver import ReceiverError, build_receiver, file_name, is_loopback


def call(url: str, *, body: bytes | None = None, key: str | None = None, token: str | None = None):
    headers = {"Content-Type": "application/json"}
    if key is not None:
        headers["Idempotency-Key"] = key
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(
        url, data=body, headers=headers, method="POST" if body is not None else "GET"
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


BODY = json.dumps({"schema": "kehoach.report/1", "ten": "Báo cáo quý I"}, ensure_ascii=False).encode()


def test_stores_once_per_key_and_answers_duplicate(start_receiver):
    receiver = start_receiver(token="T")
    status, answer = call(receiver.url + "bat-ky/duong-dan", body=BODY, key="kehoach:bc:1", token="T")
    assert status == 201
    assert answer["status"] == "received" and answer["key"] == "kehoach:bc:1" and answer["received_at"]
    assert [p.read_bytes() for p in receiver.files()] == [BODY]

    other = json.dumps({"changed": True}).encode()
    assert call(receiver.url, body=other, key="kehoach:bc:1", token="T") == (
        200,
        {"status": "duplicate", "key": "kehoach:bc:1"},
    )
    assert [p.read_bytes() for p in receiver.files()] == [BODY]  # the first copy stands

    assert call(receiver.url, body=BODY, key="kehoach_bc_1", token="T")[0] == 201  # a different key
    assert call(receiver.url, token="T") == (200, {"count": 2, "keys": ["kehoach:bc:1", "kehoach_bc_1"]})
    assert not list(receiver.directory.glob(".nhan-*"))  # no temporary files left
    assert any("POST /bat-ky/duong-dan → 201 received kehoach:bc:1" in line for line in receiver.lines)
    assert any("→ 200 duplicate kehoach:bc:1" in line for line in receiver.lines)


@pytest.mark.parametrize("token", [None, "sai"])
def test_refuses_a_missing_or_wrong_token(start_receiver, token):
    receiver = start_receiver(token="T")
    status, answer = call(receiver.url, body=BODY, key="k", token=token)
    assert status == 401 and answer["error"] == "unauthorized"
    assert call(receiver.url, token=token)[0] == 401
    assert receiver.files() == []


def test_without_a_token_anyone_on_this_machine_may_post(start_receiver):
    receiver = start_receiver()
    assert call(receiver.url, body=BODY, key="k")[0] == 201


@pytest.mark.parametrize(
    "body, key, error",
    [
        (BODY, None, "missing_idempotency_key"),
        (BODY, "  ", "missing_idempotency_key"),
        (b"not json", "k", "invalid_json"),
        (b"\xff\xfe", "k", "invalid_json"),
        (b"[1, 2]", "k", "invalid_json"),
    ],
)
def test_refuses_what_is_not_a_keyed_json_object(start_receiver, body, key, error):
    receiver = start_receiver()
    status, answer = call(receiver.url, body=body, key=key)
    assert status == 400 and answer["error"] == error and answer["message"]
    assert receiver.files() == []


def test_the_same_key_posted_at_once_is_stored_once(start_receiver):
    receiver = start_receiver()
    statuses: list[int] = []
    start = threading.Barrier(8)

    def post() -> None:
        start.wait()
        statuses.append(call(receiver.url, body=BODY, key="cung-khoa")[0])

    threads = [threading.Thread(target=post) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert sorted(statuses) == [200] * 7 + [201]
    assert len(receiver.files()) == 1


def test_file_names_keep_distinct_keys_apart():
    assert file_name("kehoach-report-12") == "kehoach-report-12.json"
    names = {file_name(key) for key in ["a:b", "a_b", "a/b", "a b", "../a_b", ".a_b"]}
    assert len(names) == 6
    assert all("/" not in name and not name.startswith(".") for name in names)


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.10", "::", "baocao.example.vn"])
def test_refuses_to_listen_beyond_this_machine(tmp_path, host):
    with pytest.raises(ReceiverError, match="chỉ chạy trên địa chỉ nội bộ"):
        build_receiver(directory=tmp_path, host=host, port=0)


def test_loopback_addresses():
    assert all(is_loopback(h) for h in ["127.0.0.1", "127.0.0.2", "localhost", "::1", "[::1]"])
    assert not any(is_loopback(h) for h in ["0.0.0.0", "10.0.0.1", "", "example.com"])
