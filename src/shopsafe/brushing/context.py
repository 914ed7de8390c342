"""Signals that need many lines together (pure): bursts of unusual orders of one product,
the "≥ 3 orders per buyer in an hour" rule, many parcels of one seller to one address,
accounts sharing a payment method, device or IP address, reports of unsolicited packages
and suspicion spreading from confirmed cases.

Bursts and parcels are scored as binomial surprise, -log10 P(X ≥ observed), and only what
exceeds log10(number of groups tested) + 1 counts: chance alone rarely gets there however
many groups a large ledger has.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import sparse  # type: ignore[import-untyped]
from scipy.sparse.csgraph import connected_components  # type: ignore[import-untyped]
from scipy.special import bdtrc  # type: ignore[import-untyped]

from shopsafe.brushing.frame import DAY, F64, I64, Bools, LedgerFrame, lookup
from shopsafe.brushing.keys import Key, LineKeys, combine, distinct, first_lines, key

HOUR = 3_600
# A window's own share counts as much as this many lines at the marketplace's overall share
# (small windows of a small shop say little by themselves).
PRIOR_LINES = 50.0


@dataclass(frozen=True)
class Limits:
    burst_cap: float = 8.0
    hour_ratio: float = 3.0
    hour_bonus: float = 2.0
    dump_min_parcels: int = 10
    dump_cap: float = 8.0
    shared_min_accounts: int = 3
    shared_cap: float = 4.0
    report_bonus: float = 3.0
    spread_cap: float = 4.0


@dataclass
class Context:
    """Per line: each context term (already in weight units) and what it rests on."""

    burst: F64
    burst_surprise: F64
    hour_rule: Bools
    hour: F64
    dump: F64
    shared_accounts: I64
    shared: F64
    reports: I64
    reported: F64
    spread: F64

    def total(self) -> F64:
        return self.burst + self.hour + self.dump + self.shared + self.reported + self.spread


def compute(frame: LedgerFrame, keys: LineKeys, unusual: Bools, limits: Limits) -> Context:
    burst_value, burst_surprise = burst(frame, keys, unusual, limits)
    rule = hour_rule(frame, keys, limits)
    accounts = shared_accounts(frame, keys)
    shared = np.where(
        accounts >= limits.shared_min_accounts,
        np.minimum(np.log2(np.maximum(accounts, 1)), limits.shared_cap),
        0.0,
    )
    reports = reports_at(frame)
    return Context(
        burst=burst_value,
        burst_surprise=burst_surprise,
        hour_rule=rule,
        hour=np.where(rule, limits.hour_bonus, 0.0),
        dump=dump(frame, keys, limits),
        shared_accounts=accounts,
        shared=shared,
        reports=reports,
        reported=np.where(reports > 0, limits.report_bonus, 0.0),
        spread=spread(frame, keys, limits),
    )


def surprise(hits: F64, trials: F64, rate: F64 | float) -> F64:
    """-log10 P(X ≥ hits) for X ~ Binomial(trials, rate); 0 where there are no hits."""
    value = np.zeros(hits.shape, dtype=np.float64)
    some = hits >= 1
    rates = rate[some] if isinstance(rate, np.ndarray) else rate
    successes = (hits[some] - 1).astype(np.int64)
    tail = bdtrc(successes, np.asarray(trials)[some].astype(np.int64), rates)
    value[some] = -np.log10(np.maximum(tail, 1e-300))
    return value


def _beyond_chance(value: F64, tested: int, cap: float) -> F64:
    return np.clip(value - (math.log10(max(tested, 1)) + 1.0), 0.0, cap)


def burst(frame: LedgerFrame, keys: LineKeys, unusual: Bools, limits: Limits) -> tuple[F64, F64]:
    """Unusual lines of one seller's product in one day or week (two week grids), against
    the share of unusual lines of the rest of the marketplace in that same day or week (so
    a season of gifts or of new sign-ups is no burst, and a ring does not raise the bar)."""
    windows = (
        frame.placed // DAY,
        frame.placed // (7 * DAY),
        (frame.placed + 7 * DAY // 2) // (7 * DAY),
    )
    overall = (float(unusual.sum()) + 1.0) / (frame.size + 2.0)
    best = np.zeros(frame.size, dtype=np.float64)
    tested = 0
    for values in windows:
        window = key(values)
        all_hits = np.bincount(window.index, weights=unusual, minlength=window.count)
        all_lines = np.bincount(window.index, minlength=window.count).astype(np.float64)
        cell = combine(keys.product, window)
        trials = np.bincount(cell.index, minlength=cell.count).astype(np.float64)
        hits = np.bincount(cell.index, weights=unusual, minlength=cell.count)
        of_cell = np.zeros(cell.count, dtype=np.int64)
        of_cell[cell.index] = window.index
        # the rest of the marketplace in that window sets the expected share
        rate = (all_hits[of_cell] - hits + PRIOR_LINES * overall) / (
            all_lines[of_cell] - trials + PRIOR_LINES
        )
        tested += int((hits >= 1).sum())
        best = np.maximum(best, surprise(hits.astype(np.float64), trials, rate)[cell.index])
    value = np.where(unusual, _beyond_chance(best, tested, limits.burst_cap), 0.0)
    return value, np.where(unusual, best, 0.0)


def hour_rule(frame: LedgerFrame, keys: LineKeys, limits: Limits) -> Bools:
    """In one hour a seller's orders per distinct buyer reach `hour_ratio`: the lines of
    the buyers with at least 3 of those orders are flagged (hours slide by half an hour)."""
    pair = combine(keys.order, keys.seller)
    heads = first_lines(pair)  # one line per order and seller
    seller, customer = key(frame.seller[heads]), key(frame.customer[heads])
    flagged = np.zeros(heads.size, dtype=np.bool_)
    for offset in (0, HOUR // 2):
        cell = combine(seller, key((frame.placed[heads] + offset) // HOUR))
        buyer = combine(cell, customer)
        orders = np.bincount(cell.index, minlength=cell.count)
        buyer_orders = np.bincount(buyer.index, minlength=buyer.count)
        ratio = orders / np.maximum(distinct(buyer, cell), 1)
        flagged |= (ratio[cell.index] >= limits.hour_ratio) & (buyer_orders[buyer.index] >= 3)
    by_pair = np.zeros(pair.count, dtype=np.bool_)
    by_pair[pair.index[heads]] = flagged
    return by_pair[pair.index]


def dump(frame: LedgerFrame, keys: LineKeys, limits: Limits) -> F64:
    """Many parcels of one seller to one address, bought by accounts that buy from no
    other seller, against the seller's share of all lines."""
    pair = combine(keys.address, keys.seller)
    parcels = np.bincount(pair.index, minlength=pair.count).astype(np.float64)
    tested = parcels >= limits.dump_min_parcels
    if not tested.any():
        return np.zeros(frame.size, dtype=np.float64)
    at_address = np.bincount(keys.address.index, minlength=keys.address.count)
    share = np.bincount(keys.seller.index, minlength=keys.seller.count) / max(frame.size, 1)
    heads = first_lines(pair)
    value = np.zeros(pair.count, dtype=np.float64)
    value[pair.index[heads]] = surprise(
        np.where(tested, parcels, 0.0)[pair.index[heads]],
        at_address[keys.address.index[heads]].astype(np.float64),
        share[keys.seller.index[heads]],
    )
    exclusive = keys.seller.distinct_per(keys.customer)[keys.customer.index] == 1
    extra = _beyond_chance(value, int(tested.sum()), limits.dump_cap)
    return np.where(exclusive, extra[pair.index], 0.0)


