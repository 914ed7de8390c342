"""Authority feed fixtures (real CPSC/FDA records, a hand-written Safety Gate file) and
offers in the ledger for matching them."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from shopsafe.db.session import transaction
from shopsafe.ledger import service as ledger
from shopsafe.ledger.importers import parse_objects
from shopsafe.ledger.schemas import OrderIn
from shopsafe.recalls import publishing
from tests.factories import order

FEEDS = Path(__file__).resolve().parent.parent / "fixtures" / "feeds"
CPSC_API = FEEDS / "cpsc_recalls_api_2023-12_to_2026-03.json"
CPSC_CSV = FEEDS / "cpsc_recalls_website_export_2023-12_to_2026-03.csv"
FDA = FEEDS / "fda_ires_enforcement_recalls_2026-04.json"
SAFETY_GATE = FEEDS / "safety_gate_alerts.json"

_CACHE: dict[str, list[dict[str, Any]]] = {}


def cpsc_records(*numbers: str) -> list[dict[str, Any]]:
    """Copies of the real CPSC API records with these recall numbers, in that order."""
    if "all" not in _CACHE:
        _CACHE["all"] = json.loads(CPSC_API.read_text(encoding="utf-8"))
    by_number = {r["RecallNumber"]: r for r in _CACHE["all"]}
    return [copy.deepcopy(by_number[n]) for n in numbers]


def as_file(records: list[dict[str, Any]]) -> bytes:
    return json.dumps(records).encode()


def offer(
    line_id: str,
    *,
    seller: str = "S-3",
    sku: str,
    name: str,
    brand: str | None = None,
    model: str | None = None,
    gtin: str | None = None,
    quantity: int = 1,
) -> dict[str, Any]:
    """An order line that puts an offer into the catalogue."""
    return {
        "line_id": line_id,
        "seller_id": seller,
        "seller_name": f"Seller {seller}",
        "sku": sku,
        "gtin": gtin,
        "brand": brand,
        "model": model,
        "product_name": name,
        "quantity": quantity,
        "unit_price": "19.99",
        "currency": "USD",
        "lot": None,
        "serials": [],
    }


def _orders(lines: list[dict[str, Any]], first: int) -> Iterator[dict[str, Any]]:
    for number, line in enumerate(lines, start=first):
        record = order(number, lines=[line])
        record["shipments"][0]["line_ids"] = [line["line_id"]]
        record["shipments"][0]["tracking_number"] = f"1Z999AA10123456{number:03d}"
        record["shipments"][0]["carrier"] = "UPS"
        yield record


def load_offers(engine: Engine, lines: list[dict[str, Any]], *, first: int = 5000) -> None:
    """One order (buyer C-<n>) per line, imported through the ledger importer."""
    records = list(_orders(lines, first))
    with transaction(engine) as session:
        ledger.import_orders(
            session,
            source=lambda: parse_objects(iter(records), OrderIn),
            on_written=publishing.after_import,
        )
