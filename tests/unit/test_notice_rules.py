"""The notice rules (GPSR Art. 36/37) as pure functions."""

from __future__ import annotations

import pytest

from shopsafe.recalls import notice_rules
from tests.support.recalls import recall_body


def test_a_complete_recall_passes() -> None:
    assert notice_rules.problems(recall_body()) == []


@pytest.mark.parametrize(
    ("field", "text", "word"),
    [
        ("title", "Voluntary recall of bed rails", "voluntary"),
        ("hazard", "As a precautionary measure we recall", "precautionary"),
        ("hazard", "In rare situations the rail can trap a user", "in rare situations"),
        (
            "instructions",
            "Stop using it. No injuries have been reported.",
            "no injuries have been reported",
        ),
        ("hazard", "No accidents reported so far.", "no accidents reported"),
    ],
)
def test_minimising_english_is_rejected(field: str, text: str, word: str) -> None:
    found = notice_rules.problems(recall_body(**{field: text}))
    assert found == [f"{field}: minimises the risk ('{word}'); say plainly what the danger is"]


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("Freiwilliger Rückruf", "freiwilliger"),
        ("Wir rufen vorsorglich zurück", "vorsorglich"),
        ("In seltenen Fällen kann das Gitter brechen", "in seltenen fällen"),
        ("Es sind keine Unfälle bekannt.", "es sind keine unfälle bekannt"),
    ],
)
def test_minimising_german_translation_is_rejected(text: str, word: str) -> None:
    body = recall_body()
    body["translations"]["de"]["hazard"] = text
    assert notice_rules.problems(body) == [
        f"translations.de.hazard: minimises the risk ('{word}'); say plainly what the danger is"
    ]


def test_plain_words_that_look_alike_are_not_rejected() -> None:
    body = recall_body(hazard="The rail is a serious danger; it can trap a person's neck.")
    body["translations"]["de"]["hazard"] = "Das Gitter ist gefährlich: Erstickungsgefahr."
    assert notice_rules.problems(body) == []


def test_every_missing_element_is_named() -> None:
    body = recall_body(hazard=None, brand="", images=[], remedies=["refund"], contact={})
    body["criteria"] = {"lots": ["L1"]}
    assert notice_rules.problems(body) == [
        "brand: is required for a recall",
        "hazard: is required for a recall",
        "contact: give a free phone number, e-mail address or web address",
        "images: a recall needs at least one picture of the product",
        "remedies: a recall must offer at least two of refund, replacement, repair",
        "criteria: give at least one of gtins, skus, models to identify the product",
    ]


def test_a_safety_warning_needs_no_remedy_or_picture_but_a_hazard() -> None:
    warning = recall_body(kind="safety_warning", remedies=[], images=[], brand=None)
    assert notice_rules.problems(warning) == []
    assert notice_rules.problems({**warning, "hazard": None}) == [
        "hazard: is required for a safety_warning"
    ]
    assert notice_rules.problems({**warning, "remedies": ["refund", "refund"]}) == [
        "remedies: a remedy is listed twice"
    ]
