"""The operator's review queue: pairs of an authority record and an offer that wait for a
person, and their decisions. A decision is final: approving a rejected pair (or the other
way round) is a conflict, deciding the same way again changes nothing."""

from __future__ import annotations

from sqlalchemy.orm import Session

from shopsafe.audit import service as audit
from shopsafe.auth.schemas import Principal
from shopsafe.feeds import recalling
from shopsafe.feeds import repository as repo
from shopsafe.feeds.models import CatalogMatch, FeedRecord
from shopsafe.feeds.schemas import CatalogMatchOut, DecisionIn, OfferOut, ReviewPage, record_out
from shopsafe.kit.clock import now
from shopsafe.kit.cursors import parse_cursor
from shopsafe.kit.errors import Conflict, InvalidInput, NotFound
from shopsafe.ledger.models import Product
from shopsafe.recalls.service import actor_of


def match_out(
    match: CatalogMatch, record: FeedRecord, product: Product, seller_id: str
) -> CatalogMatchOut:
    return CatalogMatchOut(
        id=match.id,
        method=match.method,
        confidence=match.confidence,
        band=match.band,
        decision=match.decision,
        evidence=list(match.evidence or []),
        review_reason=match.review_reason,
        decided_by=match.decided_by,
        decided_at=match.decided_at,
        note=match.note,
        recall_id=match.recall_id,
        record=record_out(record),
        offer=OfferOut(
            product_id=product.id,
            seller_id=seller_id,
            sku=product.sku,
            gtin=product.gtin,
            brand=product.brand,
            model=product.model,
            name=product.name,
        ),
    )


def review_page(session: Session, *, cursor: str | None, limit: int = 50) -> ReviewPage:
    """Pending pairs, oldest first."""
    rows = repo.review_queue(session, after=parse_cursor(cursor), limit=limit)
    items = [match_out(*row) for row in rows]
    next_cursor = str(rows[-1][0].id) if len(rows) == limit else None
    return ReviewPage(items=items, next_cursor=next_cursor, pending=repo.pending_count(session))


def get(session: Session, match_id: int) -> CatalogMatchOut:
    return match_out(*_row(session, match_id))


def _row(session: Session, match_id: int) -> tuple[CatalogMatch, FeedRecord, Product, str]:
    row = repo.match_row(session, match_id)
    if row is None:
        raise NotFound(f"catalogue match {match_id} not found")
    return row


def _decided(match: CatalogMatch) -> str:
    when = match.decided_at.date().isoformat() if match.decided_at else "earlier"
    return f"match {match.id} was {match.decision} by {match.decided_by} on {when}"


def approve(
    session: Session,
    *,
    match_id: int,
    principal: Principal,
    decision: DecisionIn,
    actor: str | None = None,
) -> CatalogMatchOut:
    """The offer is the recalled product: it goes into a recall (see `recalling`). A draft
    the notice rules refuse is a 422 listing the problems; approve again with `recall`
    edits. Nothing is written until the recall can be saved."""
    match, record, product, seller_id = _row(session, match_id)
    if match.decision == "rejected":
        raise Conflict(_decided(match) + "; decisions are not asked again", code="already_decided")
    if match.decision == "approved":
        return match_out(match, record, product, seller_id)
    edits = decision.recall.model_dump(exclude_unset=True) if decision.recall else None
    recalling.prepare(
        session,
        record,
        [(match, product)],
        publish=False,
        principal=principal,
        edits=edits,
        strict=True,
    )
    who = actor or actor_of(principal)
    _decide(match, "approved", who, decision.note)
    match.review_reason = None
    audit.record(
        session,
        actor=who,
        action="feeds.match.approved",
        subject_type="catalog_match",
        subject_id=match.id,
        data={"recall_id": match.recall_id, "edited": sorted(edits or {})},
    )
    session.flush()
    return match_out(match, record, product, seller_id)


def reject(
    session: Session,
    *,
    match_id: int,
    principal: Principal,
    decision: DecisionIn,
    actor: str | None = None,
) -> CatalogMatchOut:
    """The offer is not the recalled product; it is never proposed for this record again."""
    match, record, product, seller_id = _row(session, match_id)
    if decision.recall is not None:
        raise InvalidInput(["recall: edits of the draft recall go with an approval"])
    if match.decision == "approved":
        raise Conflict(
            _decided(match) + f"; change recall {match.recall_id} instead",
            code="already_decided",
        )
    if match.decision == "rejected":
        return match_out(match, record, product, seller_id)
    who = actor or actor_of(principal)
    _decide(match, "rejected", who, decision.note)
    audit.record(
        session,
        actor=who,
        action="feeds.match.rejected",
        subject_type="catalog_match",
        subject_id=match.id,
        data={"feed_record_id": record.id, "product_id": product.id},
    )
    session.flush()
    return match_out(match, record, product, seller_id)


def _decide(match: CatalogMatch, decision: str, actor: str, note: str | None) -> None:
    match.decision = decision
    match.decided_by = actor
    match.decided_at = now()
    match.updated_at = match.decided_at
    match.note = note
