"""Refunds on the sellers' behalf, booked as balanced ledger entries (docs/adr/0011).

One refund per case and currency: the refund's `key` and the unique (case, currency) pair
make a double click, a retry or a second worker add nothing. A refund is never less than
the price paid for the affected units (GPSR Art. 37); a seller or operator may pay more.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shopsafe.audit import service as audit
from shopsafe.kit.clock import now
from shopsafe.kit.errors import InvalidInput
from shopsafe.remedies import money, webhooks
from shopsafe.remedies import repository as repo
from shopsafe.remedies.models import Refund, RemedyCase


def owed(session: Session, case: RemedyCase) -> dict[str, dict[str, Decimal]]:
    """currency → seller (external id) → price paid for the case's affected units."""
    lines = [
        money.PaidLine(seller, line.units, line.unit_price, line.currency)
        for line, seller in repo.case_lines(session, case.id)
    ]
    return money.owed(lines)


def check_amount(session: Session, case: RemedyCase, amount: Decimal | None) -> None:
    """Refuses (422) an amount below the price paid, or one for a case in several
    currencies (each currency is refunded at what was paid)."""
    if amount is None:
        return
    due = owed(session, case)
    if len(due) != 1:
        raise InvalidInput(
            ["amount: this case was paid in several currencies; refund without an amount"]
        )
    currency, by_seller = next(iter(due.items()))
    paid = money.total(by_seller)
    if amount < paid:
        raise InvalidInput(
            [
                f"amount: {amount} {currency} is less than the {paid} {currency} paid for the "
                "affected units; a refund must be at least the price paid (GPSR Art. 37)"
            ],
            code="refund_below_price_paid",
        )


def issue(
    session: Session, case: RemedyCase, *, amount: Decimal | None, actor: str
) -> list[Refund]:
    """Books the case's refund(s) once; returns what exists afterwards. The caller holds the
    case row locked (PostgreSQL) or the database (SQLite)."""
    check_amount(session, case, amount)
    customer = repo.customer(session, case.customer_id)
    assert customer is not None
    stamp = now()
    for currency, by_seller in sorted(owed(session, case).items()):
        key = f"refund:case:{case.id}:{currency}"
        if repo.refund_by_key(session, key) is not None:
            continue
        paid = money.total(by_seller)
        charged = money.shares(by_seller, amount if amount is not None else paid)
        refund = Refund(
            key=key, case_id=case.id, amount=money.total(charged), owed=paid,
            currency=currency, status="booked", issued_by=actor, issued_at=stamp,
        )  # fmt: skip
        if not _insert_once(session, refund):
            continue
        entries = money.postings(customer=customer.external_id, charged=charged)
        assert money.balanced(entries)
        repo.add_entries(
            session,
            [
                {"refund_id": refund.id, "txn": e.txn, "account": e.account,
                 "amount": e.amount, "currency": currency, "at": stamp}
                for e in entries
            ],
        )  # fmt: skip
        audit.record(
            session, actor=actor, action="refund.issued", subject_type="remedy_case",
            subject_id=case.id,
            data={"refund_id": refund.id, "amount": str(refund.amount), "owed": str(paid),
                  "currency": currency},
        )  # fmt: skip
        webhooks.refund_issued(session, case=case, refund=refund, charged=charged)
    return repo.refunds_of(session, case.id)


def _insert_once(session: Session, refund: Refund) -> bool:
    """Adds the refund unless another transaction added it first (unique key)."""
    try:
        with session.begin_nested():
            session.add(refund)
            session.flush()
    except IntegrityError:
        return False
    return True
