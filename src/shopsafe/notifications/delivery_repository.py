"""Queries of the worker: claiming due deliveries, loading what their e-mails say, and
recording what happened. Every function runs in the caller's transaction.

Claiming uses `FOR UPDATE SKIP LOCKED` on PostgreSQL, so that several workers take
different rows; SQLite ignores the clause (one worker at a time, see `worker.py`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, bindparam, exists, func, insert, literal, or_, select, update
from sqlalchemy.orm import Session, aliased

from shopsafe.db.types import UTCDateTime
from shopsafe.ledger.models import Customer, Order, OrderLine
from shopsafe.notifications.models import Delivery, DeliveryAttempt, RecallNotice, Suppression
from shopsafe.notifications.repository import insert_skipping_taken
from shopsafe.recalls.models import Recall, RecallMatch


@dataclass(frozen=True)
class Work:
    """A claimed delivery with its notice: what the worker needs to decide and to write."""

    delivery_id: int
    key: str
    kind: str
    attempts: int
    notice_id: int
    email: str
    role: str
    customer_id: int
    name: str | None
    language: str
    notice_status: str
    reacted: bool  # acknowledged the notice or chose a remedy
    recall_id: int


@dataclass(frozen=True)
class RecallInfo:
    kind: str
    status: str
    content: dict[str, Any]


@dataclass(frozen=True)
class PurchaseRow:
    recall_id: int
    customer_id: int
    order_number: str
    placed_at: datetime
    product: str
    units: int
    gift: bool
    ship_to_email: str | None


def reclaim_stale(session: Session, *, claimed_before: datetime | None, now: datetime) -> list[int]:
    """Deliveries left in `sending` by a worker that stopped (claimed before the cutoff, or
    all of them when there is no cutoff) go back to `pending`, due now; each gets an
    `abandoned` attempt on record."""
    query = select(Delivery.id, Delivery.claimed_by).where(Delivery.status == "sending")
    if claimed_before is not None:
        query = query.where(
            or_(Delivery.claimed_at < claimed_before, Delivery.claimed_at.is_(None))
        )
    rows = session.execute(query.with_for_update(skip_locked=True)).all()
    if not rows:
        return []
    ids = [pk for pk, _ in rows]
    session.execute(
        update(Delivery)
        .where(Delivery.id.in_(ids))
        .values(status="pending", due_at=now, claimed_at=None, claimed_by=None)
        .execution_options(synchronize_session=False)
    )
    detail = "claimed by {} and never finished (the worker stopped); queued again"
    add_attempts(
        session,
        [
            {"delivery_id": pk, "at": now, "outcome": "abandoned", "smtp_code": None,
             "detail": detail.format(who or "an unknown worker"), "worker": who}
            for pk, who in rows
        ],
    )  # fmt: skip
    return ids


def claim(session: Session, *, now: datetime, limit: int, worker: str) -> list[int]:
    """Takes up to `limit` due deliveries (oldest due first) for `worker`."""
    ids = list(
        session.scalars(
            select(Delivery.id)
            .where(Delivery.status == "pending", Delivery.due_at <= now)
            .order_by(Delivery.due_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    )
    if ids:
        session.execute(
            update(Delivery)
            .where(Delivery.id.in_(ids))
            .values(status="sending", claimed_at=now, claimed_by=worker)
            .execution_options(synchronize_session=False)
        )
    return ids


def release(session: Session, ids: Sequence[int], *, worker: str, due_at: datetime) -> None:
    """Gives claimed deliveries back untried (the mail server could not be reached)."""
    if ids:
        session.execute(
            update(Delivery)
            .where(Delivery.id.in_(list(ids)), Delivery.claimed_by == worker)
            .values(status="pending", due_at=due_at, claimed_at=None, claimed_by=None)
            .execution_options(synchronize_session=False)
        )


def work_of(session: Session, ids: Sequence[int]) -> list[Work]:
    rows = session.execute(
        select(
            Delivery.id,
            Delivery.key,
            Delivery.kind,
            Delivery.attempts,
            RecallNotice.id,
            RecallNotice.email,
            RecallNotice.role,
            RecallNotice.customer_id,
            RecallNotice.name,
            RecallNotice.language,
            RecallNotice.status,
            or_(RecallNotice.acknowledged_at.is_not(None), RecallNotice.remedy_choice.is_not(None)),
            RecallNotice.recall_id,
        )
        .join(RecallNotice, RecallNotice.id == Delivery.notice_id)
        .where(Delivery.id.in_(list(ids)))
        .order_by(Delivery.id)
    )
    return [Work(*cast(tuple[Any, ...], row)) for row in rows]


def recalls_of(session: Session, ids: Sequence[int]) -> dict[int, RecallInfo]:
    rows = session.execute(
        select(Recall.id, Recall.kind, Recall.status, Recall.content).where(
            Recall.id.in_(list(ids))
        )
    )
    return {pk: RecallInfo(kind, status, dict(content)) for pk, kind, status, content in rows}


def purchases_of(
    session: Session, recall_ids: Sequence[int], customer_ids: Sequence[int]
) -> list[PurchaseRow]:
    """The active matches of these recalls bought by these customers, oldest order first."""
    if not recall_ids or not customer_ids:
        return []
    rows = session.execute(
        select(
            RecallMatch.recall_id,
            RecallMatch.customer_id,
            Order.external_id,
            Order.placed_at,
            func.coalesce(OrderLine.product_name, OrderLine.model, OrderLine.sku, ""),
            RecallMatch.units,
            Order.gift,
            Order.ship_to_email,
        )
        .join(OrderLine, OrderLine.id == RecallMatch.order_line_id)
        .join(Order, Order.id == OrderLine.order_id)
        .where(
            RecallMatch.recall_id.in_(list(recall_ids)),
            RecallMatch.customer_id.in_(list(customer_ids)),
            RecallMatch.active.is_(True),
        )
        .order_by(Order.placed_at, Order.external_id, OrderLine.line_id)
    )
    return [PurchaseRow(*cast(tuple[Any, ...], row)) for row in rows]


def customer_names(session: Session, ids: Sequence[int]) -> dict[int, str | None]:
    if not ids:
        return {}
    rows = session.execute(select(Customer.id, Customer.name).where(Customer.id.in_(list(ids))))
    return {pk: name for pk, name in rows}


def suppressed(session: Session, emails: Sequence[str]) -> set[str]:
    if not emails:
        return set()
    return set(session.scalars(select(Suppression.email).where(Suppression.email.in_(emails))))


def first_notice_sent(session: Session, notice_ids: Sequence[int]) -> dict[int, datetime]:
    """When each notice's first notice e-mail was accepted (for corrections)."""
    if not notice_ids:
        return {}
    rows = session.execute(
        select(Delivery.notice_id, func.min(Delivery.sent_at))
        .where(
            Delivery.notice_id.in_(list(notice_ids)),
            Delivery.kind == "notice",
            Delivery.status == "sent",
        )
        .group_by(Delivery.notice_id)
    )
    return {notice: sent for notice, sent in rows if sent is not None}


