"""The remedy rules: open a case, move it, take a disposal photo, apply carrier events,
and report progress. Services never commit (the request or job does, ADR 1).

A case is one customer's remedy for one recall; asking again returns the same case. A
seller sees and acts only on cases of its own sales (or of its own recalls).
"""

from __future__ import annotations

import uuid
from collections import Counter
from decimal import Decimal

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shopsafe.audit import service as audit
from shopsafe.auth.schemas import Principal
from shopsafe.config import get_settings
from shopsafe.kit.clock import now
from shopsafe.kit.errors import Conflict, Forbidden, InvalidInput, NotFound
from shopsafe.notifications.models import RecallNotice
from shopsafe.recalls import customer_alerts
from shopsafe.recalls.models import Recall
from shopsafe.recalls.service import actor_of
from shopsafe.remedies import money, moves, photos, refunds, returns, state, webhooks
from shopsafe.remedies import repository as repo
from shopsafe.remedies.models import CarrierEvent, DisposalPhoto, RemedyCase

# Re-exported for callers (the recall's stats): the progress numbers.
from shopsafe.remedies.progress import progress
from shopsafe.remedies.schemas import CarrierEventOut

__all__ = [
    "carrier_event",
    "case_for",
    "progress",
    "request_remedy",
    "submit_photo",
    "transition",
]


def customer_case(session: Session, *, recall_id: int, customer_id: int) -> RemedyCase | None:
    """The customer's own remedy case for the recall, if they asked for one."""
    return repo.case_of(session, recall_id, customer_id)


def request_remedy(
    session: Session, *, recall_id: int, customer_id: int, remedy: str, actor: str
) -> tuple[RemedyCase, bool]:
    """The customer's remedy case for the recall, opened now or found; `True` when opened.

    `customer_id` is the customer's row id. The same request again returns the same case;
    a different remedy once a case exists is refused (409). Records the choice on the
    customer's notice too. Cases that need a return get their label at once.
    """
    recall = session.get(Recall, recall_id)
    if recall is None:
        raise NotFound(f"recall {recall_id} not found")
    existing = repo.case_of(session, recall_id, customer_id)
    if existing is not None:
        return _same_remedy(existing, remedy), False
    if recall.status != "published":
        raise Conflict("remedies can be requested only for a published recall",
                       code="recall_not_published")  # fmt: skip
    offered = list(recall.content.get("remedies") or [])
    if remedy not in offered:
        raise InvalidInput([f"remedy: this recall offers {', '.join(offered) or 'no remedy'}"])
    lines = repo.affected_lines(session, recall_id, customer_id)
    if not lines:
        raise InvalidInput(["customer_id: this customer bought nothing the recall affects"])
    _record_choice(session, recall_id, customer_id, remedy)
    case = _insert_case(session, recall, customer_id, remedy, lines, actor)
    if case is None:  # another request opened it a moment ago
        found = repo.case_of(session, recall_id, customer_id)
        assert found is not None
        return _same_remedy(found, remedy), False
    audit.record(
        session, actor=actor, action="remedy_case.opened", subject_type="remedy_case",
        subject_id=case.id, data={"recall_id": recall_id, "remedy": remedy, "units": case.units},
    )  # fmt: skip
    if state.needs_return(remedy):
        moves.advance(session, case, "label_issued", who="system", actor=moves.SYSTEM)
    webhooks.remedy_requested(session, case)
    return case, True


def _same_remedy(case: RemedyCase, remedy: str) -> RemedyCase:
    if case.remedy != remedy:
        raise Conflict(f"a {case.remedy} has already been requested (case {case.id})",
                       code="remedy_already_requested")  # fmt: skip
    return case


def _record_choice(session: Session, recall_id: int, customer_id: int, remedy: str) -> None:
    notice: RecallNotice | None = customer_alerts.buyer_notice(session, customer_id, recall_id)
    if notice is None:
        return
    if notice.remedy_choice not in (None, remedy):
        raise Conflict(f"a {notice.remedy_choice} has already been requested",
                       code="remedy_already_requested")  # fmt: skip
    if notice.remedy_choice is None:
        notice.remedy_choice = remedy
        notice.remedy_chosen_at = now()


def _insert_case(
    session: Session,
    recall: Recall,
    customer_id: int,
    remedy: str,
    lines: list[repo.AffectedLine],
    actor: str,
) -> RemedyCase | None:
    units_by_currency: Counter[str] = Counter()
    units_by_seller: Counter[int] = Counter()
    for line in lines:
        units_by_currency[line.currency] += line.units
        units_by_seller[line.seller_id] += line.units
    currency = units_by_currency.most_common(1)[0][0]
    paid = money.owed(
        money.PaidLine(str(x.seller_id), x.units, x.unit_price, x.currency) for x in lines
    )
    stamp = now()
    case = RemedyCase(
        recall_id=recall.id, customer_id=customer_id,
        seller_id=recall.seller_id or units_by_seller.most_common(1)[0][0],
        remedy=remedy, state="requested", rma=f"pending-{uuid.uuid4().hex}",
        units=sum(x.units for x in lines), amount=money.total(paid[currency]),
        currency=currency, ship_from_address_id=lines[0].address_id,
        ship_from_name=lines[0].ship_to_name, created_by=actor, created_at=stamp,
        updated_at=stamp,
    )  # fmt: skip
    try:
        with session.begin_nested():
            session.add(case)
            session.flush()
    except IntegrityError:
        return None
    case.rma = f"RMA-{recall.id:05d}-{case.id:06d}"
    repo.add_case_lines(
        session,
        [
            {"case_id": case.id, "order_line_id": x.order_line_id, "seller_id": x.seller_id,
             "units": x.units, "unit_price": x.unit_price, "currency": x.currency}
            for x in lines
        ],
    )  # fmt: skip
    session.flush()
    return case


