"""A seller in the browser (JavaScript off): starts a recall from the console, sees whom it
reaches, publishes, and watches the dashboard move as a customer asks for a refund and the
carrier's signed events bring the parcel back. Screenshots go to var/screenshots/
(docs/screenshots/ with `make screenshots`)."""

from __future__ import annotations

import json
import re
import urllib.request

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import func, select

from shopsafe.auth import service as auth_service
from shopsafe.config import Settings
from shopsafe.db.session import transaction
from shopsafe.demo import service as demo
from shopsafe.ledger.models import Customer, Order, OrderLine, Seller
from tests.e2e.conftest import SECRET, Server, new_context, screenshot, sign_in
from tests.support.remedies import sign

pytestmark = pytest.mark.e2e
SELLER_EMAIL = "e2e-seller@example.com"


def _product(server: Server) -> tuple[str, str, str, int]:
    """A seller's product bought by several customers: (seller, GTIN, one buyer, units)."""
    with transaction(server.engine) as session:
        buyers = func.count(func.distinct(Order.customer_id))
        seller_pk, gtin, _ = session.execute(
            select(OrderLine.seller_id, OrderLine.gtin, buyers)
            .join(Order, Order.id == OrderLine.order_id)
            .where(OrderLine.gtin.is_not(None))
            .group_by(OrderLine.seller_id, OrderLine.gtin)
            .order_by(buyers.desc(), OrderLine.gtin)
            .limit(1)
        ).one()
        units = session.scalar(
            select(func.sum(OrderLine.quantity)).where(
                OrderLine.seller_id == seller_pk, OrderLine.gtin == gtin
            )
        )
        seller = session.get(Seller, seller_pk)
        assert seller is not None
        buyer = session.scalars(
            select(Customer)
            .join(Order, Order.customer_id == Customer.id)
            .join(OrderLine, OrderLine.order_id == Order.id)
            .where(OrderLine.seller_id == seller_pk, OrderLine.gtin == gtin)
            .order_by(Customer.id)
        ).first()
        assert buyer is not None
        auth_service.create_account(session, email=SELLER_EMAIL, password=demo.DEMO_PASSWORD,
                                    role="seller", seller_id=seller_pk)  # fmt: skip
        email = f"e2e-buyer-{buyer.id}@example.com"
        auth_service.create_account(session, email=email, password=demo.DEMO_PASSWORD,
                                    role="customer", customer_id=buyer.id)  # fmt: skip
        return seller.external_id, str(gtin), email, int(units or 0)


def _stat(page: Page, name: str) -> str:
    return page.get_by_test_id(f"stat-{name}").inner_text().strip()


def _carrier(server: Server, tracking: str, status: str, event_id: str) -> dict[str, object]:
    body = json.dumps({"carrier": "test", "event_id": event_id, "tracking_number": tracking,
                       "status": status}).encode()  # fmt: skip
    secret = Settings(secret_key=SECRET).resolved_carrier_secret()
    request = urllib.request.Request(
        f"{server.url}/api/v1/carrier-events", data=body, method="POST",
        headers={"Content-Type": "application/json", "X-Shopsafe-Signature": sign(body, secret)},
    )  # fmt: skip
    with urllib.request.urlopen(request, timeout=10) as answer:
        return dict(json.loads(answer.read()))


def test_a_seller_runs_a_recall_from_the_console(
    page: Page, browser: Browser, server: Server
) -> None:
    seller, gtin, buyer_email, units = _product(server)
    sign_in(page, SELLER_EMAIL)
    page.goto("/seller/")
    expect(page.get_by_role("heading", name="Your recalls", level=1)).to_be_visible()
    page.get_by_role("link", name="Start a recall").first.click()
    page.get_by_label("Title", exact=True).fill("Kettle lids crack and hot water spills")
    page.get_by_label("Product name", exact=True).fill("Electric kettle")
    page.get_by_label("Brand", exact=True).fill("Demo")
    page.get_by_label("The danger", exact=True).fill("Boiling water can spill and scald.")
    page.get_by_label("What customers must do", exact=True).fill("Stop using the kettle now.")
    page.get_by_label("Where customers find the model or lot number").fill("Under the base.")
    page.get_by_label("Pictures of the product (web addresses, one per line)").fill(
        "https://example.com/kettle.jpg"
    )
    page.get_by_label("Contact phone").fill("+49 800 1234567")
    page.get_by_label("Refund", exact=True).check()
    page.get_by_label("Replacement", exact=True).check()
    page.get_by_label("GTINs (one per line)").fill(gtin)
    page.get_by_role("button", name="See whom it reaches").click()

    expect(page.get_by_role("heading", name="Whom publishing reaches")).to_be_visible()
    expect(page.get_by_test_id("preview-units")).to_have_text(str(units))
    recall_id = int(re.findall(r"/seller/recalls/(\d+)/preview", page.url)[0])
    screenshot(page, "seller-preview")
    page.get_by_test_id("publish").click()
    expect(page).to_have_url(f"{server.url}/seller/recalls/{recall_id}")
    assert _stat(page, "units_affected") == str(units)
    assert _stat(page, "remedies_requested") == "0" and _stat(page, "units_corrected") == "0"

    customer = new_context(browser, server, java_script_enabled=False)
    buyer = customer.new_page()
    sign_in(buyer, buyer_email)
    buyer.goto(f"/account/remedies/new?recall={recall_id}&lang=en")
    buyer.get_by_label("Refund", exact=True).check()
    buyer.get_by_role("button", name="Request this remedy").click()
    expect(buyer.get_by_test_id("label-link")).to_be_visible()
    tracking = re.findall(r"TC\d{11}", buyer.content())[0]
    customer.close()

    page.reload()
    assert _stat(page, "remedies_requested") == "1" and _stat(page, "units_corrected") == "0"
    assert _carrier(server, tracking, "picked_up", "e2e-1")["state"] == "in_transit"
    assert _carrier(server, tracking, "delivered", "e2e-2")["state"] == "refunded"
    page.reload()
    assert _stat(page, "remedies_completed") == "1"
    assert int(_stat(page, "units_corrected")) > 0
    assert _stat(page, "refunds_paid") not in ("", "0")
    expect(page.get_by_test_id("cases")).to_contain_text("refunded")
    expect(page.locator("svg.chart polyline")).to_have_count(4)
    screenshot(page, "seller-dashboard")
    page.get_by_test_id("cases").get_by_role("link").first.click()
    expect(page.get_by_test_id("refund")).to_be_visible()
    assert seller
