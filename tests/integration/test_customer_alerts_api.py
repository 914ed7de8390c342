"""GET /api/v1/customers/{customer_id}/alerts: a customer's recalls and safety alerts for a
shop that renders its own banner."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from shopsafe.auth import service as auth_service
from shopsafe.db.session import transaction
from tests.support.customer_pages import (
    GTIN_BED_RAIL,
    GTIN_HEATER,
    GTIN_KETTLE,
    load_orders,
    make_account,
    orders_for,
    post_form,
    publish,
    sign_in,
)

Headers = dict[str, str]


def test_operators_get_a_customers_alerts_open_ones_first(
    app_client: TestClient, operator_headers: Headers, engine: Engine
) -> None:
    records = orders_for(
        "C-7", "lea@example.de", [7, 8], products=[(GTIN_BED_RAIL, "Bettgitter")], language="de"
    )
    records += orders_for(
        "C-7", "lea@example.de", [9], products=[(GTIN_HEATER, "Heizlüfter")], language="de"
    )
    records += orders_for("C-OTHER", "x@example.com", [10], products=[(GTIN_KETTLE, "Kettle")])
    load_orders(app_client, operator_headers, records)
    bed_rail = publish(engine, gtins=[GTIN_BED_RAIL])
    heater = publish(
        engine, gtins=[GTIN_HEATER], kind="safety_warning", remedies=[], risk_level="medium"
    )
    publish(engine, gtins=[GTIN_KETTLE])
    sign_in(app_client, make_account(engine, "C-7"))
    page = f"/account/recalls/{heater}"
    post_form(app_client, f"{page}/acknowledge", {"answer": "stopped_using"}, page=page)

    answer = app_client.get("/api/v1/customers/C-7/alerts", headers=operator_headers)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["customer_id"], body["language"], body["open_count"]) == ("C-7", "de", 1)
    assert [a["id"] for a in body["alerts"]] == [bed_rail, heater]
    first, second = body["alerts"]
    assert first["title"].startswith("Rückruf: MPINOI-Bettgitter")
    assert (first["kind"], first["risk_level"], first["status"], first["open"]) == (
        "recall", "serious", "action_needed", True,
    )  # fmt: skip
    assert first["remedies"] == ["refund", "replacement"]
    assert first["product_name"] == "Adult portable bed rail"
    assert first["hazard"] == "Nutzer können sich im Gitter einklemmen und ersticken."
    assert first["notice_url"].endswith(f"/recalls/{bed_rail}")
    assert [(p["order_id"], p["units"]) for p in first["purchases"]] == [("A-7", 2), ("A-8", 2)]
    assert (second["status"], second["open"], second["acknowledgement"]) == (
        "stopped_using", False, "stopped_using",
    )  # fmt: skip
    english = app_client.get("/api/v1/customers/C-7/alerts?lang=en", headers=operator_headers)
    assert english.json()["alerts"][0]["title"].startswith("MPINOI adult portable bed rails")


def test_only_operators_may_ask(
    app_client: TestClient, operator_headers: Headers, engine: Engine
) -> None:
    load_orders(
        app_client,
        operator_headers,
        orders_for("C-1", "a@example.com", [1], products=[(GTIN_BED_RAIL, "Bed rail")]),
    )
    with transaction(engine) as session:
        seller = auth_service.create_token(session, role="seller", seller_external_id="S-3")
    seller_answer = app_client.get(
        "/api/v1/customers/C-1/alerts", headers={"Authorization": f"Bearer {seller}"}
    )
    assert seller_answer.status_code == 403 and seller_answer.json()["code"] == "forbidden"
    assert app_client.get("/api/v1/customers/C-1/alerts").status_code == 401
    unknown = app_client.get("/api/v1/customers/C-404/alerts", headers=operator_headers)
    assert unknown.status_code == 404 and unknown.json()["code"] == "not_found"
    empty = app_client.get("/api/v1/customers/C-1/alerts", headers=operator_headers).json()
    assert empty == {"customer_id": "C-1", "language": "en", "open_count": 0, "alerts": []}
