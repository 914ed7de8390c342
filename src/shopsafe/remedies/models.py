"""Remedy cases, the money they move, return shipments and seller webhooks (DESIGN §2).

A remedy case is one customer's remedy for one recall (unique per recall and customer). Its
`remedy_case_lines` freeze what the customer bought and paid for the affected units, so a
refund can be checked against the price paid (GPSR Art. 37) whatever the ledger says later.
Money is booked as balanced `ledger_entries` per refund (docs/adr/0011).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from shopsafe.db.base import Base
from shopsafe.db.types import UTCDateTime

Money = Numeric(12, 2)


class RemedyCase(Base):
    """One customer's remedy for one recall, moved along by `remedies/state.py`.

    `amount`/`currency`: the price paid for the affected units (in the currency most of
    them were bought in; `remedy_case_lines` has every line). `seller_id`: where returns go.
    `corrected_at`: when the units left the customer's hands or were made safe;
    `completed_at`: when the remedy was delivered (refunded, replaced or repaired).
    """

    __tablename__ = "remedy_cases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    recall_id: Mapped[int] = mapped_column(ForeignKey("recalls.id", ondelete="CASCADE"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    seller_id: Mapped[int | None] = mapped_column(ForeignKey("sellers.id"), index=True)
    remedy: Mapped[str] = mapped_column(String(20))
    state: Mapped[str] = mapped_column(String(20))
    rma: Mapped[str] = mapped_column(String(40), unique=True)
    units: Mapped[int] = mapped_column(Integer)
    amount: Mapped[Decimal] = mapped_column(Money)
    currency: Mapped[str] = mapped_column(String(3))
    ship_from_address_id: Mapped[int | None] = mapped_column(ForeignKey("addresses.id"))
    ship_from_name: Mapped[str | None] = mapped_column(String(200))
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    corrected_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    replacement_order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"))

    __table_args__ = (
        UniqueConstraint("recall_id", "customer_id"),
        Index("ix_remedy_cases_recall_id_state", "recall_id", "state"),
    )


class RemedyCaseLine(Base):
    """An affected order line of a case: units and the price paid for each, as bought."""

    __tablename__ = "remedy_case_lines"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("remedy_cases.id", ondelete="CASCADE"))
    order_line_id: Mapped[int] = mapped_column(ForeignKey("order_lines.id"), index=True)
    seller_id: Mapped[int] = mapped_column(ForeignKey("sellers.id"), index=True)
    units: Mapped[int] = mapped_column(Integer)
    unit_price: Mapped[Decimal] = mapped_column(Money)
    currency: Mapped[str] = mapped_column(String(3))

    __table_args__ = (UniqueConstraint("case_id", "order_line_id"),)


class Refund(Base):
    """Money the marketplace paid a customer on the sellers' behalf: one per case and
    currency (`key` is unique, so a double click, a retry or a second worker adds none).
    `owed` is the price paid for the affected units; `amount` is never less."""

    __tablename__ = "refunds"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(80), unique=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("remedy_cases.id", ondelete="CASCADE"))
    amount: Mapped[Decimal] = mapped_column(Money)
    owed: Mapped[Decimal] = mapped_column(Money)
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(20), default="booked")
    issued_by: Mapped[str] = mapped_column(String(100))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)

    __table_args__ = (UniqueConstraint("case_id", "currency"),)


class LedgerEntry(Base):
    """One posting of a refund. Within each `txn` of a refund the amounts add up to zero:
    `payout` (marketplace cash → customer) and `charge` (sellers → marketplace cash).
    A positive amount is money in for the account holder."""

    __tablename__ = "ledger_entries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    refund_id: Mapped[int] = mapped_column(ForeignKey("refunds.id", ondelete="CASCADE"), index=True)
    txn: Mapped[str] = mapped_column(String(20))
    account: Mapped[str] = mapped_column(String(100), index=True)
    amount: Mapped[Decimal] = mapped_column(Money)
    currency: Mapped[str] = mapped_column(String(3))
    at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (UniqueConstraint("refund_id", "txn", "account"),)


class ReturnShipment(Base):
    """The parcel a case brings back: label (RMA, both addresses, dangerous goods), the
    carrier's tracking number, where it is, and what the seller did with it."""

    __tablename__ = "return_shipments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(
        ForeignKey("remedy_cases.id", ondelete="CASCADE"), unique=True
    )
    carrier: Mapped[str] = mapped_column(String(40))
    tracking_number: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(20))
    ship_from: Mapped[dict[str, Any]] = mapped_column(JSON)
    ship_to: Mapped[dict[str, Any]] = mapped_column(JSON)
    product: Mapped[str | None] = mapped_column(String(500))
    dangerous_goods: Mapped[str | None] = mapped_column(String(200))
    label_issued_at: Mapped[datetime] = mapped_column(UTCDateTime())
    in_transit_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    disposition: Mapped[str | None] = mapped_column(String(30))


class CarrierEvent(Base):
    """A signed tracking event as a carrier sent it (kept once per carrier and event id)."""

    __tablename__ = "carrier_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    carrier: Mapped[str] = mapped_column(String(40))
    event_id: Mapped[str] = mapped_column(String(100))
    tracking_number: Mapped[str] = mapped_column(String(64), index=True)
    status: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    return_shipment_id: Mapped[int | None] = mapped_column(
        ForeignKey("return_shipments.id", ondelete="SET NULL")
    )
    outcome: Mapped[str] = mapped_column(String(40))

    __table_args__ = (UniqueConstraint("carrier", "event_id"),)


class DisposalPhoto(Base):
    """A customer's photo of the destroyed product (metadata stripped), and its review."""

    __tablename__ = "disposal_photos"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(
        ForeignKey("remedy_cases.id", ondelete="CASCADE"), index=True
    )
    content_type: Mapped[str] = mapped_column(String(40))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    verdict: Mapped[str | None] = mapped_column(String(20))
    reviewed_by: Mapped[str | None] = mapped_column(String(100))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class WebhookDelivery(Base):
    """A signed event for a seller's endpoint: the outbox row the worker sends.

    `event`: `recall.published`, `remedy.requested` or `refund.issued`; `key` is unique
    per event, so the same event is never queued twice. `status`: `pending`, `sending`,
    `sent`, `failed`."""

    __tablename__ = "webhook_deliveries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seller_id: Mapped[int] = mapped_column(ForeignKey("sellers.id"), index=True)
    event: Mapped[str] = mapped_column(String(40))
    key: Mapped[str] = mapped_column(String(120), unique=True)
    url: Mapped[str] = mapped_column(String(500))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    response_code: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    claimed_by: Mapped[str | None] = mapped_column(String(100))

    __table_args__ = (Index("ix_webhook_deliveries_status_due_at", "status", "due_at"),)


class RecallApproval(Base):
    """A seller's request to publish a recall, when operators approve seller recalls
    (setting `seller_recalls_need_approval`). `status`: pending, approved, rejected."""

    __tablename__ = "recall_approvals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    recall_id: Mapped[int] = mapped_column(
        ForeignKey("recalls.id", ondelete="CASCADE"), unique=True
    )
    status: Mapped[str] = mapped_column(String(20), index=True)
    requested_by: Mapped[str] = mapped_column(String(100))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime())
    decided_by: Mapped[str | None] = mapped_column(String(100))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    note: Mapped[str | None] = mapped_column(Text)
