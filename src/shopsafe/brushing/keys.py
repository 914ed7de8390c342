"""Dense integer keys for group-bys over the line table (pure).

Ledger ids are already small integers (1…N), so a key uses them as its group index as they
are whenever they are dense enough; only sparse values and combinations are sorted into
0…n-1 (`np.unique`). Sorting is the costly part of every group-by here.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from shopsafe.brushing.frame import I64, LedgerFrame, dense

DIRECT_LIMIT = 4  # groups per value at most, for a key to index directly


@dataclass(frozen=True)
class Key:
    """Each line's group (0..count-1) and the value of each group (some may be empty)."""

    index: I64
    count: int
    values: I64

    def distinct_per(self, group: Key) -> I64:
        """For each group of `group`, how many distinct values of this key its lines hold."""
        return distinct(combine(group, self), group)


def distinct(pair: Key, group: Key) -> I64:
    """For each group of `group`, how many groups of `pair` (a finer key) its lines hold."""
    seen = np.zeros(pair.count, dtype=np.bool_)
    seen[pair.index] = True
    owner = np.zeros(pair.count, dtype=np.int64)
    owner[pair.index] = group.index
    return np.bincount(owner[seen], minlength=group.count).astype(np.int64)


def first_lines(pair: Key) -> I64:
    """The position of the first line of each non-empty group (no sort)."""
    size = pair.index.size
    first = np.full(pair.count, size, dtype=np.int64)
    np.minimum.at(first, pair.index, np.arange(size, dtype=np.int64))
    return first[first < size]


def key(values: I64) -> Key:
    if values.size == 0:
        return Key(values.astype(np.int64), 0, np.zeros(0, dtype=np.int64))
    low, high = int(values.min()), int(values.max())
    if high - low < DIRECT_LIMIT * values.size + 1_000:
        count = high - low + 1
        return Key(values - low, count, np.arange(low, high + 1, dtype=np.int64))
    unique, index = dense(values)
    return Key(index, int(unique.size), unique)


def combine(*keys: Key) -> Key:
    """The key of the combination (at most one sort, however many keys)."""
    combined = np.zeros(keys[0].index.shape, dtype=np.int64)
    space = 1
    for part in keys:
        combined = combined * part.count + part.index
        space *= max(part.count, 1)
    if space <= DIRECT_LIMIT * combined.size + 1_000:
        return Key(combined, space, np.arange(space, dtype=np.int64))
    unique, index = dense(combined)
    return Key(index, int(unique.size), unique)


@dataclass(frozen=True)
class LineKeys:
    customer: Key
    address: Key
    product: Key
    seller: Key
    order: Key


def line_keys(frame: LedgerFrame) -> LineKeys:
    return LineKeys(
        customer=key(frame.customer),
        address=key(frame.address),
        product=key(frame.product),
        seller=key(frame.seller),
        order=key(frame.order),
    )
