"""The recall rules: create, amend, preview, publish, close; matching on import; stop-sale.

Publishing is one transaction (the caller's): matches, notices, deliveries, holds, keys
for the listing check, a version and an audit event. Services never commit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from shopsafe.audit import service as audit
from shopsafe.auth.schemas import Principal
from shopsafe.kit.clock import now as utc_now
from shopsafe.kit.cursors import parse_cursor
from shopsafe.kit.errors import Conflict, Forbidden, InvalidInput, NotFound
from shopsafe.ledger import keys
from shopsafe.ledger.importers import field_path
from shopsafe.ledger.validation import check_gtin
from shopsafe.notifications import service as notices
from shopsafe.notifications.recipients import recipients
from shopsafe.recalls import matching, notice_rules, publishing
from shopsafe.recalls import repository as repo
from shopsafe.recalls.models import Recall, RecallVersion
from shopsafe.recalls.schemas import (
    CONTENT_FIELDS,
    AffectedItem,
    AffectedPage,
    ListingCheck,
    Preview,
    RecallIn,
    RecallPatch,
)


def actor_of(principal: Principal) -> str:
    if principal.name:
        return principal.name
    return "operator" if principal.is_operator else f"seller:{principal.seller_external_id}"


def validated(data: Any) -> RecallIn:
    """The recall, or every problem with it at once (422)."""
    if not isinstance(data, Mapping):
        raise InvalidInput(["body: must be a JSON object"])
    problems: list[str] = []
    recall: RecallIn | None = None
    try:
        recall = RecallIn.model_validate(data)
    except ValidationError as error:
        for e in error.errors():
            reason = "is required" if e["type"] == "missing" else str(e["msg"])
            reason = reason.removeprefix("Value error, ")
            problems.append(f"{field_path(e['loc'])}: {reason}")
    problems += notice_rules.problems(data)
    if problems or recall is None:
        raise InvalidInput(list(dict.fromkeys(problems)))
    return recall


def _seller_for(session: Session, recall: RecallIn, principal: Principal) -> int | None:
    if not principal.is_operator:
        if recall.seller_id not in (None, principal.seller_external_id):
            raise Forbidden("a seller token can only start recalls for its own sales")
        return principal.seller_id
    if recall.seller_id is None:
        return None
    pk = repo.seller_pk(session, recall.seller_id)
    if pk is None:
        raise InvalidInput([f"seller_id: no seller '{recall.seller_id}' in the ledger"])
    return pk


def _content(recall: RecallIn) -> dict[str, Any]:
    dumped = recall.model_dump(mode="json", by_alias=True)
    return {name: dumped[name] for name in CONTENT_FIELDS}


def create(session: Session, *, data: Any, principal: Principal) -> Recall:
    recall_in = validated(data)
    stamp = utc_now()
    recall = Recall(
        kind=recall_in.kind,
        status="draft",
        version=1,
        seller_id=_seller_for(session, recall_in, principal),
        title=recall_in.title,
        risk_level=recall_in.risk_level,
        content=_content(recall_in),
        criteria=recall_in.criteria.model_dump(mode="json", by_alias=True),
        created_by=actor_of(principal),
        created_at=stamp,
        updated_at=stamp,
    )
    session.add(recall)
    session.flush()
    audit.record(
        session,
        actor=actor_of(principal),
        action="recall.created",
        subject_type="recall",
        subject_id=recall.id,
        data={"kind": recall.kind},
    )
    return recall


def get(session: Session, recall_id: int, principal: Principal) -> Recall:
    """The recall, for whoever may act on it or see all of it: an operator, or the seller
    whose recall it is. Changing a recall and every view of all its data go through here."""
    recall = session.get(Recall, recall_id)
    if recall is None:
        raise NotFound(f"recall {recall_id} not found")
    if not principal.is_operator and (
        principal.seller_id is None or recall.seller_id != principal.seller_id
    ):
        raise Forbidden("this recall belongs to another seller")
    return recall


@dataclass(frozen=True)
class Reading:
    """A recall as a reader may see it. `seller_id`: None when the reader sees all of it (an
    operator, the seller whose recall it is); else the seller whose sales are all the reader
    may see of it: its buyers, lines, counts, cases and money, nobody else's."""

    recall: Recall
    seller_id: int | None


