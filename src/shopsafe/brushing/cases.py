"""Rings in the operators' case list (`/operator/cases`): every kept ring opens or updates a
detection case (`shopsafe.unsolicited.detected`), and the case is where operators decide.

Once a ring has a case, the case's status is the ring's: a ring read through this package
shows it, a detection run copies it onto the ring, and deciding the ring through the ring
API decides the case (confirm → ranking adjustments, dismiss → reversed). Services never
commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from shopsafe.brushing.models import DetectionRun, Ring
from shopsafe.brushing.rings import Found
from shopsafe.kit.errors import Conflict
from shopsafe.unsolicited import actions, detected
from shopsafe.unsolicited.models import Case


@dataclass
class CaseCounts:
    opened: int = 0
    updated: int = 0
    left_dismissed: int = 0


def open_or_update(
    session: Session, run: DetectionRun, kept: list[tuple[Ring, Found]], now: datetime
) -> CaseCounts:
    """Opens or updates the case of every kept ring, strongest ring first."""
    counts = CaseCounts()
    taken: set[int] = set()
    for ring, found in sorted(kept, key=lambda pair: (-pair[0].score, pair[0].id)):
        case, outcome = detected.open_or_update(
            session, ring=_detected(run, ring, found), taken=taken, now=now
        )
        if case is not None:
            taken.add(case.id)
            ring.case_id = case.id
            follow(ring, case)
        counts.opened += outcome == "opened"
        counts.updated += outcome == "updated"
        counts.left_dismissed += outcome == "left_dismissed"
    session.flush()
    return counts


def _detected(run: DetectionRun, ring: Ring, found: Found) -> detected.DetectedRing:
    return detected.DetectedRing(
        ring_id=ring.id,
        run_id=run.id,
        kind=ring.kind,
        score=ring.score,
        evidence=list(ring.evidence),
        accounts=found.accounts.tolist(),
        orders=found.orders.tolist(),
        sellers=found.sellers.tolist(),
        products=int(found.products.size),
        reviews=int(found.reviews.size),
        case_id=ring.case_id,
        status=ring.status,
        decided_by=ring.decided_by,
    )


def follow(ring: Ring, case: Case) -> None:
    """The ring takes its case's decision."""
    if case.status in ("open", "confirmed", "dismissed") and ring.status != case.status:
        ring.status, ring.decided_at, ring.decided_by = (
            case.status,
            case.decided_at,
            case.decided_by,
        )


def decide(session: Session, *, ring: Ring, case: Case, status: str, actor: str) -> None:
    """Decides the ring's case: `confirmed` and `dismissed` as on the case page; `open` only
    while the case is still open (a decided case is not reopened from here)."""
    if status == "confirmed" and case.status != "confirmed":
        actions.confirm(session, number=case.number, actor=actor)
    elif status == "dismissed":
        actions.dismiss(session, number=case.number, actor=actor)
    elif status == "open" and case.status != "open":
        raise Conflict(
            f"ring {ring.id} belongs to case {case.number}, which is {case.status}; "
            f"decide it at /operator/cases/{case.number}"
        )
    follow(ring, case)
