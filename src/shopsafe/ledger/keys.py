"""Normal forms of the keys that join the ledger to recalls, reports and feeds.

Pure functions, no database. Recall matching (CONTRACT §5) compares brand and model
case-insensitively, ignoring spaces, hyphens and dots; lots case-insensitively; serials by
prefix and numeric rest.
"""

from __future__ import annotations

import hashlib
import re

_MODEL_NOISE = re.compile(r"[\s\-.]+")
_SERIAL = re.compile(r"^(.*?)(\d+)$")
_TRACKING_NOISE = re.compile(r"[\s\-]+")


def model_key(value: str | None) -> str | None:
    """`BR-200`, `br 200` and `B.R200` all become `BR200`."""
    if value is None:
        return None
    key = _MODEL_NOISE.sub("", value).upper()
    return key or None


def brand_key(value: str | None) -> str | None:
    return model_key(value)


def lot_key(value: str | None) -> str | None:
    if value is None:
        return None
    key = value.strip().upper()
    return key or None


def gtin14(digits: str) -> str:
    """A valid GTIN-8/12/13/14 (already checked) as 14 digits."""
    return digits.strip().zfill(14)


def split_serial(serial: str) -> tuple[str, int | None]:
    """`SN1001` → (`SN`, 1001); a serial without trailing digits has no number."""
    text = serial.strip()
    found = _SERIAL.match(text)
    if not found:
        return text.upper(), None
    digits = found.group(2)[-18:]
    return found.group(1).upper(), int(digits)


def postal_key(value: str) -> str:
    return re.sub(r"\s+", "", value).upper()


def tracking_key(value: str) -> str:
    return _TRACKING_NOISE.sub("", value).upper()


def address_key(
    *, country: str, postal_code: str, line1: str | None, line2: str | None, city: str | None
) -> str:
    """A stable digest of an address's normal form, so repeat deliveries share one row."""
    parts = [
        country.upper(),
        postal_key(postal_code),
        " ".join((line1 or "").lower().split()),
        " ".join((line2 or "").lower().split()),
        " ".join((city or "").lower().split()),
    ]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:40]


def offer_key(*, sku: str | None, gtin: str | None, brand: str | None, model: str | None) -> str:
    """How one seller's offer is told apart: SKU first, then GTIN, then brand + model."""
    if sku:
        return "sku:" + sku.strip()
    if gtin:
        return "gtin:" + gtin
    return "model:" + (brand_key(brand) or "") + "|" + (model_key(model) or "")
