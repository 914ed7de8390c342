"""A deterministic synthetic marketplace: customers, sellers, three years of orders, reviews.

    market = generate(customers=2_000, orders=10_000, seed=1, today=date(2026, 3, 31))
    for order in market.iter_orders(): ...      # CONTRACT §4 order dicts, oldest first
    for review in market.iter_reviews(): ...    # CONTRACT §4 review dicts

Orders are produced one at a time (a million orders need no more memory than ten), from
``random.Random(seed)`` alone: the same seed and ``today`` give the same marketplace, byte
for byte. Only customers' creation times, the catalogue and the sellers live in memory.
"""

from __future__ import annotations

import bisect
import datetime as dt
import heapq
import itertools
import math
import random
from array import array
from collections.abc import Iterator
from typing import Any

from shopsafe.demo import demo_script
from shopsafe.demo.catalogue import Product, ordinary_products, recalled_products
from shopsafe.demo.orders import DAY, Counters, Item, build_order, reviews, sku_of
from shopsafe.demo.people import (
    Customer,
    Person,
    Pool,
    build_pools,
    make_customer,
    random_person,
)
from shopsafe.demo.sellers import offers, sellers

__all__ = ["Marketplace", "generate"]

YEARS = 3
GIFT_SHARE = 0.06
RECALLED_SHARE = 0.05
_EPOCH = dt.datetime(1970, 1, 1)


def _seconds(moment: dt.datetime) -> int:
    return int((moment - _EPOCH).total_seconds())


