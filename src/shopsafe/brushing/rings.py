"""What a found ring holds, what kind it is, and why it was flagged, in plain words (pure)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np

from shopsafe.brushing.features import Signals, reviews_of
from shopsafe.brushing.frame import I64, Bools, LedgerFrame
from shopsafe.brushing.peeling import Block

PARCELS_FOR_DUMPING = 10
FEW_ADDRESSES = 3
# A few addresses flooded by one seller are brushing when a tenth or more of the parcels got
# a review (fake "verified" sales), bulk dumping when hardly any did.
REVIEWED_SHARE_FOR_BRUSHING = 0.1
MIN_LINES_FOR_BENEFIT = 3
SHARE_OF_ACCOUNTS = 0.05
PRODUCTS_FOR_BLOCK = 10
PRODUCTS_PER_ACCOUNT_FOR_BLOCK = 3.0


@dataclass
class Found:
    kind: str
    score: float
    lines: I64  # positions in the frame
    accounts: I64
    orders: I64
    addresses: I64
    sellers: I64
    products: I64
    reviews: I64
    evidence: list[str]


def kind_of(
    orders: int,
    accounts: int,
    addresses: int,
    products: int,
    sellers: int,
    pairs: int,
    reviews: int = 0,
) -> str:
    """`bulk_dumping` (one seller, many parcels to a few addresses, hardly reviewed: stock
    got rid of), `dense_block` (many accounts each buying many of the same products:
    lockstep) or `brushing` (many accounts and a few products, to many addresses, or to a few
    with reviews written on them: fake "verified" sales)."""
    dumped = addresses <= FEW_ADDRESSES and orders / addresses >= PARCELS_FOR_DUMPING
    if sellers == 1 and dumped and reviews < orders * REVIEWED_SHARE_FOR_BRUSHING:
        return "bulk_dumping"
    if (
        products >= PRODUCTS_FOR_BLOCK
        and pairs / max(accounts, 1) >= PRODUCTS_PER_ACCOUNT_FOR_BLOCK
    ):
        return "dense_block"
    return "brushing"


def describe(frame: LedgerFrame, signals: Signals, lines: I64, block: Block) -> Found:
    accounts = np.unique(frame.customer[lines])
    orders = orders_of(frame, lines, accounts)
    addresses = np.unique(frame.address[lines])
    products = np.unique(frame.product[lines])
    pairs = np.unique(np.stack([frame.customer[lines], frame.product[lines]]), axis=1).shape[1]
    sellers = beneficiaries(frame, lines)
    reviews = reviews_of(frame, frame.line[lines])
    kind = kind_of(orders.size, accounts.size, addresses.size, products.size, sellers.size, pairs,
                   reviews.size)  # fmt: skip
    return Found(
        kind=kind,
        score=round(block.density, 2),
        lines=lines,
        accounts=accounts,
        orders=orders,
        addresses=addresses,
        sellers=sellers,
        products=products,
        reviews=reviews,
        evidence=evidence(frame, signals, lines, block),
    )


def orders_of(frame: LedgerFrame, lines: I64, accounts: I64) -> I64:
    """Every order the ring's accounts placed while the ring was active (its first to its
    last line): a fake account's camouflage purchases are fake too."""
    first, last = frame.placed[lines].min(), frame.placed[lines].max()
    during = (frame.placed >= first) & (frame.placed <= last)
    return np.unique(frame.order[during & np.isin(frame.customer, accounts)])


