"""The operator's review queue over the API: who may see it, what it shows, decisions that
are remembered and never asked again, drafts refused by the notice rules."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from shopsafe.audit.models import AuditEvent
from shopsafe.auth import service as auth_service
from shopsafe.db.session import transaction
from shopsafe.feeds import service
from shopsafe.recalls.models import Recall
from tests.support.feeds import as_file, cpsc_records, load_offers, offer

Headers = dict[str, str]
BED_RAIL = offer("1", sku="MP-BR", name="MPINOI portable bed rail for adults", brand="MPINOI")
OTHER_SELLER = offer("1", seller="S-9", sku="MP-7", name="MPINOI adult portable bed rails",
                     brand="MPINOI")  # fmt: skip


def import_bed_rails(engine: Engine, **changes: str) -> None:
    record = cpsc_records("26350")
    record[0].update(changes)
    with transaction(engine) as session:
        service.import_feed(session, source="cpsc", data=as_file(record))


def queue(client: TestClient, headers: Headers) -> dict[str, dict[str, object]]:
    answer = client.get("/api/v1/feeds/review", headers=headers)
    assert answer.status_code == 200, answer.text
    return {item["offer"]["sku"]: item for item in answer.json()["items"]}


def recalls(engine: Engine) -> int:
    with Session(engine) as session:
        return int(session.scalar(select(func.count()).select_from(Recall)) or 0)


def test_only_operators_see_the_queue(
    app_client: TestClient, operator_headers: Headers, engine: Engine
) -> None:
    load_offers(engine, [BED_RAIL])
    assert app_client.get("/api/v1/feeds/review").status_code == 401
    with transaction(engine) as session:
        token = auth_service.create_token(session, role="seller", seller_external_id="S-3")
    seller = {"Authorization": f"Bearer {token}"}
    assert app_client.get("/api/v1/feeds/review", headers=seller).status_code == 403
    assert app_client.post("/api/v1/feeds/matches/1/approve", headers=seller).status_code == 403
    assert app_client.get("/api/v1/feeds/review", headers=operator_headers).json()["pending"] == 0


def test_queue_shows_record_and_offer_side_by_side(
    app_client: TestClient, operator_headers: Headers, engine: Engine
) -> None:
    load_offers(engine, [BED_RAIL])
    import_bed_rails(engine)
    item = queue(app_client, operator_headers)["MP-BR"]
    assert (item["band"], item["decision"], item["method"]) == ("review", "pending", "name")
    record, shown = item["record"], item["offer"]
    assert isinstance(record, dict) and isinstance(shown, dict)
    assert record["source"] == "cpsc" and record["source_id"] == "26350"
    assert record["title"].startswith("MPINOI Adult Portable Bed Rails Recalled")
    assert record["sold_from"] == "2025-12-01" and record["units"] == 200
    assert shown["name"] == "MPINOI portable bed rail for adults" and shown["seller_id"] == "S-3"
    assert "brand MPINOI named in the record" in item["evidence"]  # type: ignore[operator]
    one = app_client.get(f"/api/v1/feeds/matches/{item['id']}", headers=operator_headers)
    assert one.status_code == 200 and one.json()["id"] == item["id"]
    assert (
        app_client.get("/api/v1/feeds/matches/999999", headers=operator_headers).status_code == 404
    )
    records = app_client.get("/api/v1/feeds/records?source=cpsc", headers=operator_headers)
    assert [r["source_id"] for r in records.json()["items"]] == ["26350"]
    bad = app_client.get("/api/v1/feeds/records?source=rss", headers=operator_headers)
    assert bad.status_code == 422 and "source: 'rss' is not one of" in bad.json()["detail"]


def test_decisions_are_remembered_and_not_asked_again(
    app_client: TestClient, operator_headers: Headers, engine: Engine
) -> None:
    load_offers(engine, [BED_RAIL, OTHER_SELLER])
    import_bed_rails(engine)
    items = queue(app_client, operator_headers)
    assert set(items) == {"MP-BR", "MP-7"}
    rejected = app_client.post(
        f"/api/v1/feeds/matches/{items['MP-BR']['id']}/reject",
        json={"note": "a different rail"},
        headers=operator_headers,
    )
    assert rejected.status_code == 200 and rejected.json()["decision"] == "rejected"
    assert rejected.json()["decided_by"] == "operator"
    again = app_client.post(
        f"/api/v1/feeds/matches/{items['MP-BR']['id']}/approve", headers=operator_headers
    )
    assert again.status_code == 409 and again.json()["code"] == "already_decided"
    # the authority publishes a new version, and the catalogue is matched again
    import_bed_rails(engine, LastPublishDate="2026-04-20T00:00:00", Title="MPINOI rails, updated")
    with transaction(engine) as session:
        service.rematch_all(session)
    assert set(queue(app_client, operator_headers)) == {"MP-7"}
    with Session(engine) as session:
        events = session.scalars(
            select(AuditEvent.action).where(AuditEvent.action.like("feeds.match.%"))
        ).all()
    assert events == ["feeds.match.rejected"]


def test_a_draft_the_notice_rules_refuse_is_approved_with_edits(
    app_client: TestClient, operator_headers: Headers, engine: Engine
) -> None:
    load_offers(engine, [BED_RAIL])
    import_bed_rails(engine)
    match_id = queue(app_client, operator_headers)["MP-BR"]["id"]
    url = f"/api/v1/feeds/matches/{match_id}/approve"
    refused = app_client.post(url, headers=operator_headers)
    assert refused.status_code == 422
    assert (
        "remedies: a recall must offer at least two of refund, replacement, repair"
        in (refused.json()["problems"])
    )
    assert recalls(engine) == 0 and "MP-BR" in queue(app_client, operator_headers)
    bad_edit = app_client.post(url, json={"recall": {"colour": "red"}}, headers=operator_headers)
    assert bad_edit.status_code == 422
    edited = app_client.post(
        url,
        json={"recall": {"remedies": ["refund", "replacement"]}, "note": "seller confirmed"},
        headers=operator_headers,
    )
    assert edited.status_code == 200, edited.text
    body = edited.json()
    assert body["decision"] == "approved" and body["note"] == "seller confirmed"
    recall = app_client.get(f"/api/v1/recalls/{body['recall_id']}", headers=operator_headers)
    assert recall.json()["status"] == "draft"
    assert recall.json()["remedies"] == ["refund", "replacement"]
    assert recall.json()["criteria"]["skus"] == ["MP-BR"]  # the offer has neither GTIN nor model
    assert queue(app_client, operator_headers) == {}
    same = app_client.post(url, headers=operator_headers)
    assert same.status_code == 200 and same.json()["recall_id"] == body["recall_id"]
    late = app_client.post(f"/api/v1/feeds/matches/{match_id}/reject", headers=operator_headers)
    assert late.status_code == 409 and recalls(engine) == 1
