"""A draft recall in the API's shape (CONTRACT §5), written from an authority record and the
offers it was matched to. Pure: the recall service validates and stores it.

The authority's own words are kept (title, hazard, what to do); the product keys come from
the approved offers only, so that an offer an operator rejected is never in the recall. The
marketplace can always refund on the seller's behalf, so "refund" is offered besides the
authority's remedies.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from shopsafe.feeds.extraction import Extraction
from shopsafe.ledger import keys
from shopsafe.ledger.validation import check_email

CORRECTIVE = ("refund", "replacement", "repair")
EDITABLE = (
    "kind",
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
DEFAULT_INSTRUCTIONS = (
    "Stop using this product now. Contact us for your remedy; the authority's notice is "
    "linked below."
)


@dataclass(frozen=True)
class OfferKeys:
    """What an offer contributes to a recall's criteria."""

    gtin: str | None
    brand: str | None
    model: str | None
    sku: str | None
    seller_id: int

    def pairs(self) -> list[tuple[str, str]]:
        """The offer's keys as `recall_keys` rows hold them (kind, value)."""
        found: list[tuple[str, str]] = []
        if self.gtin:
            found.append(("gtin", keys.gtin14(self.gtin)))
        if self.sku:
            found.append(("sku", self.sku.strip()))
        brand_key, model_key = keys.brand_key(self.brand), keys.model_key(self.model)
        if brand_key and model_key:
            found.append(("model", f"{brand_key}|{model_key}"))
        return found


def criteria_for(
    offers: Sequence[OfferKeys], authority_gtins: Sequence[str] = ()
) -> dict[str, Any]:
    """GTINs and brand + model of the offers; a SKU only for an offer with neither. Every
    GTIN the authority lists for the product is added: an offer of any of them, sold now
    or later, is the recalled product even when the shop has not sold it yet."""
    gtins: list[str] = list(dict.fromkeys(authority_gtins))
    models: list[dict[str, str]] = []
    skus: list[str] = []
    for offer in offers:
        has_model = bool(keys.brand_key(offer.brand) and keys.model_key(offer.model))
        if offer.gtin and keys.gtin14(offer.gtin) not in {keys.gtin14(g) for g in gtins}:
            gtins.append(offer.gtin)
        if has_model and offer.brand and offer.model:
            models.append({"brand": offer.brand, "model": offer.model})
        if not offer.gtin and not has_model and offer.sku:
            skus.append(offer.sku)
    return {"gtins": gtins, "skus": skus, "models": models}


def merged_criteria(current: Mapping[str, Any], added: Mapping[str, Any]) -> dict[str, Any]:
    """The current criteria with the added product keys (each once)."""
    merged = dict(current)
    for name in ("gtins", "skus", "models"):
        values = list(current.get(name) or [])
        for value in added.get(name) or []:
            if value not in values:
                values.append(value)
        merged[name] = values
    return merged


def _remedies(record: Extraction) -> list[str]:
    chosen = set(record.remedies) | {"refund"}
    if record.kind != "recall":
        chosen = set(record.remedies)
    return [r for r in (*CORRECTIVE, "dispose") if r in chosen]


def _contact(record: Extraction) -> dict[str, str]:
    contact: dict[str, str] = {}
    if record.url:
        contact["url"] = record.url[:500]
    for email in record.emails:
        try:
            contact["email"] = check_email(email)
            break
        except ValueError:
            continue
    if record.phones:
        contact["phone"] = record.phones[0][:50]
    return contact


def _sold_where(record: Extraction) -> str | None:
    parts = []
    if record.retailers:
        parts.append("Sold at " + ", ".join(record.retailers[:10]))
    if record.sold_from:
        until = f" to {record.sold_to.isoformat()}" if record.sold_to else ""
        parts.append(f"from {record.sold_from.isoformat()}{until}")
    if record.price_low:
        same = record.price_high in (None, record.price_low)
        parts.append(f"for about ${record.price_low}" if same else
                     f"for ${record.price_low} to ${record.price_high}")  # fmt: skip
    return (" ".join(parts) + ".") if parts else None


def _cut(text: str | None, limit: int) -> str | None:
    if not text:
        return None
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def recall_body(
    record: Extraction,
    offers: Sequence[OfferKeys],
    fallback_name: str | None = None,
    overrides: Mapping[str, Any] | None = None,
    authority_gtins: Sequence[str] = (),
) -> dict[str, Any]:
    """The recall as `POST /api/v1/recalls` takes it; `overrides` are an operator's edits
    of the content fields (never of the criteria, which the approved offers and the
    authority's GTINs decide)."""
    name = record.product_names[0] if record.product_names else fallback_name
    location = record.identifier_location or (
        "Compare your product with the pictures and the description in the authority's "
        f"notice{': ' + record.url if record.url else ''}."
    )
    body: dict[str, Any] = {
        "kind": record.kind,
        "title": _cut(record.title or name or "Product recall", 500),
        "product_name": _cut(name, 500),
        "brand": _cut(record.brand, 500),
        "hazard": _cut(record.hazard, 10_000),
        "risk_level": record.risk_level,
        "instructions": _cut(record.remedy_text, 10_000) or DEFAULT_INSTRUCTIONS,
        "remedies": _remedies(record),
        "identifier_location": _cut(location, 10_000),
        "sold_where": _cut(_sold_where(record), 10_000),
        "contact": _contact(record),
        "images": [p for p in record.pictures if len(p) <= 1000][:12],
        "translations": {},
        "seller_id": None,
        "criteria": criteria_for(offers, authority_gtins),
    }
    for name_of_field, value in (overrides or {}).items():
        if name_of_field in EDITABLE:
            body[name_of_field] = value
    return body
