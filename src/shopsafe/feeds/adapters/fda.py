"""FDA enforcement report recalls, one record per recalled product.

The FDA iRES REST API (`accessdata.fda.gov/rest/iresapi/recalls/`) answers
`{"RESULT": [...]}` with upper-case fields (PRODUCTID, RECALLNUM, EVENTLMD,
PRODUCTDESCRIPTIONTXT, PRODUCTSHORTREASONTXT, FIRMLEGALNAM, CENTERCLASSIFICATIONTYPETXT, …).
openFDA's `*/enforcement.json` carries the same records as `{"results": [...]}` with
lower-case names (recall_number, product_description, reason_for_recall, code_info, …);
both are read. A product is identified by PRODUCTID (iRES) or recall_number (openFDA).
"""

from __future__ import annotations

import re
from typing import Any

from shopsafe.feeds.adapters import reading
from shopsafe.feeds.adapters.base import FeedEntry, ParsedFeed, Reject, parse_date, text_of

SOURCE = "fda"
_DATES = ("%m/%d/%Y", "%Y%m%d", "%Y-%m-%d")
# common name → (iRES field, openFDA field)
FIELDS = {
    "product_id": ("PRODUCTID", None),
    "recall_number": ("RECALLNUM", "recall_number"),
    "modified": ("EVENTLMD", None),
    "classified": ("CENTERCLASSIFICATIONDT", "center_classification_date"),
    "reported": ("ENFORCEMENTREPORTDT", "report_date"),
    "initiated": ("RECALLINITIATIONDT", "recall_initiation_date"),
    "description": ("PRODUCTDESCRIPTIONTXT", "product_description"),
    "reason": ("PRODUCTSHORTREASONTXT", "reason_for_recall"),
    "firm": ("FIRMLEGALNAM", "recalling_firm"),
    "classification": ("CENTERCLASSIFICATIONTYPETXT", "classification"),
    "quantity": ("PRODUCTDISTRIBUTEDQUANTITY", "product_quantity"),
    "distribution": ("DISTRIBUTIONAREASUMMARYTXT", "distribution_pattern"),
    "product_type": ("PRODUCTTYPESHORT", "product_type"),
    "code_info": (None, "code_info"),
}
_RISK = {"1": "serious", "2": "high", "3": "medium"}


def field(record: dict[str, Any], name: str) -> str:
    ires, openfda = FIELDS[name]
    for key in (ires, openfda):
        if key and text_of(record.get(key)):
            return text_of(record.get(key))
    return ""


def identifier(record: dict[str, Any]) -> str:
    return field(record, "product_id") or field(record, "recall_number")


def product_name(description: str) -> str:
    """The product as a shop would name it: the description up to its first separator."""
    first = re.split(r"\s*(?:;|\r|\n|\.\s|,\s|\s-\s|\s–\s)", description.strip(), maxsplit=1)[0]
    first = first.strip(" .:")
    return first if len(first) <= 150 else first[:149].rstrip() + "…"


def _risk(classification: str) -> str | None:
    digits = re.sub(r"(?i)class\s*|[^123I]", "", classification).strip()
    roman = {"I": "1", "II": "2", "III": "3"}.get(digits, digits)
    return _RISK.get(roman)


def entry(record: dict[str, Any], position: str) -> FeedEntry | Reject:
    ident = identifier(record)
    description = field(record, "description")
    published = None
    for name in ("modified", "classified", "reported", "initiated"):
        published = parse_date(field(record, name), _DATES)
        if published is not None:
            break
    if published is None:
        return Reject(position, ident, "no event, classification, report or initiation date")
    if not description:
        return Reject(position, ident, "no product description")
    number = field(record, "recall_number")
    name = product_name(description)
    firm = field(record, "firm")
    initiated = parse_date(field(record, "initiated"), _DATES)
    return FeedEntry(
        source=SOURCE,
        source_id=ident,
        authority_ref=f"fda:{number}" if number else f"fda:product:{ident}",
        position=position,
        published_at=published,
        raw=record,
        title=f"{firm + ' recalls ' if firm else ''}{name}"[:500],
        product_names=(name,) if name else (),
        description=" ".join(t for t in (description, field(record, "code_info")) if t),
        hazard=field(record, "reason"),
        units_text=field(record, "quantity"),
        parties=(firm,) if firm else (),
        recall_date=initiated.date() if initiated else None,
        country="US",
        risk_level=_risk(field(record, "classification")),
        kind="recall",
        category=field(record, "product_type") or None,
    )


def parse(data: bytes) -> ParsedFeed:
    document = reading.load_json(data, records_keys=("RESULT", "results", ""))
    records = reading.records_of(
        document, keys=("RESULT", "results"), what="FDA enforcement records"
    )
    return reading.collect(reading.numbered(records), missing_id=_missing_id, entry=entry)


def _missing_id(record: dict[str, Any]) -> str | None:
    if identifier(record):
        return None
    return "PRODUCTID (or openFDA recall_number) is missing; every record needs its id"
