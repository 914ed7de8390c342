"""Bulk loading of an EMPTY ledger: millions of customers and order lines in minutes.

Rows carry explicit ids, so children name their parents without a round trip; they stream in
as batches and never all sit in memory. One transaction: on any error nothing is written.
PostgreSQL: `COPY … FROM STDIN` per batch and table, with the loaded tables' secondary indexes
and foreign keys dropped and rebuilt at the end (transactional DDL), then the id sequences
moved past the loaded ids. SQLite: `executemany` per batch and table with bulk-load pragmas,
secondary indexes rebuilt and foreign keys checked once at the end. The row builders compute
the normalised keys as the order importer does, so a later import finds the rows again.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from itertools import islice
from typing import Any, NamedTuple, cast

import psycopg
from psycopg import sql
from sqlalchemy import JSON, Engine, Numeric

from shopsafe.db.types import UTCDateTime
from shopsafe.ledger import keys, models

BATCH_ROWS = 100_000
Progress = Callable[[str, int], None]
Opt = str | None
When = datetime | None


class CustomerRow(NamedTuple):
    id: int
    external_id: str
    email: str
    name: str | None
    language: str = "en"
    account_type: str = "personal"
    admin_emails: Sequence[str] = ()
    created_at: datetime | None = None


class AddressRow(NamedTuple):
    id: int
    key: str
    line1: str | None
    line2: str | None
    postal_code: str
    postal_key: str
    city: str | None
    country: str


class SellerRow(NamedTuple):
    id: int
    external_id: str
    name: str | None
    address_line: str | None = None
    postal_code: str | None = None
    city: str | None = None
    country: str | None = None
    email: str | None = None
    phone: str | None = None
    trade_register: str | None = None
    webhook_url: str | None = None


class ProductRow(NamedTuple):
    id: int
    seller_id: int
    offer_key: str
    sku: str | None
    gtin: str | None
    brand: str | None
    model: str | None
    brand_key: str | None
    model_key: str | None
    name: str | None


class OrderRow(NamedTuple):
    id: int
    external_id: str
    customer_id: int
    ship_to_address_id: int
    ship_to_name: str | None
    ship_to_email: str | None
    gift: bool
    placed_at: datetime
    content_hash: str
    imported_at: datetime


class OrderLineRow(NamedTuple):
    id: int
    order_id: int
    line_id: str
    seller_id: int
    product_id: int
    sku: str | None
    gtin: str | None
    brand: str | None
    model: str | None
    brand_key: str | None
    model_key: str | None
    product_name: str | None
    quantity: int
    unit_price: Decimal
    currency: str
    lot: str | None
    lot_key: str | None
    status: str = "open"
    hold_reason: str | None = None


class OrderLineSerialRow(NamedTuple):
    id: int
    order_line_id: int
    serial: str
    prefix: str
    number: int | None


class ShipmentRow(NamedTuple):
    id: int
    order_id: int
    carrier: str
    tracking_number: str
    tracking_key: str
    shipped_at: datetime | None
    delivered_at: datetime | None
    status: str
    hold_reason: str | None = None


class ShipmentLineRow(NamedTuple):
    shipment_id: int
    order_line_id: int


# Tables in the order their rows are written (parents first), with their columns.
COLUMNS: dict[str, tuple[str, ...]] = {
    "customers": CustomerRow._fields,
    "addresses": AddressRow._fields,
    "sellers": SellerRow._fields,
    "products": ProductRow._fields,
    "orders": OrderRow._fields,
    "order_lines": OrderLineRow._fields,
    "order_line_serials": OrderLineSerialRow._fields,
    "shipments": ShipmentRow._fields,
    "shipment_lines": ShipmentLineRow._fields,
}
TABLES = tuple(COLUMNS)
_WITH_ID = tuple(t for t in TABLES if "id" in COLUMNS[t])


@dataclass
class Batch:
    """Rows of several tables; a batch's rows may name parents of the same or earlier batches."""

    customers: list[CustomerRow] = field(default_factory=list)
    addresses: list[AddressRow] = field(default_factory=list)
    sellers: list[SellerRow] = field(default_factory=list)
    products: list[ProductRow] = field(default_factory=list)
    orders: list[OrderRow] = field(default_factory=list)
    order_lines: list[OrderLineRow] = field(default_factory=list)
    order_line_serials: list[OrderLineSerialRow] = field(default_factory=list)
    shipments: list[ShipmentRow] = field(default_factory=list)
    shipment_lines: list[ShipmentLineRow] = field(default_factory=list)

    def size(self) -> int:
        return sum(len(getattr(self, table)) for table in TABLES)


