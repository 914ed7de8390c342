"""Signed webhooks to sellers: `recall.published`, `remedy.requested`, `refund.issued`.

Queuing writes a `webhook_deliveries` row in the caller's transaction (the outbox); the
worker sends it (`remedies/tasks.py`). Each event has a unique key, so queuing it again adds
nothing. A seller's signing secret is derived from Shopsafe's secret key and the seller's
id, and shown to the seller in the console.

Every request carries `X-Shopsafe-Event`, `X-Shopsafe-Delivery` (the event's key: the
seller's idempotency key), `X-Shopsafe-Timestamp` and `X-Shopsafe-Signature:
sha256=<hex>`, the HMAC-SHA256 of `<timestamp>.<body>` with the seller's secret.
"""

from __future__ import annotations

import hashlib
import hmac
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from shopsafe.config import get_settings
from shopsafe.kit.clock import now
from shopsafe.ledger.models import Seller
from shopsafe.recalls.models import Recall
from shopsafe.remedies import repository as repo
from shopsafe.remedies.models import Refund, RemedyCase

EVENTS = ("recall.published", "remedy.requested", "refund.issued")


def secret_for(seller_external_id: str, *, key: str | None = None) -> str:
    base = (key or get_settings().resolved_secret_key()).encode()
    message = b"shopsafe.webhook:" + seller_external_id.encode()
    return "whsec_" + hmac.new(base, message, hashlib.sha256).hexdigest()


def signature(secret: str, timestamp: int, body: bytes) -> str:
    signed = str(timestamp).encode() + b"." + body
    return "sha256=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def _queue(session: Session, rows: list[dict[str, Any]]) -> int:
    taken = repo.existing_webhook_keys(session, [r["key"] for r in rows])
    fresh = [r for r in rows if r["key"] not in taken]
    repo.add_webhooks(session, fresh)
    return len(fresh)


def _row(seller: Seller, event: str, key: str, data: dict[str, Any]) -> dict[str, Any]:
    stamp = now()
    assert seller.webhook_url
    return {
        "seller_id": seller.id, "event": event, "key": key, "url": seller.webhook_url,
        "payload": {"event": event, "id": key, "created_at": stamp.isoformat(),
                    "seller_id": seller.external_id, "data": data},
        "status": "pending", "attempts": 0, "due_at": stamp, "created_at": stamp,
    }  # fmt: skip


def _listening(session: Session, seller_ids: list[int]) -> list[Seller]:
    return [s for s in repo.sellers(session, sorted(set(seller_ids))) if s.webhook_url]


def recall_published(session: Session, recall: Recall) -> int:
    """Queues `recall.published` for the recall's seller (a recall without a seller: every
    seller whose sales it matched). Idempotent per recall version."""
    if recall.seller_id is not None:
        seller_ids = [recall.seller_id]
    else:
        seller_ids = repo.matched_seller_ids(session, recall.id)
    data = {
        "recall_id": recall.id, "version": recall.version, "kind": recall.kind,
        "title": recall.title, "risk_level": recall.risk_level,
        "published_at": recall.published_at.isoformat() if recall.published_at else None,
    }  # fmt: skip
    rows = [
        _row(s, "recall.published", f"recall.published:{recall.id}:v{recall.version}:{s.id}", data)
        for s in _listening(session, seller_ids)
    ]
    return _queue(session, rows)


def remedy_requested(session: Session, case: RemedyCase) -> int:
    data = {
        "case_id": case.id, "recall_id": case.recall_id, "remedy": case.remedy,
        "state": case.state, "rma": case.rma, "units": case.units,
        "amount": str(case.amount), "currency": case.currency,
    }  # fmt: skip
    sellers = _listening(session, sorted(repo.case_seller_ids(session, case.id)))
    rows = [
        _row(s, "remedy.requested", f"remedy.requested:{case.id}:{s.id}", data) for s in sellers
    ]
    return _queue(session, rows)


def refund_issued(
    session: Session, *, case: RemedyCase, refund: Refund, charged: dict[str, Decimal]
) -> int:
    rows = []
    for seller in _listening(session, sorted(repo.case_seller_ids(session, case.id))):
        data = {
            "refund_id": refund.id, "case_id": case.id, "recall_id": case.recall_id,
            "rma": case.rma, "amount": str(refund.amount), "owed": str(refund.owed),
            "currency": refund.currency,
            "charged_to_you": str(charged.get(seller.external_id, Decimal("0.00"))),
        }  # fmt: skip
        rows.append(_row(seller, "refund.issued", f"refund.issued:{refund.id}:{seller.id}", data))
    return _queue(session, rows)
