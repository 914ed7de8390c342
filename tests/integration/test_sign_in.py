"""Sign-in with password and by notice link, session cookies, CSRF on every form, sign-out."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from shopsafe.app import create_app
from shopsafe.auth import links
from shopsafe.auth.models import Account, WebSession
from shopsafe.auth.service import digest
from shopsafe.config import get_settings
from shopsafe.notifications.models import RecallNotice
from tests.support.customer_pages import (
    GTIN_BED_RAIL,
    PASSWORD,
    csrf_of,
    load_orders,
    make_account,
    orders_for,
    post_form,
    publish,
    sign_in,
)

Headers = dict[str, str]


@pytest.fixture
def emma(app_client: TestClient, operator_headers: Headers, engine: Engine) -> str:
    records = orders_for("C-1", "emma@example.com", [1, 2], products=[(GTIN_BED_RAIL, "Bed rail")])
    load_orders(app_client, operator_headers, records)
    return make_account(engine, "C-1")


def cookie_header(response: object, name: str) -> str:
    headers = response.headers.get_list("set-cookie")  # type: ignore[attr-defined]
    found = [h for h in headers if h.startswith(f"{name}=")]
    assert found, f"no {name} cookie in {headers}"
    return str(found[0])


def sessions_count(engine: Engine) -> int:
    with Session(engine) as session:
        return int(session.scalar(select(func.count()).select_from(WebSession)) or 0)


def test_password_sign_in_sets_a_safe_session_cookie(
    app_client: TestClient, emma: str, engine: Engine
) -> None:
    form = app_client.get("/login")
    visitor_cookie = cookie_header(form, "shopsafe_visitor").lower()
    assert "httponly" in visitor_cookie and "samesite=lax" in visitor_cookie
    answer = sign_in(app_client, emma.upper())  # e-mail addresses are not case-sensitive
    assert answer.status_code == 303 and answer.headers["location"] == "/orders"
    cookie = cookie_header(answer, "shopsafe_session")
    lowered = cookie.lower()
    assert "httponly" in lowered and "samesite=lax" in lowered and "path=/" in lowered
    assert "secure" not in lowered  # the base URL is http:// here
    token = cookie.split(";")[0].split("=", 1)[1]
    with Session(engine) as session:
        stored = session.scalars(select(WebSession)).one()
    assert stored.token_hash == digest(token) and token not in stored.token_hash
    assert stored.method == "password"
    assert stored.expires_at - stored.created_at == timedelta(days=14)
    assert app_client.get("/orders").status_code == 200


def test_cookies_are_secure_when_the_site_is_https(
    engine: Engine, emma: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SHOPSAFE_BASE_URL", "https://shop.example")
    get_settings.cache_clear()
    try:
        with TestClient(create_app(engine), base_url="https://shop.example") as client:
            answer = sign_in(client, emma)
            assert answer.status_code == 303
            assert "secure" in cookie_header(answer, "shopsafe_session").lower()
            assert "secure" in cookie_header(client.get("/?lang=de"), "shopsafe_lang").lower()
    finally:
        monkeypatch.delenv("SHOPSAFE_BASE_URL")
        get_settings.cache_clear()


def test_wrong_password_and_unknown_address_get_the_same_answer(
    app_client: TestClient, emma: str, engine: Engine
) -> None:
    wrong = sign_in(app_client, emma, "not the password")
    unknown = sign_in(app_client, "nobody@example.com", PASSWORD)
    for answer in (wrong, unknown):
        assert answer.status_code == 401
        assert "The e-mail address or the password is not right" in answer.text
        assert "shopsafe_session=" not in ";".join(answer.headers.get_list("set-cookie"))
    assert sessions_count(engine) == 0


@pytest.mark.parametrize("problem", ["no token", "other browser's token", "foreign origin"])
def test_sign_in_form_refuses_cross_site_requests(
    app_client: TestClient, emma: str, engine: Engine, problem: str
) -> None:
    token = csrf_of(app_client.get("/login").text)
    data = {"email": emma, "password": PASSWORD, "csrf_token": token}
    headers = {}
    if problem == "no token":
        del data["csrf_token"]
    elif problem == "other browser's token":
        with TestClient(app_client.app) as other:
            data["csrf_token"] = csrf_of(other.get("/login").text)
    else:
        headers["Origin"] = "https://evil.example"
    answer = app_client.post("/login", data=data, headers=headers, follow_redirects=False)
    assert answer.status_code == 403
    assert "Please send the form again" in answer.text
    assert sessions_count(engine) == 0


def test_sign_out_ends_the_session_on_the_server(
    app_client: TestClient, emma: str, engine: Engine
) -> None:
    sign_in(app_client, emma)
    stolen = app_client.cookies.get("shopsafe_session")
    refused = app_client.post("/logout", data={"csrf_token": "forged"}, follow_redirects=False)
    assert refused.status_code == 403 and sessions_count(engine) == 1
    odd = app_client.post("/logout", data={"csrf_token": "²ünï"}, follow_redirects=False)
    assert odd.status_code == 403 and sessions_count(engine) == 1  # not a 500
    assert app_client.get("/logout").status_code == 200
    answer = post_form(app_client, "/logout", {}, page="/logout")
    assert answer.status_code == 303 and answer.headers["location"] == "/login?signed_out=1"
    assert sessions_count(engine) == 0
    with TestClient(app_client.app, cookies={"shopsafe_session": stolen or ""}) as thief:
        again = thief.get("/orders", follow_redirects=False)
    assert again.status_code == 303 and again.headers["location"] == "/login?next=%2Forders"


def test_a_new_sign_in_replaces_the_old_session(
    app_client: TestClient, emma: str, engine: Engine
) -> None:
    sign_in(app_client, emma)
    first = app_client.cookies.get("shopsafe_session")
    sign_in(app_client, emma)
    second = app_client.cookies.get("shopsafe_session")
    assert first != second and sessions_count(engine) == 1


def test_pages_need_sign_in_and_return_only_to_this_site(app_client: TestClient, emma: str) -> None:
    for path in ("/orders", "/orders/A-1", "/account/recalls", "/account/recalls/1"):
        answer = app_client.get(path, follow_redirects=False)
        assert answer.status_code == 303 and answer.headers["location"].startswith("/login?next=")
    token = csrf_of(app_client.get("/login?next=/account/recalls").text)
    data = {"email": emma, "password": PASSWORD, "csrf_token": token}
    back = app_client.post("/login", data={**data, "next": "/account/recalls"})
    assert back.url.path == "/account/recalls"
    for evil in ("//evil.example/x", "https://evil.example", "/\\evil.example"):
        data["csrf_token"] = csrf_of(app_client.get("/login").text)
        answer = app_client.post("/login", data={**data, "next": evil}, follow_redirects=False)
        assert answer.headers["location"] == "/orders"


def test_staff_accounts_do_not_see_customer_pages(app_client: TestClient, engine: Engine) -> None:
    from shopsafe.auth import service as auth_service
    from shopsafe.db.session import transaction

    with transaction(engine) as session:
        auth_service.create_account(
            session, email="ops@example.com", password=PASSWORD, role="operator"
        )
    assert sign_in(app_client, "ops@example.com").headers["location"] == "/"
    assert app_client.get("/orders").status_code == 403


def _notice(engine: Engine, email: str) -> RecallNotice:
    with Session(engine) as session:
        return session.scalars(select(RecallNotice).where(RecallNotice.email == email)).one()


def test_sign_in_by_notice_link(app_client: TestClient, emma: str, engine: Engine) -> None:
    recall_id = publish(engine, gtins=[GTIN_BED_RAIL])
    notice = _notice(engine, emma)
    claim = links.LinkClaim(notice.customer_id, notice.id, recall_id)
    answer = app_client.get(f"/login/link?token={links.make_token(claim)}", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/account/recalls/{recall_id}"
    assert "httponly" in cookie_header(answer, "shopsafe_session").lower()
    with Session(engine) as session:
        row = session.scalars(select(WebSession)).one()
    assert row.method == "link" and row.expires_at - row.created_at == timedelta(days=1)
    assert "Bed rail" in app_client.get(answer.headers["location"]).text


def test_a_link_signs_in_a_customer_without_an_account(
    app_client: TestClient, operator_headers: Headers, engine: Engine
) -> None:
    load_orders(
        app_client,
        operator_headers,
        orders_for("C-9", "nora@example.com", [9], products=[(GTIN_BED_RAIL, "Bed rail")]),
    )
    recall_id = publish(engine, gtins=[GTIN_BED_RAIL])
    notice = _notice(engine, "nora@example.com")
    url = links.sign_in_url(links.LinkClaim(notice.customer_id, notice.id, recall_id), base_url="")
    assert app_client.get(url).url.path == f"/account/recalls/{recall_id}"
    with Session(engine) as session:
        account = session.scalars(select(Account)).one()
    assert (account.email, account.role, account.password_hash) == (
        "nora@example.com",
        "customer",
        None,
    )


def test_bad_links_sign_nobody_in(app_client: TestClient, emma: str, engine: Engine) -> None:
    recall_id = publish(engine, gtins=[GTIN_BED_RAIL])
    notice = _notice(engine, emma)
    good = links.make_token(links.LinkClaim(notice.customer_id, notice.id, recall_id))
    wrong_customer = links.make_token(links.LinkClaim(notice.customer_id + 1, notice.id, recall_id))
    other_key = links.make_token(
        links.LinkClaim(notice.customer_id, notice.id, recall_id), secret="another key"
    )
    for token in (good[:-3] + "xyz", wrong_customer, other_key, ""):
        answer = app_client.get(f"/login/link?token={token}", follow_redirects=False)
        assert answer.status_code == 401 and "This link does not work" in answer.text
    assert sessions_count(engine) == 0


def test_a_gift_recipients_link_shows_only_the_public_notice(
    app_client: TestClient, operator_headers: Headers, engine: Engine
) -> None:
    gift = orders_for("C-5", "giver@example.com", [5], products=[(GTIN_BED_RAIL, "Bed rail")])[0]
    gift["gift"] = True
    gift["ship_to"].update(email="friend@example.org", name="Friend")
    load_orders(app_client, operator_headers, [gift])
    recall_id = publish(engine, gtins=[GTIN_BED_RAIL])
    notice = _notice(engine, "friend@example.org")
    claim = links.LinkClaim(notice.customer_id, notice.id, recall_id)
    answer = app_client.get(f"/login/link?token={links.make_token(claim)}", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == f"/recalls/{recall_id}"
    assert sessions_count(engine) == 0


@pytest.fixture
def signed_in(app_client: TestClient, emma: str) -> Iterator[TestClient]:
    sign_in(app_client, emma)
    yield app_client


def test_customer_forms_refuse_missing_or_foreign_tokens(
    signed_in: TestClient, emma: str, engine: Engine
) -> None:
    recall_id = publish(engine, gtins=[GTIN_BED_RAIL])
    path = f"/account/recalls/{recall_id}"
    with TestClient(signed_in.app) as other:
        foreign = csrf_of(other.get("/login").text)
    for token in (None, foreign, "0" * 64):
        data = {"remedy": "refund"} | ({"csrf_token": token} if token else {})
        assert signed_in.post(f"{path}/remedy", data=data).status_code == 403
        data = {"answer": "stopped_using"} | ({"csrf_token": token} if token else {})
        assert signed_in.post(f"{path}/acknowledge", data=data).status_code == 403
    notice = _notice(engine, emma)
    assert notice.remedy_choice is None and notice.acknowledgement is None
    ok = post_form(signed_in, f"{path}/remedy", {"remedy": "refund"}, page=path)
    assert ok.status_code == 303
    assert _notice(engine, emma).remedy_choice == "refund"
