"""Reading what authorities write in prose: sale windows, prices, units, retailers, remedies,
contacts. Pure functions, no database; `extraction.py` puts them together."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from decimal import Decimal

_MONTH_NAMES = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_MONTH_ABBR = {name.lower(): i for i, name in enumerate(calendar.month_abbr) if name}
_MONTH_ABBR["sept"] = 9
_MONTH = r"(?:" + "|".join(sorted([*_MONTH_NAMES, *_MONTH_ABBR], key=len, reverse=True)) + r")"
_YEAR = r"(?:19|20)\d{2}"


def _date_part(n: int) -> str:
    """A month with optional day and year ("December 2025", "May 2, 2024", "March"), or a
    bare year ("2019")."""
    return (
        rf"(?:(?P<m{n}>{_MONTH})\.?\s*(?:(?P<d{n}>\d{{1,2}})(?:st|nd|rd|th)?\b,?\s*)?"
        rf"(?P<y{n}>{_YEAR})?|(?P<yo{n}>{_YEAR}))"
    )


_RANGE = re.compile(
    r"(?:\b(?:from|between|beginning(?:\s+in)?|starting(?:\s+in)?)\s*)?"
    + _date_part(1)
    + r"\s*,?\s*(?:through|thru|to|until|till|and|-|–)\s*(?:(?P<present>present|date|today)\b|"
    + _date_part(2)
    + r")",
    re.IGNORECASE,
)
_SINGLE = re.compile(
    r"\b(?P<lead>in|during(?:\s+the\s+month\s+of)?|since|beginning\s+in|starting\s+in)\s+"
    + _date_part(1),
    re.IGNORECASE,
)
_PRICE = re.compile(
    r"\bfor\s+(?:about\s+|approximately\s+|around\s+|between\s+|up\s+to\s+|under\s+)*"
    r"\$\s?(?P<low>\d[\d,]*(?:\.\d{1,2})?)"
    r"(?:\s*(?:and|to|-|–)\s*\$\s?(?P<high>\d[\d,]*(?:\.\d{1,2})?))?",
    re.IGNORECASE,
)
_NUMBER = re.compile(r"(?P<n>\d[\d,]*(?:\.\d+)?)\s*(?P<million>million)?", re.IGNORECASE)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"(?<!\d)(?:\+?1[\s.-]?)?\(?\d{3}\)?[\s.-]\d{3}[\s.-]\d{4}(?!\d)")
_URL = re.compile(r"\b(?:https?://|www\.)[^\s\"'<>()]+", re.IGNORECASE)
_RETAIL_LEAD = re.compile(r"\b(?:from|beginning|starting|during|since)\b", re.IGNORECASE)
_RETAIL_NOISE = re.compile(
    r"\b(?:in[- ]stores?|stores|nationwide|exclusively|sold|online|at|on|through|via|by"
    r"|retail|and other [\w\s]+|other [\w\s]+ stores|in store)\b",
    re.IGNORECASE,
)
REMEDY_ORDER = ("refund", "replacement", "repair", "dispose")
_REMEDY_WORDS = {
    "refund": re.compile(r"\brefund", re.IGNORECASE),
    "replacement": re.compile(r"\breplace(?:ment|d)?\b", re.IGNORECASE),
    "repair": re.compile(r"\brepair", re.IGNORECASE),
    "dispose": re.compile(
        r"\b(?:dispos(?:e|al)|destroy|discard|throw\s+(?:it|them|\w+)?\s*away)", re.IGNORECASE
    ),
}
_REMEDY_OPTIONS = {"refund": "refund", "replace": "replacement", "repair": "repair"}
_REMEDY_OPTIONS |= {"replacement": "replacement", "dispose": "dispose"}


def _month_number(name: str | None) -> int | None:
    if not name:
        return None
    key = name.lower().rstrip(".")
    return _MONTH_NAMES.get(key) or _MONTH_ABBR.get(key)


def _bound(month: int | None, day: str | None, year: int, *, end: bool) -> dt.date:
    if month is None:
        return dt.date(year, 12, 31) if end else dt.date(year, 1, 1)
    last = calendar.monthrange(year, month)[1]
    if day and 1 <= int(day) <= last:
        return dt.date(year, month, int(day))
    return dt.date(year, month, last if end else 1)


def _year(found: re.Match[str], n: int) -> int | None:
    text = found.group(f"y{n}") or found.group(f"yo{n}")
    return int(text) if text else None


def sale_window(text: str) -> tuple[dt.date | None, dt.date | None]:
    """When it was sold: "from December 2025 through February 2026" → (2025-12-01,
    2026-02-28); "in May 2025" → the month; "since June 2024" → (2024-06-01, None)."""
    for found in _RANGE.finditer(text):
        m1, m2 = _month_number(found.group("m1")), _month_number(found.group("m2"))
        y1, y2 = _year(found, 1), _year(found, 2)
        if y1 is None and y2 is None:
            continue
        if found.group("present"):
            if y1 is not None:
                return _bound(m1, found.group("d1"), y1, end=False), None
            continue
        if y2 is None:  # "from March 2024 to May": the same year
            y2 = y1
        if y1 is None:  # "between January and November 2025"
            y1 = y2 if (m1 or 1) <= (m2 or 12) else (y2 or 0) - 1
        assert y1 is not None and y2 is not None
        start = _bound(m1, found.group("d1"), y1, end=False)
        stop = _bound(m2, found.group("d2"), y2, end=True)
        if start <= stop:
            return start, stop
    single = _SINGLE.search(text)
    if single:
        year = _year(single, 1)
        if year is not None:
            month, day = _month_number(single.group("m1")), single.group("d1")
            start = _bound(month, day, year, end=False)
            if single.group("lead").lower() == "since" or "beginning" in single.group("lead"):
                return start, None
            return start, _bound(month, day, year, end=True)
    return None, None


def price(text: str) -> tuple[Decimal, Decimal] | None:
    """The price range: "for about $30" → (30, 30); "for between $10 and $15" → (10, 15)."""
    found = _PRICE.search(text)
    if not found:
        return None
    low = Decimal(found.group("low").replace(",", ""))
    high = Decimal(found.group("high").replace(",", "")) if found.group("high") else low
    return (low, high) if low <= high else (high, low)


def units(text: str) -> int | None:
    """The number of units: "About 200" → 200; "About 1.2 million" → 1200000; the first
    number counts ("About 675 (In addition, about 14 were sold in Canada)" → 675)."""
    found = _NUMBER.search(text)
    if not found:
        return None
    value = Decimal(found.group("n").replace(",", "").rstrip("."))
    if found.group("million"):
        value *= 1_000_000
    return int(value)


def retailers(text: str) -> list[str]:
    """Where it was sold: "Kroger, Meijer and Winn-Dixie stores nationwide and online at
    Builtny.com from …" → ["Kroger", "Meijer", "Winn-Dixie", "Builtny.com"]."""
    cut = len(text)
    for pattern in (_RANGE, _SINGLE, _PRICE, _RETAIL_LEAD):
        found = pattern.search(text)
        if found:
            cut = min(cut, found.start())
    head = text[:cut]
    head = re.sub(r"\bat(?=www\.|[A-Z])", "at ", head)  # "online atwww.x.com"
    names: list[str] = []
    for part in re.split(r",|;|\band\b|\bor\b|&(?=\s)", head):
        name = " ".join(_RETAIL_NOISE.sub(" ", part).split()).strip(" .:-'\"")
        name = re.sub(r"^(?:the|and)\s+", "", name, flags=re.IGNORECASE)
        usable = len(name) >= 2 and not name.isdigit() and name.lower() not in {"the", "and"}
        if usable and name not in names:
            names.append(name)
    return names[:20]


