"""Queries for reports, cases, delivery blocks, holds and ranking adjustments.

Holds and adjustments are set-based: one statement per table, whatever the number of
orders. Tracing shipments in the ledger lives in `tracing.py`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, func, insert, or_, select, update
from sqlalchemy.orm import Session, aliased

from shopsafe.ledger.models import (
    Address,
    Customer,
    Order,
    OrderLine,
    Seller,
    Shipment,
    ShipmentLine,
)
from shopsafe.unsolicited.models import (
    Case,
    CaseOrder,
    CaseShipment,
    DeliveryBlock,
    SellerSuspension,
    UnsolicitedReport,
)

HOLD_REASON = "unsolicited_report"


def _rowcount(result: Any) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


# --- reports and cases ------------------------------------------------------------------


def reports_since(session: Session, client_key: str, since: datetime) -> int:
    return int(
        session.scalar(
            select(func.count()).where(
                UnsolicitedReport.client_key == client_key,
                UnsolicitedReport.submitted_at >= since,
            )
        )
        or 0
    )


def number_taken(session: Session, number: str) -> bool:
    return session.scalar(select(Case.id).where(Case.number == number)) is not None


def case_by_number(session: Session, number: str) -> Case | None:
    return session.scalars(select(Case).where(Case.number == number)).first()


def report_of(session: Session, case_id: int) -> UnsolicitedReport:
    return session.scalars(
        select(UnsolicitedReport)
        .where(UnsolicitedReport.case_id == case_id)
        .order_by(UnsolicitedReport.id)
    ).one()


def first_report(session: Session, case_id: int) -> UnsolicitedReport | None:
    """The case's report, or None for a case without a reporter (origin `detection`)."""
    return session.scalars(
        select(UnsolicitedReport)
        .where(UnsolicitedReport.case_id == case_id)
        .order_by(UnsolicitedReport.id)
        .limit(1)
    ).first()


