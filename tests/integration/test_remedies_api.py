"""Remedy API: opening cases (and asking again), returns moved by signed carrier events,
refunds booked as balanced ledger entries, replacements and repair kits as orders, refund
after disposal with a checked photo, and bad input that changes nothing."""

from __future__ import annotations

import threading
from decimal import Decimal

from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from shopsafe.auth.schemas import Principal
from shopsafe.db.session import transaction
from shopsafe.ledger.models import Order, OrderLine
from shopsafe.notifications.models import RecallNotice
from shopsafe.remedies import service
from shopsafe.remedies.models import LedgerEntry, Refund, RemedyCase
from tests.support.remedies import (
    Headers,
    Market,
    carrier_event,
    market,
    move,
    open_case,
    png,
    sign,
    snapshot,
)


def _ledger(engine: Engine) -> dict[str, Decimal]:
    with Session(engine) as session:
        rows = session.execute(
            select(LedgerEntry.account, func.sum(LedgerEntry.amount)).group_by(LedgerEntry.account)
        )
        return {account: Decimal(total) for account, total in rows}


def _returned(client: TestClient, m: Market, customer: str, remedy: str) -> dict[str, object]:
    case = open_case(client, m, customer, remedy).json()
    tracking = case["return_shipment"]["tracking_number"]
    assert carrier_event(client, tracking, "picked_up", f"{customer}-1").status_code == 200
    assert carrier_event(client, tracking, "delivered", f"{customer}-2").status_code == 200
    return dict(client.get(f"/api/v1/remedy-cases/{case['id']}", headers=m.operator).json())


def test_opening_a_case_issues_a_label_and_asking_again_returns_the_same_case(
    app_client: TestClient, engine: Engine, operator_headers: Headers
) -> None:
    m = market(app_client, engine, operator_headers)
    first = open_case(app_client, m)
    assert first.status_code == 201, first.text
    case = first.json()
    assert case["recall_id"] == m.recall_id and case["customer_id"] == "C-5000"
    assert case["remedy"] == "refund" and case["state"] == "label_issued"
    assert (case["amount"], case["currency"], case["units"]) == ("59.98", "EUR", 2)
    assert case["label_url"].endswith(f"/api/v1/remedy-cases/{case['id']}/label.pdf")
    assert case["rma"] == f"RMA-{m.recall_id:05d}-{case['id']:06d}"
    again = open_case(app_client, m)
    assert again.status_code == 200 and again.json()["id"] == case["id"]
    other = open_case(app_client, m, remedy="replacement")
    assert other.status_code == 409 and other.json()["code"] == "remedy_already_requested"
    label = app_client.get(f"/api/v1/remedy-cases/{case['id']}/label.pdf", headers=m.operator)
    assert label.headers["content-type"] == "application/pdf" and label.content[:5] == b"%PDF-"
    with Session(engine) as session:
        assert session.scalar(select(func.count(RemedyCase.id))) == 1
        choices = session.scalars(
            select(RecallNotice.remedy_choice).where(RecallNotice.email == "buyer5000@example.de")
        ).all()
    assert choices == ["refund"]


def test_carrier_events_bring_the_return_back_and_the_marketplace_refunds_once(
    app_client: TestClient, engine: Engine, operator_headers: Headers
) -> None:
    m = market(app_client, engine, operator_headers)
    case = open_case(app_client, m).json()
    tracking = case["return_shipment"]["tracking_number"]
    moved = carrier_event(app_client, tracking, "picked_up", "e-1")
    assert moved.json()["outcome"] == "moved" and moved.json()["state"] == "in_transit"
    done = carrier_event(app_client, tracking, "delivered", "e-2").json()
    assert done["state"] == "refunded"
    assert carrier_event(app_client, tracking, "delivered", "e-2").json()["outcome"] == "duplicate"
    assert carrier_event(app_client, tracking, "delivered", "e-3").json()["outcome"] == "unchanged"
    after = app_client.get(f"/api/v1/remedy-cases/{case['id']}", headers=m.seller).json()
    assert [(r["amount"], r["owed"], r["currency"]) for r in after["refunds"]] == [
        ("59.98", "59.98", "EUR")
    ]
    assert after["return_shipment"]["status"] == "delivered"
    assert _ledger(engine) == {
        "marketplace:cash": Decimal("0.00"),
        "customer:C-5000": Decimal("59.98"),
        "seller:S-3": Decimal("-59.98"),
    }
    closed = move(app_client, m.seller, case["id"], "closed", disposition="destroyed")
    assert closed.status_code == 200 and closed.json()["state"] == "closed"
    assert closed.json()["return_shipment"]["disposition"] == "destroyed"
    progress = app_client.get(
        f"/api/v1/recalls/{m.recall_id}/remedy-progress", headers=m.seller
    ).json()
    assert progress["remedies_completed"] == 1 and progress["units_corrected"] == 2
    assert progress["refunds_paid"] == [{"amount": "59.98", "currency": "EUR"}]


