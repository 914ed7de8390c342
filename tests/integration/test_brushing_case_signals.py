"""Unsolicited-package reports and confirmed cases reach detection as signals."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine, select

from shopsafe.brushing import repository
from shopsafe.db.session import transaction
from shopsafe.ledger import service
from shopsafe.ledger.importers import parse_objects
from shopsafe.ledger.models import Order
from shopsafe.ledger.schemas import OrderIn
from shopsafe.unsolicited.models import Case, CaseShipment
from tests.factories import order

NOW = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)


def _case(status: str, number: str) -> Case:
    return Case(
        number=number, access_salt="s", status=status, classification="brushing",
        country="DE", postal_key="10115", language="de", created_at=NOW, updated_at=NOW,
    )  # fmt: skip


def test_reports_and_confirmed_cases_are_read(engine: Engine) -> None:
    records = [order(7001), order(7002)]
    with transaction(engine) as session:
        service.import_orders(session, source=lambda: parse_objects(iter(records), OrderIn))
    with transaction(engine) as session:
        placed = {o.external_id: o for o in session.scalars(select(Order))}
        first, second = placed["A-7001"], placed["A-7002"]
        for status, number, row in (("confirmed", "U-1", first), ("dismissed", "U-2", second)):
            case = _case(status, number)
            session.add(case)
            session.flush()
            session.add(
                CaseShipment(
                    case_id=case.id, tracking_number="JJD1", tracking_key="JJD1", found=True,
                    order_id=row.id, customer_id=row.customer_id,
                    address_id=row.ship_to_address_id, classification="brushing", reasons=[],
                )
            )  # fmt: skip
    with transaction(engine) as session:
        frame = repository.load_frame(session)
    assert frame.size == 2
    assert frame.reported_address.tolist() == [first.ship_to_address_id]  # dismissed: no
    assert frame.confirmed_customer.tolist() == [first.customer_id]
    assert frame.confirmed_address.tolist() == [first.ship_to_address_id]
    assert set(frame.customer.tolist()) == {first.customer_id, second.customer_id}
    assert frame.placed.min() == int(dt.datetime(2025, 3, 1, 10, 22, tzinfo=dt.UTC).timestamp())
