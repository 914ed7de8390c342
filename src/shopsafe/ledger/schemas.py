"""The import format (CONTRACT §4) and the ledger's API answers."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    NaiveDatetime,
    ValidationInfo,
    field_validator,
    model_validator,
)

from shopsafe.kit.clock import as_utc
from shopsafe.ledger import fingerprints, validation

Gtin = Annotated[str, AfterValidator(validation.check_gtin)]
Country = Annotated[str, AfterValidator(validation.check_country)]
Currency = Annotated[str, AfterValidator(validation.check_currency)]
Email = Annotated[str, AfterValidator(validation.check_email)]
Language = Annotated[str, AfterValidator(validation.check_language)]
Timestamp = Annotated[AwareDatetime | NaiveDatetime, AfterValidator(as_utc)]
Text = Annotated[str, Field(min_length=1, max_length=500)]
Key = Annotated[str, Field(min_length=1, max_length=64)]
# Stored only as digests: the value is replaced by its digest while parsing (SHA-256 for
# payment fingerprints and device ids, HMAC-SHA256 with a server key for IP addresses).
Identifier = Annotated[str, Field(max_length=500), AfterValidator(validation.digest_identifier)]
IpAddress = Annotated[str, Field(max_length=100), AfterValidator(fingerprints.digest_ip)]
FINGERPRINTS = ("payment_fingerprint", "device_id", "ip")


class _In(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)


class BuyerIn(_In):
    customer_id: Key
    email: Email
    name: Text | None = None
    language: Language = "en"
    account_type: Literal["personal", "business"] = "personal"
    admin_emails: list[Email] = Field(default_factory=list)
    created_at: Timestamp | None = None
    payment_fingerprint: Identifier | None = None
    device_id: Identifier | None = None
    ip: IpAddress | None = None


class ShipToIn(_In):
    name: Text | None = None
    email: Email | None = None
    line1: Text | None = None
    line2: Text | None = None
    postal_code: Annotated[str, Field(min_length=1, max_length=20)]
    city: Text | None = None
    country: Country


class LineIn(_In):
    line_id: Key
    seller_id: Key
    seller_name: Text | None = None
    sku: Annotated[str, Field(min_length=1, max_length=100)] | None = None
    gtin: Gtin | None = None
    brand: Text | None = None
    model: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    product_name: Text | None = None
    quantity: Annotated[int, Field(ge=1, le=100_000)]
    unit_price: Annotated[Decimal, Field(ge=0, max_digits=12, decimal_places=2)]
    currency: Currency
    lot: Annotated[str, Field(min_length=1, max_length=100)] | None = None
    serials: list[Annotated[str, Field(min_length=1, max_length=100)]] = Field(default_factory=list)

    @model_validator(mode="after")
    def _has_product_key(self) -> LineIn:
        if not (self.gtin or self.sku or self.model):
            raise ValueError("a line needs at least one of gtin, sku, model")
        if len(self.serials) > self.quantity:
            raise ValueError(f"{len(self.serials)} serials for a quantity of {self.quantity}")
        return self


class ShipmentIn(_In):
    carrier: Annotated[str, Field(min_length=1, max_length=40)]
    tracking_number: Annotated[str, Field(min_length=4, max_length=64)]
    shipped_at: Timestamp | None = None
    delivered_at: Timestamp | None = None
    line_ids: list[Key] = Field(default_factory=list)


class OrderIn(_In):
    order_id: Key
    placed_at: Timestamp
    buyer: BuyerIn
    ship_to: ShipToIn
    gift: bool = False
    lines: Annotated[list[LineIn], Field(min_length=1)]
    shipments: list[ShipmentIn] = Field(default_factory=list)

    @field_validator("lines")
    @classmethod
    def _line_ids_are_unique(cls, lines: list[LineIn]) -> list[LineIn]:
        line_ids = [line.line_id for line in lines]
        duplicates = sorted({x for x in line_ids if line_ids.count(x) > 1})
        if duplicates:
            raise ValueError(f"line_id {', '.join(duplicates)} appears more than once")
        return lines

    @field_validator("shipments")
    @classmethod
    def _shipments_name_known_lines(
        cls, shipments: list[ShipmentIn], info: ValidationInfo
    ) -> list[ShipmentIn]:
        tracking = [s.tracking_number.replace(" ", "").upper() for s in shipments]
        repeated = sorted({x for x in tracking if tracking.count(x) > 1})
        if repeated:
            raise ValueError(f"tracking number {', '.join(repeated)} appears more than once")
        lines = info.data.get("lines")
        if lines is None:
            return shipments
        known = {line.line_id for line in lines}
        for shipment in shipments:
            unknown = [x for x in shipment.line_ids if x not in known]
            if unknown:
                raise ValueError(
                    f"shipment {shipment.tracking_number} names unknown line_id "
                    + ", ".join(unknown)
                )
        return shipments


class ReviewIn(_In):
    review_id: Key
    order_id: Key
    line_id: Key | None = None
    customer_id: Key
    rating: Annotated[int, Field(ge=1, le=5)]
    created_at: Timestamp
    verified: bool = False
    text: Annotated[str, Field(max_length=20_000)] | None = None


class SellerIn(_In):
    """A seller's public trader identity (EU DSA Art. 30, US INFORM Act)."""

    seller_id: Key
    name: Text
    address_line: Text | None = None
    postal_code: Annotated[str, Field(min_length=1, max_length=20)] | None = None
    city: Text | None = None
    country: Country | None = None
    email: Email | None = None
    phone: Annotated[str, Field(max_length=50)] | None = None
    trade_register: Text | None = None


class SellerOut(BaseModel):
    seller_id: str
    name: str | None
    address_line: str | None
    postal_code: str | None
    city: str | None
    country: str | None
    email: str | None
    phone: str | None
    trade_register: str | None


class ImportResult(BaseModel):
    imported: int
    lines: int


class ReviewImportResult(BaseModel):
    imported: int


class LineOut(BaseModel):
    line_id: str
    seller_id: str
    sku: str | None
    gtin: str | None
    brand: str | None
    model: str | None
    product_name: str | None
    quantity: int
    unit_price: Decimal
    currency: str
    lot: str | None
    serials: list[str]
    status: str
    hold_reason: str | None


class ShipmentOut(BaseModel):
    carrier: str
    tracking_number: str
    shipped_at: datetime | None
    delivered_at: datetime | None
    line_ids: list[str]
    status: str
    hold_reason: str | None


class OrderOut(BaseModel):
    order_id: str
    placed_at: datetime
    customer_id: str
    gift: bool
    ship_to: dict[str, str | None]
    lines: list[LineOut]
    shipments: list[ShipmentOut]
