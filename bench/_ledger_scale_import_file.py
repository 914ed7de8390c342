"""The JSON Lines file bench/ledger_scale.py imports: new orders drawn like the ledger's, in the
import format (CONTRACT §4)."""

from __future__ import annotations

import json
import random
from datetime import datetime
from pathlib import Path
from typing import Any

from _ledger_scale_rows import OrderRows, Sizes, catalogue, customer, draw_order
from shopsafe.ledger import bulk


def order_object(rows: OrderRows, order_id: str, sellers: list[bulk.SellerRow]) -> dict[str, Any]:
    """The same order in the import format (CONTRACT §4), made from its rows."""
    order = rows.order
    buyer, _ = customer(order.customer_id)
    person = {
        **buyer._asdict(),
        "customer_id": buyer.external_id,
        "created_at": _iso(buyer.created_at),
    }
    ship_to = {**customer(order.ship_to_address_id)[1]._asdict(), "name": order.ship_to_name}
    serials = {s.order_line_id: [s.serial] for s in rows.serials}
    lines = []
    for line in rows.lines:
        seller = sellers[line.seller_id - 1]
        extra = {"seller_id": seller.external_id, "seller_name": seller.name}
        extra.update(unit_price=str(line.unit_price), serials=serials.get(line.id, []))
        lines.append({**line._asdict(), **extra})
    shipments = []
    if rows.shipment is not None:
        shipment = rows.shipment._asdict()
        for key in ("shipped_at", "delivered_at"):
            shipment[key] = _iso(shipment[key])
        shipments.append({**shipment, "line_ids": [line.line_id for line in rows.lines]})
    head = {"order_id": order_id, "placed_at": _iso(order.placed_at), "gift": order.gift}
    return {**head, "buyer": person, "ship_to": ship_to, "lines": lines, "shipments": shipments}


def _iso(value: datetime | None) -> str | None:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ") if value else None


def write_import_file(path: Path, sizes: Sizes) -> tuple[int, int]:
    """New orders (`B-n`) by existing customers for existing products; returns orders, lines.
    Extra keys of the rows (ids, keys Shopsafe derives) are ignored by the importer."""
    sellers, offers = catalogue(sizes)
    rnd = random.Random(sizes.seed + 2)
    lines = 0
    with path.open("w", encoding="utf-8") as out:
        for n in range(1, sizes.importer_orders + 1):
            rows = draw_order(rnd, 10**9 + n, 0, sizes, offers)
            lines += len(rows.lines)
            out.write(json.dumps(order_object(rows, f"B-{n}", sellers), ensure_ascii=False) + "\n")
    return sizes.importer_orders, lines