class Marketplace:
    """A generated marketplace; iterate it as often as needed, it is the same each time."""

    def __init__(self, *, customers: int, orders: int, seed: int, today: dt.date) -> None:
        self.seed = seed
        self.today = today
        self.customer_count = max(customers, 1)
        self.order_count = max(orders, 0)
        self.now = dt.datetime.combine(today, dt.time())  # start of today: never in the future
        self.start = self.now - dt.timedelta(days=365 * YEARS)
        self.pools: dict[str, Pool] = build_pools(seed)
        self._created = self._creation_times()
        self._products = ordinary_products()
        self._weights = list(itertools.accumulate(p.popularity for p in self._products))
        self._recalled_by_month = _by_month(recalled_products(), self.start, self.now)
        self._offers = offers()
        self._scripts = demo_script.scripts(self)
        self.sellers: list[dict[str, str]] = [s.as_dict() for s in sellers()]
        self.demo_people: list[dict[str, Any]] = demo_script.people(self._scripts)

    # -- public ---------------------------------------------------------------------------

    def iter_orders(self) -> Iterator[dict[str, Any]]:
        """Every order, ``placed_at`` ascending, in the import format."""
        for order, _ in self._stream(with_reviews=False):
            yield order

    def iter_reviews(self) -> Iterator[dict[str, Any]]:
        """Reviews of delivered lines (``verified`` true), in the order of their orders."""
        for _, found in self._stream(with_reviews=True):
            yield from found

    @property
    def products(self) -> list[dict[str, Any]]:
        """The catalogue: one entry per product version, with the sellers that offer it."""
        return [
            {
                "sku": sku_of(p, v),
                "gtin": gtin,
                "brand": p.brand,
                "model": model,
                "product_name": p.name_en,
                "recall_number": p.recall_number,
                "seller_ids": [s.seller_id for s in self._offers[p.pid]],
            }
            for p in self._products + recalled_products()
            for v, (gtin, model) in enumerate(p.variants)
        ]

    # -- customers ------------------------------------------------------------------------

    def _creation_times(self) -> array[int]:
        """Sign-up times, oldest first; a third of the customers predate the order history."""
        rng = random.Random(self.seed * 7 + 1)
        span = _seconds(self.now - DAY) - _seconds(self.start)
        times = []
        for _ in range(self.customer_count):
            if rng.random() < 0.3:
                times.append(_seconds(self.start) - rng.randrange(86_400, 86_400 * 1_000))
            else:
                times.append(_seconds(self.start) + rng.randrange(span))
        times.sort()
        times[0] = min(times[0], _seconds(self.start) - 30 * 86_400)
        return array("q", times)

    def customer(self, number: int) -> Customer:
        """Customer ``C-<number>`` (1-based)."""
        created = _EPOCH + dt.timedelta(seconds=self._created[number - 1])
        return make_customer(self.seed, number, created, self.pools)

    def _pick_customer(self, rng: random.Random, at: dt.datetime) -> Customer:
        eligible = max(1, bisect.bisect_right(self._created, _seconds(at) - 3_600))
        return self.customer(1 + int(eligible * rng.random() ** 1.6))

    # -- products -------------------------------------------------------------------------

    def pick_ordinary(self, rng: random.Random) -> Product:
        return rng.choices(self._products, cum_weights=self._weights)[0]

    def _pick_product(self, rng: random.Random, at: dt.datetime) -> Product:
        recalled = self._recalled_by_month.get((at.year, at.month))
        if recalled and rng.random() < RECALLED_SHARE:
            day = at.date()
            candidates = [
                p for p in recalled if p.sold_from and p.sold_to and p.sold_from <= day <= p.sold_to
            ]
            if candidates:
                return rng.choice(candidates)
        return self.pick_ordinary(rng)

    def item(
        self,
        rng: random.Random,
        product: Product,
        quantity: int | None = None,
        variant: int | None = None,
        seller_id: str | None = None,
    ) -> Item:
        """A line for ``product`` from one of its sellers; random quantity and version."""
        if variant is None:
            variant = rng.randrange(len(product.variants))
        if quantity is None:
            cheap = float(product.prices[0]) < 150
            quantity = rng.choices((1, 2, 3, 4), weights=(86, 10, 3, 1))[0] if cheap else 1
        sold_by = self._offers[product.pid]
        seller = next((s for s in sold_by if s.seller_id == seller_id), None)
        seller = seller or rng.choice(sold_by)
        return Item(product, variant, quantity, seller)

    # -- the stream -----------------------------------------------------------------------

    def _slot_time(self, index: int, total: int, rng: random.Random) -> dt.datetime:
        """Order ``index`` of ``total``: strictly in order, business growing over time."""
        x = (index + rng.random()) / total
        fraction = (-0.6 + math.sqrt(0.36 + 1.6 * x)) / 0.8  # density rising 0.6 → 1.4
        return self.start + (self.now - self.start) * fraction

    def _random_order(
        self, rng: random.Random, at: dt.datetime
    ) -> tuple[Customer, Person, list[Item]]:
        customer = self._pick_customer(rng, at)
        ship_to = customer.address
        if rng.random() < GIFT_SHARE:
            country = customer.address.country
            if rng.random() < 0.15:
                country = rng.choice([c for c in self.pools if c != country])
            with_email = rng.random() < 0.5
            tag = str(rng.randrange(10, 10_000))
            ship_to = random_person(rng, self.pools, country, email=with_email, tag=tag)
        lines = rng.choices((1, 2, 3), weights=(78, 17, 5))[0]
        items: list[Item] = []
        for _ in range(lines):
            product = self._pick_product(rng, at)
            if all(i.product != product for i in items):
                items.append(self.item(rng, product))
        return customer, ship_to, items

    def _stream(
        self, *, with_reviews: bool
    ) -> Iterator[tuple[dict[str, Any], list[dict[str, Any]]]]:
        rng = random.Random(self.seed)
        time_rng = random.Random(self.seed * 3 + 2)
        review_rng = random.Random(self.seed * 5 + 3)
        counters = Counters(shipments=random.Random(self.seed * 13 + 7).randrange(10**7))
        recalled_skus = {sku_of(p, v) for p in recalled_products() for v in range(len(p.variants))}
        total = max(0, self.order_count - len(self._scripts))
        randoms = ((self._slot_time(i, total, time_rng), None) for i in range(total))
        planned = ((s.placed_at, s) for s in self._scripts)
        events = heapq.merge(randoms, planned, key=lambda event: event[0])
        for number, (at, script) in enumerate(events, 1):
            if script is None:
                customer, ship_to, items = self._random_order(rng, at)
            else:
                customer, ship_to = script.customer, script.ship_to
                items = [self.item(rng, p, q, v, seller) for p, q, v, seller in script.items]
            order = self._order(number, at, customer, ship_to, items, rng, counters)
            found = []
            if with_reviews:
                found = reviews(review_rng, order, recalled_skus, self.now, counters)
            yield order, found

    def _order(
        self,
        number: int,
        at: dt.datetime,
        customer: Customer,
        ship_to: Person,
        items: list[Item],
        rng: random.Random,
        counters: Counters,
    ) -> dict[str, Any]:
        return build_order(
            order_id=f"O-{number:06d}",
            placed_at=at.replace(microsecond=0),
            customer=customer,
            ship_to=ship_to,
            items=items,
            rng=rng,
            now=self.now,
            counters=counters,
        )


def _by_month(
    products: tuple[Product, ...], start: dt.datetime, end: dt.datetime
) -> dict[tuple[int, int], tuple[Product, ...]]:
    """Recalled products on sale in each month of the order history."""
    months: dict[tuple[int, int], list[Product]] = {}
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        first = dt.date(year, month, 1)
        last = dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)
        months[(year, month)] = [
            p
            for p in products
            if p.sold_from and p.sold_to and p.sold_from <= last and p.sold_to >= first
        ]
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return {key: tuple(value) for key, value in months.items() if value}


def generate(*, customers: int, orders: int, seed: int, today: dt.date) -> Marketplace:
    """A synthetic marketplace with ``orders`` orders over the three years up to ``today``.

    Includes the fixed demo accounts (``Marketplace.demo_people``), whose scripted orders are
    part of the ``orders`` (so at least their number of orders is produced).
    """
    return Marketplace(customers=customers, orders=orders, seed=seed, today=today)
