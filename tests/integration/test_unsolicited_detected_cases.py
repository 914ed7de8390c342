"""Detection cases on a constructed ledger (`unsolicited.detected`): a ring's case is opened
once, found again by its accounts, grows with the ring (a confirmed brushing case takes the
new orders out of the rankings at once), is never reopened once dismissed, and rings decided
before they had a case keep that decision. The pages show where a case came from."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from shopsafe.auth import service as auth_service
from shopsafe.db.session import transaction
from shopsafe.ledger.models import Customer, Order, Review, Seller
from shopsafe.unsolicited import actions, detected
from shopsafe.unsolicited.models import Case, CaseOrder, RankingAdjustment
from tests.support.customer_pages import sign_in
from tests.support.unsolicited import load, parcel, report_body, review

NOW = dt.datetime(2026, 3, 20, 12, tzinfo=dt.UTC)
PASSWORD = "operator password for the tests"


def _ledger(engine: Engine) -> list[dict[str, Any]]:
    """Six parcels of S-BRUSH's fake accounts to six homes (one per account), reviewed."""
    homes = [
        {"line1": f"{n} Oak Road", "postal_code": f"1286{n}", "city": "Saratoga",
         "country": "US", "name": None, "email": None, "line2": None}
        for n in range(6)
    ]  # fmt: skip
    orders = [parcel(n + 1, customer=f"C-FAKE-{n + 1}", ship_to=homes[n]) for n in range(6)]
    load(engine, orders, reviews=[review(n + 1, orders[n]) for n in range(6)])
    return orders


def _ids(session: Session) -> tuple[dict[str, int], dict[str, int], int]:
    orders = {o.external_id: o.id for o in session.scalars(select(Order))}
    accounts = {c.external_id: c.id for c in session.scalars(select(Customer))}
    seller = session.scalars(select(Seller.id).where(Seller.external_id == "S-BRUSH")).one()
    return orders, accounts, seller


def _ring(session: Session, serials: range, **changes: Any) -> detected.DetectedRing:
    orders, accounts, seller = _ids(session)
    fields: dict[str, Any] = {
        "ring_id": 1, "run_id": 1, "kind": "brushing", "score": 23.456,
        "evidence": ["6 orders by 6 accounts for 1 products of 1 seller(s)."],
        "accounts": [accounts[f"C-FAKE-{n}"] for n in serials],
        "orders": [orders[f"U-{n}"] for n in serials], "sellers": [seller],
        "products": 1, "reviews": len(serials),
    }  # fmt: skip
    return detected.DetectedRing(**(fields | changes))


def _active(session: Session, case: Case, subject: str) -> int:
    return int(
        session.scalar(
            select(func.count()).where(
                RankingAdjustment.case_id == case.id,
                RankingAdjustment.subject == subject,
                RankingAdjustment.active.is_(True),
            )
        )
        or 0
    )


