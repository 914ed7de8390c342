"""The seller's webhook endpoint, saved through the settings page: a URL Shopsafe must not
call (not https, credentials, internal addresses, a name resolving inside) is a 422 that
names the reason, and the stored endpoint stays as it was. Names resolve without DNS."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from shopsafe.ledger.models import Seller
from shopsafe.remedies.webhook_addresses import WebhookGuard, current_guard
from tests.support.consoles import account, browser
from tests.support.customer_pages import csrf_of
from tests.support.remedies import Headers, load, orders, set_seller

NAMES = {
    "hooks.seller.example": ["93.184.216.34"],
    "rebind.seller.example": ["93.184.216.34", "::ffff:127.0.0.1"],
    "internal.seller.example": ["10.20.30.40"],
}
SAVED = "https://hooks.seller.example/shopsafe"


def resolve(host: str, port: int) -> Sequence[str]:
    if host not in NAMES:
        raise OSError("Name or service not known")
    return NAMES[host]


@pytest.fixture
def seller(app_client: TestClient, engine: Engine, operator_headers: Headers) -> TestClient:
    load(app_client, operator_headers, orders(1))
    set_seller(app_client, operator_headers, "S-3", "Bioenrrty GmbH")
    client = browser(engine, account(engine, "staff@s3.example", "seller", seller="S-3"))
    client.app.dependency_overrides[current_guard] = lambda: WebhookGuard(resolve=resolve)  # type: ignore[attr-defined]
    return client


def save(client: TestClient, url: str) -> tuple[int, str]:
    token = csrf_of(client.get("/seller/settings").text)
    answer = client.post(
        "/seller/settings", data={"csrf_token": token, "webhook_url": url}, follow_redirects=False
    )
    return answer.status_code, answer.text


def stored(engine: Engine) -> str | None:
    with Session(engine) as session:
        return session.scalar(select(Seller.webhook_url).where(Seller.external_id == "S-3"))


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://hooks.seller.example/shopsafe", "the webhook URL must start with https://"),
        ("https://me:pw@hooks.seller.example/", "must not contain a user name or password"),
        ("https://127.0.0.1:8443/", "the webhook address 127.0.0.1 is a loopback address"),
        ("https://[::1]/", "is a loopback address"),
        ("https://169.254.169.254/latest/", "169.254.169.254 is a link-local address"),
        ("https://192.168.0.1/", "is a private address"),
        ("https://[fd00::5]/", "is a private address"),
        ("https://internal.seller.example/", "internal.seller.example (10.20.30.40) is a private"),
        ("https://rebind.seller.example/", "(::ffff:7f00:1) is a loopback address"),
        ("https://gone.seller.example/", "the webhook host gone.seller.example does not resolve"),
    ],
)
def test_an_endpoint_we_must_not_call_is_refused_and_nothing_changes(
    seller: TestClient, engine: Engine, url: str, reason: str
) -> None:
    assert save(seller, SAVED)[0] == 303
    status, page = save(seller, url)
    assert status == 422 and reason in page
    assert 'data-testid="problems"' in page and f'value="{url}"' in page.replace("&amp;", "&")
    assert stored(engine) == SAVED


def test_a_public_https_endpoint_is_saved_and_can_be_removed(
    seller: TestClient, engine: Engine
) -> None:
    assert save(seller, f"  {SAVED}  ")[0] == 303
    assert stored(engine) == SAVED
    assert save(seller, "")[0] == 303
    assert stored(engine) is None


def test_without_the_test_setting_the_real_check_refuses_a_local_endpoint(
    seller: TestClient, engine: Engine
) -> None:
    seller.app.dependency_overrides.clear()  # type: ignore[attr-defined]
    status, page = save(seller, "http://127.0.0.1:8080/hooks")
    assert status == 422 and "must start with https://" in page
    status, page = save(seller, "https://127.0.0.1:8080/hooks")
    assert status == 422 and "127.0.0.1 is a loopback address" in page
    assert stored(engine) is None


def test_the_test_setting_allows_a_local_http_endpoint(seller: TestClient, engine: Engine) -> None:
    local = WebhookGuard(allow_localhost=True, resolve=resolve)
    seller.app.dependency_overrides[current_guard] = lambda: local  # type: ignore[attr-defined]
    assert save(seller, "http://127.0.0.1:8080/hooks")[0] == 303
    assert stored(engine) == "http://127.0.0.1:8080/hooks"
    status, page = save(seller, "http://10.0.0.1/hooks")
    assert status == 422 and "is a private address" in page
