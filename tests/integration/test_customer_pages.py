"""'Your Orders' with the safety banner, 'Your Recalls and Product Safety Alerts', one
notice with the customer's answers and remedy choice, and the public notice page."""

from __future__ import annotations

import itertools
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from shopsafe.audit.models import AuditEvent
from shopsafe.db.session import transaction
from shopsafe.notifications.models import RecallNotice
from shopsafe.recalls import customer_alerts
from shopsafe.recalls.models import Recall
from tests.support.customer_pages import (
    GTIN_BED_RAIL,
    GTIN_HEATER,
    GTIN_KETTLE,
    GTIN_TOASTER,
    buyer_notice,
    close,
    load_orders,
    make_account,
    orders_for,
    post_form,
    publish,
    sign_in,
)

Headers = dict[str, str]
EMMA = "emma@example.com"
BANNER = 'data-testid="safety-banner"'


@pytest.fixture
def emma(app_client: TestClient, operator_headers: Headers, engine: Engine) -> TestClient:
    """Emma bought a bed rail (order A-1), a kettle (A-2), a heater (A-3), a toaster (A-4)."""
    products = [
        (GTIN_BED_RAIL, "Adult portable bed rail"),
        (GTIN_KETTLE, "Glass kettle"),
        (GTIN_HEATER, "Space heater"),
        (GTIN_TOASTER, "Toaster"),
    ]
    records = []
    for number, product in enumerate(products, start=1):
        records += orders_for("C-EMMA", EMMA, [number], products=[product], name="Emma Miller")
    load_orders(app_client, operator_headers, records)
    sign_in(app_client, make_account(engine, "C-EMMA"))
    return app_client


def banner(client: TestClient) -> str | None:
    page = client.get("/orders").text
    found = re.search(r'id="safety-banner-title">([^<]+)<', page)
    assert (found is not None) == (BANNER in page)
    return found.group(1) if found else None


def test_the_banner_follows_what_still_concerns_the_customer(
    emma: TestClient, engine: Engine
) -> None:
    assert banner(emma) is None
    draft_only = publish(engine, gtins=[GTIN_TOASTER])
    with transaction(engine) as session:
        session.execute(update(Recall).where(Recall.id == draft_only).values(status="draft"))
    assert banner(emma) is None  # a draft concerns nobody yet
    bed_rail = publish(engine, gtins=[GTIN_BED_RAIL])
    assert banner(emma) == "A product you bought has been recalled or has a safety warning"
    assert 'href="/account/recalls"' in emma.get("/orders").text
    kettle = publish(engine, gtins=[GTIN_KETTLE])
    heater = publish(engine, gtins=[GTIN_HEATER], kind="safety_warning", remedies=[])
    assert banner(emma) == "3 products you bought have been recalled or have safety warnings"

    page = f"/account/recalls/{bed_rail}"
    post_form(emma, f"{page}/acknowledge", {"answer": "stopped_using"}, page=page)
    assert banner(emma).startswith("3 ")  # type: ignore[union-attr]  # still needs a remedy
    post_form(emma, f"{page}/remedy", {"remedy": "replacement"}, page=page)
    assert banner(emma).startswith("2 ")  # type: ignore[union-attr]
    page = f"/account/recalls/{heater}"
    post_form(emma, f"{page}/acknowledge", {"answer": "stopped_using"}, page=page)
    assert banner(emma) == "A product you bought has been recalled or has a safety warning"
    close(engine, kettle)
    assert banner(emma) is None


def test_sql_and_python_agree_on_what_is_open(emma: TestClient, engine: Engine) -> None:
    recall_id = publish(engine, gtins=[GTIN_BED_RAIL])
    notice_id = buyer_notice(engine, recall_id, EMMA).id
    combos = itertools.product(
        ("recall", "safety_warning"),
        ("published", "closed"),
        (None, "stopped_using", "no_longer_have"),
        (None, "refund"),
    )
    with transaction(engine) as session:
        customer_id = session.get(RecallNotice, notice_id).customer_id  # type: ignore[union-attr]
    for kind, status, ack, remedy in combos:
        with transaction(engine) as session:
            session.execute(
                update(Recall).where(Recall.id == recall_id).values(kind=kind, status=status)
            )
            session.execute(
                update(RecallNotice)
                .where(RecallNotice.id == notice_id)
                .values(acknowledgement=ack, remedy_choice=remedy)
            )
        expected = customer_alerts.is_open(
            kind=kind, status=status, acknowledgement=ack, remedy=remedy
        )
        with Session(engine) as session:
            counted = customer_alerts.banner_count(session, customer_id)
        assert counted == int(expected), (kind, status, ack, remedy)


