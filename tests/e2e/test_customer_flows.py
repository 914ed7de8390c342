"""What a customer does in the browser (JavaScript off): sign in, see the banner on "Your
Orders", follow it, open a recall and choose a remedy; in English and in German; sign in by
the link of a notice e-mail. Screenshots of the main pages go to var/screenshots/
(docs/screenshots/ with `make screenshots`)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from shopsafe.auth import links
from shopsafe.ledger.models import Customer
from shopsafe.notifications.models import RecallNotice
from tests.e2e.conftest import (
    SECRET,
    Server,
    new_context,
    notice_of,
    screenshot,
    sign_in,
)

pytestmark = pytest.mark.e2e


def recall_id_of(page: Page) -> int:
    found = re.search(r"/account/recalls/(\d+)", page.url)
    assert found, page.url
    return int(found.group(1))


def test_a_customer_follows_the_banner_and_chooses_a_remedy(page: Page, server: Server) -> None:
    sign_in(page, server.email("C-DEMO-EN"))
    expect(page).to_have_url(f"{server.url}/orders")
    expect(page.get_by_role("heading", name="Your Orders", exact=True)).to_be_visible()
    banner = page.get_by_test_id("safety-banner")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("bought")
    expect(page.locator(".recalled-flag").first).to_be_visible()
    screenshot(page, "orders")

    banner.get_by_role("link", name="See your recalls and safety alerts").click()
    expect(page).to_have_url(f"{server.url}/account/recalls")
    expect(
        page.get_by_role("heading", name="Your Recalls and Product Safety Alerts", level=1)
    ).to_be_visible()
    open_alerts = page.get_by_test_id("open-alerts").locator("article.alert")
    expect(open_alerts.first).to_be_visible()
    first = open_alerts.first
    expect(first).to_contain_text("The danger")
    expect(first).to_contain_text("What to do now")
    expect(first.locator("a[href^='/orders/']").first).to_be_visible()  # her own order
    screenshot(page, "recalls")

    first.get_by_role("link", name=re.compile("^See what to do")).click()
    recall_id = recall_id_of(page)
    expect(page.get_by_role("heading", name="What to do now")).to_be_visible()
    expect(page.get_by_role("heading", name="Your purchase")).to_be_visible()
    expect(page.get_by_test_id("share-link")).to_have_attribute(
        "href", f"{server.url}/recalls/{recall_id}"
    )
    screenshot(page, "recall")

    page.get_by_role("button", name="I have stopped using it").click()
    expect(page.get_by_test_id("confirmation")).to_contain_text("we have noted your answer")
    page.get_by_role("radio", name=re.compile("^Replacement")).check()
    page.get_by_role("button", name="Request this remedy").click()
    expect(page.get_by_test_id("confirmation")).to_contain_text(
        "We have recorded your request for: Replacement"
    )
    expect(page.get_by_test_id("remedy-chosen")).to_be_visible()
    notice = notice_of(server.engine, "C-DEMO-EN", recall_id)
    assert (notice.remedy_choice, notice.acknowledgement) == ("replacement", "stopped_using")
    assert notice.remedy_chosen_at is not None

    page.goto("/account/recalls")
    closed = page.get_by_test_id("closed-alerts")
    expect(closed.locator(f"[data-recall-id='{recall_id}']")).to_contain_text(
        "You asked for: Replacement"
    )


def test_a_customer_without_recalls_sees_no_banner(page: Page, server: Server) -> None:
    sign_in(page, server.email("C-DEMO-NONE"))
    expect(page.get_by_role("heading", name="Your Orders", exact=True)).to_be_visible()
    expect(page.locator("ol.orders > li").first).to_be_visible()
    expect(page.get_by_test_id("safety-banner")).to_have_count(0)
    expect(page.locator(".recalled-flag")).to_have_count(0)
    page.get_by_role("link", name="Your Recalls and Product Safety Alerts").first.click()
    expect(page.get_by_test_id("no-alerts")).to_contain_text("Good news")
    screenshot(page, "recalls-empty")


def test_the_same_flow_in_german(page: Page, server: Server) -> None:
    sign_in(page, server.email("C-DEMO-DE"))
    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page.get_by_role("heading", name="Meine Bestellungen", exact=True)).to_be_visible()
    banner = page.get_by_test_id("safety-banner")
    expect(banner).to_contain_text("gekauft haben")
    screenshot(page, "orders-de")
    banner.get_by_role("link", name="Zu Ihren Rückrufen und Sicherheitswarnungen").click()
    expect(
        page.get_by_role("heading", name="Meine Rückrufe und Produktsicherheitswarnungen", level=1)
    ).to_be_visible()
    page.get_by_test_id("open-alerts").get_by_role(
        "link", name=re.compile("^Was ist zu tun")
    ).first.click()
    recall_id = recall_id_of(page)
    expect(page.get_by_role("heading", name="Was Sie jetzt tun sollten")).to_be_visible()
    page.get_by_role("radio", name=re.compile("^Erstattung")).check()
    screenshot(page, "recall-de")
    page.get_by_role("button", name="Diese Abhilfe anfordern").click()
    expect(page.get_by_test_id("confirmation")).to_contain_text("Ihren Wunsch erfasst: Erstattung")
    assert notice_of(server.engine, "C-DEMO-DE", recall_id).remedy_choice == "refund"
    page.get_by_role("link", name="English").click()
    expect(page.get_by_test_id("remedy-chosen")).to_contain_text("You asked for: Refund")


def test_sign_in_by_the_link_in_the_notice_email(page: Page, server: Server) -> None:
    notice = _any_notice(server, "C-DEMO-EN")
    claim = links.LinkClaim(notice.customer_id, notice.id, notice.recall_id)
    url = links.sign_in_url(claim, base_url=server.url, secret=SECRET)
    page.goto(url)
    expect(page).to_have_url(f"{server.url}/account/recalls/{notice.recall_id}")
    expect(page.get_by_role("heading", name="What to do now")).to_be_visible()
    page.goto("/orders")
    expect(page.get_by_role("heading", name="Your Orders", exact=True)).to_be_visible()
    page.goto(url.replace("token=", "token=x"))
    expect(page.get_by_role("alert")).to_contain_text("This link does not work")


def test_the_recalls_page_on_a_phone(browser: Browser, server: Server) -> None:
    phone = new_context(
        browser, server, viewport={"width": 390, "height": 844}, device_scale_factor=2,
        is_mobile=True, has_touch=True,
    )  # fmt: skip
    try:
        page = phone.new_page()
        sign_in(page, server.email("C-DEMO-EN"))
        page.goto("/account/recalls")
        expect(page.locator("article.alert").first).to_be_visible()
        screenshot(page, "recalls-phone")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scroll
        page.locator("article.alert a.button").first.click()
        expect(page.get_by_role("heading", name="What to do now")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        screenshot(page, "recall-phone")
    finally:
        phone.close()


def _any_notice(server: Server, customer_id: str) -> RecallNotice:
    with Session(server.engine) as session:
        return session.scalars(
            select(RecallNotice)
            .join(Customer, Customer.id == RecallNotice.customer_id)
            .where(Customer.external_id == customer_id, RecallNotice.role == "buyer")
            .order_by(RecallNotice.id)
        ).first() or pytest.fail(f"{customer_id} has no notice")
