"""Work for the worker: send due seller webhooks (the `webhook_deliveries` outbox).

`send_due_webhooks` claims a batch (one transaction; `FOR UPDATE SKIP LOCKED` on
PostgreSQL, so several workers share the queue), posts each event outside any transaction,
then records the outcomes (one transaction). A 2xx answer is success; anything else, or no
answer, is tried again with exponential backoff and jitter until `webhook_max_attempts`.
A worker that dies mid-batch leaves rows in `sending`; they are queued again after the claim
timeout, and the seller recognises a repeat by `X-Shopsafe-Delivery`.

Right before each post the endpoint is checked again (`webhook_addresses`): a URL that now
resolves to a loopback, private or otherwise internal address is not called; the delivery
fails at once with the reason, without retries. The post connects to the addresses just
checked (no second lookup) and does not follow redirects; a redirect fails the delivery.
"""

from __future__ import annotations

import http.client
import json
import logging
import socket
import ssl
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
from shopsafe.remedies.webhook_addresses import (
    Endpoint,
    UnresolvedHost,
    UnsafeWebhookUrl,
    WebhookGuard,
)

log = logging.getLogger("shopsafe.worker")


@dataclass(frozen=True)
class Answer:
    code: int | None
    detail: str | None
    final: bool = False  # give up now: trying again cannot help


Poster = Callable[[Endpoint, bytes, dict[str, str], float], Answer]


class _PinnedHTTP(http.client.HTTPConnection):
    """Connects to one checked address, whatever the host name resolves to now."""

    def __init__(self, endpoint: Endpoint, address: str, timeout: float) -> None:
        super().__init__(endpoint.host, endpoint.port, timeout=timeout)
        self.address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    """TLS to one checked address; the certificate is checked against the host name."""

    def __init__(self, endpoint: Endpoint, address: str, timeout: float) -> None:
        self.tls = ssl.create_default_context()
        super().__init__(endpoint.host, endpoint.port, timeout=timeout, context=self.tls)
        self.address = address

    def connect(self) -> None:
        raw = socket.create_connection((self.address, self.port), self.timeout)
        try:
            self.sock = self.tls.wrap_socket(raw, server_hostname=self.host)
        except BaseException:
            raw.close()
            raise


def http_post(endpoint: Endpoint, body: bytes, headers: dict[str, str], timeout: float) -> Answer:
    """Posts to the first of the endpoint's checked addresses that takes a connection (the
    next one only when connecting fails, so an event is not posted twice); never follows a
    redirect."""
    kind = _PinnedHTTPS if endpoint.scheme == "https" else _PinnedHTTP
    problem: Exception | None = None
    for address in endpoint.addresses:
        connection = kind(endpoint, str(address), timeout)
        try:
            try:
                connection.connect()
            except OSError as error:
                problem = error
                continue
            connection.request("POST", endpoint.path, body=body, headers=headers)
            response = connection.getresponse()
            return _answer(response.status, response.reason, response.getheader("Location"))
        except (OSError, http.client.HTTPException) as error:
            return Answer(None, f"no answer: {error}")
        finally:
            connection.close()
    return Answer(None, f"no answer: {problem}")


def _answer(status: int, reason: str, location: str | None) -> Answer:
    if 200 <= status < 300:
        return Answer(status, None)
    if 300 <= status < 400:
        where = f" to {location[:200]}" if location else ""
        detail = f"HTTP {status} {reason}: a redirect{where}; webhooks do not follow redirects"
        return Answer(status, detail, final=True)
    return Answer(status, f"HTTP {status} {reason}")


def deliver(
    guard: WebhookGuard,
    post: Poster,
    url: str,
    body: bytes,
    headers: dict[str, str],
    timeout: float,
) -> Answer:
    """Checks the endpoint again (the name may point elsewhere now), then posts to it."""
    try:
        endpoint = guard.check(url)
    except UnsafeWebhookUrl as refused:
        return Answer(None, f"refused: {refused.reason}", final=True)
    except UnresolvedHost as error:
        return Answer(None, f"no answer: {error}")
    return post(endpoint, body, headers, timeout)


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
    guard: WebhookGuard | None = None,
    limit: int = 50,
) -> WebhookTally:
    """One batch of due webhooks; an empty tally when nothing is due. The worker calls this
    once per loop, next to its deliveries. `guard` checks each endpoint right before its post
    (default: from the settings, with the system's resolver)."""
    settings = settings or get_settings()
    guard = guard or WebhookGuard.from_settings(settings)
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
                deliver(guard, post, url, body, headers, settings.webhook_timeout_seconds),
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
    error = answer.detail or f"HTTP {answer.code}"
    if answer.final:
        return {**values, "status": "failed", "last_error": error}
    retry = next_try(attempts, at, policy)
    if retry is None:
        return {
            **values,
            "status": "failed",
            "last_error": f"gave up after {attempts} tries: {error}",
        }
    return {**values, "status": "pending", "due_at": retry, "last_error": error}
