"""The ledger of bench/ledger_scale.py, made up row by row: deterministic and fast (no Faker:
it is far too slow for millions of rows)."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from shopsafe.ledger import bulk
from shopsafe.ledger.tracking import gs1_check_digit

ORDERS_PER_BATCH = 20_000


def words(text: str, separator: str | None = None) -> tuple[str, ...]:
    return tuple(text.split(separator))


FIRST = words(
    "Anna Paul Lena Jonas Marie Felix Emma Lukas Mia Leon Sofia Noah Hannah Elias Lea Finn "
    "Clara Ben Laura Max Julia Tim Sarah David Lisa Jan Nina Tom Eva Erik Olivia James Emily "
    "Oliver Grace Harry Chloe Jack Ruby George Amelia Henry Ava Liam Mason Ella Lucas Zoe"
)
LAST = words(
    "Schmidt Müller Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann Koch Richter "
    "Klein Wolf Schröder Neumann Braun Zimmermann Krüger Hartmann Lange Werner Krause Smith "
    "Jones Taylor Brown Williams Wilson Johnson Davies Robinson Wright Thompson Evans Walker "
    "White Roberts Green Hall Wood Jackson Clarke Miller Davis Garcia Martinez Anderson"
)
STREETS = words(
    "Hauptstr. Bahnhofstr. Gartenweg Schulstr. Lindenallee Bergstr. Kirchgasse Ringstr. "
    "Mühlenweg Parkstr. Rosenweg Waldstr. Dorfstr. Birkenweg Feldstr."
)
EN_STREETS = words("High St|Station Rd|Church Lane|Park Ave|Main St|Oak Dr|Mill Rd|Elm St", "|")
# country, language, currency, domain, cities, share in percent
COUNTRIES = (
    ("DE", "de", "EUR", "example.de", ("Berlin", "Hamburg", "München", "Köln", "Leipzig"), 40),
    ("AT", "de", "EUR", "example.at", ("Wien", "Graz", "Linz", "Salzburg"), 12),
    ("GB", "en", "GBP", "example.co.uk", ("London", "Leeds", "Bristol", "York"), 20),
    ("US", "en", "USD", "example.com", ("Denver", "Austin", "Boston", "Portland"), 28),
)
COUNTRY_OF_PERCENT = [c for c in COUNTRIES for _ in range(c[5])]
GB_AREAS = ("SW", "NW", "EC", "WC", "SE", "N", "E", "W")
GB_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
ADJECTIVES = words("Compact Portable Deluxe Classic Smart Mini Pro Eco Ultra Junior")
NOUNS = words(
    "bed rail|baby gate|kettle|space heater|power bank|bike helmet|high chair|toaster|"
    "hair dryer|toy car|night light|blender|stroller|smoke alarm|e-scooter|lamp",
    "|",
)
SYLLABLES = words("ka lo mi ne ru to sa vi be do fa gu po ze li")
CARRIERS = ("DHL", "DPD", "UPS", "Hermes", "GLS")
RATES = {"EUR": Decimal("1"), "GBP": Decimal("0.86"), "USD": Decimal("1.08")}
START = datetime(2024, 1, 1, tzinfo=UTC)
IMPORTED_AT = datetime(2026, 1, 5, 3, 0, tzinfo=UTC)
# Lines per order: 1 to 5, 2.5 on average.
LINE_COUNT_OF_PERCENT = [
    n for n, w in ((1, 30), (2, 25), (3, 20), (4, 15), (5, 10)) for _ in range(w)
]


@dataclass(frozen=True)
class Sizes:
    customers: int
    lines: int
    importer_orders: int
    seed: int = 20261123

    @property
    def sellers(self) -> int:
        return max(5, self.customers // 500)

    @property
    def products(self) -> int:
        return max(20, self.lines // 50)


def name_of(i: int) -> str:
    return f"{FIRST[(i * 7919) % len(FIRST)]} {LAST[(i * 104_729) % len(LAST)]}"


def currency_of(i: int) -> str:
    return COUNTRY_OF_PERCENT[(i * 37) % 100][2]


def customer(i: int) -> tuple[bulk.CustomerRow, bulk.AddressRow]:
    """Customer i and their address, computed from i alone so that every pass agrees."""
    country, language, _, domain, cities, _ = COUNTRY_OF_PERCENT[(i * 37) % 100]
    email = f"{FIRST[(i * 7919) % len(FIRST)].lower()}.{i}@{domain}"
    admins = (f"admin.{i}@{domain}",) if i % 20 == 0 else ()
    kind = "business" if admins else "personal"
    created = START - timedelta(minutes=(i * 7_919) % 525_600)
    row = bulk.CustomerRow(i, f"C-{i}", email, name_of(i), language, kind, admins, created)
    k, number = divmod(i, 997)
    streets = STREETS if language == "de" else EN_STREETS
    line1 = f"{streets[(i * 31) % len(streets)]} {number + 1}"
    city = cities[(i * 13) % len(cities)]
    return row, bulk.AddressRow(i, line1, None, _postal_code(country, k), city, country)


def _postal_code(country: str, k: int) -> str:
    """Unique per k within a country, so (postal code, house number) tells customers apart."""
    if country == "AT":
        return f"{1000 + k % 9000}"
    if country == "GB":
        area, rest = GB_AREAS[k % 8], k // 8
        inward = f"{rest // 20 % 10}{GB_LETTERS[rest // 200 % 20]}{GB_LETTERS[rest // 4000 % 20]}"
        return f"{area}{rest % 20 + 1} {inward}"
    return f"{10000 + k % 90000:05d}"


@dataclass(frozen=True)
class Offer:
    row: bulk.ProductRow
    prices: dict[str, Decimal]
    lots: tuple[str, ...]
    serial_prefix: str | None


def _word(rnd: random.Random, parts: int) -> str:
    return "".join(rnd.choice(SYLLABLES) for _ in range(parts))


def catalogue(sizes: Sizes) -> tuple[list[bulk.SellerRow], list[Offer]]:
    rnd = random.Random(sizes.seed)
    sellers = [
        bulk.SellerRow(s, f"S-{s}", _word(rnd, 3).title() + " GmbH")
        for s in range(1, sizes.sellers + 1)
    ]
    brands = [_word(rnd, 2).upper() + _word(rnd, 1).upper() for _ in range(500)]
    offers = []
    for p in range(1, sizes.products + 1):
        seller = sellers[rnd.randrange(len(sellers))]
        brand = rnd.choice(brands)
        model = f"{brand[:2]}-{rnd.randrange(100, 1000)}"
        body = f"40{rnd.randrange(10**10):010d}"
        gtin13 = body + gs1_check_digit(body) if rnd.random() < 0.8 else None
        name = f"{rnd.choice(ADJECTIVES)} {rnd.choice(NOUNS)}"
        row = bulk.ProductRow(p, seller.id, f"{brand[:3]}-{p}", gtin13, brand, model, name)
        eur = Decimal(rnd.randrange(299, 29_999)) / 100
        prices = {c: (eur * r).quantize(Decimal("0.01")) for c, r in RATES.items()}
        lots = tuple(f"L{rnd.randrange(2301, 2612)}" for _ in range(3)) if p % 3 == 0 else ()
        offers.append(Offer(row, prices, lots, f"SN{p}-" if p % 20 == 0 else None))
    return sellers, offers


@dataclass
class OrderRows:
    order: bulk.OrderRow
    lines: list[bulk.OrderLineRow]
    serials: list[bulk.OrderLineSerialRow]  # at most one per line, with the line's id
    shipment: bulk.ShipmentRow | None  # of all the lines


def draw_order(
    rnd: random.Random, number: int, line_pk: int, sizes: Sizes, offers: list[Offer]
) -> OrderRows:
    """Order `number` whose lines get ids after `line_pk`."""
    draw = rnd.random  # random() arithmetic: several times faster than randrange and choices
    buyer = 1 + int(draw() * sizes.customers)
    gift = draw() < 0.03
    ship_to = 1 + int(draw() * sizes.customers) if gift else buyer
    placed = START + timedelta(seconds=int(draw() * 730 * 86_400))
    addressee = ship_to, name_of(ship_to), None
    digest = f"{number:064x}"
    order = bulk.OrderRow(
        number, f"A-{number}", buyer, *addressee, gift, placed, digest, IMPORTED_AT
    )
    state = draw()
    shipped = placed + timedelta(hours=4 + int(draw() * 44)) if state < 0.92 else None
    delivered = shipped + timedelta(days=1 + int(draw() * 4)) if shipped and state < 0.85 else None
    status = "delivered" if delivered else "shipped" if shipped else "open"
    currency = currency_of(buyer)
    rows = OrderRows(order, [], [], None)
    for index in range(1, LINE_COUNT_OF_PERCENT[int(draw() * 100)] + 1):
        offer = offers[int(len(offers) * draw() ** 3)]  # a few products sell most
        p, pk = offer.row, line_pk + index
        quantity = 1 if offer.serial_prefix or draw() < 0.8 else 2 + int(draw() * 2)
        lot = offer.lots[int(draw() * len(offer.lots))] if offer.lots else None
        sold = p.sku, p.gtin, p.brand, p.model, p.name, quantity, offer.prices[currency], currency
        rows.lines.append(
            bulk.OrderLineRow(pk, number, str(index), p.seller_id, p.id, *sold, lot, status)
        )
        if offer.serial_prefix:
            rows.serials.append(bulk.OrderLineSerialRow(pk, pk, f"{offer.serial_prefix}{number}"))
    if shipped:
        tracking = f"00340434{number:012d}"
        carrier = CARRIERS[number % len(CARRIERS)]
        rows.shipment = bulk.ShipmentRow(number, number, carrier, tracking, shipped, delivered)
    return rows


class Generator:
    """Yields the whole ledger as `bulk.Batch`es: customers, then catalogue, then orders."""

    def __init__(self, sizes: Sizes) -> None:
        self.sizes = sizes
        self.sellers, self.offers = catalogue(sizes)
        self.orders = 0

    def batches(self) -> Iterator[bulk.Batch]:
        yield from self._customers()
        yield bulk.Batch(sellers=self.sellers)
        for start in range(0, len(self.offers), bulk.BATCH_ROWS):
            yield bulk.Batch(products=[o.row for o in self.offers[start : start + bulk.BATCH_ROWS]])
        yield from self.order_batches()

    def _customers(self) -> Iterator[bulk.Batch]:
        step = bulk.BATCH_ROWS
        for start in range(1, self.sizes.customers + 1, step):
            batch = bulk.Batch()
            for i in range(start, min(start + step, self.sizes.customers + 1)):
                row, address = customer(i)
                batch.customers.append(row)
                batch.addresses.append(address)
            yield batch

    def order_batches(self) -> Iterator[bulk.Batch]:
        rnd = random.Random(self.sizes.seed + 1)
        line_pk = number = 0
        batch = bulk.Batch()
        while line_pk < self.sizes.lines:
            number += 1
            self.orders = number
            rows = draw_order(rnd, number, line_pk, self.sizes, self.offers)
            del rows.lines[self.sizes.lines - line_pk :]  # exactly the lines asked for
            rows.serials = [s for s in rows.serials if s.order_line_id <= self.sizes.lines]
            line_pk += len(rows.lines)
            self._add(batch, rows)
            if len(batch.orders) == ORDERS_PER_BATCH:
                yield batch
                batch = bulk.Batch()
        if batch.orders:
            yield batch

    @staticmethod
    def _add(batch: bulk.Batch, rows: OrderRows) -> None:
        batch.orders.append(rows.order)
        batch.order_lines.extend(rows.lines)
        batch.order_line_serials.extend(rows.serials)
        if rows.shipment is not None:
            batch.shipments.append(rows.shipment)
            batch.shipment_lines.extend(
                bulk.ShipmentLineRow(rows.shipment.id, line.id) for line in rows.lines
            )
