"""Notice and delivery queries."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    String,
    bindparam,
    cast,
    distinct,
    func,
    insert,
    literal,
    select,
    text,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session, aliased

from shopsafe.db.types import UTCDateTime
from shopsafe.ledger.models import Address, Customer, Order
from shopsafe.notifications.models import Delivery, DeliveryAttempt, RecallNotice
from shopsafe.recalls.models import RecallMatch

# Bound parameters per statement stay well below the drivers' limits (65,535 for
# PostgreSQL, 32,766 for SQLite): a recall can reach hundreds of thousands of people.
CHUNK = 5_000


def chunks(values: Sequence[Any], size: int = CHUNK) -> list[list[Any]]:
    items = list(values)
    return [items[start : start + size] for start in range(0, len(items), size)]


def notices_of(
    session: Session, recall_id: int, emails: Sequence[str] | None = None
) -> dict[str, RecallNotice]:
    """e-mail → notice, for every notice of the recall (active or withdrawn), or for those
    of these e-mail addresses."""
    query = select(RecallNotice).where(RecallNotice.recall_id == recall_id)
    if emails is None:
        return {row.email: row for row in session.scalars(query)}
    found: dict[str, RecallNotice] = {}
    for part in chunks(emails):
        found.update(
            (row.email, row) for row in session.scalars(query.where(RecallNotice.email.in_(part)))
        )
    return found


def insert_notices(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Inserts the notices as a plain table insert (the ORM's bulk insert starts a new
    statement whenever the columns that are None change from one row to the next: hundreds
    of statements for 10,000 notices). PostgreSQL: one INSERT … SELECT over `unnest` of a
    bound array per column (one parameter per column, however many rows); SQLite: one
    `executemany`."""
    if not rows:
        return
    table = RecallNotice.metadata.tables[RecallNotice.__tablename__]
    if session.get_bind().dialect.name != "postgresql":
        session.execute(insert(table), list(rows))
        return
    names = list(rows[0])
    arrays = [
        func.unnest(bindparam(name, [row[name] for row in rows], type_=ARRAY(table.c[name].type)))
        for name in names
    ]
    session.execute(insert(table).from_select(names, select(*arrays)))


def insert_skipping_taken(session: Session, model: Any, key: str) -> Any:
    """`INSERT … ON CONFLICT (key) DO NOTHING` for this database: rows whose unique `key`
    is taken are left out, checked against the unique index (no anti-join that the planner
    may run as a scan of the very table being filled)."""
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(model).on_conflict_do_nothing(index_elements=[key])
    return sqlite.insert(model).on_conflict_do_nothing(index_elements=[key])


def queue_first_notices(session: Session, *, recall_id: int, created_at: datetime) -> None:
    """One notice delivery (`recall:{recall}:notice:{notice}`), due now, for each notice of
    the recall created at `created_at`: one INSERT … SELECT, however many people."""
    key = literal(f"recall:{recall_id}:notice:") + cast(RecallNotice.id, String)
    at = bindparam("queued_at", created_at, type_=UTCDateTime())
    rows = select(
        RecallNotice.id, literal("email"), literal("notice"), key, literal("pending"), at,
        literal(0), at,
    ).where(
        RecallNotice.recall_id == recall_id,
        RecallNotice.created_at == at,
        RecallNotice.status == "active",
    )  # fmt: skip
    columns = ["notice_id", "channel", "kind", "key", "status", "due_at", "attempts", "created_at"]
    session.execute(insert_skipping_taken(session, Delivery, "key").from_select(columns, rows))


def refresh_statistics(session: Session) -> None:
    """ANALYZE the tables a fan-out just filled (PostgreSQL), inside the caller's
    transaction: until autovacuum gets to them, the planner would take the recall's
    100,000 matches for a handful and scan them all for every batch the worker sends."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("ANALYZE recall_matches, recall_notices, deliveries"))


def insert_deliveries(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        session.execute(insert(Delivery), list(rows))


def existing_delivery_keys(session: Session, keys: Sequence[str]) -> set[str]:
    found: set[str] = set()
    for part in chunks(keys):
        found.update(session.scalars(select(Delivery.key).where(Delivery.key.in_(part))))
    return found


def set_notice_status(session: Session, notice_ids: Sequence[int], values: dict[str, Any]) -> None:
    for part in chunks(notice_ids):
        session.execute(update(RecallNotice).where(RecallNotice.id.in_(part)).values(**values))


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
    for part in chunks(notice_ids):
        session.execute(
            update(Delivery)
            .where(
                Delivery.notice_id.in_(part),
                Delivery.kind.in_(list(kinds)),
                Delivery.status == "pending",
            )
            .values(status="cancelled")
            .execution_options(synchronize_session=False)
        )


def notified_ids(session: Session, notice_ids: Sequence[int]) -> set[int]:
    """Notices whose notice has gone out (or is going out) at least once."""
    found: set[int] = set()
    for part in chunks(notice_ids):
        found.update(
            session.scalars(
                select(Delivery.notice_id).where(
                    Delivery.notice_id.in_(part),
                    Delivery.kind == "notice",
                    Delivery.status.in_(["sending", "sent"]),
                )
            )
        )
    return found


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
