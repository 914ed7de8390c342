"""Authority feed records, their versions, and their matches with the catalogue's offers."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from shopsafe.db.base import Base
from shopsafe.db.types import UTCDateTime


class FeedRecord(Base):
    """An authority's record (a CPSC recall, an FDA recalled product, a Safety Gate alert)
    by `source` and `source_id`, at its latest version.

    `data` holds what extraction read from it (brand, names, codes, window, hazard …); the
    record as the authority published it is kept with each version. `authority_ref` names
    the recall across sources (the CPSC API and the CPSC website export carry the same
    recalls). `recall_id` is the recall prepared from it; `recall_problems` what the notice
    rules said when its draft could not be saved.
    """

    __tablename__ = "feed_records"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(20))
    source_id: Mapped[str] = mapped_column(String(100))
    authority_ref: Mapped[str] = mapped_column(String(120), index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime())
    content_hash: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(500))
    brand: Mapped[str | None] = mapped_column(String(200))
    product_name: Mapped[str | None] = mapped_column(String(500))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    recall_id: Mapped[int | None] = mapped_column(
        ForeignKey("recalls.id", ondelete="SET NULL"), index=True
    )
    recall_problems: Mapped[list[str]] = mapped_column(JSON, default=list)
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (UniqueConstraint("source", "source_id"),)


class FeedRecordVersion(Base):
    """Every version of an authority record as it was published."""

    __tablename__ = "feed_record_versions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    feed_record_id: Mapped[int] = mapped_column(ForeignKey("feed_records.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime())
    content_hash: Mapped[str] = mapped_column(String(64))
    raw: Mapped[dict[str, Any]] = mapped_column(JSON)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (UniqueConstraint("feed_record_id", "version"),)


class CatalogMatch(Base):
    """A feed record × an offer (`products`), with the matcher's confidence and evidence.

    `band` is `auto` (confidence at or above the automatic threshold) or `review`;
    `decision` is `approved`, `rejected` or `pending`. A decision is kept: matching the
    same pair again updates the evidence but never asks again. `review_reason` says why a
    pair waits for a person even though it is in the automatic band (the draft recall did
    not pass the notice rules).
    """

    __tablename__ = "catalog_matches"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    feed_record_id: Mapped[int] = mapped_column(ForeignKey("feed_records.id", ondelete="CASCADE"))
    product_id: Mapped[int] = mapped_column(
        ForeignKey("products.id", ondelete="CASCADE"), index=True
    )
    method: Mapped[str] = mapped_column(String(10))
    confidence: Mapped[float] = mapped_column(Float)
    evidence: Mapped[list[str]] = mapped_column(JSON, default=list)
    band: Mapped[str] = mapped_column(String(10))
    decision: Mapped[str] = mapped_column(String(10), default="pending")
    review_reason: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[str | None] = mapped_column(String(100))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    note: Mapped[str | None] = mapped_column(Text)
    recall_id: Mapped[int | None] = mapped_column(
        ForeignKey("recalls.id", ondelete="SET NULL"), index=True
    )
    matched_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        UniqueConstraint("feed_record_id", "product_id"),
        Index("ix_catalog_matches_decision_band", "decision", "band"),
    )


class FeedSubscription(Base):
    """A scheduled pull (`SHOPSAFE_FEED_PULLS`): an authority's file fetched by the worker.

    `next_pull_at` is the claim: a worker takes a due pull by moving it forward in one
    conditional UPDATE, so that two workers never fetch the same file at once. `etag` and
    `last_modified` are the server's validators of the last file imported (conditional GET).
    """

    __tablename__ = "feed_subscriptions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(20))
    url: Mapped[str] = mapped_column(String(2000))
    next_pull_at: Mapped[datetime] = mapped_column(UTCDateTime())
    etag: Mapped[str | None] = mapped_column(String(500))
    last_modified: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (UniqueConstraint("source", "url"),)


class FeedPull(Base):
    """One pull of a subscription: `imported` (the file was new or changed), `not_modified`
    (the server answered 304) or `failed` (`error` says why; nothing of the file was kept)."""

    __tablename__ = "feed_pulls"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subscription_id: Mapped[int] = mapped_column(
        ForeignKey("feed_subscriptions.id", ondelete="CASCADE")
    )
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime] = mapped_column(UTCDateTime())
    outcome: Mapped[str] = mapped_column(String(20))
    imported: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (Index("ix_feed_pulls_subscription_started", "subscription_id", "started_at"),)