def remedies(options: list[str], text: str) -> list[str]:
    """Remedies in the contract's words (refund, replacement, repair, dispose), from the
    authority's remedy options and the words of its remedy text."""
    found = set()
    for option in options:
        for word in re.split(r"[,/]|\band\b", option.lower()):
            mapped = _REMEDY_OPTIONS.get(word.strip())
            if mapped:
                found.add(mapped)
    for remedy, pattern in _REMEDY_WORDS.items():
        if pattern.search(text):
            found.add(remedy)
    return [r for r in REMEDY_ORDER if r in found]


def emails(text: str) -> list[str]:
    return list(dict.fromkeys(m.group(0).rstrip(".") for m in _EMAIL.finditer(text)))


def phones(text: str) -> list[str]:
    return list(dict.fromkeys(m.group(0).strip() for m in _PHONE.finditer(text)))


def urls(text: str) -> list[str]:
    found = []
    for match in _URL.finditer(text):
        url = match.group(0).rstrip(".,;:")
        found.append(url if url.lower().startswith("http") else "https://" + url)
    return list(dict.fromkeys(found))


def first_sentence(text: str, limit: int = 200) -> str:
    sentence = re.split(r"(?<=[.!?])\s+(?=[A-Z])", text.strip(), maxsplit=1)[0].rstrip(".")
    return sentence if len(sentence) <= limit else sentence[: limit - 1].rstrip() + "…"


def sentences_with(text: str, pattern: re.Pattern[str]) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+(?=[A-Z\"“])", text) if pattern.search(s)]


def plain(text: str | None) -> str:
    """Text with HTML entities and tags of the CPSC web export taken out, spaces folded."""
    if not text:
        return ""
    cleaned = re.sub(r"<[^>]{0,200}>", " ", text)
    cleaned = cleaned.replace("&nbsp;", " ").replace("&amp;", "&").replace("\u00a0", " ")
    cleaned = cleaned.replace("“", '"').replace("”", '"').replace("’", "'")
    return " ".join(cleaned.split())
