"""The pure remedy rules: the state machine, the money, the chart, the photo check."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from PIL import Image

from shopsafe.remedies import chart, money, photos, state


@pytest.mark.parametrize("remedy", state.REMEDIES)
def test_every_state_pair_is_allowed_only_as_the_table_says(remedy: str) -> None:
    table = state.TRANSITIONS[remedy]
    for current in state.STATES:
        for to in state.STATES:
            for actor in ("customer", "carrier", "staff", "system"):
                allowed = actor in table.get((current, to), frozenset())
                if allowed:
                    assert state.check(remedy, current, to, actor) == state.Step(current, to)
                else:
                    with pytest.raises(state.TransitionRefused):
                        state.check(remedy, current, to, actor)


def test_the_paths_the_issue_names() -> None:
    def walk(remedy: str, *steps: str) -> None:
        current = "requested"
        for to in steps:
            who = next(a for a in ("system", "carrier", "staff", "customer")
                       if a in state.TRANSITIONS[remedy].get((current, to), ()))  # fmt: skip
            state.check(remedy, current, to, who)
            current = to

    for remedy, done in state.DELIVERED.items():
        walk(remedy, "label_issued", "in_transit", "received", done, "closed")
    walk("repair", "kit_shipped", "repaired", "closed")
    walk("dispose", "photo_submitted", "photo_rejected", "photo_submitted", "refunded", "closed")
    with pytest.raises(state.TransitionRefused, match="from label_issued it can go to"):
        state.check("refund", "label_issued", "refunded", "staff")
    with pytest.raises(state.TransitionRefused, match="not a state"):
        state.check("refund", "requested", "teleported", "staff")
    with pytest.raises(state.TransitionRefused, match="customer cannot"):
        state.check("dispose", "photo_submitted", "refunded", "customer")


def test_carrier_scans_move_only_forward() -> None:
    assert state.carrier_path("refund", "label_issued", "received") == ["in_transit", "received"]
    assert state.carrier_path("refund", "in_transit", "in_transit") == []
    assert state.carrier_path("refund", "received", "in_transit") == []
    assert state.carrier_path("dispose", "requested", "received") == []
    assert state.carrier_path("refund", "refunded", "received") == []


def test_a_refund_is_booked_balanced_and_never_below_the_price_paid() -> None:
    lines = [money.PaidLine("S-3", 2, Decimal("29.99"), "EUR"),
             money.PaidLine("S-4", 1, Decimal("10.00"), "EUR"),
             money.PaidLine("S-4", 3, Decimal("35.00"), "USD")]  # fmt: skip
    owed = money.owed(lines)
    assert owed == {"EUR": {"S-3": Decimal("59.98"), "S-4": Decimal("10.00")},
                    "USD": {"S-4": Decimal("105.00")}}  # fmt: skip
    charged = money.shares(owed["EUR"], Decimal("75.00"))
    assert charged == {"S-3": Decimal("65.00"), "S-4": Decimal("10.00")}
    entries = money.postings(customer="C-1", charged=charged)
    assert money.balanced(entries) and sum(e.amount for e in entries) == 0
    assert {e.account: e.amount for e in entries if e.txn == "payout"}["customer:C-1"] == 75
    with pytest.raises(ValueError, match=r"less than the 69\.98 paid"):
        money.shares(owed["EUR"], Decimal("69.97"))
    for bad in ("-1", "0", "1.005", "abc", "NaN", "1e12"):
        with pytest.raises(ValueError):
            money.parse_amount(bad)
    assert money.parse_amount(" 12.5 ") == Decimal("12.50") and money.parse_amount("") is None


def test_the_chart_escapes_text_and_ends_at_the_last_value() -> None:
    import datetime as dt

    days = [dt.date(2026, 1, 1) + dt.timedelta(days=i) for i in range(3)]
    svg = chart.svg(days, [chart.Line("<b>x</b>", [0, 2, 7])], title="A & B")
    assert "<b>" not in svg and "&lt;b&gt;x&lt;/b&gt;" in svg and "A &amp; B" in svg
    assert 'data-last="7"' in svg and svg.startswith("<svg") and svg.endswith("</svg>")


def test_the_chart_writes_days_as_the_reader_does() -> None:
    import datetime as dt

    days = [dt.date(2026, 12, 6), dt.date(2026, 12, 7)]
    english = chart.svg(days, [chart.Line("notified", [1, 2])], title="t")
    german = chart.svg(days, [chart.Line("benachrichtigt", [1, 2])], title="t", language="de")
    assert ">Dec 6<" in english and "06.12." not in english
    assert ">6. Dez.<" in german


def test_a_photo_is_checked_and_stored_without_its_metadata() -> None:
    buffer = io.BytesIO()
    exif = Image.Exif()
    exif[0x8825] = {2: (52.0, 31.0, 0.0)}  # a GPS position
    Image.new("RGB", (300, 200), (10, 20, 30)).save(buffer, format="JPEG", exif=exif)
    cleaned = photos.clean(buffer.getvalue(), max_bytes=1_000_000)
    assert cleaned.content_type == "image/jpeg" and (cleaned.width, cleaned.height) == (300, 200)
    assert not Image.open(io.BytesIO(cleaned.data)).getexif()
    with pytest.raises(photos.PhotoRefused, match="limit"):
        photos.clean(buffer.getvalue(), max_bytes=1024)
    with pytest.raises(photos.PhotoRefused, match="not an image"):
        photos.clean(b"hello world", max_bytes=1024)
    gif = io.BytesIO()
    Image.new("RGB", (4, 4)).save(gif, format="GIF")
    with pytest.raises(photos.PhotoRefused, match="GIF"):
        photos.clean(gif.getvalue(), max_bytes=1024)
