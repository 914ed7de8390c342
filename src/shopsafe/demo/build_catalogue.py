"""Build ``data/cpsc_products.json`` from a CPSC Recalls API export (run by hand).

    python -m shopsafe.demo.build_catalogue PATH/cpsc_recalls_api_….json [--out FILE]

Picks about 150 recalled consumer products that a web shop could plausibly have sold (with
UPCs, model numbers, a price and a sale window where the record gives them) and writes compact
entries for the demo generator. CPSC records are US federal works in the public domain. The
package only ever reads the bundled output, never the export itself.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from stdnum import ean

DEFAULT_OUT = Path(__file__).resolve().parent / "data" / "cpsc_products.json"
PICK = 150

_MONTH_NAMES = (
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
)  # fmt: skip
_MONTHS = {m: i for i, m in enumerate(_MONTH_NAMES, start=1)}
_MONTH = r"(?:(" + "|".join(_MONTHS) + r")\s*)?(?:\d{1,2},\s*)?"
_WINDOW = re.compile(
    r"(?:from|between)\s*"
    + _MONTH
    + r"(\d{4})\s+(?:to|through|until|and)\s+"
    + _MONTH
    + r"(\d{4})",
    re.IGNORECASE,
)
_SINGLE_MONTH = re.compile(r"\bin\s+" + _MONTH + r"(\d{4})", re.IGNORECASE)
_PRICE = re.compile(r"\bfor\s+(?:between\s+)?(?:about\s+|approximately\s+)?\$([\d,]+(?:\.\d\d)?)")
_MODEL_LEAD = re.compile(
    r"\bmodels?\b(?:\s+(?:numbers?|nos?\.?|#|names?))?\s*(?:is|are|includes?|:)?\s*",
    re.IGNORECASE,
)
_MODEL_TOKEN = re.compile(r"(?<![\w-])[A-Z0-9][A-Z0-9\-./]*[A-Z0-9](?![\w-])")
_GTIN_IN_TEXT = re.compile(r"(?<!\d)(\d{12,13})(?!\d)")
_SELLER = re.compile(r"Sold (?:Exclusively )?(?:on|at|through) [\w.]+(?: ?\.com)? by ([^;]+)$")
_DBA = re.compile(r"\b(?:dba|d/b/a|doing business as)\s+(?:online seller\s+)?([^,;()]+)")
_COMPANY_SUFFIX = re.compile(
    r",?\s+(?:Inc\.?|LLC|L\.P\.|Ltd\.?|Co\.?|Company|Corporation|Corp\.?|Products|USA|US)$",
    re.IGNORECASE,
)
_NOT_MODELS = {
    "LED",
    "USB",
    "UPC",
    "SKU",
    "AND",
    "THE",
    "WITH",
    "ATV",
    "UTV",
    "ROV",
    "ROVS",
    "CPSC",
    "USA",
    "DATE",
    "CODE",
    "CODES",
    "NUMBER",
    "MODEL",
    "SERIES",
    "ITEM",
    "PACK",
    "SET",
    "SIZE",
    "COLOR",
}
_GENERIC_FIRST = {
    "adult",
    "adults",
    "baby",
    "children's",
    "childrens",
    "kids",
    "kids'",
    "kid's",
    "magnetic",
    "portable",
    "electric",
    "toddler",
    "youth",
    "infant",
    "high-powered",
    "model",
    "window",
    "crib",
    "multi-purpose",
    "glow",
    "led",
    "tabletop",
    "silicone",
    "bracelet",
    "air",
    "power",
    "dumbbell",
    "ceiling",
    "cabinet",
    "lavender",
    "metal",
    "wooden",
    "plush",
    "battery",
}
_NOT_MODEL_PATTERNS = re.compile(
    r"X{3,}|Y{3,}|MM|DD|(?:19|20)\d\d-(?:19|20)\d\d|^\d{1,2}-\d{1,2}$|^[\d.]+$"
    r"|^\d+(?:\.\d+)?(?:V|W|A|AH|MAH|OZ|LB|LBS|MM|CM|IN|FT|CC|BTU)$"
)
_SKIP_WORDS = ("snowmobile", "model year", "off-road", "off highway", "utility vehicle", "mower")


def _month_start(month: str | None, year: str) -> str:
    return f"{year}-{_MONTHS[month.lower()] if month else 1:02d}"


def _month_end(month: str | None, year: str) -> str:
    return f"{year}-{_MONTHS[month.lower()] if month else 12:02d}"


def sale_window(text: str) -> tuple[str | None, str | None]:
    """``("2025-02", "2025-10")`` from "from February 2025 to October 2025", if given."""
    found = _WINDOW.search(text)
    if found:
        m1, y1, m2, y2 = found.groups()
        return _month_start(m1, y1), _month_end(m2, y2)
    single = _SINGLE_MONTH.search(text)
    if single and single.group(1):
        month, year = single.groups()
        return _month_start(month, year), _month_end(month, year)
    return None, None


def price(text: str) -> str | None:
    """``"30.00"`` from "for about $30", the lower bound of "for between $23 and $30"."""
    found = _PRICE.search(text)
    if not found:
        return None
    return f"{float(found.group(1).replace(',', '')):.2f}"


def models(texts: Iterable[str], brand: str) -> list[str]:
    """Model numbers named after the word "model" in the product name or description."""
    out: list[str] = []
    for text in texts:
        for lead in _MODEL_LEAD.finditer(text):
            segment = re.split(
                r"\.\s|;|\s(?:The|This|It|They)\s", text[lead.end() : lead.end() + 160]
            )[0]
            for token in _MODEL_TOKEN.findall(segment):
                if _plausible_model(token, brand) and token not in out:
                    out.append(token)
    return out[:10]


def _plausible_model(token: str, brand: str) -> bool:
    if token in _NOT_MODELS or token.lower() == brand.lower() or "/" in token:
        return False
    if _NOT_MODEL_PATTERNS.search(token):
        return False
    bare = token.replace("-", "")
    if bare.isdigit():
        return 4 <= len(bare) < 12 and not re.fullmatch(r"(?:19|20)\d\d", bare)
    if any(c.isdigit() for c in token):
        return len(token) >= 3
    vowels = sum(c in "AEIOU" for c in token)
    return len(token) >= 6 and vowels / len(token) < 0.25


def upcs(record: dict[str, Any]) -> list[str]:
    """UPC/EAN numbers of the record (listed or in the description) with a valid check digit."""
    listed = [str(u.get("UPC", "")) for u in record.get("ProductUPCs") or []]
    found = _GTIN_IN_TEXT.findall(record.get("Description") or "")
    out: list[str] = []
    for raw in [*listed, *found]:
        digits = re.sub(r"\D", "", raw)
        if len(digits) in (12, 13) and bool(ean.is_valid(digits)) and digits not in out:
            out.append(digits)
    return out[:12]


def _parties(record: dict[str, Any]) -> list[str]:
    names: list[str] = []
    for key in ("Importers", "Distributors", "Manufacturers", "Retailers"):
        names += [str(p.get("Name") or "") for p in record.get(key) or []]
    return names


def company(record: dict[str, Any]) -> str | None:
    title = str(record.get("Title") or "")
    if " Recalls " not in title:
        return None
    name = title.split(" Recalls ")[0].strip()
    while (shorter := _COMPANY_SUFFIX.sub("", name)) != name:
        name = shorter
    return name.removeprefix("The ").strip() or None


def _generic(word: str, description: str) -> bool:
    if word.lower() in _GENERIC_FIRST or not word[:1].isupper():
        return True
    if "-" in word and any(part.islower() for part in word.split("-")[1:]):
        return True
    brandy = word.isupper() or any(c.isupper() for c in word[1:])
    prose = re.sub(r"\S+\.(?:com|net|org|gov)\S*|\S+@\S+", "", description)
    return not brandy and re.search(rf"\b{re.escape(word.lower())}s?\b", prose) is not None


def brand(record: dict[str, Any], product_name: str) -> str:
    """The brand a shop would list: an explicit "X brand" or "X®", the product name's
    leading brand word, else the recalling company."""
    title = str(record.get("Title") or "")
    description = str(record.get("Description") or "")
    for text in (title, product_name):
        explicit = re.search(r"^(\S+(?: \S+)?) [Bb]rand(?:ed)?\b", text)
        if explicit:
            return explicit.group(1).rstrip("®™")
    maker = company(record)
    if maker and product_name.lower().startswith(maker.lower()):
        return maker
    words = product_name.split()
    first = words[0].rstrip("®™,") if words else ""
    if first and not _generic(first, description):
        return _common_prefix(maker, product_name) or first
    marked = re.search(r"((?:[A-Z][\w+.-]* (?:&|\+) )?[A-Z][\w+&.-]*)®", title + " " + product_name)
    if marked:
        return marked.group(1)
    dba = next((m.group(1).strip() for p in _parties(record) if (m := _DBA.search(p))), None)
    return maker or dba or first or "Unbranded"


def _common_prefix(maker: str | None, product_name: str) -> str | None:
    """ "Good Earth" for maker "Good Earth Lighting" and product "Good Earth Lights"."""
    if not maker:
        return None
    common: list[str] = []
    for a, b in zip(maker.split(), product_name.split(), strict=False):
        if a.lower() != b.lower():
            break
        common.append(b)
    return " ".join(common) or None


def seller(record: dict[str, Any], fallback: str) -> str:
    """The online shop that sold it: "Sold on Amazon by X", a "dba" name, else the brand."""
    found = _SELLER.search(str(record.get("Title") or ""))
    name = found.group(1) if found else None
    for party in _parties(record):
        dba = _DBA.search(party)
        if dba and name is None:
            name = dba.group(1)
    name = re.sub(r"\s*\(.*?\)", "", name or "").strip(" .")
    return name or fallback


_COUNTRIES = {
    "China": "CN", "Hong Kong": "HK", "Taiwan": "TW", "Canada": "CA", "United Kingdom": "GB",
    "England": "GB", "Germany": "DE", "India": "IN", "Netherlands": "NL", "Armenia": "AM",
    "Vietnam": "VN", "Korea": "KR", "Japan": "JP", "Australia": "AU", "Sweden": "SE",
    "Italy": "IT", "France": "FR", "Denmark": "DK", "Israel": "IL", "Mexico": "MX",
}  # fmt: skip


def seller_country(record: dict[str, Any]) -> str:
    """Where the importer, distributor or maker sits (ISO alpha-2), "US" when not said."""
    for party in _parties(record)[:3]:
        for name, code in _COUNTRIES.items():
            if name in party:
                return code
    return "US"


def _units(text: str) -> int | None:
    digits = re.search(r"[\d,]+", text)
    return int(digits.group(0).replace(",", "")) if digits else None


def _hazard(record: dict[str, Any]) -> str:
    hazards = record.get("Hazards") or [{}]
    text = str(hazards[0].get("Name") or "")
    if len(text) <= 300:
        return text
    cut = text[:300].rsplit(". ", 1)[0]
    return cut + "." if len(cut) > 80 else text[:297] + "..."


def entry(record: dict[str, Any]) -> dict[str, Any] | None:
    """A compact catalogue entry, or None if the record is no use to the demo shop."""
    products = record.get("Products") or []
    if not products:
        return None
    name = str(products[0].get("Name") or "").strip()
    retail = " ".join(str(r.get("Name") or "") for r in record.get("Retailers") or [])
    unit_price = price(retail)
    sold_from, sold_to = sale_window(retail)
    text = f"{record.get('Title')} {name}".lower()
    if (
        not name
        or unit_price is None
        or float(unit_price) < 1
        or any(w in text for w in _SKIP_WORDS)
    ):
        return None
    the_brand = brand(record, name)
    images = record.get("Images") or []
    return {
        "recall_number": str(record["RecallNumber"]),
        "recall_date": str(record["RecallDate"])[:10],
        "brand": the_brand,
        "seller": seller(record, the_brand),
        "seller_country": seller_country(record),
        "product_name": name,
        "models": models([name, str(record.get("Description") or "")], the_brand),
        "upcs": upcs(record),
        "price": unit_price,
        "sold_from": sold_from,
        "sold_to": sold_to,
        "online": "online" in retail.lower() or "amazon" in retail.lower(),
        "hazard": _hazard(record),
        "image": str(images[0].get("URL")) if images else None,
        "units": _units(str(products[0].get("NumberOfUnits") or "")),
        "remedies": sorted(
            {
                str(o.get("Option"))
                for o in record.get("RemedyOptions") or []
                if len(str(o.get("Option"))) < 20
            }
        ),
        "url": record.get("URL"),
    }


def _score(item: dict[str, Any]) -> int:
    score = 6 * bool(item["upcs"]) + 4 * bool(item["models"]) + 2 * bool(item["online"])
    score += 3 * bool(item["sold_from"]) + bool(re.fullmatch(r"[A-Z]{3,}", item["brand"]))
    return score - 3 * (float(item["price"]) > 1500)


def select(records: Sequence[dict[str, Any]], count: int = PICK) -> list[dict[str, Any]]:
    """The ``count`` most useful entries, deterministic, newest recall first among equals."""
    by_name: dict[str, dict[str, Any]] = {}
    for record in sorted(records, key=lambda r: str(r.get("RecallNumber"))):
        item = entry(record)
        if item is not None:  # a later recall (an expansion) replaces an earlier one
            by_name[item["product_name"].lower()] = item
    entries = list(by_name.values())
    entries.sort(key=lambda e: (-_score(e), e["recall_date"], e["recall_number"]), reverse=False)
    chosen = entries[:count]
    chosen.sort(key=lambda e: e["recall_number"])
    return chosen


def _dump(payload: dict[str, Any]) -> str:
    """Compact JSON with one product per line, so that diffs stay readable."""
    products = payload["products"]
    head = {k: v for k, v in payload.items() if k != "products"}
    lines = [json.dumps(p, ensure_ascii=False, separators=(",", ":")) for p in products]
    opening = json.dumps(head, ensure_ascii=False)[:-1] + ', "products": [\n'
    return opening + ",\n".join(lines) + "\n]}\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("source", type=Path, help="CPSC Recalls API JSON export")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--count", type=int, default=PICK)
    args = parser.parse_args(argv)
    records = json.loads(args.source.read_text(encoding="utf-8"))
    chosen = select(records, args.count)
    payload = {
        "source": "U.S. Consumer Product Safety Commission, Recalls API (public domain)",
        "products": chosen,
    }
    args.out.write_text(_dump(payload), encoding="utf-8")
    size = args.out.stat().st_size
    print(f"wrote {len(chosen)} products ({size // 1024} KB) to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
