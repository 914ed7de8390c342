"""The seller and operator consoles and the customer's remedy pages, through the real
forms: starting a recall with a preview, publishing (with and without operator approval),
the dashboard and its chart, moving a case, the audit log, German pages."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from shopsafe.config import get_settings
from shopsafe.recalls.models import Recall
from shopsafe.remedies.models import RemedyCase
from tests.support.consoles import RECALL_FORM, account, browser
from tests.support.customer_pages import csrf_of
from tests.support.remedies import Headers, carrier_event, load, orders, png, set_seller, snapshot


def stat(html: str, name: str) -> str:
    found = re.search(rf'data-testid="stat-{name}">([^<]*)<', html)
    assert found, name
    return found.group(1).strip()


def start_recall(client: TestClient, **changes: object) -> int:
    form = {**RECALL_FORM, **changes, "csrf_token": csrf_of(client.get("/seller/recalls/new").text)}
    answer = client.post("/seller/recalls/new", data=form, follow_redirects=False)
    assert answer.status_code == 303, answer.text
    return int(answer.headers["location"].split("/")[3])


def test_a_seller_starts_previews_publishes_and_watches_the_dashboard(
    app_client: TestClient, engine: Engine, operator_headers: Headers
) -> None:
    load(app_client, operator_headers, orders(3))
    set_seller(app_client, operator_headers, "S-3", "Bioenrrty GmbH")
    seller = browser(engine, account(engine, "staff@s3.example", "seller", seller="S-3"))
    bad = seller.post("/seller/recalls/new", data={
        "csrf_token": csrf_of(seller.get("/seller/recalls/new").text), "title": "x",
        "remedies": ["refund"], "gtins": "04006381333932"})  # fmt: skip
    assert bad.status_code == 422 and "GTIN check digit is wrong" in bad.text
    assert "a recall must offer at least two" in bad.text
    recall_id = start_recall(seller)
    preview = seller.get(f"/seller/recalls/{recall_id}/preview").text
    assert re.search(r'data-testid="preview-units">6<', preview)
    assert re.search(r'data-testid="preview-customers">3<', preview)
    assert "C-5001" in preview
    token = csrf_of(preview)
    published = seller.post(f"/seller/recalls/{recall_id}/publish", data={"csrf_token": token},
                            follow_redirects=False)  # fmt: skip
    assert published.headers["location"] == f"/seller/recalls/{recall_id}"
    board = seller.get(f"/seller/recalls/{recall_id}").text
    assert stat(board, "units_affected") == "6" and stat(board, "remedies_requested") == "0"
    assert "<svg" in board and 'data-series="Remedies requested" data-last="0"' in board
    anna = browser(engine, account(engine, "buyer5000@example.de", "customer", customer="C-5000"))
    ask = anna.get(f"/account/remedies/new?recall={recall_id}").text
    asked = {"csrf_token": csrf_of(ask), "recall_id": recall_id, "remedy": "refund"}
    made = anna.post("/account/remedies", data=asked, follow_redirects=False)
    case_url = made.headers["location"]
    case_page = anna.get(case_url).text
    assert "Rücksendeetikett drucken" in case_page  # Anna reads German
    tracking = re.search(r"TC\d{11}", case_page)
    assert tracking
    carrier_event(app_client, tracking.group(0), "delivered", "c-1")
    board = seller.get(f"/seller/recalls/{recall_id}").text
    assert stat(board, "remedies_requested") == "1" and stat(board, "units_corrected") == "2"
    assert stat(board, "refunds_paid") == "€59.98" and stat(board, "correction_rate") == "33.3 %"
    assert 'data-series="Units corrected" data-last="2"' in board
    assert "Wir haben 59,98\xa0€ erstattet." in anna.get(case_url).text
    csv = seller.get(f"/seller/recalls/{recall_id}/progress-report.csv")
    assert csv.headers["content-type"].startswith("text/csv") and ",59.98,EUR," in csv.text


def test_a_refused_move_on_the_case_page_is_explained_and_changes_nothing(
    app_client: TestClient, engine: Engine, operator_headers: Headers
) -> None:
    load(app_client, operator_headers, orders(2))
    seller = browser(engine, account(engine, "staff@s3.example", "seller", seller="S-3"))
    recall_id = start_recall(seller, remedies=["refund", "replacement", "dispose"])
    token = csrf_of(seller.get(f"/seller/recalls/{recall_id}/preview").text)
    seller.post(f"/seller/recalls/{recall_id}/publish", data={"csrf_token": token})
    anna = browser(engine, account(engine, "buyer5000@example.de", "customer", customer="C-5000"))
    ask = csrf_of(anna.get(f"/account/remedies/new?recall={recall_id}").text)
    case_url = anna.post("/account/remedies", data={"csrf_token": ask, "recall_id": recall_id,
                                                    "remedy": "dispose"}).url.path  # fmt: skip
    case_id = int(case_url.rsplit("/", 1)[1])
    asking = anna.get(case_url).text
    token = csrf_of(asking)
    # How to make it unusable safely, in her language (batteries are never opened or burnt).
    assert 'data-testid="disposal-safety"' in asking and "Batterie" in asking
    wrong = anna.post(f"{case_url}/photo", data={"csrf_token": token},
                      files={"photo": ("x.gif", b"GIF89a....", "image/gif")})  # fmt: skip
    assert wrong.status_code == 422 and "Wir konnten diese Datei nicht verwenden." in wrong.text
    sent = anna.post(f"{case_url}/photo", data={"csrf_token": token},
                     files={"photo": ("p.png", png(), "image/png")})  # fmt: skip
    assert "Danke. Wir haben Ihr Foto erhalten" in sent.text
    page = seller.get(f"/seller/cases/{case_id}").text
    assert "/photos/" in page and 'data-testid="price-paid">€59.98<' in page
    before = snapshot(engine)
    low = seller.post(f"/seller/cases/{case_id}/moves", data={
        "csrf_token": csrf_of(page), "to": "refunded", "amount": "10.00"})  # fmt: skip
    assert low.status_code == 422 and "less than the 59.98 EUR paid" in low.text
    assert snapshot(engine) == before
    done = seller.post(f"/seller/cases/{case_id}/moves", data={
        "csrf_token": csrf_of(page), "to": "refunded", "amount": ""})  # fmt: skip
    assert done.status_code == 200 and 'data-testid="refund"' in done.text


def test_operators_approve_seller_recalls_when_the_setting_asks_for_it(
    app_client: TestClient, engine: Engine, operator_headers: Headers, monkeypatch: object
) -> None:
    import pytest

    assert isinstance(monkeypatch, pytest.MonkeyPatch)
    monkeypatch.setattr(get_settings(), "seller_recalls_need_approval", True)
    load(app_client, operator_headers, orders(1))
    seller = browser(engine, account(engine, "staff@s3.example", "seller", seller="S-3"))
    operator = browser(engine, account(engine, "ops@market.example", "operator"))
    recall_id = start_recall(seller)
    token = csrf_of(seller.get(f"/seller/recalls/{recall_id}/preview").text)
    asked = seller.post(f"/seller/recalls/{recall_id}/publish", data={"csrf_token": token})
    assert 'data-testid="approval-pending"' in asked.text
    with Session(engine) as session:
        assert session.get(Recall, recall_id).status == "draft"  # type: ignore[union-attr]
    home = operator.get("/operator/").text
    assert 'data-testid="approvals"' in home and RECALL_FORM["title"] in home
    decided = operator.post(f"/operator/approvals/{recall_id}", data={
        "csrf_token": csrf_of(home), "decision": "approve"}, follow_redirects=False)  # fmt: skip
    assert decided.status_code == 303
    with Session(engine) as session:
        assert session.get(Recall, recall_id).status == "published"  # type: ignore[union-attr]
    audit = operator.get("/operator/audit?action=recall.approved").text
    assert "operator:ops@market.example" in audit and "<td>recall.published</td>" not in audit
    assert "<td>recall.published</td>" in operator.get("/operator/audit?subject_type=recall").text
    assert operator.get("/operator/audit?since=yesterday").status_code == 422
    board = operator.get(f"/operator/recalls/{recall_id}").text
    assert stat(board, "units_affected") == "2"


def test_the_consoles_speak_german(
    app_client: TestClient, engine: Engine, operator_headers: Headers
) -> None:
    load(app_client, operator_headers, orders(1))
    seller = browser(engine, account(engine, "staff@s3.example", "seller", seller="S-3"))
    recall_id = start_recall(seller)
    assert "Rückruf starten" in seller.get("/seller/?lang=de").text
    preview = seller.get(f"/seller/recalls/{recall_id}/preview").text
    assert "Wen die Veröffentlichung erreicht" in preview and "Rückruf veröffentlichen" in preview
    assert "Abmelden" in preview or "Sign out" not in preview  # the shared catalogue still applies
    with Session(engine) as session:
        assert session.scalars(select(RemedyCase)).first() is None


def test_a_seller_can_withdraw_a_product_from_sale_in_some_countries_only(
    app_client: TestClient, engine: Engine, operator_headers: Headers
) -> None:
    load(app_client, operator_headers, orders(2))
    seller = browser(engine, account(engine, "staff@s3.example", "seller", seller="S-3"))
    recall_id = start_recall(seller, kind="withdrawal", countries="de, at")
    with Session(engine) as session:
        recall = session.get_one(Recall, recall_id)
        assert recall.kind == "withdrawal"
        assert sorted(recall.criteria["countries"]) == ["AT", "DE"]
    form = seller.get("/seller/recalls/new").text
    assert 'value="withdrawal"' in form and 'name="countries"' in form
