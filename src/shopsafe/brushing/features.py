"""The signals of brushing, one value per order line (pure: NumPy and SciPy, no database).

Every signal is a group-by over the line table (ADR 14 shows the same computation on a
distributed engine): per line, per account, per address, per seller × product × time
window, per seller × hour, per address × seller. A line's *suspiciousness* is

    weight = 1 + LOCAL_SCALE · local
               + min(CONTEXT_CAP, burst + hour_rule + dump + shared + reported + spread)

`local` is a naive-Bayes log-likelihood ratio of what the line itself shows (gift order,
new account, an address the account never used before, somebody else's address, a
five-star review within days of delivery, a cheap item) against the marketplace's own base
rates. The context terms (`context.py`) need many lines together. The base weight 1 keeps
plain lockstep blocks of ordinary-looking accounts visible to the peeling.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from shopsafe.brushing import context
from shopsafe.brushing.frame import DAY, F64, I64, Bools, LedgerFrame, lookup
from shopsafe.brushing.keys import Key, LineKeys, combine, key, line_keys

# A quarter's own rates count as much as this many lines at the whole history's rates: a
# small shop's quarter (or one with several large rings) says little by itself.
PERIOD_PRIOR_LINES = 1_000.0
# P(signal | brushing line): what a brushing order usually shows (see ADR 13).
PRIORS = {
    "gift": 0.7,
    "new_account": 0.8,
    "new_address": 0.5,
    "other_resident": 0.4,
    "fast_five": 0.7,
    "cheap": 0.5,
}


@dataclass(frozen=True)
class Settings:
    new_account_days: float = 30.0
    fast_review_days: float = 5.0
    cheap_quantile: float = 0.25
    local_scale: float = 0.5
    local_cap: float = 8.0
    unusual: float = 1.0
    context_cap: float = 12.0
    # the line facts the ledger knows (a review graph without orders knows only the
    # review facts: a fact that is not recorded must not count as "absent")
    facts: tuple[str, ...] = tuple(PRIORS)
    limits: context.Limits = field(default_factory=context.Limits)


@dataclass
class Signals:
    """Per line (in the frame's order), and the marketplace's base rates."""

    flags: dict[str, Bools]
    base_rates: dict[str, float]
    local: F64
    unusual: Bools
    context: context.Context
    weight: F64


def compute(frame: LedgerFrame, settings: Settings | None = None) -> Signals:
    settings = settings or Settings()
    keys = line_keys(frame)
    flags = line_flags(frame, keys, settings)
    local, rates = local_ratio(flags, frame.placed, keys.seller, settings)
    unusual = local >= settings.unusual
    found = context.compute(frame, keys, unusual, settings.limits)
    weight = 1.0 + settings.local_scale * local + np.minimum(found.total(), settings.context_cap)
    return Signals(flags, rates, local, unusual, found, weight)


def line_flags(frame: LedgerFrame, keys: LineKeys, settings: Settings) -> dict[str, Bools]:
    """What each line shows by itself."""
    created = lookup(frame.customer_id, frame.customer_created, frame.customer)
    new_account = (created >= 0) & (frame.placed - created < settings.new_account_days * DAY)
    pair = combine(keys.customer, keys.address)
    never = np.iinfo(np.int64).max
    pair_first = np.full(pair.count, never, dtype=np.int64)
    np.minimum.at(pair_first, pair.index, frame.placed)
    account_first = np.full(keys.customer.count, never, dtype=np.int64)
    np.minimum.at(account_first, keys.customer.index, frame.placed)
    first_here = pair_first[pair.index] == frame.placed
    new_address = first_here & (account_first[keys.customer.index] < frame.placed)
    return {
        "gift": frame.gift.astype(np.bool_),
        "new_account": new_account,
        "new_address": new_address,
        "other_resident": _other_resident(frame, keys, pair),
        "fast_five": _fast_five(frame, settings),
        "cheap": _cheap(frame, settings),
    }


def _other_resident(frame: LedgerFrame, keys: LineKeys, pair: Key) -> Bools:
    """The address is where another account has its own (non-gift) orders delivered."""
    lives_there = np.bincount(pair.index, weights=~frame.gift, minlength=pair.count) > 0
    pair_address = np.zeros(pair.count, dtype=np.int64)
    pair_address[pair.index] = keys.address.index
    residents = np.bincount(pair_address, weights=lives_there, minlength=keys.address.count)
    others = residents[keys.address.index] - lives_there[pair.index]
    return np.asarray(others > 0, dtype=np.bool_)


def _fast_five(frame: LedgerFrame, settings: Settings) -> Bools:
    """A five-star review within a few days of delivery (or before it)."""
    if frame.review.size == 0:
        return np.zeros(frame.size, dtype=np.bool_)
    delivered = lookup(frame.delivered_order, frame.delivered_at, frame.review_order)
    placed = lookup(frame.order, frame.placed, frame.review_order)
    start = np.where(delivered >= 0, delivered, placed)
    soon = frame.review_created - start <= settings.fast_review_days * DAY
    fast = (frame.review_rating == 5) & soon
    on_line = fast & (frame.review_line >= 0)
    on_order = fast & (frame.review_line < 0)
    return np.isin(frame.line, frame.review_line[on_line]) | np.isin(
        frame.order, frame.review_order[on_order]
    )


def _cheap(frame: LedgerFrame, settings: Settings) -> Bools:
    if frame.size == 0:
        return np.zeros(0, dtype=np.bool_)
    limit = np.quantile(frame.price_cents, settings.cheap_quantile)
    return np.asarray(frame.price_cents <= limit, dtype=np.bool_)


def local_ratio(
    flags: dict[str, Bools], placed: I64, seller: Key, settings: Settings
) -> tuple[F64, dict[str, float]]:
    """Σ log P(signal | brushing) / P(signal | marketplace), clipped to [0, local_cap].

    A line's base rates are those of the rest of the marketplace in the same quarter: other
    sellers' lines only (a ring must not set the standard it is measured by; sign-ups and
    gifts have seasons), shrunk towards the whole history's rate. The whole history's rates
    are returned for the evidence texts."""
    size = placed.size
    period = key(placed // (91 * DAY))
    cell = combine(period, seller)
    lines = np.bincount(period.index, minlength=period.count)[period.index]
    lines = lines - np.bincount(cell.index, minlength=cell.count)[cell.index]
    total = np.zeros(size, dtype=np.float64)
    rates = {}
    for name in settings.facts:
        prior, flag = PRIORS[name], flags[name]
        rates[name] = (float(flag.sum()) + 1.0) / (size + 2.0)
        hits = np.bincount(period.index, weights=flag, minlength=period.count)[period.index]
        hits = hits - np.bincount(cell.index, weights=flag, minlength=cell.count)[cell.index]
        base = (hits + PERIOD_PRIOR_LINES * rates[name]) / (lines + PERIOD_PRIOR_LINES)
        total += np.where(flag, np.log(prior / base), np.log((1 - prior) / (1 - base)))
    return np.clip(total, 0.0, settings.local_cap), rates


def reviews_of(frame: LedgerFrame, lines: I64) -> I64:
    """The reviews of these lines (or of their whole orders)."""
    orders = np.unique(frame.order[np.isin(frame.line, lines)])
    on_line = (frame.review_line >= 0) & np.isin(frame.review_line, lines)
    on_order = (frame.review_line < 0) & np.isin(frame.review_order, orders)
    return np.unique(frame.review[on_line | on_order])
