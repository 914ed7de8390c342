"""All queries of brushing detection: the ledger read in chunks into columns, the signals
from unsolicited-package reports and confirmed cases, and the runs and rings.

The ledger is read with plain DB-API cursors (a server-side cursor on PostgreSQL) in chunks
of CHUNK rows straight into NumPy arrays: no ORM objects, so 5,000,000 lines take seconds
and little memory. Times are read as Unix seconds, computed by the database.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np
from sqlalchemy import BigInteger, case, cast, delete, func, insert, literal, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql import ClauseElement, ColumnElement
from sqlalchemy.sql.functions import GenericFunction

from shopsafe.brushing.frame import I64, LedgerFrame, ints
from shopsafe.brushing.models import DetectionRun, Ring, RingMember
from shopsafe.ledger.models import (
    Address,
    Customer,
    Order,
    OrderLine,
    Product,
    Review,
    Seller,
    Shipment,
)
from shopsafe.unsolicited.models import Case, CaseShipment

CHUNK = 100_000
IN_BATCH = 900


class epoch_seconds(GenericFunction[int]):
    """Seconds since 1970 of a UTCDateTime column, computed by the database."""

    type = BigInteger()
    inherit_cache = True


@compiles(epoch_seconds, "sqlite")
def _epoch_sqlite(element: epoch_seconds, compiler: Any, **kw: Any) -> str:
    return f"CAST(strftime('%s', {compiler.process(element.clauses, **kw)}) AS INTEGER)"


@compiles(epoch_seconds, "postgresql")
def _epoch_postgresql(element: epoch_seconds, compiler: Any, **kw: Any) -> str:
    return f"CAST(EXTRACT(EPOCH FROM {compiler.process(element.clauses, **kw)}) AS BIGINT)"


def _epoch(column: Any) -> ColumnElement[int]:
    return func.coalesce(epoch_seconds(column), literal(-1))


def _rows(session: Session, statement: ClauseElement, name: str) -> Iterator[Sequence[Any]]:
    """The statement's rows in chunks, from a raw cursor (server-side on PostgreSQL)."""
    connection = session.connection()
    sql = str(statement.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True}))
    dbapi = connection.connection.dbapi_connection
    assert dbapi is not None
    postgres = connection.dialect.name == "postgresql"
    cursor = dbapi.cursor(name=f"brushing_{name}") if postgres else dbapi.cursor()
    try:
        cursor.execute(sql)
        while chunk := cursor.fetchmany(CHUNK):
            yield chunk
    finally:
        cursor.close()


def _columns(session: Session, statement: ClauseElement, name: str, width: int) -> I64:
    parts = [np.array(chunk, dtype=np.int64) for chunk in _rows(session, statement, name)]
    if not parts:
        return np.zeros((0, width), dtype=np.int64)
    return np.concatenate(parts).reshape(-1, width)


def _gift() -> ColumnElement[int]:
    return case((Order.gift, 1), else_=0)


def _lines(session: Session) -> tuple[I64, I64]:
    """Order lines (id, order, product, seller, cents) and, for each, its order's row
    (id, customer, address, placed, gift)."""
    cents = cast(func.round(OrderLine.unit_price * 100), BigInteger)
    lines = _columns(
        session,
        select(OrderLine.id, OrderLine.order_id, OrderLine.product_id, OrderLine.seller_id, cents),
        "lines",
        5,
    )
    orders = _columns(
        session,
        select(
            Order.id, Order.customer_id, Order.ship_to_address_id, _epoch(Order.placed_at), _gift()
        ).order_by(Order.id),
        "orders",
        5,
    )
    if not orders.shape[0]:
        return lines, np.zeros((0, 5), dtype=np.int64)
    at = np.searchsorted(orders[:, 0], lines[:, 1]).clip(0, orders.shape[0] - 1)
    return lines, orders[at]


