"""`POST /api/v1/unsolicited-reports`: trace, answer, no oracle, rate limit, status link."""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from shopsafe.audit.models import AuditEvent
from shopsafe.unsolicited.models import Case, CaseShipment, UnsolicitedReport
from tests.support.unsolicited import ELSEWHERE, load, number, parcel, report_body

URL = "/api/v1/unsolicited-reports"


def _brushing_ledger(engine: Engine) -> list[dict[str, Any]]:
    orders = [parcel(n, customer=f"C-FAKE-{n % 3}") for n in range(1, 7)]
    orders.append(parcel(50, customer="C-ELSE", ship_to=ELSEWHERE, gift=False))
    load(engine, orders)
    return orders


def _number_of(order: dict[str, Any]) -> str:
    return str(order["shipments"][0]["tracking_number"])


def test_a_verified_report_names_the_seller_and_never_the_buyer(
    engine: Engine, app_client: TestClient
) -> None:
    orders = _brushing_ledger(engine)
    answer = app_client.post(URL, json=report_body([_number_of(orders[0])]))
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert body["status"] == "open"
    assert body["case_id"].startswith("UP-")
    [shipment] = body["shipments"]
    assert shipment["found"] is True
    assert shipment["classification"] == "brushing"
    assert shipment["seller"] == {
        "name": "Brightwave Gadgets Ltd.",
        "address": "Unit 5, 12 Harbour Road, 999077 Wan Chai, HK",
        "email": "compliance@brightwave.example",
        "phone": "+852 5555 0100",
        "trade_register": "CR No. 3141592",
    }
    assert body["rights"]["law"] == "39 U.S.C. § 3009"
    assert any("QR" in line for line in body["advice"])
    assert "3 accounts" in body["data_source"]
    assert "deliveries_stopped" in body["actions"]
    text = json.dumps(body)
    for secret in ("C-FAKE", "mail.example", "Buyer ", "5 Elm Street", "10001", "U-1"):
        assert secret not in text


def test_the_status_link_opens_the_case_and_nothing_else_does(
    engine: Engine, app_client: TestClient, operator_headers: dict[str, str]
) -> None:
    orders = _brushing_ledger(engine)
    body = app_client.post(URL, json=report_body([_number_of(orders[0])])).json()
    link = body["status_url"]
    assert link.startswith(f"http://testserver/unsolicited/cases/{body['case_id']}/")
    key = link.rsplit("/", 1)[1]
    mine = app_client.get(f"{URL}/{body['case_id']}", params={"key": key})
    assert mine.status_code == 200
    assert mine.json()["shipments"] == body["shipments"]
    assert "accounts" not in mine.json()
    for wrong in ({}, {"key": key[:-2] + "xx"}, {"key": ""}):
        refused = app_client.get(f"{URL}/{body['case_id']}", params=wrong)
        assert refused.status_code == 404
    assert app_client.get(f"{URL}/UP-NOTACASE", params={"key": key}).status_code == 404
    operator = app_client.get(f"{URL}/{body['case_id']}", headers=operator_headers).json()
    assert operator["accounts"] == ["C-FAKE-0", "C-FAKE-1", "C-FAKE-2"]
    assert operator["reporter"]["email"] == "maria@home.example"


def _without_case(body: dict[str, Any]) -> dict[str, Any]:
    rest = {k: v for k, v in body.items() if k not in ("case_id", "status_url", "created_at")}
    rest["shipments"] = [
        {k: v for k, v in s.items() if k != "tracking_number"} for s in body["shipments"]
    ]
    return rest


def test_unknown_and_mismatched_numbers_get_the_same_answer(
    engine: Engine, app_client: TestClient
) -> None:
    orders = _brushing_ledger(engine)
    elsewhere = _number_of(orders[-1])  # real, but delivered at 10001
    unknown = number(987_654)
    first = app_client.post(URL, json=report_body([unknown]))
    second = app_client.post(URL, json=report_body([elsewhere]))
    assert first.status_code == second.status_code == 201
    a, b = first.json(), second.json()
    assert a["case_id"] != b["case_id"]
    assert [s["tracking_number"] for s in a["shipments"]] == [unknown]
    assert [s["tracking_number"] for s in b["shipments"]] == [elsewhere]
    assert _without_case(a) == _without_case(b)
    assert a["status"] == "unverified" and a["shipments"][0]["seller"] is None
    assert a["data_source"] is None


def test_the_eleventh_report_within_an_hour_gets_429(
    engine: Engine, app_client: TestClient
) -> None:
    for serial in range(10):
        answer = app_client.post(URL, json=report_body([number(500 + serial)]))
        assert answer.status_code == 201, answer.text
    eleventh = app_client.post(URL, json=report_body([number(600)]))
    assert eleventh.status_code == 429
    assert eleventh.json()["code"] == "rate_limited"
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(UnsolicitedReport)) == 10


def test_mistyped_and_missing_input_is_named_and_nothing_is_stored(
    engine: Engine, app_client: TestClient
) -> None:
    good = number(1)
    typo = good[:-1] + str((int(good[-1]) + 1) % 10)
    answer = app_client.post(
        URL, json=report_body([good, typo, "hello"], postal_code="", country="XX", email="nope")
    )
    assert answer.status_code == 422
    problems = answer.json()["problems"]
    assert any("postal_code" in p for p in problems)
    assert any("country" in p and "'XX'" in p for p in problems)
    assert any(p.startswith("email") for p in problems)
    answer = app_client.post(URL, json=report_body([good, typo, "hello"]))
    problems = answer.json()["problems"]
    assert problems == [
        f"tracking_numbers[1]: '{typo}' looks like a USPS tracking number, but its check digit "
        "is wrong: a character is probably mistyped; please compare it with the label",
        "tracking_numbers[2]: 'hello' is not a tracking number: expected 8 to 40 letters and "
        "digits (for example 1Z… for UPS, RR…DE for a postal parcel, or the digits under the "
        "barcode)",
    ]
    empty = app_client.post(URL, json=report_body([]))
    assert empty.status_code == 422
    assert "at least one tracking number or a photo" in empty.json()["detail"]
    assert (
        app_client.post(
            URL, content=b"{nope", headers={"content-type": "application/json"}
        ).status_code
        == 422
    )
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(Case)) == 0
        assert session.scalar(select(func.count()).select_from(CaseShipment)) == 0


def test_a_report_is_audited(engine: Engine, app_client: TestClient) -> None:
    orders = _brushing_ledger(engine)
    body = app_client.post(URL, json=report_body([_number_of(o) for o in orders[:2]])).json()
    with Session(engine) as session:
        actions = set(
            session.scalars(
                select(AuditEvent.action).where(AuditEvent.subject_id == body["case_id"])
            )
        )
    assert {"unsolicited.report_received", "unsolicited.deliveries_blocked"} <= actions
