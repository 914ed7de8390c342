"""Each brushing signal on a small constructed ledger."""

from __future__ import annotations

import numpy as np

from shopsafe.brushing import context, features
from shopsafe.brushing.frame import DAY, ints
from tests.support.brushing import START, Builder, background


def _signals(builder: Builder) -> features.Signals:
    return features.compute(builder.frame())


def test_line_flags() -> None:
    builder = Builder()
    home = builder.line(1, 5, address=1, at=START)
    moved = builder.line(1, 5, address=77, at=START + DAY)  # established account, new address
    builder.created[2] = START - DAY
    fresh = builder.line(2, 5, address=1, at=START, gift=True, five_stars_after=1)  # 1's home
    slow = builder.line(3, 5, address=3, at=START, five_stars_after=9)
    flags = _signals(builder).flags
    at = {n: n - 1 for n in (home, moved, fresh, slow)}
    assert flags["new_address"][at[moved]] and not flags["new_address"][at[home]]
    assert flags["new_account"][at[fresh]] and not flags["new_account"][at[home]]
    assert flags["other_resident"][at[fresh]] and not flags["other_resident"][at[home]]
    assert flags["fast_five"][at[fresh]] and not flags["fast_five"][at[slow]]
    assert flags["gift"][at[fresh]] and not flags["gift"][at[slow]]


def test_hour_rule_flags_the_buyer_with_many_orders_in_an_hour() -> None:
    builder = Builder()
    background(builder, accounts=200)
    burst = [builder.line(900, 3, seller=42, at=START + 60 * k) for k in range(6)]
    single = builder.line(901, 3, seller=42, at=START + 100)
    rule = _signals(builder).context.hour_rule
    assert rule[np.array(burst) - 1].all()
    assert not rule[single - 1]
    assert rule.sum() == 6  # 7 orders by 2 buyers: 3.5 per buyer


def test_many_parcels_of_one_seller_to_one_address_are_a_dump() -> None:
    builder = Builder()
    background(builder, accounts=500)
    dumped = [
        builder.line(950, 3, seller=42, address=123_456, at=START + k * DAY) for k in range(30)
    ]
    dump = _signals(builder).context.dump
    assert (dump[np.array(dumped) - 1] > 0).all()
    assert (np.delete(dump, np.array(dumped) - 1) == 0).all()


def test_shared_fingerprints_reports_and_confirmed_cases() -> None:
    builder = Builder()
    background(builder, accounts=100)
    frame = builder.frame()
    # accounts 1, 2 and 3 share a device (kind 1, code 5); 3 and 4 share an IP (kind 2)
    orders = [int(frame.order[frame.customer == c][0]) for c in (1, 2, 3, 3, 4)]
    frame.print_order, frame.print_kind = ints(orders), ints([1, 1, 1, 2, 2])
    frame.print_code = ints([5, 5, 5, 8, 8])
    frame.reported_address = ints([7, 7])
    frame.confirmed_customer = ints([50])
    found = features.compute(frame).context
    shared = {int(c): int(n) for c, n in zip(frame.customer, found.shared_accounts, strict=True)}
    assert shared[1] == shared[4] == 4 and shared[5] == 1
    assert (found.shared[frame.customer == 2] > 0).all()
    assert (found.reports[frame.address == 7] == 2).all()
    assert (found.spread[frame.customer == 50] == 4).all()
    assert (found.spread[frame.customer == 60] == 0).all()


def test_surprise_grows_with_improbable_counts_and_bursts_need_more_than_chance() -> None:
    low = context.surprise(np.array([1.0]), np.array([10.0]), 0.1)
    high = context.surprise(np.array([10.0]), np.array([10.0]), 0.1)
    assert high[0] > 9 > low[0] > 0
    builder = Builder()
    background(builder, accounts=1_000)
    signals = _signals(builder)
    assert signals.context.burst.max() < 3.0  # ordinary data: little beyond chance
    assert signals.weight.min() >= 1.0
