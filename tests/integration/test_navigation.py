"""The header's links belong to whoever is signed in: an operator gets the operator's
console, a seller the seller's, a customer (or a visitor) the shop's own pages; the link of
the section the page is in is marked as the current page."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from shopsafe.app import create_app
from shopsafe.db.session import transaction
from shopsafe.ledger.models import Seller
from tests.support.consoles import account, browser

NAV = re.compile(r'<nav class="main-nav"[^>]*>(.*?)</nav>', re.S)
LINK = re.compile(r'<a href="([^"]+)"( aria-current="page")?>')


def header_links(html: str) -> tuple[list[str], list[str]]:
    found = NAV.search(html)
    assert found is not None
    links = LINK.findall(found.group(1))
    return [href for href, _ in links], [href for href, current in links if current]


def test_each_role_gets_its_own_sections(engine: Engine) -> None:
    with transaction(engine) as session:
        session.add(Seller(external_id="S-1", name="Nordlicht GmbH"))
    operator = browser(engine, account(engine, "ops@shop.example", "operator"))
    seller = browser(engine, account(engine, "team@nordlicht.example", "seller", "S-1"))

    for path, current in [
        ("/operator/", "/operator/"),
        ("/operator/cases", "/operator/cases"),
        ("/operator/feeds", "/operator/feeds"),
        ("/operator/audit", "/operator/audit"),
    ]:
        links, marked = header_links(operator.get(path).text)
        assert links == ["/operator/", "/operator/feeds", "/operator/cases", "/operator/audit"]
        assert marked == [current], path

    links, marked = header_links(seller.get("/seller/settings").text)
    assert links == ["/seller/", "/seller/cases", "/seller/recalls/new", "/seller/settings"]
    assert marked == ["/seller/settings"]
    assert header_links(seller.get("/seller/recalls/new").text)[1] == ["/seller/recalls/new"]

    visitor = TestClient(create_app(engine))
    links, marked = header_links(visitor.get("/unsolicited").text)
    assert links == ["/orders", "/account/recalls", "/unsolicited"]
    assert marked == ["/unsolicited"]
