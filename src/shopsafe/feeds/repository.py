"""Feed queries: records by source id, offers that share a key with records, matches and the
review queue. Lookups are batched (one query per batch of records, not per record)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select, update
from sqlalchemy.orm import Session

from shopsafe.audit.models import AuditEvent
from shopsafe.feeds.matching import Offer
from shopsafe.feeds.models import (
    CatalogMatch,
    FeedPull,
    FeedRecord,
    FeedRecordVersion,
    FeedSubscription,
)
from shopsafe.ledger import keys
from shopsafe.ledger.models import Product, Seller
from shopsafe.recalls.models import Recall

CHUNK = 500  # bound parameters per IN list, well below both databases' limits


def _chunks(values: Sequence[Any], size: int = CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def records_by_source_ids(
    session: Session, source: str, source_ids: Sequence[str]
) -> dict[str, FeedRecord]:
    found: dict[str, FeedRecord] = {}
    for chunk in _chunks(list(dict.fromkeys(source_ids))):
        rows = session.scalars(
            select(FeedRecord).where(FeedRecord.source == source, FeedRecord.source_id.in_(chunk))
        )
        found.update({r.source_id: r for r in rows})
    return found


def add_version(session: Session, version: FeedRecordVersion) -> None:
    session.add(version)


def latest_raw(session: Session, record_id: int) -> dict[str, Any] | None:
    return session.scalar(
        select(FeedRecordVersion.raw)
        .where(FeedRecordVersion.feed_record_id == record_id)
        .order_by(FeedRecordVersion.version.desc())
        .limit(1)
    )


def versions_of(session: Session, record_id: int) -> list[FeedRecordVersion]:
    return list(
        session.scalars(
            select(FeedRecordVersion)
            .where(FeedRecordVersion.feed_record_id == record_id)
            .order_by(FeedRecordVersion.version)
        )
    )


def offers_sharing(
    session: Session, *, gtins: set[str], model_keys: set[str], brand_keys: set[str]
) -> list[Offer]:
    """Offers whose GTIN, model key or brand key is among the given ones."""
    found: dict[int, Offer] = {}
    columns = (
        Product.id,
        Product.gtin,
        Product.brand_key,
        Product.model_key,
        Product.name,
        Product.brand,
        Product.model,
    )
    for column, values in (
        (Product.gtin, gtins),
        (Product.model_key, model_keys),
        (Product.brand_key, brand_keys),
    ):
        for chunk in _chunks(sorted(values)):
            for row in session.execute(select(*columns).where(column.in_(chunk))):
                found[row.id] = Offer(*row)
    return list(found.values())


def matches_of(session: Session, record_ids: Sequence[int]) -> dict[tuple[int, int], CatalogMatch]:
    found: dict[tuple[int, int], CatalogMatch] = {}
    for chunk in _chunks(list(record_ids)):
        for match in session.scalars(
            select(CatalogMatch).where(CatalogMatch.feed_record_id.in_(chunk))
        ):
            found[(match.feed_record_id, match.product_id)] = match
    return found


def products(session: Session, product_ids: Sequence[int]) -> dict[int, Product]:
    found: dict[int, Product] = {}
    for chunk in _chunks(list(product_ids)):
        found.update(
            {p.id: p for p in session.scalars(select(Product).where(Product.id.in_(chunk)))}
        )
    return found


def approved_products(session: Session, record_id: int) -> list[Product]:
    """The offers of this record that are approved and went into its own recall."""
    record_recall = select(FeedRecord.recall_id).where(FeedRecord.id == record_id)
    return list(
        session.scalars(
            select(Product)
            .join(CatalogMatch, CatalogMatch.product_id == Product.id)
            .where(
                CatalogMatch.feed_record_id == record_id,
                CatalogMatch.decision == "approved",
                CatalogMatch.recall_id == record_recall.scalar_subquery(),
            )
            .order_by(Product.id)
        )
    )


def recall_of_authority(session: Session, authority_ref: str, record_id: int) -> Recall | None:
    """A recall prepared from another source's record of the same authority recall."""
    return session.scalar(
        select(Recall)
        .join(FeedRecord, FeedRecord.recall_id == Recall.id)
        .where(
            FeedRecord.authority_ref == authority_ref,
            FeedRecord.id != record_id,
            Recall.status != "closed",
        )
        .order_by(Recall.id)
        .limit(1)
    )


def record_ids_page(session: Session, *, after: int, limit: int) -> list[int]:
    return list(
        session.scalars(
            select(FeedRecord.id).where(FeedRecord.id > after).order_by(FeedRecord.id).limit(limit)
        )
    )


def records(session: Session, record_ids: Sequence[int]) -> list[FeedRecord]:
    found: list[FeedRecord] = []
    for chunk in _chunks(list(record_ids)):
        found += session.scalars(
            select(FeedRecord).where(FeedRecord.id.in_(chunk)).order_by(FeedRecord.id)
        )
    return found


MatchRow = tuple[CatalogMatch, FeedRecord, Product, str]


