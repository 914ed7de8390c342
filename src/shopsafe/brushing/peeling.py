"""Dense blocks in a multi-aspect tensor by greedy peeling, after D-Cube (Shin et al.,
WSDM 2017) with the arithmetic-average-mass density (pure: NumPy).

A tensor entry has one value per mode (here account, product, address, day) and a mass
(the line's suspiciousness). A block is a set of values per mode; its entries are those
whose every value is in it; its density is

    ρ(B) = mass(B) / ((|B_1| + … + |B_N|) / N).

Peeling starts from the whole tensor and, step by step, takes the mode whose removal gives
the densest rest and removes every value of it whose slice mass is at most the mode's
average. Inside a step the values go in ascending order of mass; they are disjoint slices
of one mode, so the density after each single removal is exact. The densest state seen is
the block. Each step is a few `bincount`s over the remaining entries: the same work as a
group-by, so it runs on columns, and on a distributed engine (ADR 14).

Before peeling, values whose mass is below `threshold / N` are pruned repeatedly: no block
of density ≥ threshold that peeling could not improve holds such a value.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from shopsafe.brushing.frame import F64, I64, Bools

NEVER = np.iinfo(np.int64).max


@dataclass(frozen=True)
class Block:
    entries: I64  # indices of the tensor's entries in the block
    density: float
    mass: float
    sizes: tuple[int, ...]


def density(mass: float, sizes: Sequence[int]) -> float:
    total = sum(sizes)
    return mass / (total / len(sizes)) if total else 0.0


def block_of(modes: Sequence[I64], weights: F64, entries: I64) -> Block:
    """A block made of exactly these entries (its values are theirs)."""
    sizes = tuple(int(np.unique(mode[entries]).size) for mode in modes)
    mass = float(weights[entries].sum())
    return Block(entries, density(mass, sizes), mass, sizes)


def prune(modes: Sequence[I64], weights: F64, alive: Bools, min_mass: float) -> Bools:
    """Entries left after repeatedly dropping values whose slice mass is below min_mass."""
    alive = alive.copy()
    while True:
        changed = False
        for mode in modes:
            index = np.flatnonzero(alive)
            mass = np.bincount(mode[index], weights=weights[index])
            light = mass[mode[index]] < min_mass
            if light.any():
                alive[index[light]] = False
                changed = True
        if not changed:
            return alive


def densest_block(modes: Sequence[I64], weights: F64, entries: I64) -> Block:
    """The densest block that peeling finds among `entries`."""
    count = len(modes)
    cards = [int(mode.max(initial=-1)) + 1 for mode in modes]
    removed_at = [np.full(card, NEVER, dtype=np.int64) for card in cards]
    alive = [np.zeros(card, dtype=np.bool_) for card in cards]
    for n in range(count):
        alive[n][modes[n][entries]] = True
    sizes = [int(a.sum()) for a in alive]
    current = entries
    best, best_step, step = density(float(weights[entries].sum()), sizes), 0, 0
    while current.size and sum(sizes):
        mass_total = float(weights[current].sum())
        masses = [
            np.bincount(modes[n][current], weights=weights[current], minlength=cards[n]).astype(
                np.float64
            )
            for n in range(count)
        ]
        n, light = _choose_mode(masses, alive, sizes, mass_total)
        order = light[np.argsort(masses[n][light], kind="stable")]
        rest = mass_total - np.cumsum(masses[n][order])
        left = sum(sizes) - np.arange(1, order.size + 1)
        with np.errstate(divide="ignore", invalid="ignore"):
            after = np.where(left > 0, rest / (left / count), 0.0)
        removed_at[n][order] = step + np.arange(order.size)
        if after.size and float(after.max()) > best:
            best, best_step = float(after.max()), step + int(after.argmax()) + 1
        step += order.size
        alive[n][order] = False
        sizes[n] -= order.size
        current = current[alive[n][modes[n][current]]]
    inside = np.ones(entries.size, dtype=np.bool_)
    for n in range(count):
        inside &= removed_at[n][modes[n][entries]] >= best_step
    return block_of(modes, weights, entries[inside])


def _choose_mode(
    masses: list[F64], alive: list[Bools], sizes: list[int], mass_total: float
) -> tuple[int, I64]:
    """The mode whose light values (mass ≤ the mode's average) leave the densest rest."""
    count = len(masses)
    best: tuple[float, int, I64] | None = None
    for n in range(count):
        if sizes[n] == 0:
            continue
        average = mass_total / sizes[n] * (1 + 1e-9)  # equal masses must not stall
        light = np.flatnonzero(alive[n] & (masses[n] <= average))
        if light.size == 0:
            living = np.flatnonzero(alive[n])
            light = living[[int(np.argmin(masses[n][living]))]]
        left = sum(sizes) - light.size
        after = (mass_total - float(masses[n][light].sum())) / (left / count) if left else -1.0
        if best is None or after > best[0]:
            best = (after, n, light)
    assert best is not None
    return best[1], best[2]


def find_blocks(
    modes: Sequence[I64],
    weights: F64,
    *,
    threshold: float,
    max_blocks: int,
    alive: Bools | None = None,
) -> list[Block]:
    """Dense blocks one after another (each one's entries taken out before the next),
    until the densest left is below `threshold` or `max_blocks` were found."""
    size = weights.size
    remaining = np.ones(size, dtype=np.bool_) if alive is None else alive.copy()
    blocks: list[Block] = []
    while len(blocks) < max_blocks:
        remaining = prune(modes, weights, remaining, threshold / len(modes))
        entries = np.flatnonzero(remaining)
        if entries.size == 0:
            break
        block = densest_block(modes, weights, entries)
        if block.density < threshold or block.entries.size == 0:
            break
        blocks.append(block)
        remaining[block.entries] = False
    return blocks
