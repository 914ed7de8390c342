"""A small marketplace with somebody of every role, for the test that asks every route of
the app who may use it (`tests/integration/test_every_route_checks_access.py`): the routes
as the app serves them, real ids to put into their paths, a signed-in browser per person,
and a snapshot of every table to show that a refused request wrote nothing; and each
route's request, with the body, query or form that would make it do something."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from httpx2 import Response
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from starlette.routing import BaseRoute, Mount, Route

from shopsafe.app import create_app
from shopsafe.auth import service as auth_service
from shopsafe.db.registry import Base
from shopsafe.db.session import transaction
from shopsafe.remedies.models import DisposalPhoto
from tests.conftest import empty_database
from tests.support.consoles import account, browser
from tests.support.customer_pages import PASSWORD, csrf_of
from tests.support.recalls import recall_body
from tests.support.remedies import Headers, Market, carrier_event, market, open_case, png
from tests.support.unsolicited import load as load_parcels
from tests.support.unsolicited import parcel, report_body

try:  # FastAPI ≥ 0.16x keeps included routers as one entry each; this walks into them
    from fastapi.routing import iter_route_contexts
except ImportError:  # pragma: no cover - older FastAPI lists every route in app.routes

    def iter_route_contexts(routes: Any) -> Iterator[Any]:  # type: ignore[misc]
        yield from routes


RouteKey = tuple[str, str]  # (method, path as declared, e.g. "/orders/{order_id}")
ANY_METHOD = "*"  # a mounted app (static files) answers every method

# Tables a request may change just by being made by a signed-in browser.
NOT_DATA = {"web_sessions", "sign_in_failures"}

ANNA = "C-5000"  # bought two bed rails from S-3; has a refund case
BOB = "C-9000"  # bought a kettle from S-9; the recall does not concern him
# What only Anna's pages show: her e-mail address and her parcel's tracking number (not
# her order id: pages repeat the asked path in their language links).
ANNAS_MARKS = (b"buyer5000@example.de", b"00340434161000005000")
S3_MARKS = (b"MPINOI",)  # S-3's recall (title, brand)
NOWHERE = "999999"  # an id of nothing: where the route's object needs a world we lack


def served_routes(app: FastAPI) -> Iterator[tuple[RouteKey, BaseRoute]]:
    """Every (method, path) the app answers, HEAD aside (Starlette adds it to every GET)."""
    for context in iter_route_contexts(app.routes):
        original = getattr(context, "original_route", context)
        if isinstance(original, Mount):
            yield (ANY_METHOD, context.path), original
        elif isinstance(original, APIRoute | Route):
            for method in sorted(set(context.methods or ()) - {"HEAD"}):
                yield (method, context.path), original
        else:  # pragma: no cover - a websocket or host route: classify it by hand
            raise AssertionError(f"a route of a kind this test does not know: {context!r}")


@dataclass
class World:
    """What the requests point at (S-3's and Anna's things) and who asks."""

    m: Market
    recall_id: int  # S-3's published recall of the bed rail, which concerns Anna
    draft_id: int  # S-3's draft recall (not public)
    case_id: int  # Anna's refund case (with a return label)
    dispose_case_id: int  # C-5001's dispose case (with a photo)
    photo_id: int
    number: str  # an unsolicited-package case
    key: str  # its private status link's key
    anonymous: TestClient
    browsers: dict[str, TestClient]  # anna, bob, s3, s9, operator
    csrf: dict[str, str] = field(default_factory=dict)

    def fill(self, path: str) -> str:
        """The path with real ids of S-3's, Anna's and the reporter's things."""

        def value(found: re.Match[str]) -> str:
            name = found.group(1)
            if path.startswith("/api/v1/unsolicited-reports") and name == "case_id":
                return self.number
            if name == "case_id" and "photo" in path and "/account/" not in path:
                return str(self.dispose_case_id)
            ids = {
                "recall_id": self.recall_id, "case_id": self.case_id, "photo_id": self.photo_id,
                "order_id": "A-5000", "seller_id": "S-3", "customer_id": ANNA,
                "number": self.number, "key": self.key, "decision": "confirm",
            }  # fmt: skip
            return str(ids.get(name, NOWHERE))

        return re.sub(r"\{(\w+)(?::\w+)?\}", value, path)


def module_world(engine: Engine) -> Iterator[World]:
    """The marketplace every route is asked about, built once on an empty database and
    emptied afterwards: a module-scoped fixture yields from it."""
    empty_database(engine)
    with transaction(engine) as session:
        token = auth_service.create_token(session, role="operator")
    with TestClient(create_app(engine)) as client:
        yield build_world(client, engine, {"Authorization": f"Bearer {token}"})
    empty_database(engine)


def build_world(client: TestClient, engine: Engine, operator: Headers) -> World:
    m = market(client, engine, operator)
    refund = open_case(client, m, ANNA).json()
    dispose = open_case(client, m, "C-5001", "dispose").json()
    sent = client.post(f"/api/v1/remedy-cases/{dispose['id']}/disposal-photo", content=png(),
                       headers={**operator, "Content-Type": "image/png"})  # fmt: skip
    assert sent.status_code == 200, sent.text
    carrier_event(client, refund["return_shipment"]["tracking_number"], "delivered", "w-1")
    draft = client.post("/api/v1/recalls", json=_draft_body(), headers=m.seller)
    assert draft.status_code == 201, draft.text
    number, key = _unsolicited_case(client, engine)
    with Session(engine) as session:
        photo_id = session.scalars(select(DisposalPhoto.id)).one()
    people = {
        "anna": account(engine, "buyer5000@example.de", "customer", customer=ANNA),
        "bob": account(engine, "buyer9000@example.de", "customer", customer=BOB),
        "s3": account(engine, "staff@s3.example", "seller", seller="S-3"),
        "s9": account(engine, "staff@s9.example", "seller", seller="S-9"),
        "operator": account(engine, "ops@shopsafe.example", "operator"),
    }
    browsers = {name: browser(engine, email) for name, email in people.items()}
    world = World(
        m=m, recall_id=m.recall_id, draft_id=draft.json()["id"], case_id=refund["id"],
        dispose_case_id=dispose["id"], photo_id=photo_id, number=number, key=key,
        anonymous=client, browsers=browsers,
    )  # fmt: skip
    home = {"anna": "/orders", "bob": "/orders", "s3": "/seller/", "s9": "/seller/",
            "operator": "/operator/"}  # fmt: skip
    for name, page in home.items():
        world.csrf[name] = csrf_of(browsers[name].get(page).text)
    world.csrf["anonymous"] = csrf_of(client.get("/login").text)
    return world


