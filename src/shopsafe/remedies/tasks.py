"""Work for the worker: send due seller webhooks (the `webhook_deliveries` outbox).

`send_due_webhooks` claims a batch (one transaction; `FOR UPDATE SKIP LOCKED` on
PostgreSQL, so several workers share the queue), posts each event outside any transaction,
then records the outcomes (one transaction). A 2xx answer is success; anything else, or no
answer, is tried again with exponential backoff and jitter until `webhook_max_attempts`.
A worker that dies mid-batch leaves rows in `sending`; they are queued again after the claim
timeout, and the seller recognises a repeat by `X-Shopsafe-Delivery`.
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine

from shopsafe.config import Settings, get_settings
from shopsafe.db.session import transaction
from shopsafe.kit.clock import now as utc_now
from shopsafe.notifications.backoff import RetryPolicy, next_try
from shopsafe.remedies import repository as repo
from shopsafe.remedies import webhooks

log = logging.getLogger("shopsafe.worker")


@dataclass(frozen=True)
class Answer:
    code: int | None
    detail: str | None


Poster = Callable[[str, bytes, dict[str, str], float], Answer]


def http_post(url: str, body: bytes, headers: dict[str, str], timeout: float) -> Answer:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return Answer(int(response.status), None)
    except urllib.error.HTTPError as error:
        return Answer(int(error.code), f"HTTP {error.code} {error.reason}")
    except (urllib.error.URLError, OSError, ValueError) as error:
        return Answer(None, f"no answer: {error}")


@dataclass
class WebhookTally:
    claimed: int = 0
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    reclaimed: int = 0


def _encode(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()


def _headers(event: str, key: str, seller: str, body: bytes, at: datetime) -> dict[str, str]:
    stamp = int(at.timestamp())
    return {
        "Content-Type": "application/json",
        "User-Agent": "Shopsafe-Webhooks/1",
        "X-Shopsafe-Event": event,
        "X-Shopsafe-Delivery": key,
        "X-Shopsafe-Timestamp": str(stamp),
        "X-Shopsafe-Signature": webhooks.signature(webhooks.secret_for(seller), stamp, body),
    }


def send_due_webhooks(
    engine: Engine,
    *,
    worker: str,
    settings: Settings | None = None,
    clock: Callable[[], datetime] = utc_now,
    post: Poster = http_post,
    limit: int = 50,
) -> WebhookTally:
    """One batch of due webhooks; an empty tally when nothing is due. The worker calls this
    once per loop, next to its deliveries."""
    settings = settings or get_settings()
    tally = WebhookTally()
    work = _claim(engine, worker, settings, clock(), limit, tally)
    answers = []
    for delivery_id, event, key, url, payload, attempts, seller in work:
        body = _encode(payload)
        at = clock()
        headers = _headers(event, key, seller, body, at)
        answers.append(
            (
                delivery_id,
                attempts + 1,
                post(url, body, headers, settings.webhook_timeout_seconds),
                at,
            )
        )
    policy = RetryPolicy(
        max_attempts=settings.webhook_max_attempts,
        base_seconds=settings.webhook_retry_seconds,
        cap_seconds=settings.delivery_retry_cap_seconds,
    )
    with transaction(engine) as session:
        for delivery_id, attempts, answer, at in answers:
            values = _outcome(answer, attempts, at, policy)
            repo.finish_webhook(session, delivery_id, worker, values)
            tally.sent += values["status"] == "sent"
            tally.retrying += values["status"] == "pending"
            tally.failed += values["status"] == "failed"
    return tally


def _claim(
    engine: Engine,
    worker: str,
    settings: Settings,
    now: datetime,
    limit: int,
    tally: WebhookTally,
) -> list[tuple[int, str, str, str, dict[str, Any], int, str]]:
    """Puts stale claims back, then claims due rows (one transaction)."""
    stale = now - timedelta(seconds=settings.delivery_claim_timeout_seconds)
    with transaction(engine) as session:
        tally.reclaimed = repo.reclaim_webhooks(session, claimed_before=stale, now=now)
        ids = repo.claim_webhooks(session, now=now, limit=limit, worker=worker)
        rows = repo.webhooks_by_ids(session, ids)
        work = [
            (r.id, r.event, r.key, r.url, r.payload, r.attempts, str(r.payload["seller_id"]))
            for r in rows
        ]
    tally.claimed = len(work)
    return work


def _outcome(answer: Answer, attempts: int, at: datetime, policy: RetryPolicy) -> dict[str, Any]:
    values: dict[str, Any] = {"attempts": attempts, "response_code": answer.code}
    if answer.code is not None and 200 <= answer.code < 300:
        return {**values, "status": "sent", "sent_at": at, "last_error": None}
    retry = next_try(attempts, at, policy)
    error = answer.detail or f"HTTP {answer.code}"
    if retry is None:
        return {
            **values,
            "status": "failed",
            "last_error": f"gave up after {attempts} tries: {error}",
        }
    return {**values, "status": "pending", "due_at": retry, "last_error": error}
