"""Recalls for the demo: the real CPSC recalls of products the demo customers bought,
published through the normal recall service so that their pages show real alerts."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy.orm import Session

from shopsafe.auth.schemas import Principal
from shopsafe.demo.catalogue import load_cpsc_raw
from shopsafe.kit.errors import InvalidInput
from shopsafe.ledger.validation import check_gtin
from shopsafe.recalls import service as recalls

OPERATOR = Principal(role="operator")


def _first_sentence(text: str) -> str:
    sentence = text.split(". ")[0].rstrip(".")
    return sentence if len(sentence) < 200 else sentence[:197] + "…"


def _valid_gtins(codes: Iterable[str]) -> list[str]:
    found = []
    for code in codes:
        try:
            found.append(check_gtin(code))
        except ValueError:
            continue
    return found


def _sold_where(sold_from: str | None, sold_to: str | None, language: str = "en") -> str:
    """Where and when it was sold, saying only what the record knows."""
    german = language == "de"
    shop = "In diesem Online-Shop verkauft" if german else "Sold online in this shop"
    if sold_from and sold_to:
        when = f" von {sold_from} bis {sold_to}" if german else f" from {sold_from} to {sold_to}"
    elif sold_from:
        when = f" ab {sold_from}" if german else f" from {sold_from}"
    elif sold_to:
        when = f" bis {sold_to}" if german else f" until {sold_to}"
    else:
        when = ""
    return shop + when + "."


def recall_body(item: dict[str, Any]) -> dict[str, Any]:
    """A recall in the API's shape, written from a CPSC record."""
    name, brand = item["product_name"], item["brand"]
    remedies = ["refund", "replacement"] + (["repair"] if "Repair" in item["remedies"] else [])
    return {
        "kind": "recall",
        "title": f"{name} recalled: {_first_sentence(item['hazard'])}",
        "product_name": name,
        "brand": brand,
        "hazard": item["hazard"],
        "risk_level": "serious",
        "instructions": f"Stop using the {name} immediately and keep it away from children.",
        "remedies": remedies,
        "identifier_location": "The brand and model number are printed on the product label.",
        "sold_where": _sold_where(item.get("sold_from"), item.get("sold_to")),
        "contact": {"email": "recalls@shopsafe.example", "url": item["url"]},
        "images": [item["image"]] if item.get("image") else [],
        "translations": {
            "de": {
                "title": f"Rückruf: {name}",
                "instructions": f"Benutzen Sie das Produkt „{name}“ ab sofort nicht mehr und "
                "halten Sie es von Kindern fern.",
                "identifier_location": "Marke und Modellnummer stehen auf dem Produktetikett.",
                "sold_where": _sold_where(item.get("sold_from"), item.get("sold_to"), "de"),
            }
        },
        "seller_id": None,
        "criteria": {
            "gtins": _valid_gtins(item.get("upcs") or []),
            "models": [{"brand": brand, "model": m} for m in item.get("models") or []],
        },
    }


def publish_for(session: Session, recall_numbers: Iterable[str]) -> list[int]:
    """Publishes the recalls with these CPSC numbers; returns their ids. Records whose text
    the notice rules refuse are left out (their words stay the authority's)."""
    wanted = set(recall_numbers)
    published = []
    for item in load_cpsc_raw():
        if item["recall_number"] not in wanted:
            continue
        try:
            recall = recalls.create(session, data=recall_body(item), principal=OPERATOR)
        except InvalidInput:
            continue
        recalls.publish(session, recall_id=recall.id, principal=OPERATOR)
        published.append(recall.id)
    return published
