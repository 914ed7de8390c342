"""What an authority record says about the product, read from its fields and its prose:
brand, product names, model numbers, UPC/EAN codes, lot codes, sale window, price, units,
retailers, hazard, remedies, pictures. Pure: no database, no network.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from shopsafe.feeds import codes, text
from shopsafe.feeds.adapters.base import FeedEntry
from shopsafe.ledger import keys

_TITLE_COMPANY = re.compile(
    r"^(?P<company>.+?)\s+(?:Recalls|Expands Recall of|Announces Recall of|Reannounces Recall"
    r" of|Recall)\s+(?P<product>.+?)(?:\s+Due to\b|\s+Because\b|;|\s+\(|$)"
)
_TITLE_RECALLED = re.compile(r"^(?P<product>.+?)\s+Recalled\b")
_BRANDED = re.compile(
    r"(?:^|[\s(\"])(?P<brand>[A-Z0-9][\w&'+!.]*(?:[ -](?:&|[A-Z0-9][\w&'+!.]*)){0,2})"
    r"[®™]?[- ]brand(?:ed)?\b"
)
_UNDER_BRAND = re.compile(
    r"\bunder the (?:brand(?: name)?s?|names?) "
    r"(?P<brand>[A-Z0-9][\w&'+!.]*(?: [A-Z0-9&][\w&'+!.]*){0,2})"
)
_COMPANY_SUFFIX = re.compile(
    r",?\s+(?:Inc\.?|LLC|L\.L\.C\.|L\.P\.|Ltd\.?|Limited|Co\.?|Company|Corporation|Corp\.?"
    r"|USA|U\.S\.A\.|US|North America|Group|International|Holdings)$",
    re.IGNORECASE,
)
_IDENTIFIER = re.compile(
    r"\b(?:printed|located|found|stamped|embossed|molded|moulded|engraved|label(?:ed)?|sticker"
    r"|tag)\b",
    re.IGNORECASE,
)
_MARKS = str.maketrans("", "", "®™©")
_WORD = re.compile(r"[A-Za-z0-9][\w&'+!]*|[&+]")
_CONNECTORS = ("&", "AND", "+")
_SERIOUS = re.compile(r"\b(?:death|deaths|die|fatal|serious injur|asphyxia|suffocat|strangul)",
                      re.IGNORECASE)  # fmt: skip


@dataclass(frozen=True)
class Extraction:
    """The normalised content of one authority record (stored as JSON on the feed record)."""

    title: str
    brand: str | None
    product_names: list[str]
    models: list[str]
    model_keys: list[str]
    gtins: list[str]
    codes: list[str]
    lots: list[str]
    sold_from: dt.date | None
    sold_to: dt.date | None
    price_low: str | None
    price_high: str | None
    units: int | None
    retailers: list[str]
    hazard: str
    remedies: list[str]
    remedy_text: str
    pictures: list[str]
    url: str | None
    emails: list[str]
    phones: list[str]
    identifier_location: str | None
    description: str
    recall_date: dt.date | None
    country: str | None
    risk_level: str
    kind: str
    category: str | None
    brand_keys: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        data = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        for name in ("sold_from", "sold_to", "recall_date"):
            value = data[name]
            data[name] = value.isoformat() if value else None
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Extraction:
        values = {f.name: data.get(f.name) for f in dataclasses.fields(cls)}
        for name in ("sold_from", "sold_to", "recall_date"):
            raw = values[name]
            values[name] = dt.date.fromisoformat(raw) if raw else None
        for f in dataclasses.fields(cls):
            if values[f.name] is None and str(f.type).startswith("list"):
                values[f.name] = []
        return cls(**values)  # type: ignore[arg-type]


def company(title: str) -> str | None:
    """The recalling company of a CPSC title ("Lifetime Brands Recalls …" → "Lifetime Brands")."""
    found = _TITLE_COMPANY.match(title)
    if not found:
        return None
    name = found.group("company").strip()
    while (shorter := _COMPANY_SUFFIX.sub("", name)) != name:
        name = shorter
    return name.removeprefix("The ").strip() or None


def title_product(title: str) -> str | None:
    """The product a title names: "X Recalls <product> Due to …" or "<product> Recalled …"."""
    for pattern in (_TITLE_RECALLED, _TITLE_COMPANY):
        found = pattern.match(title)
        if found and 3 <= len(found.group("product")) <= 200:
            return found.group("product").strip(" ,;")
    return None


def _generic(word: str, prose: str) -> bool:
    """A capitalised word that the text also uses in lower case is a common word."""
    if not word[:1].isupper() and not word[:1].isdigit():
        return True
    if word.isupper() or any(c.isupper() for c in word[1:]):
        return False
    return re.search(rf"\b{re.escape(word.lower())}s?\b", prose) is not None


def brand_of(entry: FeedEntry, product_name: str, description: str) -> str | None:
    """The brand a shop would list: a brand field, "X-branded"/"under the X brand", the
    recalling company when the product name starts with it, else the name's first word."""
    if entry.brand:
        return entry.brand.translate(_MARKS).strip() or None
    for pattern in (_BRANDED, _UNDER_BRAND):
        for source in (description, product_name, entry.title):
            found = pattern.search(source)
            if found and found.group("brand").lower() not in ("the", "a", "this"):
                return found.group("brand").translate(_MARKS).strip(" .")
    maker = company(entry.title)
    if maker and product_name.lower().startswith(maker.lower()):
        return maker
    words = product_name.translate(_MARKS).split()
    if words and not _generic(words[0].strip(",\"'"), description):
        first = words[0].strip(",\"'")
        if len(words) > 2 and words[1] in ("&", "+", "and"):
            return " ".join(words[:3])
        return first
    return maker


