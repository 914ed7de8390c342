"""The ledger as columns: what detection reads, as NumPy arrays (pure, no database).

`repository.load_frame` fills it from the database in chunks; `evaluation` fills it from
generated orders. Ids are the ledger's integer keys (or the generator's stand-ins); times
are Unix seconds, -1 where unknown.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

import numpy as np
import numpy.typing as npt

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]
DAY = 86_400


def ints(values: object = ()) -> I64:
    return np.asarray(values, dtype=np.int64).reshape(-1)


@dataclass
class LedgerFrame:
    """One entry per order line, plus what the signals need about customers, deliveries,
    reviews, buyer fingerprints and unsolicited-package reports."""

    line: I64 = field(default_factory=ints)
    order: I64 = field(default_factory=ints)
    customer: I64 = field(default_factory=ints)
    address: I64 = field(default_factory=ints)
    product: I64 = field(default_factory=ints)
    seller: I64 = field(default_factory=ints)
    placed: I64 = field(default_factory=ints)
    gift: Bools = field(default_factory=lambda: np.zeros(0, dtype=np.bool_))
    price_cents: I64 = field(default_factory=ints)
    # customers: id and sign-up time
    customer_id: I64 = field(default_factory=ints)
    customer_created: I64 = field(default_factory=ints)
    # orders with a delivered shipment: order id and the first delivery
    delivered_order: I64 = field(default_factory=ints)
    delivered_at: I64 = field(default_factory=ints)
    # reviews (review_line is -1 for a review of the whole order)
    review: I64 = field(default_factory=ints)
    review_order: I64 = field(default_factory=ints)
    review_line: I64 = field(default_factory=ints)
    review_rating: I64 = field(default_factory=ints)
    review_created: I64 = field(default_factory=ints)
    # buyer fingerprints: (order, kind 0 payment / 1 device / 2 ip, code of the digest)
    print_order: I64 = field(default_factory=ints)
    print_kind: I64 = field(default_factory=ints)
    print_code: I64 = field(default_factory=ints)
    # unsolicited-package reports found at an address (one entry per report), and the
    # accounts, sellers and addresses of confirmed cases
    reported_address: I64 = field(default_factory=ints)
    confirmed_customer: I64 = field(default_factory=ints)
    confirmed_seller: I64 = field(default_factory=ints)
    confirmed_address: I64 = field(default_factory=ints)

    @property
    def size(self) -> int:
        return int(self.line.shape[0])


def concat(frames: list[LedgerFrame]) -> LedgerFrame:
    """Frames glued together column by column (ids must not clash)."""
    values = {
        f.name: np.concatenate([getattr(frame, f.name) for frame in frames])
        for f in fields(LedgerFrame)
    }
    return LedgerFrame(**values)


def dense(values: I64) -> tuple[I64, I64]:
    """(distinct values, index of each value in them): ids → 0..n-1 for bincount."""
    unique, inverse = np.unique(values, return_inverse=True)
    return unique, inverse.astype(np.int64).reshape(-1)


def lookup(keys: I64, values: I64, wanted: I64, missing: int = -1) -> I64:
    """values[k] for each k of `wanted` (keys need not be sorted); `missing` if absent."""
    if keys.size == 0:
        return np.full(wanted.shape, missing, dtype=np.int64)
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    at = np.searchsorted(sorted_keys, wanted).clip(0, keys.size - 1)
    found = sorted_keys[at] == wanted
    return np.where(found, values[order][at], missing).astype(np.int64)
