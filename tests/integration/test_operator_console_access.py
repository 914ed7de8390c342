"""Only operators get into the operator console's pages (remedies' and feeds'): the one
check, `web.deps.OperatorPage`/`OperatorForm`, guards every one of them. Nobody signed in
is sent to sign in; a seller or customer is refused."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlencode

from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from shopsafe.feeds import views as feed_views
from shopsafe.remedies import operator_views
from shopsafe.web import deps
from tests.support.consoles import account, browser
from tests.support.customer_pages import csrf_of
from tests.support.remedies import Headers, load, orders, set_seller


def calls(dependant: Dependant) -> Iterator[Callable[..., Any]]:
    for sub in dependant.dependencies:
        if sub.call is not None:
            yield sub.call
        yield from calls(sub)


def operator_routes() -> dict[str, set[str]]:
    """Path → methods of the operator console's routes (remedies' and feeds' routers)."""
    found: dict[str, set[str]] = {}
    for route in [*operator_views.router.routes, *feed_views.router.routes]:
        assert isinstance(route, APIRoute)
        if route.path.startswith("/operator"):
            found.setdefault(route.path, set()).update(route.methods)
            checks = {deps.operator_page, deps.operator_form} & set(calls(route.dependant))
            assert len(checks) == 1, f"{route.path} lacks the operator check from web.deps"
    return found


def test_every_operator_console_route_uses_the_check_from_web_deps() -> None:
    routes = operator_routes()
    expected = {"/operator", "/operator/", "/operator/audit", "/operator/feeds"}
    assert expected <= set(routes)
    assert len(routes) >= 12 and any("POST" in methods for methods in routes.values())


def test_only_operators_get_in(
    app_client: TestClient, engine: Engine, operator_headers: Headers
) -> None:
    load(app_client, operator_headers, orders(1))
    set_seller(app_client, operator_headers, "S-3", "Bioenrrty GmbH")
    seller = browser(engine, account(engine, "staff@s3.example", "seller", seller="S-3"))
    customer = browser(engine, account(engine, "buyer@example.de", "customer", customer="C-5000"))
    operator = browser(engine, account(engine, "ops@shopsafe.example", "operator"))
    pages = [
        path for path, methods in operator_routes().items() if "GET" in methods and "{" not in path
    ]
    assert len(pages) >= 4
    for path in pages:
        answer = app_client.get(path, follow_redirects=False)
        assert answer.status_code == 303, path
        assert answer.headers["location"] == "/login?" + urlencode({"next": path})
        assert seller.get(path).status_code == 403, path
        assert customer.get(path).status_code == 403, path
        assert operator.get(path).status_code == 200, path
    form = "/operator/approvals/999"  # no such recall: an operator gets past the check
    token = csrf_of(seller.get("/seller/").text)
    assert seller.post(form, data={"csrf_token": token, "decision": "approve"}).status_code == 403
    token = csrf_of(operator.get("/operator/").text)
    assert operator.post(form, data={"csrf_token": token, "decision": "approve"}).status_code == 404
