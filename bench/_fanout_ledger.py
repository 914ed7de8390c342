"""The ledger and the recall of bench/fanout.py."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from shopsafe.ledger import bulk
from shopsafe.ledger.tracking import gs1_check_digit

# a recall of A reaches N people, and a recall of B another N.


def gtin(body: str) -> str:
    return body + gs1_check_digit(body)


GTINS = (gtin("400638133393"), gtin("401234500000"))


def ledger(n: int) -> Iterator[bulk.Batch]:
    seller = bulk.SellerRow(1, "S-1", "Fanout GmbH", email="safety@fanout.example")
    names = ("Portable bed rail", "Electric kettle")
    products = [
        bulk.ProductRow(p, 1, f"FO-{p}", g, "FANOUT", f"FO-{p}", names[p - 1])
        for p, g in enumerate(GTINS, start=1)
    ]
    yield bulk.Batch(sellers=[seller], products=products)
    placed = datetime(2025, 3, 1, 10, 0, tzinfo=UTC)
    for start in range(1, n + 1, 20_000):
        batch = bulk.Batch()
        for i in range(start, min(start + 20_000, n + 1)):
            language = "de" if i % 2 else "en"
            name = f"Person {i}"
            batch.customers.append(
                bulk.CustomerRow(i, f"C-{i}", f"person{i}@example.{language}", name, language)
            )
            postal_code = f"{10000 + i % 90000:05d}"
            batch.addresses.append(
                bulk.AddressRow(i, f"Hauptstr. {i}", None, postal_code, "Berlin", "DE")
            )
            when = placed + timedelta(minutes=i)
            batch.orders.append(
                bulk.OrderRow(i, f"A-{i}", i, i, name, None, False, when, f"{i:064x}", when)
            )
            batch.order_lines += [
                bulk.OrderLineRow(
                    2 * i - 2 + p.id, i, str(p.id), 1, p.id, p.sku, p.gtin, p.brand, p.model,
                    p.name, 1, Decimal("29.99"), "EUR", status="delivered",
                )
                for p in products
            ]  # fmt: skip
        yield batch


def recall_body(gtin_value: str) -> dict[str, Any]:
    return {
        "kind": "recall", "title": "FANOUT portable bed rails recalled: risk of entrapment",
        "product_name": "Portable bed rail", "brand": "FANOUT",
        "hazard": "Users can become entrapped between rail and mattress and suffocate.",
        "risk_level": "serious",
        "instructions": "Stop using the bed rail immediately and keep it away from anyone in bed.",
        "remedies": ["refund", "replacement"],
        "identifier_location": "The model number is printed on the label under the base.",
        "contact": {"phone": "+49 800 1234567", "email": "recall@fanout.example"},
        "images": ["https://www.cpsc.gov/s3fs-public/bed-rail.jpg"],
        "translations": {"de": {"title": "Rückruf: FANOUT-Bettgitter – Gefahr des Einklemmens",
                                "instructions": "Benutzen Sie das Bettgitter sofort nicht mehr."}},
        "criteria": {"gtins": [gtin_value]},
    }  # fmt: skip
