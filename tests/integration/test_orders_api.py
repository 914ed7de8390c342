"""`POST /api/v1/orders`, `GET /api/v1/orders/{id}`, tokens, error shapes."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from shopsafe.auth import service as auth_service
from shopsafe.db.session import transaction
from shopsafe.ledger import models
from tests.factories import order


def test_import_json_array_then_read_the_order(
    app_client: TestClient, operator_headers: dict[str, str]
) -> None:
    unshipped = order(
        2,
        shipments=[
            {
                **order(2)["shipments"][0],
                "shipped_at": None,
                "delivered_at": None,
                "tracking_number": "1Z999AA10123456784",
                "carrier": "UPS",
            }
        ],
    )
    answer = app_client.post("/api/v1/orders", json=[order(1), unshipped], headers=operator_headers)
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"imported": 2, "lines": 2}

    got = app_client.get("/api/v1/orders/A-1", headers=operator_headers).json()
    assert got["customer_id"] == "C-1"
    assert got["lines"][0]["gtin"] == "04006381333931"
    assert got["lines"][0]["serials"] == ["SN1001", "SN1002"]
    assert got["lines"][0]["status"] == "delivered"
    assert got["shipments"][0]["status"] == "delivered"
    assert got["shipments"][0]["line_ids"] == ["1"]
    open_order = app_client.get("/api/v1/orders/A-2", headers=operator_headers).json()
    assert open_order["lines"][0]["status"] == "open"
    assert open_order["shipments"][0]["status"] == "open"
    assert open_order["lines"][0]["hold_reason"] is None


def test_import_ndjson(app_client: TestClient, operator_headers: dict[str, str]) -> None:
    body = "\n".join(json.dumps(order(n)) for n in range(1, 4)) + "\n"
    answer = app_client.post(
        "/api/v1/orders",
        content=body,
        headers={**operator_headers, "Content-Type": "application/x-ndjson"},
    )
    assert answer.json() == {"imported": 3, "lines": 3}


def test_bad_records_get_422_listing_every_problem_and_nothing_is_written(
    app_client: TestClient, operator_headers: dict[str, str], engine: Engine
) -> None:
    bad = order(2)
    bad["lines"][0]["currency"] = "EURO"
    answer = app_client.post(
        "/api/v1/orders", json=[order(1), bad, {"order_id": 5}], headers=operator_headers
    )
    assert answer.status_code == 422
    body = answer.json()
    assert body["code"] == "invalid_input"
    assert (
        body["problems"][0] == "line 2: lines[0].currency: 'EURO' is not an ISO 4217 currency code"
    )
    assert any(p.startswith("line 3: order_id:") for p in body["problems"])
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(models.Order)) == 0


def test_broken_json_body_is_a_422_not_a_500(
    app_client: TestClient, operator_headers: dict[str, str]
) -> None:
    answer = app_client.post(
        "/api/v1/orders",
        content=b"[{",
        headers={**operator_headers, "Content-Type": "application/json"},
    )
    assert answer.status_code == 422
    assert answer.json()["code"] == "invalid_input"


def test_tokens_are_required_and_checked(app_client: TestClient, engine: Engine) -> None:
    assert app_client.get("/api/v1/orders/A-1").status_code == 401
    wrong = app_client.get("/api/v1/orders/A-1", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401
    assert wrong.json() == {"detail": "unknown or revoked API token", "code": "invalid_token"}


def test_seller_tokens_cannot_import_orders(
    app_client: TestClient, operator_headers: dict[str, str], engine: Engine
) -> None:
    app_client.post("/api/v1/orders", json=[order(1)], headers=operator_headers)
    with transaction(engine) as session:
        token = auth_service.create_token(session, role="seller", seller_external_id="S-3")
    answer = app_client.post(
        "/api/v1/orders", json=[order(2)], headers={"Authorization": f"Bearer {token}"}
    )
    assert answer.status_code == 403
    assert answer.json()["code"] == "forbidden"


def test_unknown_order_is_404(app_client: TestClient, operator_headers: dict[str, str]) -> None:
    answer = app_client.get("/api/v1/orders/NOPE", headers=operator_headers)
    assert answer.status_code == 404
    assert answer.json() == {"detail": "order 'NOPE' not found", "code": "not_found"}


def test_health_home_and_openapi(app_client: TestClient) -> None:
    assert app_client.get("/healthz").json() == {"status": "ok"}
    home = app_client.get("/")
    assert home.status_code == 200 and "Shopsafe" in home.text
    spec = app_client.get("/openapi.json").json()
    assert "/api/v1/orders" in spec["paths"]
    assert "/api/v1/orders/{order_id}" in spec["paths"]


def test_seller_trader_identity_is_stored_and_shown_only_to_its_seller(
    app_client: TestClient, operator_headers: dict[str, str], engine: Engine
) -> None:
    app_client.post("/api/v1/orders", json=[order(1)], headers=operator_headers)
    identity = {
        "seller_id": "S-3",
        "name": "Guangzhou Aoran Trading Co., Ltd.",
        "address_line": "1 Example Road",
        "postal_code": "510000",
        "city": "Guangzhou",
        "country": "cn",
        "email": "trader@example.com",
        "trade_register": "USCC 91440101MA5CXXXX",
    }
    answer = app_client.put("/api/v1/sellers/S-3", json=identity, headers=operator_headers)
    assert answer.status_code == 200, answer.text
    assert answer.json()["country"] == "CN"
    mismatch = app_client.put("/api/v1/sellers/S-4", json=identity, headers=operator_headers)
    assert mismatch.status_code == 422
    with transaction(engine) as session:
        own = auth_service.create_token(session, role="seller", seller_external_id="S-3")
    other = {**identity, "seller_id": "S-9", "name": "Other"}
    app_client.put("/api/v1/sellers/S-9", json=other, headers=operator_headers)
    seller_headers = {"Authorization": f"Bearer {own}"}
    assert (
        app_client.get("/api/v1/sellers/S-3", headers=seller_headers).json()["name"]
        == identity["name"]
    )
    assert app_client.get("/api/v1/sellers/S-9", headers=seller_headers).status_code == 404
    assert (
        app_client.put("/api/v1/sellers/S-3", json=identity, headers=seller_headers).status_code
        == 403
    )
