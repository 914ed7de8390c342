"""Notice and delivery queries."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import distinct, func, insert, select, update
from sqlalchemy.orm import Session, aliased

from shopsafe.ledger.models import Address, Customer, Order
from shopsafe.notifications.models import Delivery, DeliveryAttempt, RecallNotice
from shopsafe.recalls.models import RecallMatch


def notices_of(session: Session, recall_id: int) -> dict[str, RecallNotice]:
    """e-mail → notice, for every notice of the recall (active or withdrawn)."""
    rows = session.scalars(select(RecallNotice).where(RecallNotice.recall_id == recall_id))
    return {row.email: row for row in rows}


def insert_notices(session: Session, rows: Sequence[dict[str, Any]]) -> dict[str, int]:
    """Inserts notices; returns e-mail → new notice id."""
    if not rows:
        return {}
    result = session.execute(
        insert(RecallNotice).returning(RecallNotice.email, RecallNotice.id), list(rows)
    )
    return {email: pk for email, pk in result}


def insert_deliveries(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        session.execute(insert(Delivery), list(rows))


def existing_delivery_keys(session: Session, keys: Sequence[str]) -> set[str]:
    if not keys:
        return set()
    return set(session.scalars(select(Delivery.key).where(Delivery.key.in_(list(keys)))))


def set_notice_status(session: Session, notice_ids: Sequence[int], values: dict[str, Any]) -> None:
    if notice_ids:
        session.execute(
            update(RecallNotice).where(RecallNotice.id.in_(list(notice_ids))).values(**values)
        )


def cancel_pending(session: Session, *, recall_id: int, kinds: Sequence[str]) -> int:
    notices = select(RecallNotice.id).where(RecallNotice.recall_id == recall_id)
    result = session.execute(
        update(Delivery)
        .where(
            Delivery.notice_id.in_(notices),
            Delivery.kind.in_(list(kinds)),
            Delivery.status == "pending",
        )
        .values(status="cancelled")
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def cancel_for_notices(session: Session, notice_ids: Sequence[int], kinds: Sequence[str]) -> None:
    if notice_ids:
        session.execute(
            update(Delivery)
            .where(
                Delivery.notice_id.in_(list(notice_ids)),
                Delivery.kind.in_(list(kinds)),
                Delivery.status == "pending",
            )
            .values(status="cancelled")
            .execution_options(synchronize_session=False)
        )


def notified_ids(session: Session, notice_ids: Sequence[int]) -> set[int]:
    """Notices whose notice has gone out (or is going out) at least once."""
    if not notice_ids:
        return set()
    return set(
        session.scalars(
            select(Delivery.notice_id).where(
                Delivery.notice_id.in_(list(notice_ids)),
                Delivery.kind == "notice",
                Delivery.status.in_(["sending", "sent"]),
            )
        )
    )


# Reporting: the counters of a recall and the people e-mail did not reach.


def match_totals(session: Session, recall_id: int) -> tuple[int, int]:
    """(distinct affected customers, affected units) of the recall's active matches."""
    customers, units = session.execute(
        select(func.count(distinct(RecallMatch.customer_id)), func.sum(RecallMatch.units)).where(
            RecallMatch.recall_id == recall_id, RecallMatch.active.is_(True)
        )
    ).one()
    return int(customers or 0), int(units or 0)


def notice_totals(session: Session, recall_id: int) -> tuple[int, int]:
    """(active notices, of which acknowledged)."""
    total, acknowledged = session.execute(
        select(func.count(RecallNotice.id), func.count(RecallNotice.acknowledged_at)).where(
            RecallNotice.recall_id == recall_id, RecallNotice.status == "active"
        )
    ).one()
    return int(total), int(acknowledged)


