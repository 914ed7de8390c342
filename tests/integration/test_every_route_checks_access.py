"""Every page and endpoint checks who is asking (the house rule, CONTRIBUTING.md).

Every route the app serves is in `ROUTES` with the rule it follows, and a route that is not
fails `test_every_route_is_classified`: whoever adds one decides who may use it. Then each
rule is tried against a small marketplace (`tests/support/route_access.py`) with real ids:
the API without a token, with a bad one, with a seller's token where only operators may
act, with another seller's ids; the pages for nobody, the wrong role, another customer or
seller, and forms without their CSRF token. Every refusal leaves every table as it was.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from httpx2 import Response
from sqlalchemy import Engine

from shopsafe.app import create_app
from tests.support.remedies import sign
from tests.support.route_access import (
    ANNAS_MARKS,
    ANY_METHOD,
    FORM,
    QUERY,
    S3_MARKS,
    World,
    call,
    changed,
    module_world,
    served_routes,
    shown,
    shows_nothing,
    snapshot,
)

PUBLIC = "public"
API_OPERATOR = "api: operator token"
API_SELLER = "api: operator token, or a seller token for that seller's own data"
CUSTOMER = "page: the signed-in customer's own data"
SELLER = "page: seller console, the signed-in seller's own data"
OPERATOR = "page: operator console"

ROUTES: dict[tuple[str, str], str] = {
    # --- Public, and why. ---
    ("GET", "/openapi.json"): PUBLIC,  # the API's description; no data
    ("GET", "/docs"): PUBLIC,  # Swagger UI over /openapi.json
    (ANY_METHOD, "/static"): PUBLIC,  # stylesheets and images of the pages
    (ANY_METHOD, "/docs/assets"): PUBLIC,  # Swagger UI's scripts and styles
    ("GET", "/remedies/console.css"): PUBLIC,  # the consoles' stylesheet
    ("GET", "/healthz"): PUBLIC,  # the load balancer's check: {"status": "ok"}
    ("GET", "/"): PUBLIC,  # the home page: links to sign in and to report parcels
    ("GET", "/login"): PUBLIC,  # the sign-in form
    ("POST", "/login"): PUBLIC,  # signing in (CSRF-checked, throttled)
    ("GET", "/login/link"): PUBLIC,  # the signed token of a notice e-mail is the credential
    ("GET", "/logout"): PUBLIC,  # the sign-out form
    ("POST", "/logout"): PUBLIC,  # ends the caller's own session only (CSRF-checked)
    ("GET", "/recalls/{recall_id:int}"): PUBLIC,  # a published notice, no personal data
    ("GET", "/unsolicited"): PUBLIC,  # anyone who got parcels nobody ordered reports them
    ("POST", "/unsolicited"): PUBLIC,  # (CSRF-checked, rate-limited per client)
    ("POST", "/api/v1/unsolicited-reports"): PUBLIC,  # the same as JSON (rate-limited)
    ("GET", "/unsolicited/cases/{number}/{key}"): PUBLIC,  # the reporter's page: the key
    # in the path (an HMAC under the server's secret) is the credential
    ("GET", "/api/v1/unsolicited-reports/{case_id}"): PUBLIC,  # the same with ?key=; an
    # operator token sees everything (both tried in test_secrets_of_public_routes)
    ("POST", "/api/v1/carrier-events"): PUBLIC,  # carriers sign the body (HMAC-SHA256)
    # --- JSON API: operators only. ---
    ("POST", "/api/v1/orders"): API_OPERATOR,
    ("GET", "/api/v1/orders/{order_id}"): API_OPERATOR,
    ("PUT", "/api/v1/sellers/{seller_id}"): API_OPERATOR,
    ("GET", "/api/v1/customers/{customer_id}/alerts"): API_OPERATOR,
    ("GET", "/api/v1/feeds/review"): API_OPERATOR,
    ("GET", "/api/v1/feeds/matches/{match_id}"): API_OPERATOR,
    ("POST", "/api/v1/feeds/matches/{match_id}/approve"): API_OPERATOR,
    ("POST", "/api/v1/feeds/matches/{match_id}/reject"): API_OPERATOR,
    ("GET", "/api/v1/feeds/records"): API_OPERATOR,
    ("GET", "/api/v1/feeds/records/{record_id}"): API_OPERATOR,
    ("POST", "/api/v1/remedy-cases"): API_OPERATOR,  # acting for the customer
    ("POST", "/api/v1/remedy-cases/{case_id}/disposal-photo"): API_OPERATOR,
    ("GET", "/api/v1/unsolicited-reports"): API_OPERATOR,
    ("POST", "/api/v1/unsolicited-reports/{case_id}/confirm"): API_OPERATOR,
    ("POST", "/api/v1/unsolicited-reports/{case_id}/dismiss"): API_OPERATOR,
    ("POST", "/api/v1/unsolicited-reports/{case_id}/suspend-seller"): API_OPERATOR,
    ("POST", "/api/v1/unsolicited-reports/{case_id}/lift-suspension"): API_OPERATOR,
    ("POST", "/api/v1/unsolicited-reports/{case_id}/lift-blocks"): API_OPERATOR,
    ("GET", "/api/v1/ranking-adjustments"): API_OPERATOR,
    ("GET", "/api/v1/brushing/rings"): API_OPERATOR,
    ("GET", "/api/v1/brushing/rings/{ring_id}"): API_OPERATOR,
    ("POST", "/api/v1/brushing/rings/{ring_id}/status"): API_OPERATOR,
    # --- JSON API: operators, and sellers for their own recalls, cases and offers. ---
    ("GET", "/api/v1/sellers/{seller_id}"): API_SELLER,
    ("POST", "/api/v1/recalls"): API_SELLER,
    ("GET", "/api/v1/recalls"): API_SELLER,
    ("GET", "/api/v1/recalls/{recall_id}"): API_SELLER,
    ("PATCH", "/api/v1/recalls/{recall_id}"): API_SELLER,
    ("GET", "/api/v1/recalls/{recall_id}/preview"): API_SELLER,
    ("POST", "/api/v1/recalls/{recall_id}/publish"): API_SELLER,
    ("POST", "/api/v1/recalls/{recall_id}/close"): API_SELLER,
    ("GET", "/api/v1/recalls/{recall_id}/affected"): API_SELLER,
    ("GET", "/api/v1/listings/check"): API_SELLER,
    ("GET", "/api/v1/remedy-cases/{case_id}"): API_SELLER,
    ("POST", "/api/v1/remedy-cases/{case_id}/transitions"): API_SELLER,
    ("GET", "/api/v1/remedy-cases/{case_id}/label.pdf"): API_SELLER,
    ("GET", "/api/v1/remedy-cases/{case_id}/disposal-photo"): API_SELLER,
    ("GET", "/api/v1/recalls/{recall_id}/progress-report.csv"): API_SELLER,
    ("GET", "/api/v1/recalls/{recall_id}/remedy-progress"): API_SELLER,
    ("GET", "/api/v1/recalls/{recall_id}/remedy-cases"): API_SELLER,
    ("GET", "/api/v1/recalls/{recall_id}/stats"): API_SELLER,
    ("GET", "/api/v1/recalls/{recall_id}/undeliverable"): API_SELLER,
    ("GET", "/api/v1/recalls/{recall_id}/undeliverable.csv"): API_SELLER,
    # --- Pages of a signed-in customer. ---
    ("GET", "/orders"): CUSTOMER,
    ("GET", "/orders/{order_id}"): CUSTOMER,
    ("GET", "/account/recalls"): CUSTOMER,
    ("GET", "/account/recalls/{recall_id:int}"): CUSTOMER,
    ("POST", "/account/recalls/{recall_id:int}/acknowledge"): CUSTOMER,
    ("POST", "/account/recalls/{recall_id:int}/remedy"): CUSTOMER,
    ("GET", "/account/remedies/new"): CUSTOMER,
    ("POST", "/account/remedies"): CUSTOMER,
    ("GET", "/account/remedies/{case_id:int}"): CUSTOMER,
    ("GET", "/account/remedies/{case_id:int}/label.pdf"): CUSTOMER,
    ("POST", "/account/remedies/{case_id:int}/photo"): CUSTOMER,
    # --- The seller console. ---
    ("GET", "/seller"): SELLER,
    ("GET", "/seller/"): SELLER,
    ("GET", "/seller/recalls/new"): SELLER,
    ("POST", "/seller/recalls/new"): SELLER,
    ("GET", "/seller/recalls/{recall_id:int}/preview"): SELLER,
    ("POST", "/seller/recalls/{recall_id:int}/publish"): SELLER,
    ("GET", "/seller/recalls/{recall_id:int}"): SELLER,
    ("GET", "/seller/recalls/{recall_id:int}/progress-report.csv"): SELLER,
    ("GET", "/seller/recalls/{recall_id:int}/undeliverable"): SELLER,
    ("GET", "/seller/recalls/{recall_id:int}/undeliverable.csv"): SELLER,
    ("GET", "/seller/cases"): SELLER,  # the signed-in seller's cases only
    ("GET", "/seller/cases/{case_id:int}"): SELLER,
    ("POST", "/seller/cases/{case_id:int}/moves"): SELLER,
    ("GET", "/seller/cases/{case_id:int}/label.pdf"): SELLER,
    ("GET", "/seller/cases/{case_id:int}/photos/{photo_id:int}"): SELLER,
    ("GET", "/seller/settings"): SELLER,
    ("POST", "/seller/settings"): SELLER,
    # --- The operator console. ---
    ("GET", "/operator"): OPERATOR,
    ("GET", "/operator/"): OPERATOR,
    ("POST", "/operator/approvals/{recall_id:int}"): OPERATOR,
    ("GET", "/operator/recalls/{recall_id:int}"): OPERATOR,
    ("GET", "/operator/recalls/{recall_id:int}/progress-report.csv"): OPERATOR,
    ("GET", "/operator/recalls/{recall_id:int}/undeliverable"): OPERATOR,
    ("GET", "/operator/recalls/{recall_id:int}/undeliverable.csv"): OPERATOR,
    ("GET", "/operator/cases/{case_id:int}"): OPERATOR,
    ("POST", "/operator/cases/{case_id:int}/moves"): OPERATOR,
    ("GET", "/operator/cases/{case_id:int}/label.pdf"): OPERATOR,
    ("GET", "/operator/cases/{case_id:int}/photos/{photo_id:int}"): OPERATOR,
    ("GET", "/operator/audit"): OPERATOR,
    ("GET", "/operator/cases"): OPERATOR,
    ("GET", "/operator/cases/{number}"): OPERATOR,
    ("POST", "/operator/cases/{number}/{decision}"): OPERATOR,
    ("GET", "/operator/feeds"): OPERATOR,
    ("GET", "/operator/feeds/"): OPERATOR,
    ("POST", "/operator/feeds/matches/{match_id:int}/approve"): OPERATOR,
    ("POST", "/operator/feeds/matches/{match_id:int}/reject"): OPERATOR,
}

PREFIX = {API_OPERATOR: "/api/v1/", API_SELLER: "/api/v1/", SELLER: "/seller",
          OPERATOR: "/operator", CUSTOMER: ("/orders", "/account/")}  # fmt: skip


def of(*rules: str, method: str | None = None) -> list[tuple[str, str]]:
    return [
        key for key, rule in ROUTES.items() if rule in rules and method in (None, key[0])
    ]  # fmt: skip


def ids(keys: list[tuple[str, str]]) -> list[str]:
    return [f"{method} {path}" for method, path in keys]


@pytest.fixture(autouse=True)
def _empty_tables() -> None:
    """The marketplace is built once for this module (`world`) and emptied after it."""


@pytest.fixture(scope="module")
def world(engine: Engine) -> Iterator[World]:
    yield from module_world(engine)


def refused(engine: Engine, answer: Response, before: Any, *codes: int) -> None:
    assert answer.status_code in codes, (answer.status_code, answer.text[:300])
    assert shows_nothing(answer, *ANNAS_MARKS, *S3_MARKS), shown(answer, ANNAS_MARKS + S3_MARKS)
    assert not changed(before, engine), "a refused request wrote to the database"


# --- The table covers the app. ---


def test_every_route_is_classified(engine: Engine) -> None:
    served = {key for key, _ in served_routes(create_app(engine))}
    unknown = sorted(served - ROUTES.keys())
    assert not unknown, f"routes nobody decided the access rule of (add them to ROUTES): {unknown}"
    assert not sorted(ROUTES.keys() - served), "ROUTES names routes the app does not serve"
    for (_, path), rule in ROUTES.items():
        if rule != PUBLIC:
            assert path.startswith(PREFIX[rule]), f"{path} is not where {rule!r} pages live"
    public_api = [path for (_, path), rule in ROUTES.items() if rule == PUBLIC and "/api/" in path]
    assert len(public_api) == 3, "a new public API route needs a reason in ROUTES"


# --- The JSON API. ---


BAD_CREDENTIALS: list[dict[str, str]] = [
    {},  # no token
    {"Authorization": "Bearer ssk_not-a-token-anyone-was-given"},  # nobody's token
    {"Authorization": "Bearer"},  # an empty one
    {"Authorization": "Basic b3BzOnNlY3JldA=="},  # a password instead of a token
]
API = of(API_OPERATOR, API_SELLER)


@pytest.mark.parametrize("key", API, ids=ids(API))
def test_api_needs_a_valid_token(world: World, engine: Engine, key: tuple[str, str]) -> None:
    before = snapshot(engine)
    for headers in BAD_CREDENTIALS:
        answer = call(world.anonymous, world, key, headers=headers)
        assert answer.status_code == 401, (headers, answer.status_code, answer.text[:300])
        assert answer.json()["code"] in ("unauthorized", "invalid_token"), answer.text
        refused(engine, answer, before, 401)


@pytest.mark.parametrize("key", of(API_OPERATOR), ids=ids(of(API_OPERATOR)))
@pytest.mark.parametrize("seller", ["owner", "stranger"])
def test_operator_api_refuses_seller_tokens(
    world: World, engine: Engine, key: tuple[str, str], seller: str
) -> None:
    headers = world.m.seller if seller == "owner" else world.m.other
    before = snapshot(engine)
    refused(engine, call(world.anonymous, world, key, headers=headers), before, 403)


@pytest.mark.parametrize("key", of(API_SELLER), ids=ids(of(API_SELLER)))
def test_seller_api_refuses_another_sellers_ids(
    world: World, engine: Engine, key: tuple[str, str]
) -> None:
    """S-9's token asks about S-3's recall, cases and offers; S-3's own token gets them."""
    before = snapshot(engine)
    answer = call(world.anonymous, world, key, headers=world.m.other)
    if key == ("GET", "/api/v1/recalls"):  # a list: only the seller's own recalls in it
        assert answer.status_code == 200 and answer.json()["items"] == [], answer.text
        assert shows_nothing(answer, *S3_MARKS)
    else:
        refused(engine, answer, before, 403, 404)
    assert not changed(before, engine)
    if key[0] == "GET":  # the ids are real: their owner sees them
        own = call(world.anonymous, world, key, headers=world.m.seller)
        assert own.status_code == 200, own.text[:300]


