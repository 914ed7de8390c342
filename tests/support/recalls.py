"""A recall body that passes the notice rules, and helpers to publish one."""

from __future__ import annotations

import copy
from typing import Any

VALID_RECALL: dict[str, Any] = {
    "kind": "recall",
    "title": "MPINOI adult portable bed rails recalled: risk of entrapment and asphyxiation",
    "product_name": "Adult portable bed rail",
    "brand": "MPINOI",
    "hazard": "Users can become entrapped in the rail or between rail and mattress and suffocate.",
    "risk_level": "serious",
    "instructions": "Stop using the bed rail immediately and keep it away from anyone in bed.",
    "remedies": ["refund", "replacement"],
    "identifier_location": "The brand name MPINOI is printed on the mesh pocket.",
    "contact": {"phone": "+49 800 1234567", "email": "recall@example.com"},
    "images": ["https://www.cpsc.gov/s3fs-public/mpinoi-1.jpg"],
    "translations": {
        "de": {
            "title": "Rückruf: MPINOI-Bettgitter – Gefahr des Einklemmens und Erstickens",
            "hazard": "Nutzer können sich im Gitter einklemmen und ersticken.",
            "instructions": "Benutzen Sie das Bettgitter sofort nicht mehr.",
        }
    },
    "seller_id": None,
    "criteria": {"gtins": ["04006381333931"]},
}


def recall_body(**changes: Any) -> dict[str, Any]:
    body = copy.deepcopy(VALID_RECALL)
    body.update(changes)
    return body
