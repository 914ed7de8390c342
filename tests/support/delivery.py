"""Helpers for the delivery tests: orders and recalls through the API, worker settings,
and a look at what the database recorded."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from shopsafe.auth import service as auth_service
from shopsafe.config import Settings, get_settings
from shopsafe.db.session import transaction
from shopsafe.notifications.models import Delivery, DeliveryAttempt, RecallNotice
from shopsafe.notifications.tasks import Tally
from shopsafe.notifications.transport import Transport
from shopsafe.notifications.worker import drain
from tests.support.recalls import recall_body

Headers = dict[str, str]
LINK = re.compile(r"https?://\S+/login/link\?token=\S+")


def load(client: TestClient, headers: Headers, records: list[dict[str, Any]]) -> None:
    answer = client.post("/api/v1/orders", json=records, headers=headers)
    assert answer.status_code == 200, answer.text


def publish(client: TestClient, headers: Headers, **changes: Any) -> int:
    created = client.post("/api/v1/recalls", json=recall_body(**changes), headers=headers)
    assert created.status_code == 201, created.text
    recall_id = int(created.json()["id"])
    published = client.post(f"/api/v1/recalls/{recall_id}/publish", headers=headers)
    assert published.status_code == 200, published.text
    return recall_id


def seller_headers(engine: Engine, seller: str) -> Headers:
    with transaction(engine) as session:
        token = auth_service.create_token(session, role="seller", seller_external_id=seller)
    return {"Authorization": f"Bearer {token}"}


def worker_settings(tmp_path: Path, smtp_url: str | None, **changes: Any) -> Settings:
    """Settings for a worker in the test process; links are signed with the web app's key,
    so that following them through the app works."""
    values: dict[str, Any] = {
        "smtp_url": smtp_url,
        "var_dir": tmp_path,
        "secret_key": get_settings().resolved_secret_key(),
        "base_url": "http://testserver",
        "mail_from": "Shopsafe Safety <safety@shop.example>",
        "smtp_timeout_seconds": 5.0,
    }
    values.update(changes)
    return Settings(**values)


def run_worker(
    engine: Engine,
    settings: Settings,
    *,
    at: Callable[[], datetime] | None = None,
    transport: Transport | None = None,
) -> Tally:
    if at is None:
        return drain(engine, settings=settings, transport=transport)
    return drain(engine, settings=settings, clock=at, transport=transport)


def deliveries(engine: Engine, *where: Any) -> list[tuple[Delivery, RecallNotice]]:
    with Session(engine) as session:
        rows = session.execute(
            select(Delivery, RecallNotice)
            .join(RecallNotice, RecallNotice.id == Delivery.notice_id)
            .where(*where)
            .order_by(Delivery.id)
        )
        return [(d, n) for d, n in rows]


def delivery_to(engine: Engine, email: str, kind: str = "notice") -> Delivery:
    found = [d for d, n in deliveries(engine, RecallNotice.email == email, Delivery.kind == kind)]
    assert len(found) == 1, found
    return found[0]


def attempts_of(engine: Engine, delivery_id: int) -> list[tuple[str, int | None, str | None]]:
    with Session(engine) as session:
        rows = session.execute(
            select(DeliveryAttempt.outcome, DeliveryAttempt.smtp_code, DeliveryAttempt.detail)
            .where(DeliveryAttempt.delivery_id == delivery_id)
            .order_by(DeliveryAttempt.id)
        )
        return [(o, c, d) for o, c, d in rows]


def link_in(text: str) -> tuple[str, str]:
    """(path and query to request, token) of the signed link in an e-mail."""
    found = LINK.search(text)
    assert found is not None, text
    parts = urlsplit(found.group(0))
    return f"{parts.path}?{parts.query}", parse_qs(parts.query)["token"][0]
