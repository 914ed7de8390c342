"""Feed input and output: import summaries, the review queue, decisions."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Remedy = Literal["refund", "replacement", "repair", "dispose"]


class MatchSummary(BaseModel):
    """What matching did: pairs per band, and what became of the automatic ones."""

    automatic: int = 0
    review: int = 0
    recalls_created: int = 0
    recalls_extended: int = 0
    recalls_linked: int = 0
    recalls_published: int = 0
    needs_review: int = 0

    def add(self, other: MatchSummary) -> None:
        for name in type(self).model_fields:
            setattr(self, name, getattr(self, name) + getattr(other, name))


class ImportSummary(BaseModel):
    source: str
    imported: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    rejects: list[str] = Field(default_factory=list)
    # Drafts the feeds had prepared that now follow the record's new version.
    drafts_refreshed: int = 0
    matches: MatchSummary = Field(default_factory=MatchSummary)

    def line(self) -> str:
        """The command's one line (CONTRACT §2)."""
        return (
            f"imported {self.imported}, updated {self.updated}, "
            f"unchanged {self.unchanged}, rejected {self.rejected}"
        )


class RecallEdits(BaseModel):
    """An operator's edits of the draft recall's content, made when approving a match whose
    draft the notice rules refused (the authority's words minimise, a remedy is missing …)."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["recall", "safety_warning", "withdrawal"] | None = None
    title: str | None = None
    product_name: str | None = None
    brand: str | None = None
    hazard: str | None = None
    risk_level: Literal["serious", "high", "medium", "low"] | None = None
    instructions: str | None = None
    remedies: list[Remedy] | None = None
    identifier_location: str | None = None
    sold_where: str | None = None
    contact: dict[str, str] | None = None
    images: list[str] | None = None
    translations: dict[str, dict[str, str]] | None = None


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: Annotated[str, Field(max_length=2000)] | None = None
    recall: RecallEdits | None = Field(
        default=None, description="Edits of the draft recall's content (approve only)."
    )


class FeedRecordOut(BaseModel):
    id: int
    source: str
    source_id: str
    authority_ref: str
    version: int
    published_at: dt.datetime
    title: str
    brand: str | None
    product_name: str | None
    product_names: list[str]
    url: str | None
    hazard: str
    models: list[str]
    gtins: list[str]
    lots: list[str]
    pictures: list[str]
    sold_from: dt.date | None
    sold_to: dt.date | None
    price_low: str | None
    price_high: str | None
    units: int | None
    retailers: list[str]
    remedies: list[str]
    recall_id: int | None
    recall_problems: list[str]


class OfferOut(BaseModel):
    product_id: int
    seller_id: str
    sku: str | None
    gtin: str | None
    brand: str | None
    model: str | None
    name: str | None


class CatalogMatchOut(BaseModel):
    id: int
    method: str
    confidence: float
    band: str
    decision: str
    evidence: list[str]
    review_reason: str | None
    decided_by: str | None
    decided_at: dt.datetime | None
    note: str | None
    recall_id: int | None
    record: FeedRecordOut
    offer: OfferOut


class ReviewPage(BaseModel):
    items: list[CatalogMatchOut]
    next_cursor: str | None
    pending: int


class FeedRecordPage(BaseModel):
    items: list[FeedRecordOut]
    next_cursor: str | None


def record_out(record: Any) -> FeedRecordOut:
    """A `FeedRecord` row as the API shows it."""
    data: dict[str, Any] = record.data
    return FeedRecordOut(
        id=record.id,
        source=record.source,
        source_id=record.source_id,
        authority_ref=record.authority_ref,
        version=record.version,
        published_at=record.published_at,
        title=record.title,
        brand=record.brand,
        product_name=record.product_name,
        product_names=data.get("product_names") or [],
        url=data.get("url"),
        hazard=data.get("hazard") or "",
        models=data.get("models") or [],
        gtins=data.get("gtins") or [],
        lots=data.get("lots") or [],
        pictures=data.get("pictures") or [],
        sold_from=data.get("sold_from"),
        sold_to=data.get("sold_to"),
        price_low=data.get("price_low"),
        price_high=data.get("price_high"),
        units=data.get("units"),
        retailers=data.get("retailers") or [],
        remedies=data.get("remedies") or [],
        recall_id=record.recall_id,
        recall_problems=record.recall_problems or [],
    )
