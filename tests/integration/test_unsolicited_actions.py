"""What a verified report does: blocks, holds (also on later imports), operator decisions,
ranking adjustments made and reversed, audit events and e-mail updates."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from shopsafe.audit.models import AuditEvent
from shopsafe.ledger.models import Review
from shopsafe.unsolicited.models import CaseMessage, DeliveryBlock
from tests.support.unsolicited import ELSEWHERE, load, parcel, report_body, review

URL = "/api/v1/unsolicited-reports"


def _ledger(engine: Engine) -> list[dict[str, Any]]:
    """Four fake accounts of S-BRUSH, one with a parcel still waiting for the carrier; a
    real customer of S-BRUSH elsewhere; reviews on three of the fake orders."""
    orders = [parcel(n, customer=f"C-FAKE-{n}") for n in range(1, 4)]
    orders.append(parcel(4, customer="C-FAKE-4", shipped=False))
    orders.append(parcel(5, customer="C-REAL", ship_to=ELSEWHERE, gift=False, shipped=False))
    real_review = review(5, orders[4])
    load(engine, orders, reviews=[review(n, orders[n]) for n in range(3)] + [real_review])
    return orders


def _report(client: TestClient, order: dict[str, Any]) -> dict[str, Any]:
    answer = client.post(URL, json=report_body([order["shipments"][0]["tracking_number"]]))
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


def _shipment(client: TestClient, headers: dict[str, str], order_id: str) -> dict[str, Any]:
    answer = client.get(f"/api/v1/orders/{order_id}", headers=headers)
    assert answer.status_code == 200, answer.text
    return dict(answer.json()["shipments"][0])


def _import(client: TestClient, headers: dict[str, str], *orders: dict[str, Any]) -> None:
    answer = client.post("/api/v1/orders", json=list(orders), headers=headers)
    assert answer.status_code == 200, answer.text


def test_verification_holds_what_has_not_left_and_new_imports(
    engine: Engine, app_client: TestClient, operator_headers: dict[str, str]
) -> None:
    orders = _ledger(engine)
    case = _report(app_client, orders[0])
    pending = _shipment(app_client, operator_headers, "U-4")
    assert (pending["status"], pending["hold_reason"]) == ("held", "unsolicited_report")
    assert _shipment(app_client, operator_headers, "U-1")["status"] == "delivered"
    assert _shipment(app_client, operator_headers, "U-5")["status"] == "open"  # elsewhere
    _import(
        app_client,
        operator_headers,
        parcel(10, customer="C-NEW", shipped=False),  # the seller, a new account
        parcel(11, customer="C-FAKE-2", seller="S-HONEST", sku="K", shipped=False),  # account
        parcel(12, customer="C-NEW2", seller="S-HONEST", sku="K", shipped=False),  # neither
        parcel(13, customer="C-NEW3", ship_to=ELSEWHERE, shipped=False),  # other address
    )
    held = {n: _shipment(app_client, operator_headers, f"U-{n}") for n in (10, 11, 12, 13)}
    assert {n: (s["status"], s["hold_reason"]) for n, s in held.items()} == {
        10: ("held", "unsolicited_report"),
        11: ("held", "unsolicited_report"),
        12: ("open", None),
        13: ("open", None),
    }
    lines = app_client.get("/api/v1/orders/U-10", headers=operator_headers).json()["lines"]
    assert lines[0]["status"] == "held"
    with Session(engine) as session:
        blocks = session.scalars(select(DeliveryBlock)).all()
        accounts = {b.customer_id for b in blocks if b.customer_id}
        assert len([b for b in blocks if b.seller_id]) == 1
        assert len(accounts) == 4  # the reported account and the three other fake ones
    lifted = app_client.post(f"{URL}/{case['case_id']}/lift-blocks", headers=operator_headers)
    assert lifted.status_code == 200
    assert {b["status"] for b in lifted.json()["blocks"]} == {"lifted"}
    assert _shipment(app_client, operator_headers, "U-10")["status"] == "open"
    assert _shipment(app_client, operator_headers, "U-4")["status"] == "open"
    _import(app_client, operator_headers, parcel(14, customer="C-NEW4", shipped=False))
    assert _shipment(app_client, operator_headers, "U-14")["status"] == "open"


def _adjustments(client: TestClient, headers: dict[str, str], **params: str) -> list[Any]:
    answer = client.get("/api/v1/ranking-adjustments", headers=headers, params=params)
    assert answer.status_code == 200, answer.text
    return list(answer.json()["items"])


def _verified(engine: Engine) -> dict[str, bool]:
    with Session(engine) as session:
        return {r.external_id: r.verified for r in session.scalars(select(Review))}


def test_confirmed_brushing_leaves_the_rankings_and_dismissal_reverses_it(
    engine: Engine, app_client: TestClient, operator_headers: dict[str, str]
) -> None:
    orders = _ledger(engine)
    case = _report(app_client, orders[1])["case_id"]
    assert _adjustments(app_client, operator_headers) == []
    confirmed = app_client.post(f"{URL}/{case}/confirm", headers=operator_headers, json={})
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["status"] == "confirmed"
    items = _adjustments(app_client, operator_headers)
    excluded = {(i["subject"], i["order_id"], i["review_id"]) for i in items if i["excluded"]}
    assert excluded == {
        ("order", "U-1", None), ("order", "U-2", None), ("order", "U-3", None),
        ("order", "U-4", None), ("review", "U-1", "R-0"), ("review", "U-2", "R-1"),
        ("review", "U-3", "R-2"),
    }  # fmt: skip
    assert {i["case_id"] for i in items} == {case}
    assert _verified(engine) == {"R-0": False, "R-1": False, "R-2": False, "R-5": True}
    assert (
        app_client.get(f"{URL}/{case}", headers=operator_headers).json()["ranking_adjustments"] == 7
    )
    again = app_client.post(f"{URL}/{case}/confirm", headers=operator_headers)
    assert again.status_code == 200 and len(_adjustments(app_client, operator_headers)) == 7
    since = items[-1]["changed_at"]
    dismissed = app_client.post(
        f"{URL}/{case}/dismiss", headers=operator_headers, json={"note": "x"}
    )
    assert dismissed.status_code == 200 and dismissed.json()["status"] == "dismissed"
    later = _adjustments(app_client, operator_headers, since=since)
    assert len(later) == 7 and not any(i["excluded"] for i in later)
    assert all(i["reversed_at"] for i in later)
    assert _verified(engine) == {"R-0": True, "R-1": True, "R-2": True, "R-5": True}
    assert _shipment(app_client, operator_headers, "U-4")["status"] == "open"
    with Session(engine) as session:
        audited = list(
            session.scalars(
                select(AuditEvent.action)
                .where(AuditEvent.subject_id == case)
                .order_by(AuditEvent.id)
            )
        )
    assert audited == [
        "unsolicited.deliveries_blocked",
        "unsolicited.report_received",
        "unsolicited.case_confirmed",
        "unsolicited.case_confirmed",
        "unsolicited.case_dismissed",
    ]


def test_decisions_need_an_operator_and_a_verified_case(
    engine: Engine, app_client: TestClient, operator_headers: dict[str, str]
) -> None:
    orders = _ledger(engine)
    case = _report(app_client, orders[0])["case_id"]
    assert app_client.post(f"{URL}/{case}/confirm").status_code == 401
    assert app_client.get("/api/v1/ranking-adjustments").status_code == 401
    assert app_client.post(f"{URL}/UP-NOPE/confirm", headers=operator_headers).status_code == 404
    lonely = app_client.post(URL, json=report_body(["1Z999AA10123456784"])).json()["case_id"]
    refused = app_client.post(f"{URL}/{lonely}/confirm", headers=operator_headers)
    assert refused.status_code == 409 and "unverified" in refused.json()["detail"]
    suspended = app_client.post(f"{URL}/{case}/suspend-seller", headers=operator_headers)
    assert suspended.status_code == 200 and suspended.json()["seller_suspended"] is True
    listed = app_client.get(URL, headers=operator_headers, params={"status": "open"}).json()
    assert [c["case_id"] for c in listed["items"]] == [case]
    assert listed["items"][0]["seller_name"] == "Brightwave Gadgets Ltd."


def test_the_reporter_gets_e_mail_updates(
    engine: Engine, app_client: TestClient, operator_headers: dict[str, str], tmp_path: Any
) -> None:
    from shopsafe.kit.clock import now
    from shopsafe.notifications.transport import OutboxTransport
    from shopsafe.unsolicited import tasks

    orders = _ledger(engine)
    case = _report(app_client, orders[0])["case_id"]
    app_client.post(f"{URL}/{case}/confirm", headers=operator_headers)
    sent = tasks.deliver_due(
        engine,
        transport=OutboxTransport(tmp_path),
        mail_from="Shopsafe <safety@shop.example>",
        base_url="https://shop.example",
        now=now(),
    )
    assert sent == 2
    with Session(engine) as session:
        messages = session.scalars(select(CaseMessage).order_by(CaseMessage.id)).all()
        assert [(m.kind, m.status, m.email) for m in messages] == [
            ("received", "sent", "maria@home.example"),
            ("confirmed", "sent", "maria@home.example"),
        ]
    files = sorted(tmp_path.glob("*.eml"))
    assert len(files) == 2
    text = files[0].read_bytes().decode()
    assert f"https://shop.example/unsolicited/cases/{case}/" in text
    assert "Subject: Your report" in "".join(f.read_text() for f in files)


def test_the_worker_sends_the_reporter_s_updates(
    engine: Engine, app_client: TestClient, operator_headers: dict[str, str], tmp_path: Any
) -> None:
    from tests.support.delivery import run_worker, worker_settings

    orders = _ledger(engine)
    case = _report(app_client, orders[0])["case_id"]
    app_client.post(f"{URL}/{case}/confirm", headers=operator_headers)
    run_worker(engine, worker_settings(tmp_path, None))
    with Session(engine) as session:
        statuses = session.execute(select(CaseMessage.kind, CaseMessage.status)).all()
    assert sorted(statuses) == [("confirmed", "sent"), ("received", "sent")]
    written = "".join(f.read_text() for f in (tmp_path / "outbox").glob("*.eml"))
    assert f"http://testserver/unsolicited/cases/{case}/" in written