def _draft_body() -> dict[str, Any]:
    return recall_body(title="MPINOI draft: a second bed rail", seller_id="S-3",
                       criteria={"gtins": ["04006381333931"]})  # fmt: skip


def _unsolicited_case(client: TestClient, engine: Engine) -> tuple[str, str]:
    orders = [parcel(1, customer="C-FAKE-1")]
    load_parcels(engine, orders)
    body = report_body([orders[0]["shipments"][0]["tracking_number"]])
    answer = client.post("/api/v1/unsolicited-reports", json=body)
    assert answer.status_code == 201, answer.text
    found = answer.json()
    number, key = urlsplit(found["status_url"]).path.rstrip("/").split("/")[-2:]
    assert number == found["case_id"]
    return number, key


def snapshot(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table (sessions and sign-in failures aside), to compare."""
    rows: dict[str, list[tuple[Any, ...]]] = {}
    with Session(engine) as session:
        for table in Base.metadata.sorted_tables:
            if table.name not in NOT_DATA:
                query = select(table).order_by(*table.primary_key.columns)
                rows[table.name] = [tuple(row) for row in session.execute(query)]
    return rows


def changed(before: dict[str, list[tuple[Any, ...]]], engine: Engine) -> list[str]:
    """The tables whose rows differ from `before`."""
    after = snapshot(engine)
    return [name for name in before if before[name] != after[name]]


# What a request sends, where a body or query makes it a real one (when the check were
# missing, it would do what it says). Path ids come from `World.fill`.
JSON: dict[str, Any] = {
    "/api/v1/orders": [{"order_id": "A-X"}],
    "/api/v1/sellers/{seller_id}": {"seller_id": "S-3", "name": "Taken Over GmbH"},
    "/api/v1/recalls": recall_body(seller_id="S-3", title="A recall for somebody else"),
    "/api/v1/recalls/{recall_id}": {"title": "Changed by a stranger"},
    "/api/v1/remedy-cases": {"recall_id": 0, "customer_id": "C-5002", "remedy": "refund"},
    "/api/v1/remedy-cases/{case_id}/transitions": {"to": "closed"},
    "/api/v1/brushing/rings/{ring_id}/status": {"status": "dismissed"},
}
QUERY: dict[str, dict[str, str]] = {
    "/api/v1/listings/check": {"seller_id": "S-3", "gtin": "04006381333931"},
    "/account/remedies/new": {"recall": "{recall_id}"},
}
FORM: dict[str, dict[str, str]] = {
    "/account/recalls/{recall_id:int}/acknowledge": {"answer": "stopped_using"},
    "/account/recalls/{recall_id:int}/remedy": {"remedy": "refund"},
    "/account/remedies": {"recall_id": "{recall_id}", "remedy": "refund"},
    "/seller/recalls/new": {"kind": "recall", "title": "A stranger's recall", "gtins": "1"},
    "/seller/cases/{case_id:int}/moves": {"to": "closed"},
    "/seller/settings": {"webhook_url": "https://example.com/stolen"},
    "/operator/approvals/{recall_id:int}": {"decision": "approve"},
    "/operator/cases/{case_id:int}/moves": {"to": "closed"},
    "/operator/cases/{number}/{decision}": {"note": "confirmed by a stranger"},
    "/login": {"email": "ops@shopsafe.example", "password": PASSWORD},
    "/unsolicited": {"tracking_numbers": "9400100000000000000000", "postal_code": "12866",
                     "country": "US"},
}  # fmt: skip


def call(
    client: TestClient,
    world: World,
    key: tuple[str, str],
    *,
    headers: dict[str, str] | None = None,
    csrf: str | None = None,
    **extra: Any,
) -> Response:
    """The route's request with the world's ids (and the form's CSRF token, if given)."""
    method, path = key
    params = {k: world.fill(v) for k, v in QUERY.get(path, {}).items()}
    kwargs: dict[str, Any] = {"params": params, "headers": headers or {}}
    if path.startswith("/api/"):
        if method != "GET" and path in JSON:
            kwargs["json"] = JSON[path]
    elif method == "POST":
        data = {k: world.fill(v) for k, v in FORM.get(path, {}).items()}
        kwargs["data"] = {**data, **({"csrf_token": csrf} if csrf else {})}
    kwargs.update(extra)
    return client.request(method, world.fill(path), follow_redirects=False, **kwargs)


def shows_nothing(answer: Response, *marks: bytes) -> bool:
    return not any(mark in answer.content for mark in marks)


def shown(answer: Response, marks: tuple[bytes, ...]) -> str:
    """Where the answer shows one of `marks`, for the failure message."""
    for mark in marks:
        at = answer.content.find(mark)
        if at >= 0:
            return answer.content[max(0, at - 200) : at + 100].decode(errors="replace")
    return ""
