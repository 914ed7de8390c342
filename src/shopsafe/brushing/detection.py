"""From a LedgerFrame to rings (pure): signals, peeling, splitting, judging.

1. `features.compute` gives every line its suspiciousness (its mass in the tensor).
2. `peeling.find_blocks` finds dense blocks in account × product × address × day, in
   overlapping half-year windows.
3. A block may hold several rings that only share days or addresses: it is split into
   the connected parts of its accounts, products and sellers.
4. Parts found in overlapping windows are merged; a part is a ring when its own density
   reaches `threshold` and it has at least `min_orders` orders; its evidence and kind
   come from `rings.py`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse  # type: ignore[import-untyped]
from scipy.sparse.csgraph import connected_components  # type: ignore[import-untyped]

from shopsafe.brushing import features, peeling, rings
from shopsafe.brushing.frame import DAY, F64, I64, LedgerFrame, dense


@dataclass(frozen=True)
class Settings:
    threshold: float = 12.0
    min_orders: int = 10
    max_blocks: int = 20
    window_days: int = 180
    stride_days: int = 90
    signals: features.Settings = field(default_factory=features.Settings)


@dataclass
class Result:
    rings: list[rings.Found]
    signals: features.Signals
    entries: int
    seconds: dict[str, float]


def tensor(frame: LedgerFrame, lines: I64) -> list[I64]:
    """The four modes (account, product, address, day) of these lines, as dense indices."""
    return [
        dense(frame.customer[lines])[1],
        dense(frame.product[lines])[1],
        dense(frame.address[lines])[1],
        dense(frame.placed[lines] // DAY)[1],
    ]


def windows(placed: I64, settings: Settings) -> list[I64]:
    """Positions of the lines of each time window (`window_days` long, every `stride_days`).
    Mass piles up with time: over years, ordinary repeat buyers form blocks as dense as
    fraud; within half a year they do not (see ADR 13)."""
    if placed.size == 0:
        return []
    first, last = int(placed.min()), int(placed.max())
    width, stride = settings.window_days * DAY, settings.stride_days * DAY
    found = []
    start = first - first % stride
    while True:
        inside = np.flatnonzero((placed >= start) & (placed < start + width))
        if inside.size:
            found.append(inside)
        if start + width > last:
            return found
        start += stride


def detect(
    frame: LedgerFrame, settings: Settings | None = None, *, since: int | None = None
) -> Result:
    """Rings among the lines placed at or after `since` (Unix seconds); the signals use
    the whole history."""
    settings = settings or Settings()
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    signals = features.compute(frame, settings.signals)
    seconds["signals"] = time.perf_counter() - started
    lines = np.flatnonzero(frame.placed >= since) if since is not None else np.arange(frame.size)
    started = time.perf_counter()
    candidates: list[I64] = []
    for window in windows(frame.placed[lines], settings):
        chosen = lines[window]
        modes = tensor(frame, chosen)
        for block in peeling.find_blocks(
            modes,
            signals.weight[chosen],
            threshold=settings.threshold,
            max_blocks=settings.max_blocks,
        ):
            candidates.extend(split(frame, chosen[block.entries]))
    seconds["peeling"] = time.perf_counter() - started
    found = [
        rings.describe(frame, signals, part, block)
        for part, block in judge(frame, signals.weight, candidates, settings)
    ]
    found.sort(key=lambda ring: -ring.score)
    return Result(found, signals, int(lines.size), seconds)


def judge(
    frame: LedgerFrame, weight: F64, candidates: list[I64], settings: Settings
) -> list[tuple[I64, peeling.Block]]:
    """Candidates merged when they share an account, product, address or seller (the same
    ring seen in overlapping windows, or peeled in slices); each merged part is kept when
    it is dense enough and has enough orders, else its densest candidate if that is."""
    if not candidates:
        return []
    kept = []
    for part in split(frame, np.unique(np.concatenate(candidates))):
        members = [c for c in candidates if np.isin(c[:1], part).all()]
        judged = [(lines, _block(frame, weight, lines)) for lines in (part, *members)]
        good = [
            (lines, block)
            for lines, block in judged
            if block.density >= settings.threshold
            and np.unique(frame.order[lines]).size >= settings.min_orders
        ]
        if good:
            kept.append(good[0] if good[0][0] is part else max(good, key=lambda g: g[1].density))
    return kept


def _block(frame: LedgerFrame, weight: F64, lines: I64) -> peeling.Block:
    modes = tensor(frame, lines)
    return peeling.block_of(modes, weight[lines], np.arange(lines.size))


def split(frame: LedgerFrame, lines: I64) -> list[I64]:
    """The lines of a block, grouped by the connected parts of their accounts, products and
    sellers. Days do not connect (rings of different sellers on one day), nor do addresses
    (two rings may ship to the same harvested address and still be two rings)."""
    if lines.size == 0:
        return []
    nodes = [dense(column[lines])[1] for column in (frame.customer, frame.product, frame.seller)]
    offsets = np.cumsum([0] + [int(n.max()) + 1 for n in nodes])
    account = nodes[0]
    rows = np.concatenate([account, account])
    cols = np.concatenate([nodes[1] + offsets[1], nodes[2] + offsets[2]])
    size = int(offsets[-1])
    graph = sparse.coo_matrix((np.ones(rows.size), (rows, cols)), shape=(size, size))
    _, labels = connected_components(graph, directed=False)
    label = labels[account]
    return [lines[label == value] for value in np.unique(label)]
