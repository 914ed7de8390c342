"""The pages: `/unsolicited` in English and German, the private status page, and the
operators' cases with their decisions."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from shopsafe.audit.models import AuditEvent
from shopsafe.auth import service as auth_service
from shopsafe.db.session import transaction
from shopsafe.unsolicited import labels
from tests.support.customer_pages import csrf_of, sign_in
from tests.support.unsolicited import REPORTER, load, parcel, report_body

PASSWORD = "operator password for the tests"


def _photo(number: str) -> bytes:
    image = labels.label_image([(number, "code128")], lines=["Maria Kowalski"])
    return labels.as_photo(image, angle=-4, blur=0.8)


def _report(client: TestClient, number: str, lang: str = "en") -> str:
    token = csrf_of(client.get(f"/unsolicited?lang={lang}").text)
    answer = client.post(
        "/unsolicited",
        data={"csrf_token": token, "postal_code": "12866", "country": "US",
              "email": "maria@home.example"},
        files=[("photos", ("label.jpg", _photo(number), "image/jpeg"))],
        follow_redirects=False,
    )  # fmt: skip
    assert answer.status_code == 303, answer.text
    location = answer.headers["location"]
    assert re.fullmatch(r"/unsolicited/cases/UP-[0-9A-Z]{8}/[\w-]{24}", location)
    return location


def test_report_by_photo_and_see_seller_and_rights(engine: Engine, app_client: TestClient) -> None:
    orders = [parcel(n, customer=f"C-FAKE-{n}") for n in (1, 2)]
    load(engine, orders)
    location = _report(app_client, orders[0]["shipments"][0]["tracking_number"])
    page = app_client.get(location)
    assert page.status_code == 200
    for text in ("Brightwave Gadgets Ltd.", "CR No. 3141592", "39 U.S.C. § 3009",
                 "Do not scan QR codes", "Your rights", "Further deliveries"):  # fmt: skip
        assert text in page.text
    assert "C-FAKE" not in page.text and "mail.example" not in page.text
    assert app_client.get(location.rsplit("/", 1)[0]).status_code == 404
    assert "Ihre Rechte" in app_client.get(f"{location}?lang=de").text
    assert app_client.get(location[:-3]).status_code == 404


def test_the_pages_speak_german(engine: Engine, app_client: TestClient) -> None:
    form = app_client.get("/unsolicited?lang=de")
    assert "Pakete melden, die Sie nicht bestellt haben" in form.text
    assert "Deutschland" in form.text
    orders = [parcel(1, customer="C-FAKE-1")]
    load(engine, orders)
    location = _report(app_client, orders[0]["shipments"][0]["tracking_number"], lang="de")
    page = app_client.get(location)
    assert "Ihre Rechte" in page.text and "Scannen Sie keine QR-Codes" in page.text


def test_a_bad_report_shows_every_problem_and_keeps_the_input(app_client: TestClient) -> None:
    token = csrf_of(app_client.get("/unsolicited").text)
    answer = app_client.post(
        "/unsolicited",
        data={"csrf_token": token, "postal_code": "12866", "country": "US",
              "tracking_numbers": "1Z999AA10123456785"},
        files=[("photos", ("notes.txt", b"hello", "text/plain"))],
    )  # fmt: skip
    assert answer.status_code == 422
    assert (
        "Tracking number 1: 1Z999AA10123456785 looks like a UPS tracking number, but its check "
        "digit is wrong" in answer.text
    )
    assert "Photo 1 (notes.txt): is not an image; please send a PNG or JPEG photo." in answer.text
    assert "1Z999AA10123456785</textarea>" in answer.text
    assert app_client.post("/unsolicited", data={"postal_code": "1"}).status_code == 403


def test_the_problems_are_said_in_german_on_the_german_form(app_client: TestClient) -> None:
    token = csrf_of(app_client.get("/unsolicited?lang=de").text)
    numbers = "\n".join(["1Z999AA10123456785", "hello", "9" * 70])
    answer = app_client.post(
        "/unsolicited?lang=de",
        data={"csrf_token": token, "postal_code": "💥💥", "country": "US",
              "email": "maria-at-home", "tracking_numbers": numbers},
    )  # fmt: skip
    assert answer.status_code == 422
    problems = re.findall(r"<li>(.*?)</li>", answer.text.split('data-testid="problems"')[1])
    assert "Postleitzahl: 💥💥 ist keine Postleitzahl." in problems
    assert "E-Mail: Das ist keine gültige E-Mail-Adresse." in problems
    assert "Sendungsnummer 3: höchstens 64 Zeichen." in problems
    assert not any("String should" in p or "not a valid" in p for p in problems)


def test_operators_decide_on_cases(engine: Engine, app_client: TestClient) -> None:
    orders = [parcel(n, customer=f"C-FAKE-{n}") for n in (1, 2)]
    orders.append(parcel(3, customer="C-FAKE-3", shipped=False))
    load(engine, orders)
    case = _report(app_client, orders[0]["shipments"][0]["tracking_number"]).split("/")[3]
    assert app_client.get("/operator/cases", follow_redirects=False).status_code in (302, 303, 307)
    with transaction(engine) as session:
        auth_service.create_account(
            session, email="trust@shop.example", password=PASSWORD, role="operator"
        )
    sign_in(app_client, "trust@shop.example", PASSWORD)
    listing = app_client.get("/operator/cases")
    assert listing.status_code == 200 and case in listing.text
    detail = app_client.get(f"/operator/cases/{case}")
    assert "C-FAKE-1" in detail.text and "maria@home.example" in detail.text
    assert "U-3" in detail.text  # the held parcel
    token = csrf_of(detail.text)
    done = app_client.post(
        f"/operator/cases/{case}/confirm",
        data={"csrf_token": token, "classification": "brushing", "note": "obvious"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    after = app_client.get(done.headers["location"]).text
    assert "Confirmed" in after and "3 ranking adjustments" in after
    with Session(engine) as session:  # the audit log names the person who decided
        actors = session.scalars(
            select(AuditEvent.actor).where(AuditEvent.action == "unsolicited.case_confirmed")
        ).all()
    assert actors == ["operator:trust@shop.example"]


def test_an_operator_sees_the_other_cases_about_the_same_address_and_seller(
    engine: Engine, app_client: TestClient
) -> None:
    elsewhere = {**REPORTER, "postal_code": "10115", "country": "DE", "city": "Berlin",
                 "line1": "Invalidenstraße 1"}  # fmt: skip
    orders = [parcel(n, customer=f"C-FAKE-{n}") for n in (1, 2)]
    orders.append(parcel(3, customer="C-FAKE-3", ship_to=elsewhere))
    load(engine, orders)
    numbers = [o["shipments"][0]["tracking_number"] for o in orders]
    first, second = (
        app_client.post("/api/v1/unsolicited-reports", json=report_body([n])).json()["case_id"]
        for n in numbers[:2]
    )
    berlin = app_client.post(
        "/api/v1/unsolicited-reports",
        json=report_body([numbers[2]], postal_code="10115", country="DE"),
    ).json()["case_id"]
    with transaction(engine) as session:
        auth_service.create_account(
            session, email="trust@shop.example", password=PASSWORD, role="operator"
        )
    sign_in(app_client, "trust@shop.example", PASSWORD)
    page = app_client.get(f"/operator/cases/{second}").text
    related = re.findall(r'data-testid="related-case"><a href="/operator/cases/([^"]+)"', page)
    assert related == [first]  # not the parcel to Berlin
    assert (
        re.findall(
            r'data-testid="related-case"><a href="/operator/cases/([^"]+)"',
            app_client.get(f"/operator/cases/{berlin}").text,
        )
        == []
    )
