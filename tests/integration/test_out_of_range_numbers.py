"""Numbers no database holds, in every route's path and query: an id of nothing (404) or a
bad value, named (422), never a 500. SQLite's driver raises OverflowError beyond 64 bits,
PostgreSQL NumericValueOutOfRange beyond a 32-bit id column, Python ValueError beyond 4300
digits (or for `²`, a digit to `str.isdigit()`); `shopsafe.kit.refusals` (installed in
`shopsafe.app`) answers them all.

Every route is asked as whoever may use it (the marketplace of `tests/support/route_access`),
with the body, form and CSRF token that make the request a real one."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.routing import APIRoute
from httpx2 import Response
from sqlalchemy import Engine

from shopsafe.app import create_app
from shopsafe.db.engine import make_engine
from tests.support.route_access import (
    FORM,
    JSON,
    QUERY,
    World,
    changed,
    module_world,
    served_routes,
    snapshot,
)

NUMBERS = {
    "beyond 64 bits": "99999999999999999999999",
    "below 64 bits": "-99999999999999999999999",
    "beyond 32 bits": "3000000000",  # PostgreSQL's `integer` ids
    "5000 digits": "9" * 5000,  # beyond what Python's int() converts
    "superscript": "²",  # str.isdigit() says yes, int() says no
}
PARAMETER = re.compile(r"\{(\w+)(?::\w+)?\}")
OWNERS = {"/account/": "anna", "/orders": "anna", "/seller": "s3", "/operator": "operator"}


def _declared(dependant: Any, kind: str) -> dict[str, Any]:
    found = {field.alias: field.field_info.annotation for field in getattr(dependant, kind)}
    for sub in dependant.dependencies:
        found.update(_declared(sub, kind))
    return found


def _routes() -> Iterator[tuple[str, str, APIRoute]]:
    app = create_app(make_engine("sqlite://"))  # only to list the routes; never connects
    for (method, path), route in served_routes(app):
        if isinstance(route, APIRoute):
            yield method, path, route


PATH_CASES = [
    (method, path, name)
    for method, path, _ in _routes()
    for name in PARAMETER.findall(path)
]  # fmt: skip
QUERY_CASES = [
    (method, path, name)
    for method, path, route in _routes()
    for name in _declared(route.dependant, "query_params")
]  # fmt: skip
INT_PARAMETERS = {
    (path, name)
    for _, path, route in _routes()
    for name, annotation in _declared(route.dependant, "path_params").items()
    if annotation is int
}  # fmt: skip


@pytest.fixture(autouse=True)
def _empty_tables() -> None:
    """The marketplace is built once for this module (`world`) and emptied after it."""


@pytest.fixture(scope="module")
def world(engine: Engine) -> Iterator[World]:
    yield from module_world(engine)


def ask(world: World, method: str, path: str, *, number: str, param: str | None = None,
        query: str | None = None) -> Response:  # fmt: skip
    """The route's request as its owner, with `number` in path parameter `param` or in
    query parameter `query`, and the world's ids everywhere else."""
    who = next((name for prefix, name in OWNERS.items() if path.startswith(prefix)), None)
    client = world.browsers[who] if who else world.anonymous
    url = PARAMETER.sub(lambda m: number if m.group(1) == param else m.group(0), path)
    params = {k: world.fill(v) for k, v in QUERY.get(path, {}).items()}
    if query:
        params[query] = number
    kwargs: dict[str, Any] = {"params": params}
    if path.startswith("/api/"):
        kwargs["headers"] = world.m.operator
        if method != "GET" and path in JSON:
            kwargs["json"] = JSON[path]
    elif method == "POST":
        form = {k: world.fill(v) for k, v in FORM.get(path, {}).items()}
        kwargs["data"] = {**form, "csrf_token": world.csrf[who or "anonymous"]}
    return client.request(method, world.fill(url), follow_redirects=False, **kwargs)