def beneficiaries(frame: LedgerFrame, lines: I64) -> I64:
    """The sellers the ring works for: those of the products whose sales in the ring's time
    span come mostly (≥ half) from the ring and that a fair part of the ring's accounts
    (≥ 5 %, at least 3 lines) bought. Camouflage purchases of other sellers' products do not
    make those sellers part of it. Of these, the sellers for whom the ring is most of what
    they sold in that time, if any. All the ring's sellers if no product qualifies."""
    first, last = frame.placed[lines].min(), frame.placed[lines].max()
    products, inside = np.unique(frame.product[lines], return_counts=True)
    during = (frame.placed >= first) & (frame.placed <= last) & np.isin(frame.product, products)
    _, total = np.unique(frame.product[during], return_counts=True)
    pairs = np.unique(np.stack([frame.product[lines], frame.customer[lines]]), axis=1)
    _, buyers = np.unique(pairs[0], return_counts=True)
    accounts = np.unique(frame.customer[lines]).size
    enough = np.maximum(MIN_LINES_FOR_BENEFIT, SHARE_OF_ACCOUNTS * accounts)
    mostly = products[
        (inside >= 0.5 * total) & (inside >= MIN_LINES_FOR_BENEFIT) & (buyers >= enough)
    ]
    chosen = np.isin(frame.product[lines], mostly) if mostly.size else np.ones(lines.size, bool)
    sellers, in_ring = np.unique(frame.seller[lines][chosen], return_counts=True)
    span = (frame.placed >= first) & (frame.placed <= last) & np.isin(frame.seller, sellers)
    _, sold = np.unique(frame.seller[span], return_counts=True)
    dominated = sellers[in_ring >= 0.5 * sold]  # the ring is most of what they sold then
    return dominated if dominated.size else sellers


def _day(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%d")


def _share(count: int, total: int) -> str:
    return f"{count} of {total}"


def evidence(frame: LedgerFrame, signals: Signals, lines: I64, block: Block) -> list[str]:
    """Plain sentences an operator can check, strongest facts first."""
    orders = np.unique(frame.order[lines])
    n = int(orders.size)
    flags = {name: _orders_with(frame, lines, flag) for name, flag in signals.flags.items()}
    rates = signals.base_rates
    a, p, d, t = block.sizes
    out = [
        f"{n} orders by {a} accounts for {p} products of "
        f"{np.unique(frame.seller[lines]).size} seller(s), shipped to {d} addresses between "
        f"{_day(int(frame.placed[lines].min()))} and {_day(int(frame.placed[lines].max()))}."
    ]
    texts = {
        "gift": "were gift orders",
        "new_account": "were placed by accounts less than 30 days old",
        "fast_five": "got a five-star review within 5 days of delivery",
        "new_address": "went to an address the buying account had never used before",
        "other_resident": "went to an address where another customer lives",
    }
    for name, text in texts.items():
        if name in rates and flags[name] and flags[name] / n > 2 * rates[name]:
            out.append(f"{_share(flags[name], n)} orders {text} (marketplace: {rates[name]:.1%}).")
    out.extend(_context_evidence(frame, signals, lines))
    out.append(
        f"Suspiciousness density {block.density:.1f} over {a} accounts × {p} products × "
        f"{d} addresses × {t} days."
    )
    return out


def _orders_with(frame: LedgerFrame, lines: I64, flag: Bools) -> int:
    return int(np.unique(frame.order[lines][flag[lines]]).size)


def _context_evidence(frame: LedgerFrame, signals: Signals, lines: I64) -> list[str]:
    found = signals.context
    out = []
    surprise = float(found.burst_surprise[lines].max(initial=0.0))
    if float(found.burst[lines].max(initial=0.0)) > 0:
        out.append(
            "Unusual orders of one product came in a burst that chance explains with a "
            f"probability below 1 in 10^{int(surprise)}."
        )
    hour = _orders_with(frame, lines, found.hour_rule)
    if hour:
        out.append(f"{hour} orders tripped the rule of 3 orders per buyer within one hour.")
    if float(found.dump[lines].max(initial=0.0)) > 0:
        _, parcels = np.unique(
            np.stack([frame.address[lines], frame.seller[lines]]), axis=1, return_counts=True
        )
        out.append(f"Up to {int(parcels.max())} parcels from one seller to one address.")
    shared = np.unique(frame.customer[lines][found.shared[lines] > 0]).size
    if shared:
        out.append(f"{shared} accounts share a payment method, device or IP address.")
    reported = _orders_with(frame, lines, found.reports > 0)
    if reported:
        out.append(f"{reported} orders went to addresses reported for unsolicited packages.")
    linked = _orders_with(frame, lines, found.spread > 0)
    if linked:
        out.append(f"{linked} orders are linked to confirmed cases (account, address or seller).")
    return out
