"""What the demo marketplace sells and where: countries, ordinary products, recalled products.

Ordinary products use invented brands and GS1 company prefixes that no real recall names, so
that a demo customer who bought only ordinary products is never affected by a recall. The
recalled products come from real CPSC records bundled in ``data/cpsc_products.json`` (built
by ``build_catalogue.py``).
"""

from __future__ import annotations

import datetime as dt
import json
import random
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

from shopsafe.ledger.tracking import gs1_check_digit

CPSC_PRODUCTS_PATH = Path(__file__).resolve().parent / "data" / "cpsc_products.json"
CURRENCIES = ("EUR", "GBP", "USD")
# Rough exchange rates from EUR, only to make local prices look local.
_RATES = {"EUR": Decimal("1"), "GBP": Decimal("0.86"), "USD": Decimal("1.08")}


class Country(NamedTuple):
    code: str
    locale: str  # Faker locale
    language: str
    currency: str
    email_domains: tuple[str, ...]
    share: float  # of customers


COUNTRIES: tuple[Country, ...] = (
    Country("DE", "de_DE", "de", "EUR", ("example.de", "example.de", "example.com"), 0.40),
    Country("AT", "de_AT", "de", "EUR", ("example.at", "example.at", "example.com"), 0.12),
    Country("GB", "en_GB", "en", "GBP", ("example.co.uk", "example.co.uk", "example.com"), 0.20),
    Country("US", "en_US", "en", "USD", ("example.com", "example.net", "example.org"), 0.28),
)
COUNTRY_BY_CODE = {c.code: c for c in COUNTRIES}


class Product(NamedTuple):
    """One offerable product; ``variants`` are (gtin, model) pairs of its versions."""

    pid: int
    sku: str
    brand: str
    name_en: str
    name_de: str
    category: str
    variants: tuple[tuple[str | None, str | None], ...]
    prices: tuple[str, str, str]  # EUR, GBP, USD
    serial_prefix: str | None
    lot_coded: bool
    popularity: float
    recall_number: str | None = None
    sold_from: dt.date | None = None
    sold_to: dt.date | None = None
    cpsc_seller: str | None = None
    cpsc_seller_country: str | None = None

    def price(self, currency: str) -> str:
        return self.prices[CURRENCIES.index(currency)]


# (category, English name, German name, price in EUR, serialised, lot-coded)
_TYPES: tuple[tuple[str, str, str, int, bool, bool], ...] = (
    ("electronics", "Wireless earbuds", "Kabellose Ohrhörer", 59, True, True),
    ("electronics", "Power bank 10,000 mAh", "Powerbank 10.000 mAh", 29, True, True),
    ("electronics", "USB-C charger 65 W", "USB-C-Ladegerät 65 W", 35, False, True),
    ("electronics", "Bluetooth speaker", "Bluetooth-Lautsprecher", 79, True, True),
    ("electronics", "Smartwatch", "Smartwatch", 149, True, True),
    ("electronics", "E-book reader", "E-Book-Reader", 119, True, True),
    ("electronics", "Noise-cancelling headphones", "Kopfhörer mit Geräuschunterdrückung",
     199, True, True),
    ("electronics", "Action camera", "Actionkamera", 229, True, True),
    ("appliances", "Electric kettle 1.7 l", "Wasserkocher 1,7 l", 39, True, True),
    ("appliances", "Air fryer 5 l", "Heißluftfritteuse 5 l", 99, True, True),
    ("appliances", "Hair dryer", "Haartrockner", 45, True, True),
    ("appliances", "Robot vacuum cleaner", "Saugroboter", 299, True, True),
    ("appliances", "Espresso machine", "Espressomaschine", 249, True, True),
    ("appliances", "Hand blender", "Stabmixer", 49, True, True),
    ("appliances", "Space heater", "Heizlüfter", 59, True, True),
    ("home", "LED desk lamp", "LED-Schreibtischlampe", 35, False, True),
    ("home", "Cotton bath towel set", "Badetuch-Set aus Baumwolle", 39, False, False),
    ("home", "Non-stick frying pan 28 cm", "Antihaft-Bratpfanne 28 cm", 34, False, False),
    ("home", "Chef's knife 20 cm", "Kochmesser 20 cm", 49, False, False),
    ("home", "Bed linen set", "Bettwäsche-Set", 45, False, False),
    ("home", "Scented candle", "Duftkerze", 15, False, True),
    ("home", "Storage box set", "Aufbewahrungsboxen-Set", 25, False, False),
    ("home", "Glass food containers", "Frischhaltedosen aus Glas", 29, False, True),
    ("baby", "Baby monitor", "Babyphone", 89, True, True),
    ("baby", "Wooden stacking toy", "Stapelspielzeug aus Holz", 19, False, True),
    ("baby", "Baby carrier", "Babytrage", 79, False, True),
    ("baby", "Changing mat", "Wickelauflage", 29, False, True),
    ("kids", "Building blocks set", "Bausteine-Set", 39, False, True),
    ("kids", "Plush teddy bear", "Plüschteddy", 22, False, True),
    ("kids", "Children's bike helmet", "Kinder-Fahrradhelm", 35, False, True),
    ("sports", "Yoga mat", "Yogamatte", 29, False, False),
    ("sports", "Adjustable dumbbells", "Verstellbare Hanteln", 129, False, True),
    ("sports", "Insulated water bottle", "Isolierte Trinkflasche", 24, False, True),
    ("sports", "Running jacket", "Laufjacke", 69, False, False),
    ("tools", "Cordless drill", "Akku-Bohrschrauber", 99, True, True),
    ("tools", "Garden hose 20 m", "Gartenschlauch 20 m", 32, False, False),
    ("tools", "Laser distance meter", "Laser-Entfernungsmesser", 49, True, True),
    ("beauty", "Sunscreen SPF 50", "Sonnencreme LSF 50", 14, False, True),
    ("beauty", "Electric toothbrush", "Elektrische Zahnbürste", 59, True, True),
    ("pets", "Cat scratching post", "Kratzbaum", 45, False, False),
    ("pets", "Dog harness", "Hundegeschirr", 25, False, True),
)  # fmt: skip

