"""Small constructed ledgers (LedgerFrames) for brushing tests."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from shopsafe.brushing.frame import DAY, LedgerFrame, concat, ints

START = 1_700_000_000  # 2023-11-14


@dataclass
class Builder:
    """Lines added one by one; every order has one line, ids count up from 1."""

    rows: list[tuple[int, ...]] = field(default_factory=list)
    created: dict[int, int] = field(default_factory=dict)
    reviews: list[tuple[int, ...]] = field(default_factory=list)

    def line(
        self,
        customer: int,
        product: int,
        *,
        address: int | None = None,
        at: int = START,
        gift: bool = False,
        seller: int | None = None,
        cents: int = 2_000,
        five_stars_after: float | None = None,
    ) -> int:
        number = len(self.rows) + 1
        self.rows.append(
            (number, number, customer, address if address is not None else customer,
             product, seller if seller is not None else 1 + product % 7, at, int(gift), cents)
        )  # fmt: skip
        self.created.setdefault(customer, START - 400 * DAY)
        if five_stars_after is not None:
            delivered = at + 2 * DAY
            self.reviews.append(
                (number, number, number, 5, delivered + int(five_stars_after * DAY))
            )
        return number

    def frame(self) -> LedgerFrame:
        rows = np.array(self.rows, dtype=np.int64).reshape(-1, 9)
        reviews = np.array(self.reviews, dtype=np.int64).reshape(-1, 5)
        return LedgerFrame(
            line=rows[:, 0], order=rows[:, 1], customer=rows[:, 2], address=rows[:, 3],
            product=rows[:, 4], seller=rows[:, 5], placed=rows[:, 6],
            gift=rows[:, 7].astype(bool), price_cents=rows[:, 8],
            customer_id=ints(list(self.created)),
            customer_created=ints(list(self.created.values())),
            delivered_order=rows[:, 1], delivered_at=rows[:, 6] + 2 * DAY,
            review=reviews[:, 0], review_order=reviews[:, 1], review_line=reviews[:, 2],
            review_rating=reviews[:, 3], review_created=reviews[:, 4],
        )  # fmt: skip


def background(builder: Builder, *, accounts: int = 2_000, seed: int = 1) -> None:
    """Ordinary buyers: each buys 1–5 products (a few products sell most) over a year,
    ships to their own address; a few gifts, a few quick five-star reviews."""
    rng = np.random.default_rng(seed)
    for customer in range(1, accounts + 1):
        for _ in range(int(rng.integers(1, 6))):
            product = 1 + int(300 * rng.random() ** 3)
            gift = bool(rng.random() < 0.05)
            builder.line(
                customer, product,
                address=int(rng.integers(50_000, 60_000)) if gift else customer,
                at=START + int(rng.integers(0, 360 * DAY)), gift=gift,
                five_stars_after=float(rng.uniform(2, 20)) if rng.random() < 0.15 else None,
            )  # fmt: skip


def star_ring(builder: Builder, *, accounts: int, product: int, first: int, at: int) -> set[int]:
    """New accounts, one gift order each of one product to a distinct stranger's address,
    a five-star review 1–5 days after delivery."""
    members = set()
    for k in range(accounts):
        customer = first + k
        builder.created[customer] = at - 2 * DAY
        builder.line(
            customer, product, address=900_000 + customer, at=at + k * 1_800, gift=True,
            five_stars_after=1 + k % 4,
        )  # fmt: skip
        members.add(customer)
    return members


def lockstep(
    builder: Builder, *, accounts: int, products: int, density: float, first: int, at: int
) -> set[int]:
    """Ordinary-looking accounts buying the same products: a dense block."""
    rng = np.random.default_rng(7)
    members = set()
    for a in range(accounts):
        for p in range(products):
            if rng.random() < density:
                customer = first + a
                builder.line(
                    customer, 10_000 + p, seller=99, at=at + int(rng.integers(0, 60 * DAY))
                )
                members.add(customer)
    for a in range(accounts):  # camouflage: a few ordinary purchases each
        for _ in range(3):
            builder.line(first + a, 1 + int(300 * rng.random() ** 3), at=at)
    return members


__all__ = ["Builder", "background", "concat", "lockstep", "star_ring"]
