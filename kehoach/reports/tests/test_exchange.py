"""An issued report and a period's figures reach the city's receiver exactly once, across an outage."""

import datetime
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from kehoach.exchange.models import Delivery
from kehoach.exchange.receiver import ReceiverHandler
from kehoach.exchange.services import deliver_due
from kehoach.exchange.tests.helpers import Receiver, free_port
from kehoach.reports import services

from .conftest import submit_and_issue

TODAY = datetime.date(2026, 4, 2)


@pytest.fixture
def outbox(settings):
    settings.KEHOACH_JOBS = "worker"
    settings.KEHOACH_EXCHANGE_TOKEN = "bi-mat"
    settings.KEHOACH_EXCHANGE_TIMEOUT = 5
    return settings


def test_issued_report_delivered_once_across_an_outage(habac, users, accepted_q1, outbox, tmp_path):
    port = free_port()
    outbox.KEHOACH_EXCHANGE_URL = f"http://127.0.0.1:{port}/bao-cao"
    draft = services.report_create(
        actor=users["daumoi"], plan=habac, period_kind="quy", period_number=1, today=TODAY
    )
    report = submit_and_issue(users, draft, on=TODAY)
    delivery = Delivery.objects.get(source_type="reports.report", source_id=report.pk)

    # The city's system is down: the attempt fails and is scheduled again, nothing is lost.
    deliver_due()
    delivery.refresh_from_db()
    assert (
        delivery.state == "cho_gui" and delivery.attempts == 1 and delivery.next_attempt_at > timezone.now()
    )

    receiver = Receiver(tmp_path / "nhan", port=port, token="bi-mat", handler=ReceiverHandler)
    try:
        later = timezone.now() + datetime.timedelta(hours=3)
        deliver_due(now=later)
        delivery.refresh_from_db()
        assert delivery.state == "da_gui"
        (stored,) = receiver.files()
        body = json.loads(stored.read_text(encoding="utf-8"))
        assert body["document"]["number_symbol"] == "01/BC-UBND"
        assert body["document"]["uid"] == str(report.document.uid)
        assert body["sender"]["unit_name"] == habac.owner_unit.name and body["created_at"]
        assert {i["code"]: i["value"] for i in body["indicators"]}["CT01"] == "3"
        assert body["idempotency_key"] == f"kehoach:report:{report.document.uid}"
        # Later passes and a second enqueue of the same report send nothing more.
        attempts = delivery.attempts
        assert deliver_due(now=later + datetime.timedelta(hours=1))["claimed"] == 0
        services._queue_delivery(users["lanhdao"], report)
        assert deliver_due(now=later + datetime.timedelta(hours=2))["claimed"] == 0
        delivery.refresh_from_db()
        assert delivery.attempts == attempts == 2
        assert len(receiver.files()) == 1 and Delivery.objects.count() == 1
    finally:
        receiver.stop()


def test_send_period_figures(habac, users, accepted_q1, outbox, client_for):
    outbox.KEHOACH_EXCHANGE_URL = ""
    delivery = services.indicators_send(
        actor=users["daumoi"], plan=habac, period_kind="quy", period_number=1, today=TODAY
    )
    assert delivery.kind == "indicators.period" and delivery.payload["schema"] == "kehoach.indicators/1"
    values = {i["code"]: i["value"] for i in delivery.payload["indicators"]}
    assert values["CT01"] == "3" and values["CT03"] is None
    # Unchanged figures: the same delivery, no duplicate.
    again = services.indicators_send(
        actor=users["daumoi"], plan=habac, period_kind="quy", period_number=1, today=TODAY
    )
    assert again.pk == delivery.pk and Delivery.objects.count() == 1
    with pytest.raises(ValidationError) as exc:
        services.indicators_send(
            actor=users["daumoi"], plan=habac, period_kind="quy", period_number=2, today=TODAY
        )
    assert "chốt số liệu ngày 14/06/2026" in exc.value.message_dict["period"][0]
    with pytest.raises(PermissionDenied):
        services.indicators_send(
            actor=users["vhxh"], plan=habac, period_kind="quy", period_number=1, today=TODAY
        )
    # Through the page: the đầu mối lands on the delivery.
    Delivery.objects.all().delete()
    response = client_for(users["daumoi"]).post(
        reverse("reports:send_indicators", args=[habac.pk]), {"send-period": "quy:1"}
    )
    assert response.status_code == 302 and Delivery.objects.count() == 1
    # Staff are refused, and nothing is queued.
    Delivery.objects.all().delete()
    refused = client_for(users["vhxh"]).post(
        reverse("reports:send_indicators", args=[habac.pk]), {"send-period": "quy:1"}
    )
    assert refused.status_code == 403 and not Delivery.objects.exists()


def test_figures_that_change_back_are_sent_again(habac, users, accepted_q1, outbox):
    from decimal import Decimal

    from kehoach.tracking.services import measurements as m_services

    outbox.KEHOACH_EXCHANGE_URL = ""

    def send():
        return services.indicators_send(
            actor=users["daumoi"], plan=habac, period_kind="quy", period_number=1, today=TODAY
        )

    def accept(value):
        figure = accepted_q1["figures"]["CT01"]
        figure.refresh_from_db()
        m_services.measurement_reopen(actor=users["daumoi"], measurement=figure, reason="Sửa số liệu")
        figure.refresh_from_db()
        figure = m_services.measurement_save(
            actor=users["vhxh"],
            measurement=figure,
            version=None,
            data={"value": Decimal(value), "source": "Sổ"},
        )
        m_services.measurement_accept(
            actor=users["daumoi"],
            measurement=m_services.measurement_submit(actor=users["vhxh"], measurement=figure),
        )

    first = send()
    accept("7")
    second = send()
    accept("3")
    third = send()
    assert len({first.pk, second.pk, third.pk}) == 3
    values = [
        {i["code"]: i["value"] for i in d.payload["indicators"]}["CT01"] for d in (first, second, third)
    ]
    assert values == ["3", "7", "3"]
