"""The FRAUDAR baseline (Hooi et al., KDD 2016): the densest subgraph of the bipartite
account × product graph under log-weighted column suspiciousness, by greedy node removal
(pure: NumPy for the set-up, a heap for the peeling; our own implementation).

An edge into a product bought by d accounts weighs 1 / log(d + 5), so popular products
count less (this is what makes FRAUDAR resist camouflage). The score of a node set S is
g(S) = (sum of the weights of the edges inside S) / |S|. Greedy removal takes away the node
whose remaining edges weigh least, one at a time; the best set seen is the block.
A star of K accounts into k products is never denser than k: brushing rings, which are such
stars, stay invisible to it.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass

import numpy as np

from shopsafe.brushing.frame import F64, I64, Bools

CONSTANT = 5.0


@dataclass(frozen=True)
class FraudarBlock:
    rows: I64  # account indices in the block
    cols: I64  # product indices in the block
    score: float
    edges: int


def _adjacency(nodes: I64, count: int) -> tuple[list[int], list[int]]:
    """CSR (start offsets, edge ids) of the edges per node."""
    order = np.argsort(nodes, kind="stable")
    starts = np.concatenate([[0], np.cumsum(np.bincount(nodes, minlength=count))])
    return starts.tolist(), order.tolist()


def densest(rows: I64, cols: I64, n_rows: int, n_cols: int) -> FraudarBlock:
    """One block of the graph with these (distinct) edges."""
    if rows.size == 0:
        empty = np.zeros(0, dtype=np.int64)
        return FraudarBlock(empty, empty, 0.0, 0)
    degree = np.bincount(cols, minlength=n_cols)
    weight = 1.0 / np.log(degree[cols] + CONSTANT)
    nodes = n_rows + n_cols
    ends = (rows.tolist(), (cols + n_rows).tolist())
    priority = (
        np.bincount(rows, weights=weight, minlength=n_rows).tolist()
        + np.bincount(cols, weights=weight, minlength=n_cols).tolist()
    )
    starts, edge_ids = _adjacency(np.concatenate([rows, cols + n_rows]), nodes)
    present = np.zeros(nodes, dtype=np.bool_)
    present[rows] = True
    present[cols + n_rows] = True
    removed_order = _peel(priority, starts, edge_ids, ends, weight.tolist(), present)
    return _best(removed_order, rows, cols, n_rows, weight, int(present.sum()))


def _peel(
    priority: list[float],
    starts: list[int],
    edge_ids: list[int],
    ends: tuple[list[int], list[int]],
    weight: list[float],
    present: Bools,
) -> list[tuple[int, float]]:
    """Removes nodes lightest first; returns (node, edge weight still inside afterwards)."""
    edges = len(weight)
    heap = [(priority[v], v) for v in np.flatnonzero(present).tolist()]
    heapq.heapify(heap)
    removed = bytearray(len(priority))
    gone = bytearray(edges)
    inside = float(sum(weight))
    sources, targets = ends
    order: list[tuple[int, float]] = []
    while heap:
        value, node = heapq.heappop(heap)
        if removed[node] or value != priority[node]:
            continue
        removed[node] = 1
        inside -= priority[node]
        for slot in range(starts[node], starts[node + 1]):
            edge = edge_ids[slot] % edges
            if gone[edge]:
                continue
            gone[edge] = 1
            other = targets[edge] if sources[edge] == node else sources[edge]
            priority[other] -= weight[edge]
            heapq.heappush(heap, (priority[other], other))
        order.append((node, inside))
    return order


def _best(
    order: list[tuple[int, float]],
    rows: I64,
    cols: I64,
    n_rows: int,
    weight: F64,
    present: int,
) -> FraudarBlock:
    best_score, best_at = float(weight.sum()) / present, 0
    for step, (_, inside) in enumerate(order, start=1):
        left = present - step
        if left and inside / left > best_score:
            best_score, best_at = inside / left, step
    gone = np.array([node for node, _ in order[:best_at]], dtype=np.int64)
    kept = np.setdiff1d(np.concatenate([np.unique(rows), np.unique(cols) + n_rows]), gone)
    block_rows = kept[kept < n_rows]
    block_cols = kept[kept >= n_rows] - n_rows
    inner = np.isin(rows, block_rows) & np.isin(cols, block_cols)
    return FraudarBlock(block_rows, block_cols, best_score, int(inner.sum()))


def blocks(rows: I64, cols: I64, count: int) -> list[FraudarBlock]:
    """`count` blocks, each found after the edges of the ones before were taken out."""
    pairs = np.unique(np.stack([rows, cols]), axis=1)
    rows, cols = pairs[0], pairs[1]
    n_rows, n_cols = int(rows.max(initial=-1)) + 1, int(cols.max(initial=-1)) + 1
    found: list[FraudarBlock] = []
    for _ in range(count):
        block = densest(rows, cols, n_rows, n_cols)
        if block.edges == 0:
            break
        found.append(block)
        keep = ~(np.isin(rows, block.rows) & np.isin(cols, block.cols))
        rows, cols = rows[keep], cols[keep]
    return found
