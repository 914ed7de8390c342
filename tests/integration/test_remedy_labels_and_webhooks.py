"""Return labels read back with zxing-cpp, the dangerous-goods marking, and signed seller
webhooks sent by the worker's job to a real HTTP server, with retries; endpoints on internal
addresses (also after a new DNS answer) and redirects are refused without retries."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pypdfium2
import pytest
import zxingcpp
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from shopsafe.config import Settings, get_settings
from shopsafe.db.session import transaction
from shopsafe.ledger.models import Seller
from shopsafe.remedies import labels, tasks, webhooks
from shopsafe.remedies import repository as repo
from shopsafe.remedies.models import WebhookDelivery
from shopsafe.remedies.webhook_addresses import WebhookGuard
from tests.support.remedies import Headers, carrier_event, market, open_case


def barcodes_of(pdf: bytes) -> list[tuple[str, str]]:
    page = pypdfium2.PdfDocument(pdf)[0]
    image = page.render(scale=200 / 72).to_pil()
    return [(code.format.name, code.text) for code in zxingcpp.read_barcodes(image)]


def test_the_label_barcode_reads_back_as_the_return_tracking_number(
    app_client: TestClient, engine: Engine, operator_headers: Headers
) -> None:
    m = market(app_client, engine, operator_headers)
    case = open_case(app_client, m).json()
    pdf = app_client.get(f"/api/v1/remedy-cases/{case['id']}/label.pdf", headers=m.seller)
    tracking = case["return_shipment"]["tracking_number"]
    assert barcodes_of(pdf.content) == [("Code128", tracking)]
    text = pypdfium2.PdfDocument(pdf.content)[0].get_textpage().get_text_range()
    assert case["rma"] in text and "Anna Schmidt" in text and "Bioenrrty GmbH" in text
    assert "10115 Berlin" in text and "20095 Hamburg" in text
    assert "LITHIUM" not in text  # a bed rail needs no dangerous-goods marking


def test_a_lithium_battery_return_carries_the_dangerous_goods_marking() -> None:
    entry = labels.dangerous_goods("Power bank 20000 mAh", "The lithium-ion cells can overheat")
    assert entry == labels.DG_ION
    assert labels.dangerous_goods("Kinderwagen", "Kippgefahr") is None
    assert labels.dangerous_goods("Lithium metal coin cell") == labels.DG_METAL
    label = labels.Label(
        rma="RMA-00007-000001", carrier="test", tracking_number="TC00000000018",
        ship_from={"name": "Jörg Müller", "line1": "Weg 1", "postal_code": "10115",
                   "city": "Berlin", "country": "DE"},
        ship_to={"name": "Seller", "line1": "Str. 2", "postal_code": "20095", "city": "Hamburg"},
        product="Power bank", units=1, dangerous_goods=entry,
    )  # fmt: skip
    pdf = labels.render(label)
    assert barcodes_of(pdf) == [("Code128", "TC00000000018")]
    text = pypdfium2.PdfDocument(pdf)[0].get_textpage().get_text_range()
    assert "UN3481" in text and "NOT BY AIR" in text and "Jörg Müller" in text


class Receiver:
    """A seller's webhook endpoint: answers with the queued status codes, keeps requests."""

    def __init__(self) -> None:
        self.answers: list[int] = []
        self.location: str | None = None
        self.received: list[tuple[dict[str, str], bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append((dict(self.headers), body))
                self.send_response(receiver.answers.pop(0) if receiver.answers else 204)
                if receiver.location:
                    self.send_header("Location", receiver.location)
                self.end_headers()

            def log_message(self, *_args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    found = Receiver()
    thread = threading.Thread(target=found.server.serve_forever, daemon=True)
    thread.start()
    yield found
    found.server.shutdown()
    found.server.server_close()


def local() -> Settings:
    """Settings for a receiver on 127.0.0.1: `SHOPSAFE_WEBHOOK_ALLOW_LOCALHOST`, for tests."""
    return get_settings().model_copy(update={"webhook_allow_localhost": True})


def listen(engine: Engine, url: str) -> None:
    """Stores the seller's endpoint directly (the settings page would refuse local ones)."""
    with transaction(engine) as session:
        seller = session.scalars(select(Seller).where(Seller.external_id == "S-3")).one()
        repo.set_webhook_url(session, seller.id, url)


def deliveries(engine: Engine) -> list[WebhookDelivery]:
    with Session(engine) as session:
        return list(session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)))


def test_seller_webhooks_are_signed_sent_once_and_retried(
    app_client: TestClient, engine: Engine, operator_headers: Headers, receiver: Receiver
) -> None:
    m = market(app_client, engine, operator_headers)
    listen(engine, receiver.url)
    case = open_case(app_client, m).json()
    open_case(app_client, m)  # asking again queues nothing new
    tracking = case["return_shipment"]["tracking_number"]
    carrier_event(app_client, tracking, "delivered", "w-1")  # received, refunded at once
    with Session(engine) as session:
        events = session.scalars(select(WebhookDelivery.event).order_by(WebhookDelivery.id)).all()
    assert events == ["remedy.requested", "refund.issued"]

    receiver.answers = [503]
    first = tasks.send_due_webhooks(engine, worker="w1", settings=local())
    assert (first.claimed, first.sent, first.retrying) == (2, 1, 1)
    assert tasks.send_due_webhooks(engine, worker="w1", settings=local()).claimed == 0  # waits
    with transaction(engine) as session:
        for row in session.scalars(select(WebhookDelivery)):
            row.due_at = row.created_at
    assert tasks.send_due_webhooks(engine, worker="w2", settings=local()).sent == 1
    assert len(receiver.received) == 3
    secret = webhooks.secret_for("S-3")
    for headers, body in receiver.received:
        signed = headers["X-Shopsafe-Timestamp"].encode() + b"." + body
        expected = "sha256=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
        assert headers["X-Shopsafe-Signature"] == expected
    sent = {h["X-Shopsafe-Event"]: json.loads(body) for h, body in receiver.received}
    assert [h["X-Shopsafe-Event"] for h, _ in receiver.received].count("remedy.requested") == 2
    refund = sent["refund.issued"]
    assert refund["event"] == "refund.issued" and refund["seller_id"] == "S-3"
    assert refund["data"]["charged_to_you"] == "59.98" and refund["data"]["rma"] == case["rma"]
    with Session(engine) as session:
        rows = session.scalars(select(WebhookDelivery)).all()
    assert {(r.status, r.attempts) for r in rows} == {("sent", 1), ("sent", 2)}


def make_due(engine: Engine) -> None:
    with transaction(engine) as session:
        for row in session.scalars(select(WebhookDelivery)):
            row.due_at = row.created_at


def test_by_default_a_loopback_endpoint_is_refused_at_once_and_never_retried(
    app_client: TestClient, engine: Engine, operator_headers: Headers, receiver: Receiver
) -> None:
    assert not get_settings().webhook_allow_localhost
    m = market(app_client, engine, operator_headers)
    listen(engine, receiver.url)
    open_case(app_client, m)
    tally = tasks.send_due_webhooks(engine, worker="w1")
    assert (tally.claimed, tally.failed, tally.sent, tally.retrying) == (1, 1, 0, 0)
    make_due(engine)
    assert tasks.send_due_webhooks(engine, worker="w1").claimed == 0  # no retry
    [row] = deliveries(engine)
    assert (row.status, row.attempts, row.response_code) == ("failed", 1, None)
    assert row.last_error == "refused: the webhook URL must start with https://"
    https = receiver.url.replace("http:", "https:")
    answer = tasks.deliver(WebhookGuard(), tasks.http_post, https, b"{}", {}, 1.0)
    assert answer.detail == "refused: the webhook address 127.0.0.1 is a loopback address"
    assert answer.final and receiver.received == []


def test_a_name_that_now_points_inside_is_refused_at_send_time(
    app_client: TestClient, engine: Engine, operator_headers: Headers, receiver: Receiver
) -> None:
    """DNS rebinding: public when the seller saved it, the metadata service when we send."""
    answers = {"hooks.seller.example": ["93.184.216.34"]}
    guard = WebhookGuard(resolve=lambda host, port: answers[host])
    guard.check("https://hooks.seller.example/h")  # what the settings page checks: fine
    m = market(app_client, engine, operator_headers)
    listen(engine, "https://hooks.seller.example/h")
    open_case(app_client, m)
    answers["hooks.seller.example"] = ["93.184.216.34", "169.254.169.254"]
    posted: list[object] = []

    def post(*sent: object) -> tasks.Answer:
        posted.append(sent)
        return tasks.Answer(204, None)

    tally = tasks.send_due_webhooks(engine, worker="w1", guard=guard, post=post)
    assert (tally.failed, tally.sent) == (1, 0) and posted == []
    [row] = deliveries(engine)
    assert (row.status, row.attempts) == ("failed", 1)
    assert row.last_error == (
        "refused: the webhook address hooks.seller.example (169.254.169.254)"
        " is a link-local address"
    )


def test_the_post_goes_to_the_checked_address_and_an_unresolved_name_is_retried(
    app_client: TestClient, engine: Engine, operator_headers: Headers, receiver: Receiver
) -> None:
    """The name exists only in the injected resolver, so the system's DNS cannot be asked
    again: the request reaching the receiver went to the address the check resolved."""
    lookups: list[str] = []
    names = {"hooks.seller.invalid": ["127.0.0.1"]}

    def resolve(host: str, port: int) -> list[str]:
        lookups.append(host)
        if host not in names:
            raise OSError("Name or service not known")
        return names[host]

    guard = WebhookGuard(allow_localhost=True, resolve=resolve)
    m = market(app_client, engine, operator_headers)
    port = receiver.server.server_port
    listen(engine, f"http://hooks.seller.invalid:{port}/hooks?v=1")
    open_case(app_client, m)
    names.pop("hooks.seller.invalid")
    tally = tasks.send_due_webhooks(engine, worker="w1", guard=guard)
    assert (tally.retrying, tally.failed) == (1, 0)  # a failed lookup may be temporary
    [row] = deliveries(engine)
    assert row.status == "pending" and "does not resolve" in (row.last_error or "")
    names["hooks.seller.invalid"] = ["127.0.0.2", "127.0.0.1"]  # nobody listens on the first
    make_due(engine)
    assert tasks.send_due_webhooks(engine, worker="w1", guard=guard).sent == 1
    assert lookups == ["hooks.seller.invalid", "hooks.seller.invalid"]  # once per try
    [(headers, _body)] = receiver.received
    assert headers["Host"] == f"hooks.seller.invalid:{port}"
    assert headers["X-Shopsafe-Event"] == "remedy.requested"


def test_a_redirect_is_not_followed_and_fails_the_delivery(
    app_client: TestClient, engine: Engine, operator_headers: Headers, receiver: Receiver
) -> None:
    m = market(app_client, engine, operator_headers)
    listen(engine, receiver.url)
    open_case(app_client, m)
    receiver.answers = [302]
    receiver.location = "http://169.254.169.254/latest/meta-data/"
    tally = tasks.send_due_webhooks(engine, worker="w1", settings=local())
    assert (tally.failed, tally.retrying) == (1, 0)
    assert [h["X-Shopsafe-Event"] for h, _ in receiver.received] == ["remedy.requested"]
    [row] = deliveries(engine)
    assert (row.status, row.attempts, row.response_code) == ("failed", 1, 302)
    assert "webhooks do not follow redirects" in (row.last_error or "")
    assert "169.254.169.254/latest/meta-data/" in (row.last_error or "")