def insert_case_shipments(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        session.execute(insert(CaseShipment), list(rows))


ShipmentRow = tuple[CaseShipment, Seller | None, Shipment | None, str | None, str | None]
BlockRow = tuple[DeliveryBlock, Address, str | None, str | None]


def case_shipments(session: Session, case_id: int) -> list[ShipmentRow]:
    """The case's reported numbers with their seller, shipment, order and buyer ids."""
    rows = session.execute(
        select(CaseShipment, Seller, Shipment, Order.external_id, Customer.external_id)
        .outerjoin(Seller, Seller.id == CaseShipment.seller_id)
        .outerjoin(Shipment, Shipment.id == CaseShipment.shipment_id)
        .outerjoin(Order, Order.id == CaseShipment.order_id)
        .outerjoin(Customer, Customer.id == CaseShipment.customer_id)
        .where(CaseShipment.case_id == case_id)
        .order_by(CaseShipment.id)
    )
    return [(c, s, sh, o, cu) for c, s, sh, o, cu in rows]


def found_pairs(session: Session, case_id: int) -> list[tuple[int, int, int]]:
    """Distinct (address, seller, customer) of the case's verified shipments."""
    rows = session.execute(
        select(CaseShipment.address_id, CaseShipment.seller_id, CaseShipment.customer_id)
        .distinct()
        .where(
            CaseShipment.case_id == case_id,
            CaseShipment.found.is_(True),
            CaseShipment.address_id.is_not(None),
            CaseShipment.seller_id.is_not(None),
            CaseShipment.customer_id.is_not(None),
        )
    )
    return [(a, s, c) for a, s, c in rows if a is not None and s is not None and c is not None]


def page_of_cases(
    session: Session,
    *,
    status: str | None,
    before: int | None,
    limit: int,
    origin: str | None = None,
) -> list[tuple[Case, str | None, str | None, int, int]]:
    """(case, reporter's postal code, seller name, found, reported), newest first; a
    detection case has no postal code and no reported numbers."""
    found = (
        select(func.count())
        .where(CaseShipment.case_id == Case.id, CaseShipment.found.is_(True))
        .scalar_subquery()
    )
    reported = select(func.count()).where(CaseShipment.case_id == Case.id).scalar_subquery()
    postal = (
        select(UnsolicitedReport.postal_code)
        .where(UnsolicitedReport.case_id == Case.id)
        .order_by(UnsolicitedReport.id)
        .limit(1)
        .scalar_subquery()
    )
    query = (
        select(Case, postal, Seller.name, found, reported)
        .outerjoin(Seller, Seller.id == Case.seller_id)
        .order_by(Case.id.desc())
        .limit(limit)
    )
    if status:
        query = query.where(Case.status == status)
    if origin:
        query = query.where(Case.origin == origin)
    if before is not None:
        query = query.where(Case.id < before)
    return [(c, p, n, int(f), int(r)) for c, p, n, f, r in session.execute(query)]


# --- delivery blocks and holds ----------------------------------------------------------


def active_blocks(session: Session, case_id: int) -> set[tuple[int, int | None, int | None]]:
    rows = session.execute(
        select(DeliveryBlock.address_id, DeliveryBlock.seller_id, DeliveryBlock.customer_id).where(
            DeliveryBlock.case_id == case_id, DeliveryBlock.status == "active"
        )
    )
    return {(a, s, c) for a, s, c in rows}


def insert_blocks(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        session.execute(insert(DeliveryBlock), list(rows))


def blocks_of(session: Session, case_id: int) -> list[BlockRow]:
    rows = session.execute(
        select(DeliveryBlock, Address, Seller.external_id, Customer.external_id)
        .join(Address, Address.id == DeliveryBlock.address_id)
        .outerjoin(Seller, Seller.id == DeliveryBlock.seller_id)
        .outerjoin(Customer, Customer.id == DeliveryBlock.customer_id)
        .where(DeliveryBlock.case_id == case_id)
        .order_by(DeliveryBlock.id)
    )
    return [(b, a, s, c) for b, a, s, c in rows]


def lift_blocks(session: Session, case_id: int, *, now: datetime, by: str) -> list[int]:
    """Lifts the case's active blocks; returns the addresses they were for."""
    addresses = list(
        session.scalars(
            select(DeliveryBlock.address_id)
            .distinct()
            .where(DeliveryBlock.case_id == case_id, DeliveryBlock.status == "active")
        )
    )
    session.execute(
        update(DeliveryBlock)
        .where(DeliveryBlock.case_id == case_id, DeliveryBlock.status == "active")
        .values(status="lifted", lifted_at=now, lifted_by=by)
        .execution_options(synchronize_session=False)
    )
    return addresses


def _scope(
    order_ids: Sequence[int] | None, address_ids: Sequence[int] | None
) -> ColumnElement[bool]:
    if order_ids is not None:
        return Order.id.in_(list(order_ids))
    return Order.ship_to_address_id.in_(list(address_ids or []))


def _blocked_line() -> ColumnElement[bool]:
    """An order line that an active block covers (the seller's line, or any line of an
    order placed by a blocked account), shipped to the blocked address."""
    return exists().where(
        DeliveryBlock.status == "active",
        DeliveryBlock.address_id == Order.ship_to_address_id,
        or_(
            DeliveryBlock.seller_id == OrderLine.seller_id,
            DeliveryBlock.customer_id == Order.customer_id,
        ),
    )


def hold_blocked(
    session: Session,
    *,
    order_ids: Sequence[int] | None = None,
    address_ids: Sequence[int] | None = None,
) -> tuple[int, int]:
    """Holds open lines and unshipped shipments that an active block covers, in these
    orders or at these addresses. Returns (lines held, shipments held)."""
    lines = (
        select(OrderLine.id)
        .join(Order, Order.id == OrderLine.order_id)
        .where(_scope(order_ids, address_ids), OrderLine.status == "open", _blocked_line())
    )
    held_lines = session.execute(
        update(OrderLine)
        .where(OrderLine.id.in_(lines))
        .values(status="held", hold_reason=HOLD_REASON)
        .execution_options(synchronize_session=False)
    )
    blocked = aliased(OrderLine)
    carries_blocked = exists().where(
        ShipmentLine.shipment_id == Shipment.id,
        ShipmentLine.order_line_id == blocked.id,
        blocked.hold_reason == HOLD_REASON,
    )
    no_lines_in_blocked_order = and_(
        ~exists().where(ShipmentLine.shipment_id == Shipment.id),
        exists().where(blocked.order_id == Shipment.order_id, blocked.hold_reason == HOLD_REASON),
    )
    shipments = (
        select(Shipment.id)
        .join(Order, Order.id == Shipment.order_id)
        .where(
            _scope(order_ids, address_ids),
            Shipment.status == "open",
            or_(carries_blocked, no_lines_in_blocked_order),
        )
    )
    held_shipments = session.execute(
        update(Shipment)
        .where(Shipment.id.in_(shipments))
        .values(status="held", hold_reason=HOLD_REASON)
        .execution_options(synchronize_session=False)
    )
    return _rowcount(held_lines), _rowcount(held_shipments)


def release_holds(session: Session, address_ids: Sequence[int]) -> tuple[int, int]:
    """Releases every hold of ours at these addresses (the caller holds again what other
    active blocks still cover)."""
    at = select(Order.id).where(Order.ship_to_address_id.in_(list(address_ids)))
    lines = session.execute(
        update(OrderLine)
        .where(OrderLine.order_id.in_(at), OrderLine.hold_reason == HOLD_REASON)
        .values(status="open", hold_reason=None)
        .execution_options(synchronize_session=False)
    )
    shipments = session.execute(
        update(Shipment)
        .where(Shipment.order_id.in_(at), Shipment.hold_reason == HOLD_REASON)
        .values(status="open", hold_reason=None)
        .execution_options(synchronize_session=False)
    )
    return _rowcount(lines), _rowcount(shipments)


def addresses_with_active_blocks(session: Session, order_ids: Sequence[int]) -> bool:
    """Whether any of these orders goes to an address with an active block (cheap check
    before the hold statements on every import batch)."""
    return (
        session.scalar(
            select(DeliveryBlock.id)
            .join(Order, Order.ship_to_address_id == DeliveryBlock.address_id)
            .where(DeliveryBlock.status == "active", Order.id.in_(list(order_ids)))
            .limit(1)
        )
        is not None
    )


def held_at(session: Session, address_ids: Sequence[int]) -> int:
    return int(
        session.scalar(
            select(func.count())
            .select_from(Shipment)
            .join(Order, Order.id == Shipment.order_id)
            .where(
                Order.ship_to_address_id.in_(list(address_ids)),
                Shipment.hold_reason == HOLD_REASON,
            )
        )
        or 0
    )


# --- seller suspensions -----------------------------------------------------------------


def suspended_for_case(session: Session, case_id: int) -> list[int]:
    return list(
        session.scalars(
            select(SellerSuspension.seller_id).where(
                SellerSuspension.case_id == case_id, SellerSuspension.active.is_(True)
            )
        )
    )


def lift_suspensions(session: Session, case_id: int, *, now: datetime) -> int:
    result = session.execute(
        update(SellerSuspension)
        .where(SellerSuspension.case_id == case_id, SellerSuspension.active.is_(True))
        .values(active=False, lifted_at=now)
        .execution_options(synchronize_session=False)
    )
    return _rowcount(result)


def seller_suspended(session: Session, seller_id: int) -> bool:
    """Whether an operator suspended the seller's offers because of a case (for the
    listing check)."""
    return (
        session.scalar(
            select(SellerSuspension.id)
            .where(SellerSuspension.seller_id == seller_id, SellerSuspension.active.is_(True))
            .limit(1)
        )
        is not None
    )


def held_orders(session: Session, case_id: int) -> list[tuple[str, str, str, str | None]]:
    """(order id, tracking number, status, hold reason) of shipments held by delivery
    blocks at the case's addresses, newest order first."""
    addresses = select(DeliveryBlock.address_id).where(DeliveryBlock.case_id == case_id)
    rows = session.execute(
        select(Order.external_id, Shipment.tracking_number, Shipment.status, Shipment.hold_reason)
        .join(Shipment, Shipment.order_id == Order.id)
        .where(Order.ship_to_address_id.in_(addresses), Shipment.hold_reason == HOLD_REASON)
        .order_by(Order.placed_at.desc(), Order.id.desc())
        .limit(200)
    )
    return [(o, t, s, h) for o, t, s, h in rows]


def related_cases(session: Session, case: Case, *, limit: int = 20) -> list[Case]:
    """Other cases about the same address and seller: several people at one address who
    reported the same parcels, or a detected ring that sent them. Newest first."""
    found = CaseShipment.found.is_(True)
    addresses = (
        select(CaseShipment.address_id)
        .where(CaseShipment.case_id == case.id, found, CaseShipment.address_id.is_not(None))
        .union(select(CaseOrder.address_id).where(CaseOrder.case_id == case.id))
    )
    at_same_address = (
        select(CaseShipment.case_id)
        .where(found, CaseShipment.address_id.in_(addresses))
        .union(select(CaseOrder.case_id).where(CaseOrder.address_id.in_(addresses)))
    )
    query = select(Case).where(Case.id.in_(at_same_address), Case.id != case.id)
    if case.seller_id is not None:
        query = query.where(or_(Case.seller_id == case.seller_id, Case.seller_id.is_(None)))
    return list(
        session.scalars(query.order_by(Case.created_at.desc(), Case.id.desc()).limit(limit))
    )
