from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shopsafe.ledger import keys, validation


@pytest.mark.parametrize("raw", ["BR-200", "br 200", "B.R-2 00", " br.200 "])
def test_model_key_ignores_case_spaces_hyphens_and_dots(raw: str) -> None:
    assert keys.model_key(raw) == "BR200"


def test_model_key_keeps_other_characters_apart() -> None:
    assert keys.model_key("BR/200") != keys.model_key("BR200")
    assert keys.model_key("") is None
    assert keys.model_key(None) is None


@pytest.mark.parametrize(
    ("serial", "expected"),
    [("SN1001", ("SN", 1001)), ("sn-0042", ("SN-", 42)), ("ABC", ("ABC", None)), ("77", ("", 77))],
)
def test_split_serial(serial: str, expected: tuple[str, int | None]) -> None:
    assert keys.split_serial(serial) == expected


def test_address_key_is_stable_under_spacing_and_case() -> None:
    a = keys.address_key(
        country="de", postal_code="10 115", line1="Hauptstr.  5", line2=None, city="Berlin"
    )
    b = keys.address_key(
        country="DE", postal_code="10115", line1="hauptstr. 5", line2="", city=" berlin"
    )
    c = keys.address_key(
        country="DE", postal_code="10115", line1="Hauptstr. 7", line2=None, city="Berlin"
    )
    assert a == b != c


@given(st.text(alphabet="0123456789", min_size=7, max_size=7))
def test_every_gtin8_with_its_check_digit_is_accepted_and_any_other_refused(body: str) -> None:
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(body))
    check = (10 - total % 10) % 10
    assert validation.check_gtin(body + str(check)) == body + str(check)
    assert keys.gtin14(body + str(check)) == "000000" + body + str(check)
    with pytest.raises(ValueError, match="check digit"):
        validation.check_gtin(body + str((check + 1) % 10))


@pytest.mark.parametrize(
    ("value", "message"),
    [("123", "8, 12, 13 or 14 digits"), ("40063813339A", "digits only")],
)
def test_gtin_shape_errors_name_the_problem(value: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        validation.check_gtin(value)


def test_country_currency_email_language() -> None:
    assert validation.check_country("de") == "DE"
    assert validation.check_currency("eur") == "EUR"
    assert validation.check_email("Anna@Example.DE") == "Anna@example.de"
    assert validation.check_language("de_AT") == "de-AT"
    for check, bad in [
        (validation.check_country, "XX"),
        (validation.check_currency, "EURO"),
        (validation.check_email, "anna.example.de"),
        (validation.check_language, "german!"),
    ]:
        with pytest.raises(ValueError):
            check(bad)
