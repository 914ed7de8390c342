"""Which seller webhook endpoints Shopsafe may call (docs/adr/0011-…, "Seller webhooks").

A seller chooses the URL, and the worker posts to it from inside our network, so an
unchecked URL would let a seller make us call our own services (SSRF): the database, the
cloud's metadata service at 169.254.169.254, an admin page on localhost. An endpoint must
use `https://`, carry no user name or password, and its host must be, or resolve only to,
public addresses: no loopback, private, shared, link-local, multicast, reserved or
unspecified address, IPv4 or IPv6, also when an IPv4 address hides inside an IPv6 one
(`::ffff:127.0.0.1`, 6to4, Teredo).

The check runs when the seller saves the URL and again right before each delivery (the
name may point elsewhere by then: DNS rebinding); the delivery then connects to the
addresses just checked, not to whatever a second lookup would say.

`SHOPSAFE_WEBHOOK_ALLOW_LOCALHOST` (tests and local development only) also allows
`http://` and loopback addresses; everything else stays refused.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Final
from urllib.parse import SplitResult, urlsplit

from shopsafe.config import Settings, get_settings
from shopsafe.kit.errors import InvalidInput

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
# (host name, port) → the addresses it resolves to, as text; raises OSError when it does not.
Resolver = Callable[[str, int], Sequence[str]]
DEFAULT_PORTS: Final = {"https": 443, "http": 80}
NAT64: Final = ipaddress.IPv6Network("64:ff9b::/96")


class UnsafeWebhookUrl(InvalidInput):
    """A webhook URL Shopsafe refuses to call (422 `unsafe_webhook_url`)."""

    def __init__(self, reason: str) -> None:
        super().__init__([reason], code="unsafe_webhook_url")
        self.reason = reason


class UnresolvedHost(OSError):
    """The endpoint's host name did not resolve (may be temporary)."""


def system_resolver(host: str, port: int) -> list[str]:
    """The addresses the operating system's resolver gives for `host` (IPv4 and IPv6)."""
    found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    return [str(info[4][0]) for info in found]


@dataclass(frozen=True)
class Endpoint:
    """A checked endpoint: where to connect (`addresses`, all public) and what to ask for."""

    scheme: str
    host: str
    port: int
    path: str  # with the query, e.g. "/hooks?x=1"
    addresses: tuple[IPAddress, ...]


@dataclass(frozen=True)
class WebhookGuard:
    """Checks endpoints; `allow_localhost` is for tests and local development only."""

    allow_localhost: bool = False
    resolve: Resolver = field(default=system_resolver)

    @classmethod
    def from_settings(cls, settings: Settings, resolve: Resolver = system_resolver) -> WebhookGuard:
        return cls(allow_localhost=settings.webhook_allow_localhost, resolve=resolve)

    def check(self, url: str) -> Endpoint:
        """The endpoint with its checked addresses; `UnsafeWebhookUrl` when it may not be
        called, `UnresolvedHost` when its name does not resolve."""
        parts = self._parts(url)
        host = parts.hostname or ""
        port = _port(parts)
        addresses = self._addresses(host, port)
        for address in addresses:
            reason = refusal(address, allow_loopback=self.allow_localhost)
            if reason:
                shown = host if str(address) == host else f"{host} ({address})"
                raise UnsafeWebhookUrl(f"the webhook address {shown} is {reason}")
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        return Endpoint(parts.scheme.lower(), host, port, path, addresses)

    def _parts(self, url: str) -> SplitResult:
        try:
            parts = urlsplit(url.strip())
        except ValueError as error:
            raise UnsafeWebhookUrl(f"the webhook URL cannot be read: {error}") from None
        scheme = parts.scheme.lower()
        if scheme != "https" and not (scheme == "http" and self.allow_localhost):
            raise UnsafeWebhookUrl("the webhook URL must start with https://")
        if parts.username is not None or parts.password is not None:
            raise UnsafeWebhookUrl("the webhook URL must not contain a user name or password")
        if not parts.hostname:
            raise UnsafeWebhookUrl("the webhook URL has no host name")
        return parts

    def _addresses(self, host: str, port: int) -> tuple[IPAddress, ...]:
        literal = literal_address(host)
        if literal is not None:
            return (literal,)
        try:
            found = self.resolve(host, port)
        except (OSError, UnicodeError) as error:
            raise UnresolvedHost(f"the webhook host {host} does not resolve: {error}") from None
        addresses = tuple(dict.fromkeys(_parse(text) for text in found))
        if not addresses:
            raise UnresolvedHost(f"the webhook host {host} does not resolve")
        return addresses


def _port(parts: SplitResult) -> int:
    try:
        port = parts.port
    except ValueError:
        raise UnsafeWebhookUrl("the webhook URL's port must be a number from 1 to 65535") from None
    if port == 0:
        raise UnsafeWebhookUrl("the webhook URL's port must be a number from 1 to 65535")
    return port or DEFAULT_PORTS[parts.scheme.lower()]


def _parse(text: str) -> IPAddress:
    return ipaddress.ip_address(text.split("%", 1)[0])  # drop an IPv6 zone ("fe80::1%eth0")


def literal_address(host: str) -> IPAddress | None:
    """The address a host written as an address means, also in the short and numeric IPv4
    forms resolvers accept ("127.1", "2130706433", "0x7f.0.0.1"); None for a name."""
    try:
        return _parse(host)
    except ValueError:
        pass
    if host and all(c in "0123456789abcdefxABCDEFX." for c in host) and host[0].isdigit():
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None
    return None


def refusal(address: IPAddress, *, allow_loopback: bool = False) -> str | None:
    """Why Shopsafe may not call `address`, or None for a public address."""
    if isinstance(address, ipaddress.IPv6Address):
        for inner in _embedded_ipv4(address):
            reason = refusal(inner, allow_loopback=allow_loopback)
            if reason:
                return reason
    checks = (
        (address.is_unspecified, "an unspecified address"),
        (address.is_loopback and not allow_loopback, "a loopback address"),
        (address.is_link_local, "a link-local address"),
        (address.is_multicast, "a multicast address"),
        (address.is_loopback, None),  # allowed loopback: not refused as "private" below
        (address.is_reserved, "a reserved address"),
        (address.is_private, "a private address"),
        (not address.is_global, "not a public address"),
    )
    for hit, reason in checks:
        if hit:
            return reason
    return None


def _embedded_ipv4(address: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """IPv4 addresses an IPv6 address carries: mapped (::ffff:a.b.c.d), 6to4, Teredo, NAT64."""
    inner = [address.ipv4_mapped, address.sixtofour]
    if address in NAT64:
        inner.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    if address.teredo:
        inner.extend(address.teredo)
    return [a for a in inner if a is not None]


def current_guard() -> WebhookGuard:
    """The guard for the seller's settings page, from the settings (a request dependency;
    tests override it to resolve names without DNS)."""
    return WebhookGuard.from_settings(get_settings())
