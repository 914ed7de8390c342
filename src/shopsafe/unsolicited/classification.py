"""Why a package arrived that nobody ordered, from what the ledger knows (pure).

The rules, first match wins (see ADR 10):

1. ``return_address_misuse`` — it was delivered to the seller's own registered trader
   address: the seller gives the reporter's home as its address (returns, stock).
2. ``misdelivery`` — a genuine order for someone else: the buying account has ordered from
   *other* sellers to this address before (a previous resident, a housemate) and it is not
   a gift order. The reporter is told it belongs to someone else.
3. ``bulk_dumping`` — many identical items from one seller to this address and not one
   review on them: stock got rid of, not reviews bought.
4. ``brushing`` — the account never used this address for anything else, and at least one
   sign of a faked sale: a gift order, an account younger than 30 days, a cheap item,
   several accounts of this seller shipping here, reviews on these orders, or earlier
   reports about the seller.
5. ``unknown`` — none of these.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Final, Literal

Kind = Literal["brushing", "misdelivery", "return_address_misuse", "bulk_dumping", "unknown"]
KINDS: Final[tuple[Kind, ...]] = (
    "brushing",
    "misdelivery",
    "return_address_misuse",
    "bulk_dumping",
    "unknown",
)
# When a case's shipments disagree, the most frequent kind wins; ties go to the first here.
_PRIORITY: Final[tuple[Kind, ...]] = (
    "return_address_misuse",
    "brushing",
    "bulk_dumping",
    "misdelivery",
    "unknown",
)

NEW_ACCOUNT = timedelta(days=30)
CHEAP = Decimal("15.00")
BULK_UNITS = 10
SEVERAL_ACCOUNTS = 2


@dataclass(frozen=True)
class ShipmentFacts:
    """What the ledger says about one shipment delivered at the reporter's postal code.

    ``account_other_sellers_before``: the buyer's orders to this address from other
    sellers, placed before this one. ``seller_*`` count everything the seller shipped to
    this address (all accounts); ``identical_units``: units of the seller's most shipped
    product there; ``reviews``: reviews on the seller's orders to this address.
    """

    gift: bool
    placed_at: datetime
    account_created_at: datetime | None
    account_other_sellers_before: int
    cheapest_unit_price: Decimal | None
    seller_accounts: int
    identical_units: int
    reviews: int
    seller_other_cases: int
    to_seller_address: bool


@dataclass(frozen=True)
class Verdict:
    kind: Kind
    reasons: tuple[str, ...]


def _new_account(facts: ShipmentFacts) -> bool:
    created = facts.account_created_at
    return created is not None and facts.placed_at - created <= NEW_ACCOUNT


def brushing_signs(facts: ShipmentFacts) -> tuple[str, ...]:
    """The signs of a faked sale that the facts show, as stable reason codes."""
    signs = []
    if facts.gift:
        signs.append("gift_order")
    if _new_account(facts):
        signs.append("new_account")
    if facts.cheapest_unit_price is not None and facts.cheapest_unit_price <= CHEAP:
        signs.append("cheap_item")
    if facts.seller_accounts >= SEVERAL_ACCOUNTS:
        signs.append("several_accounts")
    if facts.reviews > 0:
        signs.append("reviews_posted")
    if facts.seller_other_cases > 0:
        signs.append("seller_reported_before")
    return tuple(signs)


def classify(facts: ShipmentFacts) -> Verdict:
    if facts.to_seller_address:
        return Verdict("return_address_misuse", ("seller_address_is_this_address",))
    if facts.account_other_sellers_before > 0 and not facts.gift:
        return Verdict("misdelivery", ("account_used_this_address",))
    if facts.identical_units >= BULK_UNITS and facts.reviews == 0:
        return Verdict("bulk_dumping", ("many_identical_items", "no_reviews"))
    signs = brushing_signs(facts)
    if signs:
        return Verdict("brushing", ("account_never_used_this_address", *signs))
    return Verdict("unknown", ())


def case_kind(kinds: Sequence[Kind]) -> Kind:
    """The case's classification: the most frequent kind of its found shipments."""
    known: list[Kind] = [k for k in kinds if k != "unknown"] or list(kinds)
    if not known:
        return "unknown"
    counts: Counter[Kind] = Counter(known)
    best = max(counts.values())
    return next(k for k in _PRIORITY if counts.get(k) == best)


def as_kind(value: str) -> Kind:
    """A stored classification back as a `Kind` (anything unexpected is `unknown`)."""
    for kind in KINDS:
        if kind == value:
            return kind
    return "unknown"
