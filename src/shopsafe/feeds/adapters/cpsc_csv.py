"""The cpsc.gov "Recalls" CSV export: one row per recall, a header row with the columns
"Recall Number", "Date", "Recall Heading", "Name of product", "Description",
"Hazard Description", "Consumer Action", "Remedy Type", "Units", "Remedy", "Sold At",
"Importers", "Manufacturers", "Distributors", "Manufactured In", "Custom Label",
"Custom Field" (and a few more). The export has no picture, link or contact column.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from shopsafe.feeds.adapters import reading
from shopsafe.feeds.adapters.base import (
    FeedEntry,
    MalformedFeed,
    ParsedFeed,
    Reject,
    parse_date,
    text_of,
)
from shopsafe.feeds.adapters.cpsc import authority_ref

SOURCE = "cpsc-csv"
REQUIRED_COLUMNS = ("Recall Number", "Date", "Name of product")
_DATES = ("%B %d, %Y", "%b %d, %Y", "%m/%d/%Y", "%Y-%m-%d")
_PARTY_LABELS = ("retailer", "seller", "recalling firm", "importer", "distributor", "manufacturer")


def entry(row: dict[str, Any], position: str) -> FeedEntry | Reject:
    number = text_of(row.get("Recall Number"))
    published = parse_date(row.get("Date"), _DATES)
    name = text_of(row.get("Name of product"))
    heading = text_of(row.get("Recall Heading"))
    if published is None:
        return Reject(position, number, f"Date '{text_of(row.get('Date'))}' is not a date")
    if not name and not heading:
        return Reject(position, number, "no product name and no heading")
    parties = tuple(
        text_of(row.get(column))
        for column in ("Importers", "Distributors", "Manufacturers")
        if text_of(row.get(column))
    )
    label = text_of(row.get("Custom Label")).lower()
    if any(word in label for word in _PARTY_LABELS) and text_of(row.get("Custom Field")):
        parties += (text_of(row.get("Custom Field")),)
    remedy = " ".join(
        t for t in (text_of(row.get("Consumer Action")), text_of(row.get("Remedy"))) if t
    )
    options = tuple(o.strip() for o in text_of(row.get("Remedy Type")).split(",") if o.strip())
    return FeedEntry(
        source=SOURCE,
        source_id=number,
        authority_ref=authority_ref(number),
        position=position,
        published_at=published,
        raw=row,
        title=heading,
        product_names=(name,) if name else (),
        description=text_of(row.get("Description")),
        hazard=text_of(row.get("Hazard Description")),
        remedy_text=remedy,
        remedy_options=options,
        retail_text=text_of(row.get("Sold At")),
        units_text=text_of(row.get("Units")),
        contact_text=remedy,
        parties=parties,
        recall_date=published.date(),
        country="US",
        kind="recall",
        category=text_of(row.get("category_slugs")) or None,
    )


def _rows(text: str) -> list[tuple[int, dict[str, Any]]]:
    reader = csv.DictReader(io.StringIO(text, newline=""), strict=True)
    try:
        columns = reader.fieldnames or []
    except csv.Error as error:
        raise MalformedFeed([f"line 1: not a CSV header: {error}"]) from None
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        named = ", ".join(f"'{c}'" for c in missing)
        raise MalformedFeed([f"line 1: not a cpsc.gov recalls CSV export: no column {named}"])
    rows: list[tuple[int, dict[str, Any]]] = []
    start = reader.line_num + 1
    try:
        for row in reader:
            if None in row or any(v is None for v in row.values()):
                raise MalformedFeed(
                    [
                        f"line {start}: row has {len(row) - (None in row)} of "
                        f"{len(columns)} columns; the file may be cut off or mis-quoted"
                    ]
                )
            rows.append((start, row))
            start = reader.line_num + 1
    except csv.Error as error:
        raise MalformedFeed(
            [f"line {start}: not valid CSV ({error}); the file may be cut off"]
        ) from None
    return rows


def parse(data: bytes) -> ParsedFeed:
    text = reading.decode(data)
    if not text.strip():
        raise MalformedFeed(["file: is empty"])
    rows = ((f"line {line}", row) for line, row in _rows(text))
    return reading.collect(rows, missing_id=_missing_id, entry=entry)


def _missing_id(row: dict[str, Any]) -> str | None:
    if text_of(row.get("Recall Number")):
        return None
    return "Recall Number is empty; every recall needs its id"
