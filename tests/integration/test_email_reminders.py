"""Reminders for people who have not reacted, corrections for people no longer affected,
and who may read a recall's delivery records."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, update

from shopsafe.db.session import transaction
from shopsafe.kit.clock import now as utc_now
from shopsafe.notifications.models import Delivery, RecallNotice
from shopsafe.notifications.tasks import WorkerConfig, schedule_reminders
from tests.factories import order
from tests.support.delivery import (
    Headers,
    attempts_of,
    deliveries,
    load,
    publish,
    run_worker,
    seller_headers,
    worker_settings,
)
from tests.support.recalls import recall_body
from tests.support.smtp import Sink, smtp_server


@pytest.fixture
def sink() -> Iterator[tuple[Sink, str]]:
    handler = Sink()
    with smtp_server(handler) as url:
        yield handler, url


def react(engine: Engine, email: str, **values: object) -> None:
    with transaction(engine) as session:
        session.execute(update(RecallNotice).where(RecallNotice.email == email).values(**values))


def test_reminders_reach_only_people_who_have_not_reacted_and_stop_when_closed(
    app_client: TestClient,
    operator_headers: Headers,
    engine: Engine,
    sink: tuple[Sink, str],
    tmp_path: Path,
) -> None:
    handler, url = sink
    load(app_client, operator_headers, [order(1), order(2), order(3)])
    recall_id = publish(app_client, operator_headers)
    settings = worker_settings(tmp_path, url, reminder_days="3,10")
    t0 = utc_now()
    run_worker(engine, settings, at=lambda: t0)
    assert len(handler.received) == 3
    react(engine, "buyer1@example.de", acknowledged_at=t0, acknowledgement="read")
    react(engine, "buyer2@example.de", remedy_choice="refund", remedy_chosen_at=t0)

    assert run_worker(engine, settings, at=lambda: t0 + timedelta(days=2)).sent == 0
    first = run_worker(engine, settings, at=lambda: t0 + timedelta(days=4))
    assert first.sent == 1
    reminder = handler.received[-1]
    assert reminder.recipients == ["buyer3@example.de"]
    assert reminder.message["Subject"].startswith("Erinnerung: Produktrückruf:")
    assert reminder.key.endswith(":reminder:1")
    # The second reminder comes seven days (10 − 3) after the first, not before.
    assert run_worker(engine, settings, at=lambda: t0 + timedelta(days=9)).sent == 0
    closed = app_client.post(f"/api/v1/recalls/{recall_id}/close", headers=operator_headers)
    assert closed.status_code == 200
    assert run_worker(engine, settings, at=lambda: t0 + timedelta(days=40)).sent == 0
    kinds = [(d.kind, n.email) for d, n in deliveries(engine, Delivery.kind == "reminder")]
    assert kinds == [("reminder", "buyer3@example.de")]


def test_both_reminders_by_default_and_none_after_a_late_reaction(
    app_client: TestClient,
    operator_headers: Headers,
    engine: Engine,
    sink: tuple[Sink, str],
    tmp_path: Path,
) -> None:
    handler, url = sink
    load(app_client, operator_headers, [order(1), order(2)])
    publish(app_client, operator_headers)
    settings = worker_settings(tmp_path, url)  # reminders after 7 and 21 days
    t0 = utc_now()
    run_worker(engine, settings, at=lambda: t0)
    assert run_worker(engine, settings, at=lambda: t0 + timedelta(days=6)).sent == 0
    assert run_worker(engine, settings, at=lambda: t0 + timedelta(days=7, hours=1)).sent == 2

    # Reminder 2 is queued for both; then buyer 2 reacts before it goes out.
    config = WorkerConfig.from_settings(
        settings, name="test", clock=lambda: t0 + timedelta(days=22)
    )
    assert schedule_reminders(engine, config) == 2
    react(engine, "buyer2@example.de", acknowledged_at=t0 + timedelta(days=21))
    last = run_worker(engine, settings, at=lambda: t0 + timedelta(days=22))
    assert (last.sent, last.cancelled) == (1, 1)
    [(skipped, _)] = deliveries(engine, Delivery.kind == "reminder", Delivery.status == "cancelled")
    assert "acknowledged" in (skipped.last_error or "")
    assert attempts_of(engine, skipped.id)[0][0] == "cancel"
    assert len(handler.received) == 5  # 2 notices, 2 first reminders, 1 second reminder
    assert handler.received[-1].recipients == ["buyer1@example.de"]
    assert handler.received[-1].key.endswith(":reminder:2")


def test_people_an_amendment_takes_out_get_a_correction(
    app_client: TestClient,
    operator_headers: Headers,
    engine: Engine,
    sink: tuple[Sink, str],
    tmp_path: Path,
) -> None:
    handler, url = sink
    other_lot = order(2)
    other_lot["lines"][0]["lot"] = "L9999"
    other_lot["buyer"]["language"] = "en"
    load(app_client, operator_headers, [order(1), other_lot])
    recall_id = publish(app_client, operator_headers)
    settings = worker_settings(tmp_path, url)
    run_worker(engine, settings)
    narrowed = app_client.patch(
        f"/api/v1/recalls/{recall_id}",
        json={"criteria": {"gtins": ["04006381333931"], "lots": ["L2301"]}},
        headers=operator_headers,
    )
    assert narrowed.status_code == 200, narrowed.text
    assert run_worker(engine, settings).sent == 1
    correction = handler.received[-1]
    assert correction.recipients == ["buyer2@example.de"]
    message = correction.message
    assert message["Subject"].startswith("Correction:")
    assert "no longer concerns you" in message["Subject"]
    body = message.get_body(("plain",))
    assert body is not None
    text = body.get_content()  # type: ignore[attr-defined]
    assert "we told you that a product you bought" in text
    assert "You do not need to do anything" in text
    assert "login/link" not in text


def test_sellers_see_the_delivery_records_of_their_own_recalls_only(
    app_client: TestClient,
    operator_headers: Headers,
    engine: Engine,
    tmp_path: Path,
) -> None:
    theirs = order(2)
    theirs["lines"][0]["seller_id"] = "S-9"
    load(app_client, operator_headers, [order(1), theirs])
    own = seller_headers(engine, "S-3")
    other = seller_headers(engine, "S-9")
    created = app_client.post("/api/v1/recalls", json=recall_body(), headers=own)
    recall_id = created.json()["id"]
    assert app_client.post(f"/api/v1/recalls/{recall_id}/publish", headers=own).status_code == 200
    for suffix in ("stats", "undeliverable", "undeliverable.csv"):
        url = f"/api/v1/recalls/{recall_id}/{suffix}"
        assert app_client.get(url, headers=own).status_code == 200
        assert app_client.get(url, headers=other).status_code == 403
        assert app_client.get(url).status_code == 401
        assert app_client.get(url, headers=operator_headers).status_code == 200
    assert app_client.get("/api/v1/recalls/999/stats", headers=operator_headers).status_code == 404
    stats = app_client.get(f"/api/v1/recalls/{recall_id}/stats", headers=own).json()
    assert (stats["recipients"], stats["notified"], stats["reach_rate"]) == (1, 0, 0.0)
