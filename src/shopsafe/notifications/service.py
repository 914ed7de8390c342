"""Notices for the people a recall concerns, the deliveries that carry them, and what
they achieved (the counters of a recall, the people e-mail did not reach).

`sync_notices` runs inside the recall's transaction; nothing is sent here. Delivery keys
make every message unique, so publishing twice never queues a second notice for a person.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from shopsafe.ledger.models import Address
from shopsafe.notifications import repository as repo
from shopsafe.notifications.recipients import Recipient
from shopsafe.notifications.schemas import (
    PostalAddress,
    RecallStats,
    Undeliverable,
    UndeliverablePage,
)
from shopsafe.recalls.models import Recall

BIG_FAN_OUT = 10_000  # new notices after which the planner's statistics are refreshed


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
    existing = repo.notices_of(session, recall_id, None if withdraw_missing else list(wanted))
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
    repo.insert_notices(session, fresh)
    repo.queue_first_notices(session, recall_id=recall_id, created_at=now)
    if len(fresh) >= BIG_FAN_OUT:
        repo.refresh_statistics(session)
    changes.created = sorted(email for email in wanted if email not in existing)
    deliveries: list[dict[str, Any]] = []
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


def stats(session: Session, *, recall_id: int) -> RecallStats:
    """The recall's counters, from the match, notice and delivery records; the remedy
    counters come from its remedy cases (`shopsafe.remedies.progress`)."""
    from shopsafe.remedies.progress import progress  # remedies reads notifications too

    customers, units = repo.match_totals(session, recall_id)
    recipients, acknowledged = repo.notice_totals(session, recall_id)
    deliveries = repo.delivery_counts(session, recall_id)
    notified = repo.notified_count(session, recall_id)
    remedies = progress(session, recall_id)
    return RecallStats(
        affected_customers=customers,
        recipients=recipients,
        notified=notified,
        email_accepted=deliveries.get("sent", 0),
        email_failed=deliveries.get("failed", 0),
        acknowledged=acknowledged,
        remedies_requested=remedies.remedies_requested,
        remedies_completed=remedies.remedies_completed,
        units_affected=units,
        units_corrected=remedies.units_corrected,
        reach_rate=round(notified / recipients, 4) if recipients else 0.0,
        correction_rate=round(remedies.units_corrected / units, 4) if units else 0.0,
    )


def seller_stats(session: Session, *, recall: Recall, seller_id: int) -> RecallStats:
    """The counters of the part of a recall that is one seller's sales (a marketplace or
    authority recall that also reaches other sellers' buyers)."""
    from shopsafe.remedies import reporting  # remedies reads notifications too

    d = reporting.dashboard(session, recall, seller_id)
    return RecallStats(
        affected_customers=d.affected_customers, recipients=d.recipients, notified=d.notified,
        email_accepted=d.email_accepted, email_failed=d.email_failed,
        acknowledged=d.acknowledged, remedies_requested=d.remedies_requested,
        remedies_completed=d.remedies_completed, units_affected=d.units_affected,
        units_corrected=d.units_corrected, reach_rate=d.reach_rate,
        correction_rate=d.correction_rate,
    )  # fmt: skip


def undeliverable(
    session: Session, *, recall_id: int, after: int = 0, limit: int = 500
) -> UndeliverablePage:
    """People whose notice e-mail failed for good, with their postal address for a letter:
    the buyer's latest ship-to address, or for a gift recipient the gift's."""
    rows = repo.undeliverable_page(session, recall_id, after=after, limit=limit)
    buyers = [n.customer_id for n, *_ in rows if n.role != "gift_recipient"]
    gifts = [(n.customer_id, n.email) for n, *_ in rows if n.role == "gift_recipient"]
    addresses = repo.latest_addresses(session, buyers)
    gift_addresses = repo.latest_gift_addresses(session, gifts)
    items = []
    for notice, customer, reason, failed_at in rows:
        if notice.role == "gift_recipient":
            found = gift_addresses.get((notice.customer_id, notice.email))
        else:
            found = addresses.get(notice.customer_id)
        items.append(
            Undeliverable(
                notice_id=notice.id,
                email=notice.email,
                role=notice.role,
                customer_id=customer,
                language=notice.language,
                reason=reason,
                failed_at=failed_at,
                address=_postal(*found) if found else None,
            )
        )
    next_cursor = str(rows[-1][0].id) if len(rows) == limit else None
    return UndeliverablePage(items=items, next_cursor=next_cursor)


def _postal(name: str | None, address: Address) -> PostalAddress:
    return PostalAddress(
        name=name,
        line1=address.line1,
        line2=address.line2,
        postal_code=address.postal_code,
        city=address.city,
        country=address.country,
    )


CSV_COLUMNS = (
    "notice_id", "customer_id", "role", "email", "name", "line1", "line2", "postal_code",
    "city", "country", "language", "reason", "failed_at",
)  # fmt: skip


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    # A leading =, +, - or @ would make a spreadsheet run the cell as a formula.
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def undeliverable_csv(session: Session, *, recall_id: int, page_size: int = 1000) -> str:
    """Every undeliverable person as CSV, one row each, for a letter mailing."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    after = 0
    while True:
        page = undeliverable(session, recall_id=recall_id, after=after, limit=page_size)
        for item in page.items:
            a = item.address
            writer.writerow(
                [_cell(v) for v in (
                    item.notice_id, item.customer_id, item.role, item.email,
                    a.name if a else None, a.line1 if a else None, a.line2 if a else None,
                    a.postal_code if a else None, a.city if a else None,
                    a.country if a else None, item.language, item.reason,
                    item.failed_at.isoformat() if item.failed_at else None,
                )]
            )  # fmt: skip
        if page.next_cursor is None:
            return out.getvalue()
        after = int(page.next_cursor)