def finish(session: Session, rows: Sequence[dict[str, Any]], *, worker: str) -> None:
    """Writes each delivery's new state (keys `id`, `status`, `attempts`, `due_at`,
    `sent_at`, `last_error`, `message_id`, `claimed_at`, `claimed_by`), only where `worker`
    still holds the claim. A `None` due time or Message-ID keeps the one stored."""
    if not rows:
        return
    table: Table = Delivery.__table__  # type: ignore[assignment]
    statement = (
        update(table)
        .where(table.c.id == bindparam("w_id"), table.c.claimed_by == worker)
        .values(
            status=bindparam("w_status"),
            attempts=bindparam("w_attempts"),
            due_at=func.coalesce(bindparam("w_due_at"), table.c.due_at),
            sent_at=bindparam("w_sent_at"),
            last_error=bindparam("w_last_error"),
            message_id=func.coalesce(bindparam("w_message_id"), table.c.message_id),
            claimed_at=bindparam("w_claimed_at"),
            claimed_by=bindparam("w_claimed_by"),
        )
    )
    session.execute(statement, [{f"w_{k}": v for k, v in row.items()} for row in rows])


def add_attempts(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        session.execute(insert(DeliveryAttempt), list(rows))


def add_suppressions(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        session.execute(insert_skipping_taken(session, Suppression, "email"), list(rows))


def schedule_reminders(
    session: Session, *, number: int, days: int, gap: timedelta, now: datetime
) -> int:
    """Queues reminder `number` (1, 2, …), due now, for every active notice of a published
    recall whose person has neither acknowledged it nor chosen a remedy, when the previous
    message (the notice for the first reminder, else the previous reminder) was accepted at
    least `gap` ago. Keyed on the latest notice e-mail, so each goes out once. Returns how
    many were queued.

    Driven by notice e-mails sent at least `days` ago (a necessary condition, cheap to test
    first); the previous reminder is found by its unique key, and a reminder already queued
    is skipped by the unique index."""
    notice, newer, previous = (aliased(Delivery) for _ in range(3))
    key = notice.key + f":reminder:{number}"
    at = bindparam("queued_at", now, type_=UTCDateTime())
    conditions = [
        notice.kind == "notice",
        notice.status == "sent",
        notice.sent_at <= now - timedelta(days=days),
        RecallNotice.status == "active",
        RecallNotice.acknowledged_at.is_(None),
        RecallNotice.remedy_choice.is_(None),
        Recall.status == "published",
        ~exists().where(
            newer.notice_id == notice.notice_id,
            newer.kind == "notice",
            newer.status == "sent",
            newer.sent_at > notice.sent_at,
        ),
    ]
    if number > 1:
        conditions.append(
            exists().where(
                previous.key == notice.key + f":reminder:{number - 1}",
                previous.status == "sent",
                previous.sent_at <= now - gap,
            )
        )
    rows = (
        select(
            notice.notice_id,
            literal("email"),
            literal("reminder"),
            key,
            literal("pending"),
            at,
            literal(0),
            at,
        )
        .select_from(notice)
        .join(RecallNotice, RecallNotice.id == notice.notice_id)
        .join(Recall, Recall.id == RecallNotice.recall_id)
        .where(*conditions)
    )
    columns = ["notice_id", "channel", "kind", "key", "status", "due_at", "attempts", "created_at"]
    statement = insert_skipping_taken(session, Delivery, "key").from_select(columns, rows)
    return len(session.execute(statement.returning(Delivery.id)).all())
