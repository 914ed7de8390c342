"""axe-core (the npm package, injected into each page) finds no serious or critical
accessibility violation on any customer page, on the report form for unsolicited parcels,
or on the seller's and the operator's consoles, in English and in German."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser, Page
from sqlalchemy import select

from shopsafe.auth import service as auth_service
from shopsafe.db.session import transaction
from shopsafe.demo import service as demo
from shopsafe.ledger.models import OrderLine
from shopsafe.recalls.models import RecallMatch
from tests.e2e.conftest import AXE, Server, new_context, sign_in

pytestmark = pytest.mark.e2e
LANGUAGES = ("en", "de")


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """Serious and critical violations on the page (axe is loaded by `add_init_script`)."""
    found: list[dict[str, Any]] = page.evaluate(
        """async () => {
            const result = await axe.run(document, {resultTypes: ["violations"]});
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => n.target.join(" ")).slice(0, 5),
            }));
        }"""
    )
    return [v for v in found if v["impact"] in ("serious", "critical")]


@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `npm ci` (make test does)")
    return AXE.read_text(encoding="utf-8")


def customer_paths(page: Page) -> list[str]:
    """The signed-in customer's pages: orders, an order, the recalls list and a recall."""
    page.goto("/account/recalls")
    recalls = page.locator("article.alert h3 a").evaluate_all("els => els.map(e => e.pathname)")
    page.goto("/orders")
    orders = page.locator("ol.orders dd a").evaluate_all("els => els.map(e => e.pathname)")
    return ["/orders", *orders[:1], "/account/recalls", *recalls[:1]]


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_serious_accessibility_violations_on_customer_pages(
    browser: Browser, server: Server, axe_source: str, language: str
) -> None:
    problems: dict[str, list[dict[str, Any]]] = {}

    def check(page: Page, path: str) -> None:
        page.goto(f"{path}?lang={language}")
        assert page.locator("html").get_attribute("lang") == language
        found = axe_violations(page)
        if found:
            problems[f"{language} {path}"] = found

    # Emma has recalls (and sees every kind of page); Oliver has none (the empty pages).
    for customer, anonymous in (("C-DEMO-EN", ["/", "/login"]), ("C-DEMO-NONE", [])):
        context = new_context(browser, server, bypass_csp=True)
        context.add_init_script(script=axe_source)
        try:
            page = context.new_page()
            for path in anonymous:
                check(page, path)
            sign_in(page, server.email(customer))
            paths = customer_paths(page)
            if customer == "C-DEMO-EN":
                recall = next(p for p in paths if p.startswith("/account/recalls/"))
                paths += [recall.replace("/account", ""), "/orders/no-such-order", "/logout"]
            for path in paths:
                check(page, path)
        finally:
            context.close()
    assert problems == {}


def console_accounts(server: Server) -> tuple[str, str, int]:
    """An operator, and a seller whose sales a published recall reaches: (operator's
    e-mail, seller's e-mail, that recall)."""
    with transaction(server.engine) as session:
        seller_pk, recall_id = session.execute(
            select(OrderLine.seller_id, RecallMatch.recall_id)
            .join(RecallMatch, RecallMatch.order_line_id == OrderLine.id)
            .where(RecallMatch.active.is_(True))
            .order_by(RecallMatch.recall_id, OrderLine.id)
            .limit(1)
        ).one()
        emails = ("axe-operator@shop.example", "axe-seller@shop.example")
        auth_service.create_account(session, email=emails[0], password=demo.DEMO_PASSWORD,
                                    role="operator")  # fmt: skip
        auth_service.create_account(session, email=emails[1], password=demo.DEMO_PASSWORD,
                                    role="seller", seller_id=seller_pk)  # fmt: skip
    return emails[0], emails[1], int(recall_id)


def test_no_serious_accessibility_violations_on_consoles_and_the_report_form(
    browser: Browser, server: Server, axe_source: str
) -> None:
    operator, seller, recall_id = console_accounts(server)
    pages = {
        None: ["/unsolicited"],
        operator: ["/operator/", "/operator/feeds", "/operator/cases", "/operator/audit",
                   f"/operator/recalls/{recall_id}"],
        seller: ["/seller/", "/seller/cases", "/seller/recalls/new", "/seller/settings",
                 f"/seller/recalls/{recall_id}"],
    }  # fmt: skip
    problems: dict[str, list[dict[str, Any]]] = {}
    for who, paths in pages.items():
        context = new_context(browser, server, bypass_csp=True)
        context.add_init_script(script=axe_source)
        try:
            page = context.new_page()
            if who is not None:
                sign_in(page, who)
            for path in paths:
                for language in LANGUAGES:
                    answer = page.goto(f"{path}?lang={language}")
                    assert answer is not None and answer.status == 200, path
                    found = axe_violations(page)
                    if found:
                        problems[f"{language} {path}"] = found
        finally:
            context.close()
    assert problems == {}
