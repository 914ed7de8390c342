"""What a recall notice must say (EU GPSR Art. 36/37) and must not say. Pure functions.

`problems(recall)` returns one line per problem, named by field, so that a rejected notice
gets every problem at once.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

CORRECTIVE = {"refund", "replacement", "repair"}

# Wording that makes the risk sound smaller than it is, in every language we check.
MINIMISING: dict[str, list[str]] = {
    "en": [
        r"voluntar(?:y|ily)",
        r"precautionary",
        r"as a precaution",
        r"out of an abundance of caution",
        r"(?:in )?rare (?:situations|cases|circumstances|instances)",
        r"(?:very |extremely )?rarely",
        r"no (?:known )?(?:accidents|injuries|incidents)(?: have been| were)? reported",
        r"no reports? of (?:accidents|injuries|incidents)",
        r"no (?:accidents|injuries|incidents) (?:are|is) known",
    ],
    "de": [
        r"freiwillig\w*",
        r"vorsorglich\w*",
        r"vorsichtshalber",
        r"aus (?:reiner )?vorsicht",
        r"in (?:sehr |äußerst )?seltenen fällen",
        r"(?:sehr |äußerst )?selten",
        r"keine (?:unfälle|verletzungen|vorfälle|schäden)(?: sind)? bekannt",
        r"(?:es )?(?:wurden|sind) keine (?:unfälle|verletzungen|vorfälle) (?:gemeldet|bekannt)",
    ],
    "fr": [r"volontaire", r"par (?:mesure de )?précaution", r"dans de rares cas"],
    "nl": [r"vrijwillig\w*", r"uit voorzorg", r"in zeldzame gevallen"],
}
_PATTERNS = {
    language: re.compile(r"\b(?:" + "|".join(words) + r")\b", re.IGNORECASE)
    for language, words in MINIMISING.items()
}
_ALL = re.compile("|".join(p.pattern for p in _PATTERNS.values()), re.IGNORECASE)
REQUIRED_RECALL = ("product_name", "brand", "hazard", "instructions", "identifier_location")
REQUIRED_WARNING = ("product_name", "hazard", "instructions")
TEXT_FIELDS = (
    "title",
    "product_name",
    "hazard",
    "instructions",
    "identifier_location",
    "sold_where",
)


def _text(data: Mapping[str, Any], name: str) -> str | None:
    value = data.get(name)
    return value if isinstance(value, str) and value.strip() else None


def _texts(data: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    for name in TEXT_FIELDS:
        value = _text(data, name)
        if value:
            yield name, value
    translations = data.get("translations")
    if isinstance(translations, Mapping):
        for language, translation in translations.items():
            if isinstance(translation, Mapping):
                for name in TEXT_FIELDS:
                    value = _text(translation, name)
                    if value:
                        yield f"translations.{language}.{name}", value


def minimising_wording(data: Mapping[str, Any]) -> list[str]:
    """Every text field that plays the risk down, with the words found."""
    found = []
    for field, text in _texts(data):
        hits = sorted({m.group(0).lower() for m in _ALL.finditer(text)})
        if hits:
            words = ", ".join(f"'{hit}'" for hit in hits)
            found.append(f"{field}: minimises the risk ({words}); say plainly what the danger is")
    return found


def _list(data: Mapping[str, Any], name: str) -> list[Any]:
    value = data.get(name)
    return value if isinstance(value, list) else []


def missing_content(data: Mapping[str, Any]) -> list[str]:
    """The elements a notice of this kind must have (Art. 36), and the remedies (Art. 37)."""
    kind = data.get("kind")
    if kind not in ("recall", "safety_warning", "withdrawal"):
        return []
    required = {"recall": REQUIRED_RECALL, "safety_warning": REQUIRED_WARNING}.get(
        kind, ("product_name",)
    )
    problems = [f"{name}: is required for a {kind}" for name in required if not _text(data, name)]
    contact = data.get("contact")
    has_contact = isinstance(contact, Mapping) and any(
        isinstance(contact.get(k), str) and contact.get(k) for k in ("phone", "email", "url")
    )
    if kind != "withdrawal" and not has_contact:
        problems.append("contact: give a free phone number, e-mail address or web address")
    remedies = [r for r in _list(data, "remedies") if isinstance(r, str)]
    if kind == "recall":
        if not _list(data, "images"):
            problems.append("images: a recall needs at least one picture of the product")
        if len(CORRECTIVE & set(remedies)) < 2:
            problems.append(
                "remedies: a recall must offer at least two of refund, replacement, repair"
            )
    if len(set(remedies)) != len(remedies):
        problems.append("remedies: a remedy is listed twice")
    return problems


def criteria_problems(data: Mapping[str, Any]) -> list[str]:
    criteria = data.get("criteria")
    if not isinstance(criteria, Mapping):
        return []
    if not any(_list(criteria, name) for name in ("gtins", "skus", "models")):
        return ["criteria: give at least one of gtins, skus, models to identify the product"]
    return []


def problems(data: Mapping[str, Any]) -> list[str]:
    """Every reason this notice may not be saved or published, or none. Works on the raw
    request as well as on a validated recall, so that all problems are reported at once."""
    return missing_content(data) + criteria_problems(data) + minimising_wording(data)
