"""Writing one batch of validated orders: upserts of customers, sellers, addresses and
products, then the orders with their lines, serials and shipments.

Unchanged orders (same content digest) are skipped; changed ones are updated in place, so
line and shipment rows keep their ids and any hold Shopsafe put on them.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from shopsafe.ledger import keys
from shopsafe.ledger import repository as repo
from shopsafe.ledger.models import (
    Address,
    Customer,
    Order,
    OrderLine,
    OrderLineSerial,
    Product,
    Seller,
    Shipment,
    ShipmentLine,
)
from shopsafe.ledger.schemas import FINGERPRINTS, LineIn, OrderIn, ShipmentIn

_RANK = {"open": 0, "shipped": 1, "delivered": 2}


@dataclass
class BatchResult:
    orders: int = 0
    lines: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    written_order_ids: list[int] = field(default_factory=list)


def content_hash(record: OrderIn) -> str:
    data = record.model_dump(mode="json")
    for name in FINGERPRINTS:  # absent fingerprints leave the digest as before they existed
        if data["buyer"].get(name) is None:
            del data["buyer"][name]
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def shipment_status(shipment: ShipmentIn) -> str:
    if shipment.delivered_at is not None:
        return "delivered"
    if shipment.shipped_at is not None:
        return "shipped"
    return "open"


def write_orders(session: Session, records: list[OrderIn], *, now: datetime) -> BatchResult:
    result = BatchResult(orders=len(records), lines=sum(len(r.lines) for r in records))
    digests = {r.order_id: content_hash(r) for r in records}
    known = repo.order_hashes(session, digests)
    todo = [r for r in records if known.get(r.order_id, (0, ""))[1] != digests[r.order_id]]
    result.unchanged = len(records) - len(todo)
    if not todo:
        return result
    customer_ids = _upsert_customers(session, todo)
    seller_ids = _upsert_sellers(session, todo)
    address_ids = _upsert_addresses(session, todo)
    product_ids = _upsert_products(session, todo, seller_ids)
    order_ids = _upsert_orders(session, todo, known, digests, customer_ids, address_ids, now)
    result.created = sum(1 for r in todo if r.order_id not in known)
    result.updated = len(todo) - result.created
    _sync_lines(session, todo, order_ids, seller_ids, product_ids)
    result.written_order_ids = list(order_ids.values())
    return result


def _upsert_customers(session: Session, records: list[OrderIn]) -> dict[str, int]:
    latest = {r.buyer.customer_id: r.buyer for r in records}
    existing = repo.existing_customers(session, latest)
    fresh, changed = [], []
    for external, buyer in latest.items():
        row: dict[str, Any] = {
            "email": buyer.email,
            "name": buyer.name,
            "language": buyer.language,
            "account_type": buyer.account_type,
            "admin_emails": list(buyer.admin_emails),
            "created_at": buyer.created_at,
        }
        current = existing.get(external)
        if current is None:
            fresh.append({"external_id": external, **row})
        elif any(getattr(current, k) != v for k, v in row.items()):
            changed.append({"id": current.id, **row})
    repo.update_rows(session, Customer, changed)
    ids = {external: row.id for external, row in existing.items()}
    ids.update(repo.insert_returning_ids(session, Customer, fresh, "external_id"))
    return ids


def _upsert_sellers(session: Session, records: list[OrderIn]) -> dict[str, int]:
    names: dict[str, str | None] = {}
    for record in records:
        for line in record.lines:
            if line.seller_name or line.seller_id not in names:
                names[line.seller_id] = line.seller_name
    existing = repo.existing_sellers(session, names)
    fresh = [{"external_id": k, "name": v} for k, v in names.items() if k not in existing]
    changed = [
        {"id": existing[k].id, "name": v}
        for k, v in names.items()
        if k in existing and v and existing[k].name != v
    ]
    repo.update_rows(session, Seller, changed)
    ids = {external: row.id for external, row in existing.items()}
    ids.update(repo.insert_returning_ids(session, Seller, fresh, "external_id"))
    return ids


def address_key_of(record: OrderIn) -> str:
    s = record.ship_to
    return keys.address_key(
        country=s.country, postal_code=s.postal_code, line1=s.line1, line2=s.line2, city=s.city
    )


def _upsert_addresses(session: Session, records: list[OrderIn]) -> dict[str, int]:
    wanted = {address_key_of(r): r.ship_to for r in records}
    ids = repo.address_ids(session, wanted)
    fresh = [
        {
            "key": key,
            "line1": s.line1,
            "line2": s.line2,
            "postal_code": s.postal_code,
            "postal_key": keys.postal_key(s.postal_code),
            "city": s.city,
            "country": s.country,
        }
        for key, s in wanted.items()
        if key not in ids
    ]
    ids.update(repo.insert_returning_ids(session, Address, fresh, "key"))
    return ids


def _offer_key(line: LineIn) -> str:
    gtin = keys.gtin14(line.gtin) if line.gtin else None
    return keys.offer_key(sku=line.sku, gtin=gtin, brand=line.brand, model=line.model)


def _upsert_products(
    session: Session, records: list[OrderIn], seller_ids: dict[str, int]
) -> dict[tuple[int, str], int]:
    wanted: dict[tuple[int, str], LineIn] = {}
    for record in records:
        for line in record.lines:
            wanted[(seller_ids[line.seller_id], _offer_key(line))] = line
    ids = repo.product_ids(session, wanted)
    fresh = []
    for (seller, offer), line in wanted.items():
        if (seller, offer) in ids:
            continue
        fresh.append({"seller_id": seller, "offer_key": offer, **_product_columns(line)})
    if fresh:
        repo.insert_rows(session, Product, fresh)
        ids.update(repo.product_ids(session, wanted))
    return ids


def _product_columns(line: LineIn) -> dict[str, Any]:
    return {
        "sku": line.sku,
        "gtin": keys.gtin14(line.gtin) if line.gtin else None,
        "brand": line.brand,
        "model": line.model,
        "brand_key": keys.brand_key(line.brand),
        "model_key": keys.model_key(line.model),
        "name": line.product_name,
    }


def _upsert_orders(
    session: Session,
    records: list[OrderIn],
    known: dict[str, tuple[int, str]],
    digests: dict[str, str],
    customer_ids: dict[str, int],
    address_ids: dict[str, int],
    now: datetime,
) -> dict[str, int]:
    fresh, changed = [], []
    for record in records:
        row = {
            "customer_id": customer_ids[record.buyer.customer_id],
            "ship_to_address_id": address_ids[address_key_of(record)],
            "ship_to_name": record.ship_to.name,
            "ship_to_email": record.ship_to.email,
            "gift": record.gift,
            "placed_at": record.placed_at,
            "content_hash": digests[record.order_id],
            "imported_at": now,
            "payment_hash": record.buyer.payment_fingerprint,
            "device_hash": record.buyer.device_id,
            "ip_hash": record.buyer.ip,
        }
        if record.order_id in known:
            changed.append({"id": known[record.order_id][0], **row})
        else:
            fresh.append({"external_id": record.order_id, **row})
    repo.update_rows(session, Order, changed)
    ids = {r.order_id: known[r.order_id][0] for r in records if r.order_id in known}
    ids.update(repo.insert_returning_ids(session, Order, fresh, "external_id"))
    return ids


Rows = list[dict[str, Any]]
Existing = dict[tuple[int, str], tuple[int, str | None]]


def _sync_lines(
    session: Session,
    records: list[OrderIn],
    order_ids: dict[str, int],
    seller_ids: dict[str, int],
    product_ids: dict[tuple[int, str], int],
) -> None:
    """Brings the orders' lines and shipments to what the records say, keeping row ids and
    holds of lines and shipments that stay."""
    lines: Existing = {
        (o, k): (pk, h) for pk, o, k, h in repo.lines_of(session, order_ids.values())
    }
    ships: Existing = {
        (o, k): (pk, h) for pk, o, k, h in repo.shipments_of(session, order_ids.values())
    }
    line_new, line_changed, line_kept = _plan_lines(
        records, order_ids, seller_ids, product_ids, lines
    )
    ship_new, ship_changed, ship_kept = _plan_shipments(records, order_ids, ships)
    repo.delete_shipment_lines(session, [pk for pk, _ in ships.values()])
    repo.delete_serials_of_lines(session, [pk for pk, _ in lines.values()])
    repo.delete_by_ids(
        session, Shipment, [pk for k, (pk, _) in ships.items() if k not in ship_kept]
    )
    repo.delete_by_ids(
        session, OrderLine, [pk for k, (pk, _) in lines.items() if k not in line_kept]
    )
    repo.update_rows(session, OrderLine, line_changed)
    repo.update_rows(session, Shipment, ship_changed)
    repo.insert_rows(session, OrderLine, line_new)
    repo.insert_rows(session, Shipment, ship_new)
    _write_children(session, records, order_ids)


def _plan_lines(
    records: list[OrderIn],
    order_ids: dict[str, int],
    seller_ids: dict[str, int],
    product_ids: dict[tuple[int, str], int],
    existing: Existing,
) -> tuple[Rows, Rows, set[tuple[int, str]]]:
    fresh: Rows = []
    changed: Rows = []
    kept: set[tuple[int, str]] = set()
    for record in records:
        order_pk = order_ids[record.order_id]
        statuses = _line_statuses(record)
        for line in record.lines:
            seller = seller_ids[line.seller_id]
            pk, hold = existing.get((order_pk, line.line_id), (0, None))
            status = statuses[line.line_id]
            row = {
                "order_id": order_pk,
                "line_id": line.line_id,
                "seller_id": seller,
                "product_id": product_ids[(seller, _offer_key(line))],
                "status": "held" if hold and status == "open" else status,
                **_line_columns(line),
            }
            kept.add((order_pk, line.line_id))
            if pk:
                changed.append({"id": pk, **row})
            else:
                fresh.append(row)
    return fresh, changed, kept


def _plan_shipments(
    records: list[OrderIn], order_ids: dict[str, int], existing: Existing
) -> tuple[Rows, Rows, set[tuple[int, str]]]:
    fresh: Rows = []
    changed: Rows = []
    kept: set[tuple[int, str]] = set()
    for record in records:
        order_pk = order_ids[record.order_id]
        for shipment in record.shipments:
            tkey = keys.tracking_key(shipment.tracking_number)
            pk, hold = existing.get((order_pk, tkey), (0, None))
            status = shipment_status(shipment)
            row = {
                "order_id": order_pk,
                "carrier": shipment.carrier,
                "tracking_number": shipment.tracking_number,
                "tracking_key": tkey,
                "shipped_at": shipment.shipped_at,
                "delivered_at": shipment.delivered_at,
                "status": "held" if hold and status == "open" else status,
            }
            kept.add((order_pk, tkey))
            if pk:
                changed.append({"id": pk, **row})
            else:
                fresh.append(row)
    return fresh, changed, kept


def _line_columns(line: LineIn) -> dict[str, Any]:
    return {
        "sku": line.sku,
        "gtin": keys.gtin14(line.gtin) if line.gtin else None,
        "brand": line.brand,
        "model": line.model,
        "brand_key": keys.brand_key(line.brand),
        "model_key": keys.model_key(line.model),
        "product_name": line.product_name,
        "quantity": line.quantity,
        "unit_price": line.unit_price,
        "currency": line.currency,
        "lot": line.lot,
        "lot_key": keys.lot_key(line.lot),
    }


def _line_statuses(record: OrderIn) -> dict[str, str]:
    statuses = {line.line_id: "open" for line in record.lines}
    for shipment in record.shipments:
        status = shipment_status(shipment)
        for line_id in shipment.line_ids:
            if _RANK[status] > _RANK[statuses[line_id]]:
                statuses[line_id] = status
    return statuses


def _write_children(session: Session, records: list[OrderIn], order_ids: dict[str, int]) -> None:
    """Serials and shipment membership, rewritten for every written order."""
    line_pks = {(o, lid): pk for pk, o, lid, _ in repo.lines_of(session, order_ids.values())}
    ship_pks = {(o, k): pk for pk, o, k, _ in repo.shipments_of(session, order_ids.values())}
    serial_rows, member_rows = [], []
    for record in records:
        order_pk = order_ids[record.order_id]
        for line in record.lines:
            line_pk = line_pks[(order_pk, line.line_id)]
            for serial in line.serials:
                prefix, number = keys.split_serial(serial)
                serial_rows.append(
                    {"order_line_id": line_pk, "serial": serial, "prefix": prefix, "number": number}
                )
        for shipment in record.shipments:
            ship_pk = ship_pks[(order_pk, keys.tracking_key(shipment.tracking_number))]
            for line_id in dict.fromkeys(shipment.line_ids):
                member_rows.append(
                    {"shipment_id": ship_pk, "order_line_id": line_pks[(order_pk, line_id)]}
                )
    repo.insert_rows(session, OrderLineSerial, serial_rows)
    repo.insert_rows(session, ShipmentLine, member_rows)
