"""Moving a remedy case from one state to the next, with what each step does.

`advance` asks the pure state machine first; a refused step changes nothing. Entering a
state does its work in the caller's transaction: `label_issued` books the return parcel,
`refunded` books the refund, `replaced` and `kit_shipped` write an order to the customer,
`received` marks the parcel delivered and, for a refund, refunds at once (the marketplace
refunds on the seller's behalf as soon as the product is back).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy.orm import Session

from shopsafe.audit import service as audit
from shopsafe.kit.clock import now
from shopsafe.kit.errors import Conflict, InvalidInput
from shopsafe.recalls.models import Recall
from shopsafe.remedies import refunds, returns, state
from shopsafe.remedies import repository as repo
from shopsafe.remedies.models import RemedyCase

SYSTEM = "shopsafe"


class TransitionNotAllowed(Conflict):
    code = "transition_not_allowed"


def advance(
    session: Session,
    case: RemedyCase,
    to: str,
    *,
    who: state.Actor,
    actor: str,
    amount: Decimal | None = None,
    at: datetime | None = None,
    note: str | None = None,
) -> None:
    """Moves the case to `to` (409 when the state machine forbids it)."""
    try:
        step = state.check(case.remedy, case.state, to, who)
    except state.TransitionRefused as refused:
        raise TransitionNotAllowed(refused.reason) from None
    if amount is not None and to != "refunded":
        raise InvalidInput(["amount: only a move to refunded takes an amount"])
    stamp = at or now()
    _enter(session, case, to, actor=actor, amount=amount, at=stamp)
    _set(case, to, now())
    audit.record(
        session, actor=actor, action="remedy_case.moved", subject_type="remedy_case",
        subject_id=case.id,
        data={"from": step.before, "to": step.after, "recall_id": case.recall_id,
              **({"note": note} if note else {})},
    )  # fmt: skip
    session.flush()
    if to == "received" and case.remedy == "refund":
        advance(session, case, "refunded", who="system", actor=SYSTEM)


def _enter(
    session: Session,
    case: RemedyCase,
    to: str,
    *,
    actor: str,
    amount: Decimal | None,
    at: datetime,
) -> None:
    if to == "label_issued":
        recall = session.get(Recall, case.recall_id)
        assert recall is not None
        returns.issue_label(session, case, recall)
    elif to in ("in_transit", "received"):
        shipment = repo.return_of(session, case.id)
        if shipment is not None:
            returns.mark_shipment(shipment, to, at)
    elif to == "refunded":
        refunds.issue(session, case, amount=amount, actor=actor)
        _review_photo(session, case, "approved", actor)
    elif to == "photo_rejected":
        _review_photo(session, case, "rejected", actor)
    elif to == "replaced":
        case.replacement_order_id = returns.ship_to_customer(session, case, kind="replacement").id
    elif to == "kit_shipped":
        case.replacement_order_id = returns.ship_to_customer(session, case, kind="repair_kit").id


def _review_photo(session: Session, case: RemedyCase, verdict: str, actor: str) -> None:
    photo = repo.latest_photo(session, case.id)
    if photo is not None and photo.verdict is None:
        photo.verdict = verdict
        photo.reviewed_by = actor
        photo.reviewed_at = now()


def _set(case: RemedyCase, to: str, stamp: datetime) -> None:
    case.state = to
    case.updated_at = stamp
    if to in state.CORRECTED and case.corrected_at is None:
        case.corrected_at = stamp
    if to in state.COMPLETED and case.completed_at is None:
        case.completed_at = stamp
    if to == "closed":
        case.closed_at = stamp
