"""The fixed demo accounts and their scripted orders.

``C-DEMO-EN`` and ``C-DEMO-DE`` each bought two products of real CPSC recalls inside the
recall's sale window (one identified by GTIN, one by brand and model); ``C-DEMO-BIZ`` (a
business with admin e-mails) bought one; ``C-DEMO-NONE`` bought only ordinary products.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import TYPE_CHECKING, Any, NamedTuple

from shopsafe.demo.catalogue import Product, recalled_products
from shopsafe.demo.people import Customer, Person
from shopsafe.demo.sellers import DEPARTMENT_STORE, offers

if TYPE_CHECKING:
    from shopsafe.demo.generator import Marketplace


DEMO_CUSTOMER_IDS = ("C-DEMO-EN", "C-DEMO-DE", "C-DEMO-NONE", "C-DEMO-BIZ")
DEMO_SELLER_ID = DEPARTMENT_STORE  # the seller the demo logs in as

# product, quantity, version (None: any), preferred seller (used when it offers the product)
Planned = tuple[Product, int, int | None, str | None]


class Script(NamedTuple):
    placed_at: dt.datetime
    customer: Customer
    ship_to: Person
    items: tuple[Planned, ...]


def _person(name: str, line1: str, postal_code: str, city: str, country: str) -> Person:
    return Person(name, None, line1, None, postal_code, city, country)


_ACCOUNTS = (
    ("C-DEMO-EN", "emma.miller@example.com", "Emma Miller", "en", (),
     _person("Emma Miller", "1458 Maple Avenue", "62704", "Springfield", "US")),
    ("C-DEMO-DE", "anna.schmidt@example.de", "Anna Schmidt", "de", (),
     _person("Anna Schmidt", "Hauptstraße 5", "10115", "Berlin", "DE")),
    ("C-DEMO-NONE", "oliver.brown@example.co.uk", "Oliver Brown", "en", (),
     _person("Oliver Brown", "14 Station Road", "OX1 2JD", "Oxford", "GB")),
    ("C-DEMO-BIZ", "einkauf.kita-sonnenschein@example.de", "Kita Sonnenschein gGmbH", "de",
     ("leitung.kita-sonnenschein@example.de", "verwaltung.kita-sonnenschein@example.de"),
     _person("Kita Sonnenschein gGmbH", "Lindenstraße 20", "80331", "München", "DE")),
)  # fmt: skip
_GIFT_FOR_ANNA = Person(
    "Ingrid Schmidt", "ingrid.schmidt@example.de", "Gartenweg 3", None, "01067", "Dresden", "DE"
)


def accounts(start: dt.datetime) -> dict[str, Customer]:
    """The demo customers, signed up well before the order history begins."""
    created = start - dt.timedelta(days=400)
    return {
        cid: Customer(
            cid, email, name, lang, "business" if admins else "personal", admins, created, address
        )
        for cid, email, name, lang, admins, address in _ACCOUNTS
    }


def _windows(start: dt.datetime, now: dt.datetime) -> list[tuple[Product, dt.date, dt.date]]:
    """Recalled products with the part of their sale window inside the order history,
    most recently sold first (products whose window misses the history come last)."""
    low, high = (start + dt.timedelta(days=14)).date(), (now - dt.timedelta(days=30)).date()
    inside, outside = [], []
    for product in recalled_products():
        sold_from = product.sold_from or low
        sold_to = product.sold_to or high
        first, last = max(sold_from, low), min(sold_to, high)
        if first <= last:
            inside.append((product, first, last))
        else:
            outside.append((product, low, low))
    inside.sort(key=lambda w: (-w[2].toordinal(), w[0].recall_number or ""))
    outside.sort(key=lambda w: (-(w[0].sold_to or low).toordinal(), w[0].recall_number or ""))
    return inside + outside


def _take(
    windows: list[tuple[Product, dt.date, dt.date]], *, with_gtin: bool | None, store: bool
) -> tuple[Product, dt.date, dt.date]:
    """The first window whose product fits; ``store``: the demo seller sells it."""
    sold_by = offers()
    for index, (product, _, _) in enumerate(windows):
        has_gtin = product.variants[0][0] is not None
        at_store = any(s.seller_id == DEMO_SELLER_ID for s in sold_by[product.pid])
        if (with_gtin is None or has_gtin == with_gtin) and (at_store or not store):
            return windows.pop(index)
    return windows.pop(0)


def _moment(rng: random.Random, first: dt.date, last: dt.date) -> dt.datetime:
    day = first + dt.timedelta(days=rng.randint(0, (last - first).days))
    return dt.datetime.combine(day, dt.time(rng.randint(7, 21), rng.randint(0, 59)))


# Who buys which recalled products: (customer, ((identified by GTIN?, from the demo seller?)))
_RECALLED_PICKS: tuple[tuple[str, tuple[tuple[bool | None, bool], ...]], ...] = (
    ("C-DEMO-EN", ((True, True), (False, False))),
    ("C-DEMO-DE", ((True, False), (False, True))),
    ("C-DEMO-BIZ", ((None, True),)),
)


def _recalled_orders(
    market: Marketplace, rng: random.Random, people: dict[str, Customer]
) -> list[Script]:
    windows = _windows(market.start, market.now)
    plan: list[Script] = []
    for cid, picks in _RECALLED_PICKS:
        customer = people[cid]
        for n, (with_gtin, store) in enumerate(picks):
            product, first, last = _take(windows, with_gtin=with_gtin, store=store)
            quantity = 3 if customer.account_type == "business" else 1
            items: tuple[Planned, ...] = ((product, quantity, 0, DEMO_SELLER_ID),)
            if n == 0:
                items += ((market.pick_ordinary(rng), 1, None, DEMO_SELLER_ID),)
            ship_to = _GIFT_FOR_ANNA if cid == "C-DEMO-DE" and n == 1 else customer.address
            plan.append(Script(_moment(rng, first, last), customer, ship_to, items))
    return plan


def _ordinary_orders(
    market: Marketplace, rng: random.Random, people: dict[str, Customer]
) -> list[Script]:
    plan: list[Script] = []
    first_day = market.start.date()
    span = (market.now - dt.timedelta(days=10)).date() - first_day
    for cid in DEMO_CUSTOMER_IDS:
        customer = people[cid]
        for fraction in (0.12, 0.4, 0.66, 0.93):
            day = first_day + span * fraction
            draws = [market.pick_ordinary(rng) for _ in range(rng.randint(1, 2))]
            picked = {p.pid: p for p in draws}
            items = tuple((p, 1, None, DEMO_SELLER_ID) for _, p in sorted(picked.items()))
            moment = _moment(rng, day, day + dt.timedelta(days=5))
            plan.append(Script(moment, customer, customer.address, items))
    return plan


def scripts(market: Marketplace) -> list[Script]:
    """All scripted demo orders, oldest first."""
    rng = random.Random(market.seed * 11 + 5)
    people = accounts(market.start)
    plan = _recalled_orders(market, rng, people) + _ordinary_orders(market, rng, people)
    plan.sort(key=lambda s: (s.placed_at, s.customer.customer_id))
    return plan


def people(plan: list[Script]) -> list[dict[str, Any]]:
    """Who the demo can log in as, with the recalls that concern them."""
    result: dict[str, dict[str, Any]] = {}
    for script in plan:
        c = script.customer
        entry = result.setdefault(
            c.customer_id,
            {
                "customer_id": c.customer_id,
                "email": c.email,
                "name": c.name,
                "language": c.language,
                "country": c.address.country,
                "account_type": c.account_type,
                "admin_emails": list(c.admin_emails),
                "recall_numbers": [],
            },
        )
        for product, *_ in script.items:
            if product.recall_number and product.recall_number not in entry["recall_numbers"]:
                entry["recall_numbers"].append(product.recall_number)
    return [result[cid] for cid in DEMO_CUSTOMER_IDS if cid in result]