_SENTENCE_START = {
    "the", "this", "these", "those", "it", "they", "consumers", "a", "an", "recalled", "in",
    "if", "when", "only", "no", "and", "or", "for", "with",
}  # fmt: skip


def _mention_keys(*texts: str) -> list[str]:
    """Brand keys of every run of one to three words that starts with a capital or a digit,
    so that an offer's brand can be looked up in the record (`offer.brand_key in keys`).
    A run's key is the concatenation of its words' keys (`keys.brand_key` of the run); a
    connecting "&", "+" or "and" is also tried as each of the others ("Wet & Forget")."""
    found: set[str] = set()
    for chunk in texts:
        words = _WORD.findall(chunk.translate(_MARKS).replace("-branded", " "))
        options = [
            _CONNECTORS if w.lower() in ("&", "+", "and") else (keys.brand_key(w) or "",)
            for w in words
        ]
        for i, word in enumerate(words):
            if not (word[:1].isupper() or word[:1].isdigit()) or word.lower() in _SENTENCE_START:
                continue
            prefixes = [""]
            for n in range(min(3, len(words) - i)):
                prefixes = [p + o for p in prefixes for o in options[i + n]]
                found.update(p for p in prefixes if len(p) >= 2)
    return sorted(found)


def _risk(entry: FeedEntry, hazard: str) -> str:
    if entry.risk_level in ("serious", "high", "medium", "low"):
        return entry.risk_level
    return "serious" if _SERIOUS.search(hazard) else "high"


def _identifier_location(description: str) -> str | None:
    found = text.sentences_with(description, _IDENTIFIER)
    joined = " ".join(found[:2]).strip()
    return joined[:1000] or None


def extract(entry: FeedEntry) -> Extraction:
    description = text.plain(entry.description)
    names = [text.plain(n) for n in entry.product_names if text.plain(n)]
    from_title = title_product(text.plain(entry.title))
    if from_title and from_title.lower() not in {n.lower() for n in names}:
        names.append(from_title)
    prose = [*names, description]
    gtins, written = codes.gtins(prose, entry.codes)
    models = codes.models(prose, entry.models)
    models = [m for m in models if not (m.isdigit() and any(m in g for g in gtins))]
    retail = text.plain(entry.retail_text)
    sold_from, sold_to = text.sale_window(retail)
    price = text.price(retail)
    hazard = text.plain(entry.hazard)
    remedy_text = text.plain(entry.remedy_text)
    contact = text.plain(entry.contact_text)
    brand = brand_of(entry, names[0] if names else "", description)
    return Extraction(
        title=text.plain(entry.title),
        brand=brand,
        product_names=names,
        models=models,
        model_keys=codes.model_keys(models),
        gtins=gtins,
        codes=written,
        lots=codes.lots(prose, entry.lots),
        sold_from=sold_from,
        sold_to=sold_to,
        price_low=str(price[0]) if price else None,
        price_high=str(price[1]) if price else None,
        units=text.units(entry.units_text) if entry.units_text else None,
        retailers=text.retailers(retail),
        hazard=hazard,
        remedies=text.remedies(list(entry.remedy_options), remedy_text),
        remedy_text=remedy_text,
        pictures=list(dict.fromkeys(p for p in entry.pictures if p)),
        url=entry.url,
        emails=text.emails(contact),
        phones=text.phones(contact),
        identifier_location=_identifier_location(description),
        description=description,
        recall_date=entry.recall_date,
        country=entry.country,
        risk_level=_risk(entry, hazard),
        kind=entry.kind,
        category=entry.category,
        brand_keys=_mention_keys(
            entry.title, *names, description[:1200], *entry.parties, brand or ""
        ),
    )