# --- Pages. ---

PAGES = of(CUSTOMER, SELLER, OPERATOR)
GET_PAGES = of(CUSTOMER, SELLER, OPERATOR, method="GET")
FORMS = of(CUSTOMER, SELLER, OPERATOR, method="POST")
OWNER = {CUSTOMER: "anna", SELLER: "s3", OPERATOR: "operator"}
WRONG_ROLES = {CUSTOMER: ("s3", "operator"), SELLER: ("anna", "operator"),
               OPERATOR: ("anna", "s3")}  # fmt: skip


@pytest.mark.parametrize("key", GET_PAGES, ids=ids(GET_PAGES))
def test_pages_send_nobody_to_sign_in(world: World, engine: Engine, key: tuple[str, str]) -> None:
    before = snapshot(engine)
    answer = call(world.anonymous, world, key)
    refused(engine, answer, before, 303)
    assert answer.headers["location"].startswith("/login?next="), answer.headers["location"]


@pytest.mark.parametrize("key", FORMS, ids=ids(FORMS))
def test_forms_refuse_nobody(world: World, engine: Engine, key: tuple[str, str]) -> None:
    """Without a session: refused without the CSRF token, sent to sign in (or refused) with
    the anonymous visitor's own token."""
    before = snapshot(engine)
    refused(engine, call(world.anonymous, world, key), before, 403)
    answer = call(world.anonymous, world, key, csrf=world.csrf["anonymous"])
    refused(engine, answer, before, 303, 403)
    if answer.status_code == 303:
        assert answer.headers["location"].startswith("/login"), answer.headers["location"]


