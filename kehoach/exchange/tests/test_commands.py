"""`kehoach deliver`, `kehoach receive` and the delivery pass of `kehoach worker`."""

import json
import os
import signal
import subprocess
import sys
import urllib.request
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from kehoach.exchange.management.commands import deliver as deliver_command
from kehoach.exchange.models import Delivery

from .helpers import queue
from .test_delivery import small_tree

REPO = Path(__file__).resolve().parents[3]


def run(*args, **options) -> str:
    out = StringIO()
    call_command(*args, stdout=out, **options)
    return out.getvalue()


def test_deliver_one_pass(units, exchange, start_receiver):
    receiver = start_receiver()
    exchange.KEHOACH_EXCHANGE_URL = receiver.url
    assert run("deliver") == ""  # quiet when there is nothing to do (cron mails any output)
    assert run("deliver", verbosity=2) == "Không có gói dữ liệu nào đến lượt gửi.\n"
    delivery = queue(units["UBND xã Hà Bắc"], 1)
    assert run("deliver") == "Đến lượt 1 gói dữ liệu: đã gửi 1, chờ gửi lại 0, thất bại 0.\n"
    assert Delivery.objects.get(pk=delivery.pk).state == Delivery.State.DELIVERED
    assert len(receiver.files()) == 1


def test_deliver_says_when_there_is_no_address(units, exchange):
    exchange.KEHOACH_EXCHANGE_URL = ""
    queue(units["UBND xã Hà Bắc"], 1)
    assert run("deliver") == "Chưa cấu hình địa chỉ nhận (KEHOACH_EXCHANGE_URL): 1 gói dữ liệu đang chờ.\n"
    assert run("deliver", verbosity=0) == ""


def test_deliver_fails_the_run_when_a_delivery_fails(units, exchange, start_receiver):
    receiver = start_receiver(token="dung")
    exchange.KEHOACH_EXCHANGE_URL = receiver.url
    exchange.KEHOACH_EXCHANGE_TOKEN = "sai"
    queue(units["UBND xã Hà Bắc"], 1)
    with pytest.raises(CommandError, match="1 gói dữ liệu gửi thất bại, cần gửi lại thủ công"):
        run("deliver")


@pytest.mark.django_db(transaction=True)
def test_deliver_loop_runs_until_interrupted(settings, start_receiver, monkeypatch):
    receiver = start_receiver()
    settings.KEHOACH_JOBS = "worker"
    settings.KEHOACH_EXCHANGE_URL = receiver.url
    commune = small_tree()
    queue(commune, 1)
    queue(commune, 2)
    real = deliver_command.deliver_due
    passes = []

    def counted(**kwargs):
        counts = real(**kwargs)
        passes.append(counts)
        if len(passes) == 3:
            os.kill(os.getpid(), signal.SIGINT)  # Ctrl+C: the loop ends after this pass
        return counts

    monkeypatch.setattr(deliver_command, "deliver_due", counted)
    before = signal.getsignal(signal.SIGINT)
    out = run("deliver", "--loop", "--every", "0.01", "--limit", "1", verbosity=2)
    assert out.splitlines() == [
        "Đang gửi dữ liệu lên cấp trên mỗi 0,01 giây… (Ctrl+C để dừng)",
        "Đến lượt 1 gói dữ liệu: đã gửi 1, chờ gửi lại 0, thất bại 0.",
        "Đến lượt 1 gói dữ liệu: đã gửi 1, chờ gửi lại 0, thất bại 0.",
        "Không có gói dữ liệu nào đến lượt gửi.",
        "Đã dừng.",
    ]
    assert signal.getsignal(signal.SIGINT) is before  # handlers put back
    assert set(Delivery.objects.values_list("state", flat=True)) == {Delivery.State.DELIVERED}


def test_worker_delivers_on_each_pass(units, exchange, start_receiver):
    receiver = start_receiver()
    exchange.KEHOACH_EXCHANGE_URL = receiver.url
    delivery = queue(units["UBND xã Hà Bắc"], 1)
    assert "Đã xử lý 0 văn bản." in run("worker", "--once")
    assert Delivery.objects.get(pk=delivery.pk).state == Delivery.State.DELIVERED


def test_worker_goes_on_when_delivery_breaks(units, exchange, monkeypatch):
    from kehoach.exchange import services

    def broken(**kwargs):
        raise RuntimeError("bug")

    monkeypatch.setattr(services, "deliver_due", broken)
    assert "Đã xử lý 0 văn bản." in run("worker", "--once")


def test_receive_refuses_a_public_address(tmp_path):
    with pytest.raises(CommandError, match="chỉ chạy trên địa chỉ nội bộ"):
        run("receive", "--host", "0.0.0.0", "--dir", str(tmp_path))


def test_receive_serves_until_interrupted(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "kehoach.settings.test",
        "KEHOACH_DATA_DIR": str(tmp_path / "data"),
        "PYTHONUNBUFFERED": "1",
    }
    directory = tmp_path / "nhan"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "kehoach.cli",
            "receive",
            "--port",
            "0",
            "--dir",
            str(directory),
            "--token",
            "T",
        ],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        first = process.stdout.readline()
        assert first.startswith("Máy nhận mẫu đang nghe tại http://127.0.0.1:"), first + process.stderr.read()
        url = first.split("tại ", 1)[1].split(" ", 1)[0]
        body = json.dumps({"schema": "kehoach.report/1", "ten": "Báo cáo"}, ensure_ascii=False).encode()
        request = urllib.request.Request(
            url,
            data=body,
            method="POST",
            headers={
                "Idempotency-Key": "k-1",
                "Authorization": "Bearer T",
                "Content-Type": "application/json",
            },
        )
        with urllib.request.urlopen(request, timeout=5) as response:
            assert response.status == 201
            assert json.loads(response.read())["status"] == "received"
        assert (directory / "k-1.json").read_bytes() == body
        assert "POST / → 201 received k-1" in process.stdout.readline()
    finally:
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=10)
    assert process.returncode == 0, err
    assert out.strip().endswith("Đã dừng máy nhận mẫu.")
