"""JSON bodies that `json.loads` cannot read for more than a syntax error: nested thousands
deep (RecursionError) or with a number of 5000 digits (ValueError). Every API route that takes
a JSON body answers 422 naming the problem, whether it reads the body itself (the recall
helper `json_object`, the order import, reports, carrier events) or lets FastAPI parse it."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from shopsafe.app import create_app
from shopsafe.db.engine import make_engine
from tests.support.remedies import sign
from tests.support.route_access import served_routes

DEEP = ("[" * 5000 + "]" * 5000).encode()
DEEP_OBJECT = ('{"title": ' + "[" * 5000 + "]" * 5000 + "}").encode()
LONG_NUMBER = ('{"recall_id": ' + "1" * 5000 + "}").encode()


def _takes_json(route: APIRoute) -> bool:
    content = ((route.openapi_extra or {}).get("requestBody") or {}).get("content", {})
    return route.body_field is not None or "application/json" in content


ROUTES = [
    (method, re.sub(r"\{\w+\}", "999999", path))
    for (method, path), route in served_routes(create_app(make_engine("sqlite://")))
    if isinstance(route, APIRoute) and path.startswith("/api/") and _takes_json(route)
]


def post(client: TestClient, headers: dict[str, str], method: str, path: str, body: bytes,
         content_type: str = "application/json") -> Any:  # fmt: skip
    sent = {**headers, "Content-Type": content_type, "X-Shopsafe-Signature": sign(body)}
    return client.request(method, path, content=body, headers=sent)


def test_the_routes_are_found() -> None:
    paths = {path for _, path in ROUTES}
    assert {"/api/v1/recalls", "/api/v1/orders", "/api/v1/unsolicited-reports",
            "/api/v1/carrier-events", "/api/v1/remedy-cases"} <= paths  # fmt: skip


@pytest.mark.parametrize(("method", "path"), ROUTES, ids=[f"{m} {p}" for m, p in ROUTES])
@pytest.mark.parametrize("body", [DEEP, DEEP_OBJECT], ids=["array", "object"])
def test_json_nested_too_deeply(
    app_client: TestClient, operator_headers: dict[str, str], method: str, path: str, body: bytes
) -> None:
    answer = post(app_client, operator_headers, method, path, body)
    assert answer.status_code == 422, (answer.status_code, answer.text[:300])
    assert answer.json() == {
        "detail": "body: the JSON is nested too deeply",
        "code": "json_too_deep",
        "problems": ["body: the JSON is nested too deeply"],
    }


@pytest.mark.parametrize(("method", "path"), ROUTES, ids=[f"{m} {p}" for m, p in ROUTES])
def test_a_number_of_5000_digits(
    app_client: TestClient, operator_headers: dict[str, str], method: str, path: str
) -> None:
    answer = post(app_client, operator_headers, method, path, LONG_NUMBER)
    assert answer.status_code == 422, (answer.status_code, answer.text[:300])
    assert answer.json()["detail"] == "body: a number has more than 4300 digits", answer.text


def test_json_lines_nested_too_deeply(
    app_client: TestClient, operator_headers: dict[str, str]
) -> None:
    """The order import reads JSON Lines line by line: the deep line is refused."""
    lines = b'{"order_id": "A-1"}\n' + DEEP + b"\n"
    answer = post(app_client, operator_headers, "POST", "/api/v1/orders", lines,
                  "application/x-ndjson")  # fmt: skip
    assert answer.status_code == 422, answer.text
    assert answer.json()["detail"] == "body: the JSON is nested too deeply"


def test_a_body_json_reads_is_still_read(
    app_client: TestClient, operator_headers: dict[str, str]
) -> None:
    """Nesting Python reads is no problem of its own: the schema answers as before."""
    body = json.dumps({"title": [[[[["x"]]]]]}).encode()
    answer = post(app_client, operator_headers, "POST", "/api/v1/recalls", body)
    assert answer.status_code == 422
    assert answer.json()["code"] == "invalid_input"
    assert any(p.startswith("title: ") for p in answer.json()["problems"]), answer.text
