"""Reading authority prose: sale windows, prices, units, retailers, remedies, codes, brand."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest

from shopsafe.feeds import codes, text
from shopsafe.feeds.adapters import cpsc
from shopsafe.feeds.extraction import Extraction, brand_of, extract, title_product
from tests.support.feeds import CPSC_API

D = dt.date


@pytest.mark.parametrize(
    ("prose", "window"),
    [
        (
            "Online at Amazon.com from December 2025 through February 2026 for about $30.",
            (D(2025, 12, 1), D(2026, 2, 28)),
        ),
        ("Online at Walmart.com fromMay 2025 to November 2025 for about $12.",
         (D(2025, 5, 1), D(2025, 11, 30))),
        ("from September 1, 2025 through September 30, 2025", (D(2025, 9, 1), D(2025, 9, 30))),
        ("stores nationwide between January and November 2025 for between $35 to $45",
         (D(2025, 1, 1), D(2025, 11, 30))),
        ("from November 14 through November 15, 2024", (D(2024, 11, 14), D(2024, 11, 15))),
        ("from 2019 through 2023", (D(2019, 1, 1), D(2023, 12, 31))),
        ("Online at Amazon.com in January 2026 for about $90.", (D(2026, 1, 1), D(2026, 1, 31))),
        ("Amazon, beginning in September 2019, for between $6 and $30", (D(2019, 9, 1), None)),
        ("from May 2023 to present", (D(2023, 5, 1), None)),
        ("from Sept. 2023 through Feb. 2024", (D(2023, 9, 1), D(2024, 2, 29))),
        ("Sold nationwide for about $40.", (None, None)),
    ],
)  # fmt: skip
def test_sale_window(prose: str, window: tuple[D | None, D | None]) -> None:
    assert text.sale_window(prose) == window


@pytest.mark.parametrize(
    ("prose", "expected"),
    [
        ("Online at Amazon.com from December 2025 for about $30.", (Decimal(30), Decimal(30))),
        ("for between $10 and $15.", (Decimal(10), Decimal(15))),
        ("for between $1,300 and $1,800.", (Decimal(1300), Decimal(1800))),
        ("for $299.99 each", (Decimal("299.99"), Decimal("299.99"))),
        ("at no charge", None),
    ],
)
def test_price(prose: str, expected: tuple[Decimal, Decimal] | None) -> None:
    assert text.price(prose) == expected


@pytest.mark.parametrize(
    ("prose", "expected"),
    [
        ("About 200", 200),
        ("About 75,700", 75_700),
        ("About 675 (In addition, about 14 were sold in Canada)", 675),
        ("About 1.2 million", 1_200_000),
        ("4000 Units", 4000),
        ("unknown", None),
    ],
)
def test_units(prose: str, expected: int | None) -> None:
    assert text.units(prose) == expected


def test_retailers_are_the_named_shops_before_the_sale_window() -> None:
    prose = (
        "Kroger, Hy-Vee, Meijer, Nordstrom Rack and Winn-Dixie stores nationwide and online at "
        "Builtny.com from October 2024 through December 2025 for between $10 and $15."
    )
    assert text.retailers(prose) == ["Kroger", "Hy-Vee", "Meijer", "Nordstrom Rack",
                                     "Winn-Dixie", "Builtny.com"]  # fmt: skip
    assert text.retailers("Online atwww.giantmouse.com from November 14") == ["www.giantmouse.com"]
    assert text.retailers("Trader Joe's stores nationwide in June 2024 for about $4.") == [
        "Trader Joe's"
    ]


def test_remedies_in_the_contracts_words() -> None:
    assert text.remedies(["Refund"], "contact X for a full refund and destroy the rails") == [
        "refund",
        "dispose",
    ]
    assert text.remedies(["Replace", "Repair"], "") == ["replacement", "repair"]
    assert text.remedies([], "a free repair kit") == ["repair"]
    assert text.remedies(["New Instructions"], "read the manual") == []


def test_gtins_need_a_right_check_digit_and_may_be_spaced() -> None:
    valid, written = codes.gtins(
        [
            "UPC 8 75343 00001 3. Keep refrigerated.",
            "UPC codes: 843461115513 843461115551 and 843461115552 (wrong check digit)",
            "item 5323719, UPC 3680017231, 12/case",
        ],
        listed=["021196051706"],
    )
    assert valid == ["00021196051706", "00875343000013", "00843461115513", "00843461115551"]
    assert "3680017231" in written  # a ten-digit code is kept as written, but is no GTIN


def test_model_numbers_after_the_word_model() -> None:
    prose = (
        "This recall involves VST-brand boilers with model numbers VRS-150, VRS-199 and "
        "VTP-150. The 16 oz. bottle was sold in 2024. Model Year 2022-2024 vehicles."
    )
    assert codes.models([prose]) == ["VRS-150", "VRS-199", "VTP-150"]
    assert codes.models(['Model number "KDB504A01FT" is printed on a label.']) == ["KDB504A01FT"]
    assert codes.models(["The product measures 15 inches."]) == []
    assert codes.model_keys(["KDB-504.A01 FT", "kdb504a01ft"]) == ["KDB504A01FT"]


def test_lot_codes() -> None:
    prose = 'Lot codes "02142080423" and "02142230523" are included. Best by 06/01/2026.'
    assert codes.lots([prose]) == ["02142080423", "02142230523"]


def test_brand_from_branded_company_or_name() -> None:
    def brand(title: str, name: str, description: str) -> str | None:
        entry = cpsc.entry(
            {"RecallNumber": "1", "Title": title, "LastPublishDate": "2026-01-01",
             "Products": [{"Name": name}], "Description": description},
            "record 1",
        )  # fmt: skip
        assert not isinstance(entry, cpsc.Reject)
        return brand_of(entry, name, description)

    assert brand("X", "Adult Bed Rails", "This recall involves MPINOI-branded bed rails.") == (
        "MPINOI"
    )
    assert brand("Ricky Powersports Recalls ATVs", "Ricky Powersports Tumble Weed ATVs", "") == (
        "Ricky Powersports"
    )
    assert brand("X", "Tub Bars", "sold under the brands Peerless, model PL585") == "Peerless"
    assert brand("X", "Wet & Forget Xtreme Reach", "") == "Wet & Forget"
    assert brand("Acme Recalls Lamps", "Portable lamps", "The portable lamps are white") == "Acme"
    assert title_product("Lifetime Brands Recalls BUILT LUUM Tumblers Due to Risk") == (
        "BUILT LUUM Tumblers"
    )


def test_a_real_cpsc_record_read_completely() -> None:
    record = json.loads(CPSC_API.read_text(encoding="utf-8"))[0]  # MPINOI bed rails, 26350
    entry = cpsc.entry(record, "record 1")
    assert not isinstance(entry, cpsc.Reject)
    read = extract(entry)
    assert read.brand == "MPINOI"
    assert read.product_names[0] == "MPINOI Adult Portable Bed Rails"
    assert (read.sold_from, read.sold_to) == (D(2025, 12, 1), D(2026, 2, 28))
    assert (read.price_low, read.units, read.retailers) == ("30", 200, ["Amazon.com"])
    assert read.remedies == ["refund", "dispose"]
    assert read.emails == ["MPINOIproductrecall@outlook.com"]
    assert len(read.pictures) == 2 and read.hazard.startswith("The recalled bed rails violate")
    assert read.identifier_location == '"MPINOI" is printed on the mesh pocket.'
    assert "MPINOI" in read.brand_keys and read.risk_level == "serious"
    assert Extraction.from_json(json.loads(json.dumps(read.as_json()))) == read
