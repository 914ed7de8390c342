"""Optional buyer fingerprints (payment, device, IP): only digests are stored (SHA-256; for
IP addresses an HMAC-SHA256 keyed from the secret key, since all of IPv4 can be tried), bad
IPs are reported like any bad field, and orders without them keep their content digest."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress

import pytest
from sqlalchemy import Engine, select

from shopsafe.config import get_settings
from shopsafe.db.session import transaction
from shopsafe.kit.errors import InvalidInput
from shopsafe.ledger import fingerprints, service
from shopsafe.ledger.importers import parse_objects
from shopsafe.ledger.models import Order
from shopsafe.ledger.schemas import OrderIn
from tests.factories import order


def _import(engine: Engine, records: list[dict]) -> service.OrderImportSummary:  # type: ignore[type-arg]
    with transaction(engine) as session:
        return service.import_orders(session, source=lambda: parse_objects(iter(records), OrderIn))


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _keyed(ip: str) -> str:
    secret = get_settings().resolved_secret_key().encode()
    key = hmac.new(secret, b"shopsafe.buyer-ip", hashlib.sha256).digest()
    return hmac.new(key, ip.encode(), hashlib.sha256).hexdigest()


def test_fingerprints_are_stored_as_digests_only(engine: Engine) -> None:
    record = order(9001)
    record["buyer"] |= {
        "payment_fingerprint": " card-fp-77 ",
        "device_id": "dev-1",
        "ip": "::ffff:192.0.2.7",
    }
    _import(engine, [record])
    with transaction(engine) as session:
        row = session.scalars(select(Order).where(Order.external_id == "A-9001")).one()
    assert row.payment_hash == _sha("card-fp-77")
    assert row.device_hash == _sha("dev-1")
    assert row.ip_hash == _keyed("192.0.2.7")  # the IPv4-mapped form is the same address
    assert row.ip_hash != _sha("192.0.2.7")


def test_ip_digests_are_keyed_and_cannot_be_found_by_trying_addresses(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Detection compares digests: equal addresses give equal digests under one key. Without
    the key, hashing every candidate address (as one would for all of IPv4) finds nothing."""
    monkeypatch.setenv("SHOPSAFE_SECRET_KEY", "first-key")
    get_settings.cache_clear()
    try:
        first = fingerprints.digest_ip("198.51.100.23")
        assert first == fingerprints.digest_ip(" ::ffff:198.51.100.23 ")
        assert first != fingerprints.digest_ip("198.51.100.24")
        candidates = {
            hashlib.sha256(str(ip).encode()).hexdigest(): str(ip)
            for ip in ipaddress.ip_network("198.51.100.0/24")
        }
        assert first not in candidates
        monkeypatch.setenv("SHOPSAFE_SECRET_KEY", "second-key")
        get_settings.cache_clear()
        assert fingerprints.digest_ip("198.51.100.23") != first
    finally:
        get_settings.cache_clear()


def test_a_bad_ip_is_reported_and_nothing_is_written(engine: Engine) -> None:
    record = order(9002)
    record["buyer"]["ip"] = "300.1.2.3"
    with pytest.raises(InvalidInput) as raised:
        _import(engine, [record])
    assert any("buyer.ip" in problem for problem in raised.value.problems)


def test_orders_without_fingerprints_are_unchanged_on_reimport(engine: Engine) -> None:
    first = _import(engine, [order(9003)])
    again = _import(engine, [order(9003)])
    assert (first.created, again.unchanged) == (1, 1)
    with_print = order(9003)
    with_print["buyer"]["device_id"] = "dev-9"
    assert _import(engine, [with_print]).updated == 1


def test_detection_sees_accounts_sharing_an_ip_through_the_keyed_digest(engine: Engine) -> None:
    from shopsafe.brushing import repository as brushing_repository

    records = []
    for number, ip in ((9101, "203.0.113.9"), (9102, "::ffff:203.0.113.9"), (9103, "203.0.113.10")):
        record = order(number)
        record["buyer"]["ip"] = ip
        records.append(record)
    _import(engine, records)
    with transaction(engine) as session:
        frame = brushing_repository.load_frame(session)
        ids = {o.external_id: o.id for o in session.scalars(select(Order))}
    ip_codes = {
        int(o): int(c)
        for o, k, c in zip(frame.print_order, frame.print_kind, frame.print_code, strict=True)
        if k == 2
    }
    assert ip_codes[ids["A-9101"]] == ip_codes[ids["A-9102"]] != ip_codes[ids["A-9103"]]