def batches(size: int = BATCH_ROWS, **tables: Iterable[tuple[Any, ...]]) -> Iterator[Batch]:
    """Cuts one iterator per table (keyword = table name) into batches, parents first."""
    unknown = set(tables) - set(TABLES)
    if unknown:
        raise ValueError(f"unknown ledger tables: {', '.join(sorted(unknown))}")
    for table in TABLES:
        iterator = iter(tables.get(table, ()))
        while chunk := list(islice(iterator, size)):
            batch = Batch()
            setattr(batch, table, chunk)
            yield batch


# Row builders: the normalised keys exactly as the order importer (order_batch.py) stores them.


def address_row(
    id: int, *, line1: Opt, line2: Opt, postal_code: str, city: Opt, country: str
) -> AddressRow:
    key = keys.address_key(
        country=country, postal_code=postal_code, line1=line1, line2=line2, city=city
    )
    postal = keys.postal_key(postal_code)
    return AddressRow(id, key, line1, line2, postal_code, postal, city, country)


def product_row(
    id: int, seller_id: int, *, sku: Opt, gtin: Opt, brand: Opt, model: Opt, name: Opt
) -> ProductRow:
    gtin = keys.gtin14(gtin) if gtin else None
    offer = keys.offer_key(sku=sku, gtin=gtin, brand=brand, model=model)
    brand_key, model_key = keys.brand_key(brand), keys.model_key(model)
    return ProductRow(id, seller_id, offer, sku, gtin, brand, model, brand_key, model_key, name)


def line_row(
    id: int, order_id: int, line_id: str, p: ProductRow, qty: int, price: Decimal, currency: str,
    lot: Opt = None, status: str = "open",
) -> OrderLineRow:  # fmt: skip
    """A line bought as product `p`: its sku, gtin, brand, model and keys are the product's."""
    return OrderLineRow(
        id, order_id, line_id, p.seller_id, p.id, p.sku, p.gtin, p.brand, p.model,
        p.brand_key, p.model_key, p.name, qty, price, currency, lot, keys.lot_key(lot), status,
    )  # fmt: skip


def serial_row(id: int, order_line_id: int, serial: str) -> OrderLineSerialRow:
    prefix, number = keys.split_serial(serial)
    return OrderLineSerialRow(id, order_line_id, serial, prefix, number)


def shipment_row(
    id: int, order_id: int, *, carrier: str, tracking_number: str, shipped: When, delivered: When
) -> ShipmentRow:
    status = "delivered" if delivered else "shipped" if shipped else "open"
    tracking = keys.tracking_key(tracking_number)
    return ShipmentRow(id, order_id, carrier, tracking_number, tracking, shipped, delivered, status)


# Loading.


def load(
    engine: Engine, rows: Iterable[Batch], *, progress: Progress | None = None
) -> dict[str, int]:
    """Loads the batches into the empty ledger in one transaction; returns rows per table."""
    if engine.dialect.name == "postgresql":
        return _load_postgres(engine, rows, progress)
    if engine.dialect.name == "sqlite":
        return _load_sqlite(engine, rows, progress)
    raise ValueError(f"bulk loading is not supported on {engine.dialect.name}")


