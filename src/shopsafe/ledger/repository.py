"""All ledger queries. Writes are set-based: one statement per table and batch."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import delete, func, insert, select, tuple_, update
from sqlalchemy.orm import Session

from shopsafe.ledger.models import (
    Address,
    Customer,
    Order,
    OrderLine,
    OrderLineSerial,
    Product,
    Review,
    Seller,
    Shipment,
    ShipmentLine,
)


def ids_by_external(session: Session, model: Any, external_ids: Iterable[str]) -> dict[str, int]:
    keys = list(set(external_ids))
    if not keys:
        return {}
    rows = session.execute(select(model.external_id, model.id).where(model.external_id.in_(keys)))
    return {external: pk for external, pk in rows}


def insert_returning_ids(
    session: Session, model: Any, rows: Sequence[dict[str, Any]], key: str
) -> dict[Any, int]:
    """Inserts rows and maps each row's `key` column to its new primary key."""
    if not rows:
        return {}
    column = getattr(model, key)
    result = session.execute(insert(model).returning(column, model.id), list(rows))
    return {value: pk for value, pk in result}


def update_rows(session: Session, model: Any, rows: Sequence[dict[str, Any]]) -> None:
    """Bulk UPDATE by primary key (each dict carries `id`)."""
    if rows:
        session.execute(update(model), list(rows))


def existing_customers(session: Session, external_ids: Iterable[str]) -> dict[str, Customer]:
    keys = list(set(external_ids))
    if not keys:
        return {}
    rows = session.scalars(select(Customer).where(Customer.external_id.in_(keys)))
    return {row.external_id: row for row in rows}


def existing_sellers(session: Session, external_ids: Iterable[str]) -> dict[str, Seller]:
    keys = list(set(external_ids))
    if not keys:
        return {}
    rows = session.scalars(select(Seller).where(Seller.external_id.in_(keys)))
    return {row.external_id: row for row in rows}


def address_ids(session: Session, keys: Iterable[str]) -> dict[str, int]:
    wanted = list(set(keys))
    if not wanted:
        return {}
    rows = session.execute(select(Address.key, Address.id).where(Address.key.in_(wanted)))
    return {key: pk for key, pk in rows}


def product_ids(session: Session, pairs: Iterable[tuple[int, str]]) -> dict[tuple[int, str], int]:
    wanted = list(set(pairs))
    if not wanted:
        return {}
    rows = session.execute(
        select(Product.seller_id, Product.offer_key, Product.id).where(
            tuple_(Product.seller_id, Product.offer_key).in_(wanted)
        )
    )
    return {(seller, key): pk for seller, key, pk in rows}


def order_hashes(session: Session, external_ids: Iterable[str]) -> dict[str, tuple[int, str]]:
    keys = list(set(external_ids))
    if not keys:
        return {}
    rows = session.execute(
        select(Order.external_id, Order.id, Order.content_hash).where(Order.external_id.in_(keys))
    )
    return {external: (pk, digest) for external, pk, digest in rows}


def lines_of(session: Session, order_ids: Iterable[int]) -> list[tuple[int, int, str, str | None]]:
    """(id, order id, line_id, hold_reason) of the orders' current lines."""
    keys = list(set(order_ids))
    if not keys:
        return []
    rows = session.execute(
        select(OrderLine.id, OrderLine.order_id, OrderLine.line_id, OrderLine.hold_reason).where(
            OrderLine.order_id.in_(keys)
        )
    )
    return [(a, b, c, d) for a, b, c, d in rows]


def shipments_of(
    session: Session, order_ids: Iterable[int]
) -> list[tuple[int, int, str, str | None]]:
    """(id, order id, tracking_key, hold_reason) of the orders' current shipments."""
    keys = list(set(order_ids))
    if not keys:
        return []
    rows = session.execute(
        select(Shipment.id, Shipment.order_id, Shipment.tracking_key, Shipment.hold_reason).where(
            Shipment.order_id.in_(keys)
        )
    )
    return [(a, b, c, d) for a, b, c, d in rows]


