"""Checks on what a reporter types (pure, no database).

Tracking numbers of the carriers `shopsafe.ledger.tracking` knows (UPS, UPU S10, DHL,
USPS) must have the right check digit, so a mistyped digit is caught before anything is
looked up; numbers of other carriers are only checked for plausible characters. None of
this depends on the ledger, so it gives nothing away about which numbers exist.
"""

from __future__ import annotations

import re
from typing import Final

from shopsafe.ledger import keys, tracking

MAX_NUMBERS: Final = 200
_PLAUSIBLE = re.compile(r"[0-9A-Z]{8,40}")
_SPLIT = re.compile(r"[\s,;]+")
_WRONG_CHECK = re.compile(r"(.+) tracking number has a wrong check digit")
_POSTAL = re.compile(r"[0-9A-Za-z][0-9A-Za-z \-]{1,11}")


def split_numbers(text: str) -> list[str]:
    """Numbers typed into one box: separated by commas, semicolons or new lines. Blanks
    inside a number are allowed when the parts are not each a number of their own."""
    numbers: list[str] = []
    for line in re.split(r"[\n\r,;]+", text):
        chunk = line.strip()
        if not chunk:
            continue
        parts = [p for p in _SPLIT.split(chunk) if p]
        if len(parts) > 1 and all(tracking.detect_carrier(p) for p in parts):
            numbers.extend(parts)
        else:
            numbers.append(chunk)
    return numbers


def number_problem(number: str) -> str | None:
    """Why `number` cannot be a tracking number, or None when it can."""
    normal = tracking.normalise(number)
    if not normal:
        return "is empty"
    problem = tracking.validate(None, normal)
    if problem is None:
        return None
    wrong = _WRONG_CHECK.fullmatch(problem)
    if wrong:
        label = wrong.group(1)
        article = "an" if label[:1] in "AEIOS" else "a"  # "an S10", "a UPS"
        return (
            f"'{number}' looks like {article} {label} tracking number, but its check digit "
            "is wrong: a character is probably mistyped; please compare it with the label"
        )
    if _PLAUSIBLE.fullmatch(normal):
        return None
    return (
        f"'{number}' is not a tracking number: expected 8 to 40 letters and digits "
        "(for example 1Z… for UPS, RR…DE for a postal parcel, or the digits under the barcode)"
    )


def check_numbers(
    numbers: list[str], *, field: str = "tracking_numbers"
) -> tuple[list[str], list[str]]:
    """(normalised numbers without repeats, problems naming each bad number)."""
    problems: list[str] = []
    if len(numbers) > MAX_NUMBERS:
        return [], [f"{field}: at most {MAX_NUMBERS} tracking numbers in one report"]
    seen: dict[str, str] = {}
    for index, number in enumerate(numbers):
        problem = number_problem(number)
        if problem is not None:
            problems.append(f"{field}[{index}]: {problem}")
            continue
        seen.setdefault(keys.tracking_key(number), tracking.normalise(number))
    return list(seen.values()), problems


def check_postal_code(value: str) -> str:
    text = " ".join(value.split())
    if not _POSTAL.fullmatch(text):
        raise ValueError(f"'{value}' is not a postal code")
    return text
