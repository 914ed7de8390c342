"""Applying a recall to the ledger: matches, notices, deliveries and holds, set-based.

Used on publish (everything), on amendment (everything, and people no longer affected get a
correction) and on import (only the new orders; nobody is taken out).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from shopsafe.kit.clock import now as utc_now
from shopsafe.notifications import service as notices
from shopsafe.notifications.recipients import recipients
from shopsafe.recalls import matching
from shopsafe.recalls import repository as repo
from shopsafe.recalls.models import Recall

NOTIFIED_KINDS = ("recall", "safety_warning")


@dataclass
class Applied:
    matched: int
    added: int
    removed: int
    notices_created: int
    notices_withdrawn: int
    held: int


def apply(
    session: Session,
    recall: Recall,
    *,
    now: datetime,
    order_ids: Sequence[int] | None = None,
) -> Applied:
    """Brings the recall's matches up to date with the ledger (all of it, or these orders).

    Set-based: the affected lines are never loaded. Existing matches are updated in place
    (only when there are any), new ones inserted with one INSERT … SELECT."""
    rule = matching.rule_from(recall.criteria, seller_id=recall.seller_id)
    lines = repo.affected_lines(rule, order_ids=order_ids)
    full = order_ids is None
    removed = 0
    if repo.has_matches(session, recall.id):
        removed = repo.refresh_matches(
            session, recall.id, rule, lines, version=recall.version, full=full
        )
    added = repo.insert_matches(session, recall.id, rule, lines, version=recall.version, now=now)
    matched = repo.active_count(session, recall.id) if full else repo.count_of(session, lines)
    created = withdrawn = 0
    if recall.kind in NOTIFIED_KINDS:
        buyers, gifts = repo.recipients_of(session, recall.id, order_ids=order_ids)
        changes = notices.sync_notices(
            session,
            recall_id=recall.id,
            version=recall.version,
            wanted=recipients(buyers, gifts),
            now=now,
            withdraw_missing=full,
        )
        created = len(changes.created) + len(changes.reactivated)
        withdrawn = len(changes.withdrawn)
    held = repo.hold_unshipped(session, recall.id)
    return Applied(matched, added, removed, created, withdrawn, held)


def match_new_orders(session: Session, *, order_ids: Sequence[int], now: datetime) -> int:
    """Orders written after recalls were published: match them, hold them, notify their
    buyers. Returns how many recalls were touched."""
    if not order_ids:
        return 0
    hit = repo.published_recalls_with_keys(session, repo.keys_of_orders(session, order_ids))
    for recall in hit:
        apply(session, recall, now=now, order_ids=order_ids)
    return len(hit)


def after_import(session: Session, order_ids: list[int]) -> None:
    """The hook the order importers call for every batch they wrote."""
    match_new_orders(session, order_ids=order_ids, now=utc_now())