@pytest.mark.parametrize("key", PAGES, ids=ids(PAGES))
def test_pages_refuse_the_wrong_role(world: World, engine: Engine, key: tuple[str, str]) -> None:
    """A customer on console pages, a seller on operator or customer pages, an operator on
    seller or customer pages: 403 (a staff form posted to a customer's page: sign in)."""
    for who in WRONG_ROLES[ROUTES[key]]:
        before = snapshot(engine)
        answer = call(world.browsers[who], world, key, csrf=world.csrf[who])
        codes = (403, 303) if key[0] == "POST" and ROUTES[key] == CUSTOMER else (403,)
        refused(engine, answer, before, *codes)
        if answer.status_code == 303:
            assert answer.headers["location"].startswith("/login")


@pytest.mark.parametrize("key", GET_PAGES, ids=ids(GET_PAGES))
def test_pages_open_for_their_owner(world: World, key: tuple[str, str]) -> None:
    """The ids the other tests use are real: the page's owner sees the page."""
    answer = call(world.browsers[OWNER[ROUTES[key]]], world, key)
    assert answer.status_code in (200, 303), (answer.status_code, answer.text[:300])
    if answer.status_code == 303:  # a remedy already asked for: its case page
        assert answer.headers["location"] == f"/account/remedies/{world.case_id}"
    if key == ("GET", "/orders/{order_id}"):  # the marks the other tests look for are real
        assert not shows_nothing(answer, ANNAS_MARKS[1])
    if key == ("GET", "/seller/recalls/{recall_id:int}"):
        assert not shows_nothing(answer, *S3_MARKS)


