"""Ledger queries for reports: tracing shipments at a postal code and the facts that
classify them (the repository half that reads the ledger; set-based, one query per kind
of fact, never a query per shipment)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, and_, distinct, exists, func, or_, select, tuple_
from sqlalchemy.orm import Session, aliased

from shopsafe.ledger.models import (
    Address,
    Customer,
    Order,
    OrderLine,
    Review,
    Seller,
    Shipment,
    ShipmentLine,
)
from shopsafe.unsolicited.models import Case, CaseShipment


@dataclass(frozen=True)
class Traced:
    """A reported shipment delivered at the reporter's postal code."""

    tracking_key: str
    shipment_id: int
    order_id: int
    customer_id: int
    address_id: int
    seller_id: int


def _seller_of_shipment() -> Any:
    """The seller of the shipment's first line, else of its order's first line."""
    by_line = (
        select(OrderLine.seller_id)
        .join(ShipmentLine, ShipmentLine.order_line_id == OrderLine.id)
        .where(ShipmentLine.shipment_id == Shipment.id)
        .order_by(OrderLine.id)
        .limit(1)
        .scalar_subquery()
    )
    by_order = (
        select(OrderLine.seller_id)
        .where(OrderLine.order_id == Order.id)
        .order_by(OrderLine.id)
        .limit(1)
        .scalar_subquery()
    )
    return func.coalesce(by_line, by_order)


def trace(
    session: Session, tracking_keys: Sequence[str], *, country: str, postal_key: str
) -> list[Traced]:
    """Shipments with these tracking numbers whose delivery address has this postal code.
    A number delivered elsewhere is not returned, exactly like an unknown one."""
    if not tracking_keys:
        return []
    rows = session.execute(
        select(
            Shipment.tracking_key,
            Shipment.id,
            Order.id,
            Order.customer_id,
            Address.id,
            _seller_of_shipment(),
        )
        .join(Order, Order.id == Shipment.order_id)
        .join(Address, Address.id == Order.ship_to_address_id)
        .where(
            Shipment.tracking_key.in_(list(tracking_keys)),
            Address.country == country,
            Address.postal_key == postal_key,
        )
        .order_by(Shipment.id)
    )
    return [Traced(k, s, o, c, a, seller) for k, s, o, c, a, seller in rows]


@dataclass(frozen=True)
class OrderFacts:
    gift: bool
    placed_at: datetime
    account_created_at: datetime | None


def order_facts(session: Session, order_ids: Sequence[int]) -> dict[int, OrderFacts]:
    rows = session.execute(
        select(Order.id, Order.gift, Order.placed_at, Customer.created_at)
        .join(Customer, Customer.id == Order.customer_id)
        .where(Order.id.in_(list(order_ids)))
    )
    return {pk: OrderFacts(bool(gift), placed, created) for pk, gift, placed, created in rows}


def cheapest_prices(session: Session, order_ids: Sequence[int]) -> dict[tuple[int, int], Decimal]:
    """(order, seller) → the lowest unit price of the seller's lines in the order."""
    rows = session.execute(
        select(OrderLine.order_id, OrderLine.seller_id, func.min(OrderLine.unit_price))
        .where(OrderLine.order_id.in_(list(order_ids)))
        .group_by(OrderLine.order_id, OrderLine.seller_id)
    )
    return {(o, s): Decimal(price) for o, s, price in rows}


def account_history(
    session: Session, pairs: Sequence[tuple[int, int]]
) -> dict[tuple[int, int], list[tuple[datetime, int]]]:
    """(customer, address) → (placed_at, seller) of every line the customer ever had
    shipped to that address."""
    if not pairs:
        return {}
    rows = session.execute(
        select(Order.customer_id, Order.ship_to_address_id, Order.placed_at, OrderLine.seller_id)
        .distinct()
        .join(OrderLine, OrderLine.order_id == Order.id)
        .where(tuple_(Order.customer_id, Order.ship_to_address_id).in_(list(pairs)))
    )
    history: dict[tuple[int, int], list[tuple[datetime, int]]] = defaultdict(list)
    for customer, address, placed, seller in rows:
        history[(customer, address)].append((placed, seller))
    return history


@dataclass(frozen=True)
class SellerAtAddress:
    accounts: int = 0
    identical_units: int = 0
    reviews: int = 0