def delivery_counts(session: Session, recall_id: int) -> dict[str, int]:
    """E-mails of the recall (notices, reminders, corrections) by delivery status."""
    rows = session.execute(
        select(Delivery.status, func.count(Delivery.id))
        .join(RecallNotice, RecallNotice.id == Delivery.notice_id)
        .where(RecallNotice.recall_id == recall_id, Delivery.channel == "email")
        .group_by(Delivery.status)
    )
    return {status: int(count) for status, count in rows}


def _notice_sent() -> Any:
    """EXISTS: the notice's notice e-mail was accepted at least once."""
    sent = aliased(Delivery)
    return (
        select(sent.id)
        .where(sent.notice_id == RecallNotice.id, sent.kind == "notice", sent.status == "sent")
        .exists()
    )


def notified_count(session: Session, recall_id: int) -> int:
    """Active notices whose notice e-mail a mail server accepted at least once."""
    return int(
        session.scalar(
            select(func.count(RecallNotice.id)).where(
                RecallNotice.recall_id == recall_id,
                RecallNotice.status == "active",
                _notice_sent(),
            )
        )
        or 0
    )


def undeliverable_page(
    session: Session, recall_id: int, *, after: int, limit: int
) -> list[tuple[RecallNotice, str, str | None, datetime | None]]:
    """(notice, buyer's customer id, reason, when) of active notices whose notice e-mail
    failed for good and never went out, by notice id."""
    failed_at = (
        select(func.max(DeliveryAttempt.at))
        .where(DeliveryAttempt.delivery_id == Delivery.id)
        .scalar_subquery()
    )
    rows = session.execute(
        select(RecallNotice, Customer.external_id, Delivery.last_error, failed_at)
        .join(Delivery, Delivery.notice_id == RecallNotice.id)
        .join(Customer, Customer.id == RecallNotice.customer_id)
        .where(
            RecallNotice.recall_id == recall_id,
            RecallNotice.status == "active",
            RecallNotice.id > after,
            Delivery.kind == "notice",
            Delivery.status == "failed",
            ~_notice_sent(),
        )
        .order_by(RecallNotice.id, Delivery.id.desc())
        .limit(limit * 2)
    )
    seen: dict[int, tuple[RecallNotice, str, str | None, datetime | None]] = {}
    for notice, customer, reason, when in rows:
        seen.setdefault(notice.id, (notice, customer, reason, when))
    return list(seen.values())[:limit]


def latest_addresses(
    session: Session, customer_ids: Sequence[int]
) -> dict[int, tuple[str | None, Address]]:
    """customer id → (recipient name, address) of the customer's latest order."""
    if not customer_ids:
        return {}
    rows = session.execute(
        select(Order.customer_id, Order.ship_to_name, Address)
        .join(Address, Address.id == Order.ship_to_address_id)
        .where(Order.customer_id.in_(list(customer_ids)))
        .order_by(Order.customer_id, Order.placed_at.desc(), Order.id.desc())
    )
    found: dict[int, tuple[str | None, Address]] = {}
    for customer, name, address in rows:
        found.setdefault(customer, (name, address))
    return found


def latest_gift_addresses(
    session: Session, pairs: Sequence[tuple[int, str]]
) -> dict[tuple[int, str], tuple[str | None, Address]]:
    """(buyer id, recipient e-mail) → (recipient name, address) of the latest gift order."""
    if not pairs:
        return {}
    emails = {email for _, email in pairs}
    rows = session.execute(
        select(Order.customer_id, func.lower(Order.ship_to_email), Order.ship_to_name, Address)
        .join(Address, Address.id == Order.ship_to_address_id)
        .where(
            Order.customer_id.in_({buyer for buyer, _ in pairs}),
            Order.gift.is_(True),
            func.lower(Order.ship_to_email).in_(emails),
        )
        .order_by(Order.placed_at.desc(), Order.id.desc())
    )
    found: dict[tuple[int, str], tuple[str | None, Address]] = {}
    for buyer, email, name, address in rows:
        found.setdefault((buyer, email), (name, address))
    return found
