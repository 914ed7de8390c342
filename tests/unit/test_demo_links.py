"""The demo's links lead to the server it runs on, unless SHOPSAFE_BASE_URL says otherwise."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from shopsafe.cli_commands.run_commands import _links_to_this_server
from shopsafe.config import get_settings


@pytest.fixture(autouse=True)
def _fresh_settings() -> Iterator[None]:
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_links_follow_the_port_the_demo_serves(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHOPSAFE_BASE_URL", "")
    _links_to_this_server("127.0.0.1", 8765)
    assert get_settings().base_url == "http://127.0.0.1:8765"
    monkeypatch.setenv("SHOPSAFE_BASE_URL", "")
    _links_to_this_server("::1", 8001)
    assert get_settings().base_url == "http://[::1]:8001"


def test_a_configured_address_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHOPSAFE_BASE_URL", "https://safety.shop.example")
    _links_to_this_server("127.0.0.1", 8765)
    assert get_settings().base_url == "https://safety.shop.example"
