"""What a case does: delivery blocks and holds once verified, and the operators' decisions
(confirm, dismiss, suspend the seller's offers, lift the blocks). Everything is audited
and can be undone; the reporter gets an e-mail update for each decision."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from shopsafe.audit.service import record
from shopsafe.kit.clock import now as utc_now
from shopsafe.kit.errors import Conflict, NotFound
from shopsafe.unsolicited import case_orders as detected_orders
from shopsafe.unsolicited import ranking, tasks, tracing
from shopsafe.unsolicited import repository as repo
from shopsafe.unsolicited.classification import Kind
from shopsafe.unsolicited.models import Case, SellerSuspension


def _audit(session: Session, case: Case, *, actor: str, action: str, data: dict[str, Any]) -> None:
    record(
        session,
        actor=actor,
        action=f"unsolicited.{action}",
        subject_type="unsolicited_case",
        subject_id=case.number,
        data=data,
    )


def log(case: Case, *, at: datetime, by: str, action: str, **detail: Any) -> None:
    case.actions = [*case.actions, {"at": at.isoformat(), "by": by, "action": action, **detail}]
    case.updated_at = at


def case_orders(session: Session, case: Case) -> list[tuple[int, int, int]]:
    """(order, customer, address) of every order that belongs to the case. A detection case:
    the detected ring's orders. A report's case: for each address and seller of its verified
    shipments, the orders of the reported accounts and of accounts that did nothing but have
    this seller ship there (ADR 10)."""
    if case.origin == "detection":
        return detected_orders.of_case(session, case.id)
    groups: dict[tuple[int, int], set[int]] = {}
    for address, seller, customer in repo.found_pairs(session, case.id):
        groups.setdefault((address, seller), set()).add(customer)
    found: dict[int, tuple[int, int]] = {}
    for (address, seller), customers in sorted(groups.items()):
        rows = tracing.related_orders(
            session, address_id=address, seller_id=seller, customer_ids=sorted(customers)
        )
        found.update((order, (customer, address)) for order, customer in rows)
    return [(order, customer, address) for order, (customer, address) in sorted(found.items())]


def _block(session: Session, case: Case, *, now: datetime) -> tuple[int, int, int]:
    """Blocks the case's sellers and accounts at its addresses; holds what has not left.
    Returns (blocks added, lines held, shipments held)."""
    wanted: set[tuple[int, int | None, int | None]] = set()
    for address, seller, customer in repo.found_pairs(session, case.id):
        wanted |= {(address, seller, None), (address, None, customer)}
    wanted |= {(address, None, customer) for _, customer, address in case_orders(session, case)}
    addresses = sorted({a for a, _, _ in wanted})
    fresh = wanted - repo.active_blocks(session, case.id)
    repo.insert_blocks(
        session,
        [
            {"case_id": case.id, "address_id": a, "seller_id": s, "customer_id": c,
             "status": "active", "created_at": now}
            for a, s, c in sorted(fresh, key=lambda b: (b[0], b[1] or 0, b[2] or 0))
        ],
    )  # fmt: skip
    lines, shipments = repo.hold_blocked(session, address_ids=addresses)
    return len(fresh), lines, shipments


def on_verified(session: Session, *, case: Case, now: datetime) -> None:
    """A shipment of the report was delivered at the reporter's postal code: stop further
    deliveries at once (an operator can lift the block later)."""
    added, lines, shipments = _block(session, case, now=now)
    log(case, at=now, by="shopsafe", action="deliveries_blocked", blocks=added, held=shipments)
    _audit(
        session,
        case,
        actor="shopsafe",
        action="deliveries_blocked",
        data={"blocks": added, "lines_held": lines, "shipments_held": shipments},
    )


def _release(session: Session, addresses: list[int]) -> tuple[int, int]:
    """Releases our holds at the addresses, then holds again what other blocks cover."""
    if not addresses:
        return 0, 0
    released = repo.release_holds(session, addresses)
    again = repo.hold_blocked(session, address_ids=addresses)
    return released[0] - again[0], released[1] - again[1]


def _get(session: Session, number: str) -> Case:
    case = repo.case_by_number(session, number)
    if case is None:
        raise NotFound(f"case '{number}' not found")
    return case


def _reporter_email(session: Session, case: Case) -> str | None:
    """Where the reporter's updates go (nobody for a detection case)."""
    report = repo.first_report(session, case.id)
    return report.email if report is not None else None


