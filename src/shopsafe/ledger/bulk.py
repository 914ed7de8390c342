"""Bulk loading of an EMPTY ledger: millions of customers and order lines in minutes.

Rows carry explicit ids (children name their parents without a round trip) and the values the
shop knows, taken as valid; the keys Shopsafe derives (address, offer, GTIN-14, brand, model,
lot and tracking keys, serial parts, shipment status) are computed with the importer's own
functions, so a later import of the same order finds every row again. Batches stream in and
never all sit in memory; one transaction, so on any error nothing is written. PostgreSQL: COPY
per batch and table, secondary indexes and foreign keys dropped and rebuilt around the load,
id sequences moved on. SQLite: executemany with bulk-load pragmas and a rollback journal,
secondary indexes rebuilt and foreign keys checked at the end.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from functools import lru_cache
from itertools import islice
from typing import Any, NamedTuple, cast, get_args, get_type_hints

import psycopg
from sqlalchemy import JSON, Engine, Numeric

from shopsafe.db.types import UTCDateTime
from shopsafe.ledger import keys, models

BATCH_ROWS = 100_000
Progress = Callable[[str, int], None] | None  # called with a table and a number of rows
Counts = dict[str, int]  # rows per table
Rows = Iterable["Batch"]


class CustomerRow(NamedTuple):
    id: int
    external_id: str
    email: str
    name: str | None = None
    language: str = "en"
    account_type: str = "personal"
    admin_emails: Sequence[str] = ()
    created_at: datetime | None = None


class AddressRow(NamedTuple):
    id: int
    line1: str | None
    line2: str | None
    postal_code: str
    city: str | None
    country: str


class SellerRow(NamedTuple):
    id: int
    external_id: str
    name: str | None = None
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
    sku: str | None
    gtin: str | None
    brand: str | None
    model: str | None
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
    content_hash: str  # 64 characters; the importer rewrites an order whose digest differs
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
    product_name: str | None
    quantity: int
    unit_price: Decimal
    currency: str
    lot: str | None = None
    status: str = "open"  # the most advanced status of its shipments: shipped, delivered


class OrderLineSerialRow(NamedTuple):
    id: int
    order_line_id: int
    serial: str


class ShipmentRow(NamedTuple):
    id: int
    order_id: int
    carrier: str
    tracking_number: str
    shipped_at: datetime | None
    delivered_at: datetime | None


class ShipmentLineRow(NamedTuple):
    shipment_id: int
    order_line_id: int


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


def batches(size: int = BATCH_ROWS, **tables: Iterable[tuple[Any, ...]]) -> Iterator[Batch]:
    """Cuts one iterator per table (keyword = table name) into batches, parents first."""
    if unknown := set(tables) - set(TABLES):
        raise ValueError(f"unknown ledger tables: {', '.join(sorted(unknown))}")
    for table in TABLES:
        iterator = iter(tables.get(table, ()))
        while chunk := list(islice(iterator, size)):
            batch = Batch()
            setattr(batch, table, chunk)
            yield batch


# Derived columns, computed as the order importer (order_batch.py) computes them.

_brand_key = lru_cache(maxsize=1 << 16)(keys.brand_key)
_model_key = lru_cache(maxsize=1 << 16)(keys.model_key)
_lot_key = lru_cache(maxsize=1 << 16)(keys.lot_key)


def _address(row: AddressRow) -> tuple[Any, ...]:
    line1, line2, city = row.line1, row.line2, row.city
    key = keys.address_key(
        country=row.country, postal_code=row.postal_code, line1=line1, line2=line2, city=city
    )
    return (*row, key, keys.postal_key(row.postal_code))


def _product(row: ProductRow) -> tuple[Any, ...]:
    gtin = keys.gtin14(row.gtin) if row.gtin else None
    offer = keys.offer_key(sku=row.sku, gtin=gtin, brand=row.brand, model=row.model)
    return (*row[:3], gtin, *row[4:], offer, _brand_key(row.brand), _model_key(row.model))


def _line(row: OrderLineRow) -> tuple[Any, ...]:
    gtin = keys.gtin14(row.gtin) if row.gtin else None
    derived = (_brand_key(row.brand), _model_key(row.model), _lot_key(row.lot))
    return (*row[:6], gtin, *row[7:], *derived)


def _serial(row: OrderLineSerialRow) -> tuple[Any, ...]:
    return (*row, *keys.split_serial(row.serial))


def _shipment(row: ShipmentRow) -> tuple[Any, ...]:
    status = "delivered" if row.delivered_at else "shipped" if row.shipped_at else "open"
    return (*row, keys.tracking_key(row.tracking_number), status)


_DERIVE: dict[str, tuple[tuple[str, ...], Callable[[Any], tuple[Any, ...]]]] = {
    "addresses": (("key", "postal_key"), _address),
    "products": (("offer_key", "brand_key", "model_key"), _product),
    "order_lines": (("brand_key", "model_key", "lot_key"), _line),
    "order_line_serials": (("prefix", "number"), _serial),
    "shipments": (("tracking_key", "status"), _shipment),
}
_ROW_TYPES = {table: get_args(hint)[0] for table, hint in get_type_hints(Batch).items()}
# Tables in the order they are written (parents first); columns: the row's, then derived ones.
TABLES = tuple(_ROW_TYPES)
COLUMNS: dict[str, tuple[str, ...]] = {
    table: row._fields + (_DERIVE[table][0] if table in _DERIVE else ())
    for table, row in _ROW_TYPES.items()
}


def load(engine: Engine, rows: Rows, *, progress: Progress = None) -> Counts:
    """Loads the batches into the empty ledger in one transaction; returns rows per table."""
    if engine.dialect.name not in ("postgresql", "sqlite"):
        raise ValueError(f"bulk loading is not supported on {engine.dialect.name}")
    raw = engine.raw_connection()
    try:
        if engine.dialect.name == "postgresql":
            connection = cast("psycopg.Connection[Any]", raw.driver_connection)
            with connection.transaction(), connection.cursor() as cursor:
                return _load_postgres(cursor, rows, progress)
        return _load_sqlite(cast(sqlite3.Connection, raw.driver_connection), rows, progress)
    finally:
        raw.close()


Write = Callable[[str, Iterable[Sequence[Any]]], None]


def _stream(rows: Rows, dialect: str, write: Write, progress: Progress) -> Counts:
    """Hands each batch's rows, table by table and converted for the driver, to `write`."""
    convert = {table: _converter(table, dialect) for table in TABLES}
    counts = dict.fromkeys(TABLES, 0)
    for batch in rows:
        for table in TABLES:
            chunk: list[Any] = getattr(batch, table)
            if chunk:
                change = convert[table]
                write(table, chunk if change is None else map(change, chunk))
                counts[table] += len(chunk)
                if progress is not None:
                    progress(table, len(chunk))
    return counts


