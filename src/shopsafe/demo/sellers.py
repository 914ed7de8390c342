"""The demo marketplace's traders, with the identity the EU DSA (Art. 30) and the US INFORM
Act make a marketplace keep: name, address, e-mail and trade register entry.

Twenty invented general retailers plus the online shops named in the bundled CPSC recalls
(their addresses and register numbers are invented). Fixed: the same for every seed.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from functools import cache
from typing import NamedTuple

from shopsafe.demo.catalogue import Product, ordinary_products, recalled_products
from shopsafe.demo.people import ascii_slug

BRAND_SHOPS = 10
DEPARTMENT_STORE = "S-7"  # carries every category and resells recalled products


class Seller(NamedTuple):
    seller_id: str
    name: str
    line1: str
    city: str
    postal_code: str
    country: str
    email: str
    trade_register: str
    categories: tuple[str, ...]

    def as_dict(self) -> dict[str, str]:
        return {
            "seller_id": self.seller_id,
            "name": self.name,
            "address_line": self.line1,
            "city": self.city,
            "postal_code": self.postal_code,
            "country": self.country,
            "email": self.email,
            "trade_register": self.trade_register,
        }


_ALL = ("electronics", "appliances", "home", "baby", "kids", "sports", "tools", "beauty", "pets")
# name, line1, city, postal code, country, trade register, categories
_GENERAL: tuple[tuple[str, str, str, str, str, str, tuple[str, ...]], ...] = (
    ("Elektro Hafner GmbH", "Industriestraße 12", "Nürnberg", "90441", "DE",
     "HRB 31245, Amtsgericht Nürnberg", ("electronics", "appliances")),
    ("Kinderwelt Lindner e.K.", "Marktplatz 3", "Leipzig", "04109", "DE",
     "HRA 17730, Amtsgericht Leipzig", ("baby", "kids")),
    ("Haus & Herd Vertriebs GmbH", "Am Sandtorkai 27", "Hamburg", "20457", "DE",
     "HRB 150882, Amtsgericht Hamburg", ("home", "appliances")),
    ("Sportkontor Weber GmbH", "Lindenallee 8", "Köln", "50968", "DE",
     "HRB 90211, Amtsgericht Köln", ("sports", "kids")),
    ("Werkzeugprofi Brandt KG", "Gewerbering 41", "Dortmund", "44149", "DE",
     "HRA 20391, Amtsgericht Dortmund", ("tools", "home")),
    ("Tierbedarf Sommer GmbH", "Bahnhofstraße 55", "Hannover", "30159", "DE",
     "HRB 77120, Amtsgericht Hannover", ("pets", "beauty")),
    ("Kaufhaus Ostwind GmbH", "Schönhauser Allee 140", "Berlin", "10437", "DE",
     "HRB 219934 B, Amtsgericht Charlottenburg", _ALL),
    ("Alpenhandel Gruber GmbH", "Mariahilfer Straße 101", "Wien", "1060", "AT",
     "FN 412345 d, Handelsgericht Wien", _ALL),
    ("Donau Elektro OG", "Landstraße 22", "Linz", "4020", "AT",
     "FN 398765 k, Landesgericht Linz", ("electronics", "appliances", "tools")),
    ("Kestrel Home Ltd", "14 Canal Street", "Manchester", "M1 3HE", "GB",
     "Companies House 09876543", ("home", "appliances", "beauty")),
    ("Little Acorns Trading Ltd", "Unit 4, Riverside Park", "Bristol", "BS2 0JF", "GB",
     "Companies House 11223344", ("baby", "kids")),
    ("Brightside Electricals Ltd", "200 Briggate", "Leeds", "LS1 6HW", "GB",
     "Companies House 07766554", ("electronics", "appliances")),
    ("Garden & Garage Supplies Ltd", "7 Mill Lane", "Reading", "RG1 2JX", "GB",
     "Companies House 10293847", ("tools", "sports", "pets")),
    ("Maple Lane Goods LLC", "1200 Commerce Blvd", "Columbus", "43215", "US",
     "Ohio Secretary of State 4412987", _ALL),
    ("Bayside Electronics Inc.", "455 Harbor Way", "Oakland", "94607", "US",
     "California Secretary of State C4123456", ("electronics", "appliances", "tools")),
    ("Tiny Sprouts Baby Co. LLC", "88 Elm Street", "Austin", "78701", "US",
     "Texas Secretary of State 803456789", ("baby", "kids")),
    ("Summit Outdoor Supply LLC", "3100 Ridge Road", "Denver", "80205", "US",
     "Colorado Secretary of State 20211234567", ("sports", "tools", "pets")),
    ("Shenzhen Yuntai Trading Co., Ltd.", "Room 1203, Block B, Bantian Industrial Park",
     "Shenzhen", "518129", "CN", "USCC 91440300MA5G7XK21P", ("electronics", "home", "kids")),
    ("Yiwu Jiahe E-commerce Co., Ltd.", "No. 88 Chouzhou North Road", "Yiwu", "322000", "CN",
     "USCC 91330782MA2HQ8T54W", ("kids", "home", "beauty", "pets")),
    ("Guangzhou Mingrui Technology Co., Ltd.", "No. 16 Huacheng Avenue, Tianhe District",
     "Guangzhou", "510623", "CN", "USCC 91440101MA9W3LQ87B", ("electronics", "appliances")),
)  # fmt: skip
_CN_ADDRESSES = (
    ("Floor 5, Building 3, Longhua Science Park", "Shenzhen", "518109"),
    ("No. 219 Jiangdong Road, Futian Street", "Yiwu", "322000"),
    ("Room 808, No. 66 Xingguo Road", "Ningbo", "315000"),
    ("Unit 1502, Tower A, Wanda Plaza", "Hangzhou", "310000"),
    ("No. 12 Panyu Avenue North", "Guangzhou", "511400"),
)
_US_ADDRESSES = (
    ("251 Little Falls Drive", "Wilmington", "19808"),
    ("30 N Gould St, Ste R", "Sheridan", "82801"),
    ("1021 E Lincolnway", "Cheyenne", "82001"),
    ("8 The Green, Ste A", "Dover", "19901"),
)
_EMAIL_DOMAIN = {"DE": "example.de", "AT": "example.at", "GB": "example.co.uk"}


def _email(name: str, country: str) -> str:
    words = [w for w in ascii_slug(name.replace(" ", ".")).split(".") if w][:3]
    return f"service.{'-'.join(words) or 'shop'}@{_EMAIL_DOMAIN.get(country, 'example.com')}"


def _general() -> list[Seller]:
    return [
        Seller(f"S-{i}", name, line1, city, postal, country, _email(name, country), register, cats)
        for i, (name, line1, city, postal, country, register, cats) in enumerate(_GENERAL, 1)
    ]


def _brand_shop(number: int, name: str, country: str) -> Seller:
    rng = random.Random(f"shop:{name}")
    if country in ("CN", "HK"):
        line1, city, postal = rng.choice(_CN_ADDRESSES)
        register = f"USCC 9144{rng.randrange(10**14):014d}"
        country = "CN"
    else:
        line1, city, postal = rng.choice(_US_ADDRESSES)
        register = f"Delaware Division of Corporations {rng.randrange(10**6, 10**7)}"
        country = "US"
    return Seller(
        f"S-{number}",
        name,
        line1,
        city,
        postal,
        country,
        _email(name, country),
        register,
        ("recalled",),
    )


def _brand_shop_names(products: Sequence[Product]) -> list[tuple[str, str]]:
    """Shops of recently sold recalled products, cross-border sellers first."""

    def rank(product: Product) -> tuple[bool, int, str]:
        sold_to = product.sold_to.toordinal() if product.sold_to else 0
        cross_border = product.cpsc_seller_country in ("CN", "HK")
        return (not cross_border, -sold_to, product.recall_number or "")

    seen: dict[str, str] = {}
    for product in sorted(products, key=rank):
        name = product.cpsc_seller or product.brand
        if name not in seen and len(seen) < BRAND_SHOPS:
            seen[name] = product.cpsc_seller_country or "US"
    return list(seen.items())


@cache
def sellers() -> tuple[Seller, ...]:
    """All traders of the demo marketplace: ``S-1`` … ``S-20`` general, then brand shops."""
    general = _general()
    shops = [
        _brand_shop(len(general) + i, name, country)
        for i, (name, country) in enumerate(_brand_shop_names(recalled_products()), 1)
    ]
    return tuple(general + shops)


@cache
def offers() -> dict[int, tuple[Seller, ...]]:
    """Which sellers offer each product (by product index). Fixed for every seed."""
    rng = random.Random(7_340_434)
    general = _general()
    by_name = {s.name: s for s in sellers()}
    result: dict[int, tuple[Seller, ...]] = {}
    for product in ordinary_products():
        carriers = [s for s in general if product.category in s.categories]
        result[product.pid] = tuple(rng.sample(carriers, min(len(carriers), rng.randint(1, 3))))
    store = next(s for s in general if s.seller_id == DEPARTMENT_STORE)
    for product in recalled_products():
        shop = by_name.get(product.cpsc_seller or "")
        other = rng.choice([s for s in general if s is not store])
        result[product.pid] = (shop,) if shop else (store, other)
    return result
