"""The e-mails: templates per e-mail, languages with fallback, who sees what, and the MIME
message they become (parsed back with the standard library)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any, cast

from shopsafe.notifications.mime import compose, message_id
from shopsafe.notifications.rendering import (
    EMAILS,
    TEMPLATES,
    Letter,
    Purchase,
    Rendered,
    language_of,
    render,
)
from tests.support.recalls import VALID_RECALL

CONTENT: dict[str, Any] = {
    k: v for k, v in VALID_RECALL.items() if k not in ("kind", "criteria", "seller_id")
}
PURCHASES = (
    Purchase("Adult portable bed rail", "A-1001", date(2025, 3, 1), 2),
    Purchase("Adult portable bed rail", "A-2002", date(2025, 5, 17), 1),
)
LINK = "https://shop.example/login/link?token=abc.def"


def letter(**changes: Any) -> Letter:
    values: dict[str, Any] = {
        "email": "notice", "recall_kind": "recall", "language": "en", "role": "buyer",
        "name": "Anna Schmidt", "content": CONTENT, "purchases": PURCHASES, "link": LINK,
    }  # fmt: skip
    values.update(changes)
    return Letter(**values)


def parsed(rendered: Rendered, **changes: Any) -> EmailMessage:
    values: dict[str, Any] = {
        "mail_from": "Shopsafe Sicherheit <safety@shop.example>", "to_email": "anna@example.de",
        "to_name": "Anna Schmidt", "message_id": "<shopsafe.1.abc@shop.example>",
        "idempotency_key": "recall:1:notice:1", "at": datetime(2026, 1, 2, 3, 4, tzinfo=UTC),
    }  # fmt: skip
    values.update(changes)
    return cast(
        EmailMessage, message_from_bytes(compose(rendered, **values), policy=policy.default)
    )


def text_of(message: EmailMessage, subtype: str) -> str:
    part = message.get_body((subtype,))
    assert part is not None
    return str(cast(EmailMessage, part).get_content()).replace("\r\n", "\n")


def test_english_notice_has_every_part_of_the_notice() -> None:
    mail = render(letter())
    assert mail.subject.startswith("Product safety recall: MPINOI adult portable bed rails")
    assert mail.text.startswith("PRODUCT SAFETY RECALL\n")
    assert ">Product safety recall</h1>" in mail.html
    for text in (mail.text, mail.html):
        assert "https://www.cpsc.gov/s3fs-public/mpinoi-1.jpg" in text  # the picture
        assert "entrapped in the rail" in text  # the hazard
        assert "Stop using the bed rail immediately" in text  # what to do now
        assert "Refund of the purchase price" in text and "A safe replacement" in text
        assert "+49 800 1234567" in text and "recall@example.com" in text  # the contact
        assert "please pass this notice on" in text
        assert "A-1001" in text and "A-2002" in text and "March 1, 2025" in text
        assert "29.99" not in text  # never a price
    assert LINK in mail.text and f'href="{LINK}"' in mail.html
    assert "works for 60 days" in mail.text
    assert '<img src="https://www.cpsc.gov/s3fs-public/mpinoi-1.jpg"' in mail.html


def test_german_notice_uses_the_recall_translation_and_german_words() -> None:
    mail = render(letter(language="de-AT"))
    assert mail.language == "de"
    assert mail.subject == (
        "Produktrückruf: Rückruf: MPINOI-Bettgitter – Gefahr des Einklemmens und Erstickens"
    )
    assert "Guten Tag Anna Schmidt," in mail.text
    assert "Nutzer können sich im Gitter einklemmen" in mail.text  # translated hazard
    assert "1. März 2025" in mail.text and "Bestellnummer: A-1001" in mail.text
    assert "Erstattung des Kaufpreises" in mail.text
    assert "Users can become" not in mail.text
    # Not translated by the recall: the original text, framed in German.
    assert "The brand name MPINOI is printed" in mail.text
    assert '<html lang="de">' in mail.html


def test_other_languages_fall_back_to_english() -> None:
    assert [language_of(t) for t in ("fr", "de-CH", "DE", "en_GB", "", None)] == [
        "en", "de", "de", "en", "en", "en",
    ]  # fmt: skip
    mail = render(letter(language="fr"))
    assert mail.subject.startswith("Product safety recall:") and mail.language == "en"


def test_safety_warning_headings() -> None:
    assert render(letter(recall_kind="safety_warning")).subject.startswith(
        "Product safety warning:"
    )
    german = render(letter(recall_kind="safety_warning", language="de"))
    assert german.subject.startswith("Sicherheitswarnung:")
    assert "SICHERHEITSWARNUNG" in german.text


def test_gift_recipient_learns_of_the_product_but_not_the_buyers_order() -> None:
    mail = render(letter(role="gift_recipient", name="Friend", purchases=(Purchase("Bed rail"),)))
    assert "as a gift" in mail.text and "Bed rail" in mail.text
    for text in (mail.text, mail.html):
        assert "A-1001" not in text and "Order number" not in text and "March 1" not in text
    assert "Open my recall page" not in mail.html  # the link opens the public notice


def test_admin_of_a_business_sees_the_business_purchases() -> None:
    mail = render(letter(role="admin", name=None, account_name="Pflegeheim Sonnenhof GmbH"))
    assert mail.text.startswith("PRODUCT SAFETY RECALL\n\nHello,\n")
    assert "Pflegeheim Sonnenhof GmbH bought a product" in mail.text
    assert "AFFECTED PURCHASES OF PFLEGEHEIM SONNENHOF GMBH" in mail.text
    assert "A-1001" in mail.text


def test_reminder_and_correction_have_their_own_templates() -> None:
    for name in EMAILS:
        for part in ("subject.txt", "body.txt", "body.html"):
            assert (TEMPLATES / "email" / name / part).is_file()
    reminder = render(letter(email="reminder", reminder_number=2, language="de"))
    assert reminder.subject.startswith("Erinnerung: Produktrückruf:")
    assert "Dies ist Erinnerung Nr. 2." in reminder.text and "A-1001" in reminder.text
    correction = render(letter(email="correction", link=None, notified_on=date(2026, 1, 5)))
    assert correction.subject.startswith("Correction:") and "no longer concerns you" in (
        correction.subject
    )
    assert "On January 5, 2026 we told you" in correction.text
    assert "You do not need to do anything" in correction.text
    assert "entrapped" not in correction.text and "A-1001" not in correction.text


def test_every_word_exists_in_every_language() -> None:
    folder = TEMPLATES / "email" / "lang"
    english = json.loads((folder / "en.json").read_text(encoding="utf-8"))
    german = json.loads((folder / "de.json").read_text(encoding="utf-8"))
    assert set(english) == set(german)


def test_html_escapes_what_the_recall_says() -> None:
    content = {**CONTENT, "hazard": "<script>alert(1)</script> & more", "translations": {}}
    mail = render(letter(content=content))
    assert (
        "<script>" not in mail.html and "&lt;script&gt;alert(1)&lt;/script&gt; &amp;" in mail.html
    )
    assert "<script>alert(1)</script> & more" in mail.text  # plain text stays plain


def test_the_message_is_multipart_alternative_with_stable_headers() -> None:
    rendered = render(letter(language="de"))
    message = parsed(rendered)
    assert message.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in message.iter_parts()] == ["text/plain", "text/html"]
    assert message["Subject"] == rendered.subject  # RFC 2047 encoded, decoded back
    assert message["From"].addresses[0].addr_spec == "safety@shop.example"
    assert message["To"].addresses[0].display_name == "Anna Schmidt"
    assert message["Message-ID"] == "<shopsafe.1.abc@shop.example>"
    assert message["X-Shopsafe-Idempotency-Key"] == "recall:1:notice:1"
    assert message["Content-Language"] == "de"
    assert text_of(message, "plain") == rendered.text
    assert "Meine Rückrufseite öffnen" in text_of(message, "html")
    assert not message.defects and all(not p.defects for p in message.iter_parts())


def test_long_non_ascii_names_and_subjects_survive_the_trip() -> None:
    title = "Rückruf: Größere Bettgitter – " + "Überlänge " * 20
    rendered = render(
        letter(content={**CONTENT, "translations": {"de": {"title": title}}}, language="de")
    )
    message = parsed(rendered, to_name="Zoë Ångström-Müller")
    assert message["Subject"] == rendered.subject
    assert message["To"].addresses[0].display_name == "Zoë Ångström-Müller"
    raw = compose(rendered, mail_from="s@x", to_email="a@b", to_name=None, message_id="<m@x>",
                  idempotency_key="k", at=datetime(2026, 1, 1, tzinfo=UTC))  # fmt: skip
    assert max(len(line) for line in raw.split(b"\r\n")) <= 998
    assert raw.isascii()


def test_message_ids_are_stable_per_delivery_and_distinct_between_deliveries() -> None:
    sender = "Shopsafe <safety@shop.example>"
    first = message_id(41, "recall:3:notice:41", sender)
    assert first == message_id(41, "recall:3:notice:41", sender)
    assert first.endswith("@shop.example>") and first.startswith("<shopsafe.41.")
    assert first != message_id(42, "recall:3:notice:42", sender)
    assert first != message_id(41, "recall:3:notice:41:reminder:1", sender)