def load_frame(session: Session) -> LedgerFrame:
    """The whole ledger as columns."""
    lines, of_line = _lines(session)
    customers = _columns(session, select(Customer.id, _epoch(Customer.created_at)), "customers", 2)
    delivered = _columns(
        session,
        select(Shipment.order_id, func.min(epoch_seconds(Shipment.delivered_at)))
        .where(Shipment.delivered_at.is_not(None))
        .group_by(Shipment.order_id),
        "deliveries",
        2,
    )
    reviews = _columns(
        session,
        select(
            Review.id,
            Review.order_id,
            func.coalesce(Review.order_line_id, literal(-1)),
            Review.rating,
            _epoch(Review.created_at),
        ),
        "reviews",
        5,
    )
    frame = LedgerFrame(
        line=lines[:, 0].copy(), order=lines[:, 1].copy(), customer=of_line[:, 1].copy(),
        address=of_line[:, 2].copy(), product=lines[:, 2].copy(), seller=lines[:, 3].copy(),
        placed=of_line[:, 3].copy(), gift=of_line[:, 4].astype(np.bool_),
        price_cents=lines[:, 4].copy(), customer_id=customers[:, 0].copy(),
        customer_created=customers[:, 1].copy(), delivered_order=delivered[:, 0].copy(),
        delivered_at=delivered[:, 1].copy(), review=reviews[:, 0].copy(),
        review_order=reviews[:, 1].copy(), review_line=reviews[:, 2].copy(),
        review_rating=reviews[:, 3].copy(), review_created=reviews[:, 4].copy(),
    )  # fmt: skip
    _add_fingerprints(session, frame)
    _add_cases(session, frame)
    return frame


def _add_fingerprints(session: Session, frame: LedgerFrame) -> None:
    """Each distinct digest gets a code; orders without any are not read."""
    statement = select(Order.id, Order.payment_hash, Order.device_hash, Order.ip_hash).where(
        (Order.payment_hash.is_not(None))
        | (Order.device_hash.is_not(None))
        | (Order.ip_hash.is_not(None))
    )
    codes: dict[tuple[int, str], int] = {}
    orders, kinds, found = [], [], []
    for chunk in _rows(session, statement, "prints"):
        for order, *digests in chunk:
            for kind, digest in enumerate(digests):
                if digest is not None:
                    orders.append(order)
                    kinds.append(kind)
                    found.append(codes.setdefault((kind, digest), len(codes)))
    frame.print_order, frame.print_kind, frame.print_code = ints(orders), ints(kinds), ints(found)


def _status_of_ring() -> ColumnElement[str]:
    """A ring's status: its case's once it has one (join `Case` on `Ring.case_id`)."""
    return func.coalesce(Case.status, Ring.status)


def _add_cases(session: Session, frame: LedgerFrame) -> None:
    """Reports found at an address (cases not dismissed), and what confirmed cases and
    confirmed rings name: their accounts, sellers and addresses."""
    reported = session.execute(
        select(CaseShipment.address_id)
        .join(Case, Case.id == CaseShipment.case_id)
        .where(CaseShipment.found, CaseShipment.address_id.is_not(None))
        .where(Case.status != "dismissed")
    ).scalars()
    frame.reported_address = ints(list(reported))
    confirmed = session.execute(
        select(CaseShipment.customer_id, CaseShipment.seller_id, CaseShipment.address_id)
        .join(Case, Case.id == CaseShipment.case_id)
        .where(Case.status == "confirmed", CaseShipment.found)
    ).all()
    sellers = list(
        session.execute(
            select(Case.seller_id).where(Case.status == "confirmed", Case.seller_id.is_not(None))
        ).scalars()
    )
    members = session.execute(
        select(RingMember.role, RingMember.ref_id)
        .join(Ring, Ring.id == RingMember.ring_id)
        .outerjoin(Case, Case.id == Ring.case_id)
        .where(_status_of_ring() == "confirmed")
        .where(RingMember.role.in_(("account", "seller", "address")))
    ).all()
    by_role: dict[str, list[int]] = {"account": [], "seller": [], "address": []}
    for role, ref in members:
        by_role[role].append(ref)
    frame.confirmed_customer = ints([c for c, _, _ in confirmed if c] + by_role["account"])
    frame.confirmed_seller = ints([s for _, s, _ in confirmed if s] + sellers + by_role["seller"])
    frame.confirmed_address = ints([a for _, _, a in confirmed if a] + by_role["address"])


# -- external ids for the answer -----------------------------------------------------------


def _chunks(ids: Iterable[int]) -> Iterator[list[int]]:
    values = sorted({int(i) for i in ids})
    for start in range(0, len(values), IN_BATCH):
        yield values[start : start + IN_BATCH]


