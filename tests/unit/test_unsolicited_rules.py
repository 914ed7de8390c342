"""Classification rules, rights by country and tracking-number checks (pure)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from shopsafe.unsolicited import rights, validation
from shopsafe.unsolicited.classification import ShipmentFacts, case_kind, classify

PLACED = datetime(2026, 3, 1, tzinfo=UTC)
PLAIN = ShipmentFacts(
    gift=False,
    placed_at=PLACED,
    account_created_at=PLACED - timedelta(days=900),
    account_other_sellers_before=0,
    cheapest_unit_price=Decimal("49.00"),
    seller_accounts=1,
    identical_units=1,
    reviews=0,
    seller_other_cases=0,
    to_seller_address=False,
)


@pytest.mark.parametrize(
    ("changes", "kind", "reason"),
    [
        ({}, "unknown", None),
        ({"gift": True}, "brushing", "gift_order"),
        ({"account_created_at": PLACED - timedelta(days=3)}, "brushing", "new_account"),
        ({"cheapest_unit_price": Decimal("1.99")}, "brushing", "cheap_item"),
        ({"seller_accounts": 5}, "brushing", "several_accounts"),
        ({"reviews": 2}, "brushing", "reviews_posted"),
        ({"seller_other_cases": 1}, "brushing", "seller_reported_before"),
        ({"account_other_sellers_before": 3}, "misdelivery", "account_used_this_address"),
        ({"identical_units": 40}, "bulk_dumping", "many_identical_items"),
        ({"to_seller_address": True}, "return_address_misuse", "seller_address_is_this_address"),
        # first match wins
        ({"to_seller_address": True, "gift": True}, "return_address_misuse", None),
        ({"account_other_sellers_before": 1, "reviews": 3}, "misdelivery", None),
        ({"account_other_sellers_before": 1, "gift": True}, "brushing", "gift_order"),
        ({"identical_units": 40, "reviews": 1}, "brushing", "reviews_posted"),
    ],
)
def test_classify(changes: dict[str, object], kind: str, reason: str | None) -> None:
    verdict = classify(replace(PLAIN, **changes))  # type: ignore[arg-type]
    assert verdict.kind == kind
    if reason:
        assert reason in verdict.reasons


def test_a_case_takes_the_most_frequent_kind() -> None:
    assert case_kind([]) == "unknown"
    assert case_kind(["unknown", "unknown"]) == "unknown"
    assert case_kind(["unknown", "misdelivery", "unknown"]) == "misdelivery"
    assert case_kind(["brushing", "misdelivery", "brushing"]) == "brushing"
    assert case_kind(["misdelivery", "brushing"]) == "brushing"  # a tie: the graver kind


@pytest.mark.parametrize(
    ("country", "law"),
    [
        ("US", "39 U.S.C. § 3009"),
        ("DE", "§ 241a BGB"),
        ("GB", "Consumer Protection from Unfair Trading Regulations 2008, reg. 27A"),
        ("FR", "Directive 2011/83/EU, Art. 27"),
        ("NO", "Directive 2011/83/EU, Art. 27"),
        ("JP", ""),
    ],
)
def test_rights_by_country(country: str, law: str) -> None:
    found = rights.rights_for(country, "brushing", "en")
    assert found.law == law
    assert found.summary and found.points[-1] == "This is a summary, not legal advice."


def test_germany_names_the_exception_for_an_obvious_misdelivery() -> None:
    kept = rights.rights_for("DE", "brushing", "de")
    assert "behalten" in kept.summary
    assert any("Abs. 2" in point for point in kept.points)
    not_yours = rights.rights_for("DE", "misdelivery", "de-AT")
    assert "gilt § 241a BGB nicht" in not_yours.summary
    assert "return to sender" in rights.rights_for("US", "misdelivery", "en").summary


def test_advice_and_where_the_data_came_from() -> None:
    advice = " ".join(rights.advice("en"))
    for words in ("Do not pay", "QR codes", "shopping accounts", "passwords"):
        assert words in advice
    assert "QR-Codes" in " ".join(rights.advice("de"))
    first, last = datetime(2025, 11, 2, tzinfo=UTC), datetime(2026, 3, 30, tzinfo=UTC)
    text = rights.data_source(first, last, 7, "en")
    assert "7 accounts" in text and "2025-11-02" in text and "2026-03-30" in text
    assert "von einem Kundenkonto" in rights.data_source(first, last, 1, "de")


def test_tracking_numbers_are_checked_for_their_carriers_format() -> None:
    numbers, problems = validation.check_numbers(
        ["1Z999AA10123456784", "1z 999 aa1 0123 4567 84", "RR123456785DE", "GLS12345678",
         "1Z999AA10123456785", "RR123456786DE", "12"]
    )  # fmt: skip
    assert numbers == ["1Z999AA10123456784", "RR123456785DE", "GLS12345678"]
    assert [p.split(":")[0] for p in problems] == [
        "tracking_numbers[4]",
        "tracking_numbers[5]",
        "tracking_numbers[6]",
    ]
    assert "looks like a UPS tracking number, but its check digit is wrong" in problems[0]
    assert "looks like an S10 postal tracking number" in problems[1]
    assert "is not a tracking number" in problems[2]
    assert validation.split_numbers("1Z999AA10123456784 RR123456785DE\nRR 123 456 785 DE") == [
        "1Z999AA10123456784",
        "RR123456785DE",
        "RR 123 456 785 DE",
    ]