def test_a_ring_case_grows_with_the_ring_and_stays_dismissed(engine: Engine) -> None:
    _ledger(engine)
    with transaction(engine) as session:
        case, outcome = detected.open_or_update(
            session, ring=_ring(session, range(1, 5)), taken=set(), now=NOW
        )
        assert outcome == "opened" and case is not None
        number, case_id = case.number, case.id
        assert (case.origin, case.status, case.classification) == ("detection", "open", "brushing")
        assert (case.country, case.postal_key, case.evidence["score"]) == ("US", "", 23.46)
        assert (case.evidence["orders"], case.evidence["accounts"]) == (4, 4)
        actions.confirm(session, number=number, actor="trust@shop.example", now=NOW)
        assert (_active(session, case, "order"), _active(session, case, "review")) == (4, 4)

    # the next run: a new ring row (no link) with two more accounts finds the same case by
    # its accounts, and the confirmed case excludes the new orders and hides their reviews
    with transaction(engine) as session:
        ring = _ring(session, range(1, 7), ring_id=2, run_id=2, kind="dense_block")
        case, outcome = detected.open_or_update(session, ring=ring, taken=set(), now=NOW)
        assert outcome == "updated" and case is not None and case.number == number
        assert case.classification == "brushing" and case.evidence["runs"] == 2
        assert session.scalar(select(func.count()).select_from(CaseOrder)) == 6
        assert (_active(session, case, "order"), _active(session, case, "review")) == (6, 6)
        assert not any(r.verified for r in session.scalars(select(Review)))
        assert case.actions[-1]["action"] == "updated_by_detection"

    # a case taken by another ring in the same run is not handed out twice (rolled back)
    with Session(engine) as session:
        other, outcome = detected.open_or_update(
            session, ring=_ring(session, range(1, 7)), taken={case_id}, now=NOW
        )
        assert outcome == "opened" and other is not None and other.number != number

    with transaction(engine) as session:
        actions.dismiss(session, number=number, actor="trust@shop.example", now=NOW)
    with transaction(engine) as session:
        ring = _ring(session, range(1, 7), ring_id=2, run_id=3, case_id=case_id)
        again, outcome = detected.open_or_update(session, ring=ring, taken=set(), now=NOW)
        assert outcome == "left_dismissed" and again is not None
        assert again.status == "dismissed" and _active(session, again, "order") == 0
        assert all(r.verified for r in session.scalars(select(Review)))
        assert session.scalar(select(func.count()).select_from(Case)) == 1


def test_rings_decided_before_they_had_a_case(engine: Engine) -> None:
    _ledger(engine)
    with transaction(engine) as session:
        ring = _ring(session, range(1, 4), status="dismissed")
        case, outcome = detected.open_or_update(session, ring=ring, taken=set(), now=NOW)
        assert (case, outcome) == (None, "left_dismissed")
        ring = _ring(session, range(4, 7), status="confirmed", decided_by="op@shop.example")
        case, outcome = detected.open_or_update(session, ring=ring, taken=set(), now=NOW)
        assert outcome == "opened" and case is not None
        assert (case.status, case.decided_by) == ("confirmed", "op@shop.example")
        assert _active(session, case, "order") == 3


def test_the_case_list_shows_where_each_case_came_from(
    engine: Engine, app_client: TestClient
) -> None:
    orders = _ledger(engine)
    reported = app_client.post(
        "/api/v1/unsolicited-reports",
        json=report_body([orders[0]["shipments"][0]["tracking_number"]], postal_code="12860"),
    )
    assert reported.status_code == 201, reported.text
    with transaction(engine) as session:
        case, _ = detected.open_or_update(
            session, ring=_ring(session, range(1, 7)), taken=set(), now=NOW
        )
        assert case is not None
        number = case.number
        auth_service.create_account(
            session, email="trust@shop.example", password=PASSWORD, role="operator"
        )
    sign_in(app_client, "trust@shop.example", PASSWORD)
    listing = app_client.get("/operator/cases").text
    assert f'data-origin="detection"><td><a href="/operator/cases/{number}">' in listing
    assert 'data-origin="report"><td><a href="/operator/cases/UP-' in listing
    assert '<td data-testid="case-origin">automatic</td>' in listing
    assert '<td data-testid="case-origin">Report</td>' in listing
    only = app_client.get("/operator/cases", params={"origin": "detection"}).text
    assert number in only and "/operator/cases/UP-" not in only
    german = app_client.get("/operator/cases", params={"lang": "de"}).text
    assert "automatisch" in german and "Meldung" in german

    page = app_client.get(f"/operator/cases/{number}").text
    assert "6 orders by 6 accounts" in page  # the plain-language evidence
    assert "1 Oak Road, 12861 Saratoga, US" in page
    assert "C-FAKE-3" in page and "U-5" in page
    assert 'data-testid="case-origin"' in page and "Reporter" not in page
    assert "maria@home.example" not in page
