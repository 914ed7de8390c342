"""The seller console's "start a recall" form, turned into the body `POST /api/v1/recalls`
takes (pure). Lists are typed one per line or separated by commas; a model is
"brand / model". The recall service checks everything and reports every problem."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

FIELDS = (
    "kind", "title", "product_name", "brand", "hazard", "risk_level", "instructions",
    "identifier_location", "contact_phone", "contact_email", "contact_url", "gtins", "skus",
    "models", "lots", "sold_from", "sold_to", "countries", "title_de", "hazard_de",
    "instructions_de", "images",
)  # fmt: skip
REMEDIES = ("refund", "replacement", "repair", "dispose")
_SPLIT = re.compile(r"[\n,;]+")


def items(text: str | None) -> list[str]:
    return [part.strip() for part in _SPLIT.split(text or "") if part.strip()]


def _models(text: str | None) -> list[dict[str, str]]:
    found = []
    for line in (text or "").splitlines():
        if line.strip():
            brand, _, model = line.partition("/")
            found.append({"brand": brand.strip(), "model": model.strip()})
    return found


def _text(values: Mapping[str, str], name: str) -> str | None:
    value = (values.get(name) or "").strip()
    return value or None


def recall_data(values: Mapping[str, str], remedies: list[str]) -> dict[str, Any]:
    """The request body for the recall service."""
    contact = {
        "phone": _text(values, "contact_phone"),
        "email": _text(values, "contact_email"),
        "url": _text(values, "contact_url"),
    }
    german = {
        key: value
        for key in ("title", "hazard", "instructions")
        if (value := _text(values, f"{key}_de"))
    }
    return {
        "kind": _text(values, "kind") or "recall",
        "title": _text(values, "title"),
        "product_name": _text(values, "product_name"),
        "brand": _text(values, "brand"),
        "hazard": _text(values, "hazard"),
        "risk_level": _text(values, "risk_level") or "serious",
        "instructions": _text(values, "instructions"),
        "remedies": [r for r in remedies if r in REMEDIES] or remedies,
        "identifier_location": _text(values, "identifier_location"),
        "contact": {k: v for k, v in contact.items() if v},
        "images": [u for u in re.split(r"\s+", values.get("images") or "") if u],
        "translations": {"de": german} if german else {},
        "criteria": {
            "gtins": items(values.get("gtins")),
            "skus": items(values.get("skus")),
            "models": _models(values.get("models")),
            "lots": items(values.get("lots")),
            "sold_from": _text(values, "sold_from"),
            "sold_to": _text(values, "sold_to"),
            "countries": [c.upper() for c in items(values.get("countries"))],
        },
    }
