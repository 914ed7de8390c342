"""Carrier tracking numbers: check digits worked out by hand, mutations, generated numbers."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shopsafe.ledger import tracking

# Each example's check digit, worked out by hand:
# UPS 1Z 999AA10123456784: body 9 9 9 A=2 A=2 1 0 1 2 3 4 5 6 7 8; odd positions
#   9+9+2+0+2+4+6+8 = 40, even positions (9+2+1+1+3+5+7)*2 = 56; 96 → (10 - 6) = 4.
# S10 RR 12345678 5 DE: 1*8+2*6+3*4+4*2+5*3+6*5+7*9+8*7 = 204; 204 mod 11 = 6; 11 - 6 = 5.
# DHL Paket 00 34043416109404255 7: GS1 weights 3,1,… from the right give 103 → 7.
# DHL Express 123456789 1: 123456789 mod 7 = 1.
# USPS 94001118992231974284 9 7: GS1 weights 3,1,… from the right give 203 → 7.
KNOWN_GOOD = [
    ("1Z999AA10123456784", "UPS"),
    ("RR123456785DE", "POST"),
    ("00340434161094042557", "DHL"),
    ("340434161094042557", "DHL"),
    ("1234567891", "DHL"),
    ("9400111899223197428497", "USPS"),
]


@pytest.mark.parametrize(("number", "carrier"), KNOWN_GOOD)
def test_known_good_numbers_are_recognised(number: str, carrier: str) -> None:
    assert tracking.detect_carrier(number) == carrier
    assert tracking.validate(carrier, number) is None
    assert tracking.validate(None, number) is None


def test_check_digit_functions_match_hand_computation() -> None:
    assert tracking.ups_check_digit("999AA1012345678") == "4"
    assert tracking.s10_check_digit("12345678") == "5"
    assert tracking.gs1_check_digit("34043416109404255") == "7"
    assert tracking.gs1_check_digit("940011189922319742849") == "7"


def test_ups_maps_letters_like_ups() -> None:
    # A=2 at an odd position: 2 → check 8; I=0; Z=7 at an even position: 14 → check 6.
    assert tracking.ups_check_digit("A" + "0" * 14) == "8"
    assert tracking.ups_check_digit("I" + "0" * 14) == "0"
    assert tracking.ups_check_digit("0Z" + "0" * 13) == "6"


def test_s10_special_remainders() -> None:
    # sum 0 → 11 - 0 = 11 → "5"; "00004000": 4*3 = 12, remainder 1 → 11 - 1 = 10 → "0".
    assert tracking.s10_check_digit("00000000") == "5"
    assert tracking.s10_check_digit("00004000") == "0"
    assert tracking.is_valid_s10("RR000040000GB")


@pytest.mark.parametrize(("number", "carrier"), KNOWN_GOOD)
def test_any_other_check_digit_is_rejected(number: str, carrier: str) -> None:
    position = 10 if carrier == "POST" else len(number) - 1
    for digit in "0123456789":
        if digit == number[position]:
            continue
        wrong = number[:position] + digit + number[position + 1 :]
        assert tracking.detect_carrier(wrong) is None, wrong
        assert tracking.validate(carrier, wrong) is not None


@pytest.mark.parametrize(
    "number",
    ["1Z999AA10123456784", "00340434161094042557", "1234567891", "9400111899223197428497"],
)
def test_a_mistyped_digit_is_rejected(number: str) -> None:
    # Adding 1 to one digit changes the weighted sum by 1, 2 or 3 (mod 10), or by 10**k
    # (mod 7), so these schemes always notice it. (S10's mod 11 map gives remainders 0 and 6
    # the same check digit, so it is only tested on the check digit above.)
    for position, char in enumerate(number):
        if not char.isdigit() or (number.startswith("1Z") and position < 2):
            continue
        if number.startswith("00") and position < 2:
            continue  # the GS1 application identifier is not covered by the check digit
        wrong = number[:position] + str((int(char) + 1) % 10) + number[position + 1 :]
        assert tracking.detect_carrier(wrong) is None, wrong


def test_messages_name_the_problem() -> None:
    assert tracking.validate("UPS", "1Z999AA10123456785") == (
        "UPS tracking number has a wrong check digit"
    )
    assert tracking.validate(None, "1Z999AA10123456785") == (
        "UPS tracking number has a wrong check digit"
    )
    assert tracking.validate("DHL", "00340434161094042550") == (
        "DHL tracking number has a wrong check digit"
    )
    assert tracking.validate(None, "hello") == "not a known tracking number format"
    assert tracking.validate("DHL", "1Z999AA10123456784") == (
        "looks like a UPS tracking number, not DHL"
    )
    assert tracking.validate("UPS", "12345") == "not a known UPS tracking number format"
    assert tracking.validate("UPS", " - ") == "tracking number is empty"


def test_postal_operators_and_unknown_carriers() -> None:
    assert tracking.validate("Royal Mail", "RR123456785DE") is None
    assert tracking.validate("Deutsche Post", "rr 123 456 785 de") is None
    assert tracking.validate("DHL", "RR123456785DE") is None  # DHL/Deutsche Post abroad
    assert tracking.validate("Royal Mail", "1Z999AA10123456784") is not None
    assert tracking.validate("GLS", "ZX81A92K") is None  # not checked, only plausible
    assert tracking.validate("GLS", "#!") == "not a known tracking number format"


def test_normalise_strips_blanks_and_hyphens() -> None:
    assert tracking.normalise(" 1z 999-aa1 0123 456 784 ") == "1Z999AA10123456784"
    assert tracking.is_valid_ups("1z 999 aa1 01 2345 6784")


def test_shapes_do_not_overlap() -> None:
    assert not tracking.is_valid_usps("00340434161094042557")
    assert not tracking.is_valid_dhl("9400111899223197428497")
    assert not tracking.is_valid_ups("RR123456785DE")
    assert tracking.detect_carrier("") is None


def test_make_s10_wants_a_country_code() -> None:
    with pytest.raises(ValueError, match="alpha-2"):
        tracking.make_s10(random.Random(1), "GBR")


def test_serials_give_distinct_numbers() -> None:
    rng = random.Random(3)
    for make in (tracking.make_ups, tracking.make_dhl, tracking.make_usps):
        numbers = {make(rng, serial=n) for n in range(2_000)}
        assert len(numbers) == 2_000
    s10 = {tracking.make_s10(rng, "DE", serial=n)[2:11] for n in range(2_000)}
    assert len(s10) == 2_000


@given(seed=st.integers(min_value=0, max_value=2**32), serial=st.none() | st.integers(0, 10**6))
def test_generated_numbers_validate(seed: int, serial: int | None) -> None:
    rng = random.Random(seed)
    made = [
        ("UPS", tracking.make_ups(rng, serial=serial)),
        ("DHL", tracking.make_dhl(rng, serial=serial)),
        ("DHL", tracking.make_dhl(rng, express=True, serial=serial)),
        ("USPS", tracking.make_usps(rng, serial=serial)),
        ("POST", tracking.make_s10(rng, rng.choice(["DE", "AT", "GB", "US"]), serial=serial)),
    ]
    for carrier, number in made:
        assert tracking.detect_carrier(number) == carrier, number
        assert tracking.validate(carrier, number) is None
        assert tracking.validate(None, number) is None
        assert tracking.normalise(number) == number
        spaced = " ".join(number[i : i + 4] for i in range(0, len(number), 4))
        assert tracking.detect_carrier(spaced) == carrier


@given(text=st.text(max_size=30))
def test_validate_never_raises(text: str) -> None:
    for carrier in (None, "UPS", "DHL", "USPS", "Royal Mail", "Hermes"):
        result = tracking.validate(carrier, text)
        assert result is None or isinstance(result, str)
