"""Reporting queries of the remedies: counts by state, refunds paid, and events by day or
month for the dashboard's chart and the monthly progress report. Set-based SQL; the day or
month of a timestamp is computed in the database (UTC on both)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import String, func, select
from sqlalchemy.orm import Session

from shopsafe.audit.models import AuditEvent
from shopsafe.notifications.models import Delivery, RecallNotice
from shopsafe.remedies.models import Refund, RemedyCase

DAY, MONTH = 10, 7  # characters of an ISO date: 2025-03-01, 2025-03


def _bucket(session: Session, column: Any, size: int) -> Any:
    if session.get_bind().dialect.name == "postgresql":
        pattern = "YYYY-MM-DD" if size == DAY else "YYYY-MM"
        return func.to_char(func.timezone("UTC", column), pattern, type_=String)
    return func.substr(column, 1, size, type_=String)


def cases_by_state(session: Session, recall_id: int) -> dict[str, tuple[int, int]]:
    """state → (cases, units)."""
    rows = session.execute(
        select(RemedyCase.state, func.count(RemedyCase.id), func.sum(RemedyCase.units))
        .where(RemedyCase.recall_id == recall_id)
        .group_by(RemedyCase.state)
    )
    return {state: (int(n), int(units or 0)) for state, n, units in rows}


def refunds_paid(session: Session, recall_id: int) -> dict[str, Decimal]:
    rows = session.execute(
        select(Refund.currency, func.sum(Refund.amount))
        .join(RemedyCase, RemedyCase.id == Refund.case_id)
        .where(RemedyCase.recall_id == recall_id)
        .group_by(Refund.currency)
        .order_by(Refund.currency)
    )
    return {currency: Decimal(total or 0).quantize(Decimal("0.01")) for currency, total in rows}


def _counts(session: Session, query: Any) -> dict[str, int]:
    return {str(bucket): int(n or 0) for bucket, n in session.execute(query) if bucket}


def notices_sent(session: Session, recall_id: int, size: int) -> dict[str, int]:
    """People whose notice e-mail went out, by the day (or month) it first did."""
    first = (
        select(Delivery.notice_id, func.min(Delivery.sent_at).label("at"))
        .join(RecallNotice, RecallNotice.id == Delivery.notice_id)
        .where(
            RecallNotice.recall_id == recall_id,
            Delivery.kind == "notice",
            Delivery.status == "sent",
        )
        .group_by(Delivery.notice_id)
        .subquery()
    )
    bucket = _bucket(session, first.c.at, size)
    return _counts(session, select(bucket, func.count()).group_by(bucket))


def acknowledged(session: Session, recall_id: int, size: int) -> dict[str, int]:
    bucket = _bucket(session, RecallNotice.acknowledged_at, size)
    return _counts(
        session,
        select(bucket, func.count(RecallNotice.id))
        .where(RecallNotice.recall_id == recall_id, RecallNotice.acknowledged_at.is_not(None))
        .group_by(bucket),
    )


def cases_opened(session: Session, recall_id: int, size: int) -> dict[str, int]:
    bucket = _bucket(session, RemedyCase.created_at, size)
    return _counts(
        session,
        select(bucket, func.count(RemedyCase.id))
        .where(RemedyCase.recall_id == recall_id)
        .group_by(bucket),
    )


def units_corrected(session: Session, recall_id: int, size: int) -> dict[tuple[str, str], int]:
    """(bucket, remedy) → units corrected then."""
    bucket = _bucket(session, RemedyCase.corrected_at, size)
    rows = session.execute(
        select(bucket, RemedyCase.remedy, func.sum(RemedyCase.units))
        .where(RemedyCase.recall_id == recall_id, RemedyCase.corrected_at.is_not(None))
        .group_by(bucket, RemedyCase.remedy)
    )
    return {(str(b), str(remedy)): int(units or 0) for b, remedy, units in rows}


def refunds_by_bucket(
    session: Session, recall_id: int, size: int
) -> dict[tuple[str, str], Decimal]:
    bucket = _bucket(session, Refund.issued_at, size)
    rows = session.execute(
        select(bucket, Refund.currency, func.sum(Refund.amount))
        .join(RemedyCase, RemedyCase.id == Refund.case_id)
        .where(RemedyCase.recall_id == recall_id)
        .group_by(bucket, Refund.currency)
    )
    return {(str(b), str(c)): Decimal(total or 0).quantize(Decimal("0.01")) for b, c, total in rows}


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