def _pair_filter(pairs: Sequence[tuple[int, int]]) -> ColumnElement[bool]:
    return tuple_(OrderLine.seller_id, Order.ship_to_address_id).in_(list(pairs))


def seller_at_address(
    session: Session, pairs: Sequence[tuple[int, int]]
) -> dict[tuple[int, int], SellerAtAddress]:
    """(seller, address) → accounts that had the seller ship there, units of the seller's
    most shipped product there, and reviews on those orders."""
    if not pairs:
        return {}
    key = (OrderLine.seller_id, Order.ship_to_address_id)

    def grouped(*columns: Any) -> Any:
        return (
            select(*key, *columns)
            .select_from(OrderLine)
            .join(Order, Order.id == OrderLine.order_id)
            .where(_pair_filter(pairs))
        )

    accounts = session.execute(
        grouped(func.count(distinct(Order.customer_id))).group_by(*key)
    ).all()
    per_product = (
        grouped(func.sum(OrderLine.quantity).label("units"))
        .group_by(*key, OrderLine.product_id)
        .subquery()
    )
    pc = per_product.c
    units = session.execute(
        select(pc.seller_id, pc.ship_to_address_id, func.max(pc.units)).group_by(
            pc.seller_id, pc.ship_to_address_id
        )
    ).all()
    reviews = session.execute(
        grouped(func.count(distinct(Review.id)))
        .join(Review, Review.order_id == Order.id)
        .group_by(*key)
    ).all()
    counted: dict[tuple[int, int], dict[str, int]] = defaultdict(dict)
    for name, rows in (("accounts", accounts), ("identical_units", units), ("reviews", reviews)):
        for seller, address, value in rows:
            counted[(seller, address)][name] = int(value or 0)
    return {pair: SellerAtAddress(**values) for pair, values in counted.items()}


def other_cases(session: Session, seller_ids: Sequence[int]) -> dict[int, int]:
    """seller → how many verified cases that were not dismissed name the seller."""
    rows = session.execute(
        select(CaseShipment.seller_id, func.count(distinct(CaseShipment.case_id)))
        .join(Case, Case.id == CaseShipment.case_id)
        .where(
            CaseShipment.seller_id.in_(list(seller_ids)),
            CaseShipment.found.is_(True),
            Case.status != "dismissed",
        )
        .group_by(CaseShipment.seller_id)
    )
    return {seller: int(count) for seller, count in rows if seller is not None}


def sellers(session: Session, seller_ids: Sequence[int]) -> dict[int, Seller]:
    rows = session.scalars(select(Seller).where(Seller.id.in_(list(seller_ids))))
    return {row.id: row for row in rows}


def addresses(session: Session, address_ids: Sequence[int]) -> dict[int, Address]:
    rows = session.scalars(select(Address).where(Address.id.in_(list(address_ids))))
    return {row.id: row for row in rows}


def entered(
    session: Session, address_ids: Sequence[int]
) -> tuple[datetime | None, datetime | None, int]:
    """When orders to these addresses were placed (first, last) and by how many accounts."""
    if not address_ids:
        return None, None, 0
    first, last, accounts = session.execute(
        select(
            func.min(Order.placed_at),
            func.max(Order.placed_at),
            func.count(distinct(Order.customer_id)),
        ).where(Order.ship_to_address_id.in_(list(address_ids)))
    ).one()
    return first, last, int(accounts or 0)


def related_orders(
    session: Session, *, address_id: int, seller_id: int, customer_ids: Sequence[int]
) -> list[tuple[int, int]]:
    """(order, customer) of the seller's orders to the address that belong to the case: those
    of the reported accounts, and those of accounts that never did anything but have this
    seller ship to this address (the typical fake account)."""
    other = aliased(Order)
    other_line = aliased(OrderLine)
    has_seller_line = exists().where(
        OrderLine.order_id == Order.id, OrderLine.seller_id == seller_id
    )
    used_otherwise = exists().where(
        other.customer_id == Order.customer_id,
        or_(
            other.ship_to_address_id != address_id,
            ~exists().where(other_line.order_id == other.id, other_line.seller_id == seller_id),
        ),
    )
    rows = session.execute(
        select(Order.id, Order.customer_id)
        .where(
            Order.ship_to_address_id == address_id,
            has_seller_line,
            or_(Order.customer_id.in_(list(customer_ids)), and_(~used_otherwise)),
        )
        .order_by(Order.id)
    )
    return [(order, customer) for order, customer in rows]
