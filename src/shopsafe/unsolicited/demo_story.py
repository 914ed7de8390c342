"""The demo's unsolicited-packages story: one seller's fake accounts send about a hundred
cheap parcels to one home, then post five-star "verified purchase" reviews.

    story = add_to_demo(session, today=date.today())   # once, into the demo database
    story.lines()                                       # what the demo prints

Deterministic: the address and the tracking numbers are the same every time (only the
dates follow `today`), so a reused demo database prints the same numbers with `story()`.
The people, the seller and the numbers are invented.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from sqlalchemy.orm import Session

from shopsafe.ledger import hooks, service, tracking
from shopsafe.ledger.importers import parse_objects
from shopsafe.ledger.schemas import OrderIn, ReviewIn, SellerIn
from shopsafe.unsolicited import labels

SELLER: Final[dict[str, str]] = {
    "seller_id": "S-BRIGHTWAVE",
    "name": "Brightwave Gadgets Ltd.",
    "address_line": "Unit 5, 12 Harbour Road",
    "postal_code": "999077",
    "city": "Wan Chai",
    "country": "HK",
    "email": "compliance@brightwave.example",
    "phone": "+852 5555 0100",
    "trade_register": "Companies Registry CR No. 3141592",
}
HOME: Final[dict[str, Any]] = {
    "name": "Jill Carter",
    "email": None,
    "line1": "14 Orchard Lane",
    "line2": None,
    "postal_code": "12866",
    "city": "Saratoga Springs",
    "country": "US",
}
ACCOUNTS: Final = 24
PARCELS: Final = 100
WAITING: Final = 4  # labels printed, not yet handed to the carrier: held once reported
_ITEMS: Final = (
    ("BW-EAR-10", "Mask ear savers, 10 pack", "1.49"),
    ("BW-RING-1", "Phone ring holder", "0.99"),
    ("BW-CLIP-12", "Cable clips, 12 pack", "1.29"),
)
_FIRST = ("Ava", "Liam", "Mia", "Noah", "Zoe", "Eli", "Ivy", "Leo", "Amy", "Max", "Ada", "Kai")
_LAST = ("Reed", "Hale", "Voss", "Lane", "Park", "Cole", "West", "Nash", "Ford", "Gray")


@dataclass(frozen=True)
class DemoStory:
    address: dict[str, Any]
    seller_name: str
    parcels: int
    tracking_numbers: list[str]

    def lines(self, base_url: str = "http://127.0.0.1:8000") -> list[str]:
        a = self.address
        return [
            f"Unsolicited packages: {self.parcels} parcels from {self.seller_name} went to "
            f"{a['name']}, {a['line1']}, {a['city']} {a['postal_code']} ({a['country']}).",
            f"  report them at {base_url.rstrip('/')}/unsolicited with postal code "
            f"{a['postal_code']}, country {a['country']} and tracking numbers such as "
            + ", ".join(self.tracking_numbers[:3]),
        ]


def _numbers() -> list[str]:
    rng = random.Random(3009)
    return [tracking.make_usps(rng, serial=7_000 + n) for n in range(PARCELS)]


def _accounts(rng: random.Random, today: dt.date) -> list[dict[str, Any]]:
    accounts = []
    for n in range(ACCOUNTS):
        first, last = rng.choice(_FIRST), rng.choice(_LAST)
        created = dt.datetime.combine(today, dt.time(3)) - dt.timedelta(days=rng.randint(40, 95))
        accounts.append(
            {
                "customer_id": f"C-BW-{n + 1:03d}",
                "email": f"{first.lower()}.{last.lower()}{rng.randint(10, 99)}@mailbox.example",
                "name": f"{first} {last}",
                "language": "en",
                "created_at": created.strftime("%Y-%m-%dT%H:%M:%SZ"),
            }
        )
    return accounts


def _iso(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def orders(today: dt.date) -> list[dict[str, Any]]:
    """The parcels as orders in the import format, oldest first."""
    rng = random.Random(241)
    accounts = _accounts(rng, today)
    start = dt.datetime.combine(today, dt.time(9)) - dt.timedelta(days=35)
    result = []
    for n, number in enumerate(_numbers()):
        buyer = accounts[n % ACCOUNTS]
        placed = start + dt.timedelta(hours=8 * n + rng.randint(0, 5))
        sku, name, price = rng.choice(_ITEMS)
        waiting = n >= PARCELS - WAITING
        result.append(
            {
                "order_id": f"O-BW-{n + 1:04d}",
                "placed_at": _iso(placed),
                "buyer": buyer,
                "ship_to": HOME,
                "gift": rng.random() < 0.8,
                "lines": [
                    {"line_id": "1", "seller_id": SELLER["seller_id"],
                     "seller_name": SELLER["name"], "sku": sku, "product_name": name,
                     "quantity": 1, "unit_price": price, "currency": "USD"},
                ],
                "shipments": [
                    {"carrier": "USPS", "tracking_number": number, "line_ids": ["1"],
                     "shipped_at": None if waiting else _iso(placed + dt.timedelta(hours=20)),
                     "delivered_at": None if waiting else _iso(placed + dt.timedelta(days=3))},
                ],
            }
        )  # fmt: skip
    return result


def reviews(parcels: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Five-star "verified purchase" reviews on most of the delivered parcels."""
    rng = random.Random(5)
    texts = ("Great quality!", "Exactly as described.", "Fast shipping, love it.", "Perfect.")
    return [
        {
            "review_id": f"R-BW-{n + 1:04d}",
            "order_id": order["order_id"],
            "line_id": "1",
            "customer_id": order["buyer"]["customer_id"],
            "rating": 5,
            "created_at": order["shipments"][0]["delivered_at"],
            "verified": True,
            "text": rng.choice(texts),
        }
        for n, order in enumerate(parcels)
        if order["shipments"][0]["delivered_at"] and rng.random() < 0.6
    ]


def story() -> DemoStory:
    """What the demo prints (no database needed)."""
    return DemoStory(dict(HOME), SELLER["name"], PARCELS, _numbers()[: PARCELS - WAITING])


def add_to_demo(session: Session, *, today: dt.date) -> DemoStory:
    """Loads the story through the ordinary importers (so it behaves like shop data)."""
    parcels = orders(today)
    service.upsert_sellers(session, sellers=[SellerIn.model_validate(SELLER)])
    service.import_orders(
        session, source=lambda: parse_objects(parcels, OrderIn), on_written=hooks.after_import
    )
    written = reviews(parcels)
    service.import_reviews(session, source=lambda: parse_objects(written, ReviewIn))
    return story()


def write_label(path: Path, number: str | None = None) -> Path:
    """A photo of one of the story's shipping labels, to try the photo upload with."""
    home = HOME
    image = labels.label_image(
        [(number or story().tracking_numbers[0], "code128")],
        lines=["USPS GROUND ADVANTAGE", home["name"], home["line1"],
               f"{home['city']} NY {home['postal_code']}"],
    )  # fmt: skip
    path.parent.mkdir(parents=True, exist_ok=True)
    fmt = "PNG" if path.suffix.lower() == ".png" else "JPEG"
    path.write_bytes(labels.as_photo(image, angle=4, blur=0.8, fmt=fmt))
    return path
