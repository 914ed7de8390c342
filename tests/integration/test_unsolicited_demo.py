"""The demo's story: a hundred parcels of fake accounts to one home, reportable."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from shopsafe.db.session import transaction
from shopsafe.ledger.models import Address, Order, Review
from shopsafe.unsolicited import demo_story

TODAY = dt.date(2026, 3, 31)


def test_the_demo_story_can_be_reported_by_number_and_by_photo(
    engine: Engine, app_client: TestClient, tmp_path: Path
) -> None:
    with transaction(engine) as session:
        story = demo_story.add_to_demo(session, today=TODAY)
    assert story == demo_story.story()
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(Order)) == 100
        assert session.scalar(select(func.count()).select_from(Address)) == 1
        assert session.scalar(select(func.count()).select_from(Review)) > 40
    label = demo_story.write_label(tmp_path / "label.jpg")
    answer = app_client.post(
        "/api/v1/unsolicited-reports",
        data={
            "postal_code": "12866",
            "country": "US",
            "tracking_numbers": story.tracking_numbers[1],
        },
        files=[("photos", ("label.jpg", label.read_bytes(), "image/jpeg"))],
    )
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert [s["found"] for s in body["shipments"]] == [True, True]
    assert body["classification"] == "brushing"
    assert body["shipments"][0]["seller"]["name"] == "Brightwave Gadgets Ltd."
    assert "24 accounts" in body["data_source"]
    text = "\n".join(story.lines())
    assert "12866" in text and story.tracking_numbers[0] in text
