"""Recall API: validation, publishing in one transaction, stop-sale, notices, amendments,
seller limits, matching on import."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select, update
from sqlalchemy.orm import Session

from shopsafe.audit.models import AuditEvent
from shopsafe.auth import service as auth_service
from shopsafe.db.session import transaction
from shopsafe.notifications.models import Delivery, RecallNotice
from shopsafe.recalls.models import Recall, RecallMatch, RecallVersion
from tests.factories import order
from tests.support.recalls import recall_body

Headers = dict[str, str]


def unshipped(number: int, **changes: Any) -> dict[str, Any]:
    record = order(number, **changes)
    record["shipments"][0].update(shipped_at=None, delivered_at=None)
    record["shipments"][0]["tracking_number"] = f"1Z999AA1012345{number:04d}"[:18]
    record["shipments"][0]["carrier"] = "UPS"
    return record


def load(client: TestClient, headers: Headers, records: list[dict[str, Any]]) -> None:
    answer = client.post("/api/v1/orders", json=records, headers=headers)
    assert answer.status_code == 200, answer.text


def create(client: TestClient, headers: Headers, **changes: Any) -> dict[str, Any]:
    answer = client.post("/api/v1/recalls", json=recall_body(**changes), headers=headers)
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


def count(engine: Engine, model: Any, *where: Any) -> int:
    with Session(engine) as session:
        return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def seller_headers(engine: Engine, seller: str) -> Headers:
    with transaction(engine) as session:
        token = auth_service.create_token(session, role="seller", seller_external_id=seller)
    return {"Authorization": f"Bearer {token}"}


def test_bad_recall_gets_every_problem_and_nothing_is_written(
    app_client: TestClient, operator_headers: Headers, engine: Engine
) -> None:
    body = recall_body(remedies=["refund", "teleport"], hazard=None)
    body["criteria"] = {
        "gtins": ["04006381333932"],
        "sold_from": "2025-06-01",
        "sold_to": "2025-01-01",
    }
    body["translations"]["de"]["instructions"] = "Vorsorglich nicht mehr benutzen."
    answer = app_client.post("/api/v1/recalls", json=body, headers=operator_headers)
    assert answer.status_code == 422
    problems = answer.json()["problems"]
    assert "remedies[1]: Input should be 'refund', 'replacement', 'repair' or 'dispose'" in problems
    assert "criteria.gtins[0]: GTIN check digit is wrong" in problems
    assert "criteria.sold_to: sold_from 2025-06-01 is after sold_to 2025-01-01" in problems
    assert "hazard: is required for a recall" in problems
    assert (
        "translations.de.instructions: minimises the risk ('vorsorglich'); "
        "say plainly what the danger is" in problems
    )
    assert "remedies: a recall must offer at least two of refund, replacement, repair" in problems
    assert count(engine, Recall) == 0
    assert (
        app_client.post("/api/v1/recalls", content=b"{", headers=operator_headers).status_code
        == 422
    )


def test_publish_matches_holds_stops_sales_and_queues_one_notice_per_person(
    app_client: TestClient, operator_headers: Headers, engine: Engine
) -> None:
    gift = order(3, gift=True)
    gift["ship_to"].update(email="friend@example.org", name="Friend", postal_code="80331")
    business = order(4)
    business["buyer"].update(
        account_type="business", admin_emails=["admin@firm.example", "buyer4@example.de"]
    )
    other = order(5)
    other["lines"][0].update(gtin="4006381333900", sku="OTHER", model="OTHER")
    load(app_client, operator_headers, [order(1), unshipped(2), gift, business, other])

    recall = create(app_client, operator_headers)
    preview = app_client.get(f"/api/v1/recalls/{recall['id']}/preview", headers=operator_headers)
    assert preview.json() == {
        "affected_order_lines": 4,
        "affected_units": 8,
        "affected_customers": 4,
        "recipients": 6,
    }
    assert count(engine, RecallMatch) == 0

    published = app_client.post(f"/api/v1/recalls/{recall['id']}/publish", headers=operator_headers)
    assert published.status_code == 200 and published.json()["status"] == "published"
    again = app_client.post(f"/api/v1/recalls/{recall['id']}/publish", headers=operator_headers)
    assert again.json()["published_at"] == published.json()["published_at"]

    assert count(engine, RecallMatch) == 4
    with Session(engine) as session:
        roles = dict(list(session.execute(select(RecallNotice.email, RecallNotice.role))))
    assert roles == {
        "buyer1@example.de": "buyer",
        "buyer2@example.de": "buyer",
        "buyer3@example.de": "buyer",
        "buyer4@example.de": "buyer",
        "admin@firm.example": "admin",
        "friend@example.org": "gift_recipient",
    }
    assert count(engine, Delivery, Delivery.kind == "notice", Delivery.status == "pending") == 6

    held = app_client.get("/api/v1/orders/A-2", headers=operator_headers).json()
    assert (held["lines"][0]["status"], held["lines"][0]["hold_reason"]) == ("held", "recall")
    assert (held["shipments"][0]["status"], held["shipments"][0]["hold_reason"]) == (
        "held",
        "recall",
    )
    delivered = app_client.get("/api/v1/orders/A-1", headers=operator_headers).json()
    assert delivered["lines"][0]["status"] == "delivered"

    check = app_client.get(
        "/api/v1/listings/check", params={"gtin": "4006381333931"}, headers=operator_headers
    )
    assert check.json() == {
        "sellable": False,
        "recall_ids": [recall["id"]],
        "reasons": ["recalled"],
    }
    fine = app_client.get(
        "/api/v1/listings/check", params={"sku": "OTHER"}, headers=operator_headers
    )
    assert fine.json() == {"sellable": True, "recall_ids": [], "reasons": []}
    affected = app_client.get(
        f"/api/v1/recalls/{recall['id']}/affected", headers=operator_headers
    ).json()
    assert sorted(i["order_id"] for i in affected["items"]) == ["A-1", "A-2", "A-3", "A-4"]
    with Session(engine) as session:
        actions = set(session.scalars(select(AuditEvent.action)))
    assert {"recall.created", "recall.published"} <= actions


def test_orders_imported_after_publishing_are_held_and_notified(
    app_client: TestClient, operator_headers: Headers, engine: Engine
) -> None:
    load(app_client, operator_headers, [order(1)])
    recall = create(app_client, operator_headers)
    app_client.post(f"/api/v1/recalls/{recall['id']}/publish", headers=operator_headers)
    load(app_client, operator_headers, [unshipped(7)])
    later = app_client.get("/api/v1/orders/A-7", headers=operator_headers).json()
    assert later["lines"][0]["hold_reason"] == "recall"
    assert count(engine, RecallNotice, RecallNotice.email == "buyer7@example.de") == 1
    load(app_client, operator_headers, [unshipped(7)])
    assert count(engine, Delivery) == 2


def test_amending_re_matches_with_corrections_and_versions(
    app_client: TestClient, operator_headers: Headers, engine: Engine
) -> None:
    second_lot = order(2)
    second_lot["lines"][0]["lot"] = "L9999"
    load(app_client, operator_headers, [order(1), second_lot, order(3)])
    recall = create(app_client, operator_headers)
    url = f"/api/v1/recalls/{recall['id']}"
    app_client.post(f"{url}/publish", headers=operator_headers)
    with transaction(engine) as session:
        session.execute(update(Delivery).where(Delivery.kind == "notice").values(status="sent"))

    narrowed = {
        **recall["criteria"],
        "lots": ["L2301"],
        "serial_ranges": [{"prefix": "SN", "from": 1002, "to": 1002}],
    }
    answer = app_client.patch(
        url, json={"criteria": narrowed, "note": "only lot L2301"}, headers=operator_headers
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["version"] == 2
    with Session(engine) as session:
        notices = dict(list(session.execute(select(RecallNotice.email, RecallNotice.status))))
        units = set(session.scalars(select(RecallMatch.units).where(RecallMatch.active.is_(True))))
    assert notices["buyer2@example.de"] == "withdrawn"
    assert notices["buyer1@example.de"] == "active"
    assert units == {1}
    assert count(engine, Delivery, Delivery.kind == "correction") == 1

    widened = app_client.patch(url, json={"criteria": recall["criteria"]}, headers=operator_headers)
    assert widened.json()["version"] == 3
    assert count(engine, RecallNotice, RecallNotice.status == "active") == 3
    assert count(engine, Delivery, Delivery.kind == "notice", Delivery.status == "pending") == 1
    assert count(engine, RecallVersion, RecallVersion.recall_id == recall["id"]) == 3
    minimising = app_client.patch(
        url, json={"hazard": "Only in rare cases."}, headers=operator_headers
    )
    assert minimising.status_code == 422


def test_closing_stops_reminders_and_freezes_the_recall(
    app_client: TestClient, operator_headers: Headers, engine: Engine
) -> None:
    load(app_client, operator_headers, [order(1)])
    recall = create(app_client, operator_headers)
    url = f"/api/v1/recalls/{recall['id']}"
    assert app_client.post(f"{url}/close", headers=operator_headers).status_code == 409
    app_client.post(f"{url}/publish", headers=operator_headers)
    with transaction(engine) as session:
        notice = session.scalars(select(RecallNotice)).one()
        session.add(
            Delivery(
                notice_id=notice.id,
                kind="reminder",
                key="r1",
                status="pending",
                due_at=notice.created_at,
                attempts=0,
                created_at=notice.created_at,
            )
        )
    closed = app_client.post(f"{url}/close", headers=operator_headers)
    assert closed.json()["status"] == "closed"
    assert count(engine, Delivery, Delivery.kind == "reminder", Delivery.status == "cancelled") == 1
    assert (
        app_client.patch(
            url, json={"title": "New title here"}, headers=operator_headers
        ).status_code
        == 409
    )
    assert app_client.post(f"{url}/publish", headers=operator_headers).status_code == 409


def test_seller_tokens_act_only_on_their_own_sales(
    app_client: TestClient, operator_headers: Headers, engine: Engine
) -> None:
    mine = order(1)
    theirs = order(2)
    theirs["lines"][0]["seller_id"] = "S-9"
    load(app_client, operator_headers, [mine, theirs])
    seller = seller_headers(engine, "S-3")

    refused = app_client.post("/api/v1/recalls", json=recall_body(seller_id="S-9"), headers=seller)
    assert refused.status_code == 403
    own = create(app_client, seller)
    assert own["seller_id"] == "S-3"
    preview = app_client.get(f"/api/v1/recalls/{own['id']}/preview", headers=seller).json()
    assert preview["affected_order_lines"] == 1
    operator_recall = create(app_client, operator_headers)
    assert (
        app_client.post(
            f"/api/v1/recalls/{operator_recall['id']}/publish", headers=seller
        ).status_code
        == 403
    )
    assert (
        app_client.get(f"/api/v1/recalls/{operator_recall['id']}", headers=seller).status_code
        == 403
    )
    listed = app_client.get("/api/v1/recalls", headers=seller).json()
    assert [r["id"] for r in listed["items"]] == [own["id"]]
    everything = app_client.get("/api/v1/recalls?status=draft", headers=operator_headers).json()
    assert len(everything["items"]) == 2