def test_a_delivery_scan_without_a_pickup_scan_moves_through_in_transit(
    app_client: TestClient, engine: Engine, operator_headers: Headers
) -> None:
    m = market(app_client, engine, operator_headers)
    case = open_case(app_client, m, remedy="replacement").json()
    answer = carrier_event(app_client, case["return_shipment"]["tracking_number"], "delivered", "x")
    assert answer.json()["state"] == "received"
    assert carrier_event(app_client, "TC99999999999", "delivered", "y").status_code == 404


def test_a_replacement_is_an_order_for_the_customer_in_the_ledger(
    app_client: TestClient, engine: Engine, operator_headers: Headers
) -> None:
    m = market(app_client, engine, operator_headers)
    case = _returned(app_client, m, "C-5001", "replacement")
    assert case["state"] == "received" and case["refunds"] == []
    replaced = move(app_client, m.seller, int(str(case["id"])), "replaced").json()
    assert replaced["state"] == "replaced"
    assert replaced["replacement_order_id"] == f"RPL-{case['rma']}"
    with Session(engine) as session:
        order = session.scalars(
            select(Order).where(Order.external_id == replaced["replacement_order_id"])
        ).one()
        line = session.scalars(select(OrderLine).where(OrderLine.order_id == order.id)).one()
    assert (line.quantity, line.unit_price, line.gtin) == (2, Decimal("0.00"), None)
    assert line.product_name.startswith("Replacement: ")
    assert _ledger(engine) == {}


def test_a_repair_ships_a_kit_or_books_a_return(
    app_client: TestClient, engine: Engine, operator_headers: Headers
) -> None:
    m = market(app_client, engine, operator_headers)
    kit = open_case(app_client, m, "C-5000", "repair").json()
    assert kit["state"] == "requested" and kit["label_url"] is None
    assert set(kit["next_states"]) == {"label_issued", "kit_shipped"}
    shipped = move(app_client, m.seller, kit["id"], "kit_shipped").json()
    assert shipped["replacement_order_id"] == f"KIT-{kit['rma']}"
    assert move(app_client, m.seller, kit["id"], "repaired").json()["state"] == "repaired"
    back = open_case(app_client, m, "C-5001", "repair").json()
    labelled = move(app_client, m.operator, back["id"], "label_issued").json()
    assert labelled["state"] == "label_issued" and labelled["label_url"]


def test_refund_after_disposal_needs_a_photo_and_at_least_the_price_paid(
    app_client: TestClient, engine: Engine, operator_headers: Headers
) -> None:
    m = market(app_client, engine, operator_headers)
    case = open_case(app_client, m, remedy="dispose").json()
    assert case["state"] == "requested" and case["label_url"] is None
    url = f"/api/v1/remedy-cases/{case['id']}/disposal-photo"
    sent = app_client.post(url, content=png(), headers={**m.operator, "Content-Type": "image/png"})
    assert sent.status_code == 200 and sent.json()["state"] == "photo_submitted"
    photo = app_client.get(url, headers=m.seller)
    assert photo.headers["content-type"] == "image/png" and photo.content[:4] == b"\x89PNG"
    before = snapshot(engine)
    low = move(app_client, m.seller, case["id"], "refunded", amount="59.97")
    assert low.status_code == 422 and low.json()["code"] == "refund_below_price_paid"
    assert "less than the 59.98 EUR paid" in low.json()["detail"]
    assert snapshot(engine) == before
    paid = move(app_client, m.seller, case["id"], "refunded", amount="65.00").json()
    assert paid["refunds"][0]["amount"] == "65.00" and paid["refunds"][0]["owed"] == "59.98"
    assert _ledger(engine)["seller:S-3"] == Decimal("-65.00")


def test_a_rejected_photo_can_be_sent_again(
    app_client: TestClient, engine: Engine, operator_headers: Headers
) -> None:
    m = market(app_client, engine, operator_headers)
    case = open_case(app_client, m, remedy="dispose").json()
    url = f"/api/v1/remedy-cases/{case['id']}/disposal-photo"
    headers = {**m.operator, "Content-Type": "image/png"}
    app_client.post(url, content=png(), headers=headers)
    rejected = move(app_client, m.seller, case["id"], "photo_rejected", note="not destroyed")
    assert rejected.json()["state"] == "photo_rejected"
    assert move(app_client, m.seller, case["id"], "refunded").status_code == 409
    assert app_client.post(url, content=png(80), headers=headers).json()["state"] == (
        "photo_submitted"
    )