def shared_accounts(frame: LedgerFrame, keys: LineKeys) -> I64:
    """Per line: how many accounts share a payment method, device or IP address with its
    account, directly or through others (1 when none)."""
    clusters = _clusters(frame, keys.customer)
    sizes = np.bincount(clusters)
    return np.asarray(sizes[clusters[keys.customer.index]], dtype=np.int64)


def _clusters(frame: LedgerFrame, accounts: Key) -> I64:
    """A component label per account: accounts linked by an identical digest."""
    if frame.print_order.size == 0:
        return np.arange(accounts.count, dtype=np.int64)
    owner = lookup(frame.order, frame.customer, frame.print_order)
    known = owner >= 0
    account = np.searchsorted(accounts.values, owner[known])
    digest = combine(key(frame.print_kind[known]), key(frame.print_code[known]))
    size = accounts.count + digest.count
    graph = sparse.coo_matrix(
        (np.ones(account.size), (account, accounts.count + digest.index)), shape=(size, size)
    )
    _, labels = connected_components(graph, directed=False)
    return np.asarray(labels[: accounts.count], dtype=np.int64)


def reports_at(frame: LedgerFrame) -> I64:
    """Per line: reports of unsolicited packages found at its address."""
    addresses, counts = np.unique(frame.reported_address, return_counts=True)
    return np.maximum(lookup(addresses, counts.astype(np.int64), frame.address, 0), 0)


def spread(frame: LedgerFrame, keys: LineKeys, limits: Limits) -> F64:
    """Suspicion from confirmed cases: their accounts (4), addresses (3), accounts that
    share an address or a fingerprint cluster with their accounts (2), their sellers (1)."""
    own = np.isin(frame.customer, frame.confirmed_customer)
    if not (own.any() or frame.confirmed_address.size or frame.confirmed_seller.size):
        return np.zeros(frame.size, dtype=np.float64)
    their_addresses = np.unique(np.concatenate([frame.address[own], frame.confirmed_address]))
    neighbours = np.unique(frame.customer[np.isin(frame.address, their_addresses)])
    clusters = _clusters(frame, keys.customer)
    own_clusters = np.unique(clusters[keys.customer.index[own]])
    in_cluster = np.isin(clusters[keys.customer.index], own_clusters)
    value = np.maximum.reduce(
        [
            np.where(own, 4.0, 0.0),
            np.where(np.isin(frame.address, frame.confirmed_address), 3.0, 0.0),
            np.where(np.isin(frame.customer, neighbours) | in_cluster, 2.0, 0.0),
            np.where(np.isin(frame.seller, frame.confirmed_seller), 1.0, 0.0),
        ]
    )
    return np.asarray(np.minimum(value, limits.spread_cap), dtype=np.float64)
