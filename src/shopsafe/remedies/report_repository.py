"""Reporting queries of the remedies: counts by state, refunds paid, and events by day or
month for the dashboard's chart and the monthly progress report. Set-based SQL; the day or
month of a timestamp is computed in the database (UTC on both).

With `seller_id`, a query counts only that seller's part of a recall (for a seller reading
a marketplace recall that affects its sales): the cases holding lines it sold and the units
of those lines, its share of the refunds as charged in the ledger, the notices about its
buyers' purchases."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import String, and_, case, distinct, exists, func, or_, select
from sqlalchemy.orm import Session

from shopsafe.audit.models import AuditEvent
from shopsafe.ledger.models import Order, OrderLine, Seller
from shopsafe.notifications.models import Delivery, RecallNotice
from shopsafe.recalls.models import RecallMatch
from shopsafe.remedies.models import LedgerEntry, Refund, RemedyCase, RemedyCaseLine

DAY, MONTH = 10, 7  # characters of an ISO date: 2025-03-01, 2025-03


def _bucket(session: Session, column: Any, size: int) -> Any:
    if session.get_bind().dialect.name == "postgresql":
        pattern = "YYYY-MM-DD" if size == DAY else "YYYY-MM"
        return func.to_char(func.timezone("UTC", column), pattern, type_=String)
    return func.substr(column, 1, size, type_=String)


def _cases_of(seller_id: int) -> Any:
    """The cases that hold a line the seller sold."""
    return RemedyCase.id.in_(
        select(RemedyCaseLine.case_id).where(RemedyCaseLine.seller_id == seller_id)
    )


def cases_by_state(
    session: Session, recall_id: int, seller_id: int | None = None
) -> dict[str, tuple[int, int]]:
    """state → (cases, units); with `seller_id`, its cases and the units it sold in them."""
    if seller_id is None:
        query = select(RemedyCase.state, func.count(RemedyCase.id), func.sum(RemedyCase.units))
    else:
        query = (
            select(RemedyCase.state, func.count(distinct(RemedyCase.id)),
                   func.sum(RemedyCaseLine.units))
            .join(RemedyCaseLine, RemedyCaseLine.case_id == RemedyCase.id)
            .where(RemedyCaseLine.seller_id == seller_id)
        )  # fmt: skip
    rows = session.execute(
        query.where(RemedyCase.recall_id == recall_id).group_by(RemedyCase.state)
    )
    return {state: (int(n), int(units or 0)) for state, n, units in rows}


def _refunds(session: Session, recall_id: int, seller_id: int | None, *columns: Any) -> Any:
    """SELECT columns, paid FROM the recall's refunds: what they paid, or (with `seller_id`)
    what the seller was charged for them in the ledger (`money.postings`: seller:<external id>)."""
    if seller_id is None:
        query = select(*columns, func.sum(Refund.amount)).select_from(Refund)
    else:
        external = session.scalar(select(Seller.external_id).where(Seller.id == seller_id))
        query = (
            select(*columns, func.sum(-LedgerEntry.amount))
            .select_from(Refund)
            .join(LedgerEntry, LedgerEntry.refund_id == Refund.id)
            .where(LedgerEntry.txn == "charge", LedgerEntry.account == f"seller:{external}")
        )
    return query.join(RemedyCase, RemedyCase.id == Refund.case_id).where(
        RemedyCase.recall_id == recall_id
    )


def refunds_paid(
    session: Session, recall_id: int, seller_id: int | None = None
) -> dict[str, Decimal]:
    """currency → refunds paid (with `seller_id`: the seller's share of them)."""
    query = _refunds(session, recall_id, seller_id, Refund.currency)
    rows = session.execute(query.group_by(Refund.currency).order_by(Refund.currency))
    return {currency: Decimal(total or 0).quantize(Decimal("0.01")) for currency, total in rows}


def _counts(session: Session, query: Any) -> dict[str, int]:
    return {str(bucket): int(n or 0) for bucket, n in session.execute(query) if bucket}


def notice_of_seller(seller_id: int) -> Any:
    """EXISTS: the notice tells somebody about a line the seller sold (an active match):
    its buyer (or the buyer's admin), or the recipient of the gift order it was in."""
    gift = and_(
        RecallNotice.role == "gift_recipient",
        Order.gift.is_(True),
        func.lower(Order.ship_to_email) == RecallNotice.email,
    )
    return exists().where(
        RecallMatch.recall_id == RecallNotice.recall_id, RecallMatch.active.is_(True),
        OrderLine.id == RecallMatch.order_line_id, OrderLine.seller_id == seller_id,
        Order.id == OrderLine.order_id,
        or_(and_(RecallNotice.role != "gift_recipient",
                 RecallMatch.customer_id == RecallNotice.customer_id), gift),
    )  # fmt: skip


def _notices(recall_id: int, seller_id: int | None) -> list[Any]:
    found = [RecallNotice.recall_id == recall_id]
    return found if seller_id is None else [*found, notice_of_seller(seller_id)]


def notices_sent(
    session: Session, recall_id: int, size: int, seller_id: int | None = None
) -> dict[str, int]:
    """People whose notice e-mail went out, by the day (or month) it first did."""
    first = (
        select(Delivery.notice_id, func.min(Delivery.sent_at).label("at"))
        .join(RecallNotice, RecallNotice.id == Delivery.notice_id)
        .where(*_notices(recall_id, seller_id), Delivery.kind == "notice",
               Delivery.status == "sent")
        .group_by(Delivery.notice_id)
        .subquery()
    )  # fmt: skip
    bucket = _bucket(session, first.c.at, size)
    return _counts(session, select(bucket, func.count()).group_by(bucket))


def acknowledged(
    session: Session, recall_id: int, size: int, seller_id: int | None = None
) -> dict[str, int]:
    bucket = _bucket(session, RecallNotice.acknowledged_at, size)
    return _counts(
        session,
        select(bucket, func.count(RecallNotice.id))
        .where(*_notices(recall_id, seller_id), RecallNotice.acknowledged_at.is_not(None))
        .group_by(bucket),
    )


def cases_opened(
    session: Session, recall_id: int, size: int, seller_id: int | None = None
) -> dict[str, int]:
    bucket = _bucket(session, RemedyCase.created_at, size)
    query = select(bucket, func.count(RemedyCase.id)).where(RemedyCase.recall_id == recall_id)
    if seller_id is not None:
        query = query.where(_cases_of(seller_id))
    return _counts(session, query.group_by(bucket))


def units_corrected(
    session: Session, recall_id: int, size: int, seller_id: int | None = None
) -> dict[tuple[str, str], int]:
    """(bucket, remedy) → units corrected then (with `seller_id`: of the units it sold)."""
    bucket = _bucket(session, RemedyCase.corrected_at, size)
    if seller_id is None:
        query = select(bucket, RemedyCase.remedy, func.sum(RemedyCase.units))
    else:
        query = (
            select(bucket, RemedyCase.remedy, func.sum(RemedyCaseLine.units))
            .join(RemedyCaseLine, RemedyCaseLine.case_id == RemedyCase.id)
            .where(RemedyCaseLine.seller_id == seller_id)
        )
    rows = session.execute(
        query.where(RemedyCase.recall_id == recall_id, RemedyCase.corrected_at.is_not(None))
        .group_by(bucket, RemedyCase.remedy)
    )  # fmt: skip
    return {(str(b), str(remedy)): int(units or 0) for b, remedy, units in rows}


def refunds_by_bucket(
    session: Session, recall_id: int, size: int, seller_id: int | None = None
) -> dict[tuple[str, str], Decimal]:
    bucket = _bucket(session, Refund.issued_at, size)
    query = _refunds(session, recall_id, seller_id, bucket, Refund.currency)
    rows = session.execute(query.group_by(bucket, Refund.currency))
    return {(str(b), str(c)): Decimal(total or 0).quantize(Decimal("0.01")) for b, c, total in rows}


# A seller's part of a recall's reach (`notifications.repository` has the whole recall's).


def seller_match_totals(session: Session, recall_id: int, seller_id: int) -> tuple[int, int]:
    """(distinct affected customers, affected units) of the active matches the seller sold."""
    customers, units = session.execute(
        select(func.count(distinct(RecallMatch.customer_id)), func.sum(RecallMatch.units))
        .join(OrderLine, OrderLine.id == RecallMatch.order_line_id)
        .where(RecallMatch.recall_id == recall_id, RecallMatch.active.is_(True),
               OrderLine.seller_id == seller_id)
    ).one()  # fmt: skip
    return int(customers or 0), int(units or 0)


def seller_notice_totals(session: Session, recall_id: int, seller_id: int) -> tuple[int, int, int]:
    """(active notices, of which acknowledged, of which notified: the notice e-mail accepted
    at least once) about the seller's sales."""
    sent = (
        select(Delivery.id)
        .where(Delivery.notice_id == RecallNotice.id, Delivery.kind == "notice",
               Delivery.status == "sent")
        .exists()
    )  # fmt: skip
    total, acknowledged, notified = session.execute(
        select(func.count(RecallNotice.id), func.count(RecallNotice.acknowledged_at),
               func.count(case((sent, 1))))
        .where(*_notices(recall_id, seller_id), RecallNotice.status == "active")
    ).one()  # fmt: skip
    return int(total), int(acknowledged), int(notified)


def seller_delivery_counts(session: Session, recall_id: int, seller_id: int) -> dict[str, int]:
    """E-mails about the seller's sales (notices, reminders, corrections) by status."""
    rows = session.execute(
        select(Delivery.status, func.count(Delivery.id))
        .join(RecallNotice, RecallNotice.id == Delivery.notice_id)
        .where(*_notices(recall_id, seller_id), Delivery.channel == "email")
        .group_by(Delivery.status)
    )
    return {status: int(count) for status, count in rows}


def audit_page(
    session: Session,
    *,
    action: str | None,
    actor: str | None,
    subject_type: str | None,
    subject_id: str | None,
    since: Any,
    until: Any,
    before_id: int | None,
    limit: int,
) -> list[AuditEvent]:
    """Audit events, newest first, filtered; `before_id` pages back."""
    query = select(AuditEvent)
    if action:
        query = query.where(AuditEvent.action.startswith(action, autoescape=True))
    if actor:
        query = query.where(AuditEvent.actor == actor)
    if subject_type:
        query = query.where(AuditEvent.subject_type == subject_type)
    if subject_id:
        query = query.where(AuditEvent.subject_id == subject_id)
    if since is not None:
        query = query.where(AuditEvent.at >= since)
    if until is not None:
        query = query.where(AuditEvent.at < until)
    if before_id is not None:
        query = query.where(AuditEvent.id < before_id)
    return list(session.scalars(query.order_by(AuditEvent.id.desc()).limit(limit)))


def audit_actions(session: Session) -> list[str]:
    return list(session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action)))
