"""A recall the marketplace started (no seller) that matches the sales of two sellers: each
seller lists and opens it, through the API and in the console, and sees only its own part
of it: its buyers and lines, its counts, its cases and what it was charged. A seller with
no matching sales gets nothing, and no seller may change the recall.

The market: S-3 sold two bed rails each to C-5000, C-5001, C-5002 (29.99 EUR each); S-7
two to C-7000 (a gift to "Grandma") and one to C-5000 (19.99 EUR), so C-5000's refund case
holds lines of both sellers; S-9 sold a kettle to C-9000."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from shopsafe.remedies import views
from tests.support.consoles import account, browser
from tests.support.customer_pages import csrf_of
from tests.support.remedies import (
    Headers,
    carrier_event,
    load,
    orders,
    publish,
    seller_headers,
    snapshot,
)

GIFT_EMAIL = "Grandma@Example.de"


@dataclass
class World:
    recall_id: int
    operator: Headers
    tokens: dict[str, Headers]  # S-3, S-7, S-9
    cases: dict[str, dict[str, Any]]  # C-5000 (refunded; S-3 and S-7), C-5001, C-7000


def _s7_orders() -> list[Any]:
    gift, mixed = orders(1, seller="S-7", start=7000) + orders(1, seller="S-7", start=5900)
    gift.update(gift=True)
    gift["ship_to"].update(email=GIFT_EMAIL, name="Grandma")
    mixed["buyer"].update(customer_id="C-5000", email="buyer5000@example.de")
    mixed["lines"][0].update(quantity=1, unit_price="19.99")
    return [gift, mixed]


def _open(client: TestClient, world: World, customer: str, remedy: str) -> dict[str, Any]:
    body = {"recall_id": world.recall_id, "customer_id": customer, "remedy": remedy}
    answer = client.post("/api/v1/remedy-cases", json=body, headers=world.operator)
    assert answer.status_code == 201, answer.text
    found: dict[str, Any] = answer.json()
    return found


@pytest.fixture
def world(app_client: TestClient, engine: Engine, operator_headers: Headers) -> World:
    kettle = orders(1, seller="S-9", gtin="04006381333948", start=9000)
    load(app_client, operator_headers, orders(3) + _s7_orders() + kettle)
    recall_id = publish(engine, seller=None)  # the marketplace's recall of the bed rail
    tokens = {s: seller_headers(engine, s) for s in ("S-3", "S-7", "S-9")}
    found = World(recall_id, operator_headers, tokens, {})
    found.cases["C-5000"] = _open(app_client, found, "C-5000", "refund")
    found.cases["C-5001"] = _open(app_client, found, "C-5001", "dispose")
    found.cases["C-7000"] = _open(app_client, found, "C-7000", "refund")
    tracking = found.cases["C-5000"]["return_shipment"]["tracking_number"]
    assert carrier_event(app_client, tracking, "delivered", "m-1").status_code == 200
    refunded = app_client.get(f"/api/v1/remedy-cases/{found.cases['C-5000']['id']}",
                              headers=operator_headers).json()  # fmt: skip
    assert refunded["state"] == "refunded" and refunded["refunds"][0]["amount"] == "79.97"
    return found


def _get(client: TestClient, path: str, headers: Headers) -> Any:
    answer = client.get(path, headers=headers)
    assert answer.status_code == 200, (path, answer.text)
    return answer


# (seller, lines it sold: (customer, order), its units, its cases, its refund share)
PARTS = {
    "S-3": ({("C-5000", "A-5000"), ("C-5001", "A-5001"), ("C-5002", "A-5002")}, 6,
            {"C-5000", "C-5001"}, "59.98"),
    "S-7": ({("C-7000", "A-7000"), ("C-5000", "A-5900")}, 3, {"C-5000", "C-7000"}, "19.99"),
}  # fmt: skip


@pytest.mark.parametrize("seller", ["S-3", "S-7"])
def test_each_seller_reads_the_marketplace_recall_through_the_api_for_its_sales_only(
    app_client: TestClient, world: World, seller: str
) -> None:
    lines, units, cases, share = PARTS[seller]
    token, url = world.tokens[seller], f"/api/v1/recalls/{world.recall_id}"
    listed = _get(app_client, "/api/v1/recalls", token).json()["items"]
    assert [r["id"] for r in listed] == [world.recall_id]
    opened = _get(app_client, url, token).json()
    assert opened["id"] == world.recall_id and opened["seller_id"] is None
    affected = _get(app_client, f"{url}/affected", token).json()["items"]
    assert {(i["customer_id"], i["order_id"]) for i in affected} == lines
    assert sum(i["units"] for i in affected) == units
    paged = _get(app_client, f"{url}/affected?limit=1", token).json()
    assert len(paged["items"]) == 1 and paged["next_cursor"]
    ids = {world.cases[c]["id"] for c in cases}
    listed_cases = _get(app_client, f"{url}/remedy-cases", token).json()
    assert {c["id"] for c in listed_cases} == ids
    shared = world.cases["C-5000"]["id"]  # S-3's and S-7's lines: each sees its own part
    for found in (next(c for c in listed_cases if c["id"] == shared),
                  _get(app_client, f"/api/v1/remedy-cases/{shared}", token).json()):  # fmt: skip
        assert found["units"] == (2 if seller == "S-3" else 1)
        assert found["amount"] == share and found["amounts"] == [
            {"amount": share, "currency": "EUR"}
        ]
        assert [(r["amount"], r["owed"]) for r in found["refunds"]] == [(share, share)]
    progress = _get(app_client, f"{url}/remedy-progress", token).json()
    assert progress["remedies_requested"] == 2
    assert progress["refunds_paid"] == [{"amount": share, "currency": "EUR"}]
    assert progress["units_corrected"] == (2 if seller == "S-3" else 1)  # its units, refunded
    report = _get(app_client, f"{url}/progress-report.csv", token).text
    rows = list(csv.DictReader(io.StringIO(report)))
    assert {r["total_products_affected"] for r in rows} == {str(units)}
    assert sum(float(r["refunds_paid_this_period"]) for r in rows) == float(share)
    assert "79.97" not in report
    stats = _get(app_client, f"{url}/stats", token).json()  # its own part's counters
    assert stats["units_affected"] == units
    assert stats["affected_customers"] == len({customer for customer, _ in lines})
    assert stats["remedies_requested"] == 2
    assert stats["units_corrected"] == (2 if seller == "S-3" else 1)


def test_the_whole_recall_stays_the_operators(app_client: TestClient, world: World) -> None:
    url = f"/api/v1/recalls/{world.recall_id}"
    affected = _get(app_client, f"{url}/affected", world.operator).json()["items"]
    assert len(affected) == 5
    progress = _get(app_client, f"{url}/remedy-progress", world.operator).json()
    assert progress["refunds_paid"] == [{"amount": "79.97", "currency": "EUR"}]
    whole = _get(app_client, f"{url}/stats", world.operator).json()
    assert whole["units_affected"] == sum(i["units"] for i in affected)
    assert whole["remedies_requested"] == 3
    assert progress["remedies_requested"] == 3 and progress["units_corrected"] == 3
    cases = _get(app_client, f"{url}/remedy-cases", world.operator).json()
    assert len(cases) == 3
    shared = next(c for c in cases if c["id"] == world.cases["C-5000"]["id"])
    assert shared["units"] == 3 and shared["refunds"][0]["amount"] == "79.97"


def test_no_seller_changes_it_and_one_without_sales_in_it_gets_nothing(
    app_client: TestClient, engine: Engine, world: World
) -> None:
    url = f"/api/v1/recalls/{world.recall_id}"
    before = snapshot(engine)
    for seller in ("S-3", "S-7", "S-9"):
        token = world.tokens[seller]
        changed = app_client.patch(url, json={"title": "Changed by a seller"}, headers=token)
        assert changed.status_code == 403, changed.text
        for action in ("publish", "close"):
            assert app_client.post(f"{url}/{action}", headers=token).status_code == 403
        for whole in ("preview", "undeliverable", "undeliverable.csv"):  # all of it: not theirs
            assert app_client.get(f"{url}/{whole}", headers=token).status_code == 403, whole
    other = world.tokens["S-9"]
    assert _get(app_client, "/api/v1/recalls", other).json()["items"] == []
    for path in ("", "/affected", "/stats", "/remedy-cases", "/remedy-progress",
                 "/progress-report.csv"):  # fmt: skip
        answer = app_client.get(f"{url}{path}", headers=other)
        assert answer.status_code in (403, 404), (path, answer.text)
        assert "MPINOI" not in answer.text and "C-50" not in answer.text
    assert app_client.get("/api/v1/recalls/999999", headers=other).status_code == 404
    assert snapshot(engine) == before
    title = _get(app_client, url, world.operator).json()["title"]
    assert title != "Changed by a seller"


def _console(engine: Engine, seller: str) -> TestClient:
    return browser(engine, account(engine, f"staff@{seller.lower()}.example", "seller",
                                   seller=seller))  # fmt: skip


def stat(html: str, name: str) -> str:
    found = re.search(rf'data-testid="stat-{name}">([^<]*)<', html)
    assert found, name
    return found.group(1).strip()


# (seller, units, customers, recipients (buyers and a gift recipient), refunds, foreign RMAs)
BOARD = {
    "S-3": ("6", "3", "3", "€59.98", ("C-7000",)),
    "S-7": ("3", "2", "3", "€19.99", ("C-5001",)),
}


@pytest.mark.parametrize("seller", ["S-3", "S-7"])
def test_each_sellers_console_shows_the_recall_with_its_own_numbers_and_cases(
    engine: Engine, world: World, seller: str
) -> None:
    units, customers, recipients, refunds, foreign = BOARD[seller]
    console = _console(engine, seller)
    home = console.get("/seller/").text
    assert f'href="/seller/recalls/{world.recall_id}"' in home and 'data-testid="not-own"' in home
    assert 'href="/seller/cases"' in home
    board = console.get(f"/seller/recalls/{world.recall_id}")
    assert board.status_code == 200, board.text
    html = board.text
    assert 'data-testid="limited"' in html and "undeliverable-link" not in html
    assert stat(html, "units_affected") == units and stat(html, "affected_customers") == customers
    assert stat(html, "recipients") == recipients and stat(html, "remedies_requested") == "2"
    assert stat(html, "refunds_paid") == refunds
    assert "79.97" not in html and "Grandma" not in html
    for customer in foreign:
        assert world.cases[customer]["rma"] not in html
    report = console.get(f"/seller/recalls/{world.recall_id}/progress-report.csv")
    assert report.status_code == 200 and "79.97" not in report.text
    assert f",{units}," in report.text
    for path in ("preview", "undeliverable", "undeliverable.csv"):
        assert console.get(f"/seller/recalls/{world.recall_id}/{path}").status_code == 403, path
    token = csrf_of(home)
    published = console.post(f"/seller/recalls/{world.recall_id}/publish",
                             data={"csrf_token": token}, follow_redirects=False)  # fmt: skip
    assert published.status_code == 403


def test_a_case_of_two_sellers_shows_each_its_own_part_and_leads_back(
    engine: Engine, world: World
) -> None:
    case = world.cases["C-5000"]
    console = _console(engine, "S-7")
    page = console.get(f"/seller/cases/{case['id']}")
    assert page.status_code == 200, page.text
    assert "1 unit" in page.text and "€19.99" in page.text and 'data-testid="shared"' in page.text
    assert "79.97" not in page.text and "59.98" not in page.text
    back = re.search(r'href="([^"]+)" data-testid="back"', page.text)
    assert back and back.group(1) == f"/seller/recalls/{world.recall_id}"
    assert console.get(back.group(1)).status_code == 200
    mine = _console(engine, "S-3").get(f"/seller/cases/{case['id']}").text
    assert "2 units" in mine and "€59.98" in mine and "19.99" not in mine
    single = console.get(f"/seller/cases/{world.cases['C-7000']['id']}").text
    assert "2 units" in single and 'data-testid="shared"' not in single
    operator = browser(engine, account(engine, "ops@shopsafe.example", "operator"))
    whole = operator.get(f"/operator/cases/{case['id']}").text
    assert "3 units" in whole and "€79.97" in whole


def test_the_sellers_case_list_filters_pages_and_shows_only_its_cases(
    engine: Engine, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    console = _console(engine, "S-7")
    listed = console.get("/seller/cases")
    assert listed.status_code == 200, listed.text
    order = [int(n) for n in re.findall(r'<tr data-case="(\d+)"', listed.text)]
    assert order == [world.cases["C-7000"]["id"], world.cases["C-5000"]["id"]]  # newest first
    assert f'href="/seller/cases/{world.cases["C-5000"]["id"]}"' in listed.text
    assert world.cases["C-5001"]["rma"] not in listed.text and "79.97" not in listed.text
    refunded = console.get("/seller/cases?state=refunded").text
    assert re.findall(r'<tr data-case="(\d+)"', refunded) == [str(world.cases["C-5000"]["id"])]
    assert console.get("/seller/cases?state=nonsense").status_code in (400, 422)
    monkeypatch.setattr(views, "CASES_PER_PAGE", 1)
    first = console.get("/seller/cases").text
    older = re.search(r'href="/seller/cases\?before=(\d+)"', first)
    assert older and re.findall(r'<tr data-case="(\d+)"', first) == [older.group(1)]
    second = console.get(f"/seller/cases?before={older.group(1)}").text
    assert re.findall(r'<tr data-case="(\d+)"', second) == [str(world.cases["C-5000"]["id"])]
    assert 'data-testid="older"' not in second
    stranger = _console(engine, "S-9")
    assert re.findall(r'<tr data-case="', stranger.get("/seller/cases").text) == []
    assert "MPINOI" not in stranger.get("/seller/").text
    assert stranger.get(f"/seller/recalls/{world.recall_id}").status_code == 403
    assert stranger.get(f"/seller/cases/{world.cases['C-5000']['id']}").status_code == 403
