"""Order records in the import format (CONTRACT §4), for tests."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

BASE_ORDER: dict[str, Any] = {
    "order_id": "A-1001",
    "placed_at": "2025-03-01T10:22:00Z",
    "buyer": {
        "customer_id": "C-17",
        "email": "anna@example.de",
        "name": "Anna Schmidt",
        "language": "de",
        "account_type": "personal",
        "admin_emails": [],
        "created_at": "2024-11-02T08:00:00Z",
    },
    "ship_to": {
        "name": "Anna Schmidt",
        "email": None,
        "line1": "Hauptstr. 5",
        "line2": None,
        "postal_code": "10115",
        "city": "Berlin",
        "country": "DE",
    },
    "gift": False,
    "lines": [
        {
            "line_id": "1",
            "seller_id": "S-3",
            "seller_name": "Bioenrrty",
            "sku": "BR-200",
            "gtin": "04006381333931",
            "brand": "MPINOI",
            "model": "BR-200",
            "product_name": "Adult portable bed rail",
            "quantity": 2,
            "unit_price": "29.99",
            "currency": "EUR",
            "lot": "L2301",
            "serials": ["SN1001", "SN1002"],
        }
    ],
    "shipments": [
        {
            "carrier": "DHL",
            "tracking_number": "00340434161094042557",
            "shipped_at": "2025-03-02T09:00:00Z",
            "delivered_at": "2025-03-04T12:00:00Z",
            "line_ids": ["1"],
        }
    ],
}


def order(number: int = 1001, **changes: Any) -> dict[str, Any]:
    """The contract's example order under another id and customer, with changes applied."""
    record = copy.deepcopy(BASE_ORDER)
    record["order_id"] = f"A-{number}"
    record["buyer"]["customer_id"] = f"C-{number}"
    record["buyer"]["email"] = f"buyer{number}@example.de"
    for key, value in changes.items():
        record[key] = value
    return record


def write_jsonl(path: Path, records: list[Any]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path
