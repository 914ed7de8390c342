"""EU Safety Gate (RAPEX) alerts in the public field shape of the Commission's open data
(`healthref-europe-rapex-en` on OpenDataSoft): a JSON array of alerts (the `exports/json`
answer), `{"results": [...]}` (Explore API v2.1) or `{"records": [{"fields": {...}}]}` (v1).

Fields used: alert_number (the id), alert_date, modification_date, alert_level (risk
level), alert_type (risk type), alert_description (the danger), product_category,
product_name, product_type, product_brand, product_model_type, product_batch_number,
product_barcode, product_description, measures_country / measures_description (measures
taken), alert_country (notifying country), product_image, product_other_images,
rapex_url, product_recall_url.
"""

from __future__ import annotations

import re
from typing import Any

import pycountry

from shopsafe.feeds import codes
from shopsafe.feeds.adapters import reading
from shopsafe.feeds.adapters.base import FeedEntry, ParsedFeed, Reject, parse_date, text_of

SOURCE = "safety-gate"
_DATES = ("%Y-%m-%d", "%Y-%m-%dT%H:%M:%S", "%d/%m/%Y")
_RISK = (("serious", "serious"), ("high", "high"), ("medium", "medium"), ("low", "low"))
_UNKNOWN = {"unknown", "n/a", "na", "-", "none", "not specified", "not known"}


def _values(value: Any) -> list[str]:
    if isinstance(value, list):
        return [t for v in value if (t := text_of(v))]
    return [t for t in re.split(r"\s*[;|\n]\s*", text_of(value)) if t]


def _known(value: Any) -> str:
    found = text_of(value)
    return "" if found.lower() in _UNKNOWN else found


def _country(name: str) -> str | None:
    if not name:
        return None
    try:
        return str(pycountry.countries.lookup(name).alpha_2)
    except LookupError:
        return None


def _risk(level: str) -> str:
    lowered = level.lower()
    for word, risk in _RISK:
        if word in lowered:
            return risk
    return "medium" if lowered else "serious"


def _kind(measures: str) -> str:
    lowered = measures.lower()
    if "recall" in lowered:
        return "recall"
    if "withdraw" in lowered or "removal" in lowered or "stop of sales" in lowered:
        return "withdrawal"
    return "safety_warning"


def entry(alert: dict[str, Any], position: str) -> FeedEntry | Reject:
    number = text_of(alert.get("alert_number"))
    published = parse_date(alert.get("modification_date"), _DATES) or parse_date(
        alert.get("alert_date"), _DATES
    )
    name, kind_of = _known(alert.get("product_name")), _known(alert.get("product_type"))
    brand = _known(alert.get("product_brand"))
    if published is None:
        return Reject(position, number, "no alert_date or modification_date that is a date")
    if not (name or kind_of or brand):
        return Reject(position, number, "no product name, type or brand")
    measures = " ".join(
        _values(alert.get("measures_country")) + _values(alert.get("measures_description"))
    )
    models = [m for m in _values(_known(alert.get("product_model_type"))) if m]
    pictures = _values(alert.get("product_image")) + _values(alert.get("product_other_images"))
    names = tuple(dict.fromkeys(n for n in (name, " ".join(filter(None, (brand, name)))) if n))
    alert_date = parse_date(alert.get("alert_date"), _DATES)
    return FeedEntry(
        source=SOURCE,
        source_id=number,
        authority_ref=f"safety-gate:{number.upper()}",
        position=position,
        published_at=published,
        raw=alert,
        title=" ".join(filter(None, (brand, name or kind_of))) or number,
        product_names=names or ((kind_of,) if kind_of else ()),
        description=" ".join(filter(None, (text_of(alert.get("product_description")), kind_of))),
        hazard=text_of(alert.get("alert_description")) or text_of(alert.get("alert_type")),
        remedy_text=measures,
        pictures=tuple(p for p in pictures if p.lower().startswith("http")),
        url=text_of(alert.get("rapex_url")) or text_of(alert.get("product_recall_url")) or None,
        contact_text=text_of(alert.get("product_recall_url")),
        brand=brand or None,
        models=tuple(m for m in models if codes.plausible_model(m) or len(models) == 1),
        codes=tuple(_values(_known(alert.get("product_barcode")))),
        lots=tuple(_values(_known(alert.get("product_batch_number")))),
        recall_date=alert_date.date() if alert_date else None,
        country=_country(text_of(alert.get("alert_country"))),
        risk_level=_risk(text_of(alert.get("alert_level"))),
        kind=_kind(measures),
        category=text_of(alert.get("product_category")) or None,
    )


def _alerts(document: Any) -> list[Any]:
    if isinstance(document, dict) and isinstance(document.get("records"), list):
        return [r.get("fields", r) if isinstance(r, dict) else r for r in document["records"]]
    return reading.records_of(document, keys=("results",), what="Safety Gate alerts")


def parse(data: bytes) -> ParsedFeed:
    document = reading.load_json(data, records_keys=("", "results", "records"))
    alerts = reading.numbered(_alerts(document))
    return reading.collect(alerts, missing_id=_missing_id, entry=entry)


def _missing_id(alert: dict[str, Any]) -> str | None:
    if text_of(alert.get("alert_number")):
        return None
    return "alert_number is missing; every alert needs its id"
