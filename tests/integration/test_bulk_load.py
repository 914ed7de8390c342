"""Bulk loading (shopsafe.ledger.bulk): an empty ledger filled in one go, after which the
normal order importer carries on as if it had written the rows itself."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, inspect, select
from sqlalchemy.orm import Session

from shopsafe.db import migrate
from shopsafe.db.engine import make_engine
from shopsafe.db.session import transaction
from shopsafe.ledger import bulk, models
from shopsafe.ledger import service as ledger
from shopsafe.ledger.importers import parse_objects
from shopsafe.ledger.schemas import OrderIn
from tests.factories import order
from tests.integration.test_order_import import counts

PLACED = datetime(2025, 3, 1, 10, 22, tzinfo=UTC)
CUSTOMERS, ORDERS = 40, 120
ID_MODELS = (
    models.Customer,
    models.Address,
    models.Product,
    models.Order,
    models.OrderLine,
    models.Shipment,
)


def ledger_rows() -> Iterator[bulk.Batch]:
    """A few hundred rows; customer 1, seller 3, product 1 and order A-1 are the contract's
    example order (tests/factories.py `order(1)`) as the shop would export it."""
    anna = bulk.CustomerRow(1, "C-1", "buyer1@example.de", "Anna Schmidt", "de")
    customers = [
        anna._replace(created_at=datetime(2024, 11, 2, 8, tzinfo=UTC)),
        *(
            bulk.CustomerRow(i, f"C-{i}", f"c{i}@example.com", f"Kim {i}")._replace(
                account_type="business", admin_emails=[f"admin{i}@example.com"]
            )
            for i in range(2, CUSTOMERS + 1)
        ),
    ]
    addresses = [
        bulk.AddressRow(i, "Hauptstr. 5" if i == 1 else f"Ring {i}", None, "10115", "Berlin", "DE")
        for i in range(1, CUSTOMERS + 1)
    ]
    sellers = [
        bulk.SellerRow(s, f"S-{s}", "Bioenrrty" if s == 3 else f"Seller {s}") for s in (1, 2, 3)
    ]
    bed_rail = bulk.ProductRow(
        1, 3, "BR-200", "4006381333931", "MPINOI", "BR-200", "Adult portable bed rail"
    )
    products = [
        bed_rail,
        *(
            bulk.ProductRow(p, 1 + p % 2, None, None, "Acme Co.", f"x {p}", f"Thing {p}")
            for p in range(2, 11)
        ),
    ]
    yield from bulk.batches(
        size=50, customers=customers, addresses=addresses, sellers=sellers, products=products
    )
    yield from order_batches(products)


def order_batches(products: list[bulk.ProductRow]) -> Iterator[bulk.Batch]:
    batch = bulk.Batch()
    for n in range(1, ORDERS + 1):
        placed = PLACED + timedelta(hours=n - 1)
        customer = 1 + (n - 1) % CUSTOMERS
        name = "Anna Schmidt" if n == 1 else None
        batch.orders.append(
            bulk.OrderRow(
                n, f"A-{n}", customer, customer, name, None, False, placed, "0" * 64, placed
            )
        )
        for k in (1, 2):
            line = 2 * n - 2 + k
            p = products[0] if line == 1 else products[line % len(products)]
            lot, status = ("L2301", "delivered") if line == 1 else (None, "open")
            batch.order_lines.append(sold(line, n, str(k), p, lot, status))
        if len(batch.orders) == 50:
            yield batch
            batch = bulk.Batch()
    batch.order_line_serials = [
        bulk.OrderLineSerialRow(1, 1, "SN1001"),
        bulk.OrderLineSerialRow(2, 1, "SN1002"),
    ]
    shipped, delivered = datetime(2025, 3, 2, 9, tzinfo=UTC), datetime(2025, 3, 4, 12, tzinfo=UTC)
    batch.shipments = [bulk.ShipmentRow(1, 1, "DHL", "00340434161094042557", shipped, delivered)]
    batch.shipment_lines = [bulk.ShipmentLineRow(1, 1)]
    yield batch


def sold(
    pk: int, order: int, line_id: str, p: bulk.ProductRow, lot: str | None, status: str
) -> bulk.OrderLineRow:
    """Two of product `p` at 29.99 EUR, described on the line as in the catalogue."""
    described = p.sku, p.gtin, p.brand, p.model, p.name
    return bulk.OrderLineRow(
        pk, order, line_id, p.seller_id, p.id, *described, 2, Decimal("29.99"), "EUR", lot, status
    )


def import_records(engine: Engine, records: list[dict[str, Any]]) -> ledger.OrderImportSummary:
    with transaction(engine) as session:
        return ledger.import_orders(session, source=lambda: parse_objects(records, OrderIn))


def max_ids(engine: Engine) -> dict[str, int]:
    with Session(engine) as session:
        return {m.__tablename__: session.scalar(select(func.max(m.id))) or 0 for m in ID_MODELS}


def test_bulk_load_counts_and_stored_values(engine: Engine) -> None:
    loaded = bulk.load(engine, ledger_rows())

    expected = {
        "customers": CUSTOMERS,
        "addresses": CUSTOMERS,
        "sellers": 3,
        "products": 10,
        "orders": ORDERS,
        "order_lines": 2 * ORDERS,
        "order_line_serials": 2,
        "shipments": 1,
        "shipment_lines": 1,
    }
    assert loaded == expected
    assert counts(engine) == expected
    with Session(engine) as session:
        first = session.scalars(select(models.Order).where(models.Order.placed_at == PLACED)).one()
        assert (first.external_id, first.placed_at, first.gift) == ("A-1", PLACED, False)
        line = session.get(models.OrderLine, 1)
        assert line is not None
        assert (line.gtin, line.brand_key, line.model_key, line.lot_key) == (
            "04006381333931",
            "MPINOI",
            "BR200",
            "L2301",
        )
        assert (line.unit_price, line.status) == (Decimal("29.99"), "delivered")
        customer = session.get(models.Customer, 2)
        assert customer is not None and customer.admin_emails == ["admin2@example.com"]
        serial = session.get(models.OrderLineSerial, 2)
        assert serial is not None and (serial.prefix, serial.number) == ("SN", 1002)
        shipment = session.get(models.Shipment, 1)
        assert shipment is not None and shipment.delivered_at == datetime(
            2025, 3, 4, 12, tzinfo=UTC
        )


def test_importer_updates_a_bulk_loaded_order_in_place_and_ids_continue(engine: Engine) -> None:
    bulk.load(engine, ledger_rows())
    before, top = counts(engine), max_ids(engine)

    changed = order(1)
    changed["lines"][0]["quantity"] = 3
    changed["lines"][0]["serials"] = ["SN1001", "SN1002", "SN1003"]
    summary = import_records(engine, [changed, order(900)])

    assert (summary.created, summary.updated) == (1, 1)
    after = counts(engine)
    # The keys matched: the same customer, address, seller and product rows were found again.
    for table in ("addresses", "sellers", "products"):
        assert after[table] == before[table], table
    for table in ("customers", "orders", "shipments"):
        assert after[table] == before[table] + 1, table
    with Session(engine) as session:
        line = session.scalars(
            select(models.OrderLine).where(
                models.OrderLine.order_id == 1, models.OrderLine.line_id == "1"
            )
        ).one()
        assert (line.id, line.quantity, line.product_id, line.status) == (1, 3, 1, "delivered")
        assert (line.gtin, line.brand_key, line.model_key, line.lot_key) == (
            "04006381333931",
            "MPINOI",
            "BR200",
            "L2301",
        )
        new = session.scalars(select(models.Order).where(models.Order.external_id == "A-900")).one()
        assert new.id == top["orders"] + 1
        assert new.customer_id == top["customers"] + 1
        assert new.ship_to_address_id == 1
    assert max_ids(engine) == {
        **top,
        "customers": top["customers"] + 1,
        "orders": top["orders"] + 1,
        "order_lines": top["order_lines"] + 1,
        "shipments": top["shipments"] + 1,
    }


def test_bulk_load_refuses_a_ledger_that_has_rows(engine: Engine) -> None:
    import_records(engine, [order(1)])
    before = counts(engine)
    with pytest.raises(ValueError, match="empty ledger"):
        bulk.load(engine, ledger_rows())
    assert counts(engine) == before


def test_a_broken_reference_writes_nothing_and_keeps_indexes(engine: Engine) -> None:
    indexes = index_names(engine)
    broken = bulk.Batch(
        customers=[bulk.CustomerRow(1, "C-1", "a@example.de", None)],
        addresses=[bulk.AddressRow(1, None, None, "1", None, "DE")],
        orders=[bulk.OrderRow(1, "A-1", 1, 7, None, None, False, PLACED, "0" * 64, PLACED)],
    )
    with pytest.raises(Exception, match=r"addresses"):
        bulk.load(engine, [broken])
    assert sum(counts(engine).values()) == 0
    assert index_names(engine) == indexes


def index_names(engine: Engine) -> dict[str, set[str]]:
    inspector = inspect(engine)
    return {
        table: {str(i["name"]) for i in inspector.get_indexes(table)}
        | {str(f["name"]) for f in inspector.get_foreign_keys(table)}
        for table in bulk.TABLES
    }


def test_sqlite_load_on_its_own_connection_restores_the_connection_settings(
    tmp_path: Path,
) -> None:
    """Alone on the file, the load leaves WAL for a rollback journal; afterwards the file is
    in WAL again and the connection has its foreign keys and synchronous setting back."""
    engine = make_engine(f"sqlite:///{tmp_path / 'alone.db'}")
    migrate.upgrade(engine)
    engine.dispose()

    assert bulk.load(engine, ledger_rows())["order_lines"] == 2 * ORDERS

    with engine.connect() as connection:
        pragma = {
            name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()
            for name in ("journal_mode", "foreign_keys", "synchronous")
        }
    assert pragma == {"journal_mode": "wal", "foreign_keys": 1, "synchronous": 1}
    assert counts(engine)["orders"] == ORDERS
    engine.dispose()