# Invented brands: (brand, home market, GS1 company prefix; 7-9 digits, never a real one's)
_BRANDS: tuple[tuple[str, str, str], ...] = (
    ("Nordlicht", "DE", "4260777"), ("Alpenglanz", "AT", "9120088"),
    ("Kestrelwood", "GB", "5065007"), ("Brightwell", "US", "0681234"),
    ("Lumora", "DE", "4262345"), ("Tidewell", "GB", "5060991"), ("Vantoro", "US", "0842300"),
    ("Hearthly", "GB", "5063122"), ("Quillbrook", "US", "0194567"),
    ("Feldmark", "DE", "4263456"), ("Donauwerk", "AT", "9120123"), ("Pinewick", "US", "0850111"),
    ("Solvana", "DE", "4264567"), ("Marlowe & Finch", "GB", "5061234"),
    ("Zephyrin", "US", "0810222"), ("Kleeblatt", "DE", "4265678"),
    ("Otterbay", "US", "0860333"), ("Bergfalke", "AT", "9120456"), ("Ravenmoor", "GB", "5062345"),
    ("Sonnwerk", "DE", "4266789"), ("Clearbrook", "US", "0870444"),
    ("Wolkenweich", "DE", "4267890"), ("Fennick", "GB", "5064456"), ("Tannhaus", "DE", "4268901"),
)  # fmt: skip


def money(amount: Decimal, currency: str) -> str:
    """A shop price in ``currency`` for an amount in EUR, at a price point (x.99 or x.49)."""
    value = amount * _RATES[currency]
    whole = int(value)
    if whole < 1:
        return "0.99"
    return f"{whole - 1}.99" if value - whole < Decimal("0.5") else f"{whole}.49"


def _gtin(prefix: str, item: int) -> str:
    body = (prefix + f"{item:05d}").ljust(12, "0")[:12]
    if prefix.startswith("0"):  # US brands print a 12-digit UPC
        upc = body[1:12]
        return upc + gs1_check_digit(upc)
    return body + gs1_check_digit(body)


def _model_code(brand: str, rng: random.Random, used: set[str]) -> str:
    """A model number such as ``NO-3692B``, never one ``used`` before."""
    letters = "".join(c for c in brand.upper() if c.isalpha())[:2]
    while True:
        code = f"{letters}-{rng.randint(100, 9899)}{rng.choice(('', '', 'B', 'S', 'X', 'PRO'))}"
        if code not in used:
            used.add(code)
            return code


