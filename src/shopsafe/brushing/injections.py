"""Known fraud to inject into a synthetic marketplace (issue 9, scenarios a–d).

Each scenario returns orders and reviews in the import format and the truth: the accounts,
orders and sellers that are fraudulent. Accounts and addresses come from the demo
generator's own people, so injected rows look like the rest of the marketplace.

- ``dense`` (a): a FRAUDAR-style block, 200 ordinary-looking accounts × 200 products of
  5 new sellers at density 0.1 within 60–120 days, plus as many camouflage orders of
  ordinary products, chosen uniformly (``random``) or by popularity (``biased``).
- ``rings`` (b): 4 brushing rings, each 20–200 new accounts × 1–3 products of one
  existing seller, gift orders to distinct harvested addresses within 1–7 days, five-star
  reviews 1–5 days after delivery.
- ``dumping`` (c): 3 sellers each sending 100–200 parcels to one address, ordered by 1–3
  accounts within 5–30 days, no reviews.
- ``small`` (d): 5 rings of exactly 20 accounts × 2 products, as (b).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any

from shopsafe.demo.catalogue import COUNTRY_BY_CODE, Product, ordinary_products
from shopsafe.demo.generator import Marketplace
from shopsafe.demo.orders import buyer_dict, iso, reviews, ship_to_dict, sku_of
from shopsafe.demo.people import Customer, Person, make_customer, pick_country, random_person
from shopsafe.demo.sellers import offers

DAY = dt.timedelta(days=1)
FIVE_STARS = ("Great product!", "Excellent, fast delivery.", "Top quality, recommended.")


@dataclass
class Injection:
    orders: list[dict[str, Any]] = field(default_factory=list)
    reviews: list[dict[str, Any]] = field(default_factory=list)
    accounts: set[str] = field(default_factory=set)
    fraud_orders: set[str] = field(default_factory=set)
    sellers: set[str] = field(default_factory=set)
    groups: int = 0


@dataclass(frozen=True)
class Offer:
    seller_id: str
    seller_name: str
    sku: str
    gtin: str | None
    brand: str
    model: str | None
    name: str
    price_eur: float


class Injector:
    """Builds fraudulent orders for one marketplace; ids never clash with its own."""

    def __init__(self, market: Marketplace, seed: int) -> None:
        self.market = market
        self.rng = random.Random(seed * 7919 + 17)
        self.out = Injection()
        self.accounts = 0
        self.orders = 0
        self.reviews = 0
        self.shipments = 0
        self.by_seller = _offers_by_seller()

    # -- people ---------------------------------------------------------------------------

    def account(self, created: dt.datetime, country: str | None = None) -> Customer:
        self.accounts += 1
        number = 9_000_000 + self.accounts
        customer = make_customer(self.market.seed, number, created, self.market.pools)
        if country is not None and customer.address.country != country:
            home = random_person(self.rng, self.market.pools, country, email=False)
            customer = customer._replace(address=home._replace(name=customer.name))
        return customer._replace(customer_id=f"X-{number}")

    def harvested(self, country: str) -> Person:
        """A real person's address: half the time an existing customer's home."""
        if self.rng.random() < 0.5:
            number = 1 + self.rng.randrange(self.market.customer_count)
            home = self.market.customer(number).address
            if home.country == country:
                return home
        return random_person(self.rng, self.market.pools, country, email=False)

    # -- orders ---------------------------------------------------------------------------

    def order(
        self, customer: Customer, ship_to: Person, offer: Offer, at: dt.datetime
    ) -> dict[str, Any]:
        self.orders += 1
        self.shipments += 1
        currency = COUNTRY_BY_CODE[customer.address.country].currency
        rate = {"EUR": 1.0, "GBP": 0.86, "USD": 1.08}[currency]
        shipped = at + dt.timedelta(hours=self.rng.uniform(2, 30))
        delivered = shipped + dt.timedelta(hours=self.rng.uniform(20, 90))
        now = self.market.now
        order = {
            "order_id": f"X-O-{self.orders}",
            "placed_at": iso(at),
            "buyer": buyer_dict(customer),
            "ship_to": ship_to_dict(ship_to),
            "gift": ship_to != customer.address,
            "lines": [
                {
                    "line_id": "1", "seller_id": offer.seller_id,
                    "seller_name": offer.seller_name, "sku": offer.sku, "gtin": offer.gtin,
                    "brand": offer.brand, "model": offer.model, "product_name": offer.name,
                    "quantity": 1, "unit_price": f"{offer.price_eur * rate:.2f}",
                    "currency": currency, "lot": None, "serials": [],
                }
            ],
            "shipments": [
                {
                    "carrier": "DHL", "tracking_number": f"JJD{90_000_000_000 + self.shipments}",
                    "shipped_at": iso(shipped) if shipped <= now else None,
                    "delivered_at": iso(delivered) if delivered <= now else None,
                    "line_ids": ["1"],
                }
            ],
        }  # fmt: skip
        self.out.orders.append(order)
        self.out.fraud_orders.add(str(order["order_id"]))  # every order of a fake account
        return order

    def five_stars(self, order: dict[str, Any]) -> None:
        delivered = order["shipments"][0]["delivered_at"]
        if delivered is None:
            return
        when = dt.datetime.fromisoformat(delivered.replace("Z", "")) + DAY * self.rng.uniform(1, 5)
        if when > self.market.now:
            return
        self.reviews += 1
        self.out.reviews.append(
            {
                "review_id": f"X-R-{self.reviews}", "order_id": order["order_id"],
                "line_id": "1", "customer_id": order["buyer"]["customer_id"], "rating": 5,
                "created_at": iso(when), "verified": True, "text": self.rng.choice(FIVE_STARS),
            }
        )  # fmt: skip

    def honest_reviews(self, order: dict[str, Any]) -> None:
        from shopsafe.demo.orders import Counters

        for review in reviews(self.rng, order, set(), self.market.now, Counters()):
            self.reviews += 1
            self.out.reviews.append({**review, "review_id": f"X-R-{self.reviews}"})

    def when(self, days_back: tuple[int, int]) -> dt.datetime:
        """A start time between `days_back` days before the marketplace's today."""
        back = self.rng.uniform(*days_back)
        return self.market.now - dt.timedelta(days=back)

    def mark(self, customer: Customer, seller: str) -> None:
        self.out.accounts.add(customer.customer_id)
        self.out.sellers.add(seller)