def external_ids(
    session: Session, model: type[Customer | Order | Seller | Review], ids: Iterable[int]
) -> dict[int, str]:
    found: dict[int, str] = {}
    for chunk in _chunks(ids):
        rows = session.execute(select(model.id, model.external_id).where(model.id.in_(chunk)))
        found.update({row_id: external for row_id, external in rows})
    return found


def addresses(session: Session, ids: Iterable[int]) -> dict[int, dict[str, str | None]]:
    found: dict[int, dict[str, str | None]] = {}
    for chunk in _chunks(ids):
        rows = session.execute(
            select(Address.id, Address.postal_code, Address.country, Address.line1).where(
                Address.id.in_(chunk)
            )
        )
        for row_id, postal, country, line1 in rows:
            found[row_id] = {"postal_code": postal, "country": country, "line1": line1}
    return found


# -- runs and rings --------------------------------------------------------------------------


def add(session: Session, row: DetectionRun | Ring) -> None:
    session.add(row)
    session.flush()


def ring_overlaps(session: Session, order_ids: Iterable[int]) -> dict[int, int]:
    """Rings that hold any of these orders, with how many of them each holds."""
    counts: dict[int, int] = {}
    for chunk in _chunks(order_ids):
        rows = session.execute(
            select(RingMember.ring_id, func.count())
            .where(RingMember.role == "order", RingMember.ref_id.in_(chunk))
            .group_by(RingMember.ring_id)
        )
        for ring_id, count in rows:
            counts[ring_id] = counts.get(ring_id, 0) + int(count)
    return counts


def get_ring(session: Session, ring_id: int) -> Ring | None:
    return session.get(Ring, ring_id)


def replace_members(session: Session, ring_id: int, members: Mapping[str, Iterable[int]]) -> None:
    session.execute(delete(RingMember).where(RingMember.ring_id == ring_id))
    rows = [
        {"ring_id": ring_id, "role": role, "ref_id": int(ref)}
        for role, refs in members.items()
        for ref in sorted({int(r) for r in refs})
    ]
    for start in range(0, len(rows), 10_000):
        session.execute(insert(RingMember), rows[start : start + 10_000])


def members_of(session: Session, ring_ids: list[int]) -> dict[int, dict[str, list[int]]]:
    found: dict[int, dict[str, list[int]]] = {i: {} for i in ring_ids}
    for chunk in _chunks(ring_ids):
        rows = session.execute(
            select(RingMember.ring_id, RingMember.role, RingMember.ref_id)
            .where(RingMember.ring_id.in_(chunk))
            .order_by(RingMember.ring_id, RingMember.role, RingMember.ref_id)
        )
        for ring_id, role, ref in rows:
            found[ring_id].setdefault(role, []).append(int(ref))
    return found


def list_rings(
    session: Session, *, status: str | None, after: int | None, limit: int
) -> list[Ring]:
    """Rings by id descending (newest first), for the operator's list."""
    statement = select(Ring).order_by(Ring.id.desc()).limit(limit)
    if status is not None:
        statement = statement.outerjoin(Case, Case.id == Ring.case_id).where(
            _status_of_ring() == status
        )
    if after is not None:
        statement = statement.where(Ring.id < after)
    return list(session.execute(statement).scalars())


def case_states(session: Session, case_ids: Iterable[int]) -> dict[int, tuple[str, str]]:
    """(number, status) of these cases."""
    found: dict[int, tuple[str, str]] = {}
    for chunk in _chunks(case_ids):
        rows = session.execute(select(Case.id, Case.number, Case.status).where(Case.id.in_(chunk)))
        found.update({case_id: (number, status) for case_id, number, status in rows})
    return found


def case_of(session: Session, ring: Ring) -> Case | None:
    return session.get(Case, ring.case_id) if ring.case_id is not None else None


def products(session: Session, ids: Iterable[int]) -> dict[int, dict[str, str | None]]:
    found: dict[int, dict[str, str | None]] = {}
    for chunk in _chunks(ids):
        rows = session.execute(
            select(Product.id, Seller.external_id, Product.sku, Product.gtin, Product.name)
            .join(Seller, Seller.id == Product.seller_id)
            .where(Product.id.in_(chunk))
        )
        for row_id, seller, sku, gtin, name in rows:
            found[row_id] = {"seller_id": seller, "sku": sku, "gtin": gtin, "name": name}
    return found
