"""Which offers of the catalogue an authority record concerns, with a confidence and the
evidence for it. Pure: the repository narrows the catalogue to offers that share a lookup
key with the record (`lookup_keys`); nothing else can score. See docs/adr/0012.

Rules, strongest first:
- GTIN: the offer's GTIN is one the record lists (UPC/EAN with a correct check digit).
- Model: the offer's normalised model number is one the record names, and the record names
  the offer's brand; a model without the brand, or a model that only extends one the record
  names, is weaker.
- Name: the record names the offer's brand and the product names are similar (rapidfuzz
  token ratios on the words other than the brand). A name alone never reaches the automatic
  band. An offer whose model or GTIN contradicts what the record lists loses confidence.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz

from shopsafe.feeds.extraction import Extraction

GTIN, MODEL, NAME = "gtin", "model", "name"
AUTO, REVIEW = "auto", "review"
NAME_FLOOR = 70.0  # name similarity (0–100) below which a name says nothing
_STOP = {
    "the", "and", "a", "an", "of", "for", "with", "in", "to", "by", "on", "or", "recalled",
    "recalls", "recall", "branded", "brand", "model", "models", "new", "set", "sets", "pack",
}  # fmt: skip
_WORD = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class Thresholds:
    """Confidence at or above `auto` prepares a recall by itself; at or above `review` the
    pair waits for an operator; below it is not kept."""

    auto: float = 0.9
    review: float = 0.6

    def __post_init__(self) -> None:
        if not 0 < self.review <= self.auto <= 1:
            raise ValueError(
                f"thresholds must satisfy 0 < review ({self.review}) ≤ auto ({self.auto}) ≤ 1"
            )

    def band(self, confidence: float) -> str | None:
        if confidence >= self.auto:
            return AUTO
        if confidence >= self.review:
            return REVIEW
        return None


@dataclass(frozen=True)
class Offer:
    """An offer of the catalogue as the matcher sees it (keys already normalised)."""

    id: int
    gtin: str | None
    brand_key: str | None
    model_key: str | None
    name: str | None
    brand: str | None = None
    model: str | None = None


@dataclass(frozen=True)
class Candidate:
    offer_id: int
    method: str
    confidence: float
    evidence: tuple[str, ...]


@dataclass(frozen=True)
class LookupKeys:
    gtins: frozenset[str]
    model_keys: frozenset[str]
    brand_keys: frozenset[str]


def lookup_keys(record: Extraction) -> LookupKeys:
    """The keys an offer must share with the record to score at all."""
    return LookupKeys(
        gtins=frozenset(record.gtins),
        model_keys=frozenset(record.model_keys),
        brand_keys=frozenset(record.brand_keys),
    )


def name_words(text: str, brand_key: str | None) -> str:
    """Lower-case words without stop words, the brand and plural endings."""
    brand = (brand_key or "").lower()
    words = []
    for word in _WORD.findall(text.lower()):
        if word in _STOP or word == brand:
            continue
        if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
            word = word[:-1]
        words.append(word)
    return " ".join(words)


def name_similarity(offer_name: str, record_names: Iterable[str], brand_key: str | None) -> float:
    """0–100: the best mean of token-set and token-sort ratio against any record name."""
    mine = name_words(offer_name, brand_key)
    best = 0.0
    for name in record_names:
        theirs = name_words(name, brand_key)
        if not mine or not theirs:
            continue
        score = (fuzz.token_set_ratio(mine, theirs) + fuzz.token_sort_ratio(mine, theirs)) / 2
        best = max(best, score)
    return best


def _distinctive(model_key: str) -> bool:
    has_letter = any(c.isalpha() for c in model_key)
    has_digit = any(c.isdigit() for c in model_key)
    return (len(model_key) >= 5 and has_digit) or (len(model_key) >= 3 and has_letter and has_digit)


def _model_evidence(record: Extraction, offer: Offer, brand_named: bool) -> Candidate | None:
    key = offer.model_key
    if not key:
        return None
    shown = offer.model or key
    if key in record.model_keys:
        if brand_named and _distinctive(key):
            return Candidate(offer.id, MODEL, 0.95, (f"model {shown} and brand named",))
        if brand_named:
            return Candidate(offer.id, MODEL, 0.8, (f"short model {shown}; brand named",))
        if len(key) >= 6 and _distinctive(key):
            return Candidate(offer.id, MODEL, 0.75, (f"model {shown}; brand not named",))
        return None
    near = [
        m for m in record.model_keys if len(m) >= 5 and (key.startswith(m) or m.startswith(key))
    ]
    if near and brand_named:
        return Candidate(offer.id, MODEL, 0.8, (f"model {shown} extends {near[0]}; brand named",))
    return None


def _gtin_evidence(
    record: Extraction, offer: Offer, brand_named: bool, brand_note: str
) -> Candidate:
    """A listed GTIN is near-certain; when neither brand nor name agree, the authority's
    list may be wrong (it happens), so a person looks first."""
    note = f"GTIN {offer.gtin} listed by the authority"
    if brand_named:
        return Candidate(offer.id, GTIN, 1.0, (note, brand_note))
    similarity = name_similarity(offer.name or "", record.product_names, offer.brand_key)
    if similarity >= 50:
        return Candidate(offer.id, GTIN, 0.95, (note, f"product name {similarity:.0f}% similar"))
    return Candidate(
        offer.id, GTIN, 0.85, (note, "but neither the brand nor the product name agree")
    )


def _conflicts(record: Extraction, offer: Offer, method: str) -> list[str]:
    found = []
    if offer.gtin and record.gtins and offer.gtin not in record.gtins and method != GTIN:
        found.append(f"the offer's GTIN {offer.gtin} is not among the {len(record.gtins)} listed")
    if (
        offer.model_key
        and record.model_keys
        and method == NAME
        and offer.model_key not in record.model_keys
    ):
        found.append(f"the offer's model {offer.model or offer.model_key} is not among those named")
    return found


def score(record: Extraction, offer: Offer) -> Candidate | None:
    """The best evidence that the record concerns the offer, or None."""
    brand_named = bool(offer.brand_key and offer.brand_key in record.brand_keys)
    brand_note = f"brand {offer.brand or offer.brand_key} named in the record"
    best: Candidate | None = None
    if offer.gtin and offer.gtin in record.gtins:
        best = _gtin_evidence(record, offer, brand_named, brand_note)
    if best is None:
        best = _model_evidence(record, offer, brand_named)
    if best is None and brand_named and offer.name:
        similarity = name_similarity(offer.name, record.product_names, offer.brand_key)
        if similarity >= NAME_FLOOR:
            confidence = 0.55 + 0.3 * (similarity - NAME_FLOOR) / (100 - NAME_FLOOR)
            notes = (brand_note, f"product name {similarity:.0f}% similar")
            best = Candidate(offer.id, NAME, round(confidence, 3), notes)
    if best is None:
        return None
    conflicts = _conflicts(record, offer, best.method)
    if conflicts:
        lowered = max(0.0, best.confidence - 0.3 * len(conflicts))
        best = Candidate(offer.id, best.method, round(lowered, 3), best.evidence + tuple(conflicts))
    return best


def match(record: Extraction, offers: Iterable[Offer]) -> list[Candidate]:
    """Every offer the record may concern, most confident first."""
    found = [c for offer in offers if (c := score(record, offer)) is not None]
    return sorted(found, key=lambda c: (-c.confidence, c.offer_id))


class CatalogIndex:
    """Offers by GTIN, model key and brand key: the narrowing the repository does in SQL,
    for a batch of records at once (and for the benchmark)."""

    def __init__(self, offers: Iterable[Offer]) -> None:
        self._by: dict[str, dict[str, list[Offer]]] = {
            "gtin": defaultdict(list),
            "model": defaultdict(list),
            "brand": defaultdict(list),
        }
        for offer in offers:
            for kind, value in (
                ("gtin", offer.gtin),
                ("model", offer.model_key),
                ("brand", offer.brand_key),
            ):
                if value:
                    self._by[kind][value].append(offer)

    def sharing(self, wanted: LookupKeys) -> list[Offer]:
        """The offers that share a lookup key with a record, each once."""
        found: dict[int, Offer] = {}
        for kind, values in (
            ("gtin", wanted.gtins),
            ("model", wanted.model_keys),
            ("brand", wanted.brand_keys),
        ):
            for value in values:
                for offer in self._by[kind].get(value, ()):
                    found[offer.id] = offer
        return list(found.values())
