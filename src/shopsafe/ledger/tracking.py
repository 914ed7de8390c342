"""Carrier tracking numbers: recognise, validate and generate them.

Pure functions, no database. Supported formats:

* **UPS** ``1Z`` numbers: ``1Z`` + 6-character shipper number + 2-digit service code +
  7-digit package number + check digit (18 characters). The check digit covers the 15
  characters after ``1Z``; letters count as digits the way UPS maps them
  (A=2, B=3, ... I=0, J=1, ... Z=7), odd positions weigh 1, even positions 2, mod 10.
* **UPU S10** postal items (``RR123456785DE``): 2 letters, 8 digits, a check digit with the
  weights 8 6 4 2 3 5 9 7 (mod 11), 2-letter country. Reported as carrier ``"POST"``.
* **DHL**: 10-digit DHL Express waybills (check digit = first 9 digits mod 7) and
  DHL Paket SSCC numbers: 18 digits with a GS1 mod-10 check digit, optionally preceded by
  the GS1 application identifier ``00`` (20 digits, ``00340434...``).
* **USPS** Intelligent Mail package barcodes: 22 digits starting with 92, 93, 94 or 95, and
  the older 20-digit numbers, both with a GS1 mod-10 check digit over the preceding digits.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from typing import Final

__all__ = [
    "CARRIERS",
    "detect_carrier",
    "gs1_check_digit",
    "is_valid_dhl",
    "is_valid_s10",
    "is_valid_ups",
    "is_valid_usps",
    "make_dhl",
    "make_s10",
    "make_ups",
    "make_usps",
    "normalise",
    "s10_check_digit",
    "ups_check_digit",
    "validate",
]

CARRIERS: Final = ("UPS", "DHL", "USPS", "POST")

_SEPARATORS = re.compile(r"[\s\-]+")
_UPS_SHAPE = re.compile(r"1Z[0-9A-Z]{16}")
_S10_SHAPE = re.compile(r"[A-Z]{2}[0-9]{9}[A-Z]{2}")
_DIGITS = re.compile(r"[0-9]+")
_S10_WEIGHTS: Final = (8, 6, 4, 2, 3, 5, 9, 7)
_ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"

# Names a shop may put into ``carrier``; postal operators all use S10 numbers.
_CARRIER_ALIASES: Final[dict[str, str]] = {
    "UPS": "UPS",
    "UNITEDPARCELSERVICE": "UPS",
    "DHL": "DHL",
    "DHLEXPRESS": "DHL",
    "DHLPAKET": "DHL",
    "DHLPARCEL": "DHL",
    "DHLECOMMERCE": "DHL",
    "USPS": "USPS",
    "UNITEDSTATESPOSTALSERVICE": "USPS",
    "POST": "POST",
    "ROYALMAIL": "POST",
    "DEUTSCHEPOST": "POST",
    "OSTERREICHISCHEPOST": "POST",
    "ÖSTERREICHISCHEPOST": "POST",
    "AUSTRIANPOST": "POST",
    "POSTAT": "POST",
    "LAPOSTE": "POST",
    "POSTNL": "POST",
    "SWISSPOST": "POST",
    "CANADAPOST": "POST",
    "CHINAPOST": "POST",
    "S10": "POST",
}


def normalise(number: str) -> str:
    """Strip blanks and hyphens and upper-case a tracking number."""
    return _SEPARATORS.sub("", number).upper()


# --- check digits -----------------------------------------------------------------------


def _ups_value(char: str) -> int:
    if char.isdigit():
        return int(char)
    return (ord(char) - ord("A") + 2) % 10


def ups_check_digit(body15: str) -> str:
    """Check digit for the 15 characters that follow ``1Z`` in a UPS tracking number."""
    body = body15.upper()
    if len(body) != 15 or any(c not in _ALNUM for c in body):
        raise ValueError("UPS body must be 15 letters or digits")
    total = 0
    for position, char in enumerate(body, start=1):
        value = _ups_value(char)
        total += value * 2 if position % 2 == 0 else value
    return str((10 - total % 10) % 10)


def gs1_check_digit(digits: str) -> str:
    """GS1 mod-10 check digit: weights 3, 1, 3, ... from the rightmost digit."""
    if not digits.isdigit() or not digits.isascii():
        raise ValueError("GS1 data must be digits")
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(digits)))
    return str((10 - total % 10) % 10)


def s10_check_digit(serial8: str) -> str:
    """UPU S10 check digit for the 8-digit serial number."""
    if len(serial8) != 8 or not serial8.isdigit() or not serial8.isascii():
        raise ValueError("S10 serial must be 8 digits")
    total = sum(int(d) * w for d, w in zip(serial8, _S10_WEIGHTS, strict=True))
    check = 11 - total % 11
    if check == 10:
        return "0"
    if check == 11:
        return "5"
    return str(check)


def _dhl_express_check_digit(first9: str) -> str:
    return str(int(first9) % 7)


# --- shapes and validators --------------------------------------------------------------


def _is_digits(n: str, length: int) -> bool:
    return len(n) == length and _DIGITS.fullmatch(n) is not None


def _ups_shape(n: str) -> bool:
    return _UPS_SHAPE.fullmatch(n) is not None


def _s10_shape(n: str) -> bool:
    return _S10_SHAPE.fullmatch(n) is not None


def _dhl_shape(n: str) -> bool:
    return _is_digits(n, 10) or _is_digits(n, 18) or (_is_digits(n, 20) and n.startswith("00"))


def _usps_shape(n: str) -> bool:
    if _is_digits(n, 22):
        return n[:2] in ("92", "93", "94", "95")
    return _is_digits(n, 20) and not n.startswith("00")


def is_valid_ups(number: str) -> bool:
    """True for a well-formed ``1Z`` number with a correct check digit."""
    n = normalise(number)
    return _ups_shape(n) and ups_check_digit(n[2:17]) == n[17]


def is_valid_s10(number: str) -> bool:
    """True for a well-formed UPU S10 item identifier with a correct check digit."""
    n = normalise(number)
    return _s10_shape(n) and s10_check_digit(n[2:10]) == n[10]


def is_valid_dhl(number: str) -> bool:
    """True for a DHL Express waybill or a DHL Paket SSCC with a correct check digit."""
    n = normalise(number)
    if not _dhl_shape(n):
        return False
    if len(n) == 10:
        return _dhl_express_check_digit(n[:9]) == n[9]
    sscc = n[2:] if len(n) == 20 else n
    return gs1_check_digit(sscc[:17]) == sscc[17]


def is_valid_usps(number: str) -> bool:
    """True for a USPS IMpb (22 digits) or 20-digit number with a correct check digit."""
    n = normalise(number)
    return _usps_shape(n) and gs1_check_digit(n[:-1]) == n[-1]


_CHECKS: Final[tuple[tuple[str, Callable[[str], bool], Callable[[str], bool]], ...]] = (
    ("UPS", _ups_shape, is_valid_ups),
    ("POST", _s10_shape, is_valid_s10),
    ("DHL", _dhl_shape, is_valid_dhl),
    ("USPS", _usps_shape, is_valid_usps),
)
_LABELS: Final[dict[str, str]] = {"UPS": "UPS", "POST": "S10 postal", "DHL": "DHL", "USPS": "USPS"}
# Formats each carrier prints on its labels (postal operators and DHL/USPS abroad use S10).
_ACCEPTS: Final[dict[str, tuple[str, ...]]] = {
    "UPS": ("UPS",),
    "DHL": ("DHL", "POST"),
    "USPS": ("USPS", "POST"),
    "POST": ("POST",),
}


def detect_carrier(number: str) -> str | None:
    """``"UPS"``, ``"DHL"``, ``"USPS"`` or ``"POST"`` (S10) for a valid number, else None."""
    n = normalise(number)
    for carrier, _shape, valid in _CHECKS:
        if valid(n):
            return carrier
    return None


def _canonical_carrier(carrier: str) -> str | None:
    key = re.sub(r"[^0-9A-ZÄÖÜ]", "", carrier.upper())
    return _CARRIER_ALIASES.get(key)


def _shape_matches(n: str, formats: tuple[str, ...]) -> str | None:
    for carrier, shape, _valid in _CHECKS:
        if carrier in formats and shape(n):
            return carrier
    return None


def validate(carrier: str | None, number: str) -> str | None:
    """None when ``number`` is a plausible tracking number for ``carrier``, else why not.

    ``carrier`` may be None (any known format) or a carrier name such as ``"UPS"``,
    ``"DHL"``, ``"USPS"``, ``"Royal Mail"`` or ``"POST"``. Numbers of carriers this module
    does not know (e.g. GLS, Hermes) are only checked for plausible characters and length.
    """
    n = normalise(number)
    if not n:
        return "tracking number is empty"
    detected = detect_carrier(n)
    canonical = _canonical_carrier(carrier) if carrier else None
    if carrier and canonical is None:
        if detected or re.fullmatch(r"[0-9A-Z]{6,40}", n):
            return None
        return "not a known tracking number format"
    formats = _ACCEPTS[canonical] if canonical else tuple(_LABELS)
    if detected in formats:
        return None
    shaped = _shape_matches(n, formats)
    if shaped is not None and detected is None:
        return f"{_LABELS[shaped]} tracking number has a wrong check digit"
    if detected is not None and canonical is not None:
        return f"looks like a {_LABELS[detected]} tracking number, not {carrier}"
    if canonical is not None:
        return f"not a known {carrier} tracking number format"
    return "not a known tracking number format"


# --- generators -------------------------------------------------------------------------

_UPS_SERVICES: Final = ("01", "02", "03", "03", "03", "12", "13", "42", "66", "68")
_USPS_PREFIXES: Final = ("9400111", "9400109", "9205590", "9361289", "9405510", "9505512")
_S10_SERVICES: Final = ("RR", "RX", "LX", "LY", "CP", "CX", "EE", "UA", "LA")


def _digits(rng: random.Random, count: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(count))


def _serial_digits(rng: random.Random, count: int, serial: int | None) -> str:
    """``count`` random digits, or digits unique for each ``serial`` below ``10**count``.

    A serial is scrambled by an affine map that is a bijection modulo ``10**count``, so
    consecutive serials do not give consecutive tracking numbers.
    """
    if serial is None:
        return _digits(rng, count)
    modulus = 10**count
    return f"{(serial * 7_340_033 + 4_790_017) % modulus:0{count}d}"


def make_ups(rng: random.Random, *, serial: int | None = None) -> str:
    """A random, valid UPS ``1Z`` tracking number (``serial`` fixes the package number)."""
    shipper = "".join(rng.choice(_ALNUM) for _ in range(6))
    body = shipper + rng.choice(_UPS_SERVICES) + _serial_digits(rng, 7, serial)
    return "1Z" + body + ups_check_digit(body)


def make_dhl(rng: random.Random, *, express: bool | None = None, serial: int | None = None) -> str:
    """A random, valid DHL number: a Paket SSCC (``00340434...``) or an Express waybill."""
    if express is None:
        express = rng.random() < 0.2
    if express:
        first9 = str(rng.randint(1, 9)) + _serial_digits(rng, 8, serial)
        return first9 + _dhl_express_check_digit(first9)
    data = "340434" + _serial_digits(rng, 11, serial)
    return "00" + data + gs1_check_digit(data)


def make_usps(rng: random.Random, *, serial: int | None = None) -> str:
    """A random, valid 22-digit USPS IMpb tracking number."""
    prefix = rng.choice(_USPS_PREFIXES)
    rest = 21 - len(prefix)
    tail = (
        _digits(rng, rest)
        if serial is None
        else _digits(rng, rest - 10) + _serial_digits(rng, 10, serial)
    )
    data = prefix + tail
    return data + gs1_check_digit(data)


def make_s10(rng: random.Random, country: str, *, serial: int | None = None) -> str:
    """A random, valid UPU S10 number of the postal operator of ``country`` (alpha-2)."""
    code = country.upper()
    if not re.fullmatch(r"[A-Z]{2}", code):
        raise ValueError("country must be an ISO 3166 alpha-2 code")
    number = _serial_digits(rng, 8, serial)
    return rng.choice(_S10_SERVICES) + number + s10_check_digit(number) + code
