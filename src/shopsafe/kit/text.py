"""Checks for text that people and other systems send us (Pydantic `AfterValidator`s).

`check_plain`: no control characters but tab, line feed and carriage return. PostgreSQL's
text cannot hold NUL at all, and the others only garble notices, e-mails and CSV files.
`check_web_address`: an `http://` or `https://` address with a host, for what a page or an
e-mail puts into `<img src>` (never `javascript:`, `data:` or `file:`).
Both raise PydanticCustomError (a ValueError), whose message Pydantic reports as it is.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from pydantic_core import PydanticCustomError

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_BREAKS = re.compile(r"[\t\n\r]")
WEB_SCHEMES = ("http", "https")


def check_plain(value: str) -> str:
    found = _CONTROL.search(value)
    if found:
        code = f"U+{ord(found.group()):04X}"
        name = "the NUL character" if code == "U+0000" else f"the control character {code}"
        raise PydanticCustomError(
            "plain_text", f"contains {name}; no control characters but tabs and line breaks"
        )
    return value


def is_web_address(value: str) -> bool:
    if _BREAKS.search(value):
        return False
    try:
        parts = urlsplit(value)
        _port = parts.port  # raises for a port that is no number or out of range
    except ValueError:  # a bad IPv6 literal or port
        return False
    return parts.scheme in WEB_SCHEMES and bool(parts.hostname)


def check_web_address(value: str) -> str:
    if not is_web_address(value):
        raise PydanticCustomError(
            "web_address",
            "must be a web address that starts with https:// or http:// and names a host "
            "(for example https://example.com/picture.jpg)",
        )
    return value
