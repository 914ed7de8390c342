"""Keyed digests of buyers' IP addresses (import format `buyer.ip`, CONTRACT §4).

IPv4 has only 2^32 addresses: a plain SHA-256 of one is reversed by trying them all in
minutes. The digest is therefore an HMAC-SHA256 with a key derived from the server's secret
key (`SHOPSAFE_SECRET_KEY`, else `var/secret_key`), so a copy of the database alone does not
give the addresses back. Brushing detection only compares digests, which stay equal for equal
addresses as long as the secret key stays the same (ADR 13).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress

from shopsafe.config import Settings, get_settings

_PURPOSE = b"shopsafe.buyer-ip"
_derived: list[tuple[Settings, bytes]] = []  # (the settings it was made from, key)


def ip_key() -> bytes:
    """The HMAC key for IP digests, derived once per settings object (reading the secret key
    may read a file; an import parses millions of lines)."""
    settings = get_settings()
    for made_from, key in _derived:
        if made_from is settings:
            return key
    secret = settings.resolved_secret_key().encode()
    key = hmac.new(secret, _PURPOSE, hashlib.sha256).digest()
    _derived[:] = [(settings, key)]
    return key


def digest_ip(value: str) -> str:
    """HMAC-SHA256 (hex) of an IP address in its normal form (so `::ffff:1.2.3.4` =
    `1.2.3.4`), keyed with `ip_key()`."""
    try:
        address = ipaddress.ip_address(value.strip())
    except ValueError:
        raise ValueError(f"'{value}' is not an IP address") from None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return hmac.new(ip_key(), address.compressed.encode(), hashlib.sha256).hexdigest()
