"""Importing the real authority files: everything usable is stored by source and id, a second
import changes nothing, a newer publish date makes a new version, a bad file writes nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from shopsafe.db.session import transaction
from shopsafe.feeds import service
from shopsafe.feeds.adapters.base import MalformedFeed
from shopsafe.feeds.models import FeedRecord, FeedRecordVersion
from shopsafe.feeds.schemas import ImportSummary
from tests.support.feeds import CPSC_API, CPSC_CSV, FDA, SAFETY_GATE, as_file, cpsc_records


def run(engine: Engine, source: str, data: bytes) -> ImportSummary:
    with transaction(engine) as session:
        return service.import_feed(session, source=source, data=data)


def count(engine: Engine, model: Any, *where: Any) -> int:
    with Session(engine) as session:
        return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


@pytest.mark.parametrize(
    ("source", "path", "records"),
    [("cpsc", CPSC_API, 899), ("cpsc-csv", CPSC_CSV, 902), ("fda", FDA, 168)],
)
def test_real_file_imports_whole_and_again_unchanged(
    engine: Engine, source: str, path: Path, records: int
) -> None:
    first = run(engine, source, path.read_bytes())
    assert first.line() == f"imported {records}, updated 0, unchanged 0, rejected 0"
    assert first.imported / records >= 0.95
    assert count(engine, FeedRecord, FeedRecord.source == source) == records
    assert count(engine, FeedRecordVersion) == records
    again = run(engine, source, path.read_bytes())
    assert again.line() == f"imported 0, updated 0, unchanged {records}, rejected 0"
    assert count(engine, FeedRecordVersion) == records


def test_stored_record_keeps_what_was_read_and_the_raw_record(engine: Engine) -> None:
    run(engine, "cpsc", as_file(cpsc_records("26350")))
    with Session(engine) as session:
        record = session.scalars(select(FeedRecord)).one()
        raw = session.scalars(select(FeedRecordVersion.raw)).one()
    assert (record.source, record.source_id, record.authority_ref) == (
        "cpsc",
        "26350",
        "cpsc:26350",
    )
    assert (record.brand, record.product_name) == ("MPINOI", "MPINOI Adult Portable Bed Rails")
    assert record.published_at.isoformat() == "2026-03-27T00:00:00+00:00"
    assert record.data["sold_from"] == "2025-12-01" and record.data["units"] == 200
    assert raw == cpsc_records("26350")[0]


def test_newer_publish_date_is_a_new_version_older_is_ignored(engine: Engine) -> None:
    original = cpsc_records("26350", "26349")
    run(engine, "cpsc", as_file(original))
    newer = cpsc_records("26350", "26349")
    newer[0]["LastPublishDate"] = "2026-04-15T00:00:00"
    newer[0]["Products"][0]["NumberOfUnits"] = "About 450"
    summary = run(engine, "cpsc", as_file(newer))
    assert summary.line() == "imported 0, updated 1, unchanged 1, rejected 0"
    with Session(engine) as session:
        record = session.scalars(select(FeedRecord).where(FeedRecord.source_id == "26350")).one()
        versions = session.scalars(
            select(FeedRecordVersion)
            .where(FeedRecordVersion.feed_record_id == record.id)
            .order_by(FeedRecordVersion.version)
        ).all()
    assert record.version == 2 and record.data["units"] == 450
    assert [v.raw["Products"][0]["NumberOfUnits"] for v in versions] == ["About 200", "About 450"]
    stale = cpsc_records("26350")
    stale[0]["LastPublishDate"] = "2026-01-01T00:00:00"
    stale[0]["Title"] = "An older text"
    assert run(engine, "cpsc", as_file(stale)).line() == (
        "imported 0, updated 0, unchanged 1, rejected 0"
    )


def test_safety_gate_file_and_its_reject(engine: Engine) -> None:
    summary = run(engine, "safety-gate", SAFETY_GATE.read_bytes())
    assert summary.line() == "imported 3, updated 0, unchanged 0, rejected 1"
    assert summary.rejects == ["record 4 (A12/00790/26): rejected: no product name, type or brand"]
    with Session(engine) as session:
        record = session.scalars(
            select(FeedRecord).where(FeedRecord.source_id == "A12/00123/26")
        ).one()
    assert record.data["gtins"] == ["04269999000125"] and record.data["lots"] == ["L2405"]
    assert record.authority_ref == "safety-gate:A12/00123/26"


def test_malformed_file_writes_nothing(engine: Engine) -> None:
    records = cpsc_records("26350", "26349", "26348")
    del records[2]["RecallNumber"]
    with pytest.raises(MalformedFeed) as caught, transaction(engine) as session:
        service.import_feed(session, source="cpsc", data=json.dumps(records).encode())
    assert caught.value.problems == ["record 3: RecallNumber is missing; every recall needs its id"]
    truncated = CPSC_API.read_bytes()[:200_000]
    with pytest.raises(MalformedFeed), transaction(engine) as session:
        service.import_feed(session, source="cpsc", data=truncated)
    assert count(engine, FeedRecord) == 0 and count(engine, FeedRecordVersion) == 0
