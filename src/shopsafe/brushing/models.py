"""Detection runs and the rings they find.

A ring outlives the run that found it: a later run that finds an overlapping ring (one that
shares orders with it) updates it, so an operator's decision (`status`) sticks. Members are
rows of `brushing_ring_members` (role + id of the ledger row), so "which rings hold this
order?" is one indexed query.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from shopsafe.db.base import Base
from shopsafe.db.types import UTCDateTime

ROLES = ("account", "order", "address", "seller", "product", "review")


class DetectionRun(Base):
    """One `shopsafe brushing detect`: what it read, how long it took, what it found."""

    __tablename__ = "brushing_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    since: Mapped[datetime | None] = mapped_column(UTCDateTime())
    lines: Mapped[int] = mapped_column(Integer, default=0)
    accounts: Mapped[int] = mapped_column(Integer, default=0)
    rings: Mapped[int] = mapped_column(Integer, default=0)
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    timings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class Ring(Base):
    """A group of accounts, orders, addresses, sellers, products and reviews that the
    detector found together. `kind`: `brushing`, `bulk_dumping` or `dense_block`.
    `status`: `open` until an operator `confirmed` or `dismissed` it; once the ring has a
    case in the operators' case list (`case_id`, opened by detection), the case's status
    (see `cases.py`)."""

    __tablename__ = "brushing_rings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)
    score: Mapped[float] = mapped_column(Float)
    evidence: Mapped[list[str]] = mapped_column(JSON, default=list)
    accounts: Mapped[int] = mapped_column(Integer, default=0)
    orders: Mapped[int] = mapped_column(Integer, default=0)
    first_run_id: Mapped[int] = mapped_column(ForeignKey("brushing_runs.id"), index=True)
    last_run_id: Mapped[int] = mapped_column(ForeignKey("brushing_runs.id"), index=True)
    case_id: Mapped[int | None] = mapped_column(
        ForeignKey("unsolicited_cases.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by: Mapped[str | None] = mapped_column(String(100))


class RingMember(Base):
    """One ledger row of a ring: `role` is one of ROLES, `ref_id` the row's id in
    customers, orders, addresses, sellers, products or reviews."""

    __tablename__ = "brushing_ring_members"

    ring_id: Mapped[int] = mapped_column(
        ForeignKey("brushing_rings.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(10), primary_key=True)
    ref_id: Mapped[int] = mapped_column(Integer, primary_key=True)

    __table_args__ = (Index("ix_brushing_ring_members_role_ref_id", "role", "ref_id"),)
