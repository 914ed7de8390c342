"""CSRF tokens for every form (synchroniser tokens, HMAC-bound to the browser).

A form's token is HMAC-SHA256(secret key, binding): the binding is the signed-in session's
digest, or, before sign-in, the random value of the visitor cookie. A POST is accepted only
when its token matches the browser's current binding, and, when the browser sends an
`Origin` header, that origin is this site. See ADR 0007.
"""

from __future__ import annotations

import hashlib
import hmac
from urllib.parse import urlsplit

from shopsafe.config import get_settings
from shopsafe.kit.errors import Forbidden

FIELD = "csrf_token"


class CsrfRefused(Forbidden):
    code = "csrf_failed"


_keys: dict[int, bytes] = {}


def _key() -> bytes:
    """The secret key of the current settings (read from `var/secret_key` once)."""
    settings = get_settings()
    key = _keys.get(id(settings))
    if key is None:
        key = _keys[id(settings)] = settings.resolved_secret_key().encode()
    return key


def token_for(binding: str) -> str:
    return hmac.new(_key(), b"shopsafe.csrf:" + binding.encode(), hashlib.sha256).hexdigest()


def check(*, token: str | None, binding: str | None, origin: str | None, host: str) -> None:
    """Raises `CsrfRefused` unless the token belongs to this browser and the request comes
    from this site."""
    if origin and origin != "null" and not _same_site(origin, host):
        raise CsrfRefused("this form was sent from another site")
    expected = token_for(binding).encode() if binding else b""
    if not token or not binding or not hmac.compare_digest(token.encode(), expected):
        raise CsrfRefused("this form has expired or was not sent from this site; please try again")


def _same_site(origin: str, host: str) -> bool:
    """Whether the Origin header names this server (as the request reached it, or as the
    configured base URL names it behind a proxy)."""
    sent = urlsplit(origin).netloc.lower()
    own = {host.lower(), urlsplit(get_settings().base_url).netloc.lower()}
    return sent in own
