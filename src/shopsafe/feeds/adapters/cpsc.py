"""CPSC Recalls API JSON (SaferProducts.gov `Recall` REST API): a JSON array of recalls.

Fields used: RecallNumber (the id), RecallDate, LastPublishDate, Title, Description, URL,
ConsumerContact, Products[].Name/NumberOfUnits, Images[].URL, Hazards[].Name,
Remedies[].Name, RemedyOptions[].Option, Retailers[].Name, Importers/Distributors/
Manufacturers[].Name, ProductUPCs[].UPC. Empty keys may be absent.
"""

from __future__ import annotations

import re
from typing import Any

from shopsafe.feeds.adapters import reading
from shopsafe.feeds.adapters.base import (
    FeedEntry,
    ParsedFeed,
    Reject,
    names_in,
    parse_date,
    text_of,
)

SOURCE = "cpsc"
_DATES = ("%Y-%m-%dT%H:%M:%S", "%Y-%m-%d")


def authority_ref(recall_number: str) -> str:
    """CPSC recall numbers are written "26350" by the API and "26-350" on the website."""
    return "cpsc:" + re.sub(r"\D", "", recall_number)


def recall_number(record: dict[str, Any]) -> str:
    return text_of(record.get("RecallNumber"))


def entry(record: dict[str, Any], position: str) -> FeedEntry | Reject:
    number = recall_number(record)
    published = parse_date(record.get("LastPublishDate"), _DATES) or parse_date(
        record.get("RecallDate"), _DATES
    )
    names = names_in(record.get("Products"))
    title = text_of(record.get("Title"))
    if published is None:
        return Reject(position, number, "no LastPublishDate or RecallDate that is a date")
    if not names and not title:
        return Reject(position, number, "no product name and no title")
    products = record.get("Products") or []
    units = names_in(products, "NumberOfUnits")
    recall_date = parse_date(record.get("RecallDate"), _DATES)
    parties = (
        names_in(record.get("Importers"))
        + names_in(record.get("Distributors"))
        + names_in(record.get("Manufacturers"))
    )
    return FeedEntry(
        source=SOURCE,
        source_id=number,
        authority_ref=authority_ref(number),
        position=position,
        published_at=published,
        raw=record,
        title=title,
        product_names=names,
        description=text_of(record.get("Description")),
        hazard=" ".join(names_in(record.get("Hazards"))),
        remedy_text=" ".join(names_in(record.get("Remedies"))),
        remedy_options=names_in(record.get("RemedyOptions"), "Option"),
        retail_text=" ".join(names_in(record.get("Retailers"))),
        units_text=units[0] if units else "",
        pictures=names_in(record.get("Images"), "URL"),
        url=text_of(record.get("URL")) or None,
        contact_text=text_of(record.get("ConsumerContact")),
        parties=parties,
        codes=names_in(record.get("ProductUPCs"), "UPC"),
        recall_date=recall_date.date() if recall_date else None,
        country="US",
        kind="recall",
    )


def parse(data: bytes) -> ParsedFeed:
    document = reading.load_json(data, records_keys=("",))
    records = reading.records_of(document, keys=(), what="an array of CPSC recalls")
    return reading.collect(reading.numbered(records), missing_id=_missing_id, entry=entry)


def _missing_id(record: dict[str, Any]) -> str | None:
    return None if recall_number(record) else "RecallNumber is missing; every recall needs its id"
