"""Turn a decided purchase into an order dict of the import format (CONTRACT §4), with its
shipments, and derive the reviews its buyer writes."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from shopsafe.demo.catalogue import COUNTRY_BY_CODE, Product
from shopsafe.demo.people import Customer, Person
from shopsafe.demo.sellers import Seller
from shopsafe.ledger import tracking

HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)


class Item(NamedTuple):
    product: Product
    variant: int
    quantity: int
    seller: Seller


@dataclass
class Counters:
    """Running numbers that make serials and tracking numbers unique within a marketplace."""

    shipments: int = 0
    reviews: int = 0
    serials: dict[int, int] = field(default_factory=dict)

    def next_serials(self, product: Product, quantity: int) -> list[str]:
        first = self.serials.get(product.pid, 100_000 + product.pid * 37 % 900)
        self.serials[product.pid] = first + quantity
        return [f"{product.serial_prefix}{n}" for n in range(first, first + quantity)]


def sku_of(product: Product, variant: int) -> str:
    """The seller's SKU of one version of a product."""
    return product.sku if variant == 0 else f"{product.sku}-V{variant + 1}"


def iso(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def buyer_dict(customer: Customer) -> dict[str, Any]:
    return {
        "customer_id": customer.customer_id,
        "email": customer.email,
        "name": customer.name,
        "language": customer.language,
        "account_type": customer.account_type,
        "admin_emails": list(customer.admin_emails),
        "created_at": iso(customer.created_at),
    }


def ship_to_dict(person: Person) -> dict[str, Any]:
    return {
        "name": person.name,
        "email": person.email,
        "line1": person.line1,
        "line2": person.line2,
        "postal_code": person.postal_code,
        "city": person.city,
        "country": person.country,
    }


def _line(
    number: int, item: Item, placed_at: dt.datetime, currency: str, language: str, c: Counters
) -> dict[str, Any]:
    product = item.product
    gtin, model = product.variants[item.variant]
    lot = None
    if product.lot_coded:
        made = placed_at - dt.timedelta(days=40 + product.pid % 5 * 30 + item.variant * 7)
        lot = f"L{made:%y%m}"
    serials = c.next_serials(product, item.quantity) if product.serial_prefix else []
    return {
        "line_id": str(number),
        "seller_id": item.seller.seller_id,
        "seller_name": item.seller.name,
        "sku": sku_of(product, item.variant),
        "gtin": gtin,
        "brand": product.brand,
        "model": model,
        "product_name": product.name_de if language == "de" else product.name_en,
        "quantity": item.quantity,
        "unit_price": product.price(currency),
        "currency": currency,
        "lot": lot,
        "serials": serials,
    }


# (carrier, weight) per destination; "S10" carriers print UPU S10 numbers of their country.
_CARRIERS: dict[str, tuple[tuple[str, int], ...]] = {
    "DE": (("DHL", 78), ("UPS", 14), ("Deutsche Post", 8)),
    "AT": (("DHL", 55), ("Österreichische Post", 30), ("UPS", 15)),
    "GB": (("Royal Mail", 60), ("DHL", 20), ("UPS", 20)),
    "US": (("USPS", 55), ("UPS", 45)),
}
_POSTS = {
    "Deutsche Post": "DE",
    "Österreichische Post": "AT",
    "Royal Mail": "GB",
    "China Post": "CN",
}


def choose_carrier(
    rng: random.Random, destination: str, origin: str, serial: int
) -> tuple[str, str]:
    """(carrier, tracking number) for a parcel from a seller in ``origin``."""
    if origin == "CN" and rng.random() < 0.5:
        carrier = "China Post"
    else:
        options = _CARRIERS.get(destination, _CARRIERS["DE"])
        carrier = rng.choices([c for c, _ in options], weights=[w for _, w in options])[0]
    if carrier in _POSTS:
        return carrier, tracking.make_s10(rng, _POSTS[carrier], serial=serial)
    if carrier == "DHL":
        return carrier, tracking.make_dhl(rng, express=rng.random() < 0.1, serial=serial)
    if carrier == "UPS":
        return carrier, tracking.make_ups(rng, serial=serial)
    return carrier, tracking.make_usps(rng, serial=serial)


def _transit(rng: random.Random, destination: str, origin: str, carrier: str) -> dt.timedelta:
    if carrier == "China Post":
        return dt.timedelta(days=rng.uniform(7, 19))
    if origin == destination or {origin, destination} <= {"DE", "AT"}:
        return dt.timedelta(hours=rng.uniform(18, 80))
    return dt.timedelta(days=rng.uniform(2, 6))


def _timing(
    rng: random.Random, placed_at: dt.datetime, now: dt.datetime, transit: dt.timedelta
) -> tuple[dt.datetime | None, dt.datetime | None]:
    """(shipped_at, delivered_at); None for what has not happened by ``now``."""
    shipped = placed_at + HOUR * rng.uniform(2, 60)
    recent = now - placed_at < 3 * DAY
    if shipped > now or (recent and rng.random() < 0.45):
        return None, None
    delivered = shipped + transit
    return shipped, delivered if delivered <= now else None


def shipments(
    rng: random.Random,
    items: list[Item],
    placed_at: dt.datetime,
    destination: str,
    now: dt.datetime,
    counters: Counters,
) -> list[dict[str, Any]]:
    """One shipment per seller; recent ones may not be handed to the carrier yet."""
    groups: dict[str, list[str]] = {}
    origin: dict[str, str] = {}
    for line_no, item in enumerate(items, 1):
        groups.setdefault(item.seller.seller_id, []).append(str(line_no))
        origin[item.seller.seller_id] = item.seller.country
    result = []
    for seller_id, line_ids in groups.items():
        counters.shipments += 1
        carrier, number = choose_carrier(rng, destination, origin[seller_id], counters.shipments)
        transit = _transit(rng, destination, origin[seller_id], carrier)
        shipped, delivered = _timing(rng, placed_at, now, transit)
        result.append(
            {
                "carrier": carrier,
                "tracking_number": number,
                "shipped_at": iso(shipped) if shipped else None,
                "delivered_at": iso(delivered) if delivered else None,
                "line_ids": line_ids,
            }
        )
    return result


def build_order(
    *,
    order_id: str,
    placed_at: dt.datetime,
    customer: Customer,
    ship_to: Person,
    items: list[Item],
    rng: random.Random,
    now: dt.datetime,
    counters: Counters,
) -> dict[str, Any]:
    """The order dict exactly as ``shopsafe import orders`` reads it."""
    currency = COUNTRY_BY_CODE[customer.address.country].currency
    lines = [
        _line(n, item, placed_at, currency, customer.language, counters)
        for n, item in enumerate(items, 1)
    ]
    return {
        "order_id": order_id,
        "placed_at": iso(placed_at),
        "buyer": buyer_dict(customer),
        "ship_to": ship_to_dict(ship_to),
        "gift": ship_to != customer.address,
        "lines": lines,
        "shipments": shipments(rng, items, placed_at, ship_to.country, now, counters),
    }


_TEXTS = {
    "en": {
        5: ("Great product, exactly as described.", "Works perfectly, fast delivery.",
            "Very happy with it, would buy again.", "Excellent value for money."),
        4: ("Good quality, a bit pricey.", "Does the job. Packaging could be better.",
            "Nice, but the instructions were unclear."),
        3: ("It's okay. Nothing special.", "Average quality for the price."),
        2: ("Stopped working after a few weeks.", "Not as pictured, disappointed."),
        1: ("Got very hot after a few minutes, I stopped using it.", "Broke on day one.",
            "Smelled of burnt plastic. Returned it."),
    },
    "de": {
        5: ("Tolles Produkt, genau wie beschrieben.", "Funktioniert einwandfrei.",
            "Sehr zufrieden, gerne wieder.", "Super Preis-Leistungs-Verhältnis."),
        4: ("Gute Qualität, etwas teuer.", "Erfüllt seinen Zweck. Verpackung war beschädigt.",
            "Gut, aber die Anleitung ist unverständlich."),
        3: ("Ganz okay, nichts Besonderes.", "Durchschnittliche Qualität für den Preis."),
        2: ("Nach ein paar Wochen kaputt.", "Sieht anders aus als auf dem Bild."),
        1: ("Wurde nach wenigen Minuten sehr heiß, benutze es nicht mehr.",
            "Am ersten Tag kaputt gegangen.", "Roch nach verbranntem Plastik. Zurückgeschickt."),
    },
}  # fmt: skip


def reviews(
    rng: random.Random, order: dict[str, Any], recalled: set[str], now: dt.datetime, c: Counters
) -> list[dict[str, Any]]:
    """Reviews for about a quarter of the order's delivered lines, 2-20 days after delivery."""
    delivered: dict[str, str] = {}
    for shipment in order["shipments"]:
        if shipment["delivered_at"]:
            delivered.update(dict.fromkeys(shipment["line_ids"], shipment["delivered_at"]))
    language = "de" if order["buyer"]["language"] == "de" else "en"
    out = []
    for line in order["lines"]:
        when = delivered.get(line["line_id"])
        if when is None or rng.random() >= 0.25:
            continue
        created = dt.datetime.strptime(when, "%Y-%m-%dT%H:%M:%SZ") + DAY * rng.uniform(2, 20)
        if created > now:
            continue
        weights = (15, 10, 15, 25, 35) if line["sku"] in recalled else (7, 4, 9, 25, 55)
        rating = rng.choices((1, 2, 3, 4, 5), weights=weights)[0]
        c.reviews += 1
        out.append(
            {
                "review_id": f"R-{c.reviews}",
                "order_id": order["order_id"],
                "line_id": line["line_id"],
                "customer_id": order["buyer"]["customer_id"],
                "rating": rating,
                "created_at": iso(created),
                "verified": True,
                "text": rng.choice(_TEXTS[language][rating]) if rng.random() < 0.8 else None,
            }
        )
    return out
