"""`/operator/feeds`: signed-in operators only; record and offer side by side; approve (with
the remedies the notice rules ask for) and reject through forms with their CSRF token."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from shopsafe.auth import service as auth_service
from shopsafe.db.session import transaction
from shopsafe.feeds import service
from shopsafe.feeds.models import CatalogMatch
from shopsafe.recalls.models import Recall
from tests.support.customer_pages import PASSWORD, csrf_of, make_account, sign_in
from tests.support.feeds import as_file, cpsc_records, load_offers, offer

PAGE = "/operator/feeds"


@pytest.fixture
def pairs(engine: Engine) -> list[int]:
    """Two offers that wait for review against the real MPINOI bed rail recall."""
    load_offers(
        engine,
        [
            offer("1", sku="MP-BR", name="MPINOI portable bed rail for adults", brand="MPINOI"),
            offer("1", seller="S-9", sku="MP-7", name="MPINOI adult bed rails", brand="MPINOI"),
        ],
    )
    with transaction(engine) as session:
        service.import_feed(session, source="cpsc", data=as_file(cpsc_records("26350")))
    with Session(engine) as session:
        return list(session.scalars(select(CatalogMatch.id).order_by(CatalogMatch.id)))


@pytest.fixture
def operator(app_client: TestClient, engine: Engine) -> TestClient:
    with transaction(engine) as session:
        auth_service.create_account(
            session, email="ops@example.com", password=PASSWORD, role="operator"
        )
    assert sign_in(app_client, "ops@example.com").status_code == 303
    return app_client


def recalls(engine: Engine) -> int:
    with Session(engine) as session:
        return int(session.scalar(select(func.count()).select_from(Recall)) or 0)


def test_the_page_needs_a_signed_in_operator(
    app_client: TestClient, engine: Engine, pairs: list[int]
) -> None:
    answer = app_client.get(PAGE, follow_redirects=False)
    assert answer.status_code in (302, 303) and answer.headers["location"].startswith("/login")
    load_offers(engine, [offer("1", sku="X-1", name="A kettle", brand="Nordlicht")], first=7000)
    email = make_account(engine, "C-7000")
    assert sign_in(app_client, email).status_code == 303
    assert app_client.get(PAGE).status_code == 403


def test_record_and_offer_side_by_side(operator: TestClient, pairs: list[int]) -> None:
    page = operator.get(PAGE)
    assert page.status_code == 200
    assert "2 pairs wait for a decision." in page.text
    section = page.text.split(f'data-testid="pair-{pairs[0]}"')[1].split("</section>")[0]
    assert "MPINOI Adult Portable Bed Rails Recalled Due to Risk" in section
    assert "MPINOI portable bed rail for adults" in section and "MP-BR" in section
    assert "https://www.cpsc.gov/s3fs-public/mpinoi-1.jpg" in section
    assert "brand MPINOI named in the record" in section
    assert re.search(r'name="remedies" value="refund" checked', section)
    german = operator.get(PAGE + "?lang=de")
    assert german.status_code == 200 and "Behördliche Rückrufe zur Prüfung" in german.text


def test_approve_with_remedies_and_reject(
    operator: TestClient, engine: Engine, pairs: list[int]
) -> None:
    first, second = pairs
    token = csrf_of(operator.get(PAGE).text)
    approve = f"{PAGE}/matches/{first}/approve"
    refused = operator.post(approve, data={"csrf_token": token, "remedies": ["refund"]})
    assert refused.status_code == 422
    assert "a recall must offer at least two of refund, replacement, repair" in refused.text
    assert recalls(engine) == 0
    assert operator.post(approve, data={"remedies": ["refund"]}).status_code == 403  # no token
    done = operator.post(
        approve,
        data={"csrf_token": token, "remedies": ["refund", "replacement"], "note": "checked"},
        follow_redirects=False,
    )
    assert done.status_code == 303 and done.headers["location"] == f"{PAGE}?done=approved"
    rejected = operator.post(
        f"{PAGE}/matches/{second}/reject", data={"csrf_token": token}, follow_redirects=False
    )
    assert rejected.status_code == 303
    with Session(engine) as session:
        decided = {
            m.id: (m.decision, m.decided_by, m.note) for m in session.scalars(select(CatalogMatch))
        }
        recall = session.scalars(select(Recall)).one()
    assert decided == {
        first: ("approved", "operator:ops@example.com", "checked"),
        second: ("rejected", "operator:ops@example.com", None),
    }
    assert recall.content["remedies"] == ["refund", "replacement"]
    page = operator.get(PAGE)
    assert "Nothing waits for a decision." in page.text
    again = operator.post(f"{PAGE}/matches/{second}/approve", data={"csrf_token": token})
    assert again.status_code == 409 and "decisions are not asked again" in again.text
