"""A small marketplace with a published recall, seller tokens, and signed carrier events,
for the remedy tests."""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any

from fastapi.testclient import TestClient
from httpx2 import Response
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from shopsafe.auth import service as auth_service
from shopsafe.auth.schemas import Principal
from shopsafe.config import get_settings
from shopsafe.db.session import transaction
from shopsafe.recalls import service as recalls
from shopsafe.remedies.models import (
    CarrierEvent,
    DisposalPhoto,
    LedgerEntry,
    Refund,
    RemedyCase,
    ReturnShipment,
)
from tests.factories import order
from tests.support.recalls import recall_body

OPERATOR = Principal(role="operator")
GTIN = "04006381333931"  # the bed rail of the contract's example, sold by S-3 for 29.99
OTHER_GTIN = "04006381333948"  # a kettle sold by S-9
ALL_REMEDIES = ["refund", "replacement", "repair", "dispose"]
Headers = dict[str, str]


def orders(n: int, *, seller: str = "S-3", gtin: str = GTIN, start: int = 5000) -> list[Any]:
    """`n` customers C-<start+i>, each with one order of 2 units at 29.99 EUR."""
    records = []
    for i in range(n):
        record = order(start + i)
        line = record["lines"][0]
        line.update(seller_id=seller, seller_name=f"Seller {seller}", gtin=gtin)
        line["serials"] = []
        if gtin != GTIN:
            line.update(sku=f"K-{gtin[-4:]}", model=f"K-{gtin[-4:]}", product_name="Kettle")
        record["shipments"][0]["tracking_number"] = f"00340434161{start + i:09d}"[:20]
        records.append(record)
    return records


def load(client: TestClient, headers: Headers, records: list[Any]) -> None:
    answer = client.post("/api/v1/orders", json=records, headers=headers)
    assert answer.status_code == 200, answer.text


def set_seller(client: TestClient, headers: Headers, seller: str, name: str) -> None:
    body = {"seller_id": seller, "name": name, "address_line": "Industriestr. 1",
            "postal_code": "20095", "city": "Hamburg", "country": "DE",
            "email": f"{seller.lower()}@example.com"}  # fmt: skip
    answer = client.put(f"/api/v1/sellers/{seller}", json=body, headers=headers)
    assert answer.status_code in (200, 201), answer.text


def publish(engine: Engine, *, gtin: str = GTIN, seller: str | None = None, **changes: Any) -> int:
    body = recall_body(criteria={"gtins": [gtin]}, remedies=ALL_REMEDIES, **changes)
    body["seller_id"] = seller
    with transaction(engine) as session:
        recall = recalls.create(session, data=body, principal=OPERATOR)
        recalls.publish(session, recall_id=recall.id, principal=OPERATOR)
        return recall.id


def seller_headers(engine: Engine, seller: str) -> Headers:
    with transaction(engine) as session:
        token = auth_service.create_token(session, role="seller", seller_external_id=seller)
    return {"Authorization": f"Bearer {token}"}


@dataclass
class Market:
    recall_id: int
    operator: Headers
    seller: Headers  # S-3, whose sales the recall affects
    other: Headers  # S-9, a seller with nothing to do with it


def market(
    client: TestClient,
    engine: Engine,
    operator: Headers,
    *,
    customers: int = 3,
    seller: str | None = "S-3",
) -> Market:
    """Customers C-5000… bought 2 bed rails each from S-3; C-9000 a kettle from S-9. The
    recall of the bed rail is S-3's own (or, with `seller=None`, the marketplace's)."""
    load(client, operator, orders(customers) + orders(1, seller="S-9", gtin=OTHER_GTIN, start=9000))
    set_seller(client, operator, "S-3", "Bioenrrty GmbH")
    recall_id = publish(engine, seller=seller)
    return Market(recall_id, operator, seller_headers(engine, "S-3"), seller_headers(engine, "S-9"))


def open_case(
    client: TestClient, m: Market, customer: str = "C-5000", remedy: str = "refund"
) -> Response:
    body = {"recall_id": m.recall_id, "customer_id": customer, "remedy": remedy}
    return client.post("/api/v1/remedy-cases", json=body, headers=m.operator)


def move(client: TestClient, headers: Headers, case_id: int, to: str, **extra: Any) -> Response:
    return client.post(
        f"/api/v1/remedy-cases/{case_id}/transitions", json={"to": to, **extra}, headers=headers
    )


def sign(body: bytes, secret: str | None = None) -> str:
    key = (secret or get_settings().resolved_carrier_secret()).encode()
    return "sha256=" + hmac.new(key, body, hashlib.sha256).hexdigest()


def carrier_event(
    client: TestClient, tracking: str, status: str, event_id: str, *, signature: str | None = None
) -> Response:
    body = json.dumps({"carrier": "test", "event_id": event_id, "tracking_number": tracking,
                       "status": status, "at": "2026-01-05T10:00:00Z"}).encode()  # fmt: skip
    return client.post(
        "/api/v1/carrier-events",
        content=body,
        headers={"Content-Type": "application/json",
                 "X-Shopsafe-Signature": signature or sign(body)},
    )  # fmt: skip


def snapshot(engine: Engine) -> dict[str, Any]:
    """Everything a remedy can change, to show that a refused request changed nothing."""
    with Session(engine) as session:
        counts = {
            model.__tablename__: session.scalar(select(func.count()).select_from(model))
            for model in (RemedyCase, Refund, LedgerEntry, ReturnShipment, CarrierEvent,
                          DisposalPhoto)
        }  # fmt: skip
        states = sorted(session.execute(select(RemedyCase.id, RemedyCase.state)).all())
    return {**counts, "states": [tuple(s) for s in states]}


def png(width: int = 64, height: int = 48) -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 40, 40)).save(buffer, format="PNG")
    return buffer.getvalue()


def copy_of(record: Any) -> Any:
    return copy.deepcopy(record)
