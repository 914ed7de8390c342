"""Notices delivered to a real SMTP server (aiosmtpd on 127.0.0.1): one personal multipart
e-mail per person, in their language, with their purchases and a working signed link;
retry on 451, giving up and suppression on 550; the outbox without SMTP."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import cast

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from shopsafe.auth.links import read_token
from shopsafe.config import get_settings
from shopsafe.kit.clock import now as utc_now
from shopsafe.notifications.models import RecallNotice, Suppression
from tests.factories import order
from tests.support.delivery import (
    Headers,
    attempts_of,
    deliveries,
    delivery_to,
    link_in,
    load,
    publish,
    run_worker,
    worker_settings,
)
from tests.support.smtp import Sink, free_port, smtp_server


@pytest.fixture
def sink() -> Iterator[tuple[Sink, str]]:
    handler = Sink()
    with smtp_server(handler) as url:
        yield handler, url


def plain(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None
    return str(cast(EmailMessage, part).get_content())


def html(message: EmailMessage) -> str:
    part = message.get_body(("html",))
    assert part is not None
    return str(cast(EmailMessage, part).get_content())


def test_one_personal_multipart_email_per_person_in_their_language_with_a_working_link(
    app_client: TestClient,
    operator_headers: Headers,
    engine: Engine,
    sink: tuple[Sink, str],
    tmp_path: Path,
) -> None:
    handler, url = sink
    again = order(11, placed_at="2025-05-17T08:00:00Z")  # Anna's second affected order
    again["buyer"] = order(1)["buyer"]
    again["lines"][0]["quantity"] = 1
    again["lines"][0]["serials"] = ["SN1003"]
    english = order(2)
    english["buyer"].update(language="en", name="Grace Hall")
    unaffected = order(5)
    unaffected["lines"][0].update(gtin="4006381333900", sku="OTHER", model="OTHER")
    load(app_client, operator_headers, [order(1), again, english, unaffected])
    recall_id = publish(app_client, operator_headers)

    tally = run_worker(engine, worker_settings(tmp_path, url))
    assert (tally.sent, tally.failed, tally.retrying) == (2, 0, 0)
    assert sorted(r.recipients[0] for r in handler.received) == [
        "buyer1@example.de",
        "buyer2@example.de",
    ]
    assert handler.sessions == 1  # one SMTP connection carried both messages

    german = handler.to("buyer1@example.de")[0].message
    assert german.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in german.iter_parts()] == ["text/plain", "text/html"]
    assert german["Subject"].startswith("Produktrückruf: Rückruf: MPINOI-Bettgitter")
    assert german["Content-Language"] == "de"
    text = plain(german)
    assert "Guten Tag Anna Schmidt," in text
    assert "Bestelldatum: 1. März 2025 | Bestellnummer: A-1 | Stück: 2" in text
    assert "Bestelldatum: 17. Mai 2025 | Bestellnummer: A-11 | Stück: 1" in text
    assert "A-2" not in text.replace("A-11", "")  # nobody else's purchases
    assert "<td>A-11</td>" in html(german)
    english_mail = handler.to("buyer2@example.de")[0].message
    assert english_mail["Subject"].startswith("Product safety recall: MPINOI adult portable")
    assert "Order number: A-2 | Units: 2" in plain(english_mail)

    sent = delivery_to(engine, "buyer1@example.de")
    assert (sent.status, sent.attempts, sent.message_id) == ("sent", 1, german["Message-ID"])
    assert german["X-Shopsafe-Idempotency-Key"] == sent.key
    assert attempts_of(engine, sent.id) == [("accepted", 250, "accepted")]

    path, token = link_in(text)
    claim = read_token(token, secret=get_settings().resolved_secret_key())
    assert (claim.recall_id, claim.notice_id) == (recall_id, sent.notice_id)
    opened = app_client.get(path, follow_redirects=False)
    assert opened.status_code in (302, 303), opened.text
    assert opened.headers["location"].endswith(f"/account/recalls/{recall_id}")
    page = app_client.get(opened.headers["location"])
    assert page.status_code == 200 and "A-11" in page.text
    forged = app_client.get(path[:-3] + "xyz", follow_redirects=False)
    assert forged.status_code == 401


def test_gift_recipients_never_see_the_order_and_admins_see_the_business_purchases(
    app_client: TestClient,
    operator_headers: Headers,
    engine: Engine,
    sink: tuple[Sink, str],
    tmp_path: Path,
) -> None:
    handler, url = sink
    gift = order(3, gift=True)
    gift["ship_to"].update(email="Friend@Example.org", name="Freundin Mia", postal_code="80331")
    business = order(4)
    business["buyer"].update(
        name="Pflegeheim Sonnenhof GmbH", account_type="business",
        admin_emails=["einkauf@sonnenhof.example"],
    )  # fmt: skip
    load(app_client, operator_headers, [gift, business])
    recall_id = publish(app_client, operator_headers)
    run_worker(engine, worker_settings(tmp_path, url))

    to_friend = handler.to("friend@example.org")[0].message
    for body in (plain(to_friend), html(to_friend)):
        assert "Adult portable bed rail" in body and "als Geschenk" in body
        assert "A-3" not in body and "29.99" not in body and "29,99" not in body
        assert "Bestellnummer" not in body and "Anna" not in body
    path, _ = link_in(plain(to_friend))
    public = app_client.get(path, follow_redirects=False)  # the public notice, signed out
    assert public.headers["location"].endswith(f"/recalls/{recall_id}")
    assert "/account/" not in public.headers["location"]
    assert "shopsafe_session" not in public.headers.get("set-cookie", "")
    to_admin = plain(handler.to("einkauf@sonnenhof.example")[0].message)
    assert "Pflegeheim Sonnenhof GmbH hat ein Produkt gekauft" in to_admin
    assert "Bestellnummer: A-4" in to_admin


def test_a_451_is_tried_again_later_with_backoff_until_accepted(
    app_client: TestClient,
    operator_headers: Headers,
    engine: Engine,
    sink: tuple[Sink, str],
    tmp_path: Path,
) -> None:
    handler, url = sink
    handler.replies["buyer1@example.de"] = ["451 4.7.1 greylisted, try later"] * 2
    load(app_client, operator_headers, [order(1), order(2)])
    publish(app_client, operator_headers)
    settings = worker_settings(tmp_path, url, delivery_retry_seconds=60.0)
    t0 = utc_now()

    run_worker(engine, settings, at=lambda: t0)
    waiting = delivery_to(engine, "buyer1@example.de")
    assert (waiting.status, waiting.attempts) == ("pending", 1)
    assert timedelta(seconds=30) <= waiting.due_at - t0 <= timedelta(seconds=60)
    assert waiting.last_error == "451 4.7.1 greylisted, try later"
    assert delivery_to(engine, "buyer2@example.de").status == "sent"

    assert run_worker(engine, settings, at=lambda: t0 + timedelta(seconds=20)).claimed == 0
    run_worker(engine, settings, at=lambda: t0 + timedelta(minutes=2))
    second = delivery_to(engine, "buyer1@example.de")
    assert (second.status, second.attempts) == ("pending", 2)
    wait = second.due_at - (t0 + timedelta(minutes=2))
    assert timedelta(seconds=60) <= wait <= timedelta(seconds=120)  # the wait doubled

    run_worker(engine, settings, at=lambda: t0 + timedelta(minutes=10))
    done = delivery_to(engine, "buyer1@example.de")
    assert (done.status, done.attempts, done.last_error) == ("sent", 3, None)
    assert [(o, c) for o, c, _ in attempts_of(engine, done.id)] == [
        ("temporary", 451), ("temporary", 451), ("accepted", 250),
    ]  # fmt: skip
    assert len(handler.to("buyer1@example.de")) == 1
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(Suppression)) == 0


def test_temporary_failures_end_after_the_limit_without_suppression(
    app_client: TestClient,
    operator_headers: Headers,
    engine: Engine,
    sink: tuple[Sink, str],
    tmp_path: Path,
) -> None:
    handler, url = sink
    handler.refuse["buyer1@example.de"] = "452 4.2.2 mailbox full"
    load(app_client, operator_headers, [order(1)])
    recall_id = publish(app_client, operator_headers)
    settings = worker_settings(tmp_path, url, delivery_max_attempts=2)
    t0 = utc_now()
    run_worker(engine, settings, at=lambda: t0)
    run_worker(engine, settings, at=lambda: t0 + timedelta(hours=1))
    gone = delivery_to(engine, "buyer1@example.de")
    assert (gone.status, gone.attempts) == ("failed", 2)
    assert gone.last_error == "gave up after 2 tries: 452 4.2.2 mailbox full"
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(Suppression)) == 0
    listed = app_client.get(f"/api/v1/recalls/{recall_id}/undeliverable", headers=operator_headers)
    assert [i["email"] for i in listed.json()["items"]] == ["buyer1@example.de"]


def test_a_550_ends_the_delivery_suppresses_the_address_and_lists_it_for_a_letter(
    app_client: TestClient,
    operator_headers: Headers,
    engine: Engine,
    sink: tuple[Sink, str],
    tmp_path: Path,
) -> None:
    handler, url = sink
    handler.refuse["buyer1@example.de"] = "550 5.1.1 no such mailbox"
    moved = order(21, placed_at="2025-06-01T09:00:00Z")  # Anna's latest order, new address
    moved["buyer"] = order(1)["buyer"]
    moved["lines"][0].update(gtin="4006381333900", sku="KETTLE", model="K-1")
    moved["ship_to"].update(line1="Neue Str. 9", postal_code="20095", city="Hamburg")
    load(app_client, operator_headers, [order(1), order(2), moved])
    recall_id = publish(app_client, operator_headers)
    settings = worker_settings(tmp_path, url)

    run_worker(engine, settings)
    failed = delivery_to(engine, "buyer1@example.de")
    assert (failed.status, failed.attempts, failed.last_error) == (
        "failed", 1, "550 5.1.1 no such mailbox",
    )  # fmt: skip
    assert attempts_of(engine, failed.id) == [("permanent", 550, "550 5.1.1 no such mailbox")]
    with Session(engine) as session:
        suppressed = session.scalars(select(Suppression)).one()
    assert (suppressed.email, suppressed.delivery_id) == ("buyer1@example.de", failed.id)
    assert handler.to("buyer1@example.de") == []

    # A later recall for the same person: the address is not tried again at all.
    del handler.refuse["buyer1@example.de"]
    kettle = publish(
        app_client, operator_headers, kind="safety_warning", remedies=[],
        criteria={"gtins": ["4006381333900"]},
    )  # fmt: skip
    run_worker(engine, settings)
    [(skipped, _)] = deliveries(engine, RecallNotice.recall_id == kettle)
    assert skipped.status == "failed" and "suppression list" in (skipped.last_error or "")
    assert attempts_of(engine, skipped.id)[0][:2] == ("suppressed", None)
    assert handler.to("buyer1@example.de") == []

    listed = app_client.get(f"/api/v1/recalls/{recall_id}/undeliverable", headers=operator_headers)
    assert listed.status_code == 200
    [item] = listed.json()["items"]
    assert item["email"] == "buyer1@example.de" and item["customer_id"] == "C-1"
    assert item["reason"] == "550 5.1.1 no such mailbox" and item["role"] == "buyer"
    assert item["address"] == {
        "name": "Anna Schmidt", "line1": "Neue Str. 9", "line2": None,
        "postal_code": "20095", "city": "Hamburg", "country": "DE",
    }  # fmt: skip
    csv = app_client.get(f"/api/v1/recalls/{recall_id}/undeliverable.csv", headers=operator_headers)
    assert csv.headers["content-type"].startswith("text/csv")
    lines = csv.text.strip().splitlines()
    assert lines[0].startswith("notice_id,customer_id,role,email,name,line1,line2,postal_code")
    assert len(lines) == 2 and "Neue Str. 9,,20095,Hamburg,DE" in lines[1]

    stats = app_client.get(f"/api/v1/recalls/{recall_id}/stats", headers=operator_headers)
    assert stats.json() == {
        "affected_customers": 2, "recipients": 2, "notified": 1, "email_accepted": 1,
        "email_failed": 1, "acknowledged": 0, "remedies_requested": 0,
        "remedies_completed": 0, "units_affected": 4, "units_corrected": 0,
        "reach_rate": 0.5, "correction_rate": 0.0,
    }  # fmt: skip


def test_without_a_connection_nothing_is_lost_and_everything_goes_out_later(
    app_client: TestClient,
    operator_headers: Headers,
    engine: Engine,
    tmp_path: Path,
) -> None:
    load(app_client, operator_headers, [order(n) for n in range(1, 6)])
    publish(app_client, operator_headers)
    port = free_port()
    settings = worker_settings(tmp_path, f"smtp://127.0.0.1:{port}")
    t0 = utc_now()
    tally = run_worker(engine, settings, at=lambda: t0)
    assert (tally.claimed, tally.retrying, tally.released, tally.failed) == (5, 1, 4, 0)
    rows = [d for d, _ in deliveries(engine)]
    assert {d.status for d in rows} == {"pending"} and all(d.due_at > t0 for d in rows)
    tried = [d for d in rows if d.attempts == 1]
    assert len(tried) == 1 and "cannot connect" in (tried[0].last_error or "")

    handler = Sink()
    from aiosmtpd.controller import Controller

    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        run_worker(engine, settings, at=lambda: t0 + timedelta(hours=1))
    finally:
        controller.stop()
    assert sorted(r.recipients[0] for r in handler.received) == [
        f"buyer{n}@example.de" for n in range(1, 6)
    ]
    assert {d.status for d, _ in deliveries(engine)} == {"sent"}


def test_without_smtp_the_messages_are_written_to_the_outbox(
    app_client: TestClient, operator_headers: Headers, engine: Engine, tmp_path: Path
) -> None:
    load(app_client, operator_headers, [order(1), order(2)])
    publish(app_client, operator_headers)
    run_worker(engine, worker_settings(tmp_path, None))
    files = sorted((tmp_path / "outbox").glob("*.eml"))
    assert len(files) == 2
    sent = delivery_to(engine, "buyer1@example.de")
    expected = tmp_path / "outbox" / f"{(sent.message_id or '').strip('<>')}.eml"
    assert expected in files and sent.status == "sent"
    message = cast(EmailMessage, message_from_bytes(expected.read_bytes(), policy=policy.default))
    assert message["To"].addresses[0].addr_spec == "buyer1@example.de"
    assert message.get_content_type() == "multipart/alternative"
    assert attempts_of(engine, sent.id)[0][:2] == ("accepted", None)


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_smtp_login_from_the_url_and_a_refused_login_is_not_the_recipients_fault(
    app_client: TestClient, operator_headers: Headers, engine: Engine, tmp_path: Path
) -> None:
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult, LoginPassword

    def authenticator(
        server: object, session: object, envelope: object, mechanism: str, data: object
    ) -> AuthResult:
        good = isinstance(data, LoginPassword) and (data.login, data.password) == (
            b"shop@example.org", b"s3cr:et",
        )  # fmt: skip
        return AuthResult(success=good)

    load(app_client, operator_headers, [order(1)])
    publish(app_client, operator_headers)
    handler, port = Sink(), free_port()
    controller = Controller(
        handler, hostname="127.0.0.1", port=port, authenticator=authenticator,
        auth_required=True, auth_require_tls=False,
    )  # fmt: skip
    controller.start()
    try:
        wrong = worker_settings(
            tmp_path, f"smtp://shop%40example.org:nope@127.0.0.1:{port}", smtp_timeout_seconds=1
        )
        assert run_worker(engine, wrong).retrying == 1
        refused = delivery_to(engine, "buyer1@example.de")
        assert refused.status == "pending" and "cannot connect" in (refused.last_error or "")
        right = worker_settings(tmp_path, f"smtp://shop%40example.org:s3cr%3Aet@127.0.0.1:{port}")
        t_later = utc_now() + timedelta(hours=1)
        assert run_worker(engine, right, at=lambda: t_later).sent == 1
    finally:
        controller.stop()
    assert [r.recipients for r in handler.received] == [["buyer1@example.de"]]
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(Suppression)) == 0


@pytest.mark.parametrize("pipelining", [False, True], ids=["one-by-one", "pipelined"])
def test_every_answer_of_the_server_in_one_session_with_and_without_pipelining(
    app_client: TestClient,
    operator_headers: Headers,
    engine: Engine,
    tmp_path: Path,
    pipelining: bool,
) -> None:
    handler = Sink(pipelining=pipelining)
    handler.refuse["buyer2@example.de"] = "451 4.3.2 try again later"
    handler.refuse["buyer3@example.de"] = "550 5.1.1 unknown user"
    handler.refuse_data["buyer4@example.de"] = "554 5.7.1 message refused"
    load(app_client, operator_headers, [order(n) for n in range(1, 6)])
    publish(app_client, operator_headers)
    with smtp_server(handler) as url:
        tally = run_worker(engine, worker_settings(tmp_path, url))
    assert (tally.sent, tally.retrying, tally.failed) == (2, 1, 2)
    assert sorted(r.recipients[0] for r in handler.received) == [
        "buyer1@example.de", "buyer5@example.de",
    ]  # fmt: skip
    assert handler.sessions == 1  # refusals did not cost the connection
    outcomes = {
        n: attempts_of(engine, delivery_to(engine, f"buyer{n}@example.de").id)[0][:2]
        for n in range(1, 6)
    }
    assert outcomes == {
        1: ("accepted", 250), 2: ("temporary", 451), 3: ("permanent", 550),
        4: ("permanent", 554), 5: ("accepted", 250),
    }  # fmt: skip
    with Session(engine) as session:
        suppressed = set(session.scalars(select(Suppression.email)))
    assert suppressed == {"buyer3@example.de", "buyer4@example.de"}
    text = plain(handler.to("buyer5@example.de")[0].message)
    assert "Bestellnummer: A-5" in text


def test_lines_that_start_with_a_dot_arrive_intact(
    app_client: TestClient,
    operator_headers: Headers,
    engine: Engine,
    sink: tuple[Sink, str],
    tmp_path: Path,
) -> None:
    handler, url = sink
    load(app_client, operator_headers, [order(1)])
    steps = "Stop using the bed rail now.\n.\n.Unplug it first\n..then wait"
    publish(app_client, operator_headers, instructions=steps, translations={})
    run_worker(engine, worker_settings(tmp_path, url))
    text = plain(handler.received[0].message).replace("\r\n", "\n")
    assert steps in text  # SMTP dot-stuffing on the way, undone by the server
