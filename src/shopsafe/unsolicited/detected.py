"""Cases for rings that brushing detection found: opened or updated on every detection run.

A detection case has no reporter, no tracking numbers and no status link (`origin`
`detection`). Its evidence is the ring's score, kind, counts and plain-language evidence;
its orders (with account and address) are `unsolicited_case_orders` rows. Operators decide
it like a report's case (`actions`: confirm → ranking adjustments, dismiss → reversed,
suspend the seller's offers); detection never blocks deliveries by itself.

A ring keeps its case across runs: first through the case the ring was linked to, else
through a detection case of one of its sellers holding at least half of its accounts.
A dismissed case is never reopened: a later run only refreshes its evidence. A confirmed
brushing case takes orders the ring gained out of the rankings at once. Services never
commit; the caller's transaction is the detection run's.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final, Literal

from sqlalchemy.orm import Session

from shopsafe.audit.service import record
from shopsafe.unsolicited import actions, case_orders, ranking
from shopsafe.unsolicited import service as reports
from shopsafe.unsolicited.classification import Kind
from shopsafe.unsolicited.models import Case

ACTOR: Final = "brushing-detector"
NUMBER_PREFIX: Final = "RING-"
KIND_OF_RING: Final[dict[str, Kind]] = {
    "brushing": "brushing",
    "dense_block": "brushing",  # lockstep fake orders and reviews: ranking fraud too
    "bulk_dumping": "bulk_dumping",
}
Outcome = Literal["opened", "updated", "left_dismissed"]


@dataclass(frozen=True)
class DetectedRing:
    """A ring as detection kept it (ledger row ids). `case_id` is the case the ring was
    linked to before; `status` the ring's own decision when it has no case yet."""

    ring_id: int
    run_id: int
    kind: str
    score: float
    evidence: Sequence[str]
    accounts: Sequence[int]
    orders: Sequence[int]
    sellers: Sequence[int]
    products: int
    reviews: int
    case_id: int | None = None
    status: str = "open"
    decided_by: str | None = None


def open_or_update(
    session: Session, *, ring: DetectedRing, taken: set[int], now: datetime
) -> tuple[Case | None, Outcome]:
    """Opens the ring's case or updates the one it has (not one in `taken`: already another
    ring's in this run). A ring an operator dismissed before it had a case gets none."""
    case = _existing(session, ring, taken)
    if case is None:
        if ring.status == "dismissed":
            return None, "left_dismissed"
        return _open(session, ring, now), "opened"
    return case, _update(session, case, ring, now)


def _existing(session: Session, ring: DetectedRing, taken: set[int]) -> Case | None:
    if ring.case_id is not None and ring.case_id not in taken:
        case = session.get(Case, ring.case_id)
        if case is not None and case.origin == "detection":
            return case
    if not ring.accounts or not ring.sellers:
        return None
    overlaps = case_orders.overlapping_cases(session, ring.accounts, ring.sellers)
    best = sorted(
        (-shared, case_id)
        for case_id, shared in overlaps.items()
        if case_id not in taken and 2 * shared >= len(ring.accounts)
    )
    return session.get(Case, best[0][1]) if best else None


def _facts(ring: DetectedRing, counts: tuple[int, int, int]) -> dict[str, Any]:
    orders, accounts, addresses = counts
    return {
        "ring_id": ring.ring_id, "kind": ring.kind, "score": round(float(ring.score), 2),
        "evidence": list(ring.evidence), "accounts": accounts, "orders": orders,
        "addresses": addresses, "seller_ids": sorted(int(s) for s in ring.sellers),
        "products": ring.products, "reviews": ring.reviews, "last_run_id": ring.run_id,
    }  # fmt: skip


def _open(session: Session, ring: DetectedRing, now: datetime) -> Case:
    seller = case_orders.main_seller(session, ring.orders, ring.sellers) if ring.sellers else None
    case = Case(
        number=reports.new_number(session, prefix=NUMBER_PREFIX),
        origin="detection",
        access_salt=secrets.token_hex(16),  # never used: a detection case has no status link
        status="open",
        classification=KIND_OF_RING.get(ring.kind, "brushing"),
        country="",
        postal_key="",
        language="en",
        seller_id=seller,
        evidence={},
        actions=[],
        created_at=now,
        updated_at=now,
    )
    session.add(case)
    session.flush()
    case_orders.replace(session, case.id, ring.orders)
    case.country = case_orders.main_country(session, case.id)
    case.evidence = {
        **_facts(ring, case_orders.counts(session, case.id)),
        "first_run_id": ring.run_id,
        "runs": 1,
    }
    actions.log(case, at=now, by=ACTOR, action="opened_by_detection", ring=ring.ring_id)
    _audit(session, case, "case_opened", ring, {"orders_added": len(set(ring.orders))})
    if ring.status == "confirmed":  # an operator confirmed the ring before it had a case
        actions.confirm(
            session,
            number=case.number,
            actor=ring.decided_by or ACTOR,
            note=f"ring {ring.ring_id} was confirmed before it had a case",
            now=now,
        )
    return case


def _update(session: Session, case: Case, ring: DetectedRing, now: datetime) -> Outcome:
    added, removed = case_orders.replace(session, case.id, ring.orders)
    before = case.evidence or {}
    case.evidence = {
        **_facts(ring, case_orders.counts(session, case.id)),
        "first_run_id": before.get("first_run_id", ring.run_id),
        "runs": int(before.get("runs", 0)) + 1,
    }
    if case.status == "open":
        case.classification = KIND_OF_RING.get(ring.kind, case.classification)
    excluded = (0, 0)
    if case.status == "confirmed" and case.classification == "brushing":
        reason = f"confirmed brushing case {case.number}"
        excluded = ranking.exclude(
            session, case_id=case.id, order_ids=ring.orders, reason=reason, now=now
        )
    case.updated_at = now
    if added or removed or excluded != (0, 0):
        actions.log(
            case, at=now, by=ACTOR, action="updated_by_detection", ring=ring.ring_id,
            orders_added=added, orders_removed=removed, orders_excluded=excluded[0],
        )  # fmt: skip
    data = {
        "orders_added": added, "orders_removed": removed, "orders_excluded": excluded[0],
        "reviews_hidden": excluded[1], "status": case.status,
    }  # fmt: skip
    _audit(session, case, "case_updated", ring, data)
    return "left_dismissed" if case.status == "dismissed" else "updated"


def _audit(
    session: Session, case: Case, action: str, ring: DetectedRing, data: dict[str, Any]
) -> None:
    record(
        session,
        actor=ACTOR,
        action=f"unsolicited.{action}",
        subject_type="unsolicited_case",
        subject_id=case.number,
        data={
            "origin": "detection", "ring": ring.ring_id, "run": ring.run_id, "kind": ring.kind,
            "score": round(float(ring.score), 2), "accounts": len(ring.accounts), **data,
        },
    )  # fmt: skip
