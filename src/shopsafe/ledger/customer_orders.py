"""One customer's order history for "Your Orders": a page of orders with their lines and
shipments, loaded with one query per table (never per order). Every query is filtered by
the customer's id, so another customer's order is simply not found."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shopsafe.ledger.models import Address, Order, OrderLine, Shipment

PER_PAGE = 10


@dataclass
class LineView:
    pk: int
    line_id: str
    product_name: str | None
    brand: str | None
    model: str | None
    quantity: int
    unit_price: Decimal
    currency: str
    status: str
    hold_reason: str | None
    recall_ids: list[int] = field(default_factory=list)

    @property
    def amount(self) -> Decimal:
        return self.unit_price * self.quantity


@dataclass(frozen=True)
class ShipmentView:
    carrier: str
    tracking_number: str
    status: str
    shipped_at: dt.datetime | None
    delivered_at: dt.datetime | None


@dataclass
class OrderView:
    pk: int
    external_id: str
    placed_at: dt.datetime
    gift: bool
    ship_to_name: str | None
    city: str | None
    postal_code: str
    country: str
    lines: list[LineView] = field(default_factory=list)
    shipments: list[ShipmentView] = field(default_factory=list)

    def totals(self) -> list[tuple[Decimal, str]]:
        """The order's total per currency (an order normally has one)."""
        sums: dict[str, Decimal] = {}
        for line in self.lines:
            sums[line.currency] = sums.get(line.currency, Decimal(0)) + line.amount
        return [(amount, currency) for currency, amount in sorted(sums.items())]

    @property
    def recalled(self) -> bool:
        return any(line.recall_ids for line in self.lines)


def order_count(session: Session, customer_id: int) -> int:
    return int(session.scalar(select(func.count()).where(Order.customer_id == customer_id)) or 0)


def page_of_orders(
    session: Session, customer_id: int, *, page: int, per_page: int = PER_PAGE
) -> list[OrderView]:
    """The customer's orders, newest first."""
    query = (
        _orders()
        .where(Order.customer_id == customer_id)
        .order_by(Order.placed_at.desc(), Order.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    return _with_details(session, [_view(row) for row in session.execute(query)])


def order_of(session: Session, customer_id: int, external_id: str) -> OrderView | None:
    query = _orders().where(Order.customer_id == customer_id, Order.external_id == external_id)
    row = session.execute(query).first()
    return None if row is None else _with_details(session, [_view(row)])[0]


def _orders() -> Any:  # a Select of the columns `_view` unpacks
    return select(
        Order.id,
        Order.external_id,
        Order.placed_at,
        Order.gift,
        Order.ship_to_name,
        Address.city,
        Address.postal_code,
        Address.country,
    ).join(Address, Address.id == Order.ship_to_address_id)


def _view(row: Any) -> OrderView:
    pk, external, placed, gift, name, city, postal, country = row
    return OrderView(pk, external, placed, bool(gift), name, city, postal, country)


def _with_details(session: Session, orders: list[OrderView]) -> list[OrderView]:
    by_pk = {order.pk: order for order in orders}
    if not by_pk:
        return orders
    lines = session.scalars(
        select(OrderLine)
        .where(OrderLine.order_id.in_(list(by_pk)))
        .order_by(OrderLine.order_id, OrderLine.id)
    )
    for line in lines:
        by_pk[line.order_id].lines.append(
            LineView(
                pk=line.id,
                line_id=line.line_id,
                product_name=line.product_name,
                brand=line.brand,
                model=line.model,
                quantity=line.quantity,
                unit_price=line.unit_price,
                currency=line.currency,
                status=line.status,
                hold_reason=line.hold_reason,
            )
        )
    shipments = session.scalars(
        select(Shipment).where(Shipment.order_id.in_(list(by_pk))).order_by(Shipment.id)
    )
    for shipment in shipments:
        by_pk[shipment.order_id].shipments.append(
            ShipmentView(
                carrier=shipment.carrier,
                tracking_number=shipment.tracking_number,
                status=shipment.status,
                shipped_at=shipment.shipped_at,
                delivered_at=shipment.delivered_at,
            )
        )
    return orders
