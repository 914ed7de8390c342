"""A recall can reach hundreds of thousands of people: the notice queries split what they
bind, so that no statement passes the drivers' limits (65,535 parameters on PostgreSQL,
32,766 on SQLite)."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from shopsafe.notifications import repository as repo
from shopsafe.notifications.models import Delivery, RecallNotice
from tests.factories import order
from tests.support.delivery import Headers, load, publish

MANY = 70_000


def test_notice_queries_bind_more_values_than_one_statement_can_take(
    app_client: TestClient, operator_headers: Headers, engine: Engine
) -> None:
    load(app_client, operator_headers, [order(1), order(2)])
    publish(app_client, operator_headers)
    with Session(engine) as session:
        keys = list(session.scalars(select(Delivery.key)))
        notice_ids = list(session.scalars(select(RecallNotice.id)))
        wanted = [f"recall:9:notice:{n}" for n in range(MANY)] + keys
        assert repo.existing_delivery_keys(session, wanted) == set(keys)
        many_ids = list(range(10_000, 10_000 + MANY)) + notice_ids
        assert repo.notified_ids(session, many_ids) == set()
        repo.cancel_for_notices(session, many_ids, ["notice"])
        repo.set_notice_status(session, many_ids, {"status": "withdrawn"})
        states = set(session.scalars(select(RecallNotice.status)))
        cancelled = set(session.scalars(select(Delivery.status)))
        session.rollback()
    assert states == {"withdrawn"} and cancelled == {"cancelled"}
    assert repo.chunks(range(12), 5) == [[0, 1, 2, 3, 4], [5, 6, 7, 8, 9], [10, 11]]