def _offers_by_seller() -> dict[str, list[Offer]]:
    """Every ordinary product version, by the seller that offers it."""
    found: dict[str, list[Offer]] = {}
    for product in ordinary_products():
        for seller in offers()[product.pid]:
            for variant, (gtin, model) in enumerate(product.variants):
                found.setdefault(seller.seller_id, []).append(
                    _offer(product, variant, gtin, model, seller.seller_id, seller.name)
                )
    return found


def _offer(
    product: Product, variant: int, gtin: str | None, model: str | None, seller: str, name: str
) -> Offer:
    return Offer(
        seller, name, sku_of(product, variant), gtin, product.brand, model, product.name_en,
        float(product.price("EUR")),
    )  # fmt: skip


def ring(injector: Injector, accounts: int, products: int, *, each_buys_all: bool) -> None:
    """One brushing ring of one existing seller (scenarios b and d)."""
    rng = injector.rng
    seller = rng.choice(sorted(s for s, o in injector.by_seller.items() if len(o) >= products))
    chosen = rng.sample(injector.by_seller[seller], products)
    start = injector.when((20, 700))
    span = rng.uniform(1, 7)
    country = pick_country(rng).code
    for _ in range(accounts):
        created = start - DAY * rng.uniform(0, 7)
        customer = injector.account(created, country)
        bought = chosen if each_buys_all else rng.sample(chosen, rng.randint(1, products))
        for offer in bought:
            at = start + DAY * rng.uniform(0, span)
            order = injector.order(customer, injector.harvested(country), offer, at)
            injector.five_stars(order)
            injector.mark(customer, seller)
    injector.out.groups += 1


