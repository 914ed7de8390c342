"""Queries of the seller console that cross recalls or split a case by seller: a seller's
remedy cases (every recall), and a seller's part of a case (the units it sold, the price
paid for them, what it was charged for the refunds). A case holds the lines of every seller
the customer bought the recalled product from; a seller reading a marketplace recall sees
its own part only."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from shopsafe.ledger.models import Seller
from shopsafe.recalls.models import Recall
from shopsafe.remedies.models import LedgerEntry, Refund, RemedyCase, RemedyCaseLine

CENT = Decimal("0.01")


def _of_seller(seller_id: int) -> ColumnElement[bool]:
    """The cases a seller may see (`service.may_see`): of its recalls, sent back to it, or
    holding a line it sold."""
    return or_(
        RemedyCase.id.in_(
            select(RemedyCaseLine.case_id).where(RemedyCaseLine.seller_id == seller_id)
        ),
        RemedyCase.seller_id == seller_id,
        RemedyCase.recall_id.in_(select(Recall.id).where(Recall.seller_id == seller_id)),
    )


def cases_of_seller(
    session: Session, seller_id: int, *, state: str | None, before: int | None, limit: int
) -> list[tuple[RemedyCase, str]]:
    """(case, recall title) of the seller's cases, newest first; `before` pages back."""
    query = (
        select(RemedyCase, Recall.title)
        .join(Recall, Recall.id == RemedyCase.recall_id)
        .where(_of_seller(seller_id))
    )
    if state:
        query = query.where(RemedyCase.state == state)
    if before is not None:
        query = query.where(RemedyCase.id < before)
    rows = session.execute(query.order_by(RemedyCase.id.desc()).limit(limit))
    return [(case, title) for case, title in rows]


def parts_of_cases(
    session: Session, case_ids: Sequence[int], seller_id: int
) -> dict[int, tuple[int, dict[str, Decimal]]]:
    """case id → (units the seller sold in it, currency → price paid for them)."""
    if not case_ids:
        return {}
    rows = session.execute(
        select(
            RemedyCaseLine.case_id,
            RemedyCaseLine.currency,
            func.sum(RemedyCaseLine.units),
            func.sum(RemedyCaseLine.units * RemedyCaseLine.unit_price),
        )
        .where(RemedyCaseLine.case_id.in_(list(case_ids)), RemedyCaseLine.seller_id == seller_id)
        .group_by(RemedyCaseLine.case_id, RemedyCaseLine.currency)
        .order_by(RemedyCaseLine.case_id, RemedyCaseLine.currency)
    )
    found: dict[int, tuple[int, dict[str, Decimal]]] = {}
    for case_id, currency, units, paid in rows:
        before, by_currency = found.get(case_id, (0, {}))
        by_currency[str(currency)] = Decimal(paid or 0).quantize(CENT)
        found[case_id] = (before + int(units or 0), by_currency)
    return found


def charges_of_case(session: Session, case_id: int, seller_id: int) -> dict[int, Decimal]:
    """refund id → what the ledger charged the seller for it (its share of the case's
    refunds: the price of its units, and any goodwill when its share was the largest)."""
    external = session.scalar(select(Seller.external_id).where(Seller.id == seller_id))
    rows = session.execute(
        select(LedgerEntry.refund_id, -LedgerEntry.amount)
        .join(Refund, Refund.id == LedgerEntry.refund_id)
        .where(
            Refund.case_id == case_id,
            LedgerEntry.txn == "charge",
            LedgerEntry.account == f"seller:{external}",
        )
    )
    return {int(refund): Decimal(amount).quantize(CENT) for refund, amount in rows}


@dataclass(frozen=True)
class CasePart:
    """A seller's part of a case: the units it sold, the price paid for them by currency,
    and what it was charged for each refund (by refund id)."""

    units: int
    paid: dict[str, Decimal]
    charged: dict[int, Decimal]


def part_of_case(session: Session, case_id: int, seller_id: int) -> CasePart:
    units, paid = parts_of_cases(session, [case_id], seller_id).get(case_id, (0, {}))
    return CasePart(units, paid, charges_of_case(session, case_id, seller_id))