def _stream(
    rows: Iterable[Batch], write: Callable[[str, list[Any]], None], progress: Progress | None
) -> dict[str, int]:
    counts = dict.fromkeys(TABLES, 0)
    for batch in rows:
        for table in TABLES:
            chunk: list[Any] = getattr(batch, table)
            if chunk:
                write(table, chunk)
                counts[table] += len(chunk)
                if progress is not None:
                    progress(table, len(chunk))
    return counts


def _require_empty(cursor: Any) -> None:
    for table in TABLES:
        cursor.execute(f"SELECT 1 FROM {table} LIMIT 1")
        if cursor.fetchone() is not None:
            raise ValueError(f"bulk loading needs an empty ledger, but {table} has rows")


Fix = tuple[int, Callable[[Any], Any]]


def _sqlite_time(value: datetime) -> str:
    """The text SQLAlchemy's UTCDateTime stores on SQLite (naive UTC, microseconds)."""
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.isoformat(" ", "microseconds")


def _fixes(table: str, dialect: str) -> list[Fix]:
    """Which columns need converting for the driver, found from the table's column types."""
    columns = models.Customer.metadata.tables[table].c
    found: list[Fix] = []
    for index, name in enumerate(COLUMNS[table]):
        kind = columns[name].type
        if isinstance(kind, JSON):
            found.append((index, json.dumps))
        elif dialect == "sqlite" and isinstance(kind, UTCDateTime):
            found.append((index, _sqlite_time))
        elif dialect == "sqlite" and isinstance(kind, Numeric):
            found.append((index, float))
    return found


def _converted(rows: list[Any], fixes: list[Fix]) -> Iterable[Sequence[Any]]:
    if not fixes:
        return cast(Iterable[Sequence[Any]], rows)
    return (_fix(row, fixes) for row in rows)


def _fix(row: Sequence[Any], fixes: list[Fix]) -> list[Any]:
    values = list(row)
    for index, convert in fixes:
        if values[index] is not None:
            values[index] = convert(values[index])
    return values


# PostgreSQL.

_PG_FOREIGN_KEYS = """
SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint
WHERE contype = 'f' AND conrelid = ANY(%s::regclass[])"""
_PG_INDEXES = """
SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i
WHERE i.indrelid = ANY(%s::regclass[]) AND NOT EXISTS (
  SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid AND c.conrelid = i.indrelid)"""


def _load_postgres(
    engine: Engine, rows: Iterable[Batch], progress: Progress | None
) -> dict[str, int]:
    raw = engine.raw_connection()
    try:
        connection = cast("psycopg.Connection[Any]", raw.driver_connection)
        try:
            with connection.cursor() as cursor:
                counts = _pg_transaction(cursor, rows, progress)
            connection.commit()
        except BaseException:
            connection.rollback()
            raise
    finally:
        raw.close()
    return counts


def _pg_transaction(
    cursor: psycopg.Cursor[Any], rows: Iterable[Batch], progress: Progress | None
) -> dict[str, int]:
    cursor.execute("SET LOCAL TimeZone = 'UTC'")
    cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
    _require_empty(cursor)
    rebuild = _pg_drop_indexes_and_foreign_keys(cursor)
    fixes = {table: _fixes(table, "postgresql") for table in TABLES}
    copy = {table: _copy_statement(table) for table in TABLES}

    def write(table: str, chunk: list[Any]) -> None:
        with cursor.copy(copy[table]) as stream:
            for row in _converted(chunk, fixes[table]):
                stream.write_row(row)

    counts = _stream(rows, write, progress)
    for statement in rebuild:
        cursor.execute(statement)
    for table in _WITH_ID:
        cursor.execute(
            sql.SQL("SELECT setval(pg_get_serial_sequence({}, 'id'), max(id)) FROM {}").format(
                sql.Literal(table), sql.Identifier(table)
            )
        )
    cursor.execute(sql.SQL("ANALYZE {}").format(sql.SQL(", ").join(map(sql.Identifier, TABLES))))
    return counts


