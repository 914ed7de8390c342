"""Applying a recall to the ledger: matches, notices, deliveries and holds, set-based.

Used on publish (everything), on amendment (everything, and people no longer affected get a
correction) and on import (only the new orders; nobody is taken out).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

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
    """Brings the recall's matches up to date with the ledger (all of it, or these orders)."""
    rule = matching.rule_from(recall.criteria, seller_id=recall.seller_id)
    rows = session.execute(repo.affected_lines(rule, order_ids=order_ids)).all()
    found = {line: (customer, int(units)) for line, _order, customer, units in rows}
    known = repo.matches_for_lines(
        session, recall.id, list(found) if order_ids is not None else None
    )
    fresh, changed = _plan(recall, found, known, full=order_ids is None)
    repo.update_matches(session, changed)
    repo.insert_matches(session, [{**row, "matched_at": now} for row in fresh])
    removed = sum(1 for row in changed if row.get("active") is False)
    created = withdrawn = 0
    if recall.kind in NOTIFIED_KINDS:
        buyers, gifts = repo.recipients_of(session, recall.id, order_ids=order_ids)
        changes = notices.sync_notices(
            session,
            recall_id=recall.id,
            version=recall.version,
            wanted=recipients(buyers, gifts),
            now=now,
            withdraw_missing=order_ids is None,
        )
        created = len(changes.created) + len(changes.reactivated)
        withdrawn = len(changes.withdrawn)
    held = repo.hold_unshipped(session, recall.id)
    return Applied(len(found), len(fresh), removed, created, withdrawn, held)


def _plan(
    recall: Recall,
    found: dict[int, tuple[int, int]],
    known: dict[int, tuple[int, bool, int]],
    *,
    full: bool,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    fresh: list[dict[str, Any]] = []
    changed: list[dict[str, Any]] = []
    for line, (customer, units) in found.items():
        if line not in known:
            fresh.append(
                {
                    "recall_id": recall.id,
                    "order_line_id": line,
                    "customer_id": customer,
                    "units": units,
                    "active": True,
                    "version_added": recall.version,
                }
            )
            continue
        pk, active, old_units = known[line]
        if not active:
            changed.append(
                {
                    "id": pk,
                    "active": True,
                    "units": units,
                    "version_added": recall.version,
                    "version_removed": None,
                }
            )
        elif old_units != units:
            changed.append({"id": pk, "units": units})
    if full:
        for line, (pk, active, _units) in known.items():
            if active and line not in found:
                changed.append({"id": pk, "active": False, "version_removed": recall.version})
    return fresh, changed


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
