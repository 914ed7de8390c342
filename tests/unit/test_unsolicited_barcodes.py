"""Tracking numbers read from generated label photos: tilted, blurred, in each symbology."""

from __future__ import annotations

import io
import random

import pytest
import zxingcpp
from PIL import Image

from shopsafe.ledger import tracking
from shopsafe.unsolicited import barcodes, labels

RNG = random.Random(8)
UPS = tracking.make_ups(RNG)
USPS = tracking.make_usps(RNG)
DHL = tracking.make_dhl(RNG, express=False)
S10 = tracking.make_s10(RNG, "DE")
ADDRESS = ["Maria Kowalski", "27 Birch Lane", "Saratoga Springs NY 12866"]


def _read(*photos: bytes) -> barcodes.Reading:
    return barcodes.read_photos([barcodes.Photo(f"label{i}.jpg", p) for i, p in enumerate(photos)])


@pytest.mark.parametrize(
    ("content", "symbol", "expected", "shown_as", "angle", "blur"),
    [
        (UPS, "code128", UPS, "Code 128", 4, 1.0),
        (UPS, "code128", UPS, "Code 128", -18, 0.8),
        ("(00)" + DHL[2:], "gs1-128", DHL, "GS1-128", 6, 1.0),
        (f"(420)12866({USPS[:2]}){USPS[2:]}", "gs1-128", USPS, "GS1-128", -5, 0.8),
        (S10, "datamatrix", S10, "Data Matrix", 12, 1.0),
        (S10, "pdf417", S10, "PDF417", -7, 1.0),
    ],
)
def test_reads_tilted_blurred_labels(
    content: str, symbol: labels.Symbol, expected: str, shown_as: str, angle: float, blur: float
) -> None:
    photo = labels.as_photo(
        labels.label_image([(content, symbol)], lines=ADDRESS), angle=angle, blur=blur
    )
    reading = _read(photo)
    assert reading.problems == []
    assert reading.numbers == [expected]
    assert [(b.format, b.tracking_numbers) for b in reading.barcodes] == [(shown_as, (expected,))]
    assert reading.qr_codes == 0


def test_a_small_tilted_picture_is_read_after_retrying() -> None:
    label = labels.label_image([(UPS, "code128")])
    small = label.resize((label.width * 2 // 5, label.height * 2 // 5))
    photo = labels.as_photo(small, angle=3, fmt="PNG")
    assert zxingcpp.read_barcodes(barcodes.open_photo(photo)) == []  # one plain try fails
    assert _read(photo).numbers == [UPS]


def test_a_qr_code_is_never_followed_but_warned_about() -> None:
    both = labels.label_image([("https://phish.example/return", "qr"), (UPS, "code128")])
    reading = _read(labels.as_photo(both, angle=2))
    assert reading.numbers == [UPS] and reading.qr_codes == 1 and reading.problems == []
    assert all("phish" not in b.text for b in reading.barcodes)
    only_qr = _read(labels.as_photo(labels.label_image([("https://phish.example", "qr")])))
    assert only_qr.numbers == [] and only_qr.qr_codes == 1
    assert "only a QR code was found" in only_qr.problems[0]
    assert "phishing" in only_qr.problems[0]


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def test_garbage_gets_a_clear_message_per_photo() -> None:
    blank = _png(Image.new("RGB", (800, 600), (240, 240, 240)))
    gif = io.BytesIO()
    Image.new("RGB", (10, 10)).save(gif, format="GIF")
    reading = barcodes.read_photos(
        [
            barcodes.Photo("notes.txt", b"this is not a picture"),
            barcodes.Photo("huge.jpg", b"", size=50 * 1024 * 1024),
            barcodes.Photo("wall.png", blank),
            barcodes.Photo("anim.gif", gif.getvalue()),
            barcodes.Photo("empty.jpg", b""),
            barcodes.Photo("cut.png", blank[: len(blank) // 2]),
            barcodes.Photo("text.png", _png(labels.label_image([("NOT A NUMBER", "code128")]))),
        ]
    )
    assert reading.numbers == []
    assert reading.problems == [
        "photos[0] 'notes.txt': is not an image; please send a PNG or JPEG photo",
        "photos[1] 'huge.jpg': 50.0 MB is more than the limit of 10 MB per photo",
        "photos[2] 'wall.png': no barcode found. Take the photo again straight on, in good "
        "light, with the whole label in the picture, or type the tracking number",
        "photos[3] 'anim.gif': is a GIF file; please send a PNG or JPEG photo",
        "photos[4] 'empty.jpg': the file is empty",
        "photos[5] 'cut.png': is damaged or incomplete; please send the photo again",
        "photos[6] 'text.png': the barcodes on it hold no tracking number we know; please type "
        "the tracking number printed on the label",
    ]
    too_many = barcodes.read_photos([barcodes.Photo("a.png", blank)] * 21)
    assert too_many.problems == ["photos: at most 20 photos, not 21"]


def test_tracking_numbers_inside_barcode_content() -> None:
    assert barcodes.tracking_numbers_in(f"420128661234\x1d{USPS}") == [USPS]
    assert barcodes.tracking_numbers_in(f"42012866{USPS}") == [USPS]
    assert barcodes.tracking_numbers_in(DHL) == [DHL]
    assert barcodes.tracking_numbers_in(f"{UPS} {S10}") == [UPS, S10]
    assert barcodes.tracking_numbers_in("1234567890123") == []
