"""`shopsafe seed` and the demo: deterministic, realistic, loadable, reusable."""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session
from stdnum import ean

from shopsafe.app import create_app
from shopsafe.auth import service as auth_service
from shopsafe.auth.models import Account
from shopsafe.db.session import transaction
from shopsafe.demo import service as demo
from shopsafe.ledger import models, tracking
from shopsafe.notifications.models import RecallNotice
from shopsafe.recalls.models import Recall

TODAY = dt.date(2026, 3, 31)


def _fingerprint(engine: Engine) -> list[tuple[str, str]]:
    with Session(engine) as session:
        return [
            (external, digest)
            for external, digest in session.execute(
                select(models.Order.external_id, models.Order.content_hash).order_by(
                    models.Order.external_id
                )
            )
        ]


def test_seed_loads_a_realistic_marketplace(engine: Engine) -> None:
    with transaction(engine) as session:
        _, summary = demo.seed(session, customers=300, orders=1500, seed=7, today=TODAY)
    assert summary.orders == 1500 and summary.lines >= 1500 and summary.reviews > 100
    with Session(engine) as session:
        countries = set(session.scalars(select(models.Address.country).distinct()))
        assert {"DE", "AT", "GB", "US"} <= countries
        assert session.scalar(select(func.count()).where(models.Order.gift.is_(True))) > 0
        assert session.scalar(
            select(func.count()).where(models.Customer.account_type == "business")
        )
        sellers = session.scalars(select(models.Seller)).all()
        assert all(s.name and s.trade_register and s.email for s in sellers)
        gtins = session.scalars(
            select(models.OrderLine.gtin).where(models.OrderLine.gtin.is_not(None)).distinct()
        ).all()
        assert gtins and all(ean.is_valid(g) for g in gtins)
        numbers = session.scalars(select(models.Shipment.tracking_number)).all()
        assert all(tracking.detect_carrier(n) is not None for n in numbers)
        assert any(n.startswith("1Z") for n in numbers)
        statuses = set(session.scalars(select(models.Shipment.status).distinct()))
        assert {"delivered"} <= statuses
        assert session.scalar(select(func.count()).select_from(models.OrderLineSerial)) > 0
        first, last = session.execute(
            select(func.min(models.Order.placed_at), func.max(models.Order.placed_at))
        ).one()
        assert (last - first).days > 2 * 365


def test_same_seed_same_marketplace(engine: Engine) -> None:
    with transaction(engine) as session:
        demo.seed(session, customers=100, orders=300, seed=11, today=TODAY)
    first = _fingerprint(engine)
    with transaction(engine) as session:
        demo.seed(session, customers=100, orders=300, seed=11, today=TODAY)
    assert _fingerprint(engine) == first
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(models.Order)) == 300


def test_demo_prepares_once_and_its_logins_work(engine: Engine) -> None:
    logins = demo.prepare(engine, fresh=False, today=TODAY)
    orders = _fingerprint(engine)
    assert len(orders) == demo.DEMO_ORDERS + 100  # the unsolicited-parcel story adds 100
    with Session(engine) as session:
        alerted = set(
            session.scalars(
                select(models.Customer.external_id)
                .join(RecallNotice, RecallNotice.customer_id == models.Customer.id)
                .where(RecallNotice.role == "buyer")
            )
        )
        published = session.scalar(
            select(func.count()).select_from(Recall).where(Recall.status == "published")
        )
    assert published and published >= 4
    assert {"C-DEMO-EN", "C-DEMO-DE", "C-DEMO-BIZ"} <= alerted
    assert "C-DEMO-NONE" not in alerted
    assert {p["language"] for p in logins.customers} == {"en", "de"}
    again = demo.prepare(engine, fresh=False, today=TODAY + dt.timedelta(days=1))
    assert _fingerprint(engine) == orders
    assert again.operator_token != logins.operator_token
    with Session(engine) as session:
        account = session.scalars(
            select(Account).where(Account.email == logins.customers[0]["email"])
        ).one()
        assert account.password_hash
        assert auth_service.verify_password(account.password_hash, logins.password)
        assert not auth_service.verify_password(account.password_hash, "wrong")
    with TestClient(create_app(engine)) as client:
        headers = {"Authorization": f"Bearer {logins.seller_token}"}
        assert client.get(f"/api/v1/sellers/{logins.seller_id}", headers=headers).status_code == 200
