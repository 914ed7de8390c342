"""The report form's problems in the reader's words and language.

The API answers with the problems as the checks word them (English, `field[index]`,
stable for programs). The page for people says the same in the reader's language, names
the field as the form labels it and counts numbers and photos from 1. A problem no rule
knows is shown as it is. Pure: the caller passes the language's gettext.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Final


def N_(message: str) -> str:
    """Marks a text for the catalogue; it is translated where it is shown."""
    return message


FIELDS: Final = {
    "tracking_numbers": N_("Tracking numbers"),
    "postal_code": N_("Postal code"),
    "country": N_("Country"),
    "email": N_("E-mail"),
    "name": N_("Name"),
    "note": N_("Note"),
    "photos": N_("Photos"),
}
NUMBER: Final = N_("Tracking number %(position)s")
PHOTO: Final = N_("Photo %(position)s (%(name)s)")

_WHERE = re.compile(
    r"(?P<where>photos\[(?P<photo>\d+)\] '(?P<file>.*?)'"
    r"|tracking_numbers(?:\[(?P<number>\d+)\]|\.(?P<dotted>\d+))?"
    r"|[a-z_]+): (?P<message>.*)",
    re.S,
)
RULES: Final[tuple[tuple[re.Pattern[str], str], ...]] = tuple(
    (re.compile(pattern, re.S), message)
    for pattern, message in (
        (r"'(?P<number>.*)' looks like an? (?P<carrier>.+?) tracking number, but its check digit "
         r"is wrong.*",
         N_("%(number)s looks like a %(carrier)s tracking number, but its check digit is wrong: "
            "a character is probably mistyped. Please compare it with the label.")),
        (r"'(?P<number>.*)' is not a tracking number.*",
         N_("%(number)s is not a tracking number. Tracking numbers have 8 to 40 letters and "
            "digits, for example 1Z… for UPS, RR…DE for a postal parcel, or the digits under "
            "the barcode.")),
        (r"is empty", N_("is empty.")),
        (r"at most (?P<count>\d+) tracking numbers in one report",
         N_("at most %(count)s tracking numbers in one report.")),
        (r"give at least one tracking number or a photo of a shipping label",
         N_("give at least one tracking number or a photo of a shipping label.")),
        (r"'(?P<value>.*)' is not a postal code", N_("%(value)s is not a postal code.")),
        (r"'(?P<value>.*)' is not an ISO 3166 alpha-2 country code",
         N_("%(value)s is not a country we know.")),
        (r"not a valid e-mail address.*", N_("this is not a valid e-mail address.")),
        (r"String should have at most (?P<count>\d+) characters?",
         N_("at most %(count)s characters.")),
        (r"String should have at least 1 character", N_("please fill this in.")),
        (r"Field required", N_("please fill this in.")),
        (r"List should have at most (?P<count>\d+) items.*", N_("at most %(count)s entries.")),
        (r"only a QR code was found.*",
         N_("only a QR code was found. We never open QR codes on parcels nobody ordered, "
            "because they can lead to phishing sites; please type the tracking number printed "
            "on the label.")),
        (r"the barcodes on it hold no tracking number we know.*",
         N_("the barcodes on it hold no tracking number we know; please type the tracking "
            "number printed on the label.")),
        (r"no barcode found.*",
         N_("no barcode found. Take the photo again straight on, in good light, with the "
            "whole label in the picture, or type the tracking number.")),
        (r"is not an image.*", N_("is not an image; please send a PNG or JPEG photo.")),
        (r"is a (?P<kind>\w+) file.*", N_("is a %(kind)s file; please send a PNG or JPEG photo.")),
        (r"the file is empty", N_("the file is empty.")),
        (r"(?P<size>.+) is more than the limit of 10 MB per photo",
         N_("%(size)s is more than the limit of 10 MB per photo.")),
        (r"is damaged or incomplete.*",
         N_("is damaged or incomplete; please send the photo again.")),
        (r"has too many pixels.*", N_("has too many pixels.")),
        (r"not read, the photos before it took all the time",
         N_("not read: the photos before it took all the time. Please send it again on its own.")),
        (r"at most (?P<count>\d+) photos, not (?P<given>\d+)",
         N_("at most %(count)s photos, not %(given)s.")),
    )
)  # fmt: skip


def for_reader(problems: Sequence[str], gettext: Callable[[str], str]) -> list[str]:
    """Each problem as the form's reader should read it."""
    return [_one(problem, gettext) for problem in problems]


def _one(problem: str, gettext: Callable[[str], str]) -> str:
    found = _WHERE.fullmatch(problem)
    if found is None:
        return problem
    message = found.group("message")
    for pattern, text in RULES:
        said = pattern.fullmatch(message)
        if said is not None:
            message = gettext(text) % said.groupdict()
            break
    return f"{_where(found, gettext)}: {message}"


def _where(found: re.Match[str], gettext: Callable[[str], str]) -> str:
    if found.group("photo") is not None:
        position = int(found.group("photo")) + 1
        return gettext(PHOTO) % {"position": position, "name": found.group("file")}
    number = found.group("number") or found.group("dotted")
    if number is not None:
        return gettext(NUMBER) % {"position": int(number) + 1}
    field = found.group("where")
    return gettext(FIELDS[field]) if field in FIELDS else field
