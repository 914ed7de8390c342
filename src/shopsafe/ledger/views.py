""" "Your Orders": the signed-in customer's order history, with the safety banner on top
while a recall or safety warning concerns them and is not resolved."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse

from shopsafe.kit.errors import NotFound
from shopsafe.ledger import customer_orders
from shopsafe.ledger.customer_orders import OrderView
from shopsafe.recalls import customer_alerts
from shopsafe.web.deps import CustomerPage, DbSession
from shopsafe.web.rendering import make_templates, render

router = APIRouter(include_in_schema=False)
templates = make_templates(Path(__file__).parent / "templates")


def page_number(raw: str | None, last: int) -> int:
    """`?page=` as a page that exists (anything else: the nearest one)."""
    try:
        number = int(raw or "1")
    except ValueError:
        number = 1
    return min(max(number, 1), max(last, 1))


def _mark_recalled(session: DbSession, customer_id: int, orders: list[OrderView]) -> None:
    lines = {line.pk: line for order in orders for line in order.lines}
    for line_pk, recall_ids in customer_alerts.recalls_by_line(
        session, customer_id, list(lines)
    ).items():
        lines[line_pk].recall_ids = recall_ids


@router.get("/orders", response_class=HTMLResponse)
def your_orders(
    page: CustomerPage,
    session: DbSession,
    page_param: Annotated[str | None, Query(alias="page", max_length=12)] = None,
) -> HTMLResponse:
    assert page.visitor is not None and page.visitor.customer_id is not None
    customer_id = page.visitor.customer_id
    total = customer_orders.order_count(session, customer_id)
    last = max(1, -(-total // customer_orders.PER_PAGE))
    number = page_number(page_param, last)
    orders = customer_orders.page_of_orders(session, customer_id, page=number)
    _mark_recalled(session, customer_id, orders)
    context = {
        "orders": orders,
        "total": total,
        "page_number": number,
        "last_page": last,
        "banner_count": customer_alerts.banner_count(session, customer_id),
    }
    return render(templates, page, "orders.html", context)


@router.get("/orders/{order_id}", response_class=HTMLResponse)
def one_order(order_id: str, page: CustomerPage, session: DbSession) -> HTMLResponse:
    assert page.visitor is not None and page.visitor.customer_id is not None
    customer_id = page.visitor.customer_id
    order = customer_orders.order_of(session, customer_id, order_id)
    if order is None:
        raise NotFound("order not found")
    _mark_recalled(session, customer_id, [order])
    context = {
        "order": order,
        "banner_count": customer_alerts.banner_count(session, customer_id),
    }
    return render(templates, page, "order.html", context)
