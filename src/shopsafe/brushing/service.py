"""Brushing detection on the database: read the ledger, find rings, keep them.

A ring that shares orders with a ring kept before updates that ring (members, score,
evidence), so an operator's decision on it stays; otherwise a new ring is opened with status
`open`. Each kept ring then opens or updates its case in the operators' case list
(`cases.py`, unless `open_cases` is off), and the case's decision is the ring's. Services
never commit.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from shopsafe.audit import service as audit
from shopsafe.brushing import cases, detection, rings
from shopsafe.brushing import repository as repo
from shopsafe.brushing.models import DetectionRun, Ring
from shopsafe.brushing.schemas import AddressOut, ProductOut, RingDetail, RingOut
from shopsafe.kit.clock import as_utc
from shopsafe.kit.clock import now as utc_now
from shopsafe.kit.cursors import parse_cursor
from shopsafe.kit.errors import InvalidInput, NotFound
from shopsafe.ledger.models import Customer, Order, Review, Seller

ACTOR = "brushing-detector"
STATUSES = ("open", "confirmed", "dismissed")


@dataclass
class Outcome:
    run: DetectionRun
    rings: list[RingOut]
    opened: int
    updated: int
    cases: cases.CaseCounts | None = None  # None: cases were left alone (`open_cases` off)


def detect(
    session: Session,
    *,
    since: datetime | None = None,
    settings: detection.Settings | None = None,
    now: datetime | None = None,
    open_cases: bool = True,
) -> Outcome:
    """Runs detection over the ledger and keeps what it finds (one run row, its rings), and
    opens or updates a case for operators for each ring (not with `open_cases=False`)."""
    stamp = now or utc_now()
    started = time.perf_counter()
    frame = repo.load_frame(session)
    read = time.perf_counter() - started
    since_epoch = int(as_utc(since).timestamp()) if since is not None else None
    result = detection.detect(frame, settings, since=since_epoch)
    run = DetectionRun(
        started_at=stamp,
        since=since,
        lines=result.entries,
        accounts=int(frame.customer_id.size),
        params={"threshold": (settings or detection.Settings()).threshold},
        timings={"read": round(read, 3), **{k: round(v, 3) for k, v in result.seconds.items()}},
    )
    repo.add(session, run)
    kept: list[tuple[Ring, rings.Found]] = []
    opened = 0
    for found in result.rings:
        ring, new = _keep(session, run, found, stamp, taken={r.id for r, _ in kept})
        kept.append((ring, found))
        opened += new
    counts = cases.open_or_update(session, run, kept, stamp) if open_cases else None
    run.rings = len(kept)
    run.finished_at = utc_now()
    data: dict[str, object] = {"rings": len(kept), "opened": opened, "lines": result.entries}
    if counts is not None:
        data |= {"cases_opened": counts.opened, "cases_updated": counts.updated,
                 "cases_left_dismissed": counts.left_dismissed}  # fmt: skip
    audit.record(
        session,
        actor=ACTOR,
        action="brushing.detect",
        subject_type="brushing_run",
        subject_id=run.id,
        data=data,
    )
    found_rings = [r for r, _ in kept]
    return Outcome(run, rings_out(session, found_rings), opened, len(kept) - opened, counts)


def _members(found: rings.Found) -> dict[str, list[int]]:
    return {
        "account": found.accounts.tolist(),
        "order": found.orders.tolist(),
        "address": found.addresses.tolist(),
        "seller": found.sellers.tolist(),
        "product": found.products.tolist(),
        "review": found.reviews.tolist(),
    }


def _keep(
    session: Session, run: DetectionRun, found: rings.Found, stamp: datetime, taken: set[int]
) -> tuple[Ring, bool]:
    overlaps = {k: v for k, v in repo.ring_overlaps(session, found.orders.tolist()).items()}
    candidates = sorted(
        (-count, ring_id) for ring_id, count in overlaps.items() if ring_id not in taken
    )
    ring = repo.get_ring(session, candidates[0][1]) if candidates else None
    new = ring is None
    if ring is None:
        ring = Ring(status="open", first_run_id=run.id, created_at=stamp)
    ring.kind, ring.score, ring.evidence = found.kind, float(found.score), list(found.evidence)
    ring.accounts, ring.orders = int(found.accounts.size), int(found.orders.size)
    ring.last_run_id, ring.updated_at = run.id, stamp
    if new:
        repo.add(session, ring)
    repo.replace_members(session, ring.id, _members(found))
    audit.record(
        session,
        actor=ACTOR,
        action="brushing.ring_opened" if new else "brushing.ring_updated",
        subject_type="brushing_ring",
        subject_id=ring.id,
        data={"kind": ring.kind, "score": ring.score, "accounts": ring.accounts, "run": run.id},
    )
    return ring, new


def rings_out(session: Session, kept: list[Ring]) -> list[RingOut]:
    """The rings as CONTRACT §2 prints them, strongest first."""
    return [
        RingOut.model_validate(d.model_dump(include=set(RingOut.model_fields)))
        for d in details(session, kept)
    ]


def details(session: Session, kept: list[Ring]) -> list[RingDetail]:
    members = repo.members_of(session, [r.id for r in kept])
    every: dict[str, set[int]] = {}
    for held in members.values():
        for role, refs in held.items():
            every.setdefault(role, set()).update(refs)
    names = {
        "account": repo.external_ids(session, Customer, every.get("account", ())),
        "order": repo.external_ids(session, Order, every.get("order", ())),
        "seller": repo.external_ids(session, Seller, every.get("seller", ())),
        "review": repo.external_ids(session, Review, every.get("review", ())),
    }
    places = repo.addresses(session, every.get("address", ()))
    goods = repo.products(session, every.get("product", ()))
    linked = repo.case_states(session, [r.case_id for r in kept if r.case_id is not None])
    out = []
    for ring in sorted(kept, key=lambda r: (-r.score, r.id)):
        held = members[ring.id]

        def named(role: str, held: dict[str, list[int]] = held) -> list[str]:
            return sorted(names[role][i] for i in held.get(role, []) if i in names[role])

        out.append(
            RingDetail(
                id=ring.id, score=ring.score, kind=ring.kind, accounts=named("account"),
                orders=named("order"), sellers=named("seller"),
                addresses=[AddressOut.model_validate(places[i]) for i in held.get("address", [])],
                evidence=list(ring.evidence),
                status=linked[ring.case_id][1] if ring.case_id in linked else ring.status,
                case_number=linked[ring.case_id][0] if ring.case_id in linked else None,
                products=[ProductOut.model_validate(goods[i]) for i in held.get("product", [])],
                reviews=named("review"), first_run_id=ring.first_run_id,
                last_run_id=ring.last_run_id, case_id=ring.case_id,
                created_at=ring.created_at, updated_at=ring.updated_at,
            )
        )  # fmt: skip
    return out


def list_rings(
    session: Session, *, status: str | None, cursor: str | None, limit: int = 50
) -> tuple[list[RingDetail], str | None]:
    if status is not None and status not in STATUSES:
        raise InvalidInput([f"status: must be one of {', '.join(STATUSES)}"])
    after = parse_cursor(cursor) if cursor else None
    found = repo.list_rings(session, status=status, after=after, limit=limit + 1)
    more = len(found) > limit
    found = found[:limit]
    items = sorted(details(session, found), key=lambda d: -d.id)
    return items, str(found[-1].id) if more and found else None


def get_ring(session: Session, ring_id: int) -> RingDetail:
    ring = repo.get_ring(session, ring_id)
    if ring is None:
        raise NotFound(f"ring {ring_id} not found")
    return details(session, [ring])[0]


def decide(session: Session, *, ring_id: int, status: str, actor: str) -> RingDetail:
    """An operator confirms or dismisses a ring (or opens it again). Confirmed rings spread
    suspicion to their accounts, addresses and sellers in later runs."""
    if status not in STATUSES:
        raise InvalidInput([f"status: must be one of {', '.join(STATUSES)}"])
    ring = repo.get_ring(session, ring_id)
    if ring is None:
        raise NotFound(f"ring {ring_id} not found")
    case = repo.case_of(session, ring)
    if case is not None:  # the case is where rings are decided (cases.py)
        cases.decide(session, ring=ring, case=case, status=status, actor=actor)
        session.flush()
        return details(session, [ring])[0]
    if ring.status != status:
        ring.status, ring.decided_at, ring.decided_by = status, utc_now(), actor
        audit.record(
            session,
            actor=actor,
            action=f"brushing.ring_{status}",
            subject_type="brushing_ring",
            subject_id=ring.id,
            data={"kind": ring.kind},
        )
        session.flush()
    return details(session, [ring])[0]
