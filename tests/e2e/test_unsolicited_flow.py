"""Acceptance (issue 8): someone reports a parcel by uploading a photo of its label, sees
the seller's identity and their rights; a new order from that seller to that address is
then imported and its shipment is held."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from shopsafe.auth import service as auth_service
from shopsafe.db.session import transaction
from shopsafe.ledger import tracking
from shopsafe.unsolicited import demo_story
from tests.e2e.conftest import TODAY, Server, screenshot, sign_in

pytestmark = pytest.mark.e2e
OPERATOR_EMAIL = "trust.safety@shopsafe.example"
OPERATOR_PASSWORD = "an operator's long password"


def _prepare(server: Server) -> tuple[demo_story.DemoStory, str]:
    """The demo's story of a hundred parcels, an operator account and an API token."""
    with transaction(server.engine) as session:
        story = demo_story.add_to_demo(session, today=TODAY)
        auth_service.create_account(
            session, email=OPERATOR_EMAIL, password=OPERATOR_PASSWORD, role="operator"
        )
        token = auth_service.create_token(session, role="operator", label="e2e")
    return story, token


def _new_order(number: str) -> dict[str, object]:
    """A new order of the same seller to the same home, label printed, not yet shipped."""
    parcel = demo_story.orders(TODAY)[0]
    return {
        **parcel,
        "order_id": "O-BW-NEW-1",
        "buyer": {**parcel["buyer"], "customer_id": "C-BW-NEW", "email": "fresh@mailbox.example"},
        "shipments": [{"carrier": "USPS", "tracking_number": number, "line_ids": ["1"],
                       "shipped_at": None, "delivered_at": None}],
    }  # fmt: skip


def test_report_by_photo_then_new_orders_are_held(
    page: Page, server: Server, tmp_path: Path
) -> None:
    story, token = _prepare(server)
    label = demo_story.write_label(tmp_path / "label.jpg", story.tracking_numbers[5])

    page.goto("/unsolicited")
    expect(page.get_by_role("heading", name="Report packages you did not order")).to_be_visible()
    page.locator("#photos").set_input_files(str(label))
    page.locator("#postal_code").fill("12866")
    page.locator("#country").select_option("US")
    page.get_by_role("button", name="Send report").click()

    expect(page).to_have_url(re.compile(r"/unsolicited/cases/UP-[0-9A-Z]{8}/[\w-]{24}$"))
    parcel = page.get_by_test_id("parcel").first
    expect(parcel).to_contain_text(story.tracking_numbers[5])
    seller = page.get_by_test_id("seller").first
    expect(seller).to_contain_text("Brightwave Gadgets Ltd.")
    expect(seller).to_contain_text("Unit 5, 12 Harbour Road, 999077 Wan Chai, HK")
    expect(seller).to_contain_text("Companies Registry CR No. 3141592")
    expect(parcel).to_contain_text("Brushing")
    rights = page.get_by_test_id("rights")
    expect(rights.get_by_role("heading", name="Your rights")).to_be_visible()
    expect(rights).to_contain_text("39 U.S.C. § 3009")
    expect(page.get_by_test_id("advice")).to_contain_text("Do not scan QR codes")
    expect(page.get_by_test_id("data-source")).to_contain_text("24 accounts")
    expect(page.locator("body")).not_to_contain_text("C-BW-")
    case_id = page.url.split("/unsolicited/cases/")[1].split("/")[0]
    screenshot(page, "unsolicited-report")

    new_number = tracking.make_usps(random.Random(42), serial=99_001)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    imported = page.request.post(
        f"{server.url}/api/v1/orders", data=json.dumps([_new_order(new_number)]), headers=headers
    )
    assert imported.ok, imported.text()
    order = page.request.get(f"{server.url}/api/v1/orders/O-BW-NEW-1", headers=headers).json()
    assert order["shipments"][0]["status"] == "held"
    assert order["shipments"][0]["hold_reason"] == "unsolicited_report"

    sign_in(page, OPERATOR_EMAIL, OPERATOR_PASSWORD)
    page.goto(f"/operator/cases/{case_id}")
    held = page.get_by_test_id("held").filter(has_text="O-BW-NEW-1")
    expect(held).to_contain_text(new_number)
    expect(held).to_contain_text("held (unsolicited_report)")
    screenshot(page, "unsolicited-case")