def check_refusal(answer: Response, path: str, name: str) -> None:
    assert 400 <= answer.status_code < 500, (answer.status_code, answer.text[:300])
    if path.startswith("/api/"):
        body = answer.json()
        assert body["code"] and name in body["detail"], body
    else:
        assert "text/html" in answer.headers["content-type"]


@pytest.mark.parametrize(("method", "path", "name"), PATH_CASES,
                         ids=[f"{m} {p} {n}" for m, p, n in PATH_CASES])  # fmt: skip
def test_numbers_in_the_path_find_nothing(
    world: World, engine: Engine, method: str, path: str, name: str
) -> None:
    before = snapshot(engine)
    for label, number in NUMBERS.items():
        if label == "superscript" and (path, name) not in INT_PARAMETERS:
            continue  # a number only where an int is expected (a key may be any text)
        answer = ask(world, method, path, number=number, param=name)
        assert answer.status_code < 500, (label, answer.status_code, answer.text[:300])
        if (path, name) in INT_PARAMETERS:  # an id of nothing; FastAPI: too long (422);
            # a negative one fits no `{id:int}`, but maybe another route (405)
            assert answer.status_code in (404, 405, 422), (label, answer.status_code)
        else:
            assert 400 <= answer.status_code < 500, (label, answer.status_code, answer.text)
    assert not changed(before, engine), "a refused request wrote to the database"


@pytest.mark.parametrize(("method", "path", "name"), QUERY_CASES,
                         ids=[f"{m} {p} ?{n}" for m, p, n in QUERY_CASES])  # fmt: skip
def test_numbers_in_the_query_are_refused_by_name(
    world: World, method: str, path: str, name: str
) -> None:
    for label, number in NUMBERS.items():
        answer = ask(world, method, path, number=number, query=name)
        assert answer.status_code < 500, (label, answer.status_code, answer.text[:300])
        if answer.status_code >= 400:
            check_refusal(answer, path, name)


@pytest.mark.parametrize(
    "url",
    ["/api/v1/recalls?cursor={n}", "/api/v1/recalls/{recall}/affected?cursor={n}",
     "/api/v1/feeds/records?cursor={n}", "/api/v1/feeds/review?cursor={n}",
     "/api/v1/brushing/rings?cursor={n}"],
)  # fmt: skip
@pytest.mark.parametrize(
    ("number", "problem"),
    [("99999999999999999999", "99999999999999999999 is out of range"),
     ("²", "'²' is not a cursor this API gave out")],
)  # fmt: skip
def test_api_cursors_name_the_cursor(world: World, url: str, number: str, problem: str) -> None:
    answer = world.anonymous.get(
        url.format(n=number, recall=world.recall_id), headers=world.m.operator
    )
    assert answer.status_code == 422, answer.text
    assert answer.json()["problems"] == [f"cursor: {problem}"], answer.text


def test_an_id_out_of_range_is_not_found(world: World) -> None:
    answer = world.anonymous.get("/api/v1/recalls/3000000000", headers=world.m.operator)
    assert answer.status_code == 404 and answer.json()["code"] == "not_found", answer.text
    page = world.anonymous.get(f"/recalls/{NUMBERS['beyond 64 bits']}")
    assert page.status_code == 404 and "text/html" in page.headers["content-type"]


def test_numbers_in_bodies_and_forms(world: World, engine: Engine) -> None:
    """An id in a JSON body or a form: 422 naming the field; nothing written."""
    before = snapshot(engine)
    number = int(NUMBERS["beyond 64 bits"])
    body = {"recall_id": number, "customer_id": "C-5002", "remedy": "refund"}
    answer = world.anonymous.post("/api/v1/remedy-cases", json=body, headers=world.m.operator)
    assert answer.status_code == 422, answer.text
    assert answer.json()["problems"] == [f"body.recall_id: {number} is out of range"]
    form = {"recall_id": str(number), "remedy": "refund", "csrf_token": world.csrf["anna"]}
    page = world.browsers["anna"].post("/account/remedies", data=form, follow_redirects=False)
    assert page.status_code == 422 and "text/html" in page.headers["content-type"], page.text
    assert not changed(before, engine)
