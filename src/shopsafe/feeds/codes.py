"""Product codes in authority prose: UPC/EAN codes, model numbers, lot codes. Pure.

A code is only taken where the text introduces it ("model number", "UPC", "lot") or, for
GTINs, where a 12- or 13-digit number has a correct check digit; everything else in the
prose (dimensions, years, prices, serial ranges) is left alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from stdnum import ean

from shopsafe.ledger import keys

_GTIN_LEAD = re.compile(
    r"\b(?:UPCs?|EANs?|GTINs?|bar\s?codes?)(?:\s+(?:codes?|numbers?|nos?\.?|#))?\s*"
    r"(?:\([^)]{0,40}\)\s*)?(?:on\s+[\w\s]{0,30}?)?[:#]?\s*",
    re.IGNORECASE,
)
_DIGIT_RUN = re.compile(r"(?<![\w-])\d(?:[ -]?\d){6,16}(?![\w-])")
_BARE_GTIN = re.compile(r"(?<![\d-])(\d{12,14})(?![\d-])")
_MODEL_LEAD = re.compile(
    r"\b(?:models?|item|style|part|catalog(?:ue)?|article|SKU|REF)s?"
    r"(?:\s*(?:numbers?|nos?\.?|#|names?|codes?))?(?:\s*\((?:REF|SKU|#)\))?"
    r"\s*(?:is|are|includes?|including|:|#|-)?\s*",
    re.IGNORECASE,
)
_LOT_LEAD = re.compile(
    r"\b(?:lot|batch)(?:es|s)?(?:\s*(?:numbers?|nos?\.?|codes?|#))?\s*(?:is|are|:|#)?\s*",
    re.IGNORECASE,
)
_TOKEN = re.compile(r"(?<![\w*-])[A-Za-z0-9][A-Za-z0-9]*(?:[-/.][A-Za-z0-9]+)*(?![\w*])")
_SENTENCE_END = re.compile(r"\.\s+(?=[A-Z\"])|;|\n\s*\n|\s(?:The|This|These|It|They)\s")
_UNIT = re.compile(
    r"^\d+(?:\.\d+)?(?:V|W|A|AH|MAH|OZ|FL|LB|LBS|MM|CM|M|IN|FT|CC|BTU|MG|G|KG|ML|L|GAL|QT"
    r"|PC|PCS|PK|CT|HP|X\d+)$"
)
_DATEISH = re.compile(
    r"^(?:\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}|\d{4}[-/.]\d{1,2}(?:[-/.]\d{1,2})?|\d{1,2}[-/.]\d{4})$"
)
_YEARS = re.compile(r"^(?:19|20)\d\d[-/–](?:19|20)?\d\d$")
_NOT_CODES = {"UPC", "EAN", "GTIN", "SKU", "LOT", "REF", "NO", "NOS", "NUMBER", "MODEL"}


def gtin14(code: str) -> str | None:
    """The GTIN-14 of a UPC/EAN code if its check digit is right, else None."""
    digits = re.sub(r"[\s-]", "", code)
    if not digits.isdigit() or len(digits) not in (8, 12, 13, 14):
        return None
    return keys.gtin14(digits) if ean.is_valid(digits) else None


def _runs_to_gtins(segment: str) -> list[str]:
    found: list[str] = []
    for run in _DIGIT_RUN.findall(segment):
        whole = gtin14(run)
        parts = [whole] if whole else [gtin14(p) for p in re.split(r"[ -]", run)]
        found += [p for p in parts if p]
    return found


def gtins(texts: Iterable[str], listed: Iterable[str] = ()) -> tuple[list[str], list[str]]:
    """(GTIN-14s with a correct check digit, every code as written) from listed codes, codes
    introduced by "UPC"/"EAN"/"barcode", and bare 12–14 digit numbers in the text."""
    valid: list[str] = []
    written: list[str] = []
    for code in listed:
        text = str(code).strip()
        if text:
            written.append(text)
            valid += _runs_to_gtins(text)
    for text in texts:
        for lead in _GTIN_LEAD.finditer(text):
            segment = text[lead.end() : lead.end() + 400]
            segment = _SENTENCE_END.split(segment, maxsplit=1)[0]
            for run in _DIGIT_RUN.findall(segment):
                written.append(run)
            valid += _runs_to_gtins(segment)
        for bare in _BARE_GTIN.findall(text):
            found = gtin14(bare)
            if found:
                valid.append(found)
                written.append(bare)
    return list(dict.fromkeys(valid)), list(dict.fromkeys(written))


def plausible_model(token: str) -> bool:
    """A model number: has a digit, no lowercase words, is not a size, year, date or GTIN."""
    text = token.strip(".-/")
    upper = text.upper()
    if len(text) < 3 or len(text) > 40 or upper in _NOT_CODES:
        return False
    if not any(c.isdigit() for c in text) or sum(c.islower() for c in text) > 1:
        return False
    bare = re.sub(r"[-/.]", "", text)
    if _YEARS.match(text):
        return False
    if bare.isdigit():
        return 4 <= len(bare) <= 11 and not re.fullmatch(r"(?:19|20)\d\d", bare)
    return not (_UNIT.match(upper) or _DATEISH.match(text) or upper.startswith("$"))


def _segments(text: str, lead: re.Pattern[str], length: int) -> Iterable[str]:
    for found in lead.finditer(text):
        segment = text[found.end() : found.end() + length]
        yield _SENTENCE_END.split(segment, maxsplit=1)[0]


def models(texts: Iterable[str], listed: Iterable[str] = ()) -> list[str]:
    """Model, item and style numbers: listed ones, and those the text introduces."""
    found = [str(m).strip() for m in listed if str(m).strip()]
    for text in texts:
        for segment in _segments(text, _MODEL_LEAD, 600):
            found += [t.strip(".-/") for t in _TOKEN.findall(segment) if plausible_model(t)]
    return list(dict.fromkeys(found))[:60]


def lots(texts: Iterable[str], listed: Iterable[str] = ()) -> list[str]:
    """Lot and batch codes: listed ones, and those after "lot"/"batch" in the text."""
    found = [str(m).strip() for m in listed if str(m).strip()]
    for text in texts:
        for segment in _segments(text, _LOT_LEAD, 300):
            for token in _TOKEN.findall(segment):
                cleaned = token.strip(".-/")
                if (
                    len(cleaned) >= 3
                    and any(c.isdigit() for c in cleaned)
                    and sum(c.islower() for c in cleaned) <= 1
                    and not _DATEISH.match(cleaned)
                ):
                    found.append(cleaned)
    return list(dict.fromkeys(found))[:60]


def model_keys(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(k for v in values if (k := keys.model_key(v))))