def test_bad_input_gets_a_clear_error_and_changes_nothing(
    app_client: TestClient, engine: Engine, operator_headers: Headers
) -> None:
    m = market(app_client, engine, operator_headers)
    case = open_case(app_client, m).json()
    dispose = open_case(app_client, m, "C-5001", "dispose").json()
    before = snapshot(engine)
    unknown = move(app_client, m.seller, case["id"], "teleported")
    assert unknown.status_code == 422 and "'teleported' is not a state" in unknown.json()["detail"]
    early = move(app_client, m.seller, case["id"], "refunded")
    assert early.status_code == 409 and early.json()["code"] == "transition_not_allowed"
    assert "cannot go from label_issued to refunded" in early.json()["detail"]
    tracking = case["return_shipment"]["tracking_number"]
    forged = carrier_event(app_client, tracking, "delivered", "f-1", signature=sign(b"x"))
    assert forged.status_code == 401 and forged.json()["code"] == "bad_signature"
    wrong_key = carrier_event(
        app_client, tracking, "delivered", "f-2", signature="sha256=" + "0" * 64
    )
    assert wrong_key.status_code == 401
    body = b'{"carrier": "test", "status": "teleported"}'
    nonsense = app_client.post(
        "/api/v1/carrier-events", content=body, headers={"X-Shopsafe-Signature": sign(body)}
    )
    assert nonsense.status_code == 422
    url = f"/api/v1/remedy-cases/{dispose['id']}/disposal-photo"
    headers = {**m.operator, "Content-Type": "image/png"}
    text = app_client.post(url, content=b"%PDF-1.4 not a photo", headers=headers)
    assert text.status_code == 422 and "not an image" in text.json()["detail"]
    huge = app_client.post(url, content=png()[:100] + b"\0" * (6 * 1024 * 1024), headers=headers)
    assert huge.status_code == 422 and "limit" in huge.json()["detail"]
    assert app_client.post(url, content=b"", headers=headers).status_code == 422
    assert move(app_client, m.seller, case["id"], "label_issued").status_code == 200  # same
    assert open_case(app_client, m, "C-9000").status_code == 422  # bought nothing recalled
    assert open_case(app_client, m, "C-NOBODY").status_code == 404
    assert snapshot(engine) == before


def test_two_workers_refunding_at_once_refund_once(
    app_client: TestClient, engine: Engine, operator_headers: Headers
) -> None:
    m = market(app_client, engine, operator_headers)
    case = open_case(app_client, m, remedy="dispose").json()
    url = f"/api/v1/remedy-cases/{case['id']}/disposal-photo"
    app_client.post(url, content=png(), headers={**m.operator, "Content-Type": "image/png"})
    start, errors = threading.Barrier(3), []

    def refund() -> None:
        start.wait()
        try:
            with transaction(engine) as session:
                service.transition(session, case_id=case["id"], to="refunded",
                                   principal=Principal(role="operator"))  # fmt: skip
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    workers = [threading.Thread(target=refund) for _ in range(3)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert errors == []
    with Session(engine) as session:
        assert session.scalar(select(func.count(Refund.id))) == 1
    assert _ledger(engine)["customer:C-5000"] == Decimal("59.98")


def test_the_progress_report_is_one_row_per_month_in_the_cpsc_shape(
    app_client: TestClient, engine: Engine, operator_headers: Headers
) -> None:
    m = market(app_client, engine, operator_headers)
    _returned(app_client, m, "C-5000", "refund")
    answer = app_client.get(f"/api/v1/recalls/{m.recall_id}/progress-report.csv", headers=m.seller)
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    lines = answer.text.strip().splitlines()
    header = lines[0].split(",")
    assert header[:5] == [
        "recall_id", "recalling_firm", "product", "reporting_period_start", "reporting_period_end"
    ]  # fmt: skip
    row = dict(zip(header, lines[-1].split(","), strict=True))
    assert row["recalling_firm"] == "Bioenrrty GmbH"
    assert row["total_products_affected"] == "6" and row["cumulative_corrections"] == "2"
    assert row["refunded_this_period"] == "2" and row["refunds_paid_this_period"] == "59.98"
    assert row["consumers_contacting_firm_this_period"] == "1"
    assert row["percent_corrected_to_date"] == "33.3"
