"""The API's documentation renders in the browser from this server alone: the browser
profile refuses every request that leaves the test server, so a page that needed a CDN
would stay blank."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.conftest import Server, new_context

pytestmark = pytest.mark.e2e


def test_swagger_ui_lists_the_recall_endpoints(browser: Browser, server: Server) -> None:
    context = new_context(browser, server, java_script_enabled=True)  # Swagger UI needs it
    try:
        page = context.new_page()
        page.goto("/docs")
        recalls = page.locator(".opblock-summary-path", has_text="/api/v1/recalls")
        expect(recalls.first).to_be_visible()
        expect(page.locator(".swagger-ui .info .title")).to_contain_text("Shopsafe")
    finally:
        context.close()
