"""Browser tests: a real uvicorn server on a free port over the demo marketplace, driven by
Playwright in Debian's Chromium (`/usr/bin/chromium`; browsers cannot be downloaded here).

The server uses the suite's database (SQLite, or PostgreSQL when
SHOPSAFE_TEST_DATABASE_URL is set), filled once by `shopsafe.demo.service.seed`
and emptied afterwards: a small demo marketplace, the demo's recalls of what the scripted
customers bought, and, should the demo publish none for C-DEMO-EN or C-DEMO-DE, a recall of a
product each of them bought.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Page,
    Playwright,
    Route,
    sync_playwright,
)
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from shopsafe.auth import service as auth_service
from shopsafe.db import migrate
from shopsafe.db.engine import make_engine
from shopsafe.db.session import transaction
from shopsafe.demo import recalls as demo_recalls
from shopsafe.demo import service as demo
from shopsafe.ledger.models import Customer, Order, OrderLine
from shopsafe.notifications.models import RecallNotice
from tests.conftest import empty_database
from tests.support.customer_pages import OPERATOR
from tests.support.recalls import recall_body

ROOT = Path(__file__).resolve().parents[2]
# The README's pictures are rewritten only when asked (`make screenshots`); ordinary runs
# still take every screenshot, into var/screenshots/, so that the step cannot rot.
UPDATE_SCREENSHOTS = os.environ.get("SHOPSAFE_UPDATE_SCREENSHOTS") == "1"
SCREENSHOTS = ROOT / ("docs/screenshots" if UPDATE_SCREENSHOTS else "var/screenshots")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SECRET = "e2e-secret-key-for-signed-links-and-csrf"
TODAY = dt.date(2026, 3, 31)
PLACEHOLDER_IMAGE = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="240" height="240" viewBox="0 0 240 240">'
    '<rect width="240" height="240" fill="#e9eef4"/><rect x="60" y="70" width="120" height="110"'
    ' rx="10" fill="#9fb3c8"/><rect x="80" y="50" width="80" height="30" rx="6" fill="#7f97b0"/>'
    "</svg>"
)


@dataclass(frozen=True)
class Server:
    url: str
    engine: Engine
    emails: dict[str, str]  # demo customer id → e-mail address (password demo.DEMO_PASSWORD)

    def email(self, customer_id: str) -> str:
        return self.emails[customer_id]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_until_up(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server stopped with exit code {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=1) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("the server did not come up within 30 s")


def fill(engine: Engine) -> dict[str, str]:
    """A small demo marketplace (the scripted demo customers are always in it), the demo's
    real CPSC recalls of what they bought, and their sign-in accounts."""
    with transaction(engine) as session:
        market, _ = demo.seed(session, customers=60, orders=200, seed=demo.DEMO_SEED, today=TODAY)
        numbers = {n for p in market.demo_people for n in p.get("recall_numbers", [])}
        demo_recalls.publish_for(session, sorted(numbers))
        emails = {}
        for person in market.demo_people:
            customer = session.scalars(
                select(Customer).where(Customer.external_id == person["customer_id"])
            ).one()
            auth_service.create_account(
                session, email=customer.email, password=demo.DEMO_PASSWORD, role="customer",
                customer_id=customer.id,
            )  # fmt: skip
            emails[customer.external_id] = customer.email
    for customer_id in ("C-DEMO-EN", "C-DEMO-DE"):
        ensure_recall_for(engine, customer_id)
    return emails


def ensure_recall_for(engine: Engine, customer_id: str) -> None:
    """Publishes a recall of a product the customer bought, unless one concerns them."""
    with transaction(engine) as session:
        customer = session.scalars(
            select(Customer).where(Customer.external_id == customer_id)
        ).one()
        if session.scalar(select(RecallNotice.id).where(RecallNotice.customer_id == customer.id)):
            return
        gtin = session.scalar(
            select(OrderLine.gtin)
            .join(Order, Order.id == OrderLine.order_id)
            .where(Order.customer_id == customer.id, OrderLine.gtin.is_not(None))
            .order_by(OrderLine.id)
        )
        from shopsafe.recalls import service as recalls

        recall = recalls.create(
            session, data=recall_body(criteria={"gtins": [gtin]}), principal=OPERATOR
        )
        recalls.publish(session, recall_id=recall.id, principal=OPERATOR)


@pytest.fixture(scope="session")
def server(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    engine = make_engine(database_url)
    migrate.upgrade(engine)
    empty_database(engine)
    emails = fill(engine)
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "SHOPSAFE_DATABASE_URL": database_url,
        "SHOPSAFE_SECRET_KEY": SECRET,
        "SHOPSAFE_BASE_URL": url,
        "SHOPSAFE_VAR_DIR": str(tmp_path_factory.mktemp("e2e-var")),
    }
    command = [sys.executable, "-m", "uvicorn", "shopsafe.app:create_app", "--factory"]
    command += ["--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]
    process = subprocess.Popen(command, env=env, cwd=ROOT)
    try:
        _wait_until_up(url, process)
        yield Server(url, engine, emails)
    finally:
        process.terminate()
        process.wait(timeout=10)
        empty_database(engine)
        engine.dispose()


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield chromium
    chromium.close()


def new_context(browser: Browser, server: Server, **options: object) -> BrowserContext:
    """A fresh browser profile that keeps to the test server: pictures from elsewhere (the
    recalls' product photos) are answered with a local placeholder."""
    context = browser.new_context(base_url=server.url, **options)  # type: ignore[arg-type]
    context.set_default_timeout(10_000)

    def outside(route: Route) -> None:
        if route.request.resource_type == "image":
            route.fulfill(status=200, content_type="image/svg+xml", body=PLACEHOLDER_IMAGE)
        else:
            route.abort()

    context.route(lambda url: not url.startswith(server.url), outside)
    return context


@pytest.fixture
def context(browser: Browser, server: Server) -> Iterator[BrowserContext]:
    """A browser with JavaScript switched off: every page must work without it."""
    created = new_context(
        browser, server, java_script_enabled=False, viewport={"width": 1100, "height": 900}
    )
    yield created
    created.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


def sign_in(page: Page, email: str, password: str = demo.DEMO_PASSWORD) -> None:
    page.goto("/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(password)
    page.locator("form.form-card button[type=submit]").click()


def screenshot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def notice_of(engine: Engine, customer_id: str, recall_id: int) -> RecallNotice:
    with Session(engine) as session:
        return session.scalars(
            select(RecallNotice)
            .join(Customer, Customer.id == RecallNotice.customer_id)
            .where(
                Customer.external_id == customer_id,
                RecallNotice.recall_id == recall_id,
                RecallNotice.role == "buyer",
            )
        ).one()
