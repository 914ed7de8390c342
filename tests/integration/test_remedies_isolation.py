"""A seller sees and acts only on its own recalls, cases, refunds and exports: every seller
endpoint and page, asked with another seller's ids, refuses and changes nothing. Customers
see only their own remedy cases."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tests.support.consoles import RECALL_FORM, account, browser
from tests.support.customer_pages import csrf_of
from tests.support.remedies import (
    Headers,
    carrier_event,
    market,
    move,
    open_case,
    png,
    publish,
    snapshot,
)


@pytest.fixture
def world(app_client: TestClient, engine: Engine, operator_headers: Headers) -> dict[str, Any]:
    m = market(app_client, engine, operator_headers)
    refund = open_case(app_client, m, "C-5000").json()
    dispose = open_case(app_client, m, "C-5001", "dispose").json()
    url = f"/api/v1/remedy-cases/{dispose['id']}/disposal-photo"
    app_client.post(url, content=png(), headers={**m.operator, "Content-Type": "image/png"})
    carrier_event(app_client, refund["return_shipment"]["tracking_number"], "delivered", "i-1")
    return {"m": m, "refund": refund, "dispose": dispose}


def test_another_sellers_token_gets_nothing_and_changes_nothing(
    app_client: TestClient, engine: Engine, world: dict[str, Any]
) -> None:
    m, refund, dispose = world["m"], world["refund"], world["dispose"]
    before = snapshot(engine)
    foreign = m.other
    for case in (refund, dispose):
        base = f"/api/v1/remedy-cases/{case['id']}"
        assert app_client.get(base, headers=foreign).status_code == 403
        assert app_client.get(f"{base}/label.pdf", headers=foreign).status_code in (403, 404)
        assert app_client.get(f"{base}/disposal-photo", headers=foreign).status_code == 403
        for to in ("closed", "refunded", "photo_rejected", "in_transit"):
            assert move(app_client, foreign, case["id"], to).status_code == 403
        sent = app_client.post(f"{base}/disposal-photo", content=png(),
                               headers={**foreign, "Content-Type": "image/png"})  # fmt: skip
        assert sent.status_code == 403
    body = {"recall_id": m.recall_id, "customer_id": "C-5002", "remedy": "refund"}
    assert app_client.post("/api/v1/remedy-cases", json=body, headers=foreign).status_code == 403
    assert app_client.post("/api/v1/remedy-cases", json=body, headers=m.seller).status_code == 403
    for path in ("progress-report.csv", "remedy-progress", "remedy-cases"):
        answer = app_client.get(f"/api/v1/recalls/{m.recall_id}/{path}", headers=foreign)
        assert answer.status_code == 403, path
        assert app_client.get(f"/api/v1/recalls/{m.recall_id}/{path}", headers=m.seller).is_success
    assert snapshot(engine) == before
    own = app_client.get(f"/api/v1/remedy-cases/{refund['id']}", headers=m.seller)
    assert own.status_code == 200 and own.json()["refunds"][0]["amount"] == "59.98"


def test_a_marketplace_recall_shows_each_seller_only_its_own_cases(
    app_client: TestClient, engine: Engine, operator_headers: Headers
) -> None:
    m = market(app_client, engine, operator_headers, seller=None)
    case = open_case(app_client, m, "C-5000").json()
    assert app_client.get(f"/api/v1/remedy-cases/{case['id']}", headers=m.seller).is_success
    assert app_client.get(f"/api/v1/remedy-cases/{case['id']}", headers=m.other).status_code == 403
    assert publish(engine) != m.recall_id  # a second recall of the same product: no effect


def test_another_sellers_pages_refuse_every_foreign_id(
    app_client: TestClient, engine: Engine, world: dict[str, Any]
) -> None:
    m, refund, dispose = world["m"], world["refund"], world["dispose"]
    owner = browser(engine, account(engine, "staff@s3.example", "seller", seller="S-3"))
    form = {**RECALL_FORM, "csrf_token": csrf_of(owner.get("/seller/recalls/new").text)}
    draft = owner.post("/seller/recalls/new", data=form, follow_redirects=False)
    assert draft.status_code == 303, draft.text
    draft_id = int(draft.headers["location"].split("/")[3])
    photo_id = owner.get(f"/seller/cases/{dispose['id']}").text.split("/photos/")[1].split('"')[0]
    stranger = browser(engine, account(engine, "staff@s9.example", "seller", seller="S-9"))
    before = snapshot(engine)
    token = csrf_of(stranger.get("/seller/").text)
    assert "MPINOI" not in stranger.get("/seller/").text
    pages = [
        f"/seller/recalls/{m.recall_id}", f"/seller/recalls/{m.recall_id}/preview",
        f"/seller/recalls/{m.recall_id}/progress-report.csv", f"/seller/recalls/{draft_id}/preview",
        f"/seller/cases/{refund['id']}", f"/seller/cases/{refund['id']}/label.pdf",
        f"/seller/cases/{dispose['id']}", f"/seller/cases/{dispose['id']}/photos/{photo_id}",
    ]  # fmt: skip
    for path in pages:
        assert stranger.get(path).status_code == 403, path
        assert owner.get(path).status_code == 200, path
    forms = [
        (f"/seller/recalls/{draft_id}/publish", {}),
        (f"/seller/cases/{refund['id']}/moves", {"to": "closed"}),
        (f"/seller/cases/{dispose['id']}/moves", {"to": "refunded", "amount": "60.00"}),
    ]
    for path, data in forms:
        answer = stranger.post(path, data={**data, "csrf_token": token}, follow_redirects=False)
        assert answer.status_code == 403, path
    assert stranger.get("/operator/").status_code == 403
    assert stranger.get("/operator/audit").status_code == 403
    assert snapshot(engine) == before
    assert owner.get(f"/seller/recalls/{draft_id}/preview").status_code == 200


def test_customers_see_only_their_own_remedy_cases(
    app_client: TestClient, engine: Engine, world: dict[str, Any]
) -> None:
    refund, dispose = world["refund"], world["dispose"]
    anna = browser(engine, account(engine, "buyer5000@example.de", "customer", customer="C-5000"))
    assert anna.get(f"/account/remedies/{refund['id']}").status_code == 200
    assert anna.get(f"/account/remedies/{refund['id']}/label.pdf").status_code == 200
    assert anna.get(f"/account/remedies/{dispose['id']}").status_code == 404
    assert anna.get(f"/account/remedies/{dispose['id']}/label.pdf").status_code == 404
    before = snapshot(engine)
    token = csrf_of(anna.get(f"/account/remedies/{refund['id']}").text)
    sent = anna.post(f"/account/remedies/{dispose['id']}/photo", data={"csrf_token": token},
                     files={"photo": ("p.png", png(), "image/png")})  # fmt: skip
    assert sent.status_code == 404
    assert anna.get("/seller/").status_code == 403
    assert snapshot(engine) == before
