"""The report form says each problem in the reader's words: fields as the form names them,
numbers and photos counted from 1, German for German readers; unknown problems unchanged."""

from __future__ import annotations

from shopsafe.unsolicited.form_messages import for_reader
from shopsafe.web import i18n

PROBLEMS = [
    "tracking_numbers[0]: '1Z999AA10123456785' looks like a UPS tracking number, but its "
    "check digit is wrong: a character is probably mistyped; please compare it with the label",
    "tracking_numbers.2: String should have at most 64 characters",
    "photos[1] 'label: front.jpg': no barcode found. Take the photo again straight on, in "
    "good light, with the whole label in the picture, or type the tracking number",
    "postal_code: '💥' is not a postal code",
    "country: 'XX' is not an ISO 3166 alpha-2 country code",
    "something: a problem no rule knows",
]


def test_english_readers_get_positions_from_one_and_the_form_names() -> None:
    said = for_reader(PROBLEMS, i18n.translations("en").gettext)
    assert said[0].startswith("Tracking number 1: 1Z999AA10123456785 looks like a UPS")
    assert said[1] == "Tracking number 3: at most 64 characters."
    assert said[2].startswith("Photo 2 (label: front.jpg): no barcode found.")
    assert said[3] == "Postal code: 💥 is not a postal code."
    assert said[4] == "Country: XX is not a country we know."
    assert said[5] == PROBLEMS[5]


def test_german_readers_read_german() -> None:
    said = for_reader(PROBLEMS, i18n.translations("de").gettext)
    assert said[0].startswith("Sendungsnummer 1: 1Z999AA10123456785 sieht aus wie eine")
    assert said[1] == "Sendungsnummer 3: höchstens 64 Zeichen."
    assert said[2].startswith("Foto 2 (label: front.jpg): Kein Strichcode gefunden.")
    assert said[3] == "Postleitzahl: 💥 ist keine Postleitzahl."
    assert said[5] == PROBLEMS[5]
