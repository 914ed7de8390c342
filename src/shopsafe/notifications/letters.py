"""From claimed deliveries to the e-mails they carry: what to do with each (send, cancel,
skip a suppressed address) and, for those to send, the rendered message.

Loading is set-based (a handful of queries per batch, whatever its size); rendering needs no
database and happens outside any transaction.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from shopsafe.auth.links import DEFAULT_MAX_AGE, LinkClaim, sign_in_url
from shopsafe.notifications import delivery_repository as repo
from shopsafe.notifications.delivery_repository import PurchaseRow, RecallInfo, Work
from shopsafe.notifications.rendering import Letter, Purchase, content_key

REMINDED = ("notice", "reminder")  # kinds that only make sense while the person is affected


@dataclass(frozen=True)
class Plan:
    """One claimed delivery and what to do with it: `send` (with its letter), `cancel`
    or `suppressed` (with the reason)."""

    work: Work
    action: str
    letter: Letter | None = None
    reason: str | None = None


@dataclass(frozen=True)
class Batch:
    works: list[Work]
    recalls: dict[int, RecallInfo]
    purchases: list[PurchaseRow]
    accounts: dict[int, str | None]
    suppressed: set[str]
    first_sent: dict[int, datetime]
    content_keys: dict[int, str]


def load(session: Session, ids: Sequence[int]) -> Batch:
    works = repo.work_of(session, ids)
    recall_ids = sorted({w.recall_id for w in works})
    customers = sorted({w.customer_id for w in works})
    corrections = [w.notice_id for w in works if w.kind == "correction"]
    admins = sorted({w.customer_id for w in works if w.role == "admin"})
    recalls = repo.recalls_of(session, recall_ids)
    return Batch(
        works=works,
        recalls=recalls,
        purchases=repo.purchases_of(session, recall_ids, customers),
        accounts=repo.customer_names(session, admins),
        suppressed=repo.suppressed(session, sorted({w.email for w in works})),
        first_sent=repo.first_notice_sent(session, corrections),
        content_keys={pk: content_key(r.content) for pk, r in recalls.items()},
    )


def _why_not(work: Work, recall: RecallInfo) -> str | None:
    if work.kind in REMINDED and work.notice_status != "active":
        return "the person is no longer affected (the recall was amended)"
    if work.kind == "reminder" and recall.status != "published":
        return f"no reminders: the recall is {recall.status}"
    if work.kind == "reminder" and work.reacted:
        return "no reminder needed: the notice was acknowledged or a remedy chosen"
    return None


def _purchases(work: Work, rows: list[PurchaseRow]) -> tuple[Purchase, ...]:
    if work.role == "gift_recipient":
        names = {
            r.product for r in rows if r.gift and (r.ship_to_email or "").lower() == work.email
        }
        return tuple(Purchase(product=name) for name in sorted(names))
    return tuple(Purchase(r.product, r.order_number, r.placed_at.date(), r.units) for r in rows)


@dataclass(frozen=True)
class LinkMaker:
    base_url: str
    secret: str

    def __call__(self, work: Work) -> str | None:
        """The signed link: it signs a buyer (or a business buyer's admin) in and opens their
        recall page; for a gift recipient it opens the public notice and signs nobody in
        (`shopsafe.auth.service.check_link`). A correction needs no link."""
        if work.kind == "correction":
            return None
        claim = LinkClaim(work.customer_id, work.notice_id, work.recall_id)
        return sign_in_url(claim, base_url=self.base_url, secret=self.secret)


def plans(batch: Batch, link: LinkMaker) -> list[Plan]:
    by_buyer: dict[tuple[int, int], list[PurchaseRow]] = defaultdict(list)
    for row in batch.purchases:
        by_buyer[(row.recall_id, row.customer_id)].append(row)
    result: list[Plan] = []
    for work in batch.works:
        recall = batch.recalls[work.recall_id]
        reason = _why_not(work, recall)
        if reason is not None:
            result.append(Plan(work, "cancel", reason=reason))
        elif work.email in batch.suppressed:
            reason = "the address is on the suppression list (it bounced permanently before)"
            result.append(Plan(work, "suppressed", reason=reason))
        else:
            rows = by_buyer.get((work.recall_id, work.customer_id), [])
            result.append(Plan(work, "send", letter=_letter(work, recall, rows, batch, link)))
    return result


def _letter(
    work: Work, recall: RecallInfo, rows: list[PurchaseRow], batch: Batch, link: LinkMaker
) -> Letter:
    sent = batch.first_sent.get(work.notice_id)
    number = int(work.key.rsplit(":", 1)[1]) if work.kind == "reminder" else 0
    return Letter(
        email=work.kind,
        recall_kind=recall.kind,
        language=work.language,
        role=work.role,
        name=work.name,
        content=recall.content,
        purchases=_purchases(work, rows),
        account_name=batch.accounts.get(work.customer_id) if work.role == "admin" else None,
        link=link(work),
        link_days=DEFAULT_MAX_AGE // 86_400,
        notified_on=sent.date() if sent is not None else None,
        reminder_number=number,
        content_key=batch.content_keys[work.recall_id],
    )