def _require_empty(cursor: Any) -> None:
    for table in TABLES:
        cursor.execute(f"SELECT 1 FROM {table} LIMIT 1")
        if cursor.fetchone() is not None:
            raise ValueError(f"bulk loading needs an empty ledger, but {table} has rows")


def _sqlite_time(value: datetime) -> str:
    """The text SQLAlchemy's UTCDateTime stores on SQLite (naive UTC, microseconds)."""
    if value.utcoffset():
        value = value.astimezone(UTC)
    return value.isoformat(" ", "microseconds")[:26]  # without "+00:00"


def _converter(table: str, dialect: str) -> Callable[[Any], Sequence[Any]] | None:
    """Derives a row's keys and converts what the driver cannot take (by column type)."""
    derive = _DERIVE[table][1] if table in _DERIVE else None
    columns = models.Customer.metadata.tables[table].c
    fixes: list[tuple[int, Callable[[Any], Any]]] = []
    for index, name in enumerate(COLUMNS[table]):
        kind = columns[name].type
        if isinstance(kind, JSON):
            fixes.append((index, json.dumps))
        elif dialect == "sqlite" and isinstance(kind, UTCDateTime):
            fixes.append((index, _sqlite_time))
        elif dialect == "sqlite" and isinstance(kind, Numeric):
            fixes.append((index, float))  # what SQLAlchemy's Numeric binds on SQLite
    if not fixes:
        return derive

    def convert(row: Any) -> Sequence[Any]:
        values = list(row if derive is None else derive(row))
        for index, fix in fixes:
            if values[index] is not None:
                values[index] = fix(values[index])
        return values

    return convert


