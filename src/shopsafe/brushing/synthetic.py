"""A LedgerFrame straight from orders and reviews in the import format (pure).

`shopsafe brushing evaluate` scores the detector on generated marketplaces many times over;
importing each one through the database would take minutes per seed. The mapping is the
importer's: a customer per `customer_id`, an address per normalised address key, a product
per seller and offer key (`shopsafe.ledger.keys`), the first delivery of each order.
`tests/integration/test_brushing_detect.py` checks that the database path finds the same.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np

from shopsafe.brushing.frame import LedgerFrame, ints
from shopsafe.ledger import keys


def epoch(text: str | None) -> int:
    if not text:
        return -1
    return int(datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp())


class Ids:
    """Stand-in integer ids for external ids, in order of first appearance (from 1)."""

    def __init__(self) -> None:
        self.of: dict[Any, int] = {}

    def __call__(self, external: Any) -> int:
        found = self.of.get(external)
        if found is None:
            found = self.of[external] = len(self.of) + 1
        return found

    def external(self) -> dict[int, Any]:
        return {v: k for k, v in self.of.items()}


@dataclass
class Catalog:
    """The ids handed out, to translate detection results back to external ids."""

    customers: Ids = field(default_factory=Ids)
    orders: Ids = field(default_factory=Ids)
    sellers: Ids = field(default_factory=Ids)
    products: Ids = field(default_factory=Ids)
    addresses: Ids = field(default_factory=Ids)
    lines: Ids = field(default_factory=Ids)
    reviews: Ids = field(default_factory=Ids)


@dataclass
class _Columns:
    lines: list[tuple[int, ...]] = field(default_factory=list)
    created: dict[int, int] = field(default_factory=dict)
    delivered: list[tuple[int, int]] = field(default_factory=list)
    reviews: list[tuple[int, ...]] = field(default_factory=list)


def _address_key(ship_to: dict[str, Any]) -> str:
    return keys.address_key(
        country=ship_to["country"],
        postal_code=ship_to["postal_code"],
        line1=ship_to.get("line1"),
        line2=ship_to.get("line2"),
        city=ship_to.get("city"),
    )


def _offer_key(line: dict[str, Any]) -> str:
    gtin = keys.gtin14(line["gtin"]) if line.get("gtin") else None
    return keys.offer_key(
        sku=line.get("sku"), gtin=gtin, brand=line.get("brand"), model=line.get("model")
    )


def _add_order(order: dict[str, Any], catalog: Catalog, columns: _Columns) -> None:
    buyer = order["buyer"]
    customer = catalog.customers(buyer["customer_id"])
    columns.created[customer] = epoch(buyer.get("created_at"))
    order_id = catalog.orders(order["order_id"])
    address = catalog.addresses(_address_key(order["ship_to"]))
    placed = epoch(order["placed_at"])
    gift = int(bool(order.get("gift")))
    for line in order["lines"]:
        seller = catalog.sellers(line["seller_id"])
        product = catalog.products((line["seller_id"], _offer_key(line)))
        cents = round(float(line["unit_price"]) * 100)
        line_id = catalog.lines((order["order_id"], line["line_id"]))
        columns.lines.append(
            (line_id, order_id, customer, address, product, seller, placed, gift, cents)
        )
    times = [epoch(s["delivered_at"]) for s in order.get("shipments", []) if s.get("delivered_at")]
    if times:
        columns.delivered.append((order_id, min(times)))


def build(
    orders: Iterable[dict[str, Any]],
    reviews: Iterable[dict[str, Any]] = (),
    catalog: Catalog | None = None,
) -> tuple[LedgerFrame, Catalog]:
    catalog = catalog or Catalog()
    columns = _Columns()
    for order in orders:
        _add_order(order, catalog, columns)
    for review in reviews:
        line = review.get("line_id")
        columns.reviews.append(
            (
                catalog.reviews(review["review_id"]),
                catalog.orders.of[review["order_id"]],
                catalog.lines.of[(review["order_id"], line)] if line else -1,
                int(review["rating"]),
                epoch(review["created_at"]),
            )
        )
    return _frame(columns), catalog


def _frame(columns: _Columns) -> LedgerFrame:
    lines = np.array(columns.lines, dtype=np.int64).reshape(-1, 9)
    delivered = np.array(columns.delivered, dtype=np.int64).reshape(-1, 2)
    reviews = np.array(columns.reviews, dtype=np.int64).reshape(-1, 5)
    return LedgerFrame(
        line=lines[:, 0].copy(),
        order=lines[:, 1].copy(),
        customer=lines[:, 2].copy(),
        address=lines[:, 3].copy(),
        product=lines[:, 4].copy(),
        seller=lines[:, 5].copy(),
        placed=lines[:, 6].copy(),
        gift=lines[:, 7].astype(np.bool_),
        price_cents=lines[:, 8].copy(),
        customer_id=ints(list(columns.created)),
        customer_created=ints(list(columns.created.values())),
        delivered_order=delivered[:, 0].copy(),
        delivered_at=delivered[:, 1].copy(),
        review=reviews[:, 0].copy(),
        review_order=reviews[:, 1].copy(),
        review_line=reviews[:, 2].copy(),
        review_rating=reviews[:, 3].copy(),
        review_created=reviews[:, 4].copy(),
    )
