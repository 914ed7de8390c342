"""The reporter's private status link: `/unsolicited/cases/{number}/{key}`.

The key is an HMAC of the case number and a random per-case salt under the server's secret
key; only the salt is stored, so a copy of the database alone opens no case.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from urllib.parse import quote

from shopsafe.config import get_settings


def access_key(number: str, salt: str, *, secret: str | None = None) -> str:
    key = (secret or get_settings().resolved_secret_key()).encode()
    mac = hmac.new(key, f"shopsafe.unsolicited-case:{number}:{salt}".encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(mac.digest()[:18]).decode()


def key_matches(number: str, salt: str, given: str | None, *, secret: str | None = None) -> bool:
    if not given or len(given) > 100:
        return False
    return hmac.compare_digest(access_key(number, salt, secret=secret).encode(), given.encode())


def status_url(base_url: str, number: str, salt: str, *, secret: str | None = None) -> str:
    key = access_key(number, salt, secret=secret)
    return f"{base_url.rstrip('/')}/unsolicited/cases/{quote(number)}/{key}"
