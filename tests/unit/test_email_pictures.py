"""The recall e-mail puts only web pictures into <img src>: a recall stored before pictures
were checked (`javascript:`, `file:`, `data:`) shows none, and the rest of the e-mail is
as before."""

from __future__ import annotations

import pytest

from shopsafe.notifications.rendering import render
from tests.unit.test_email_rendering import CONTENT, letter

PICTURE = "https://www.cpsc.gov/s3fs-public/mpinoi-1.jpg"


@pytest.mark.parametrize(
    "picture",
    ["javascript:alert(1)", " JavaScript:alert(1)", "file:///etc/passwd",
     "data:image/png;base64,AA", "//cdn.example.com/rail.jpg", "http:/rail.jpg",
     "vbscript:msgbox(1)"],
)  # fmt: skip
def test_no_picture_but_a_web_address(picture: str) -> None:
    mail = render(letter(content={**CONTENT, "images": [picture]}))
    assert "<img" not in mail.html
    assert picture.strip() not in mail.html
    assert "MPINOI" in mail.html and "Stop using the bed rail" in mail.html


@pytest.mark.parametrize("picture", [PICTURE, "HTTP://EXAMPLE.COM/RAIL.JPG"])
def test_web_pictures_are_shown(picture: str) -> None:
    mail = render(letter(content={**CONTENT, "images": [picture]}))
    assert f'<img src="{picture}"' in mail.html


def test_no_picture_at_all() -> None:
    assert "<img" not in render(letter(content={**CONTENT, "images": []})).html


@pytest.mark.parametrize("address", ["javascript:alert(1)", "file:///etc/passwd"])
def test_the_contact_link_is_only_a_web_address(address: str) -> None:
    contact = {**CONTENT["contact"], "url": address}
    mail = render(letter(content={**CONTENT, "contact": contact}))
    assert address not in mail.html and f'href="{address}"' not in mail.html
    web = {**CONTENT["contact"], "url": "https://shop.example/recall"}
    shown = render(letter(content={**CONTENT, "contact": web}))
    assert '<a href="https://shop.example/recall">' in shown.html
