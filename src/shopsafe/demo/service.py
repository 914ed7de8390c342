"""Filling a database with the synthetic marketplace, and the demo's logins."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from shopsafe.auth import service as auth_service
from shopsafe.db import migrate
from shopsafe.db.session import transaction
from shopsafe.demo import demo_script
from shopsafe.demo import recalls as demo_recalls
from shopsafe.demo.generator import Marketplace, generate
from shopsafe.feeds.service import import_demo_feeds
from shopsafe.ledger import hooks
from shopsafe.ledger import service as ledger
from shopsafe.ledger.importers import parse_objects
from shopsafe.ledger.models import Customer, Order, Seller
from shopsafe.ledger.schemas import OrderIn, ReviewIn, SellerIn
from shopsafe.unsolicited import demo_story

DEMO_SEED = 2026
DEMO_CUSTOMERS = 600
DEMO_ORDERS = 4_000
DEMO_PASSWORD = "shopsafe-demo"
OPERATOR_EMAIL = "operator@shopsafe.example"
SELLER_EMAIL = "seller@shopsafe.example"


@dataclass
class SeedSummary:
    sellers: int
    orders: int
    lines: int
    reviews: int


@dataclass
class DemoLogins:
    password: str
    operator_email: str
    seller_email: str
    seller_id: str
    customers: list[dict[str, Any]] = field(default_factory=list)
    operator_token: str = ""
    seller_token: str = ""
    unsolicited: Callable[[str], list[str]] | None = None


def seed(
    session: Session,
    *,
    customers: int,
    orders: int,
    seed: int,
    today: dt.date,
    on_orders: Callable[[int], None] | None = None,
) -> tuple[Marketplace, SeedSummary]:
    """Generates the marketplace and loads it through the normal importers."""
    market = generate(customers=customers, orders=orders, seed=seed, today=today)
    sellers = [SellerIn.model_validate(s) for s in market.sellers]
    ledger.upsert_sellers(session, sellers=sellers)
    summary = ledger.import_orders(
        session,
        source=lambda: parse_objects(market.iter_orders(), OrderIn),
        on_batch=on_orders,
        on_written=hooks.after_import,
    )
    reviews = ledger.import_reviews(
        session, source=lambda: parse_objects(market.iter_reviews(), ReviewIn)
    )
    return market, SeedSummary(len(sellers), summary.orders, summary.lines, reviews)


def has_orders(engine: Engine) -> bool:
    with Session(engine) as session:
        return bool(session.scalar(select(func.count()).select_from(Order)))


def prepare(
    engine: Engine, *, fresh: bool, today: dt.date, on_orders: Callable[[int], None] | None = None
) -> DemoLogins:
    """Migrates, fills an empty database with the demo marketplace, and makes the logins."""
    if fresh:
        migrate.downgrade(engine, "base")
    migrate.upgrade(engine)
    if not has_orders(engine):
        with transaction(engine) as session:
            market, _ = seed(
                session,
                customers=DEMO_CUSTOMERS,
                orders=DEMO_ORDERS,
                seed=DEMO_SEED,
                today=today,
                on_orders=on_orders,
            )
            numbers = {n for p in market.demo_people for n in p.get("recall_numbers", [])}
            demo_recalls.publish_for(session, sorted(numbers))
            import_demo_feeds(session)
            demo_story.add_to_demo(session, today=today)
    with transaction(engine) as session:
        logins = _logins(session)
    logins.unsolicited = demo_story.story().lines
    return logins


def _logins(session: Session) -> DemoLogins:
    seller_external = demo_script.DEMO_SELLER_ID
    seller = session.scalars(select(Seller).where(Seller.external_id == seller_external)).one()
    auth_service.create_account(
        session, email=OPERATOR_EMAIL, password=DEMO_PASSWORD, role="operator"
    )
    auth_service.create_account(
        session, email=SELLER_EMAIL, password=DEMO_PASSWORD, role="seller", seller_id=seller.id
    )
    logins = DemoLogins(
        password=DEMO_PASSWORD,
        operator_email=OPERATOR_EMAIL,
        seller_email=SELLER_EMAIL,
        seller_id=seller_external,
    )
    people = session.scalars(
        select(Customer).where(Customer.external_id.in_(demo_script.DEMO_CUSTOMER_IDS))
    ).all()
    for person in sorted(people, key=lambda p: p.external_id):
        auth_service.create_account(
            session,
            email=person.email,
            password=DEMO_PASSWORD,
            role="customer",
            customer_id=person.id,
        )
        logins.customers.append(
            {"customer_id": person.external_id, "email": person.email, "language": person.language}
        )
    logins.operator_token = auth_service.create_token(session, role="operator", label="demo")
    logins.seller_token = auth_service.create_token(
        session, role="seller", seller_external_id=seller_external, label="demo"
    )
    return logins
