"""Approved matches become recalls, without duplicates:

1. an offer that a published recall already stops (the seller's own recall, or one from the
   same authority record imported before) is linked to that recall;
2. otherwise the record's own recall is extended by the offer's keys (a published one is
   amended, which re-matches and notifies the newly affected);
3. otherwise a draft is prepared from the record (and published when asked).

When the notice rules refuse the draft (the authority's words minimise the risk, a recall
offers one remedy only …) nothing is written for it: the matches wait in the review queue
with the problems, for an operator to approve with edits.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.orm import Session

from shopsafe.auth.schemas import Principal
from shopsafe.feeds import drafting
from shopsafe.feeds import repository as repo
from shopsafe.feeds.drafting import OfferKeys
from shopsafe.feeds.extraction import Extraction
from shopsafe.feeds.models import CatalogMatch, FeedRecord
from shopsafe.feeds.schemas import MatchSummary
from shopsafe.kit.errors import InvalidInput
from shopsafe.ledger import keys
from shopsafe.ledger.models import Product
from shopsafe.recalls import repository as recall_repo
from shopsafe.recalls import service as recalls
from shopsafe.recalls.models import Recall

Approved = Sequence[tuple[CatalogMatch, Product]]
REVIEW_REASON = "the draft recall needs an operator's edit: "


def offer_keys(product: Product) -> OfferKeys:
    return OfferKeys(
        gtin=product.gtin,
        brand=product.brand,
        model=product.model,
        sku=product.sku,
        seller_id=product.seller_id,
    )


def _own_recall(session: Session, record: FeedRecord) -> Recall | None:
    if record.recall_id is not None:
        recall = session.get(Recall, record.recall_id)
        if recall is not None and recall.status != "closed":
            return recall
    return repo.recall_of_authority(session, record.authority_ref, record.id)


def _covering(session: Session, product: Product) -> list[int]:
    pairs = offer_keys(product).pairs()
    return recall_repo.listing_recalls(session, pairs=pairs, seller_id=product.seller_id)


def _authority_gtins(session: Session, record: FeedRecord, extraction: Extraction) -> list[str]:
    """The GTINs the authority lists for the product, except those of offers an operator
    rejected for this record (a person said: not this product)."""
    rejected = repo.rejected_offer_gtins(session, record.id)
    return [g for g in extraction.gtins if keys.gtin14(g) not in rejected]


def _planned_body(
    session: Session,
    record: FeedRecord,
    recall: Recall | None,
    remaining: Approved,
    edits: Mapping[str, Any] | None,
) -> dict[str, Any]:
    """The recall as it will be after this change; checked before anything is written."""
    offers = [offer_keys(p) for _, p in remaining]
    extraction = Extraction.from_json(record.data)
    gtins = _authority_gtins(session, record, extraction)
    if recall is None:
        return drafting.recall_body(
            extraction, offers, remaining[0][1].name, edits, authority_gtins=gtins
        )
    body = recalls.as_input(session, recall)
    body.update(edits or {})
    added = drafting.criteria_for(offers, gtins)
    body["criteria"] = drafting.merged_criteria(recall.criteria, added)
    return body


def _write(
    session: Session,
    record: FeedRecord,
    recall: Recall | None,
    body: dict[str, Any],
    edits: Mapping[str, Any] | None,
    principal: Principal,
    summary: MatchSummary,
) -> Recall:
    if recall is None:
        created = recalls.create(session, data=body, principal=principal)
        summary.recalls_created += 1
        record.recall_id = created.id
        return created
    patch = {k: v for k, v in (edits or {}).items() if k != "kind"}
    patch["criteria"] = body["criteria"]
    patch["note"] = f"offers matched to authority record {record.source} {record.source_id}"
    updated = recalls.update(session, recall_id=recall.id, data=patch, principal=principal)
    summary.recalls_extended += 1
    if record.recall_id is None:
        record.recall_id = updated.id
    return updated


def prepare(
    session: Session,
    record: FeedRecord,
    approved: Approved,
    *,
    publish: bool,
    principal: Principal,
    edits: Mapping[str, Any] | None = None,
    strict: bool = False,
) -> MatchSummary:
    """Puts approved matches into recalls (see the module). With `strict`, a draft the
    notice rules refuse raises `InvalidInput` before anything is written; without, the
    matches go back to the review queue with the problems."""
    summary = MatchSummary()
    own = _own_recall(session, record)
    links: dict[int, int] = {}
    remaining: list[tuple[CatalogMatch, Product]] = []
    for match, product in approved:
        ids = _covering(session, product)
        if not ids:
            remaining.append((match, product))
        else:
            links[match.id] = own.id if own is not None and own.id in ids else ids[0]
    body: dict[str, Any] | None = None
    if remaining:
        body = _planned_body(session, record, own, remaining, edits)
        try:
            recalls.validated(body)
        except InvalidInput as error:
            if strict:
                raise
            _back_to_review(record, remaining, error.problems, summary)
            body = None
    for match, _ in approved:
        if match.id in links:
            match.recall_id = links[match.id]
            summary.recalls_linked += own is None or links[match.id] != own.id
    if body is None:
        return summary
    recall = _write(session, record, own, body, edits, principal, summary)
    record.recall_problems = []
    for match, _ in remaining:
        match.recall_id = recall.id
        match.review_reason = None
    if publish and recall.status == "draft":
        recalls.publish(session, recall_id=recall.id, principal=principal)
        summary.recalls_published += 1
    return summary


def _back_to_review(
    record: FeedRecord, remaining: Approved, problems: list[str], summary: MatchSummary
) -> None:
    record.recall_problems = problems
    for match, _ in remaining:
        match.decision = "pending"
        match.decided_by = None
        match.decided_at = None
        match.review_reason = REVIEW_REASON + "; ".join(problems)
    summary.needs_review += len(remaining)


FOLLOWED = ("title", "product_name", "brand", "hazard", "risk_level", "instructions",
            "remedies", "identifier_location", "sold_where", "contact", "images")  # fmt: skip


def refresh_draft(session: Session, record: FeedRecord, *, principal: Principal) -> bool:
    """A draft the feeds prepared by themselves follows the authority's new version of the
    record: its text, remedies, pictures and contact become the new version's, and its
    criteria gain the GTINs the authority added. A published recall (an operator amends it:
    that notifies people) and a draft a person has edited are left alone. When the notice
    rules refuse the new text, the draft stays as it was and the record says why."""
    recall = session.get(Recall, record.recall_id) if record.recall_id else None
    if recall is None or recall.status != "draft" or recall.created_by != principal.name:
        return False
    if repo.edited_by_someone_else(session, recall.id, principal.name or ""):
        return False
    extraction = Extraction.from_json(record.data)
    gtins = _authority_gtins(session, record, extraction)
    fallback = recall.content.get("product_name")
    body = drafting.recall_body(extraction, [], fallback, authority_gtins=gtins)
    patch: dict[str, Any] = {name: body[name] for name in FOLLOWED}
    patch["criteria"] = drafting.merged_criteria(recall.criteria, {"gtins": gtins})
    try:
        recalls.update(session, recall_id=recall.id, data=patch, principal=principal)
    except InvalidInput as refused:
        record.recall_problems = refused.problems
        return False
    record.recall_problems = []
    return True