# PostgreSQL.

_PG_FOREIGN_KEYS = """
SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint
WHERE contype = 'f' AND conrelid = ANY(%s::regclass[])"""
_PG_INDEXES = """
SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i
WHERE i.indrelid = ANY(%s::regclass[]) AND NOT EXISTS (
  SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid AND c.conrelid = i.indrelid)"""


def _load_postgres(cursor: psycopg.Cursor[Any], rows: Rows, progress: Progress) -> Counts:
    cursor.execute("SET LOCAL TimeZone = 'UTC'")  # naive datetimes are UTC, as in UTCDateTime
    cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")  # for the index builds
    _require_empty(cursor)
    rebuild = _pg_drop_indexes_and_foreign_keys(cursor)

    def write(table: str, chunk: Iterable[Sequence[Any]]) -> None:
        with cursor.copy(f"COPY {table} ({', '.join(COLUMNS[table])}) FROM STDIN") as copy:
            for row in chunk:
                copy.write_row(row)

    counts = _stream(rows, "postgresql", write, progress)
    for statement in rebuild:
        cursor.execute(statement)
    for table in (t for t in TABLES if "id" in COLUMNS[t]):
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), max(id)) FROM {table}"
        )
    cursor.execute(f"ANALYZE {', '.join(TABLES)}")
    return counts


def _pg_drop_indexes_and_foreign_keys(cursor: psycopg.Cursor[Any]) -> list[str]:
    """Drops what slows a load down; returns the statements that put it back (indexes first)."""
    tables = list(TABLES)
    rebuild: list[str] = []
    for table, name, definition in cursor.execute(_PG_FOREIGN_KEYS, (tables,)).fetchall():
        cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        rebuild.append(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
    for name, definition in cursor.execute(_PG_INDEXES, (tables,)).fetchall():
        cursor.execute(f"DROP INDEX {name}")
        rebuild.insert(0, definition)
    return rebuild


# SQLite.

_BULK_PRAGMAS = {"foreign_keys": 0, "synchronous": 0, "cache_size": -262_144}


def _load_sqlite(connection: sqlite3.Connection, rows: Rows, progress: Progress) -> Counts:
    isolation, connection.isolation_level = connection.isolation_level, None
    saved = {name: connection.execute(f"PRAGMA {name}").fetchone()[0] for name in _BULK_PRAGMAS}
    journal = _sqlite_journal(connection, "DELETE")
    try:
        for name, value in _BULK_PRAGMAS.items():
            connection.execute(f"PRAGMA {name} = {value}")
        return _sqlite_transaction(connection, rows, progress)
    finally:
        for name, value in saved.items():
            connection.execute(f"PRAGMA {name} = {value}")
        _sqlite_journal(connection, journal)
        connection.isolation_level = isolation


def _sqlite_journal(connection: sqlite3.Connection, mode: str) -> str:
    """Sets the journal mode and returns the one before. A rollback journal instead of WAL
    spares the load a second copy of every page (the WAL, then the checkpoint); leaving WAL is
    only possible while no other connection has the file open, else the load stays in WAL."""
    before = str(connection.execute("PRAGMA journal_mode").fetchone()[0])
    with suppress(sqlite3.OperationalError):
        connection.execute(f"PRAGMA journal_mode = {mode}")
    return before


def _sqlite_transaction(connection: sqlite3.Connection, rows: Rows, progress: Progress) -> Counts:
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

        def write(table: str, chunk: Iterable[Sequence[Any]]) -> None:
            marks = ", ".join("?" for _ in COLUMNS[table])
            insert = f"INSERT INTO {table} ({', '.join(COLUMNS[table])}) VALUES ({marks})"
            connection.executemany(insert, chunk)

        counts = _stream(rows, "sqlite", write, progress)
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


def _sqlite_check_foreign_keys(connection: sqlite3.Connection) -> None:
    for table in TABLES:
        found = connection.execute(f"PRAGMA foreign_key_check({table})").fetchone()
        if found is not None:
            child, rowid, parent, _ = found
            raise ValueError(f"{child} row {rowid} names a missing {parent} row")
