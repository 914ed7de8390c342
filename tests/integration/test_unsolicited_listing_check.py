"""A seller suspension recorded on an unsolicited-package case stops the seller's offers at
`GET /api/v1/listings/check` (reason `seller_suspended`); lifting it, or dismissing the
case, makes them sellable again. Other sellers and recalls are unaffected."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from shopsafe.auth import service as auth_service
from shopsafe.db.session import transaction
from tests.support.customer_pages import publish
from tests.support.unsolicited import load, parcel, report_body

URL = "/api/v1/unsolicited-reports"


def _check(client: TestClient, headers: dict[str, str], **params: str) -> Any:
    answer = client.get("/api/v1/listings/check", params=params, headers=headers)
    assert answer.status_code == 200, answer.text
    return answer.json()


def _decide(client: TestClient, headers: dict[str, str], case: str, action: str) -> Any:
    answer = client.post(f"{URL}/{case}/{action}", headers=headers)
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_a_suspended_seller_cannot_sell_until_the_suspension_is_lifted(
    engine: Engine, app_client: TestClient, operator_headers: dict[str, str]
) -> None:
    orders = [parcel(1, customer="C-FAKE-1"), parcel(2, customer="C-REAL", seller="S-HONEST")]
    load(engine, orders)
    number = orders[0]["shipments"][0]["tracking_number"]
    case = app_client.post(URL, json=report_body([number])).json()["case_id"]
    brusher = {"seller_id": "S-BRUSH", "sku": "EAR-SAVER-1"}
    honest = {"seller_id": "S-HONEST", "sku": "EAR-SAVER-1"}
    assert _check(app_client, operator_headers, **brusher) == {
        "sellable": True, "recall_ids": [], "reasons": []
    }  # fmt: skip

    assert _decide(app_client, operator_headers, case, "suspend-seller")["seller_suspended"]
    assert _check(app_client, operator_headers, **brusher) == {
        "sellable": False, "recall_ids": [], "reasons": ["seller_suspended"]
    }  # fmt: skip
    assert _check(app_client, operator_headers, gtin="4006381333931", seller_id="S-BRUSH")[
        "reasons"
    ] == ["seller_suspended"]  # any offer of the seller, whatever identifies it
    assert _check(app_client, operator_headers, **honest)["sellable"] is True
    assert _check(app_client, operator_headers, sku="EAR-SAVER-1")["sellable"] is True
    unknown = _check(app_client, operator_headers, seller_id="S-NOBODY", sku="EAR-SAVER-1")
    assert unknown["sellable"] is True
    with transaction(engine) as session:  # sellers may ask about their own offers too
        token = auth_service.create_token(session, role="seller", seller_external_id="S-BRUSH")
    seller_view = _check(app_client, {"Authorization": f"Bearer {token}"}, **brusher)
    assert seller_view["sellable"] is False

    lifted = _decide(app_client, operator_headers, case, "lift-suspension")
    assert lifted["seller_suspended"] is False
    assert lifted["actions"][-1]["action"] == "suspension_lifted"
    assert _check(app_client, operator_headers, **brusher)["sellable"] is True

    _decide(app_client, operator_headers, case, "suspend-seller")
    assert _check(app_client, operator_headers, **brusher)["sellable"] is False
    _decide(app_client, operator_headers, case, "dismiss")
    assert _check(app_client, operator_headers, **brusher) == {
        "sellable": True, "recall_ids": [], "reasons": []
    }  # fmt: skip


def test_a_recall_and_a_suspension_are_both_named(
    engine: Engine, app_client: TestClient, operator_headers: dict[str, str]
) -> None:
    orders = [parcel(1, customer="C-FAKE-1")]
    load(engine, orders)
    recall_id = publish(engine, gtins=["4006381333931"])
    offer = {"seller_id": "S-BRUSH", "gtin": "4006381333931"}
    assert _check(app_client, operator_headers, **offer) == {
        "sellable": False, "recall_ids": [recall_id], "reasons": ["recalled"]
    }  # fmt: skip
    number = orders[0]["shipments"][0]["tracking_number"]
    case = app_client.post(URL, json=report_body([number])).json()["case_id"]
    _decide(app_client, operator_headers, case, "suspend-seller")
    assert _check(app_client, operator_headers, **offer)["reasons"] == [
        "recalled",
        "seller_suspended",
    ]
