"""The matching rule (CONTRACT §5), checked against a naive reference on random ledgers:
preview, the affected list and the published matches all equal the reference."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from shopsafe.auth.schemas import Principal
from shopsafe.db.session import transaction
from shopsafe.ledger import service as ledger
from shopsafe.ledger.importers import parse_objects
from shopsafe.ledger.models import Order, OrderLine
from shopsafe.ledger.schemas import OrderIn, SellerIn
from shopsafe.notifications.models import RecallNotice
from shopsafe.recalls import service as recalls
from shopsafe.recalls.models import RecallMatch
from tests.conftest import empty_database
from tests.support.recalls import recall_body

GTINS = ["04006381333931", "4006381333931", "012345678905", "96385074"]
SKUS = ["BR-200", "br-200", "KT-1"]
MODELS = [("MPINOI", "BR-200"), ("mpinoi", "br 200"), ("M.P.INOI", "B.R200"), ("Acme", "X-1")]
LOTS = ["L2301", "l2301", "L9"]
COUNTRIES = ["DE", "AT", "GB", "US"]
SELLERS = ["S-1", "S-2"]
START = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
OPERATOR = Principal(role="operator")


def _norm(text: str | None) -> str | None:
    return re.sub(r"[\s\-.]", "", text).upper() if text else None


def _serial(text: str) -> tuple[str, int | None]:
    m = re.match(r"^(.*?)(\d+)$", text)
    return (text.upper(), None) if not m else (m.group(1).upper(), int(m.group(2)))


@st.composite
def lines(draw: st.DrawFn, number: int) -> dict[str, Any]:
    quantity = draw(st.integers(1, 3))
    serials = draw(
        st.lists(
            st.builds(
                lambda p, n: f"{p}{n}", st.sampled_from(["SN", "sn", "AB"]), st.integers(0, 8)
            ),
            max_size=quantity,
            unique=True,
        )
    )
    brand, model = draw(st.sampled_from([*MODELS, (None, None)]))
    line = {
        "line_id": str(number),
        "seller_id": draw(st.sampled_from(SELLERS)),
        "sku": draw(st.sampled_from([*SKUS, None])),
        "gtin": draw(st.sampled_from([*GTINS, None])),
        "brand": brand,
        "model": model,
        "quantity": quantity,
        "unit_price": "10.00",
        "currency": "EUR",
        "lot": draw(st.sampled_from([*LOTS, None])),
        "serials": serials,
    }
    if not (line["sku"] or line["gtin"] or line["model"]):
        line["sku"] = "PLAIN"
    return line


@st.composite
def orders(draw: st.DrawFn) -> list[dict[str, Any]]:
    result = []
    for n in range(draw(st.integers(1, 12))):
        customer = draw(st.integers(1, 5))
        business = customer == 5
        gift = draw(st.booleans())
        result.append(
            {
                "order_id": f"O-{n}",
                "placed_at": (
                    START
                    + dt.timedelta(days=draw(st.integers(0, 10)), hours=draw(st.integers(0, 23)))
                ).isoformat(),
                "buyer": {
                    "customer_id": f"C-{customer}",
                    "email": f"c{customer}@example.com",
                    "account_type": "business" if business else "personal",
                    "admin_emails": ["boss@example.com", "c1@example.com"] if business else [],
                },
                "ship_to": {
                    "postal_code": "10115",
                    "country": draw(st.sampled_from(COUNTRIES)),
                    "email": draw(st.sampled_from(["g1@example.com", "g2@example.com", None]))
                    if gift
                    else None,
                },
                "gift": gift,
                "lines": [draw(lines(i)) for i in range(1, draw(st.integers(1, 3)) + 1)],
            }
        )
    return result


@st.composite
def criteria(draw: st.DrawFn) -> tuple[dict[str, Any], str | None]:
    keys: dict[str, Any] = {}
    while not keys:
        if draw(st.booleans()):
            keys["gtins"] = draw(st.lists(st.sampled_from(GTINS), min_size=1, max_size=2))
        if draw(st.booleans()):
            keys["skus"] = draw(st.lists(st.sampled_from(SKUS), min_size=1, max_size=2))
        if draw(st.booleans()):
            pairs = draw(st.lists(st.sampled_from(MODELS), min_size=1, max_size=2))
            keys["models"] = [{"brand": b, "model": m} for b, m in pairs]
    if draw(st.booleans()):
        keys["lots"] = draw(st.lists(st.sampled_from(LOTS), min_size=1, max_size=2))
    if draw(st.booleans()):
        low = draw(st.integers(0, 8))
        keys["serial_ranges"] = [
            {
                "prefix": draw(st.sampled_from(["SN", "AB"])),
                "from": low,
                "to": low + draw(st.integers(0, 3)),
            }
        ]
    if draw(st.booleans()):
        first = draw(st.integers(0, 10))
        keys["sold_from"] = (START + dt.timedelta(days=first)).date().isoformat()
        keys["sold_to"] = (
            (START + dt.timedelta(days=first + draw(st.integers(0, 4)))).date().isoformat()
        )
    if draw(st.booleans()):
        keys["countries"] = draw(st.lists(st.sampled_from(COUNTRIES), min_size=1, max_size=2))
    return keys, draw(st.sampled_from([None, *SELLERS]))


def reference(
    records: list[dict[str, Any]], crit: dict[str, Any], seller: str | None
) -> tuple[dict[tuple[str, str], int], set[str], set[str]]:
    """The rule as CONTRACT §5 words it, line by line."""
    gtins = {g.zfill(14) for g in crit.get("gtins", [])}
    skus = set(crit.get("skus", []))
    pairs = {(_norm(m["brand"]), _norm(m["model"])) for m in crit.get("models", [])}
    lots = {x.upper() for x in crit.get("lots", [])}
    ranges = crit.get("serial_ranges", [])
    hits: dict[tuple[str, str], int] = {}
    customers: set[str] = set()
    emails: set[str] = set()
    for order in records:
        placed = dt.date.fromisoformat(order["placed_at"][:10])
        for line in order["lines"]:
            keyed = (
                (line["gtin"] and line["gtin"].zfill(14) in gtins)
                or (line["sku"] in skus)
                or ((_norm(line["brand"]), _norm(line["model"])) in pairs and line["model"])
            )
            in_range = [
                s
                for s in line["serials"]
                if any(
                    _serial(s) == (r["prefix"], n)
                    for r in ranges
                    for n in range(r["from"], r["to"] + 1)
                )
            ]
            if not keyed:
                continue
            if lots and (line["lot"] or "").upper() not in lots:
                continue
            if ranges and not in_range:
                continue
            if "sold_from" in crit and placed < dt.date.fromisoformat(crit["sold_from"]):
                continue
            if "sold_to" in crit and placed > dt.date.fromisoformat(crit["sold_to"]):
                continue
            if crit.get("countries") and order["ship_to"]["country"] not in crit["countries"]:
                continue
            if seller and line["seller_id"] != seller:
                continue
            hits[(order["order_id"], line["line_id"])] = (
                len(in_range) if ranges else line["quantity"]
            )
            buyer = order["buyer"]
            customers.add(buyer["customer_id"])
            emails.add(buyer["email"])
            if buyer["account_type"] == "business":
                emails.update(buyer["admin_emails"])
            if order["gift"] and order["ship_to"]["email"]:
                emails.add(order["ship_to"]["email"])
    return hits, customers, emails


BOUNDARY_ORDER = {
    "order_id": "O-B",
    "placed_at": "2025-01-05T23:30:00+00:00",
    "buyer": {
        "customer_id": "C-1",
        "email": "c1@example.com",
        "account_type": "personal",
        "admin_emails": [],
    },
    "gift": False,
    "ship_to": {"postal_code": "10115", "country": "DE", "email": None},
    "lines": [
        {
            "line_id": "1",
            "seller_id": "S-1",
            "gtin": GTINS[0],
            "quantity": 3,
            "unit_price": "1",
            "currency": "EUR",
            "serials": ["SN5", "sn9", "SN1"],
            "sku": None,
            "brand": None,
            "model": None,
            "lot": "l2301",
        },
    ],
}


MIDNIGHT_ORDER = {**BOUNDARY_ORDER, "order_id": "O-C", "placed_at": "2025-01-06T00:00:00Z"}


@example(
    records=[BOUNDARY_ORDER, MIDNIGHT_ORDER],
    chosen=(
        {
            "gtins": [GTINS[1]],
            "serial_ranges": [{"prefix": "SN", "from": 5, "to": 9}],
            "lots": ["L2301"],
            "sold_from": "2025-01-05",
            "sold_to": "2025-01-05",
        },
        None,
    ),
)
@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.large_base_example],
)
@given(records=orders(), chosen=criteria())
def test_preview_affected_and_published_matches_equal_the_reference(
    engine: Engine, records: list[dict[str, Any]], chosen: tuple[dict[str, Any], str | None]
) -> None:
    crit, seller = chosen
    empty_database(engine)
    with transaction(engine) as session:
        ledger.upsert_sellers(session, sellers=[SellerIn(seller_id=s, name=s) for s in SELLERS])
        ledger.import_orders(session, source=lambda: parse_objects(records, OrderIn))
        recall = recalls.create(
            session, data=recall_body(criteria=crit, seller_id=seller), principal=OPERATOR
        )
        recall_id = recall.id
    hits, customers, emails = reference(records, crit, seller)

    with transaction(engine) as session:
        recall = recalls.get(session, recall_id, OPERATOR)
        preview = recalls.preview(session, recall)
        page = recalls.affected(session, recall, cursor=None, limit=1000)
    assert preview.affected_order_lines == len(hits)
    assert preview.affected_units == sum(hits.values())
    assert preview.affected_customers == len(customers)
    assert preview.recipients == len(emails)
    assert {(i.order_id, i.line_id): i.units for i in page.items} == hits

    with transaction(engine) as session:
        recalls.publish(session, recall_id=recall_id, principal=OPERATOR)
    with Session(engine) as session:
        published = {
            (order, line): units
            for order, line, units in session.execute(
                select(Order.external_id, OrderLine.line_id, RecallMatch.units)
                .join(OrderLine, OrderLine.id == RecallMatch.order_line_id)
                .join(Order, Order.id == OrderLine.order_id)
                .where(RecallMatch.recall_id == recall_id, RecallMatch.active.is_(True))
            )
        }
        notified = set(
            session.scalars(select(RecallNotice.email).where(RecallNotice.recall_id == recall_id))
        )
        page = recalls.affected(session, recalls.get(session, recall_id, OPERATOR), cursor=None)
    assert published == hits
    assert notified == emails
    assert {(i.order_id, i.line_id): i.units for i in page.items} == hits
