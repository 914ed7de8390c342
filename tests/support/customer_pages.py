"""Building customers with orders, accounts and recalls for the customer-page tests, and
signing in through the real forms."""

from __future__ import annotations

import copy
import re
from typing import Any

from fastapi.testclient import TestClient
from httpx2 import Response
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from shopsafe.auth import service as auth_service
from shopsafe.auth.schemas import Principal
from shopsafe.db.session import transaction
from shopsafe.ledger.models import Customer
from shopsafe.notifications.models import RecallNotice
from shopsafe.recalls import service as recalls
from tests.factories import order
from tests.support.recalls import recall_body

PASSWORD = "correct horse battery staple"
OPERATOR = Principal(role="operator")
GTIN_BED_RAIL = "04006381333931"  # the contract example's product
GTIN_KETTLE = "04006381333948"
GTIN_HEATER = "04006381333955"
GTIN_TOASTER = "04006381333962"


def product_line(gtin: str, name: str, *, line_id: str = "1", sku: str | None = None) -> Any:
    line = copy.deepcopy(order()["lines"][0])
    line.update(
        line_id=line_id, gtin=gtin, sku=sku or f"SKU-{gtin[-5:]}", model=f"M-{gtin[-5:]}",
        product_name=name, serials=[], lot=None,
    )  # fmt: skip
    return line


def orders_for(
    customer: str,
    email: str,
    numbers: range | list[int],
    *,
    products: list[tuple[str, str]],
    name: str = "Test Customer",
    language: str = "en",
    month: int = 3,
) -> list[dict[str, Any]]:
    """Orders `A-n` of one customer, each with one line per (gtin, product name)."""
    records = []
    for n in numbers:
        record = order(n)
        record["buyer"].update(customer_id=customer, email=email, name=name, language=language)
        record["ship_to"]["name"] = name
        record["placed_at"] = f"2025-{month:02d}-{1 + n % 27:02d}T10:{n % 60:02d}:00Z"
        record["lines"] = [
            product_line(gtin, product, line_id=str(i))
            for i, (gtin, product) in enumerate(products, start=1)
        ]
        record["shipments"][0]["line_ids"] = [line["line_id"] for line in record["lines"]]
        record["shipments"][0]["tracking_number"] = f"00340434161{n:09d}"[:20]
        records.append(record)
    return records


def load_orders(client: TestClient, headers: dict[str, str], records: list[Any]) -> None:
    answer = client.post("/api/v1/orders", json=records, headers=headers)
    assert answer.status_code == 200, answer.text


def make_account(engine: Engine, customer: str, *, role: str = "customer") -> str:
    """A password account for the ledger customer `customer`; returns its e-mail address."""
    with transaction(engine) as session:
        row = session.scalars(select(Customer).where(Customer.external_id == customer)).one()
        auth_service.create_account(
            session, email=row.email, password=PASSWORD, role=role, customer_id=row.id
        )
        return row.email


def publish(engine: Engine, *, gtins: list[str], **changes: Any) -> int:
    """Creates and publishes a recall (or warning) for these GTINs; returns its id."""
    body = recall_body(criteria={"gtins": gtins}, **changes)
    with transaction(engine) as session:
        recall = recalls.create(session, data=body, principal=OPERATOR)
        recalls.publish(session, recall_id=recall.id, principal=OPERATOR)
        return recall.id


def close(engine: Engine, recall_id: int) -> None:
    with transaction(engine) as session:
        recalls.close(session, recall_id=recall_id, principal=OPERATOR)


def buyer_notice(engine: Engine, recall_id: int, email: str) -> RecallNotice:
    with Session(engine) as session:
        return session.scalars(
            select(RecallNotice).where(
                RecallNotice.recall_id == recall_id, RecallNotice.email == email
            )
        ).one()


CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


def sign_in(client: TestClient, email: str, password: str = PASSWORD) -> Response:
    token = csrf_of(client.get("/login").text)
    return client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": token},
        follow_redirects=False,
    )


def post_form(client: TestClient, path: str, data: dict[str, str], *, page: str) -> Response:
    """Posts a form the way a browser does: with the token of the page that shows it."""
    token = csrf_of(client.get(page).text)
    return client.post(path, data={**data, "csrf_token": token}, follow_redirects=False)