def confirm(
    session: Session,
    *,
    number: str,
    actor: str,
    note: str | None = None,
    classification: Kind | None = None,
    now: datetime | None = None,
) -> Case:
    """Confirms a verified case. A confirmed brushing case takes its orders out of sales-
    rank signals and hides their reviews; another classification puts them back."""
    stamp = now or utc_now()
    case = _get(session, number)
    if case.status == "unverified":
        raise Conflict(
            f"case {number} is unverified: none of its tracking numbers was delivered at the "
            "reporter's postal code, so there is nothing to confirm"
        )
    was_dismissed = case.status == "dismissed"
    case.status, case.decided_at, case.decided_by = "confirmed", stamp, actor
    if classification is not None:
        case.classification = classification
    if was_dismissed and case.origin == "report":  # detection never blocks deliveries
        _block(session, case, now=stamp)
    excluded = (0, 0)
    if case.classification == "brushing":
        order_ids = [o for o, _, _ in case_orders(session, case)]
        reason = f"confirmed brushing case {case.number}"
        excluded = ranking.exclude(
            session, case_id=case.id, order_ids=order_ids, reason=reason, now=stamp
        )
    else:
        ranking.reverse(session, case_id=case.id, now=stamp)
    log(case, at=stamp, by=actor, action="confirmed", classification=case.classification, note=note)
    _audit(
        session,
        case,
        actor=actor,
        action="case_confirmed",
        data={"classification": case.classification, "orders_excluded": excluded[0],
              "reviews_hidden": excluded[1], "note": note},
    )  # fmt: skip
    tasks.queue(
        session, case=case, email=_reporter_email(session, case), kind="confirmed", now=stamp
    )
    return case


def dismiss(
    session: Session,
    *,
    number: str,
    actor: str,
    note: str | None = None,
    now: datetime | None = None,
) -> Case:
    """Dismisses a case: ranking adjustments reversed, blocks and suspensions lifted, holds
    released (unless another case's block still covers them)."""
    stamp = now or utc_now()
    case = _get(session, number)
    if case.status == "dismissed":
        return case
    reversed_ = ranking.reverse(session, case_id=case.id, now=stamp)
    addresses = repo.lift_blocks(session, case.id, now=stamp, by=actor)
    released = _release(session, addresses)
    lifted = repo.lift_suspensions(session, case.id, now=stamp)
    case.status, case.decided_at, case.decided_by = "dismissed", stamp, actor
    log(case, at=stamp, by=actor, action="dismissed", note=note)
    _audit(
        session,
        case,
        actor=actor,
        action="case_dismissed",
        data={"adjustments_reversed": reversed_, "lines_released": released[0],
              "shipments_released": released[1], "suspensions_lifted": lifted, "note": note},
    )  # fmt: skip
    tasks.queue(
        session, case=case, email=_reporter_email(session, case), kind="dismissed", now=stamp
    )
    return case


def suspend_seller(
    session: Session,
    *,
    number: str,
    actor: str,
    note: str | None = None,
    now: datetime | None = None,
) -> Case:
    """Suspends the offers of the case's seller (see `repository.seller_suspended`)."""
    stamp = now or utc_now()
    case = _get(session, number)
    if case.seller_id is None:
        raise Conflict(f"case {number} names no seller: nothing to suspend")
    if case.status == "dismissed":
        raise Conflict(f"case {number} was dismissed; confirm it first")
    if case.seller_id not in repo.suspended_for_case(session, case.id):
        session.add(
            SellerSuspension(
                case_id=case.id, seller_id=case.seller_id, active=True, created_at=stamp,
                created_by=actor,
            )
        )  # fmt: skip
        log(case, at=stamp, by=actor, action="seller_suspended", note=note)
        _audit(session, case, actor=actor, action="seller_suspended", data={"note": note})
    return case


def lift_suspension(
    session: Session,
    *,
    number: str,
    actor: str,
    note: str | None = None,
    now: datetime | None = None,
) -> Case:
    """Lifts the seller suspension the case made: the seller's offers are sellable again
    (unless another case still suspends them)."""
    stamp = now or utc_now()
    case = _get(session, number)
    if repo.lift_suspensions(session, case.id, now=stamp):
        log(case, at=stamp, by=actor, action="suspension_lifted", note=note)
        _audit(session, case, actor=actor, action="suspension_lifted", data={"note": note})
    return case


def lift_blocks(
    session: Session,
    *,
    number: str,
    actor: str,
    note: str | None = None,
    now: datetime | None = None,
) -> Case:
    """Lifts the case's delivery blocks and releases the holds they caused."""
    stamp = now or utc_now()
    case = _get(session, number)
    addresses = repo.lift_blocks(session, case.id, now=stamp, by=actor)
    if not addresses:
        return case
    released = _release(session, addresses)
    log(case, at=stamp, by=actor, action="blocks_lifted", note=note)
    _audit(
        session,
        case,
        actor=actor,
        action="blocks_lifted",
        data={"lines_released": released[0], "shipments_released": released[1], "note": note},
    )
    email = _reporter_email(session, case)
    tasks.queue(session, case=case, email=email, kind="block_lifted", now=stamp)
    return case


def after_import(session: Session, order_ids: list[int]) -> None:
    """The importers' hook: new and changed orders to a blocked address are held."""
    if not order_ids or not repo.addresses_with_active_blocks(session, order_ids):
        return
    lines, shipments = repo.hold_blocked(session, order_ids=order_ids)
    if lines or shipments:
        record(
            session,
            actor="shopsafe",
            action="unsolicited.import_held",
            subject_type="orders",
            subject_id=f"{len(order_ids)} orders",
            data={"lines_held": lines, "shipments_held": shipments},
        )
