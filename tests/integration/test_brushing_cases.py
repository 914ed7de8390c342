"""Detected rings in the operators' case list, on SQLite and PostgreSQL: `shopsafe brushing
detect` opens one case per ring and updates it on later runs (never a duplicate, a
dismissed case never reopened), operators decide them like reported cases (confirm →
ranking adjustments, suspend the seller → not sellable, dismiss → all reversed), and the
ring API, mounted in the app, is for operators only."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, delete, func, select

from shopsafe.audit.models import AuditEvent
from shopsafe.auth import service as auth_service
from shopsafe.brushing import service as brushing
from shopsafe.brushing.models import Ring, RingMember
from shopsafe.db.session import transaction
from shopsafe.unsolicited.models import (
    Case,
    CaseMessage,
    CaseOrder,
    DeliveryBlock,
    UnsolicitedReport,
)
from tests.support.brushing_market import Market, brushing_cli, load, market
from tests.support.customer_pages import make_account, sign_in

CASES = "/api/v1/unsolicited-reports"
RINGS = "/api/v1/brushing/rings"


@pytest.fixture(scope="module")
def marketplace() -> Market:
    return market()


def _count(engine: Engine, model: Any, *where: Any) -> int:
    with transaction(engine) as session:
        return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def _detected_cases(client: TestClient, headers: dict[str, str]) -> list[dict[str, Any]]:
    listed = client.get(CASES, params={"origin": "detection"}, headers=headers)
    assert listed.status_code == 200, listed.text
    return list(listed.json()["items"])


def test_detect_opens_one_case_per_ring_and_updates_it_later(
    engine: Engine,
    marketplace: Market,
    app_client: TestClient,
    operator_headers: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    load(engine, marketplace)
    result = brushing_cli(engine, monkeypatch, "detect", "--json")
    assert result.exit_code == 0, result.output
    printed = json.loads(result.stdout)  # stdout stays exactly CONTRACT §2
    assert list(printed) == ["rings"] and len(printed["rings"]) == 5
    assert list(printed["rings"][0]) == [
        "id", "score", "kind", "accounts", "orders", "sellers", "addresses", "evidence"
    ]  # fmt: skip
    assert "cases: opened 5, updated 0, left dismissed 0" in result.stderr

    with transaction(engine) as session:
        cases = {c.id: c for c in session.scalars(select(Case))}
        rings = {r.id: r for r in session.scalars(select(Ring))}
        assert {c.origin for c in cases.values()} == {"detection"}
        assert {c.status for c in cases.values()} == {"open"}
        assert all(c.number.startswith("RING-") for c in cases.values())
        assert {r.case_id for r in rings.values()} == set(cases)
        for ring in rings.values():
            assert ring.case_id is not None
            case = cases[ring.case_id]
            held = set(
                session.scalars(select(CaseOrder.order_id).where(CaseOrder.case_id == case.id))
            )
            orders = set(
                session.scalars(
                    select(RingMember.ref_id).where(
                        RingMember.ring_id == ring.id, RingMember.role == "order"
                    )
                )
            )
            assert held == orders and len(held) == 40
            assert case.evidence["score"] == round(ring.score, 2)
            assert case.evidence["evidence"] == ring.evidence
            assert case.seller_id is not None
    # nobody reported anything: no report, no e-mail, no delivery block
    for model in (UnsolicitedReport, CaseMessage, DeliveryBlock):
        assert _count(engine, model) == 0
    assert _count(engine, AuditEvent, AuditEvent.action == "unsolicited.case_opened") == 5

    # the case list and one case, as operators see them
    listed = _detected_cases(app_client, operator_headers)
    assert len(listed) == 5
    assert {(c["origin"], c["postal_code"], c["orders"]) for c in listed} == {
        ("detection", None, 40)
    }
    one = app_client.get(f"{CASES}/{listed[0]['case_id']}", headers=operator_headers).json()
    assert one["origin"] == "detection" and one["reporter"] is None
    found = one["detection"]
    assert (found["orders"], found["accounts"], found["runs"]) == (40, 20, 1)
    assert set(found["order_ids"]) <= marketplace.injected.fraud_orders
    assert set(one["accounts"]) <= marketplace.injected.accounts
    assert found["evidence"] and found["delivery_addresses"] and found["sellers"]
    assert one["related_orders"] == 40
    # a detection case has no reporter's status link
    anonymous = app_client.get(f"{CASES}/{listed[0]['case_id']}", params={"key": "x" * 24})
    assert anonymous.status_code == 404

    # a second run updates the same cases
    with transaction(engine) as session:
        again = brushing.detect(session)
    assert again.cases is not None
    assert (again.cases.opened, again.cases.updated, again.cases.left_dismissed) == (0, 5, 0)
    assert _count(engine, Case) == 5
    assert _count(engine, AuditEvent, AuditEvent.action == "unsolicited.case_updated") == 5
    one = app_client.get(f"{CASES}/{listed[0]['case_id']}", headers=operator_headers).json()
    assert one["detection"]["runs"] == 2

    # rings forgotten (e.g. a new ring table): their accounts still find their cases
    with transaction(engine) as session:
        session.execute(delete(Ring))
    with transaction(engine) as session:
        third = brushing.detect(session)
    assert third.cases is not None and (third.cases.opened, third.cases.updated) == (0, 5)
    assert _count(engine, Case) == 5


def test_no_cases_is_a_dry_run_for_the_case_list(
    engine: Engine, marketplace: Market, monkeypatch: pytest.MonkeyPatch
) -> None:
    load(engine, marketplace)
    result = brushing_cli(engine, monkeypatch, "detect", "--json", "--no-cases")
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.stdout)["rings"]) == 5
    assert "--no-cases" in result.stderr
    assert _count(engine, Case) == 0 and _count(engine, Ring) == 5
    # the next run without the flag opens the cases of the kept rings
    table = brushing_cli(engine, monkeypatch, "detect")
    assert table.exit_code == 0, table.output
    assert "cases: opened 5" in table.stderr
    assert _count(engine, Case) == 5


def _listing(client: TestClient, headers: dict[str, str], seller: str, sku: str) -> Any:
    answer = client.get(
        "/api/v1/listings/check", params={"seller_id": seller, "sku": sku}, headers=headers
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


def _adjustments(client: TestClient, headers: dict[str, str], case: str) -> list[Any]:
    answer = client.get("/api/v1/ranking-adjustments", headers=headers, params={"limit": 1000})
    assert answer.status_code == 200, answer.text
    return [a for a in answer.json()["items"] if a["case_id"] == case]


def test_operators_decide_detection_cases_like_reported_ones(
    engine: Engine,
    marketplace: Market,
    app_client: TestClient,
    operator_headers: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    load(engine, marketplace)
    with transaction(engine) as session:
        brushing.detect(session)
    rings = app_client.get(RINGS, headers=operator_headers).json()["items"]
    first, second = rings[0], rings[1]
    number = first["case_number"]
    assert number and first["status"] == "open"
    seller = first["products"][0]["seller_id"]
    sku = first["products"][0]["sku"]
    assert _listing(app_client, operator_headers, seller, sku)["sellable"] is True

    # confirm: the ring's orders and their reviews leave the rankings; the ring follows
    confirmed = app_client.post(f"{CASES}/{number}/confirm", headers=operator_headers)
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["status"] == "confirmed"
    excluded = _adjustments(app_client, operator_headers, number)
    assert {a["order_id"] for a in excluded if a["subject"] == "order"} == set(first["orders"])
    assert any(a["subject"] == "review" for a in excluded)
    assert all(a["excluded"] for a in excluded)
    ring = app_client.get(f"{RINGS}/{first['id']}", headers=operator_headers).json()
    assert ring["status"] == "confirmed"
    by_status = app_client.get(RINGS, params={"status": "confirmed"}, headers=operator_headers)
    assert [r["id"] for r in by_status.json()["items"]] == [first["id"]]

    # suspend the seller: its offers are no longer sellable
    assert app_client.post(f"{CASES}/{number}/suspend-seller", headers=operator_headers).is_success
    check = _listing(app_client, operator_headers, seller, sku)
    assert (check["sellable"], check["reasons"]) == (False, ["seller_suspended"])

    # dismiss: adjustments reversed, suspension lifted, the ring dismissed too
    dismissed = app_client.post(f"{CASES}/{number}/dismiss", headers=operator_headers)
    assert dismissed.status_code == 200 and dismissed.json()["status"] == "dismissed"
    assert not any(a["excluded"] for a in _adjustments(app_client, operator_headers, number))
    assert _listing(app_client, operator_headers, seller, sku)["sellable"] is True
    ring = app_client.get(f"{RINGS}/{first['id']}", headers=operator_headers).json()
    assert ring["status"] == "dismissed"

    # the next run does not reopen the dismissed case, nor open another for the same ring
    rerun = brushing_cli(engine, monkeypatch, "detect")
    assert rerun.exit_code == 0, rerun.output
    assert "cases: opened 0, updated 4, left dismissed 1" in rerun.stderr
    assert _count(engine, Case) == 5
    after = app_client.get(f"{CASES}/{number}", headers=operator_headers).json()
    assert after["status"] == "dismissed" and after["ranking_adjustments"] == 0

    # deciding a ring through the ring API decides its case
    decided = app_client.post(
        f"{RINGS}/{second['id']}/status", json={"status": "confirmed"}, headers=operator_headers
    )
    assert decided.status_code == 200, decided.text
    assert decided.json()["status"] == "confirmed"
    case = app_client.get(f"{CASES}/{second['case_number']}", headers=operator_headers).json()
    assert case["status"] == "confirmed" and case["ranking_adjustments"] > 0
    reopen = app_client.post(
        f"{RINGS}/{second['id']}/status", json={"status": "open"}, headers=operator_headers
    )
    assert reopen.status_code == 409
    actions = {
        a
        for a in _audit_actions(engine)
        if a.startswith("unsolicited.") or a.startswith("brushing.")
    }
    assert {
        "unsolicited.case_opened", "unsolicited.case_confirmed", "unsolicited.seller_suspended",
        "unsolicited.case_dismissed", "unsolicited.case_updated", "brushing.detect",
    } <= actions  # fmt: skip


def _audit_actions(engine: Engine) -> set[str]:
    with transaction(engine) as session:
        return set(session.scalars(select(AuditEvent.action)))


def test_the_ring_api_is_mounted_for_operators_only(
    engine: Engine, marketplace: Market, app_client: TestClient, operator_headers: dict[str, str]
) -> None:
    load(engine, marketplace)
    with transaction(engine) as session:
        brushing.detect(session, open_cases=False)
        seller = auth_service.create_token(
            session, role="seller", seller_external_id=sorted(marketplace.injected.sellers)[0]
        )
    ring_id = app_client.get(RINGS, headers=operator_headers).json()["items"][0]["id"]
    seller_headers = {"Authorization": f"Bearer {seller}"}
    for path in (RINGS, f"{RINGS}/{ring_id}"):
        assert app_client.get(path, headers=operator_headers).status_code == 200
        assert app_client.get(path).status_code == 401
        assert app_client.get(path, headers={"Authorization": "Bearer nope"}).status_code == 401
        assert app_client.get(path, headers=seller_headers).status_code == 403
    decide = f"{RINGS}/{ring_id}/status"
    assert app_client.post(decide, json={"status": "dismissed"}).status_code == 401
    refused = app_client.post(decide, json={"status": "dismissed"}, headers=seller_headers)
    assert refused.status_code == 403
    # a signed-in customer's browser session is no API token
    customer = sorted(marketplace.injected.accounts)[0]
    assert sign_in(app_client, make_account(engine, customer)).status_code == 303
    assert app_client.get(RINGS).status_code == 401
    assert app_client.post(decide, json={"status": "dismissed"}).status_code == 401
    assert app_client.get(f"{RINGS}/{ring_id}", headers=operator_headers).json()["status"] == (
        "open"
    )
    assert "/api/v1/brushing/rings" in app_client.get("/openapi.json").json()["paths"]
