"""Checks for the import format's codes, done with maintained libraries (pure, no database)."""

from __future__ import annotations

import hashlib
import re

import pycountry
from email_validator import EmailNotValidError, validate_email
from stdnum import ean

_BCP47 = re.compile(r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*$")


def check_gtin(value: str) -> str:
    """A GTIN-8/12/13/14 with a correct check digit, returned as its digits."""
    digits = value.strip().replace(" ", "")
    if not digits.isdigit():
        raise ValueError("GTIN must contain digits only")
    if len(digits) not in (8, 12, 13, 14):
        raise ValueError(f"GTIN must have 8, 12, 13 or 14 digits, not {len(digits)}")
    if not ean.is_valid(digits):
        raise ValueError("GTIN check digit is wrong")
    return digits


def check_country(value: str) -> str:
    code = value.strip().upper()
    if len(code) != 2 or pycountry.countries.get(alpha_2=code) is None:
        raise ValueError(f"'{value}' is not an ISO 3166 alpha-2 country code")
    return code


def check_currency(value: str) -> str:
    code = value.strip().upper()
    if len(code) != 3 or pycountry.currencies.get(alpha_3=code) is None:
        raise ValueError(f"'{value}' is not an ISO 4217 currency code")
    return code


def check_email(value: str) -> str:
    try:
        result = validate_email(value.strip(), check_deliverability=False)
    except EmailNotValidError as error:
        raise ValueError(f"not a valid e-mail address: {error}") from None
    return str(result.normalized)


def check_language(value: str) -> str:
    text = value.strip()
    if not _BCP47.match(text):
        raise ValueError(f"'{value}' is not a BCP 47 language tag")
    primary, _, rest = text.replace("_", "-").partition("-")
    return primary.lower() + ("-" + rest if rest else "")


def digest_identifier(value: str) -> str:
    """SHA-256 (hex) of a payment fingerprint or device id, surrounding spaces removed.
    Only the digest is kept: brushing detection compares identifiers, never reads them."""
    text = value.strip()
    if not text:
        raise ValueError("must not be empty")
    return hashlib.sha256(text.encode()).hexdigest()
