"""Gathering the ledger facts of traced shipments and classifying each one."""

from __future__ import annotations

import re
from collections.abc import Sequence

from sqlalchemy.orm import Session

from shopsafe.ledger import keys
from shopsafe.ledger.models import Address, Seller
from shopsafe.unsolicited import tracing
from shopsafe.unsolicited.classification import ShipmentFacts, Verdict, classify
from shopsafe.unsolicited.tracing import Traced

_NOT_ALNUM = re.compile(r"[^0-9a-zäöüß]+")


def _street(text: str | None) -> str:
    compact = _NOT_ALNUM.sub("", (text or "").lower())
    return compact.replace("strasse", "str").replace("straße", "str")


def is_seller_address(seller: Seller, address: Address) -> bool:
    """Whether the delivery address is the seller's own registered trader address."""
    if not (seller.country and seller.postal_code and seller.address_line and address.line1):
        return False
    return (
        seller.country.upper() == address.country.upper()
        and keys.postal_key(seller.postal_code) == address.postal_key
        and _street(seller.address_line) == _street(address.line1)
    )


def assess(session: Session, traced: Sequence[Traced]) -> dict[int, Verdict]:
    """shipment id → classification, from a fixed number of set-based queries."""
    if not traced:
        return {}
    order_ids = sorted({t.order_id for t in traced})
    orders = tracing.order_facts(session, order_ids)
    prices = tracing.cheapest_prices(session, order_ids)
    history = tracing.account_history(
        session, sorted({(t.customer_id, t.address_id) for t in traced})
    )
    at_address = tracing.seller_at_address(
        session, sorted({(t.seller_id, t.address_id) for t in traced})
    )
    seller_ids = sorted({t.seller_id for t in traced})
    others = tracing.other_cases(session, seller_ids)
    sellers = tracing.sellers(session, seller_ids)
    addresses = tracing.addresses(session, sorted({t.address_id for t in traced}))
    verdicts: dict[int, Verdict] = {}
    for t in traced:
        order = orders[t.order_id]
        earlier = {
            placed
            for placed, seller in history.get((t.customer_id, t.address_id), [])
            if placed < order.placed_at and seller != t.seller_id
        }
        there = at_address.get((t.seller_id, t.address_id), tracing.SellerAtAddress())
        facts = ShipmentFacts(
            gift=order.gift,
            placed_at=order.placed_at,
            account_created_at=order.account_created_at,
            account_other_sellers_before=len(earlier),
            cheapest_unit_price=prices.get((t.order_id, t.seller_id)),
            seller_accounts=there.accounts,
            identical_units=there.identical_units,
            reviews=there.reviews,
            seller_other_cases=others.get(t.seller_id, 0),
            to_seller_address=is_seller_address(sellers[t.seller_id], addresses[t.address_id]),
        )
        verdicts[t.shipment_id] = classify(facts)
    return verdicts
