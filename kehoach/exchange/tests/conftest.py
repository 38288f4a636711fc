"""Fixtures of the exchange tests."""

import pytest

from kehoach.exchange.receiver import ReceiverHandler

from .helpers import Receiver


@pytest.fixture
def start_receiver(tmp_path):
    started: list[Receiver] = []

    def start(*, port: int = 0, token: str = "", handler=ReceiverHandler, directory=None) -> Receiver:
        receiver = Receiver(directory or tmp_path / "nhan", port=port, token=token, handler=handler)
        started.append(receiver)
        return receiver

    yield start
    for receiver in started:
        receiver.stop()


@pytest.fixture
def exchange(settings):
    """Deliveries wait for an explicit `deliver_due` (worker mode): nothing runs behind the test's back."""
    settings.KEHOACH_JOBS = "worker"
    settings.KEHOACH_EXCHANGE_TOKEN = ""
    settings.KEHOACH_EXCHANGE_TIMEOUT = 5
    settings.KEHOACH_EXCHANGE_MAX_AGE_HOURS = 72
    return settings