def delete_by_ids(session: Session, model: Any, ids: Sequence[int]) -> None:
    if ids:
        session.execute(delete(model).where(model.id.in_(list(ids))))


def delete_serials_of_lines(session: Session, line_ids: Sequence[int]) -> None:
    if line_ids:
        session.execute(
            delete(OrderLineSerial).where(OrderLineSerial.order_line_id.in_(list(line_ids)))
        )


def delete_shipment_lines(session: Session, shipment_ids: Sequence[int]) -> None:
    if shipment_ids:
        session.execute(
            delete(ShipmentLine).where(ShipmentLine.shipment_id.in_(list(shipment_ids)))
        )


def insert_rows(session: Session, model: Any, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        session.execute(insert(model), list(rows))


def line_ids_by_order(
    session: Session, pairs: Iterable[tuple[int, str]]
) -> dict[tuple[int, str], int]:
    wanted = list(set(pairs))
    if not wanted:
        return {}
    rows = session.execute(
        select(OrderLine.order_id, OrderLine.line_id, OrderLine.id).where(
            tuple_(OrderLine.order_id, OrderLine.line_id).in_(wanted)
        )
    )
    return {(order, line): pk for order, line, pk in rows}


def customer_ids(session: Session, external_ids: Iterable[str]) -> dict[str, int]:
    return ids_by_external(session, Customer, external_ids)


def review_ids(session: Session, external_ids: Iterable[str]) -> dict[str, int]:
    return ids_by_external(session, Review, external_ids)


def order_owner(session: Session, external_ids: Iterable[str]) -> dict[str, tuple[int, int]]:
    """order_id → (order pk, buyer customer pk)."""
    keys = list(set(external_ids))
    if not keys:
        return {}
    rows = session.execute(
        select(Order.external_id, Order.id, Order.customer_id).where(Order.external_id.in_(keys))
    )
    return {external: (pk, customer) for external, pk, customer in rows}


def get_order(session: Session, external_id: str) -> Order | None:
    return session.scalars(select(Order).where(Order.external_id == external_id)).first()


def order_details(
    session: Session, order: Order
) -> tuple[
    Customer,
    Address,
    list[tuple[OrderLine, str]],
    dict[int, list[str]],
    list[tuple[Shipment, list[str]]],
]:
    """Everything `GET /api/v1/orders/{id}` shows, in a fixed number of queries."""
    customer = session.get_one(Customer, order.customer_id)
    address = session.get_one(Address, order.ship_to_address_id)
    lines = [
        (line, seller)
        for line, seller in session.execute(
            select(OrderLine, Seller.external_id)
            .join(Seller, Seller.id == OrderLine.seller_id)
            .where(OrderLine.order_id == order.id)
            .order_by(OrderLine.id)
        )
    ]
    serials: dict[int, list[str]] = {}
    serial_rows = session.execute(
        select(OrderLineSerial.order_line_id, OrderLineSerial.serial)
        .join(OrderLine, OrderLine.id == OrderLineSerial.order_line_id)
        .where(OrderLine.order_id == order.id)
        .order_by(OrderLineSerial.id)
    )
    for line_pk, serial in serial_rows:
        serials.setdefault(line_pk, []).append(serial)
    shipments = list(
        session.scalars(select(Shipment).where(Shipment.order_id == order.id).order_by(Shipment.id))
    )
    members = session.execute(
        select(ShipmentLine.shipment_id, OrderLine.line_id)
        .join(OrderLine, OrderLine.id == ShipmentLine.order_line_id)
        .where(OrderLine.order_id == order.id)
    )
    by_shipment: dict[int, list[str]] = {}
    for shipment_pk, line_id in members:
        by_shipment.setdefault(shipment_pk, []).append(line_id)
    return (
        customer,
        address,
        lines,
        serials,
        [(s, sorted(by_shipment.get(s.id, []))) for s in shipments],
    )


def count_rows(session: Session, model: Any) -> int:
    return int(session.scalar(select(func.count()).select_from(model)) or 0)
