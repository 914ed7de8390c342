"""Reports of unsolicited packages, the cases they open, and what a case does to the ledger.

A report is one submission by one person. Each report opens one case: `unverified` when no
reported shipment was delivered at the reporter's postal code, else `open` until an
operator confirms or dismisses it. `CaseShipment` rows are the evidence (one per reported
tracking number, linked to the ledger only when verified). Delivery blocks, ranking
adjustments and seller suspensions are the case's actions; each can be undone and
remembers when and by whom.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from shopsafe.db.base import Base
from shopsafe.db.types import UTCDateTime


class Case(Base):
    """A case for operators. `origin` is `report` (a person reported parcels: one report
    row, evidence rows per tracking number; `number` is what the reporter sees and the
    private status link carries a key derived from `access_salt` and the server's secret
    key, never stored) or `detection` (brushing detection found a ring: no reporter, no
    tracking numbers, no status link; the ring's orders are `CaseOrder` rows and its score
    and plain-language evidence are in `evidence`). `country` and `postal_key` are the
    reporter's; for a detection case the country most of the ring's parcels went to and ""."""

    __tablename__ = "unsolicited_cases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    origin: Mapped[str] = mapped_column(String(20), default="report", server_default="report")
    access_salt: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(20), index=True)
    classification: Mapped[str] = mapped_column(String(30))
    country: Mapped[str] = mapped_column(String(2))
    postal_key: Mapped[str] = mapped_column(String(20))
    language: Mapped[str] = mapped_column(String(16))
    seller_id: Mapped[int | None] = mapped_column(
        ForeignKey("sellers.id", ondelete="SET NULL"), index=True
    )
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    actions: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by: Mapped[str | None] = mapped_column(String(100))


class UnsolicitedReport(Base):
    """What the reporter sent. `client_key` is a keyed digest of the client's address (for
    the rate limit), never the address itself. Photos are read, never stored."""

    __tablename__ = "unsolicited_reports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(
        ForeignKey("unsolicited_cases.id", ondelete="CASCADE"), index=True
    )
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    client_key: Mapped[str] = mapped_column(String(64))
    name: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))
    postal_code: Mapped[str] = mapped_column(String(20))
    country: Mapped[str] = mapped_column(String(2))
    note: Mapped[str | None] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(16))
    tracking_numbers: Mapped[list[str]] = mapped_column(JSON, default=list)
    barcodes: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    photo_count: Mapped[int] = mapped_column(Integer, default=0)
    qr_warning: Mapped[bool] = mapped_column(Boolean, default=False)

    __table_args__ = (
        Index("ix_unsolicited_reports_client_key_submitted_at", "client_key", "submitted_at"),
    )


class CaseShipment(Base):
    """One reported tracking number. Ledger links are set only when the shipment was
    delivered at the reporter's postal code (`found`)."""

    __tablename__ = "unsolicited_case_shipments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(
        ForeignKey("unsolicited_cases.id", ondelete="CASCADE"), index=True
    )
    tracking_number: Mapped[str] = mapped_column(String(64))
    tracking_key: Mapped[str] = mapped_column(String(64), index=True)
    found: Mapped[bool] = mapped_column(Boolean, default=False)
    shipment_id: Mapped[int | None] = mapped_column(
        ForeignKey("shipments.id", ondelete="SET NULL"), index=True
    )
    order_id: Mapped[int | None] = mapped_column(
        ForeignKey("orders.id", ondelete="SET NULL"), index=True
    )
    seller_id: Mapped[int | None] = mapped_column(
        ForeignKey("sellers.id", ondelete="SET NULL"), index=True
    )
    customer_id: Mapped[int | None] = mapped_column(
        ForeignKey("customers.id", ondelete="SET NULL"), index=True
    )
    address_id: Mapped[int | None] = mapped_column(
        ForeignKey("addresses.id", ondelete="SET NULL"), index=True
    )
    classification: Mapped[str] = mapped_column(String(30))
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)


class CaseOrder(Base):
    """An order of a detection case: one of the detected ring's orders, with its buying
    account and delivery address. A later detection run that updates the case replaces
    them; confirming the case takes them out of the rankings like a report's orders."""

    __tablename__ = "unsolicited_case_orders"

    case_id: Mapped[int] = mapped_column(
        ForeignKey("unsolicited_cases.id", ondelete="CASCADE"), primary_key=True
    )
    order_id: Mapped[int] = mapped_column(
        ForeignKey("orders.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), index=True
    )
    address_id: Mapped[int] = mapped_column(ForeignKey("addresses.id", ondelete="CASCADE"))


class DeliveryBlock(Base):
    """No more deliveries from `seller_id` (or ordered by `customer_id`) to `address_id`.
    Exactly one of seller and customer is set. `status`: `active` or `lifted`."""

    __tablename__ = "delivery_blocks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(
        ForeignKey("unsolicited_cases.id", ondelete="CASCADE"), index=True
    )
    address_id: Mapped[int] = mapped_column(ForeignKey("addresses.id", ondelete="CASCADE"))
    seller_id: Mapped[int | None] = mapped_column(ForeignKey("sellers.id", ondelete="CASCADE"))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(16), default="active")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    lifted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    lifted_by: Mapped[str | None] = mapped_column(String(100))

    __table_args__ = (Index("ix_delivery_blocks_address_id_status", "address_id", "status"),)


class RankingAdjustment(Base):
    """An order (`subject` `order`) or a review (`review`) taken out of sales-rank and
    rating signals by a confirmed case; `active` false once the case was dismissed.
    `review_was_verified` keeps the review's mark so a dismissal can give it back."""

    __tablename__ = "ranking_adjustments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(
        ForeignKey("unsolicited_cases.id", ondelete="CASCADE"), index=True
    )
    subject: Mapped[str] = mapped_column(String(10))
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    review_id: Mapped[int | None] = mapped_column(
        ForeignKey("reviews.id", ondelete="CASCADE"), index=True
    )
    reason: Mapped[str] = mapped_column(String(200))
    review_was_verified: Mapped[bool | None] = mapped_column(Boolean)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    reversed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


class SellerSuspension(Base):
    """A seller's offers suspended by an operator because of a case."""

    __tablename__ = "seller_suspensions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(
        ForeignKey("unsolicited_cases.id", ondelete="CASCADE"), index=True
    )
    seller_id: Mapped[int] = mapped_column(ForeignKey("sellers.id", ondelete="CASCADE"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(100))
    lifted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class CaseMessage(Base):
    """An e-mail update to the reporter: the outbox row for unsolicited-package cases.

    `kind`: `received`, `confirmed`, `dismissed`, `block_lifted`. `key` is unique per
    message; `status`: `pending`, `sent`, `failed`. The text is rendered when sent.
    """

    __tablename__ = "unsolicited_case_messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(
        ForeignKey("unsolicited_cases.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))
    email: Mapped[str] = mapped_column(String(320))
    language: Mapped[str] = mapped_column(String(16))
    key: Mapped[str] = mapped_column(String(120), unique=True)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    message_id: Mapped[str | None] = mapped_column(String(250))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (Index("ix_unsolicited_case_messages_status_due_at", "status", "due_at"),)
