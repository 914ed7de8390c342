"""Notice and delivery queries."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from shopsafe.notifications.models import Delivery, RecallNotice


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
