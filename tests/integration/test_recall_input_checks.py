"""What a recall may hold, refused at creation and amendment with 422 naming the field:
serial numbers beyond a 64-bit integer (they made preview, affected and publish crash),
control characters in its texts (PostgreSQL cannot store NUL), and pictures that are not
http(s) web addresses (pages and e-mails put them into <img src>)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select, update
from sqlalchemy.orm import Session

from shopsafe.recalls.models import Recall
from tests.support.consoles import RECALL_FORM, account, browser
from tests.support.customer_pages import csrf_of
from tests.support.recalls import VALID_RECALL, recall_body
from tests.support.remedies import Headers, set_seller

INT64_MAX = 2**63 - 1
GTINS = {"gtins": ["04006381333931"]}


def create(client: TestClient, headers: Headers, **changes: Any) -> Any:
    return client.post("/api/v1/recalls", json=recall_body(**changes), headers=headers)


def refused(answer: Any, *problems: str) -> None:
    assert answer.status_code == 422, answer.text
    for problem in problems:
        assert any(p.startswith(problem) for p in answer.json()["problems"]), answer.text


def recalls(engine: Engine) -> int:
    with Session(engine) as session:
        return int(session.scalar(select(func.count()).select_from(Recall)) or 0)


@pytest.mark.parametrize(
    ("ranges", "field"),
    [
        ([{"prefix": "SN", "from": 0, "to": 10**30}], "criteria.serial_ranges[0].to: "),
        ([{"from": 2**63, "to": 2**64}], "criteria.serial_ranges[0].from: "),
        ([{"from": 1, "to": 2}, {"from": 0, "to": 10**4000}], "criteria.serial_ranges[1].to: "),
    ],
)
def test_serial_numbers_beyond_64_bits_are_refused(
    app_client: TestClient, engine: Engine, operator_headers: Headers,
    ranges: list[dict[str, Any]], field: str,
) -> None:  # fmt: skip
    answer = create(app_client, operator_headers, criteria={**GTINS, "serial_ranges": ranges})
    refused(answer, field)
    assert "less than or equal to 9223372036854775807" in answer.text
    assert recalls(engine) == 0


def test_serial_numbers_up_to_64_bits_preview_and_publish(
    app_client: TestClient, operator_headers: Headers
) -> None:
    ranges = [{"prefix": "SN", "from": 0, "to": INT64_MAX}]
    made = create(app_client, operator_headers, criteria={**GTINS, "serial_ranges": ranges})
    assert made.status_code == 201, made.text
    url = f"/api/v1/recalls/{made.json()['id']}"
    assert app_client.get(f"{url}/preview", headers=operator_headers).status_code == 200
    assert app_client.get(f"{url}/affected", headers=operator_headers).status_code == 200
    assert app_client.post(f"{url}/publish", headers=operator_headers).status_code == 200
    amended = {"criteria": {**GTINS, "serial_ranges": [{"from": 0, "to": 10**19}]}}
    refused(app_client.patch(url, json=amended, headers=operator_headers),
            "criteria.serial_ranges[0].to: ")  # fmt: skip


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": "a\u0000b"}, "title: contains the NUL character"),
        ({"brand": "MPI\u0007NOI"}, "brand: contains the control character U+0007"),
        ({"hazard": "Risk\u001b[31m"}, "hazard: contains the control character U+001B"),
        ({"translations": {"de": {"title": "Rückruf\u0000"}}}, "translations.de.title: "),
        ({"contact": {"phone": "+49\u0000800"}}, "contact.phone: "),
        ({"criteria": {**GTINS, "lots": ["L-1", "L\u00002"]}}, "criteria.lots[1]: "),
        ({"criteria": {"models": [{"brand": "B", "model": "M\u000c1"}]}},
         "criteria.models[0].model: "),
    ],
)  # fmt: skip
def test_control_characters_in_texts_are_refused(
    app_client: TestClient, engine: Engine, operator_headers: Headers,
    changes: dict[str, Any], field: str,
) -> None:  # fmt: skip
    refused(create(app_client, operator_headers, **changes), field)
    assert recalls(engine) == 0


def test_tabs_and_line_breaks_are_text(app_client: TestClient, operator_headers: Headers) -> None:
    hazard = "Two risks:\n\t1. entrapment\r\n\t2. falls"
    made = create(app_client, operator_headers, hazard=hazard)
    assert made.status_code == 201 and made.json()["hazard"] == hazard, made.text
    patch = {"title": "Bed rails\u0000", "note": "fixed\u0001"}
    answer = app_client.patch(f"/api/v1/recalls/{made.json()['id']}", json=patch,
                              headers=operator_headers)  # fmt: skip
    refused(answer, "title: contains the NUL character", "note: contains the control")


BAD_PICTURES = [
    "javascript:alert(1)", "file:///etc/passwd", "data:image/png;base64,iVBORw0KGgo=",
    "//cdn.example.com/rail.jpg", "/static/rail.jpg", "https://", "https:///rail.jpg",
    "http://[::1/rail.jpg", "https://example.com:99999/rail.jpg", "https://exa\nmple.com/x.jpg",
]  # fmt: skip
GOOD_PICTURES = [
    "https://www.cpsc.gov/s3fs-public/Recalled Vernier Go Direct Charge Stations.png",
    "HTTP://EXAMPLE.COM/RAIL.JPG", "https://[2001:db8::1]:8443/rail.jpg?size=large",
]  # fmt: skip


def test_pictures_must_be_web_addresses(
    app_client: TestClient, engine: Engine, operator_headers: Headers
) -> None:
    answer = create(app_client, operator_headers, images=[*GOOD_PICTURES, *BAD_PICTURES])
    first = len(GOOD_PICTURES)
    problems = [f"images[{first + i}]: must be a web address that starts with https:// or "
                "http:// and names a host" for i in range(len(BAD_PICTURES))]  # fmt: skip
    refused(answer, *problems)
    assert not any(p.startswith(f"images[{i}]") for i in range(first) for p in
                   answer.json()["problems"]), answer.text  # fmt: skip
    assert recalls(engine) == 0
    made = create(app_client, operator_headers, images=GOOD_PICTURES)
    assert made.status_code == 201 and made.json()["images"] == GOOD_PICTURES, made.text
    patch = {"images": [VALID_RECALL["images"][0], "javascript:alert(document.cookie)"]}
    answer = app_client.patch(f"/api/v1/recalls/{made.json()['id']}", json=patch,
                              headers=operator_headers)  # fmt: skip
    refused(answer, "images[1]: must be a web address")


def test_the_seller_console_form_shows_why_a_picture_is_refused(
    app_client: TestClient, engine: Engine, operator_headers: Headers
) -> None:
    set_seller(app_client, operator_headers, "S-3", "Bioenrrty GmbH")
    seller = browser(engine, account(engine, "staff@s3.example", "seller", seller="S-3"))
    form = {**RECALL_FORM, "images": "https://example.com/rail.jpg\njavascript:alert(1)",
            "csrf_token": csrf_of(seller.get("/seller/recalls/new").text)}  # fmt: skip
    answer = seller.post("/seller/recalls/new", data=form, follow_redirects=False)
    assert answer.status_code == 422, answer.text
    assert "images[1]: must be a web address that starts with https://" in answer.text
    assert recalls(engine) == 0


def test_a_stored_recall_with_bad_input_is_not_published(
    app_client: TestClient, engine: Engine, operator_headers: Headers
) -> None:
    """A draft stored before these checks: publishing names its problems (no 500)."""
    made = create(app_client, operator_headers)
    assert made.status_code == 201, made.text
    with Session(engine) as session, session.begin():
        stored = session.get(Recall, made.json()["id"])
        assert stored is not None
        content = {**stored.content, "images": ["javascript:alert(1)"]}
        session.execute(update(Recall).where(Recall.id == stored.id).values(content=content))
    answer = app_client.post(f"/api/v1/recalls/{made.json()['id']}/publish",
                             headers=operator_headers)  # fmt: skip
    refused(answer, "images[0]: must be a web address")


def test_the_contact_website_must_be_a_web_address(
    app_client: TestClient, operator_headers: Headers, engine: Engine
) -> None:
    contact = {**VALID_RECALL["contact"], "url": "javascript:alert(1)"}
    refused(create(app_client, operator_headers, contact=contact), "contact.url: must be a web")
    assert recalls(engine) == 0