def readable(session: Session, recall_id: int, principal: Principal) -> Reading:
    """The recall for reading: operators every recall; a seller its own, and every recall
    with an active match on an order line it sold (a marketplace or authority recall)."""
    recall = session.get(Recall, recall_id)
    if recall is None:
        raise NotFound(f"recall {recall_id} not found")
    if principal.is_operator:
        return Reading(recall, None)
    seller = principal.seller_id
    if seller is not None and recall.seller_id == seller:
        return Reading(recall, None)
    if seller is not None and repo.touches_seller(session, recall.id, seller):
        return Reading(recall, seller)
    raise Forbidden("this recall belongs to another seller")


def may_read(session: Session, recall: Recall, principal: Principal) -> bool:
    try:
        readable(session, recall.id, principal)
    except Forbidden:
        return False
    return True


def as_input(session: Session, recall: Recall) -> dict[str, Any]:
    """The recall as the request body that would create it."""
    return {
        "kind": recall.kind,
        **recall.content,
        "seller_id": repo.seller_external(session, recall.seller_id),
        "criteria": recall.criteria,
    }


def rule_of(recall: Recall) -> matching.MatchRule:
    return matching.rule_from(recall.criteria, seller_id=recall.seller_id)


def update(session: Session, *, recall_id: int, data: Any, principal: Principal) -> Recall:
    """Edits a draft, or amends a published recall: a new version, then a re-match."""
    recall = get(session, recall_id, principal)
    if recall.status == "closed":
        raise Conflict("a closed recall cannot be changed", code="recall_closed")
    if not isinstance(data, Mapping):
        raise InvalidInput(["body: must be a JSON object"])
    try:
        patch = RecallPatch.model_validate(data)
    except ValidationError as error:
        raise InvalidInput(
            [f"{field_path(e['loc'])}: {e['msg']}" for e in error.errors()]
        ) from None
    merged = as_input(session, recall)
    merged.update(
        patch.model_dump(mode="json", by_alias=True, exclude_unset=True, exclude={"note"})
    )
    recall_in = validated(merged)
    stamp = utc_now()
    recall.title = recall_in.title
    recall.risk_level = recall_in.risk_level
    recall.content = _content(recall_in)
    recall.criteria = recall_in.criteria.model_dump(mode="json", by_alias=True)
    recall.updated_at = stamp
    action = "recall.edited"
    if recall.status == "published":
        recall.version += 1
        _keep_version(session, recall, actor_of(principal), stamp, patch.note)
        applied = publishing.apply(session, recall, now=stamp)
        repo.replace_keys(session, recall.id, matching.key_values(rule_of(recall)))
        _tell_sellers(session, recall)
        action = "recall.amended"
        extra = {
            "added": applied.added,
            "removed": applied.removed,
            "notices_created": applied.notices_created,
            "notices_withdrawn": applied.notices_withdrawn,
        }
    else:
        extra = {}
    session.flush()
    audit.record(
        session,
        actor=actor_of(principal),
        action=action,
        subject_type="recall",
        subject_id=recall.id,
        data={"version": recall.version, **extra},
    )
    return recall


def _keep_version(
    session: Session, recall: Recall, actor: str, stamp: Any, note: str | None
) -> None:
    session.add(
        RecallVersion(
            recall_id=recall.id,
            version=recall.version,
            content=recall.content,
            criteria=recall.criteria,
            created_by=actor,
            created_at=stamp,
            note=note,
        )
    )


def preview(session: Session, recall: Recall) -> Preview:
    """What publishing would reach, computed now; writes nothing."""
    lines, units, buyers, gifts = repo.live_reach(session, rule_of(recall))
    wanted = recipients(buyers, gifts) if recall.kind in publishing.NOTIFIED_KINDS else {}
    return Preview(
        affected_order_lines=lines,
        affected_units=units,
        affected_customers=len(buyers),
        recipients=len(wanted),
    )


