"""Queries for detection cases: the detected ring's orders of a case (`unsolicited_case_orders`),
finding the case a ring already has, and what operators see of it (set-based, chunked)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Final

from sqlalchemy import delete, func, insert, literal, select
from sqlalchemy.orm import Session

from shopsafe.ledger.models import Address, Customer, Order, OrderLine
from shopsafe.unsolicited.models import Case, CaseOrder

IN_BATCH: Final = 900  # ids per IN list (SQLite's parameter limit, PostgreSQL's plans)


def _chunks(ids: Iterable[int]) -> Iterator[list[int]]:
    values = sorted({int(i) for i in ids})
    for start in range(0, len(values), IN_BATCH):
        yield values[start : start + IN_BATCH]


def replace(session: Session, case_id: int, order_ids: Iterable[int]) -> tuple[int, int]:
    """The case's orders become these (with their account and address, read from the
    ledger). Returns (orders added, orders removed)."""
    before = set(session.scalars(select(CaseOrder.order_id).where(CaseOrder.case_id == case_id)))
    wanted = {int(o) for o in order_ids}
    session.execute(delete(CaseOrder).where(CaseOrder.case_id == case_id))
    for chunk in _chunks(wanted):
        rows = select(literal(case_id), Order.id, Order.customer_id, Order.ship_to_address_id)
        session.execute(
            insert(CaseOrder).from_select(
                ["case_id", "order_id", "customer_id", "address_id"],
                rows.where(Order.id.in_(chunk)),
            )
        )
    return len(wanted - before), len(before - wanted)


def of_case(session: Session, case_id: int) -> list[tuple[int, int, int]]:
    """(order, customer, address) of the case's orders, by order."""
    rows = session.execute(
        select(CaseOrder.order_id, CaseOrder.customer_id, CaseOrder.address_id)
        .where(CaseOrder.case_id == case_id)
        .order_by(CaseOrder.order_id)
    )
    return [(o, c, a) for o, c, a in rows]


def overlapping_cases(
    session: Session, customer_ids: Sequence[int], seller_ids: Sequence[int]
) -> dict[int, int]:
    """Detection cases of one of these sellers that hold orders of these accounts, with how
    many of the accounts each holds."""
    counts: dict[int, int] = {}
    for chunk in _chunks(customer_ids):
        rows = session.execute(
            select(CaseOrder.case_id, func.count(func.distinct(CaseOrder.customer_id)))
            .join(Case, Case.id == CaseOrder.case_id)
            .where(
                Case.origin == "detection",
                Case.seller_id.in_(list(seller_ids)),
                CaseOrder.customer_id.in_(chunk),
            )
            .group_by(CaseOrder.case_id)
        )
        for case_id, count in rows:
            counts[case_id] = counts.get(case_id, 0) + int(count)
    return counts


def main_seller(session: Session, order_ids: Sequence[int], seller_ids: Sequence[int]) -> int:
    """Of these sellers, the one with the most lines in these orders (the lowest id on a tie)."""
    counts: dict[int, int] = dict.fromkeys(seller_ids, 0)
    for chunk in _chunks(order_ids):
        rows = session.execute(
            select(OrderLine.seller_id, func.count())
            .where(OrderLine.order_id.in_(chunk), OrderLine.seller_id.in_(list(seller_ids)))
            .group_by(OrderLine.seller_id)
        )
        for seller, count in rows:
            counts[seller] += int(count)
    return max(sorted(counts), key=lambda s: counts[s])


def main_country(session: Session, case_id: int) -> str:
    """The country most of the case's orders went to ("" when it has none)."""
    row = session.execute(
        select(Address.country, func.count().label("n"))
        .join(CaseOrder, CaseOrder.address_id == Address.id)
        .where(CaseOrder.case_id == case_id)
        .group_by(Address.country)
        .order_by(func.count().desc(), Address.country)
        .limit(1)
    ).first()
    return str(row[0]) if row else ""


def counts(session: Session, case_id: int) -> tuple[int, int, int]:
    """(orders, accounts, addresses) of the case."""
    row = session.execute(
        select(
            func.count(),
            func.count(func.distinct(CaseOrder.customer_id)),
            func.count(func.distinct(CaseOrder.address_id)),
        ).where(CaseOrder.case_id == case_id)
    ).one()
    return int(row[0]), int(row[1]), int(row[2])


def order_ids(session: Session, case_id: int, limit: int) -> list[str]:
    return list(
        session.scalars(
            select(Order.external_id)
            .join(CaseOrder, CaseOrder.order_id == Order.id)
            .where(CaseOrder.case_id == case_id)
            .order_by(Order.external_id)
            .limit(limit)
        )
    )


def account_ids(session: Session, case_id: int, limit: int) -> list[str]:
    return list(
        session.scalars(
            select(Customer.external_id)
            .where(
                Customer.id.in_(select(CaseOrder.customer_id).where(CaseOrder.case_id == case_id))
            )
            .order_by(Customer.external_id)
            .limit(limit)
        )
    )


def addresses(session: Session, case_id: int, limit: int) -> list[Address]:
    """The addresses the case's orders went to (as operators see them on delivery blocks)."""
    return list(
        session.scalars(
            select(Address)
            .where(Address.id.in_(select(CaseOrder.address_id).where(CaseOrder.case_id == case_id)))
            .order_by(Address.country, Address.postal_code, Address.id)
            .limit(limit)
        )
    )
