"""Constructed ledgers for unsolicited-package tests: orders in the import format (CONTRACT
§4) shipped to a reporter's address, and loading them through the real importer."""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Engine

from shopsafe.db.session import transaction
from shopsafe.ledger import hooks, service, tracking
from shopsafe.ledger.importers import parse_objects
from shopsafe.ledger.schemas import OrderIn, ReviewIn, SellerIn

REPORTER = {
    "name": "Maria Kowalski",
    "email": None,
    "line1": "27 Birch Lane",
    "line2": None,
    "postal_code": "12866",
    "city": "Saratoga Springs",
    "country": "US",
}
ELSEWHERE = {**REPORTER, "line1": "5 Elm Street", "postal_code": "10001", "city": "New York"}
BRUSHER = {
    "seller_id": "S-BRUSH",
    "name": "Brightwave Gadgets Ltd.",
    "address_line": "Unit 5, 12 Harbour Road",
    "postal_code": "999077",
    "city": "Wan Chai",
    "country": "HK",
    "email": "compliance@brightwave.example",
    "phone": "+852 5555 0100",
    "trade_register": "CR No. 3141592",
}
HONEST = {
    "seller_id": "S-HONEST",
    "name": "Haus & Herd Vertriebs GmbH",
    "address_line": "Am Sandtorkai 27",
    "postal_code": "20457",
    "city": "Hamburg",
    "country": "DE",
    "email": "service@hausundherd.example",
    "trade_register": "HRB 150882, Amtsgericht Hamburg",
}


def number(serial: int) -> str:
    """A valid, unique USPS tracking number."""
    return tracking.make_usps(random.Random(serial), serial=serial)


def parcel(
    serial: int,
    *,
    customer: str,
    ship_to: dict[str, Any] = REPORTER,
    seller: str = "S-BRUSH",
    sku: str = "EAR-SAVER-1",
    price: str = "1.99",
    quantity: int = 1,
    gift: bool = True,
    placed_at: str = "2026-03-01T10:00:00Z",
    created_at: str | None = "2026-02-25T08:00:00Z",
    shipped: bool = True,
    tracking_number: str | None = None,
) -> dict[str, Any]:
    """One order with one line and one USPS shipment (label only when not `shipped`)."""
    return {
        "order_id": f"U-{serial}",
        "placed_at": placed_at,
        "buyer": {
            "customer_id": customer,
            "email": f"{customer.lower()}@mail.example",
            "name": f"Buyer {customer}",
            "created_at": created_at,
        },
        "ship_to": dict(ship_to),
        "gift": gift,
        "lines": [
            {
                "line_id": "1",
                "seller_id": seller,
                "sku": sku,
                "product_name": "Mask ear savers",
                "quantity": quantity,
                "unit_price": price,
                "currency": "USD",
            }
        ],
        "shipments": [
            {
                "carrier": "USPS",
                "tracking_number": tracking_number or number(serial),
                "shipped_at": "2026-03-02T09:00:00Z" if shipped else None,
                "delivered_at": "2026-03-04T12:00:00Z" if shipped else None,
                "line_ids": ["1"],
            }
        ],
    }


def review(serial: int, order: dict[str, Any], *, verified: bool = True) -> dict[str, Any]:
    return {
        "review_id": f"R-{serial}",
        "order_id": order["order_id"],
        "line_id": "1",
        "customer_id": order["buyer"]["customer_id"],
        "rating": 5,
        "created_at": "2026-03-06T10:00:00Z",
        "verified": verified,
        "text": "Great!",
    }


def load(
    engine: Engine,
    orders: list[dict[str, Any]],
    reviews: Sequence[dict[str, Any]] = (),
    sellers: Sequence[dict[str, Any]] = (BRUSHER, HONEST),
) -> None:
    """Loads sellers, orders (through the importers' hook) and reviews in one transaction."""
    with transaction(engine) as session:
        service.upsert_sellers(session, sellers=[SellerIn.model_validate(s) for s in sellers])
        service.import_orders(
            session, source=lambda: parse_objects(orders, OrderIn), on_written=hooks.after_import
        )
        if reviews:
            service.import_reviews(session, source=lambda: parse_objects(list(reviews), ReviewIn))


def report_body(numbers: list[str], **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "tracking_numbers": numbers,
        "postal_code": "12866",
        "country": "US",
        "name": "Maria Kowalski",
        "email": "maria@home.example",
        "note": "About a hundred parcels so far.",
    }
    body.update(changes)
    return body
