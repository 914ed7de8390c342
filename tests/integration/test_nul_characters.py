"""The NUL character, which PostgreSQL's text columns cannot hold: in an order import, a
report of unsolicited parcels, a form, a path or a query it is refused (422, or 404 for an
id) naming where it was, never a 500. On SQLite, which stores NUL, the order import and the
reports take it as they always did; recalls refuse it on both (test_recall_input_checks)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tests.factories import order
from tests.support.customer_pages import csrf_of
from tests.support.remedies import Headers
from tests.support.route_access import snapshot as tables
from tests.support.unsolicited import load, parcel, report_body


def on_postgresql(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"


def refused_or_taken(engine: Engine, answer: Any, problem: str, taken: int = 200) -> None:
    """PostgreSQL: 422 naming `problem`; SQLite: taken."""
    if on_postgresql(engine):
        assert answer.status_code == 422, answer.text
        assert answer.json()["code"] == "nul_character", answer.text
        assert answer.json()["problems"] == [
            f"{problem}: contains the NUL character (U+0000), which cannot be stored"
        ]
    else:
        assert answer.status_code == taken, answer.text


@pytest.mark.parametrize(
    ("field", "problem"),
    [("order_id", "body[0].order_id"), ("buyer.name", "body[0].buyer.name")],
)
def test_order_import(
    app_client: TestClient, engine: Engine, operator_headers: Headers, field: str, problem: str
) -> None:
    record = order(7001)
    if field == "order_id":
        record["order_id"] = "A-70\u000001"
    else:
        record["buyer"]["name"] = "Anna\u0000Schmidt"
    before = tables(engine)
    answer = app_client.post("/api/v1/orders", json=[record], headers=operator_headers)
    refused_or_taken(engine, answer, problem)
    if on_postgresql(engine):
        assert tables(engine) == before


def test_order_import_as_json_lines(
    app_client: TestClient, engine: Engine, operator_headers: Headers
) -> None:
    good, bad = order(7001), order(7002)
    bad["buyer"]["name"] = "Anna\u0000Schmidt"
    body = "\n".join(json.dumps(r) for r in (good, bad)).encode()
    headers = {**operator_headers, "Content-Type": "application/x-ndjson"}
    answer = app_client.post("/api/v1/orders", content=body, headers=headers)
    refused_or_taken(engine, answer, "line 2: buyer.name")


@pytest.mark.parametrize("field", ["name", "note"])
def test_unsolicited_report(app_client: TestClient, engine: Engine, field: str) -> None:
    orders = [parcel(77, customer="C-FAKE-77")]
    load(engine, orders)
    number = orders[0]["shipments"][0]["tracking_number"]
    body = report_body([number], **{field: "Maria\u0000Kowalski"})
    answer = app_client.post("/api/v1/unsolicited-reports", json=body)
    refused_or_taken(engine, answer, f"body.{field}", taken=201)


def test_the_report_form(app_client: TestClient, engine: Engine) -> None:
    orders = [parcel(78, customer="C-FAKE-78")]
    load(engine, orders)
    form = {"tracking_numbers": orders[0]["shipments"][0]["tracking_number"],
            "postal_code": "12866", "country": "US", "note": "a\u0000b",
            "csrf_token": csrf_of(app_client.get("/unsolicited").text)}  # fmt: skip
    answer = app_client.post("/unsolicited", data=form, follow_redirects=False)
    assert answer.status_code == (422 if on_postgresql(engine) else 303), answer.text[:300]


def test_paths_and_queries(
    app_client: TestClient, engine: Engine, operator_headers: Headers
) -> None:
    answer = app_client.get("/api/v1/orders/A%00B", headers=operator_headers)
    assert answer.status_code == 404, answer.text
    answer = app_client.get("/api/v1/listings/check?sku=a%00b", headers=operator_headers)
    if on_postgresql(engine):
        assert answer.json()["problems"] == [
            "sku: contains the NUL character (U+0000), which cannot be stored"
        ]
    else:
        assert answer.status_code == 200, answer.text
    sign_in = {"email": "a\u0000@example.com", "password": "x",
               "csrf_token": csrf_of(app_client.get("/login").text)}  # fmt: skip
    answer = app_client.post("/login", data=sign_in, follow_redirects=False)
    assert answer.status_code in (401, 422), answer.text[:300]
