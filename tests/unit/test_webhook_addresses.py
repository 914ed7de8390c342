"""The SSRF check of seller webhook endpoints: https only, no credentials, only public
addresses (IPv4 and IPv6, also hidden inside IPv6), with a resolver that needs no DNS."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

import pytest

from shopsafe.config import Settings
from shopsafe.remedies.webhook_addresses import (
    UnresolvedHost,
    UnsafeWebhookUrl,
    WebhookGuard,
    literal_address,
    refusal,
)

NAMES = {
    "hooks.seller.example": ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"],
    "localhost": ["127.0.0.1", "::1"],
    "intranet.seller.example": ["10.1.2.3"],
    "metadata.seller.example": ["169.254.169.254"],
    "mixed.seller.example": ["93.184.216.34", "192.168.0.10"],
    "mapped.seller.example": ["::ffff:127.0.0.1"],
    "empty.seller.example": [],
}


def resolve(host: str, port: int) -> Sequence[str]:
    if host not in NAMES:
        raise OSError(f"[Errno -2] Name or service not known: {host}")
    return NAMES[host]


GUARD = WebhookGuard(resolve=resolve)
LOCAL = WebhookGuard(allow_localhost=True, resolve=resolve)


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://hooks.seller.example/h", "must start with https://"),
        ("ftp://hooks.seller.example/h", "must start with https://"),
        ("hooks.seller.example/h", "must start with https://"),
        ("https://user:secret@hooks.seller.example/h", "user name or password"),
        ("https://user@hooks.seller.example/h", "user name or password"),
        ("https:///h", "no host name"),
        ("https://hooks.seller.example:99999/h", "port must be a number"),
        ("https://hooks.seller.example:0/h", "port must be a number"),
        ("https://127.0.0.1/h", "127.0.0.1 is a loopback address"),
        ("https://127.8.9.1:8443/h", "loopback"),
        ("https://localhost/h", "localhost (127.0.0.1) is a loopback address"),
        ("https://2130706433/h", "loopback"),  # 127.0.0.1 as one number
        ("https://0x7f.1/h", "loopback"),
        ("https://127.1/h", "loopback"),
        ("https://[::1]/h", "loopback"),
        ("https://0.0.0.0/h", "unspecified"),
        ("https://[::]/h", "unspecified"),
        ("https://10.0.0.5/h", "private"),
        ("https://172.16.4.1/h", "private"),
        ("https://192.168.1.1/h", "private"),
        ("https://intranet.seller.example/h", "intranet.seller.example (10.1.2.3) is a private"),
        ("https://[fc00::1]/h", "private"),
        ("https://169.254.169.254/latest/meta-data", "link-local"),
        ("https://metadata.seller.example/h", "link-local"),
        ("https://[fe80::1]/h", "link-local"),
        ("https://[fe80::1%25eth0]/h", "link-local"),
        ("https://224.0.0.1/h", "multicast"),
        ("https://[ff02::1]/h", "multicast"),
        ("https://240.0.0.1/h", "reserved"),
        ("https://100.64.0.1/h", "not a public address"),  # shared address space (CGNAT)
        ("https://[::ffff:127.0.0.1]/h", "loopback"),  # IPv4-mapped IPv6
        ("https://[::ffff:169.254.169.254]/h", "link-local"),
        ("https://[::ffff:10.0.0.1]/h", "private"),
        ("https://mapped.seller.example/h", "loopback"),
        ("https://[2002:7f00:1::]/h", "loopback"),  # 6to4 of 127.0.0.1
        ("https://[64:ff9b::a9fe:a9fe]/h", "link-local"),  # NAT64 of 169.254.169.254
        ("https://mixed.seller.example/h", "(192.168.0.10) is a private address"),
    ],
)
def test_refused_endpoints_name_the_reason(url: str, reason: str) -> None:
    with pytest.raises(UnsafeWebhookUrl) as refused:
        GUARD.check(url)
    assert reason in refused.value.reason
    assert refused.value.status_code == 422 and refused.value.code == "unsafe_webhook_url"


def test_a_public_https_endpoint_is_allowed_with_every_address_it_resolves_to() -> None:
    endpoint = GUARD.check("https://hooks.seller.example/shopsafe?x=1")
    assert (endpoint.scheme, endpoint.host, endpoint.port) == ("https", "hooks.seller.example", 443)
    assert endpoint.path == "/shopsafe?x=1"
    assert [str(a) for a in endpoint.addresses] == NAMES["hooks.seller.example"]
    assert GUARD.check("https://93.184.216.34:8443").addresses == (
        ipaddress.ip_address("93.184.216.34"),
    )
    assert GUARD.check("https://93.184.216.34:8443").path == "/"


def test_a_name_that_does_not_resolve_is_not_allowed() -> None:
    for url in ("https://nowhere.seller.example/h", "https://empty.seller.example/h"):
        with pytest.raises(UnresolvedHost, match="does not resolve"):
            GUARD.check(url)


def test_the_localhost_setting_allows_http_and_loopback_but_nothing_else_inside() -> None:
    assert not Settings().webhook_allow_localhost  # off unless asked for
    guard = WebhookGuard.from_settings(Settings(webhook_allow_localhost=True), resolve)
    assert guard == LOCAL
    for url in ("http://127.0.0.1:8080/h", "http://localhost:8080/h", "https://[::1]/h"):
        assert LOCAL.check(url).addresses
    assert LOCAL.check("http://hooks.seller.example/h").port == 80
    for url in (
        "http://10.0.0.5/h",
        "http://169.254.169.254/h",
        "http://[fe80::1]/h",
        "http://0.0.0.0/h",
        "http://u:p@127.0.0.1/h",
        "http://[::ffff:127.0.0.1]/h",
    ):
        with pytest.raises(UnsafeWebhookUrl):
            LOCAL.check(url)


def test_addresses_in_numeric_forms_are_read_as_resolvers_read_them() -> None:
    assert literal_address("2130706433") == ipaddress.ip_address("127.0.0.1")
    assert literal_address("0x7f.0.0.1") == ipaddress.ip_address("127.0.0.1")
    assert literal_address("10.1") == ipaddress.ip_address("10.0.0.1")
    assert literal_address("hooks.seller.example") is None
    assert literal_address("1e100.net") is None
    assert refusal(ipaddress.ip_address("8.8.8.8")) is None
    assert refusal(ipaddress.ip_address("2001:4860:4860::8888")) is None
    assert refusal(ipaddress.ip_address("127.0.0.1"), allow_loopback=True) is None
