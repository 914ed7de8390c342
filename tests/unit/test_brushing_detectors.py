"""Peeling and FRAUDAR on small constructed ledgers: a star ring only ours catches, a dense
block both catch, and the peeling's guarantee against brute force."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shopsafe.brushing import detection, fraudar, peeling, rings
from shopsafe.brushing.frame import DAY, dense
from tests.support.brushing import START, Builder, background, lockstep, star_ring


def _fraudar_accounts(frame, count: int = 1) -> set[int]:  # type: ignore[no-untyped-def]
    accounts, rows = dense(frame.customer)
    _, cols = dense(frame.product)
    found: set[int] = set()
    for block in fraudar.blocks(rows, cols, count):
        found |= {int(a) for a in accounts[block.rows]}
    return found


def _f1(found: set[int], truth: set[int]) -> float:
    hits = len(found & truth)
    return 2 * hits / (len(found) + len(truth)) if hits else 0.0


def test_star_ring_is_caught_by_peeling_and_missed_by_fraudar() -> None:
    builder = Builder()
    background(builder)
    ring = star_ring(builder, accounts=60, product=7, first=100_000, at=START + 200 * DAY)
    frame = builder.frame()

    result = detection.detect(frame)

    assert len(result.rings) == 1
    found = result.rings[0]
    assert {int(a) for a in found.accounts} == ring
    assert found.kind == "brushing"
    assert any("gift orders" in text for text in found.evidence)
    assert any("five-star review" in text for text in found.evidence)
    assert _f1(_fraudar_accounts(frame), ring) < 0.1


def test_dense_block_is_caught_by_both() -> None:
    builder = Builder()
    background(builder)
    block = lockstep(builder, accounts=40, products=40, density=0.5, first=200_000, at=START)
    frame = builder.frame()

    result = detection.detect(frame)

    found = {int(a) for ring in result.rings for a in ring.accounts}
    assert _f1(found, block) >= 0.95
    assert {ring.kind for ring in result.rings} == {"dense_block"}
    assert _f1(_fraudar_accounts(frame), block) >= 0.95


def test_clean_marketplace_has_no_rings() -> None:
    builder = Builder()
    background(builder, accounts=3_000, seed=3)
    assert detection.detect(builder.frame()).rings == []


def test_since_leaves_out_older_rings() -> None:
    builder = Builder()
    background(builder)
    star_ring(builder, accounts=40, product=9, first=100_000, at=START + 100 * DAY)
    frame = builder.frame()
    assert detection.detect(frame, since=START + 300 * DAY).rings == []
    assert len(detection.detect(frame, since=START + 50 * DAY).rings) == 1


def _brute_force(modes: list[np.ndarray], weights: np.ndarray) -> float:  # type: ignore[type-arg]
    values = [sorted(set(mode.tolist())) for mode in modes]
    best = 0.0
    subsets = [
        [set(c) for r in range(1, len(v) + 1) for c in itertools.combinations(v, r)] for v in values
    ]
    for choice in itertools.product(*subsets):
        inside = np.ones(weights.size, dtype=bool)
        for mode, chosen in zip(modes, choice, strict=True):
            inside &= np.isin(mode, list(chosen))
        best = max(best, peeling.density(float(weights[inside].sum()), [len(c) for c in choice]))
    return best


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 2), st.integers(0, 2), st.integers(0, 2), st.floats(0.1, 10)),
        min_size=1,
        max_size=12,
    )
)
def test_peeling_is_within_its_guarantee_of_the_densest_block(
    entries: list[tuple[int, int, int, float]],
) -> None:
    modes = [dense(np.array([e[n] for e in entries], dtype=np.int64))[1] for n in range(3)]
    weights = np.array([e[3] for e in entries])
    found = peeling.densest_block(modes, weights, np.arange(weights.size))
    optimum = _brute_force(modes, weights)
    assert found.density <= optimum + 1e-9
    assert found.density >= optimum / 3 - 1e-9  # D-Cube: at least 1/N of the optimum
    again = peeling.block_of(modes, weights, found.entries)
    assert again.density == pytest.approx(found.density)


def test_fraudar_finds_a_planted_clique_and_scores_it_as_published() -> None:
    rows = np.array([0, 0, 1, 1, 2, 3, 4, 5], dtype=np.int64)
    cols = np.array([0, 1, 0, 1, 2, 3, 2, 3], dtype=np.int64)
    block = fraudar.densest(rows, cols, 6, 4)
    assert set(block.rows.tolist()) == {0, 1}
    assert set(block.cols.tolist()) == {0, 1}
    # 4 edges into products of degree 2, each weighing 1 / log(2 + 5), over 4 nodes
    assert block.score == pytest.approx(4 / np.log(7) / 4)


def test_a_flooded_address_is_brushing_when_reviews_were_written_on_it() -> None:
    # One seller, 100 parcels, 24 accounts, one address (the demo's story).
    assert rings.kind_of(100, 24, 1, 1, 1, 24, reviews=55) == "brushing"
    assert rings.kind_of(100, 24, 1, 1, 1, 24, reviews=9) == "bulk_dumping"
    assert rings.kind_of(100, 1, 1, 1, 1, 1, reviews=0) == "bulk_dumping"
    assert rings.kind_of(100, 100, 100, 2, 1, 100, reviews=80) == "brushing"  # spread out
