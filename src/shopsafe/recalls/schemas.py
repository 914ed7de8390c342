"""Recall input and output (CONTRACT §5 "Recalls")."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from shopsafe.kit import text
from shopsafe.kit.limits import INT64_MAX
from shopsafe.ledger import validation

Kind = Literal["recall", "safety_warning", "withdrawal"]
RiskLevel = Literal["serious", "high", "medium", "low"]
Remedy = Literal["refund", "replacement", "repair", "dispose"]
# Every text refuses control characters but tab and line breaks (PostgreSQL cannot store
# NUL); pictures are web addresses, since pages and e-mails put them into <img src>.
Plain = AfterValidator(text.check_plain)
Gtin = Annotated[str, Plain, AfterValidator(validation.check_gtin)]
Country = Annotated[str, Plain, AfterValidator(validation.check_country)]
Email = Annotated[str, Plain, AfterValidator(validation.check_email)]
Short = Annotated[str, Field(min_length=1, max_length=500), Plain]
Long = Annotated[str, Field(min_length=1, max_length=10_000), Plain]
Code = Annotated[str, Field(min_length=1, max_length=200), Plain]
Image = Annotated[
    str, Field(min_length=1, max_length=1000), Plain, AfterValidator(text.check_web_address)
]
Language = Annotated[str, Field(min_length=2, max_length=16), Plain]
# Serial numbers are compared as a BigInteger column (the ledger keeps their last 18 digits).
SerialNumber = Annotated[int, Field(ge=0, le=INT64_MAX)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ModelKey(_In):
    brand: Code
    model: Code


class SerialRange(_In):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, populate_by_name=True)

    prefix: Annotated[str, Field(max_length=100), Plain] = ""
    from_: Annotated[SerialNumber, Field(alias="from")]
    to: SerialNumber

    @model_validator(mode="after")
    def _ordered(self) -> SerialRange:
        if self.from_ > self.to:
            raise ValueError(f"'from' ({self.from_}) is after 'to' ({self.to})")
        return self


class Criteria(_In):
    gtins: list[Gtin] = Field(default_factory=list)
    skus: list[Code] = Field(default_factory=list)
    models: list[ModelKey] = Field(default_factory=list)
    lots: list[Code] = Field(default_factory=list)
    serial_ranges: list[SerialRange] = Field(default_factory=list)
    sold_from: dt.date | None = None
    sold_to: dt.date | None = None
    countries: list[Country] = Field(default_factory=list)

    @field_validator("sold_to")
    @classmethod
    def _dates_in_order(cls, sold_to: dt.date | None, info: ValidationInfo) -> dt.date | None:
        sold_from = info.data.get("sold_from")
        if sold_from and sold_to and sold_from > sold_to:
            raise ValueError(f"sold_from {sold_from} is after sold_to {sold_to}")
        return sold_to

    def has_product_key(self) -> bool:
        return bool(self.gtins or self.skus or self.models)


class Contact(_In):
    phone: Annotated[str, Field(max_length=50), Plain] | None = None
    email: Email | None = None
    url: (
        Annotated[str, Field(max_length=500), Plain, AfterValidator(text.check_web_address)] | None
    ) = None


class Translation(_In):
    title: Short | None = None
    product_name: Short | None = None
    hazard: Long | None = None
    instructions: Long | None = None
    identifier_location: Long | None = None
    sold_where: Long | None = None


class RecallIn(_In):
    """A new recall (status `draft`)."""

    kind: Kind
    title: Short
    product_name: Short | None = None
    brand: Short | None = None
    hazard: Long | None = None
    risk_level: RiskLevel
    instructions: Long | None = None
    remedies: list[Remedy] = Field(default_factory=list)
    identifier_location: Long | None = None
    sold_where: Long | None = Field(
        default=None, description="When, where and by whom it was sold, in words."
    )
    contact: Contact = Field(default_factory=Contact)
    images: list[Image] = Field(default_factory=list)
    translations: dict[Language, Translation] = Field(default_factory=dict)
    seller_id: Annotated[str, Field(min_length=1, max_length=64), Plain] | None = None
    criteria: Criteria


class RecallPatch(_In):
    """Changes to a draft, or an amendment of a published recall (re-matches)."""

    title: Short | None = None
    product_name: Short | None = None
    brand: Short | None = None
    hazard: Long | None = None
    risk_level: RiskLevel | None = None
    instructions: Long | None = None
    remedies: list[Remedy] | None = None
    identifier_location: Long | None = None
    sold_where: Long | None = None
    contact: Contact | None = None
    images: list[Image] | None = None
    translations: dict[Annotated[str, Plain], Translation] | None = None
    criteria: Criteria | None = None
    note: Annotated[str, Field(max_length=2000), Plain] | None = Field(
        default=None, description="Why the recall was amended (kept with the version)."
    )


CONTENT_FIELDS = (
    "title",
    "product_name",
    "brand",
    "hazard",
    "risk_level",
    "instructions",
    "remedies",
    "identifier_location",
    "sold_where",
    "contact",
    "images",
    "translations",
)


class RecallOut(BaseModel):
    id: int
    kind: Kind
    status: str
    version: int
    seller_id: str | None
    title: str
    product_name: str | None
    brand: str | None
    hazard: str | None
    risk_level: str
    instructions: str | None
    remedies: list[str]
    identifier_location: str | None
    sold_where: str | None
    contact: dict[str, Any]
    images: list[str]
    translations: dict[str, Any]
    criteria: dict[str, Any]
    created_at: dt.datetime
    updated_at: dt.datetime
    published_at: dt.datetime | None
    closed_at: dt.datetime | None


class RecallPage(BaseModel):
    items: list[RecallOut]
    next_cursor: str | None


class Preview(BaseModel):
    affected_order_lines: int
    affected_units: int
    affected_customers: int
    recipients: int


class AffectedItem(BaseModel):
    customer_id: str
    order_id: str
    line_id: str
    units: int


class AffectedPage(BaseModel):
    items: list[AffectedItem]
    next_cursor: str | None


class ListingCheck(BaseModel):
    sellable: bool
    recall_ids: list[int]
    # Why it may not be sold: "recalled" (see recall_ids), "seller_suspended" (an operator
    # suspended the seller's offers because of a case).
    reasons: list[str] = Field(default_factory=list)