def _copy_statement(table: str) -> sql.Composed:
    columns = sql.SQL(", ").join(map(sql.Identifier, COLUMNS[table]))
    return sql.SQL("COPY {} ({}) FROM STDIN").format(sql.Identifier(table), columns)


def _pg_drop_indexes_and_foreign_keys(cursor: psycopg.Cursor[Any]) -> list[sql.SQL | sql.Composed]:
    """Drops what slows a load down and returns the statements that put it back."""
    tables = list(TABLES)
    foreign_keys = cursor.execute(_PG_FOREIGN_KEYS, (tables,)).fetchall()
    indexes = cursor.execute(_PG_INDEXES, (tables,)).fetchall()
    rebuild: list[sql.SQL | sql.Composed] = []
    for table, name, definition in foreign_keys:
        cursor.execute(
            sql.SQL("ALTER TABLE {} DROP CONSTRAINT {}").format(
                sql.SQL(table), sql.Identifier(name)
            )
        )
        rebuild.append(
            sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} {}").format(
                sql.SQL(table), sql.Identifier(name), sql.SQL(definition)
            )
        )
    for name, definition in indexes:
        cursor.execute(sql.SQL("DROP INDEX {}").format(sql.SQL(name)))
        rebuild.insert(0, sql.SQL(definition))
    return rebuild


# SQLite.

_SQLITE_BULK_PRAGMAS = {"foreign_keys": "0", "synchronous": "0", "cache_size": "-262144"}


def _load_sqlite(
    engine: Engine, rows: Iterable[Batch], progress: Progress | None
) -> dict[str, int]:
    raw = engine.raw_connection()
    try:
        connection = cast(sqlite3.Connection, raw.driver_connection)
        isolation = connection.isolation_level
        connection.isolation_level = None  # explicit BEGIN/COMMIT below
        saved = {
            name: connection.execute(f"PRAGMA {name}").fetchone()[0]
            for name in _SQLITE_BULK_PRAGMAS
        }
        try:
            for name, value in _SQLITE_BULK_PRAGMAS.items():
                connection.execute(f"PRAGMA {name} = {value}")
            counts = _sqlite_transaction(connection, rows, progress)
        finally:
            for name, value in saved.items():
                connection.execute(f"PRAGMA {name} = {int(value)}")
            connection.isolation_level = isolation
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        raw.close()
    return counts


def _sqlite_transaction(
    connection: sqlite3.Connection, rows: Iterable[Batch], progress: Progress | None
) -> dict[str, int]:
    connection.execute("BEGIN IMMEDIATE")
    try:
        _require_empty(connection.cursor())
        names = ", ".join(f"'{table}'" for table in TABLES)
        indexes = connection.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
            f" AND tbl_name IN ({names})"
        ).fetchall()
        for name, _ in indexes:
            connection.execute(f'DROP INDEX "{name}"')
        fixes = {table: _fixes(table, "sqlite") for table in TABLES}
        insert = {table: _insert_statement(table) for table in TABLES}

        def write(table: str, chunk: list[Any]) -> None:
            connection.executemany(insert[table], _converted(chunk, fixes[table]))

        counts = _stream(rows, write, progress)
        for _, statement in indexes:
            connection.execute(statement)
        _sqlite_check_foreign_keys(connection)
        connection.execute("PRAGMA analysis_limit = 1000")
        connection.execute("ANALYZE")
        connection.execute("COMMIT")
    except BaseException:
        if connection.in_transaction:
            connection.execute("ROLLBACK")
        raise
    return counts


def _insert_statement(table: str) -> str:
    columns = COLUMNS[table]
    marks = ", ".join("?" for _ in columns)
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"


def _sqlite_check_foreign_keys(connection: sqlite3.Connection) -> None:
    for table in TABLES:
        found = connection.execute(f"PRAGMA foreign_key_check({table})").fetchone()
        if found is not None:
            child, rowid, parent, _ = found
            raise ValueError(f"{child} row {rowid} names a missing {parent} row")