@cache
def ordinary_products() -> tuple[Product, ...]:
    """A fixed catalogue of about 300 ordinary products (the same for every seed)."""
    rng = random.Random(20240501)
    products: list[Product] = []
    used: set[str] = set()
    for b_index, (brand, _market, prefix) in enumerate(_BRANDS):
        picked = rng.sample(_TYPES, 12)
        for t_index, (category, name_en, name_de, price, serialised, lot) in enumerate(picked):
            n_variants = rng.choice((1, 1, 1, 2, 3))
            variants = tuple(
                (_gtin(prefix, t_index * 10 + v), _model_code(brand, rng, used))
                for v in range(n_variants)
            )
            eur = Decimal(price) * Decimal(rng.uniform(0.75, 1.4))
            prices = (money(eur, "EUR"), money(eur, "GBP"), money(eur, "USD"))
            base = variants[0][1] or ""
            products.append(
                Product(
                    pid=len(products),
                    sku=f"{brand[:3].upper()}-{base.split('-', 1)[1]}",
                    brand=brand,
                    name_en=f"{brand} {name_en}",
                    name_de=f"{brand} {name_de}",
                    category=category,
                    variants=variants,
                    prices=prices,
                    serial_prefix=("SN" if b_index % 2 else brand[:2].upper())
                    if serialised
                    else None,
                    lot_coded=lot,
                    popularity=rng.paretovariate(1.6),
                )
            )
    return tuple(products)


def _month(value: str | None, *, end: bool) -> dt.date | None:
    if not value:
        return None
    year, month = (int(x) for x in value.split("-"))
    if not end:
        return dt.date(year, month, 1)
    following = dt.date(year + month // 12, month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


def _to_eur(usd: str) -> Decimal:
    return (Decimal(usd) / _RATES["USD"]).quantize(Decimal("0.01"), ROUND_HALF_UP)


def _cpsc_product(index: int, item: dict[str, Any]) -> Product:
    upcs: list[str] = list(item.get("upcs") or [])
    models: list[str] = list(item.get("models") or [])
    count = max(len(upcs), len(models), 1)
    variants = tuple(
        (upcs[i] if i < len(upcs) else None, models[i] if i < len(models) else None)
        for i in range(min(count, 12))
    )
    recall_date = dt.date.fromisoformat(item["recall_date"])
    sold_to = _month(item.get("sold_to"), end=True) or recall_date
    sold_to = min(sold_to, recall_date)
    sold_from = _month(item.get("sold_from"), end=False) or sold_to - dt.timedelta(days=365)
    sold_from = min(sold_from, sold_to)
    eur = _to_eur(item["price"])
    brand = str(item["brand"])
    slug = "".join(c for c in brand.upper() if c.isalnum())[:4] or "CPSC"
    return Product(
        pid=index,
        sku=f"{slug}-{models[0] if models else item['recall_number']}",
        brand=brand,
        name_en=str(item["product_name"]),
        name_de=str(item["product_name"]),
        category="recalled",
        variants=variants,
        # the CPSC price is in USD already: only moved to a price point
        prices=(money(eur, "EUR"), money(eur, "GBP"), money(Decimal(item["price"]), "EUR")),
        serial_prefix="SN" if index % 3 == 0 else None,
        lot_coded=index % 2 == 0,
        popularity=1.0,
        recall_number=str(item["recall_number"]),
        sold_from=sold_from,
        sold_to=sold_to,
        cpsc_seller=str(item.get("seller") or brand),
        cpsc_seller_country=str(item.get("seller_country") or "US"),
    )


def load_cpsc_raw() -> list[dict[str, Any]]:
    """The bundled CPSC-derived product entries as stored."""
    data = json.loads(CPSC_PRODUCTS_PATH.read_text(encoding="utf-8"))
    return list(data["products"])


@cache
def recalled_products() -> tuple[Product, ...]:
    """The products of real CPSC recalls, indexed after the ordinary products."""
    start = len(ordinary_products())
    return tuple(_cpsc_product(start + i, item) for i, item in enumerate(load_cpsc_raw()))


def all_products() -> tuple[Product, ...]:
    return ordinary_products() + recalled_products()
