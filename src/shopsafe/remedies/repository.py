"""Remedy queries: cases and their lines, refunds and the ledger, returns, carrier events,
photos, webhooks and approvals. Reporting queries live in `reporting_queries.py`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from shopsafe.ledger.models import Address, Customer, Order, OrderLine, Seller
from shopsafe.recalls.models import RecallMatch
from shopsafe.remedies.models import (
    CarrierEvent,
    DisposalPhoto,
    LedgerEntry,
    RecallApproval,
    Refund,
    RemedyCase,
    RemedyCaseLine,
    ReturnShipment,
    WebhookDelivery,
)


@dataclass(frozen=True)
class AffectedLine:
    order_line_id: int
    seller_id: int
    units: int
    unit_price: Decimal
    currency: str
    product_name: str | None
    placed_at: datetime
    address_id: int
    ship_to_name: str | None


def affected_lines(session: Session, recall_id: int, customer_id: int) -> list[AffectedLine]:
    """The customer's order lines the recall affects now (active matches), newest first."""
    rows = session.execute(
        select(
            OrderLine.id, OrderLine.seller_id, RecallMatch.units, OrderLine.unit_price,
            OrderLine.currency, OrderLine.product_name, Order.placed_at,
            Order.ship_to_address_id, Order.ship_to_name,
        )
        .join(OrderLine, OrderLine.id == RecallMatch.order_line_id)
        .join(Order, Order.id == OrderLine.order_id)
        .where(
            RecallMatch.recall_id == recall_id,
            RecallMatch.customer_id == customer_id,
            RecallMatch.active.is_(True),
            RecallMatch.units > 0,
        )
        .order_by(Order.placed_at.desc(), OrderLine.id)
    ).all()  # fmt: skip
    return [AffectedLine(*row) for row in rows]


def case_of(
    session: Session, recall_id: int, customer_id: int, *, lock: bool = False
) -> RemedyCase | None:
    query = select(RemedyCase).where(
        RemedyCase.recall_id == recall_id, RemedyCase.customer_id == customer_id
    )
    return session.scalars(query.with_for_update() if lock else query).first()


def case_by_id(session: Session, case_id: int, *, lock: bool = False) -> RemedyCase | None:
    query = select(RemedyCase).where(RemedyCase.id == case_id)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    return session.scalars(query).first()


