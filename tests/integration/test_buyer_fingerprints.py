"""Optional buyer fingerprints (payment, device, IP): only their SHA-256 is stored, bad IPs
are reported like any bad field, and orders without them keep their content digest."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import Engine, select

from shopsafe.db.session import transaction
from shopsafe.kit.errors import InvalidInput
from shopsafe.ledger import service
from shopsafe.ledger.importers import parse_objects
from shopsafe.ledger.models import Order
from shopsafe.ledger.schemas import OrderIn
from tests.factories import order


def _import(engine: Engine, records: list[dict]) -> service.OrderImportSummary:  # type: ignore[type-arg]
    with transaction(engine) as session:
        return service.import_orders(session, source=lambda: parse_objects(iter(records), OrderIn))


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


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
    assert row.ip_hash == _sha("192.0.2.7")  # the IPv4-mapped form is the same address


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
