"""Ranking-adjustment queries: orders and reviews of a confirmed brushing case taken out of
sales-rank and rating signals, and put back when the case is dismissed (set-based)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, exists, func, insert, or_, select, update
from sqlalchemy.orm import Session, aliased

from shopsafe.ledger.models import Order, Review
from shopsafe.unsolicited.models import Case, RankingAdjustment


def _rowcount(result: Any) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


def exclude(
    session: Session, *, case_id: int, order_ids: Sequence[int], reason: str, now: datetime
) -> tuple[int, int]:
    """Adds active adjustments for these orders and their reviews (those the case does not
    exclude already) and takes the reviews' "verified purchase" mark away.
    Returns (orders excluded, reviews excluded)."""
    if not order_ids:
        return 0, 0
    mine = set(
        session.execute(
            select(
                RankingAdjustment.subject, RankingAdjustment.order_id, RankingAdjustment.review_id
            ).where(RankingAdjustment.case_id == case_id, RankingAdjustment.active.is_(True))
        ).all()
    )
    stamp = {
        "case_id": case_id,
        "reason": reason,
        "active": True,
        "created_at": now,
        "changed_at": now,
    }
    orders = [
        {**stamp, "subject": "order", "order_id": pk, "review_id": None}
        for pk in sorted(set(order_ids))
        if ("order", pk, None) not in mine
    ]
    reviews = [
        {**stamp, "subject": "review", "order_id": o, "review_id": r, "review_was_verified": v}
        for r, o, v in session.execute(
            select(Review.id, Review.order_id, Review.verified)
            .where(Review.order_id.in_(list(order_ids)))
            .order_by(Review.id)
        )
        if ("review", o, r) not in mine
    ]
    if orders or reviews:
        session.execute(insert(RankingAdjustment), orders + reviews)
    if reviews:
        session.execute(
            update(Review)
            .where(Review.id.in_([row["review_id"] for row in reviews]))
            .values(verified=False)
            .execution_options(synchronize_session=False)
        )
    return len(orders), len(reviews)


def reverse(session: Session, *, case_id: int, now: datetime) -> int:
    """Ends the case's active adjustments and gives reviews back their "verified purchase"
    mark, unless another case still excludes them. Returns how many were ended."""
    other = aliased(RankingAdjustment)
    still_excluded = exists().where(
        other.review_id == Review.id, other.active.is_(True), other.case_id != case_id
    )
    was_verified = select(RankingAdjustment.review_id).where(
        RankingAdjustment.case_id == case_id,
        RankingAdjustment.active.is_(True),
        RankingAdjustment.subject == "review",
        RankingAdjustment.review_was_verified.is_(True),
    )
    session.execute(
        update(Review)
        .where(Review.id.in_(was_verified), ~still_excluded)
        .values(verified=True)
        .execution_options(synchronize_session=False)
    )
    ended = session.execute(
        update(RankingAdjustment)
        .where(RankingAdjustment.case_id == case_id, RankingAdjustment.active.is_(True))
        .values(active=False, reversed_at=now, changed_at=now)
        .execution_options(synchronize_session=False)
    )
    return _rowcount(ended)


def count_active(session: Session, case_id: int) -> int:
    return int(
        session.scalar(
            select(func.count()).where(
                RankingAdjustment.case_id == case_id, RankingAdjustment.active.is_(True)
            )
        )
        or 0
    )


def changed_since(
    session: Session, *, since: datetime | None, after: tuple[datetime, int] | None, limit: int
) -> list[tuple[RankingAdjustment, str, str | None, str]]:
    """(adjustment, order id, review id, case number) changed since `since`, oldest change
    first, after the cursor (changed_at, id)."""
    query = (
        select(RankingAdjustment, Order.external_id, Review.external_id, Case.number)
        .join(Order, Order.id == RankingAdjustment.order_id)
        .outerjoin(Review, Review.id == RankingAdjustment.review_id)
        .join(Case, Case.id == RankingAdjustment.case_id)
        .order_by(RankingAdjustment.changed_at, RankingAdjustment.id)
        .limit(limit)
    )
    if since is not None:
        query = query.where(RankingAdjustment.changed_at >= since)
    if after is not None:
        stamp, pk = after
        query = query.where(
            or_(
                RankingAdjustment.changed_at > stamp,
                and_(RankingAdjustment.changed_at == stamp, RankingAdjustment.id > pk),
            )
        )
    return [(a, o, r, c) for a, o, r, c in session.execute(query)]


def excluded_orders(session: Session, order_ids: Sequence[int]) -> set[int]:
    """Which of these orders an active adjustment takes out of sales-rank signals."""
    return set(
        session.scalars(
            select(RankingAdjustment.order_id).where(
                RankingAdjustment.order_id.in_(list(order_ids)),
                RankingAdjustment.subject == "order",
                RankingAdjustment.active.is_(True),
            )
        )
    )


def hidden_reviews(session: Session, review_ids: Sequence[int]) -> set[int]:
    """Which of these reviews an active adjustment hides."""
    rows = session.scalars(
        select(RankingAdjustment.review_id).where(
            RankingAdjustment.review_id.in_(list(review_ids)),
            RankingAdjustment.active.is_(True),
        )
    )
    return {int(pk) for pk in rows if pk is not None}
