"""Who buys and who sells in the demo marketplace: customers, recipients and traders.

Faker is slow, so it only fills small pools of local names and addresses once per seed;
customers are then drawn from the pools with a per-customer ``random.Random``, which makes a
customer a pure function of (seed, number) and keeps nothing but creation times in memory.
"""

from __future__ import annotations

import datetime as dt
import random
import unicodedata
from typing import NamedTuple

from faker import Faker

from shopsafe.demo.catalogue import COUNTRIES, COUNTRY_BY_CODE, Country

POOL_SIZE = 240

_COMPANY_SUFFIXES = {
    "DE": ("GmbH", "GmbH & Co. KG", "e.K.", "AG", "OHG"),
    "AT": ("GmbH", "OG", "KG", "e.U."),
    "GB": ("Ltd", "Ltd", "LLP"),
    "US": ("LLC", "Inc.", "LLC", "Corp."),
}
_TRADES = {
    "de": ("Bürotechnik", "Gastronomie", "Praxisbedarf", "Kita", "Handwerk", "Hausverwaltung"),
    "en": ("Office Supplies", "Catering", "Dental Practice", "Nursery", "Builders", "Lettings"),
}
_UMLAUTS = str.maketrans(
    {"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"}
)


class Pool(NamedTuple):
    """Local names and addresses of one country, drawn once from Faker."""

    first_names: tuple[str, ...]
    last_names: tuple[str, ...]
    streets: tuple[str, ...]
    places: tuple[tuple[str, str], ...]  # (postal code, city)
    flats: tuple[str, ...]


class Person(NamedTuple):
    name: str
    email: str | None
    line1: str
    line2: str | None
    postal_code: str
    city: str
    country: str


class Customer(NamedTuple):
    customer_id: str
    email: str
    name: str
    language: str
    account_type: str
    admin_emails: tuple[str, ...]
    created_at: dt.datetime
    address: Person


def _flats(country: str, fake: Faker) -> tuple[str, ...]:
    if country in ("GB", "US"):
        return tuple(str(fake.secondary_address()) for _ in range(40))
    floors = ("1. OG", "2. OG", "3. OG", "EG links", "Hinterhaus", "Top 4", "Stiege 2/Top 7")
    return floors


def build_pools(seed: int) -> dict[str, Pool]:
    """Name and address pools for every country, deterministic for ``seed``."""
    pools: dict[str, Pool] = {}
    for offset, country in enumerate(COUNTRIES):
        fake = Faker(country.locale)
        fake.seed_instance(seed * 31 + offset)
        pools[country.code] = Pool(
            first_names=tuple(str(fake.first_name()) for _ in range(POOL_SIZE)),
            last_names=tuple(str(fake.last_name()) for _ in range(POOL_SIZE)),
            streets=tuple(str(fake.street_address()) for _ in range(POOL_SIZE)),
            places=tuple((str(fake.postcode()), str(fake.city())) for _ in range(POOL_SIZE)),
            flats=_flats(country.code, fake),
        )
    return pools


def ascii_slug(text: str) -> str:
    """``"jürgen.o-neill"`` → ``"juergen.oneill"``: safe for the local part of an address."""
    plain = unicodedata.normalize("NFKD", text.translate(_UMLAUTS))
    kept = "".join(c for c in plain.encode("ascii", "ignore").decode() if c.isalnum() or c == ".")
    return kept.lower().strip(".") or "customer"


def pick_country(rng: random.Random) -> Country:
    return rng.choices(COUNTRIES, weights=[c.share for c in COUNTRIES])[0]


def random_person(
    rng: random.Random, pools: dict[str, Pool], country: str, *, email: bool, tag: str = ""
) -> Person:
    """A person with a local name and address; with an e-mail address if ``email``."""
    pool = pools[country]
    first, last = rng.choice(pool.first_names), rng.choice(pool.last_names)
    postal_code, city = rng.choice(pool.places)
    address = None
    if email:
        domain = rng.choice(COUNTRY_BY_CODE[country].email_domains)
        address = f"{ascii_slug(first)}.{ascii_slug(last)}{tag}@{domain}"
    return Person(
        name=f"{first} {last}",
        email=address,
        line1=rng.choice(pool.streets),
        line2=rng.choice(pool.flats) if rng.random() < 0.15 else None,
        postal_code=postal_code,
        city=city,
        country=country,
    )


def _local_part(rng: random.Random, first: str, last: str, number: int) -> str:
    f, ln = ascii_slug(first), ascii_slug(last)
    pattern = rng.randrange(4)
    if pattern == 0:
        return f"{f}.{ln}{number}"
    if pattern == 1:
        return f"{f[:1]}{ln}{number}"
    if pattern == 2:
        return f"{ln}.{f}.{number}"
    return f"{f}{number}"


def make_customer(
    seed: int, number: int, created_at: dt.datetime, pools: dict[str, Pool]
) -> Customer:
    """Customer ``C-<number>``: the same person for the same seed and number."""
    rng = random.Random(seed * 1_000_003 + number)
    country = pick_country(rng)
    person = random_person(rng, pools, country.code, email=False)
    first, last = person.name.split(" ", 1)
    language = country.language
    if rng.random() < 0.05:
        language = "en" if language == "de" else "de"
    domain = rng.choice(country.email_domains)
    email = f"{_local_part(rng, first, last, number)}@{domain}"
    if rng.random() >= 0.08:
        return Customer(
            f"C-{number}", email, person.name, language, "personal", (), created_at, person
        )
    company = (
        f"{last} {rng.choice(_TRADES[language])} {rng.choice(_COMPANY_SUFFIXES[country.code])}"
    )
    slug = ascii_slug(last)
    admins = [f"admin.{slug}{number}@{domain}"]
    if rng.random() < 0.5:
        admins.append(
            f"{rng.choice(('it', 'einkauf' if language == 'de' else 'purchasing'))}"
            f".{slug}{number}@{domain}"
        )
    buyer_email = f"{'bestellung' if language == 'de' else 'orders'}.{slug}{number}@{domain}"
    return Customer(
        customer_id=f"C-{number}",
        email=buyer_email,
        name=company,
        language=language,
        account_type="business",
        admin_emails=tuple(admins),
        created_at=created_at,
        address=person._replace(name=company),
    )