def test_the_recalls_page_lists_open_ones_first_with_everything_the_customer_needs(
    emma: TestClient, engine: Engine
) -> None:
    bed_rail = publish(engine, gtins=[GTIN_BED_RAIL])
    kettle = publish(
        engine,
        gtins=[GTIN_KETTLE],
        title="Glass kettles recalled: the glass can shatter",
        product_name="Glass kettle 1.7 l",
        hazard="The glass jug can shatter while boiling and cause cuts and burns.",
        risk_level="high",
        instructions="Unplug the kettle and stop using it now.",
    )
    page = f"/account/recalls/{bed_rail}"
    post_form(emma, f"{page}/remedy", {"remedy": "refund"}, page=page)
    html = emma.get("/account/recalls").text
    open_part, closed_part = html.split('data-testid="closed-alerts"')
    assert (
        f'data-recall-id="{kettle}"' in open_part
        and f'data-recall-id="{bed_rail}"' not in open_part
    )
    assert f'data-recall-id="{bed_rail}"' in closed_part
    assert "Glass kettle 1.7 l" in open_part and "High risk" in open_part
    assert "The glass jug can shatter" in open_part
    assert "Unplug the kettle and stop using it now." in open_part  # what to do now
    assert "Refund, Replacement" in open_part  # remedies on offer
    assert 'href="/orders/A-2"' in open_part  # her own order
    assert "bought on March" in open_part  # the purchase date
    assert 'src="https://www.cpsc.gov/s3fs-public/mpinoi-1.jpg"' in html  # product picture
    assert "You asked for: Refund" in closed_part


def test_a_customer_without_recalls_sees_a_friendly_empty_page(emma: TestClient) -> None:
    html = emma.get("/account/recalls").text
    assert 'data-testid="no-alerts"' in html
    assert "Good news: nothing you bought has been recalled" in html


def test_acknowledgement_and_remedy_are_kept_on_the_notice_and_audited(
    emma: TestClient, engine: Engine
) -> None:
    recall_id = publish(engine, gtins=[GTIN_BED_RAIL])
    page = f"/account/recalls/{recall_id}"
    html = emma.get(page).text
    for words in ("I have stopped using it", "I no longer have it", "Request this remedy"):
        assert words in html
    answer = post_form(emma, f"{page}/acknowledge", {"answer": "no_longer_have"}, page=page)
    assert answer.headers["location"].startswith(f"{page}?done=no_longer_have")
    first = buyer_notice(engine, recall_id, EMMA)
    assert first.acknowledgement == "no_longer_have" and first.acknowledged_at is not None
    post_form(emma, f"{page}/acknowledge", {"answer": "stopped_using"}, page=page)
    second = buyer_notice(engine, recall_id, EMMA)
    assert second.acknowledgement == "stopped_using"
    assert second.acknowledged_at == first.acknowledged_at

    assert post_form(emma, f"{page}/remedy", {"remedy": "repair"}, page=page).status_code == 422
    assert post_form(emma, f"{page}/acknowledge", {"answer": "x"}, page=page).status_code == 422
    done = post_form(emma, f"{page}/remedy", {"remedy": "replacement"}, page=page)
    confirmed = emma.get(done.headers["location"]).text
    assert "We have recorded your request for: Replacement" in confirmed
    # The request has a page of its own, linked from the recall: the label, where it is.
    case_link = re.search(
        r'href="(/account/remedies/(\d+))" data-testid="remedy-case-link"', confirmed
    )
    assert case_link is not None
    case_page = emma.get(case_link.group(1))
    assert case_page.status_code == 200 and f"{case_link.group(1)}/label.pdf" in case_page.text
    notice = buyer_notice(engine, recall_id, EMMA)
    assert notice.remedy_choice == "replacement" and notice.remedy_chosen_at is not None
    again = post_form(emma, f"{page}/remedy", {"remedy": "refund"}, page=page)
    assert again.status_code == 409
    assert buyer_notice(engine, recall_id, EMMA).remedy_choice == "replacement"
    with Session(engine) as session:
        events = session.execute(
            select(AuditEvent.action, AuditEvent.actor, AuditEvent.data)
            .where(AuditEvent.subject_type == "recall_notice")
            .order_by(AuditEvent.id)
        ).all()
    assert [(a, actor) for a, actor, _ in events] == [
        ("notice.acknowledged", "customer:C-EMMA"),
        ("notice.acknowledged", "customer:C-EMMA"),
        ("notice.remedy_chosen", "customer:C-EMMA"),
    ]
    assert events[-1][2] == {"recall_id": recall_id, "remedy": "replacement"}


