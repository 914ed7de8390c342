"""Each classification, from a ledger built for it and a report through the API."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tests.support.unsolicited import HONEST, REPORTER, load, parcel, report_body, review

URL = "/api/v1/unsolicited-reports"


def _report(client: TestClient, order: dict[str, Any], **changes: Any) -> dict[str, Any]:
    numbers = [order["shipments"][0]["tracking_number"]]
    answer = client.post(URL, json=report_body(numbers, **changes))
    assert answer.status_code == 201, answer.text
    body: dict[str, Any] = answer.json()
    assert body["shipments"][0]["found"] is True
    return body


def test_brushing_fake_accounts_gift_orders_cheap_items_and_reviews(
    engine: Engine, app_client: TestClient
) -> None:
    orders = [parcel(n, customer=f"C-FAKE-{n}") for n in range(1, 5)]
    load(engine, orders, reviews=[review(n, o) for n, o in enumerate(orders)])
    body = _report(app_client, orders[0])
    assert body["classification"] == "brushing"
    assert body["shipments"][0]["classification"] == "brushing"
    assert body["shipments"][0]["belongs_to_someone_else"] is False


def test_misdelivery_an_account_that_used_the_address_for_other_sellers(
    engine: Engine, app_client: TestClient
) -> None:
    berlin = {
        **REPORTER,
        "line1": "Hauptstraße 5",
        "postal_code": "10115",
        "city": "Berlin",
        "country": "DE",
    }
    earlier = parcel(
        1,
        customer="C-PREV",
        seller="S-BOOKS",
        gift=False,
        price="24.00",
        placed_at="2024-05-01T10:00:00Z",
        created_at="2020-01-01T00:00:00Z",
        ship_to=berlin,
    )
    mine = parcel(2, customer="C-PREV", seller="S-HONEST", sku="KETTLE", gift=False,
                  price="49.00", placed_at="2026-03-01T10:00:00Z",
                  created_at="2020-01-01T00:00:00Z", ship_to=berlin)  # fmt: skip
    load(engine, [earlier, mine])
    body = _report(app_client, mine, country="DE", postal_code="10115", language="de")
    assert body["classification"] == "misdelivery"
    assert body["shipments"][0]["belongs_to_someone_else"] is True
    assert body["shipments"][0]["seller"]["name"] == HONEST["name"]
    assert body["rights"]["law"] == "§ 241a BGB"
    assert "Abs. 2" in body["rights"]["summary"]
    assert "zurück an Absender" in body["rights"]["summary"]


def test_return_address_misuse_the_seller_gives_the_reporters_home_as_its_address(
    engine: Engine, app_client: TestClient
) -> None:
    liar = {
        "seller_id": "S-RET",
        "name": "Quickreturn Trading LLC",
        "address_line": "27 Birch Lane",
        "postal_code": "12866",
        "city": "Saratoga Springs",
        "country": "US",
        "email": "hello@quickreturn.example",
    }
    returned = parcel(1, customer="C-OLD", seller="S-RET", gift=False, price="35.00",
                      created_at="2021-01-01T00:00:00Z")  # fmt: skip
    load(engine, [returned], sellers=[liar])
    body = _report(app_client, returned)
    assert body["classification"] == "return_address_misuse"
    assert body["shipments"][0]["seller"]["name"] == "Quickreturn Trading LLC"


def test_bulk_dumping_many_identical_items_and_no_reviews(
    engine: Engine, app_client: TestClient
) -> None:
    dumped = [
        parcel(n, customer="C-DUMP", gift=False, price="25.00", quantity=4,
               created_at="2021-01-01T00:00:00Z", placed_at=f"2026-03-0{n}T10:00:00Z")
        for n in range(1, 4)
    ]  # fmt: skip
    load(engine, dumped)
    body = _report(app_client, dumped[0])
    assert body["classification"] == "bulk_dumping"


def test_unknown_when_no_rule_applies(engine: Engine, app_client: TestClient) -> None:
    plain = parcel(1, customer="C-PLAIN", seller="S-HONEST", sku="KETTLE", gift=False,
                   price="49.00", created_at="2019-01-01T00:00:00Z")  # fmt: skip
    load(engine, [plain])
    body = _report(app_client, plain)
    assert body["classification"] == "unknown"
    assert body["shipments"][0]["seller"]["name"] == HONEST["name"]


def test_earlier_reports_about_the_seller_count_as_a_sign(
    engine: Engine, app_client: TestClient
) -> None:
    neighbour = {**REPORTER, "line1": "29 Birch Lane"}
    plain = {"seller": "S-HONEST", "sku": "KETTLE", "gift": False, "price": "49.00",
             "created_at": "2019-01-01T00:00:00Z"}  # fmt: skip
    first = parcel(1, customer="C-A", **plain)  # type: ignore[arg-type]
    second = parcel(2, customer="C-B", ship_to=neighbour, **plain)  # type: ignore[arg-type]
    load(engine, [first, second])
    assert _report(app_client, first)["classification"] == "unknown"
    assert _report(app_client, second)["classification"] == "brushing"
