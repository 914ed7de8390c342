"""The synthetic marketplace: deterministic, streaming, and shaped like CONTRACT §4."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import tracemalloc
from collections import Counter
from collections.abc import Iterator
from functools import cache
from typing import Any

import pycountry
import pytest
from email_validator import validate_email
from stdnum import ean

from shopsafe.demo import catalogue, demo_script
from shopsafe.demo.generator import Marketplace, generate
from shopsafe.demo.orders import sku_of
from shopsafe.ledger import tracking

TODAY = dt.date(2026, 3, 31)
NOW = dt.datetime(2026, 3, 31)


@cache
def market(seed: int = 11, orders: int = 4_000) -> Marketplace:
    return generate(customers=1_500, orders=orders, seed=seed, today=TODAY)


@cache
def orders(seed: int = 11) -> tuple[dict[str, Any], ...]:
    return tuple(market(seed).iter_orders())


def when(value: str) -> dt.datetime:
    return dt.datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ")


def test_same_seed_same_orders() -> None:
    first = generate(customers=300, orders=1_000, seed=5, today=TODAY)
    again = generate(customers=300, orders=1_000, seed=5, today=TODAY)
    a = [json.dumps(o, sort_keys=True) for o in itertools.islice(first.iter_orders(), 200)]
    b = [json.dumps(o, sort_keys=True) for o in itertools.islice(again.iter_orders(), 200)]
    assert a == b
    assert list(itertools.islice(first.iter_orders(), 200)) == [json.loads(x) for x in a]


def test_different_seed_different_orders() -> None:
    one = generate(customers=300, orders=1_000, seed=5, today=TODAY)
    two = generate(customers=300, orders=1_000, seed=6, today=TODAY)
    assert list(itertools.islice(one.iter_orders(), 50)) != list(
        itertools.islice(two.iter_orders(), 50)
    )


def test_reviews_are_the_same_each_time() -> None:
    m = market()
    assert list(itertools.islice(m.iter_reviews(), 100)) == list(
        itertools.islice(m.iter_reviews(), 100)
    )


def _check_email(address: str | None) -> None:
    assert address and "@" in address
    validate_email(address, check_deliverability=False)


def _check_buyer(buyer: dict[str, Any], placed_at: dt.datetime) -> None:
    assert buyer["customer_id"]
    _check_email(buyer["email"])
    assert buyer["language"] in ("de", "en")
    assert buyer["account_type"] in ("personal", "business")
    for admin in buyer["admin_emails"]:
        _check_email(admin)
    assert bool(buyer["admin_emails"]) == (buyer["account_type"] == "business")
    assert when(buyer["created_at"]) < placed_at


def _check_line(line: dict[str, Any]) -> None:
    assert line["line_id"] and line["seller_id"] and line["seller_name"]
    assert line["gtin"] or line["sku"] or line["model"]
    if line["gtin"] is not None:
        assert len(line["gtin"]) in (8, 12, 13, 14) and ean.is_valid(line["gtin"])
    assert isinstance(line["quantity"], int) and line["quantity"] >= 1
    assert f"{float(line['unit_price']):.2f}" == line["unit_price"]
    assert pycountry.currencies.get(alpha_3=line["currency"]) is not None
    assert line["serials"] == [] or len(line["serials"]) == line["quantity"]


def _check_shipment(shipment: dict[str, Any], placed_at: dt.datetime, lines: set[str]) -> None:
    assert tracking.validate(shipment["carrier"], shipment["tracking_number"]) is None
    assert set(shipment["line_ids"]) <= lines
    shipped, delivered = shipment["shipped_at"], shipment["delivered_at"]
    if shipped is None:
        assert delivered is None
        return
    assert placed_at < when(shipped) <= NOW
    assert delivered is None or when(shipped) < when(delivered) <= NOW


def test_every_order_has_the_import_format() -> None:
    previous = dt.datetime.min
    for order in orders():
        placed_at = when(order["placed_at"])
        assert previous <= placed_at < NOW
        previous = placed_at
        assert order["order_id"]
        _check_buyer(order["buyer"], placed_at)
        ship_to = order["ship_to"]
        assert ship_to["postal_code"] and ship_to["line1"] and ship_to["city"]
        assert pycountry.countries.get(alpha_2=ship_to["country"]) is not None
        if ship_to["email"] is not None:
            _check_email(ship_to["email"])
        assert isinstance(order["gift"], bool)
        assert 1 <= len(order["lines"]) <= 3
        for line in order["lines"]:
            _check_line(line)
        line_ids = {line["line_id"] for line in order["lines"]}
        assert len(line_ids) == len(order["lines"])
        covered = {i for s in order["shipments"] for i in s["line_ids"]}
        assert covered == line_ids
        for shipment in order["shipments"]:
            _check_shipment(shipment, placed_at, line_ids)


def test_order_history_spans_three_years_up_to_today() -> None:
    placed = [when(o["placed_at"]) for o in orders()]
    assert placed[0] < NOW - dt.timedelta(days=3 * 365 - 30)
    assert placed[-1] > NOW - dt.timedelta(days=3)
    recent = [o for o in orders() if when(o["placed_at"]) > NOW - dt.timedelta(days=3)]
    assert any(s["shipped_at"] is None for o in recent for s in o["shipments"])


def test_identifiers_are_unique() -> None:
    ids = [o["order_id"] for o in orders()]
    assert len(set(ids)) == len(ids)
    numbers = [s["tracking_number"] for o in orders() for s in o["shipments"]]
    assert len(set(numbers)) == len(numbers)
    serials = Counter((line["sku"], s) for o in orders() for line in o["lines"]
                      for s in line["serials"])  # fmt: skip
    assert serials and max(serials.values()) == 1


def test_mix_of_countries_languages_carriers_and_accounts() -> None:
    countries = Counter(o["ship_to"]["country"] for o in orders())
    assert set(countries) >= {"DE", "AT", "GB", "US"}
    carriers = Counter(s["carrier"] for o in orders() for s in o["shipments"])
    assert {"DHL", "UPS", "USPS", "Royal Mail"} <= set(carriers)
    by_country = Counter((o["ship_to"]["country"], s["carrier"]) for o in orders()
                         for s in o["shipments"])  # fmt: skip
    assert by_country["DE", "DHL"] > by_country["DE", "UPS"]
    assert by_country["GB", "Royal Mail"] > by_country["GB", "UPS"]
    assert by_country["US", "DHL"] == 0
    buyers = {o["buyer"]["customer_id"]: o["buyer"] for o in orders()}
    business = sum(b["account_type"] == "business" for b in buyers.values())
    assert 0.03 < business / len(buyers) < 0.15
    languages = Counter(b["language"] for b in buyers.values())
    assert languages["de"] and languages["en"]
    assert any(line["lot"] for o in orders() for line in o["lines"])
    assert any(line["serials"] for o in orders() for line in o["lines"])


def test_gift_orders_go_to_someone_else() -> None:
    gifts = [o for o in orders() if o["gift"]]
    assert 0.03 < len(gifts) / len(orders()) < 0.10
    for order in gifts:
        assert order["ship_to"]["name"] != order["buyer"]["name"]
    with_email = sum(o["ship_to"]["email"] is not None for o in gifts)
    assert 0.25 < with_email / len(gifts) < 0.75
    assert all(o["ship_to"]["email"] is None for o in orders() if not o["gift"])


def test_every_seller_has_a_trader_identity() -> None:
    sellers = {s["seller_id"]: s for s in market().sellers}
    assert 25 <= len(sellers) <= 40
    for seller in sellers.values():
        assert all(seller[k] for k in ("name", "address_line", "city", "postal_code", "email"))
        assert seller["trade_register"]
        assert pycountry.countries.get(alpha_2=seller["country"]) is not None
        _check_email(seller["email"])
    for order in orders():
        for line in order["lines"]:
            assert sellers[line["seller_id"]]["name"] == line["seller_name"]


@cache
def _recalled_skus() -> dict[str, catalogue.Product]:
    return {sku_of(p, v): p for p in catalogue.recalled_products() for v in range(len(p.variants))}


def _recalled(line: dict[str, Any]) -> catalogue.Product | None:
    return _recalled_skus().get(line["sku"])


def _recall_lines(customer_id: str) -> Iterator[tuple[dt.datetime, catalogue.Product]]:
    for order in orders():
        if order["buyer"]["customer_id"] != customer_id:
            continue
        for line in order["lines"]:
            product = _recalled(line)
            if product is not None:
                yield when(order["placed_at"]), product


def test_demo_people_bought_recalled_products_while_on_sale() -> None:
    people = {p["customer_id"]: p for p in market().demo_people}
    assert set(people) == set(demo_script.DEMO_CUSTOMER_IDS)
    assert people["C-DEMO-EN"]["email"] == "emma.miller@example.com"
    assert people["C-DEMO-DE"]["email"] == "anna.schmidt@example.de"
    assert people["C-DEMO-NONE"]["email"] == "oliver.brown@example.co.uk"
    assert people["C-DEMO-BIZ"]["admin_emails"]
    for cid in ("C-DEMO-EN", "C-DEMO-DE"):
        bought = list(_recall_lines(cid))
        assert len({p.recall_number for _, p in bought}) >= 2
        assert {p.recall_number for _, p in bought} == set(people[cid]["recall_numbers"])
        for placed_at, product in bought:
            assert product.sold_from and product.sold_to
            assert product.sold_from <= placed_at.date() <= product.sold_to
    assert list(_recall_lines("C-DEMO-NONE")) == []
    assert people["C-DEMO-NONE"]["recall_numbers"] == []
    de_orders = [o for o in orders() if o["buyer"]["customer_id"] == "C-DEMO-DE"]
    assert len(de_orders) >= 4 and any(o["gift"] and o["ship_to"]["email"] for o in de_orders)


def test_demo_people_are_the_same_for_every_seed() -> None:
    emails = [[p["email"] for p in market(seed).demo_people] for seed in (11, 12)]
    assert emails[0] == emails[1]


def test_random_recalled_sales_fall_inside_the_sale_window() -> None:
    count = 0
    for order in orders():
        for line in order["lines"]:
            product = _recalled(line)
            if product is not None and product.sold_from and product.sold_to:
                count += 1
                assert product.sold_from <= when(order["placed_at"]).date() <= product.sold_to
    assert count > 20


def test_reviews_belong_to_delivered_lines() -> None:
    lines: dict[tuple[str, str], tuple[str, str | None]] = {}
    for order in orders():
        for shipment in order["shipments"]:
            for line_id in shipment["line_ids"]:
                lines[order["order_id"], line_id] = (
                    order["buyer"]["customer_id"],
                    shipment["delivered_at"],
                )
    reviews = list(market().iter_reviews())
    delivered = sum(1 for _, d in lines.values() if d)
    assert 0.18 < len(reviews) / delivered < 0.32
    ratings = Counter(r["rating"] for r in reviews)
    assert ratings[5] > ratings[3] > 0 and ratings[1] > 0
    assert len({r["review_id"] for r in reviews}) == len(reviews)
    for review in reviews:
        customer_id, delivered_at = lines[review["order_id"], review["line_id"]]
        assert review["customer_id"] == customer_id
        assert delivered_at is not None and review["verified"] is True
        age = when(review["created_at"]) - when(delivered_at)
        assert dt.timedelta(days=2) <= age <= dt.timedelta(days=20)
        assert when(review["created_at"]) <= NOW


def test_small_marketplaces_still_work() -> None:
    tiny = generate(customers=1, orders=5, seed=1, today=TODAY)
    produced = list(tiny.iter_orders())
    assert len(produced) >= 5
    assert {o["buyer"]["customer_id"] for o in produced} >= {"C-DEMO-EN", "C-DEMO-NONE"}


def test_ordinary_catalogue_never_collides_with_recalls() -> None:
    ordinary = catalogue.ordinary_products()
    assert len(ordinary) >= 200
    recalled_gtins = {g for p in catalogue.recalled_products() for g, _ in p.variants if g}
    ordinary_gtins = [g for p in ordinary for g, _ in p.variants]
    assert len(set(ordinary_gtins)) == len(ordinary_gtins)
    assert not recalled_gtins & set(ordinary_gtins)
    recalled_brands = {p.brand.lower() for p in catalogue.recalled_products()}
    assert not recalled_brands & {p.brand.lower() for p in ordinary}


def test_skus_and_models_identify_one_product_version() -> None:
    products = catalogue.all_products()
    skus = [sku_of(p, v) for p in products for v in range(len(p.variants))]
    assert len(set(skus)) == len(skus)
    models = [(p.brand.lower(), m) for p in products for _, m in p.variants if m]
    assert len(set(models)) == len(models)


def test_bundled_cpsc_products_are_compact_and_valid() -> None:
    path = catalogue.CPSC_PRODUCTS_PATH
    assert path.stat().st_size < 250_000
    raw = catalogue.load_cpsc_raw()
    assert 100 <= len(raw) <= 200
    for item in raw:
        assert item["recall_number"] and item["brand"] and item["product_name"]
        assert all(ean.is_valid(u) for u in item["upcs"])
        assert item["upcs"] or item["models"]
    assert sum(bool(i["upcs"]) for i in raw) >= 20


def test_generating_orders_streams_instead_of_building_a_list() -> None:
    big = generate(customers=5_000, orders=20_000, seed=3, today=TODAY)
    stream = big.iter_orders()
    assert not isinstance(stream, list | tuple)
    tracemalloc.start()
    try:
        count = sum(1 for _ in stream)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 20_000
    assert peak < 5_000_000  # a list of 20,000 orders would take about 60 MB


@pytest.mark.parametrize("today", [dt.date(2024, 1, 15), dt.date(2031, 6, 1)])
def test_demo_survives_other_dates(today: dt.date) -> None:
    m = generate(customers=50, orders=100, seed=2, today=today)
    produced = list(m.iter_orders())
    assert all(when(o["placed_at"]) < dt.datetime.combine(today, dt.time()) for o in produced)
    assert {p["customer_id"] for p in m.demo_people} == set(demo_script.DEMO_CUSTOMER_IDS)