def _match_rows() -> Select[CatalogMatch, FeedRecord, Product, str]:
    return (
        select(CatalogMatch, FeedRecord, Product, Seller.external_id)
        .join(FeedRecord, FeedRecord.id == CatalogMatch.feed_record_id)
        .join(Product, Product.id == CatalogMatch.product_id)
        .join(Seller, Seller.id == Product.seller_id)
    )


def review_queue(session: Session, *, after: int, limit: int) -> list[MatchRow]:
    """Pending matches, oldest first (by id, so that a cursor pages through them)."""
    rows = session.execute(
        _match_rows()
        .where(CatalogMatch.decision == "pending", CatalogMatch.id > after)
        .order_by(CatalogMatch.id)
        .limit(limit)
    )
    return [(m, r, p, s) for m, r, p, s in rows]


def match_row(session: Session, match_id: int) -> MatchRow | None:
    row = session.execute(_match_rows().where(CatalogMatch.id == match_id)).first()
    return None if row is None else (row[0], row[1], row[2], row[3])


def pending_count(session: Session) -> int:
    return int(
        session.scalar(
            select(func.count()).select_from(CatalogMatch).where(CatalogMatch.decision == "pending")
        )
        or 0
    )


def records_page(
    session: Session, *, source: str | None, after: int, limit: int
) -> list[FeedRecord]:
    query = select(FeedRecord).where(FeedRecord.id > after).order_by(FeedRecord.id).limit(limit)
    if source:
        query = query.where(FeedRecord.source == source)
    return list(session.scalars(query))


def matches_of_record(session: Session, record_id: int) -> list[CatalogMatch]:
    return list(
        session.scalars(
            select(CatalogMatch)
            .where(CatalogMatch.feed_record_id == record_id)
            .order_by(CatalogMatch.confidence.desc(), CatalogMatch.id)
        )
    )


def catalogue_brand_keys(session: Session) -> set[str]:
    """Every brand key of the catalogue: a record names hundreds of word runs, and only
    those that are some offer's brand need to be looked up."""
    rows = session.scalars(
        select(Product.brand_key).where(Product.brand_key.is_not(None)).distinct()
    )
    return {key for key in rows if key}


def subscribe(session: Session, pulls: Sequence[tuple[str, str]], *, now: datetime) -> None:
    """Adds the configured pulls not yet known, due at once. Subscriptions no longer
    configured stay, with their history, but are never pulled (`due` asks for the list)."""
    known = {(s.source, s.url) for s in session.scalars(select(FeedSubscription))}
    for source, url in pulls:
        if (source, url) not in known:
            session.add(FeedSubscription(source=source, url=url, next_pull_at=now, created_at=now))
    session.flush()


def due_subscriptions(
    session: Session, pulls: Sequence[tuple[str, str]], *, now: datetime
) -> list[FeedSubscription]:
    wanted = set(pulls)
    rows = session.scalars(
        select(FeedSubscription)
        .where(FeedSubscription.next_pull_at <= now)
        .order_by(FeedSubscription.next_pull_at, FeedSubscription.id)
    )
    return [row for row in rows if (row.source, row.url) in wanted]


def claim_subscription(
    session: Session, subscription_id: int, *, now: datetime, until: datetime
) -> bool:
    """Takes a due pull by moving `next_pull_at` past `now` in one conditional UPDATE: of two
    workers that saw it due, only the first changes a row (the second's WHERE no longer
    holds once the first has committed)."""
    result = session.execute(
        update(FeedSubscription)
        .where(FeedSubscription.id == subscription_id, FeedSubscription.next_pull_at <= now)
        .values(next_pull_at=until)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


def subscriptions_with_last_pull(
    session: Session,
) -> list[tuple[FeedSubscription, FeedPull | None]]:
    """Every subscription with its latest pull (the operator's feeds page)."""
    latest = (
        select(FeedPull.subscription_id, func.max(FeedPull.id).label("pull_id"))
        .group_by(FeedPull.subscription_id)
        .subquery()
    )
    rows = session.execute(
        select(FeedSubscription, FeedPull)
        .outerjoin(latest, latest.c.subscription_id == FeedSubscription.id)
        .outerjoin(FeedPull, FeedPull.id == latest.c.pull_id)
        .order_by(FeedSubscription.source, FeedSubscription.url)
    )
    return [(subscription, pull) for subscription, pull in rows]


def rejected_offer_gtins(session: Session, feed_record_id: int) -> set[str]:
    """The GTIN-14s of the offers an operator rejected for this record."""
    rows = session.scalars(
        select(Product.gtin)
        .join(CatalogMatch, CatalogMatch.product_id == Product.id)
        .where(
            CatalogMatch.feed_record_id == feed_record_id,
            CatalogMatch.decision == "rejected",
            Product.gtin.is_not(None),
        )
    )
    return {keys.gtin14(gtin) for gtin in rows if gtin}


def edited_by_someone_else(session: Session, recall_id: int, actor: str) -> bool:
    """Whether anyone but `actor` has edited the recall (its audit events say)."""
    found = session.scalar(
        select(AuditEvent.id)
        .where(
            AuditEvent.subject_type == "recall",
            AuditEvent.subject_id == str(recall_id),
            AuditEvent.action == "recall.edited",
            AuditEvent.actor != actor,
        )
        .limit(1)
    )
    return found is not None
