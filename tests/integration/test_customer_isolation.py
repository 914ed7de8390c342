"""Customers see only their own data: signed in as one customer, every other customer's
recall pages, orders and alerts answer 404, and nothing of theirs appears anywhere."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from shopsafe.notifications.models import RecallNotice
from tests.support.customer_pages import (
    GTIN_BED_RAIL,
    GTIN_HEATER,
    GTIN_KETTLE,
    GTIN_TOASTER,
    csrf_of,
    load_orders,
    make_account,
    orders_for,
    publish,
    sign_in,
)

Headers = dict[str, str]
# customer id, e-mail, name, order numbers, products
PEOPLE = (
    ("C-ANN", "ann@example.com", "Ann Alpha", [101, 102], [(GTIN_BED_RAIL, "Bed rail Alpha")]),
    ("C-BOB", "bob@example.com", "Bob Bravo", [201, 202, 203], [(GTIN_KETTLE, "Kettle Bravo")]),
    ("C-CAT", "cat@example.com", "Cat Charlie", [301], [(GTIN_HEATER, "Heater Charlie")]),
    # Dan bought what Ann bought: the shared recall must still show each only their own orders.
    ("C-DAN", "dan@example.com", "Dan Delta", [401], [(GTIN_BED_RAIL, "Bed rail Delta")]),
)


def build(client: TestClient, headers: Headers, engine: Engine) -> dict[str, int]:
    for customer, email, name, numbers, products in PEOPLE:
        load_orders(
            client, headers, orders_for(customer, email, numbers, products=products, name=name)
        )
        make_account(engine, customer)
    return {
        "bed_rail": publish(engine, gtins=[GTIN_BED_RAIL]),  # Ann and Dan
        "kettle": publish(engine, gtins=[GTIN_KETTLE], title="Kettle recall for Bob"),
        "heater": publish(engine, gtins=[GTIN_HEATER], kind="safety_warning", remedies=[]),
        "toaster": publish(engine, gtins=[GTIN_TOASTER]),  # nobody bought it
    }


def visible_pages(client: TestClient) -> list[str]:
    """Every page a signed-in customer can reach by following links from their own pages."""
    seen: dict[str, str] = {}
    queue = ["/", "/orders", "/account/recalls"]
    while queue:
        path = queue.pop()
        if path in seen:
            continue
        answer = client.get(path)
        assert answer.status_code == 200, path
        seen[path] = answer.text
        for link in re.findall(r'href="(/(?:orders|account/recalls)[^"#]*)"', answer.text):
            queue.append(link.replace("&amp;", "&"))
    return list(seen.values())


def test_every_other_customers_recalls_orders_and_alerts_are_not_found(
    app_client: TestClient, operator_headers: Headers, engine: Engine
) -> None:
    recalls = build(app_client, operator_headers, engine)
    sign_in(app_client, "ann@example.com")
    own_recall = recalls["bed_rail"]
    assert app_client.get(f"/account/recalls/{own_recall}").status_code == 200
    assert app_client.get("/orders/A-101").status_code == 200

    others = [r for name, r in recalls.items() if name != "bed_rail"] + [9_999]
    token = csrf_of(app_client.get("/account/recalls").text)
    for recall_id in others:
        page = app_client.get(f"/account/recalls/{recall_id}")
        assert page.status_code == 404, recall_id
        for action, data in (
            ("acknowledge", {"answer": "stopped_using"}),
            ("remedy", {"remedy": "refund"}),
        ):
            answer = app_client.post(
                f"/account/recalls/{recall_id}/{action}", data={**data, "csrf_token": token}
            )
            assert answer.status_code == 404, (recall_id, action)
    for _customer, _email, _name, numbers, _products in PEOPLE[1:]:
        for number in numbers:
            assert app_client.get(f"/orders/A-{number}").status_code == 404
    assert app_client.get("/orders/A-999999").status_code == 404
    for customer, *_ in PEOPLE:
        answer = app_client.get(f"/api/v1/customers/{customer}/alerts")
        assert answer.status_code == 401  # a browser session is no API token
        assert "alerts" not in answer.json()

    with Session(engine) as session:
        answered = session.scalars(
            select(RecallNotice).where(
                (RecallNotice.acknowledgement.is_not(None))
                | (RecallNotice.remedy_choice.is_not(None))
            )
        ).all()
    assert answered == []  # nobody else's notice was touched


def test_no_other_customers_data_appears_on_any_page(
    app_client: TestClient, operator_headers: Headers, engine: Engine
) -> None:
    recalls = build(app_client, operator_headers, engine)
    sign_in(app_client, "ann@example.com")
    pages = visible_pages(app_client)
    assert len(pages) >= 6  # home, orders, two orders, recalls list, her recall
    everything = "\n".join(pages)
    assert "A-101" in everything and "Bed rail Alpha" in everything
    for _customer, email, name, numbers, products in PEOPLE[1:]:
        secrets = [email, name, *(f"A-{n}" for n in numbers), *(p for _, p in products)]
        for secret in secrets:
            assert not re.search(rf"\b{re.escape(secret)}\b", everything), secret
    assert "Kettle recall for Bob" not in everything
    for recall_id in (recalls["kettle"], recalls["heater"], recalls["toaster"]):
        assert f"/account/recalls/{recall_id}" not in everything
