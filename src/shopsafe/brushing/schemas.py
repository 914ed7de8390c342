"""What detection answers: the ring as CONTRACT §2 prints it, and the operator API's view."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel


class AddressOut(BaseModel):
    postal_code: str
    country: str
    line1: str | None


class RingOut(BaseModel):
    """Exactly the fields of `shopsafe brushing detect --json` (CONTRACT §2)."""

    id: int
    score: float
    kind: str
    accounts: list[str]
    orders: list[str]
    sellers: list[str]
    addresses: list[AddressOut]
    evidence: list[str]


class DetectOut(BaseModel):
    rings: list[RingOut]


class ProductOut(BaseModel):
    seller_id: str
    sku: str | None
    gtin: str | None
    name: str | None


class RingDetail(RingOut):
    """A ring for operators: the contract's fields plus its state and all its members.
    `status` is its case's once it has one (the case is where operators decide)."""

    status: str
    products: list[ProductOut]
    reviews: list[str]
    first_run_id: int
    last_run_id: int
    case_id: int | None
    case_number: str | None = None  # the operator's case (/operator/cases/{number})
    created_at: datetime
    updated_at: datetime


class RingPage(BaseModel):
    items: list[RingDetail]
    next_cursor: str | None


class RingDecision(BaseModel):
    status: str