def publish(session: Session, *, recall_id: int, principal: Principal) -> Recall:
    """Publishes once; publishing again returns the recall unchanged."""
    recall = get(session, recall_id, principal)
    if recall.status in ("published",):
        return recall
    if recall.status == "closed":
        raise Conflict("a closed recall cannot be published again", code="recall_closed")
    validated(as_input(session, recall))
    stamp = utc_now()
    recall.status = "published"
    recall.published_at = stamp
    recall.updated_at = stamp
    _keep_version(session, recall, actor_of(principal), stamp, "published")
    repo.replace_keys(session, recall.id, matching.key_values(rule_of(recall)))
    session.flush()
    applied = publishing.apply(session, recall, now=stamp)
    _tell_sellers(session, recall)
    audit.record(
        session,
        actor=actor_of(principal),
        action="recall.published",
        subject_type="recall",
        subject_id=recall.id,
        data={"matched": applied.matched, "notices": applied.notices_created, "held": applied.held},
    )
    return recall


def close(session: Session, *, recall_id: int, principal: Principal) -> Recall:
    recall = get(session, recall_id, principal)
    if recall.status == "closed":
        return recall
    if recall.status != "published":
        raise Conflict("only a published recall can be closed", code="recall_not_published")
    stamp = utc_now()
    recall.status = "closed"
    recall.closed_at = stamp
    recall.updated_at = stamp
    stopped = notices.stop_reminders(session, recall_id=recall.id)
    repo.replace_keys(session, recall.id, [])
    audit.record(
        session,
        actor=actor_of(principal),
        action="recall.closed",
        subject_type="recall",
        subject_id=recall.id,
        data={"reminders_cancelled": stopped},
    )
    return recall


def affected(
    session: Session,
    recall: Recall,
    *,
    cursor: str | None,
    limit: int = 500,
    seller_id: int | None = None,
) -> AffectedPage:
    """The affected lines, by cursor; with `seller_id` (`Reading.seller_id`), only the
    lines that seller sold."""
    after = parse_cursor(cursor)
    if recall.status == "draft":
        rows = repo.live_affected_page(session, rule_of(recall), after=after, limit=limit,
                                       seller_id=seller_id)  # fmt: skip
    else:
        rows = repo.affected_page(session, recall.id, after=after, limit=limit,
                                  seller_id=seller_id)  # fmt: skip
    items = [
        AffectedItem(customer_id=c, order_id=o, line_id=ln, units=u) for _, c, o, ln, u in rows
    ]
    next_cursor = str(rows[-1][0]) if len(rows) == limit else None
    return AffectedPage(items=items, next_cursor=next_cursor)


def listing_check(
    session: Session,
    *,
    seller_id: str | None,
    sku: str | None,
    gtin: str | None,
    brand: str | None,
    model: str | None,
) -> ListingCheck:
    """Whether an offer may still be sold: not while a published recall names its product,
    nor while an operator has suspended the seller's offers because of an unsolicited-package
    or brushing case (`reasons` says which)."""
    pairs: list[tuple[str, str]] = []
    if gtin:
        try:
            pairs.append(("gtin", keys.gtin14(check_gtin(gtin))))
        except ValueError as error:
            raise InvalidInput([f"gtin: {error}"]) from None
    if sku:
        pairs.append(("sku", sku.strip()))
    brand_key, model_key = keys.brand_key(brand), keys.model_key(model)
    if brand_key and model_key:
        pairs.append(("model", f"{brand_key}|{model_key}"))
    if not pairs:
        raise InvalidInput(["give at least one of gtin, sku, or brand and model"])
    seller_pk = repo.seller_pk(session, seller_id) if seller_id else None
    if seller_id and seller_pk is None:
        seller_pk = -1  # an unknown seller: only recalls that name no seller apply
    ids = repo.listing_recalls(session, pairs=pairs, seller_id=seller_pk)
    from shopsafe.unsolicited.repository import seller_suspended  # operators' case decisions

    suspended = seller_pk is not None and seller_pk > 0 and seller_suspended(session, seller_pk)
    reasons = (["recalled"] if ids else []) + (["seller_suspended"] if suspended else [])
    return ListingCheck(sellable=not reasons, recall_ids=ids, reasons=reasons)


def _tell_sellers(session: Session, recall: Recall) -> None:
    """Queues the signed `recall.published` webhook to the sellers concerned (keyed: at most
    once per recall and seller)."""
    from shopsafe.remedies import webhooks  # remedies builds on recalls; import late

    webhooks.recall_published(session, recall)