def test_an_ended_recall_stays_readable_but_takes_no_answers(
    emma: TestClient, engine: Engine
) -> None:
    recall_id = publish(engine, gtins=[GTIN_BED_RAIL])
    close(engine, recall_id)
    page = f"/account/recalls/{recall_id}"
    html = emma.get(page).text
    assert "This recall has ended" in html and "Request this remedy" not in html
    assert post_form(emma, f"{page}/remedy", {"remedy": "refund"}, page=page).status_code == 409
    assert 'data-testid="closed-alerts"' in emma.get("/account/recalls").text
    assert emma.get(f"/recalls/{recall_id}").status_code == 404  # public: published only


def test_orders_are_paginated_newest_first_and_recalled_lines_are_marked(
    app_client: TestClient, operator_headers: Headers, engine: Engine
) -> None:
    records = orders_for(
        "C-BIG", "big@example.com", range(1, 26), products=[(GTIN_KETTLE, "Kettle")]
    )
    records[0]["lines"][0].update(gtin=GTIN_BED_RAIL, product_name="Bed rail")
    load_orders(app_client, operator_headers, records)
    sign_in(app_client, make_account(engine, "C-BIG"))
    recall_id = publish(engine, gtins=[GTIN_BED_RAIL])

    def order_ids(html: str) -> list[str]:
        return re.findall(r'href="/orders/(A-\d+)"', html)

    pages = [app_client.get(f"/orders?page={n}").text for n in (1, 2, 3)]
    assert [len(order_ids(p)) for p in pages] == [10, 10, 5]
    assert "page 1 of 3" in pages[0] and 'rel="next"' in pages[0] and 'rel="prev"' not in pages[0]
    everything = [o for p in pages for o in order_ids(p)]
    assert sorted(everything) == sorted(f"A-{n}" for n in range(1, 26))
    assert everything[0] == "A-25" and everything[-1] == "A-1"  # newest first
    assert order_ids(app_client.get("/orders?page=99").text) == order_ids(pages[2])
    assert order_ids(app_client.get("/orders?page=abc").text) == order_ids(pages[0])
    assert f'href="/account/recalls/{recall_id}"' in pages[2]
    assert "/account/recalls/" not in pages[0].split("</header>")[1]
    detail = app_client.get("/orders/A-1").text
    assert "Recalled — see what to do" in detail and "Kettle" not in detail


def test_pages_speak_german_from_the_customer_setting_lang_or_the_browser(
    app_client: TestClient, operator_headers: Headers, engine: Engine
) -> None:
    records = orders_for(
        "C-ANNA", "anna@example.de", [1], products=[(GTIN_BED_RAIL, "Bettgitter")], language="de"
    )
    load_orders(app_client, operator_headers, records)
    assert 'lang="de"' in app_client.get("/", headers={"Accept-Language": "de-DE,de;q=0.9"}).text
    english = app_client.get("/login", headers={"Accept-Language": "fr;q=1, en;q=0.5"}).text
    assert "E-mail address" in english
    sign_in(app_client, make_account(engine, "C-ANNA"))
    recall_id = publish(engine, gtins=[GTIN_BED_RAIL])
    orders = app_client.get("/orders").text
    assert 'lang="de"' in orders and "Meine Bestellungen" in orders
    assert "Für ein Produkt, das Sie gekauft haben, gibt es einen Rückruf" in orders
    notice = app_client.get(f"/account/recalls/{recall_id}").text
    assert "Rückruf: MPINOI-Bettgitter" in notice  # the recall's own German text
    assert "Benutzen Sie das Bettgitter sofort nicht mehr." in notice
    assert "Ich benutze es nicht mehr" in notice and "Erstattung" in notice
    assert "Your Orders" in app_client.get("/orders?lang=en").text
    assert "Your Orders" in app_client.get("/orders").text  # the choice is remembered
    assert "Meine Bestellungen" in app_client.get("/orders?lang=de").text


def test_the_public_notice_carries_no_personal_data(
    emma: TestClient, app_client: TestClient, engine: Engine
) -> None:
    recall_id = publish(engine, gtins=[GTIN_BED_RAIL])
    share = emma.get(f"/account/recalls/{recall_id}").text
    assert f"/recalls/{recall_id}" in share
    with TestClient(emma.app) as stranger:
        html = stranger.get(f"/recalls/{recall_id}").text
        german = stranger.get(f"/recalls/{recall_id}?lang=de").text
        draft = publish(engine, gtins=[GTIN_KETTLE])
        with transaction(engine) as session:
            session.execute(update(Recall).where(Recall.id == draft).values(status="draft"))
        assert stranger.get(f"/recalls/{draft}").status_code == 404
    assert "Adult portable bed rail" in html and "Users can become entrapped" in html
    assert "Rückruf: MPINOI-Bettgitter" in german
    for personal in ("Emma", EMMA, "A-1", "Hauptstr", "10115"):
        assert personal not in html
