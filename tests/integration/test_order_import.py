"""Order import (CONTRACT §4): all-or-nothing, every bad line named, idempotent, updates."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from shopsafe.db.session import transaction
from shopsafe.ledger import models
from shopsafe.ledger import service as ledger
from shopsafe.ledger.importers import parse_objects
from shopsafe.ledger.schemas import OrderIn
from tests.factories import order, write_jsonl

LEDGER_TABLES = [
    models.Customer,
    models.Address,
    models.Seller,
    models.Product,
    models.Order,
    models.OrderLine,
    models.OrderLineSerial,
    models.Shipment,
    models.ShipmentLine,
]


def counts(engine: Engine) -> dict[str, int]:
    with Session(engine) as session:
        return {
            m.__tablename__: session.scalar(select(func.count()).select_from(m)) or 0
            for m in LEDGER_TABLES
        }


def run_cli(
    database_url: str, *args: str, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SHOPSAFE_DATABASE_URL": database_url}
    return subprocess.run(
        [sys.executable, "-m", "shopsafe", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def import_records(engine: Engine, records: list[dict[str, object]]) -> ledger.OrderImportSummary:
    with transaction(engine) as session:
        return ledger.import_orders(session, source=lambda: parse_objects(records, OrderIn))


def test_bad_file_exits_1_names_every_bad_line_and_writes_nothing(
    engine: Engine, database_url: str, tmp_path: Path
) -> None:
    import_records(engine, [order(1)])
    before = counts(engine)
    bad_gtin = order(2)
    bad_gtin["lines"][0]["gtin"] = "04006381333932"
    missing = order(4)
    del missing["buyer"]["email"]
    path = tmp_path / "orders.jsonl"
    text = (
        json.dumps(order(3))
        + "\n"
        + json.dumps(bad_gtin)
        + "\n"
        + json.dumps(order(5))
        + "\n"
        + '{"order_id": "A-9", "placed_at": \n'
        + json.dumps(missing)
        + "\n"
    )
    path.write_text(text)

    result = run_cli(
        engine.url.render_as_string(hide_password=False), "import", "orders", str(path)
    )

    assert result.returncode == 1
    problems = result.stderr.strip().splitlines()
    assert problems == [
        "line 2: lines[0].gtin: GTIN check digit is wrong",
        "line 4: json: Expecting value at column 33",
        "line 5: buyer.email: is required",
    ]
    assert result.stdout == ""
    assert counts(engine) == before


def test_stdin_import_prints_the_contract_summary(engine: Engine) -> None:
    text = json.dumps(order(1)) + "\n\n" + json.dumps(order(2)) + "\n"
    result = run_cli(
        engine.url.render_as_string(hide_password=False), "import", "orders", "-", stdin=text
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "imported 2 orders, 2 lines"
    assert counts(engine)["orders"] == 2


def test_reimport_changes_nothing(engine: Engine) -> None:
    records = [order(n) for n in range(1, 6)]
    import_records(engine, records)
    with Session(engine) as session:
        stamps = {
            external: stamp
            for external, stamp in session.execute(
                select(models.Order.external_id, models.Order.imported_at)
            )
        }
    before = counts(engine)

    summary = import_records(engine, records)

    assert (summary.orders, summary.created, summary.updated, summary.unchanged) == (5, 0, 0, 5)
    assert counts(engine) == before
    with Session(engine) as session:
        after = {
            external: stamp
            for external, stamp in session.execute(
                select(models.Order.external_id, models.Order.imported_at)
            )
        }
    assert after == stamps


def test_changed_order_is_updated_in_place_and_keeps_its_holds(engine: Engine) -> None:
    first = order(
        1, shipments=[{**order(1)["shipments"][0], "shipped_at": None, "delivered_at": None}]
    )
    import_records(engine, [first])
    with transaction(engine) as session:
        line = session.scalars(select(models.OrderLine)).one()
        line.hold_reason, line.status = "recall", "held"
        line_pk = line.id

    changed = order(1)
    changed["lines"][0]["quantity"] = 3
    changed["lines"][0]["serials"] = ["SN1001", "SN1002", "SN1003"]
    changed["lines"].append(
        {
            **changed["lines"][0],
            "line_id": "2",
            "sku": "OTHER-1",
            "gtin": None,
            "serials": [],
            "quantity": 1,
        }
    )
    changed["shipments"] = []
    summary = import_records(engine, [changed])

    assert (summary.created, summary.updated) == (0, 1)
    with Session(engine) as session:
        lines = {line.line_id: line for line in session.scalars(select(models.OrderLine))}
        assert lines["1"].id == line_pk
        assert lines["1"].quantity == 3
        assert (lines["1"].status, lines["1"].hold_reason) == ("held", "recall")
        assert lines["2"].status == "open"
        serials = session.scalars(
            select(models.OrderLineSerial.serial).where(
                models.OrderLineSerial.order_line_id == line_pk
            )
        ).all()
        assert sorted(serials) == ["SN1001", "SN1002", "SN1003"]
        assert session.scalar(select(func.count()).select_from(models.Shipment)) == 0


def test_import_stores_normalised_keys_and_statuses(engine: Engine) -> None:
    gift = order(7, gift=True)
    gift["ship_to"] = {
        **gift["ship_to"],
        "name": "Paul Gast",
        "email": "paul@example.de",
        "postal_code": "80331",
        "city": "München",
    }
    gift["lines"][0]["gtin"] = "4006381333931"
    gift["lines"][0]["model"] = "br 200"
    gift["lines"].append({**gift["lines"][0], "line_id": "2", "sku": "BR-300", "serials": []})
    import_records(engine, [gift])
    with Session(engine) as session:
        placed = session.scalars(select(models.Order)).one()
        assert placed.gift and placed.ship_to_email == "paul@example.de"
        line1, line2 = session.scalars(
            select(models.OrderLine).order_by(models.OrderLine.line_id)
        ).all()
        assert line1.gtin == "04006381333931"
        assert (line1.brand_key, line1.model_key, line1.lot_key) == ("MPINOI", "BR200", "L2301")
        assert line1.status == "delivered"
        assert line2.status == "open"
        serial = session.scalars(select(models.OrderLineSerial)).first()
        assert serial is not None and (serial.prefix, serial.number) == ("SN", 1001)
        assert session.scalar(select(func.count()).select_from(models.Product)) == 2


def test_same_order_twice_in_one_file_is_refused(engine: Engine) -> None:
    problems = ledger.check_orders(parse_objects([order(1), order(2), order(1)], OrderIn))
    assert problems == ["line 3: order_id: 'A-1' already given on line 1"]


def test_line_rules_are_reported_per_field(engine: Engine) -> None:
    record = order(1)
    record["lines"][0].update({"gtin": None, "sku": None, "model": None})
    record["shipments"][0]["line_ids"] = ["1", "9"]
    record["ship_to"]["country"] = "Germany"
    problems = ledger.check_orders(parse_objects([record], OrderIn))
    assert problems == [
        "line 1: ship_to.country: 'Germany' is not an ISO 3166 alpha-2 country code",
        "line 1: lines[0]: a line needs at least one of gtin, sku, model",
    ]
    record = order(2)
    record["shipments"][0]["line_ids"] = ["1", "9"]
    record["ship_to"]["country"] = "Germany"
    problems = ledger.check_orders(parse_objects([record], OrderIn))
    assert problems == [
        "line 1: ship_to.country: 'Germany' is not an ISO 3166 alpha-2 country code",
        "line 1: shipments: shipment 00340434161094042557 names unknown line_id 9",
    ]


def test_reviews_import_checks_references_and_is_idempotent(engine: Engine, tmp_path: Path) -> None:
    import_records(engine, [order(1)])
    good = {
        "review_id": "R-1",
        "order_id": "A-1",
        "line_id": "1",
        "customer_id": "C-1",
        "rating": 5,
        "created_at": "2025-03-10T00:00:00Z",
        "verified": True,
        "text": "Great",
    }
    bad = [
        {**good, "review_id": "R-2", "order_id": "A-404"},
        {**good, "review_id": "R-3", "line_id": "7"},
        {**good, "review_id": "R-4", "rating": 6},
    ]
    url = engine.url.render_as_string(hide_password=False)

    result = run_cli(
        url, "import", "reviews", str(write_jsonl(tmp_path / "bad.jsonl", [good, *bad]))
    )
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "line 4: rating: Input should be less than or equal to 5",
        "line 2: order_id: unknown order 'A-404'",
        "line 3: line_id: order 'A-1' has no line '7'",
    ]
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(models.Review)) == 0

    path = write_jsonl(tmp_path / "good.jsonl", [good])
    assert run_cli(url, "import", "reviews", str(path)).stdout.strip() == "imported 1 reviews"
    write_jsonl(path, [{**good, "rating": 4}])
    assert run_cli(url, "import", "reviews", str(path)).returncode == 0
    with Session(engine) as session:
        review = session.scalars(select(models.Review)).one()
        assert (review.rating, review.verified) == (4, True)
