"""The consoles list the people a notice e-mail could not reach, with the postal address a
letter can go to, and export them as CSV: the seller for its own recalls, the operator for
all; another seller gets nothing."""

from __future__ import annotations

import copy
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tests.factories import order
from tests.support.consoles import account, browser
from tests.support.delivery import (
    Headers,
    load,
    publish,
    run_worker,
    seller_headers,
    worker_settings,
)
from tests.support.smtp import Sink, smtp_server


def _other_sellers_order() -> dict[str, object]:
    record = order(9)
    line = copy.deepcopy(record["lines"][0])
    line.update(seller_id="S-9", seller_name="Other Shop", gtin="4006381333900", sku="K")
    record["lines"] = [line]
    return record


def test_the_consoles_list_undeliverable_people_with_their_address(
    app_client: TestClient, operator_headers: Headers, engine: Engine, tmp_path: Path
) -> None:
    handler = Sink()
    handler.refuse["buyer1@example.de"] = "550 5.1.1 no such mailbox"
    load(app_client, operator_headers, [order(1), order(2), _other_sellers_order()])
    recall_id = publish(app_client, seller_headers(engine, "S-3"), seller_id="S-3")
    with smtp_server(handler) as url:
        run_worker(engine, worker_settings(tmp_path, url))

    seller = browser(engine, account(engine, "recalls@bioenrrty.example", "seller", "S-3"))
    dashboard = seller.get(f"/seller/recalls/{recall_id}")
    assert f'href="/seller/recalls/{recall_id}/undeliverable"' in dashboard.text
    page = seller.get(f"/seller/recalls/{recall_id}/undeliverable")
    assert page.status_code == 200
    assert "buyer1@example.de" in page.text and "Hauptstr. 5" in page.text
    assert "buyer2@example.de" not in page.text  # reached: not listed
    assert "550 5.1.1 no such mailbox" in page.text
    exported = seller.get(f"/seller/recalls/{recall_id}/undeliverable.csv")
    assert exported.headers["content-type"].startswith("text/csv")
    rows = exported.text.strip().splitlines()
    assert len(rows) == 2 and "buyer1@example.de" in rows[1] and "10115,Berlin,DE" in rows[1]

    operator = browser(engine, account(engine, "ops@shop.example", "operator"))
    assert "buyer1@example.de" in operator.get(f"/operator/recalls/{recall_id}/undeliverable").text
    assert operator.get(f"/operator/recalls/{recall_id}/undeliverable.csv").text == exported.text

    other = browser(engine, account(engine, "team@other.example", "seller", "S-9"))
    for path in ("undeliverable", "undeliverable.csv"):
        refused = other.get(f"/seller/recalls/{recall_id}/{path}")
        assert refused.status_code == 403 and "buyer1@example.de" not in refused.text
    assert other.get(f"/operator/recalls/{recall_id}/undeliverable").status_code == 403
    anonymous = TestClient(app_client.app).get(
        f"/seller/recalls/{recall_id}/undeliverable", follow_redirects=False
    )
    assert anonymous.status_code == 303 and "buyer1" not in anonymous.text
