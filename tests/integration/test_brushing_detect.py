"""Detection on a ledger imported through the real importer, on SQLite and PostgreSQL:
rings are found, kept, updated on the next run, decided by operators, and printed as
CONTRACT §2 says."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from typer.testing import CliRunner

from shopsafe.audit.models import AuditEvent
from shopsafe.brushing import detection, endpoints, injections, synthetic
from shopsafe.brushing import service as brushing
from shopsafe.brushing.models import DetectionRun, Ring
from shopsafe.cli import app as cli_app
from shopsafe.db.session import transaction
from shopsafe.demo.generator import generate
from shopsafe.ledger import service as ledger
from shopsafe.ledger.importers import parse_objects
from shopsafe.ledger.schemas import OrderIn, ReviewIn, SellerIn
from shopsafe.web import errors

TODAY = dt.date(2026, 3, 31)


@pytest.fixture(scope="module")
def marketplace() -> tuple[list[dict[str, Any]], list[dict[str, Any]], injections.Injection]:
    market = generate(customers=500, orders=2_500, seed=11, today=TODAY)
    injected = injections.inject(market, 11, "d")  # 5 rings of 20 accounts × 2 products
    orders = list(market.iter_orders()) + injected.orders
    reviews = list(market.iter_reviews()) + injected.reviews
    return orders, reviews, injected


def _load(engine: Engine, orders: list[dict[str, Any]], reviews: list[dict[str, Any]]) -> None:
    market = generate(customers=1, orders=0, seed=11, today=TODAY)
    with transaction(engine) as session:
        ledger.upsert_sellers(session, sellers=[SellerIn.model_validate(s) for s in market.sellers])
        ledger.import_orders(session, source=lambda: parse_objects(iter(orders), OrderIn))
        ledger.import_reviews(session, source=lambda: parse_objects(iter(reviews), ReviewIn))


@pytest.fixture
def api(engine: Engine) -> Iterator[TestClient]:
    app = FastAPI()
    app.state.engine = engine
    errors.install(app)
    app.include_router(endpoints.router, prefix="/api/v1")
    with TestClient(app) as client:
        yield client


def _cli(engine: Engine, monkeypatch: pytest.MonkeyPatch, *args: str) -> Any:
    from shopsafe.config import get_settings

    monkeypatch.setenv("SHOPSAFE_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    get_settings.cache_clear()
    try:
        return CliRunner().invoke(cli_app, ["brushing", *args], prog_name="shopsafe")
    finally:
        get_settings.cache_clear()


def test_detect_finds_keeps_and_updates_rings(
    engine: Engine,
    marketplace: tuple[list[dict[str, Any]], list[dict[str, Any]], injections.Injection],
    api: TestClient,
    operator_headers: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    orders, reviews, injected = marketplace
    _load(engine, orders, reviews)

    result = _cli(engine, monkeypatch, "detect", "--json")
    assert result.exit_code == 0, result.output
    printed = json.loads(result.stdout)
    assert list(printed) == ["rings"]
    assert len(printed["rings"]) == 5
    for ring in printed["rings"]:
        assert list(ring) == [
            "id", "score", "kind", "accounts", "orders", "sellers", "addresses", "evidence"
        ]  # fmt: skip
        assert ring["kind"] == "brushing"
        assert len(ring["accounts"]) == 20 and len(ring["orders"]) == 40
        assert set(ring["addresses"][0]) == {"postal_code", "country", "line1"}
        assert all(isinstance(text, str) and text for text in ring["evidence"])
    flagged = {a for ring in printed["rings"] for a in ring["accounts"]}
    assert flagged == injected.accounts
    assert {o for ring in printed["rings"] for o in ring["orders"]} == injected.fraud_orders
    assert {s for ring in printed["rings"] for s in ring["sellers"]} == injected.sellers

    # the same answer from the database path and from the generated records
    frame, catalog = synthetic.build(iter(orders), iter(reviews))
    names = catalog.customers.external()
    direct = {names[int(a)] for r in detection.detect(frame).rings for a in r.accounts}
    assert direct == flagged

    # a second run updates the same rings instead of opening new ones
    with transaction(engine) as session:
        again = brushing.detect(session)
    assert again.opened == 0 and again.updated == 5
    assert sorted(r.id for r in again.rings) == sorted(r["id"] for r in printed["rings"])
    with transaction(engine) as session:
        assert session.scalar(select(func.count()).select_from(Ring)) == 5
        assert session.scalar(select(func.count()).select_from(DetectionRun)) == 2
        actions = set(session.scalars(select(AuditEvent.action)))
    assert {"brushing.detect", "brushing.ring_opened", "brushing.ring_updated"} <= actions

    # operators list, read and decide; a confirmed ring stays confirmed on the next run
    listed = api.get("/api/v1/brushing/rings", headers=operator_headers)
    assert listed.status_code == 200
    assert len(listed.json()["items"]) == 5
    ring_id = printed["rings"][0]["id"]
    one = api.get(f"/api/v1/brushing/rings/{ring_id}", headers=operator_headers).json()
    assert one["status"] == "open" and len(one["reviews"]) >= 30 and one["products"]
    decided = api.post(
        f"/api/v1/brushing/rings/{ring_id}/status",
        json={"status": "confirmed"},
        headers=operator_headers,
    )
    assert decided.status_code == 200 and decided.json()["status"] == "confirmed"
    assert api.get("/api/v1/brushing/rings", headers={}).status_code == 401
    bad = api.post(
        f"/api/v1/brushing/rings/{ring_id}/status", json={"status": "x"}, headers=operator_headers
    )
    assert bad.status_code == 422
    assert api.get("/api/v1/brushing/rings/999999", headers=operator_headers).status_code == 404
    with transaction(engine) as session:
        brushing.detect(session)
        assert brushing.get_ring(session, ring_id).status == "confirmed"

    # --since after the last order: nothing new; a readable table without --json
    late = _cli(engine, monkeypatch, "detect", "--since", "2026-04-01", "--json")
    assert json.loads(late.stdout) == {"rings": []}
    table = _cli(engine, monkeypatch, "detect")
    assert table.exit_code == 0 and "brushing" in table.stdout


def test_detect_rejects_a_bad_date(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    result = _cli(engine, monkeypatch, "detect", "--since", "yesterday")
    assert result.exit_code == 1
    assert "--since" in result.stderr


def test_evaluate_needs_three_seeds() -> None:
    result = CliRunner().invoke(cli_app, ["brushing", "evaluate", "--seeds", "2"])
    assert result.exit_code == 2
