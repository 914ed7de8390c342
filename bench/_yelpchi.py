"""The YelpChi sanity figure for brushing detection: its review-farm part scored against
Yelp's filter labels (research data in ../shared/data/fraud/, never shipped; see SOURCES.md).

Each review becomes a one-line order of its user for its hotel or restaurant, reviewed the
same day; the account's sign-up is the day before its first review. Only the facts a review
graph records are used (new account, five-star review soon after the purchase); gifts,
addresses and prices are unknown there, not "absent". Reported, not tuned.
"""

from __future__ import annotations

import gzip
from datetime import UTC, datetime
from typing import Any

import numpy as np

from _common import ROOT
from shopsafe.brushing import detection, features
from shopsafe.brushing.frame import DAY, LedgerFrame, dense, ints

YELPCHI = ROOT.parent / "shared" / "data" / "fraud" / "yelpchi" / "metadata_full.gz"
REVIEW_FACTS = ("new_account", "fast_five")


def yelpchi_frame(limit: int | None) -> tuple[LedgerFrame, np.ndarray[Any, Any]]:
    """Each review as a one-line order of its user for its hotel or restaurant, reviewed at
    once; the account's sign-up is its first review. Labels: 1 = filtered by Yelp."""
    users: dict[str, int] = {}
    products: dict[str, int] = {}
    rows = []
    with gzip.open(YELPCHI, "rt", encoding="utf-8") as handle:
        for number, text in enumerate(handle):
            if limit is not None and number >= limit:
                break
            user, product, rating, label, day = text.split()
            when = int(datetime.fromisoformat(day).replace(tzinfo=UTC).timestamp()) + 43_200
            rows.append((users.setdefault(user, len(users) + 1),
                         products.setdefault(product, len(products) + 1),
                         round(float(rating)), when, int(label == "-1")))  # fmt: skip
    data = np.array(rows, dtype=np.int64)
    n = data.shape[0]
    ids = np.arange(1, n + 1, dtype=np.int64)
    first = np.full(len(users) + 1, np.iinfo(np.int64).max)
    np.minimum.at(first, data[:, 0], data[:, 3])
    frame = LedgerFrame(
        line=ids, order=ids, customer=data[:, 0], address=data[:, 0], product=data[:, 1],
        seller=data[:, 1], placed=data[:, 3], gift=np.zeros(n, bool),
        price_cents=np.zeros(n, np.int64), customer_id=np.arange(1, len(users) + 1),
        customer_created=first[1:] - DAY, review=ids, review_order=ids,
        review_line=ids, review_rating=data[:, 2], review_created=data[:, 3],
        delivered_order=ints(), delivered_at=ints(),
    )  # fmt: skip
    return frame, data[:, 4]


def auc(scores: np.ndarray[Any, Any], labels: np.ndarray[Any, Any]) -> float:
    """Area under the ROC curve (Mann–Whitney, ties averaged)."""
    from scipy.stats import rankdata  # type: ignore[import-untyped]

    ranks = rankdata(scores)
    positives = int(labels.sum())
    negatives = labels.size - positives
    return float(
        (ranks[labels == 1].sum() - positives * (positives + 1) / 2) / (positives * negatives)
    )


def yelpchi(limit: int | None) -> dict[str, Any] | None:
    if not YELPCHI.exists():
        return None
    frame, labels = yelpchi_frame(limit)
    settings = detection.Settings(signals=features.Settings(facts=REVIEW_FACTS))
    signals = features.compute(frame, settings.signals)
    result = detection.detect(frame, settings)
    in_ring = np.isin(
        frame.line, np.concatenate([frame.line[r.lines] for r in result.rings] or [ints()])
    )
    score = signals.weight + in_ring * 10.0
    users, user_index = dense(frame.customer)
    user_score = np.zeros(users.size)
    np.maximum.at(user_score, user_index, score)
    spammer = np.zeros(users.size, dtype=np.int64)
    np.maximum.at(spammer, user_index, labels)
    extreme = np.isin(frame.review_rating, (1, 5)).astype(float)
    return {
        "reviews": int(frame.size), "users": int(users.size), "filtered": int(labels.sum()),
        "auc_review": auc(score, labels), "auc_user": auc(user_score, spammer),
        "auc_extreme_rating": auc(extreme, labels), "rings": len(result.rings),
    }  # fmt: skip


def yelpchi_text(found: dict[str, Any] | None) -> str:
    if found is None:
        return "YelpChi data not found (`../shared/data/fraud/yelpchi/`); no sanity figure."
    return (
        f"{found['reviews']:,} reviews by {found['users']:,} users of 201 hotels and "
        f"restaurants, {found['filtered']:,} filtered by Yelp. Score of a review: its "
        "suspiciousness from the review facts (new account, five stars; the weight the "
        "peeling uses) plus 10 when it lies in a detected "
        f"block ({found['rings']} blocks). AUC against Yelp's filter: "
        f"**{found['auc_review']:.3f}** per review, **{found['auc_user']:.3f}** per user (a "
        "user counts as a spammer with at least one filtered review). For scale: the rating "
        "alone (1 or 5 stars) gives "
        f"{found['auc_extreme_rating']:.3f}. Reported, not tuned: no setting was changed for it."
    )