def dense_block(injector: Injector, *, biased: bool) -> None:
    """Scenario (a): 200 accounts × 200 products at density 0.1, with camouflage."""
    rng = injector.rng
    targets = [
        Offer(f"X-S-{s}", f"Brightdeal Trading {s} Ltd", f"XF-{s}-{k}", None, "Brightdeal",
              f"BD-{s}{k:02d}", "Phone case", round(rng.uniform(5, 30), 2))
        for s in range(1, 6) for k in range(40)
    ]  # fmt: skip
    start, span = injector.when((150, 700)), rng.uniform(60, 120)
    accounts = [injector.account(start - DAY * rng.uniform(200, 900)) for _ in range(200)]
    block = 0
    for customer in accounts:
        for offer in targets:
            if rng.random() < 0.1:
                order = injector.order(
                    customer, customer.address, offer, _at(injector, start, span)
                )
                injector.honest_reviews(order)
                injector.mark(customer, offer.seller_id)
                block += 1
    ordinary = [o for group in injector.by_seller.values() for o in group]
    for _ in range(block):
        customer = rng.choice(accounts)
        offer = _popular(injector) if biased else rng.choice(ordinary)
        order = injector.order(customer, customer.address, offer, _at(injector, start, span))
        injector.honest_reviews(order)
    injector.out.groups += 1


def _at(injector: Injector, start: dt.datetime, span: float) -> dt.datetime:
    return start + DAY * injector.rng.uniform(0, span)


def _popular(injector: Injector) -> Offer:
    """An ordinary product drawn by its popularity, from one of its sellers."""
    product = injector.market.pick_ordinary(injector.rng)
    seller = injector.rng.choice(offers()[product.pid])
    gtin, model = product.variants[0]
    return _offer(product, 0, gtin, model, seller.seller_id, seller.name)


def dumping(injector: Injector) -> None:
    """Scenario (c): 100–200 parcels of one seller to one stranger's address."""
    rng = injector.rng
    seller = rng.choice(sorted(injector.by_seller))
    cheapest = sorted(injector.by_seller[seller], key=lambda o: o.price_eur)[:2]
    start, span = injector.when((40, 700)), rng.uniform(5, 30)
    country = pick_country(rng).code
    victim = injector.harvested(country)
    accounts = []
    for _ in range(rng.randint(1, 3)):
        customer = injector.account(start - DAY * rng.uniform(0, 30), country)
        accounts.append(customer._replace(address=victim._replace(name=customer.name)))
    for _ in range(rng.randint(100, 200)):
        customer = rng.choice(accounts)
        offer = rng.choice(cheapest)
        injector.order(customer, customer.address, offer, _at(injector, start, span))
        injector.mark(customer, seller)
    injector.out.groups += 1


SCENARIOS = ("a-random", "a-biased", "b", "c", "d")
DESCRIPTIONS = {
    "a-random": "(a) dense block 200 × 200 at 0.1, random camouflage",
    "a-biased": "(a) dense block 200 × 200 at 0.1, popularity-biased camouflage",
    "b": "(b) brushing rings, 20–200 new accounts × 1–3 products",
    "c": "(c) bulk dumping, 100–200 parcels to one address",
    "d": "(d) small rings, 20 accounts × 2 products",
}


def inject(market: Marketplace, seed: int, scenario: str) -> Injection:
    """The fraud of one scenario for this marketplace (deterministic for the seed)."""
    injector = Injector(market, seed)
    rng = injector.rng
    if scenario in ("a-random", "a-biased"):
        dense_block(injector, biased=scenario == "a-biased")
    elif scenario == "b":
        for _ in range(4):
            ring(injector, rng.randint(20, 200), rng.randint(1, 3), each_buys_all=False)
    elif scenario == "c":
        for _ in range(3):
            dumping(injector)
    elif scenario == "d":
        for _ in range(5):
            ring(injector, 20, 2, each_buys_all=True)
    else:
        raise ValueError(f"unknown scenario {scenario!r}")
    return injector.out
