"""Notices for the people a recall concerns, and the deliveries that carry them.

Called inside the recall's transaction; nothing is sent here. Delivery keys make every
message unique, so publishing twice never queues a second notice for the same person.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from shopsafe.notifications import repository as repo
from shopsafe.notifications.recipients import Recipient


@dataclass
class NoticeChanges:
    created: list[str] = field(default_factory=list)
    reactivated: list[str] = field(default_factory=list)
    withdrawn: list[str] = field(default_factory=list)


def _delivery(notice_id: int, kind: str, key: str, now: datetime) -> dict[str, Any]:
    return {
        "notice_id": notice_id,
        "channel": "email",
        "kind": kind,
        "key": key,
        "status": "pending",
        "due_at": now,
        "attempts": 0,
        "created_at": now,
    }


def sync_notices(
    session: Session,
    *,
    recall_id: int,
    version: int,
    wanted: dict[str, Recipient],
    now: datetime,
    withdraw_missing: bool,
) -> NoticeChanges:
    """Makes the recall's notices match `wanted`: new people get a notice, people affected
    again get it again, and (when `withdraw_missing`) people no longer affected get a
    correction."""
    existing = repo.notices_of(session, recall_id)
    changes = NoticeChanges()
    fresh = [
        {
            "recall_id": recall_id,
            "email": r.email,
            "role": r.role,
            "customer_id": r.customer_id,
            "name": r.name,
            "language": r.language,
            "status": "active",
            "version_added": version,
            "created_at": now,
        }
        for email, r in wanted.items()
        if email not in existing
    ]
    new_ids = repo.insert_notices(session, fresh)
    deliveries = [
        _delivery(pk, "notice", f"recall:{recall_id}:notice:{pk}", now) for pk in new_ids.values()
    ]
    changes.created = sorted(new_ids)
    again = [n for e, n in existing.items() if e in wanted and n.status == "withdrawn"]
    repo.set_notice_status(
        session, [n.id for n in again], {"status": "active", "withdrawn_at": None}
    )
    deliveries += [
        _delivery(n.id, "notice", f"recall:{recall_id}:notice:{n.id}:v{version}", now)
        for n in again
    ]
    changes.reactivated = sorted(n.email for n in again)
    if withdraw_missing:
        gone = [n for e, n in existing.items() if e not in wanted and n.status == "active"]
        gone_ids = [n.id for n in gone]
        repo.set_notice_status(session, gone_ids, {"status": "withdrawn", "withdrawn_at": now})
        told = repo.notified_ids(session, gone_ids)
        repo.cancel_for_notices(session, gone_ids, ["notice", "reminder"])
        deliveries += [
            _delivery(n.id, "correction", f"recall:{recall_id}:correction:{n.id}:v{version}", now)
            for n in gone
            if n.id in told
        ]
        changes.withdrawn = sorted(n.email for n in gone)
    taken = repo.existing_delivery_keys(session, [d["key"] for d in deliveries])
    repo.insert_deliveries(session, [d for d in deliveries if d["key"] not in taken])
    return changes


def stop_reminders(session: Session, *, recall_id: int) -> int:
    """Cancels reminders that have not gone out (a closed recall sends none)."""
    return repo.cancel_pending(session, recall_id=recall_id, kinds=["reminder"])
