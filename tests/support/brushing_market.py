"""A generated marketplace with five injected brushing rings (scenario d: 20 accounts × 2
products each), loaded through the real importers, and `shopsafe brushing …` on it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from click.testing import Result
from sqlalchemy import Engine
from typer.testing import CliRunner

from shopsafe.brushing import injections
from shopsafe.cli import app as cli_app
from shopsafe.db.session import transaction
from shopsafe.demo.generator import generate
from shopsafe.ledger import service as ledger
from shopsafe.ledger.importers import parse_objects
from shopsafe.ledger.schemas import OrderIn, ReviewIn, SellerIn

TODAY = dt.date(2026, 3, 31)
SEED = 11


@dataclass(frozen=True)
class Market:
    orders: list[dict[str, Any]]
    reviews: list[dict[str, Any]]
    injected: injections.Injection


def market() -> Market:
    generated = generate(customers=500, orders=2_500, seed=SEED, today=TODAY)
    injected = injections.inject(generated, SEED, "d")  # 5 rings of 20 accounts × 2 products
    orders = list(generated.iter_orders()) + injected.orders
    reviews = list(generated.iter_reviews()) + injected.reviews
    return Market(orders, reviews, injected)


def load(engine: Engine, found: Market) -> None:
    sellers = generate(customers=1, orders=0, seed=SEED, today=TODAY).sellers
    with transaction(engine) as session:
        ledger.upsert_sellers(session, sellers=[SellerIn.model_validate(s) for s in sellers])
        ledger.import_orders(session, source=lambda: parse_objects(iter(found.orders), OrderIn))
        ledger.import_reviews(session, source=lambda: parse_objects(iter(found.reviews), ReviewIn))


def brushing_cli(engine: Engine, monkeypatch: pytest.MonkeyPatch, *args: str) -> Result:
    from shopsafe.config import get_settings

    monkeypatch.setenv("SHOPSAFE_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    get_settings.cache_clear()
    try:
        return CliRunner().invoke(cli_app, ["brushing", *args], prog_name="shopsafe")
    finally:
        get_settings.cache_clear()