def case_for(
    session: Session, case_id: int, principal: Principal, *, lock: bool = False
) -> RemedyCase:
    """The case, if the principal may see it: operators all, a seller those of its sales."""
    case = repo.case_by_id(session, case_id, lock=lock)
    if case is None:
        raise NotFound(f"remedy case {case_id} not found")
    if not principal.is_operator and not may_see(session, case, principal.seller_id):
        raise Forbidden("this remedy case belongs to another seller")
    return case


def case_scope(session: Session, case: RemedyCase, principal: Principal) -> int | None:
    """Whose part of a case the principal sees: None for all of it (an operator, the seller
    whose recall it is), else its own seller id: a case of a marketplace recall may hold
    lines other sellers sold, and a seller sees only its own lines and money."""
    if principal.is_operator:
        return None
    seller = principal.seller_id
    if seller is None:
        return -1  # nobody's part (`case_for` refuses such a principal anyway)
    recall = session.get(Recall, case.recall_id)
    return None if recall is not None and recall.seller_id == seller else seller


def may_see(session: Session, case: RemedyCase, seller_id: int | None) -> bool:
    if seller_id is None:
        return False
    recall = session.get(Recall, case.recall_id)
    if recall is not None and recall.seller_id == seller_id:
        return True
    return case.seller_id == seller_id or seller_id in repo.case_seller_ids(session, case.id)


def transition(
    session: Session,
    *,
    case_id: int,
    to: str,
    principal: Principal,
    amount: str | None = None,
    disposition: str | None = None,
    note: str | None = None,
) -> RemedyCase:
    """A seller's or operator's move. Moving to the state the case is in changes nothing
    (a double click or a retry); a move the state machine forbids is a 409."""
    case = case_for(session, case_id, principal, lock=True)
    if not state.is_state(to):
        raise InvalidInput([f"to: '{to}' is not a state; the states are {', '.join(state.STATES)}"])
    try:
        value = money.parse_amount(amount)
    except ValueError as error:
        raise InvalidInput([f"amount: {error}"]) from None
    if disposition is not None:
        _set_disposition(session, case, disposition, actor_of(principal))
    if to == case.state:
        return case
    moves.advance(session, case, to, who="staff", actor=actor_of(principal), amount=value,
                  note=note)  # fmt: skip
    return case


def _set_disposition(session: Session, case: RemedyCase, disposition: str, actor: str) -> None:
    shipment = repo.return_of(session, case.id)
    if shipment is None or shipment.status != "delivered":
        raise InvalidInput(["disposition: only a returned product that arrived has one"])
    if shipment.disposition != disposition:
        shipment.disposition = disposition
        audit.record(
            session, actor=actor, action="return.disposition", subject_type="remedy_case",
            subject_id=case.id, data={"disposition": disposition},
        )  # fmt: skip


def submit_photo(session: Session, *, case: RemedyCase, data: bytes, actor: str) -> DisposalPhoto:
    """The customer's photo of the destroyed product (refund-after-disposal). Checked before
    anything is written: a refused photo changes nothing."""
    if case.remedy != "dispose":
        raise InvalidInput(["photo: only a refund-after-disposal case takes a photo"])
    try:
        clean = photos.clean(data, max_bytes=get_settings().disposal_photo_max_bytes)
    except photos.PhotoRefused as refused:
        raise InvalidInput([f"photo: {refused}"], code="photo_refused") from None
    moves.advance(session, case, "photo_submitted", who="customer", actor=actor)
    photo = DisposalPhoto(
        case_id=case.id, content_type=clean.content_type, data=clean.data, sha256=clean.sha256,
        width=clean.width, height=clean.height, uploaded_at=now(),
    )  # fmt: skip
    session.add(photo)
    session.flush()
    return photo


def carrier_event(session: Session, *, body: bytes, signature: str | None) -> CarrierEventOut:
    """A signed tracking event: checked (401), read (422), kept once, and applied."""
    returns.verify_signature(body, signature, get_settings().resolved_carrier_secret())
    event = returns.read_event(body)
    out = CarrierEventOut(event_id=event.event_id, tracking_number=event.tracking_number,
                          outcome="duplicate", case_id=None, state=None)  # fmt: skip
    if repo.carrier_event_seen(session, event.carrier, event.event_id):
        return out
    shipment = repo.return_by_tracking(session, event.tracking_number)
    if shipment is None:
        raise NotFound(f"no return parcel has the tracking number {event.tracking_number}")
    case = repo.case_by_id(session, shipment.case_id, lock=True)
    assert case is not None
    path = state.carrier_path(case.remedy, case.state, event.reached) if event.reached else []
    for step in path:
        moves.advance(session, case, step, who="carrier", actor=f"carrier:{event.carrier}",
                      at=event.at)  # fmt: skip
    outcome = "moved" if path else ("no_move" if event.reached is None else "unchanged")
    session.add(
        CarrierEvent(
            carrier=event.carrier, event_id=event.event_id,
            tracking_number=event.tracking_number, status=event.status, at=event.at,
            received_at=now(), return_shipment_id=shipment.id, outcome=outcome,
        )
    )  # fmt: skip
    session.flush()
    return out.model_copy(update={"outcome": outcome, "case_id": case.id, "state": case.state})


def price_paid(session: Session, case: RemedyCase) -> dict[str, Decimal]:
    """currency → price paid for the case's affected units."""
    return {currency: money.total(by) for currency, by in refunds.owed(session, case).items()}
