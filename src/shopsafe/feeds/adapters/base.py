"""What every adapter produces: the authority's record in one common shape, and the records
it could not use. A file that cannot be read at all raises `MalformedFeed`."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from shopsafe.kit.errors import InvalidInput

SOURCES = ("cpsc", "cpsc-csv", "fda", "safety-gate")


class MalformedFeed(InvalidInput):
    """The file cannot be read (truncated, not UTF-8, wrong shape, a record without its id).
    Nothing of it is written; every problem names the record's position."""

    code = "malformed_feed"


@dataclass(frozen=True)
class FeedEntry:
    """One authority record, normalised for extraction. `raw` is the record as published."""

    source: str
    source_id: str
    authority_ref: str  # the same recall across sources, e.g. "cpsc:26350"
    position: str  # "record 17", "line 23"
    published_at: dt.datetime
    raw: dict[str, Any]
    title: str = ""
    product_names: tuple[str, ...] = ()
    description: str = ""
    hazard: str = ""
    remedy_text: str = ""
    remedy_options: tuple[str, ...] = ()
    retail_text: str = ""
    units_text: str = ""
    pictures: tuple[str, ...] = ()
    url: str | None = None
    contact_text: str = ""
    parties: tuple[str, ...] = ()
    brand: str | None = None
    models: tuple[str, ...] = ()
    codes: tuple[str, ...] = ()
    lots: tuple[str, ...] = ()
    recall_date: dt.date | None = None
    country: str | None = None
    risk_level: str | None = None
    kind: str = "recall"
    category: str | None = None

    @property
    def content_hash(self) -> str:
        canonical = json.dumps(self.raw, sort_keys=True, ensure_ascii=False, default=str)
        return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class Reject:
    position: str
    source_id: str | None
    reason: str

    def __str__(self) -> str:
        named = f" ({self.source_id})" if self.source_id else ""
        return f"{self.position}{named}: rejected: {self.reason}"


@dataclass
class ParsedFeed:
    entries: list[FeedEntry] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)


def text_of(value: Any) -> str:
    """A field as text: strings stripped, lists of strings/objects joined, None empty."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, list):
        return " ".join(t for t in (text_of(v) for v in value) if t)
    if isinstance(value, dict):
        return " ".join(t for t in (text_of(v) for v in value.values()) if t)
    return str(value).strip()


def names_in(items: Any, key: str = "Name") -> tuple[str, ...]:
    """The `key` of each object in a list (CPSC's `[{"Name": …}]` lists)."""
    if not isinstance(items, list):
        return ()
    found = [text_of(i.get(key)) for i in items if isinstance(i, dict)]
    return tuple(f for f in found if f)


def as_datetime(value: dt.date | dt.datetime) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    return dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC)


def parse_date(value: Any, formats: tuple[str, ...]) -> dt.datetime | None:
    """The first format that reads the value, as an aware UTC datetime; None if none does."""
    text = text_of(value)
    if not text:
        return None
    for fmt in formats:
        try:
            return as_datetime(dt.datetime.strptime(text, fmt))
        except ValueError:
            continue
    try:
        return as_datetime(dt.datetime.fromisoformat(text.replace("Z", "+00:00")))
    except ValueError:
        return None