def with_ids(keys: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Routes that name somebody's things (in the path, the query or the form)."""
    named = {path for path, values in FORM.items() if "{" in "".join(values.values())}
    return [key for key in keys if "{" in key[1] or key[1] in QUERY or key[1] in named]


OTHERS = with_ids(of(CUSTOMER)) + with_ids(of(SELLER))


@pytest.mark.parametrize("key", OTHERS, ids=ids(OTHERS))
def test_another_customer_or_seller_gets_nothing(
    world: World, engine: Engine, key: tuple[str, str]
) -> None:
    """Bob asks for Anna's orders, recalls and remedy case; S-9's staff for S-3's recalls
    and cases: 403 or 404, none of their data, nothing written."""
    who = "bob" if ROUTES[key] == CUSTOMER else "s9"
    before = snapshot(engine)
    answer = call(world.browsers[who], world, key, csrf=world.csrf[who])
    refused(engine, answer, before, 403, 404)


@pytest.mark.parametrize("key", FORMS, ids=ids(FORMS))
def test_forms_need_their_csrf_token(world: World, engine: Engine, key: tuple[str, str]) -> None:
    """Signed in as the form's owner, but without the page's token (or with another
    person's): refused, nothing written."""
    owner = OWNER[ROUTES[key]]
    before = snapshot(engine)
    refused(engine, call(world.browsers[owner], world, key), before, 400, 403)
    answer = call(world.browsers[owner], world, key, csrf=world.csrf["bob"])
    refused(engine, answer, before, 400, 403)


PUBLIC_FORMS = [key for key in of(PUBLIC, method="POST") if not key[1].startswith("/api/")]


@pytest.mark.parametrize("key", PUBLIC_FORMS, ids=ids(PUBLIC_FORMS))
def test_public_forms_need_a_csrf_token(world: World, engine: Engine, key: tuple[str, str]) -> None:
    """Signing in (with the right password), signing out and reporting parcels: not
    without the form's token."""
    before = snapshot(engine)
    answer = call(world.anonymous, world, key)
    assert answer.status_code in (400, 403), answer.text[:300]
    assert "shopsafe_session=" not in answer.headers.get("set-cookie", "")
    assert not changed(before, engine)


# --- Public routes that hold a secret. ---


def test_secrets_of_public_routes(world: World, engine: Engine) -> None:
    client = world.anonymous
    before = snapshot(engine)
    # The reporter's page and its JSON need the key; a seller's token is no key.
    wrong = client.get(f"/unsolicited/cases/{world.number}/{'A' * len(world.key)}")
    assert wrong.status_code == 404 and "Kowalski" not in wrong.text
    assert client.get(f"/unsolicited/cases/{world.number}/{world.key}").status_code == 200
    url = f"/api/v1/unsolicited-reports/{world.number}"
    assert client.get(url).status_code == 404
    assert client.get(url, params={"key": "nope"}).status_code == 404
    assert client.get(url, headers=world.m.seller).status_code == 404
    bad = client.get(url, headers={"Authorization": "Bearer ssk_nope"})
    assert bad.status_code == 401
    assert client.get(url, params={"key": world.key}).status_code == 200
    # A carrier event counts only with the carrier's signature of this very body.
    body = b'{"carrier": "test", "event_id": "x-1", "tracking_number": "X", "status": "lost"}'
    event = "/api/v1/carrier-events"
    assert client.post(event, content=body).status_code == 401
    forged = {"X-Shopsafe-Signature": sign(body + b" ")}  # signs another body
    assert client.post(event, content=body, headers=forged).status_code == 401
    # A forged notice link signs nobody in.
    link = client.get("/login/link", params={"token": "forged"}, follow_redirects=False)
    assert link.status_code == 401 and "shopsafe_session=" not in link.headers.get("set-cookie", "")
    # The public notice has no customer's data; a draft is not public.
    notice = client.get(f"/recalls/{world.recall_id}")
    assert notice.status_code == 200 and shows_nothing(notice, *ANNAS_MARKS)
    assert client.get(f"/recalls/{world.draft_id}").status_code == 404
    assert not changed(before, engine)