def add_case_lines(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        session.execute(insert(RemedyCaseLine), list(rows))


def case_lines(session: Session, case_id: int) -> list[tuple[RemedyCaseLine, str]]:
    """The case's lines with each seller's external id."""
    rows = session.execute(
        select(RemedyCaseLine, Seller.external_id)
        .join(Seller, Seller.id == RemedyCaseLine.seller_id)
        .where(RemedyCaseLine.case_id == case_id)
        .order_by(RemedyCaseLine.id)
    ).all()
    return [(line, external) for line, external in rows]


def case_seller_ids(session: Session, case_id: int) -> set[int]:
    return set(
        session.scalars(
            select(RemedyCaseLine.seller_id).where(RemedyCaseLine.case_id == case_id).distinct()
        )
    )


def customer_pk(session: Session, external_id: str) -> int | None:
    return session.scalar(select(Customer.id).where(Customer.external_id == external_id))


def customer(session: Session, pk: int) -> Customer | None:
    return session.get(Customer, pk)


def address(session: Session, pk: int | None) -> Address | None:
    return session.get(Address, pk) if pk is not None else None


def seller(session: Session, pk: int | None) -> Seller | None:
    return session.get(Seller, pk) if pk is not None else None


def sellers(session: Session, pks: Sequence[int]) -> list[Seller]:
    if not pks:
        return []
    return list(session.scalars(select(Seller).where(Seller.id.in_(list(pks)))))


def order_external(session: Session, pk: int | None) -> str | None:
    if pk is None:
        return None
    return session.scalar(select(Order.external_id).where(Order.id == pk))


# Money


def refunds_of(session: Session, case_id: int) -> list[Refund]:
    return list(
        session.scalars(select(Refund).where(Refund.case_id == case_id).order_by(Refund.id))
    )


def refund_by_key(session: Session, key: str) -> Refund | None:
    return session.scalars(select(Refund).where(Refund.key == key)).first()


def add_entries(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        session.execute(insert(LedgerEntry), list(rows))


# Returns and carrier events


def return_of(session: Session, case_id: int) -> ReturnShipment | None:
    return session.scalars(select(ReturnShipment).where(ReturnShipment.case_id == case_id)).first()


def return_by_tracking(session: Session, tracking_number: str) -> ReturnShipment | None:
    return session.scalars(
        select(ReturnShipment).where(ReturnShipment.tracking_number == tracking_number)
    ).first()


def carrier_event_seen(session: Session, carrier: str, event_id: str) -> bool:
    found = session.scalar(
        select(CarrierEvent.id).where(
            CarrierEvent.carrier == carrier, CarrierEvent.event_id == event_id
        )
    )
    return found is not None


# Photos


def latest_photo(session: Session, case_id: int) -> DisposalPhoto | None:
    return session.scalars(
        select(DisposalPhoto)
        .where(DisposalPhoto.case_id == case_id)
        .order_by(DisposalPhoto.id.desc())
        .limit(1)
    ).first()


def photo(session: Session, case_id: int, photo_id: int) -> DisposalPhoto | None:
    return session.scalars(
        select(DisposalPhoto).where(DisposalPhoto.case_id == case_id, DisposalPhoto.id == photo_id)
    ).first()


# Webhooks


def existing_webhook_keys(session: Session, keys: Sequence[str]) -> set[str]:
    if not keys:
        return set()
    return set(session.scalars(select(WebhookDelivery.key).where(WebhookDelivery.key.in_(keys))))


def add_webhooks(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        session.execute(insert(WebhookDelivery), list(rows))


def webhooks_of_seller(session: Session, seller_id: int, limit: int = 50) -> list[WebhookDelivery]:
    return list(
        session.scalars(
            select(WebhookDelivery)
            .where(WebhookDelivery.seller_id == seller_id)
            .order_by(WebhookDelivery.id.desc())
            .limit(limit)
        )
    )


def claim_webhooks(session: Session, *, now: datetime, limit: int, worker: str) -> list[int]:
    ids = list(
        session.scalars(
            select(WebhookDelivery.id)
            .where(WebhookDelivery.status == "pending", WebhookDelivery.due_at <= now)
            .order_by(WebhookDelivery.due_at, WebhookDelivery.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    )
    if ids:
        session.execute(
            update(WebhookDelivery)
            .where(WebhookDelivery.id.in_(ids))
            .values(status="sending", claimed_at=now, claimed_by=worker)
            .execution_options(synchronize_session=False)
        )
    return ids


def webhooks_by_ids(session: Session, ids: Sequence[int]) -> list[WebhookDelivery]:
    return list(
        session.scalars(
            select(WebhookDelivery)
            .where(WebhookDelivery.id.in_(list(ids)))
            .order_by(WebhookDelivery.id)
        )
    )


def reclaim_webhooks(session: Session, *, claimed_before: datetime, now: datetime) -> int:
    result = session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.status == "sending", WebhookDelivery.claimed_at < claimed_before)
        .values(status="pending", due_at=now, claimed_at=None, claimed_by=None)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def finish_webhook(session: Session, delivery_id: int, worker: str, values: dict[str, Any]) -> None:
    session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.id == delivery_id, WebhookDelivery.claimed_by == worker)
        .values(**values, claimed_at=None, claimed_by=None)
        .execution_options(synchronize_session=False)
    )


# Approvals


def approval_of(session: Session, recall_id: int, *, lock: bool = False) -> RecallApproval | None:
    query = select(RecallApproval).where(RecallApproval.recall_id == recall_id)
    return session.scalars(query.with_for_update() if lock else query).first()


def approvals(session: Session, recall_ids: Sequence[int]) -> dict[int, RecallApproval]:
    if not recall_ids:
        return {}
    rows = session.scalars(select(RecallApproval).where(RecallApproval.recall_id.in_(recall_ids)))
    return {row.recall_id: row for row in rows}


def pending_approvals(session: Session) -> list[RecallApproval]:
    return list(
        session.scalars(
            select(RecallApproval)
            .where(RecallApproval.status == "pending")
            .order_by(RecallApproval.requested_at)
        )
    )


def count_cases(session: Session, recall_id: int) -> int:
    return int(
        session.scalar(select(func.count(RemedyCase.id)).where(RemedyCase.recall_id == recall_id))
        or 0
    )


def matched_seller_ids(session: Session, recall_id: int) -> list[int]:
    """Sellers of the order lines a recall affects."""
    return list(
        session.scalars(
            select(OrderLine.seller_id)
            .join(RecallMatch, RecallMatch.order_line_id == OrderLine.id)
            .where(RecallMatch.recall_id == recall_id, RecallMatch.active.is_(True))
            .distinct()
        )
    )


def set_webhook_url(session: Session, seller_id: int, url: str | None) -> None:
    session.execute(update(Seller).where(Seller.id == seller_id).values(webhook_url=url))


def order_by_external(session: Session, external_id: str) -> Order | None:
    return session.scalars(select(Order).where(Order.external_id == external_id)).first()


def order_lines(session: Session, ids: Sequence[int]) -> dict[int, OrderLine]:
    if not ids:
        return {}
    return {
        line.id: line
        for line in session.scalars(select(OrderLine).where(OrderLine.id.in_(list(ids))))
    }


def cases_of_recall(
    session: Session,
    recall_id: int,
    *,
    seller_id: int | None,
    state: str | None,
    after: int,
    limit: int,
) -> list[RemedyCase]:
    """A recall's cases by id; with `seller_id`, only those with that seller's lines."""
    query = select(RemedyCase).where(RemedyCase.recall_id == recall_id, RemedyCase.id > after)
    if seller_id is not None:
        query = query.where(
            RemedyCase.id.in_(
                select(RemedyCaseLine.case_id).where(RemedyCaseLine.seller_id == seller_id)
            )
        )
    if state:
        query = query.where(RemedyCase.state == state)
    return list(session.scalars(query.order_by(RemedyCase.id).limit(limit)))
