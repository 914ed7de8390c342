"""What a refund owes and how it is booked (pure: no database). docs/adr/0011.

A refund is at least the price paid for the affected units (GPSR Art. 37). The marketplace
pays the customer and charges the sellers whose units they were, as two balanced
transactions of postings: `payout` (marketplace cash → customer) and `charge` (sellers →
marketplace cash). A positive amount is money in for the account holder.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CASH = "marketplace:cash"
CENT = Decimal("0.01")


@dataclass(frozen=True)
class PaidLine:
    """An affected order line as bought: the seller, units affected, price per unit."""

    seller: str
    units: int
    unit_price: Decimal
    currency: str


@dataclass(frozen=True)
class Posting:
    txn: str
    account: str
    amount: Decimal


def owed(lines: Iterable[PaidLine]) -> dict[str, dict[str, Decimal]]:
    """Price paid for the affected units: currency → seller → amount."""
    found: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for line in lines:
        found[line.currency][line.seller] += (line.unit_price * line.units).quantize(CENT)
    return {currency: dict(by_seller) for currency, by_seller in found.items()}


def total(by_seller: dict[str, Decimal]) -> Decimal:
    return sum(by_seller.values(), Decimal("0.00"))


def parse_amount(text: str | None) -> Decimal | None:
    """An amount as sent ("59.98"), or None when none was sent; ValueError if unusable."""
    if text is None or str(text).strip() == "":
        return None
    try:
        value = Decimal(str(text).strip())
    except InvalidOperation:
        raise ValueError(f"'{text}' is not an amount") from None
    if not value.is_finite() or value <= 0:
        raise ValueError(f"'{text}' is not a positive amount")
    if value != value.quantize(CENT):
        raise ValueError(f"'{text}' has more than two decimal places")
    if value >= Decimal("10000000000"):
        raise ValueError(f"'{text}' is too large")
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def shares(by_seller: dict[str, Decimal], amount: Decimal) -> dict[str, Decimal]:
    """Who is charged what for a refund of `amount` ≥ the price paid: each seller the price
    of its units; anything above that (goodwill) the seller with the largest share."""
    paid = total(by_seller)
    if amount < paid:
        raise ValueError(f"{amount} is less than the {paid} paid for the affected units")
    charged = dict(by_seller)
    if charged:
        largest = max(sorted(charged), key=lambda seller: charged[seller])
        charged[largest] += amount - paid
    return charged


def postings(*, customer: str, charged: dict[str, Decimal]) -> list[Posting]:
    """The balanced postings of one refund."""
    amount = total(charged)
    entries = [
        Posting("payout", CASH, -amount),
        Posting("payout", f"customer:{customer}", amount),
        Posting("charge", CASH, amount),
    ]
    entries += [Posting("charge", f"seller:{s}", -v) for s, v in sorted(charged.items())]
    return entries


def balanced(entries: Iterable[Posting]) -> bool:
    sums: dict[str, Decimal] = defaultdict(Decimal)
    for entry in entries:
        sums[entry.txn] += entry.amount
    return all(value == 0 for value in sums.values())
