"""Reports with photos of labels (multipart): read, answered, and garbage refused whole."""

from __future__ import annotations

import io

from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from shopsafe.db.registry import Base
from shopsafe.unsolicited import labels
from tests.support.unsolicited import load, parcel

URL = "/api/v1/unsolicited-reports"
FORM = {"postal_code": "12866", "country": "US", "email": "maria@home.example"}


def _label(number: str) -> bytes:
    image = labels.label_image([(number, "code128")], lines=["Maria Kowalski", "12866"])
    return labels.as_photo(image, angle=5, blur=0.9)


def test_a_photo_of_a_label_is_traced(engine: Engine, app_client: TestClient) -> None:
    orders = [parcel(n, customer=f"C-FAKE-{n}") for n in (1, 2)]
    load(engine, orders)
    first, second = (o["shipments"][0]["tracking_number"] for o in orders)
    answer = app_client.post(
        URL,
        data={**FORM, "tracking_numbers": second},
        files=[("photos", ("label.jpg", _label(first), "image/jpeg"))],
    )
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert [(s["tracking_number"], s["found"]) for s in body["shipments"]] == [
        (second, True),
        (first, True),
    ]
    assert body["barcodes"] == [{"photo": 0, "format": "Code 128", "tracking_numbers": [first]}]
    assert body["qr_warning"] is None


def _stored(engine: Engine) -> dict[str, int]:
    with Session(engine) as session:
        return {
            name: int(session.scalar(select(func.count()).select_from(table)) or 0)
            for name, table in Base.metadata.tables.items()
            if name.startswith(("unsolicited", "delivery_blocks", "audit"))
        }


def test_garbage_uploads_are_refused_with_clear_messages_and_nothing_is_stored(
    engine: Engine, app_client: TestClient
) -> None:
    orders = [parcel(1, customer="C-FAKE-1")]
    load(engine, orders)
    before = _stored(engine)
    blank = io.BytesIO()
    Image.new("RGB", (640, 480), (235, 235, 235)).save(blank, format="JPEG")
    good = orders[0]["shipments"][0]["tracking_number"]
    answer = app_client.post(
        URL,
        data={**FORM, "tracking_numbers": good},
        files=[
            ("photos", ("notes.pdf", b"%PDF-1.4 not a photo", "application/pdf")),
            ("photos", ("big.jpg", b"\xff" * (50 * 1024 * 1024), "image/jpeg")),
            ("photos", ("wall.jpg", blank.getvalue(), "image/jpeg")),
        ],
    )
    assert answer.status_code == 422
    assert answer.json()["problems"] == [
        "photos[0] 'notes.pdf': is not an image; please send a PNG or JPEG photo",
        "photos[1] 'big.jpg': 50.0 MB is more than the limit of 10 MB per photo",
        "photos[2] 'wall.jpg': no barcode found. Take the photo again straight on, in good "
        "light, with the whole label in the picture, or type the tracking number",
    ]
    assert _stored(engine) == before
    assert sum(before.values()) == 0


def test_an_oversized_request_is_refused_before_it_is_read(app_client: TestClient) -> None:
    answer = app_client.post(
        URL,
        content=b"x",
        headers={"content-type": "multipart/form-data; boundary=x", "content-length": str(10**9)},
    )
    assert answer.status_code == 413
    assert "at most 20 photos of up to 10 MB each" in answer.json()["detail"]
