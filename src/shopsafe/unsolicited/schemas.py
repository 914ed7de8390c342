"""What a reporter sends, what they get back, and what operators see (CONTRACT §5)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from shopsafe.ledger import validation as ledger_validation
from shopsafe.unsolicited import validation
from shopsafe.unsolicited.classification import Kind

Country = Annotated[str, AfterValidator(ledger_validation.check_country)]
Email = Annotated[str, AfterValidator(ledger_validation.check_email)]
PostalCode = Annotated[str, AfterValidator(validation.check_postal_code)]


class ReportIn(BaseModel):
    """A report of parcels nobody ordered. Photos come as multipart files beside it."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    tracking_numbers: Annotated[
        list[Annotated[str, Field(max_length=64)]], Field(max_length=validation.MAX_NUMBERS)
    ] = Field(default_factory=list)
    postal_code: Annotated[PostalCode, Field(min_length=1, max_length=20)]
    country: Country
    name: Annotated[str, Field(max_length=200)] | None = None
    email: Email | None = None
    note: Annotated[str, Field(max_length=2000)] | None = None
    language: Annotated[str, Field(max_length=16)] | None = None


class SellerIdentity(BaseModel):
    """The seller's public trader identity (EU DSA Art. 30, US INFORM Act)."""

    name: str | None
    address: str | None
    email: str | None
    phone: str | None
    trade_register: str | None


class ShipmentAnswer(BaseModel):
    tracking_number: str
    found: bool
    classification: Kind
    seller: SellerIdentity | None
    belongs_to_someone_else: bool = False


class RightsOut(BaseModel):
    region: str
    law: str
    summary: str
    points: list[str]


class BarcodeOut(BaseModel):
    photo: int
    format: str
    tracking_numbers: list[str]


class ReportAnswer(BaseModel):
    """The answer to a report, and the reporter's view of their case later on."""

    case_id: str
    status_url: str
    status: str
    classification: Kind
    shipments: list[ShipmentAnswer]
    actions: list[str]
    rights: RightsOut
    advice: list[str]
    qr_warning: str | None
    data_source: str | None
    barcodes: list[BarcodeOut] = Field(default_factory=list)
    created_at: datetime


class EvidenceShipment(BaseModel):
    tracking_number: str
    found: bool
    classification: Kind
    reasons: list[str]
    order_id: str | None
    customer_id: str | None
    seller_id: str | None
    status: str | None
    hold_reason: str | None


class BlockOut(BaseModel):
    id: int
    address: str
    seller_id: str | None
    customer_id: str | None
    status: str
    created_at: datetime
    lifted_at: datetime | None


class ReporterOut(BaseModel):
    name: str | None
    email: str | None
    postal_code: str
    country: str
    note: str | None
    language: str


class DetectionOut(BaseModel):
    """What brushing detection found (a detection case): the ring, its score and
    plain-language evidence, and its orders, accounts and addresses (lists capped at
    `LISTED`; the counts are complete)."""

    ring_id: int | None
    kind: str
    score: float
    evidence: list[str]
    orders: int
    accounts: int
    addresses: int
    products: int
    reviews: int
    sellers: list[str]
    order_ids: list[str]
    delivery_addresses: list[str]
    first_run_id: int | None
    last_run_id: int | None
    runs: int


class CaseOut(BaseModel):
    """Everything an operator needs to decide a case. `origin`: `report` (a reporter, the
    reported shipments) or `detection` (no reporter; `detection` holds the evidence)."""

    case_id: str
    origin: str = "report"
    status: str
    classification: Kind
    created_at: datetime
    decided_at: datetime | None
    decided_by: str | None
    seller: SellerIdentity | None
    seller_id: str | None
    seller_suspended: bool
    reporter: ReporterOut | None
    detection: DetectionOut | None = None
    shipments: list[EvidenceShipment]
    accounts: list[str]
    related_orders: int
    blocks: list[BlockOut]
    ranking_adjustments: int
    actions: list[dict[str, object]]
    qr_warning: bool


class CaseSummary(BaseModel):
    """One line of the case list. A detection case has no reporter's postal code and no
    reported numbers; `orders` and `score` are the detected ring's."""

    case_id: str
    origin: str = "report"
    status: str
    classification: Kind
    created_at: datetime
    country: str
    postal_code: str | None
    seller_name: str | None
    found: int
    reported: int
    orders: int | None = None
    score: float | None = None


class CasePage(BaseModel):
    items: list[CaseSummary]
    next_cursor: str | None


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    note: Annotated[str, Field(max_length=2000)] | None = None
    classification: Kind | None = None


class RankingAdjustmentOut(BaseModel):
    subject: str
    order_id: str
    review_id: str | None
    case_id: str
    reason: str
    excluded: bool
    created_at: datetime
    reversed_at: datetime | None
    changed_at: datetime


class RankingAdjustmentPage(BaseModel):
    items: list[RankingAdjustmentOut]
    next_cursor: str | None
