"""Work for the worker: one batch of due deliveries, in three steps.

1. Claim (one transaction): take up to `batch_size` due deliveries, mark them `sending` with
   `claimed_at`/`claimed_by`, and load what their e-mails say; commit.
2. Send (no transaction): render each e-mail and hand it to the mail server over one reused
   connection.
3. Record (one transaction): each delivery's new state, one `delivery_attempts` row per try,
   suppressions for addresses refused for good.

The reminder job (`schedule_reminders`) runs beside it: one set-based INSERT … SELECT per
reminder that queues a reminder delivery for everyone who has not reacted in time.

A worker that dies between 1 and 3 leaves its batch in `sending`; after the claim timeout
any worker puts those rows back in the queue, so a message may go out twice, never zero
times (docs/adr/0006). Each repeat carries the same Message-ID and idempotency key.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from shopsafe.config import Settings
from shopsafe.db.session import transaction
from shopsafe.kit.clock import now as utc_now
from shopsafe.notifications import delivery_repository as repo
from shopsafe.notifications import letters
from shopsafe.notifications.backoff import RetryPolicy, delay_seconds, next_try
from shopsafe.notifications.letters import LinkMaker, Plan
from shopsafe.notifications.mime import compose, message_id, sender_address
from shopsafe.notifications.rendering import render
from shopsafe.notifications.transport import Envelope, SendResult, Transport

log = logging.getLogger("shopsafe.worker")


@dataclass(frozen=True)
class WorkerConfig:
    name: str
    batch_size: int
    claim_timeout: timedelta
    policy: RetryPolicy
    reminder_days: tuple[int, ...]
    mail_from: str
    link: LinkMaker
    clock: Callable[[], datetime] = utc_now
    rng: random.Random = field(default_factory=random.Random)

    @classmethod
    def from_settings(
        cls, settings: Settings, *, name: str, clock: Callable[[], datetime] = utc_now
    ) -> WorkerConfig:
        return cls(
            name=name,
            batch_size=settings.worker_batch_size,
            claim_timeout=timedelta(seconds=settings.delivery_claim_timeout_seconds),
            policy=RetryPolicy(
                max_attempts=settings.delivery_max_attempts,
                base_seconds=settings.delivery_retry_seconds,
                cap_seconds=settings.delivery_retry_cap_seconds,
            ),
            reminder_days=settings.reminder_schedule(),
            mail_from=settings.mail_from,
            link=LinkMaker(settings.base_url, settings.resolved_secret_key()),
            clock=clock,
        )


@dataclass
class Tally:
    claimed: int = 0
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    cancelled: int = 0
    released: int = 0
    reclaimed: int = 0
    feed_pulls: int = 0

    def add(self, other: Tally) -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))

    def __str__(self) -> str:
        return ", ".join(f"{f.name} {getattr(self, f.name)}" for f in fields(self))


@dataclass(frozen=True)
class Tried:
    plan: Plan
    result: SendResult | None  # None: given back untried
    message_id: str | None = None
    at: datetime | None = None
    wait: bool = False  # given back because the mail server cannot be reached: try later


def reclaim(engine: Engine, config: WorkerConfig, *, everything: bool = False) -> int:
    """Puts stale `sending` claims back in the queue; `everything`: all of them (a single
    worker on SQLite knows that no one else is sending)."""
    now = config.clock()
    cutoff = None if everything else now - config.claim_timeout
    with transaction(engine) as session:
        ids = repo.reclaim_stale(session, claimed_before=cutoff, now=now)
    if ids:
        log.warning("re-queued %d deliveries left in 'sending' by a stopped worker", len(ids))
    return len(ids)


def schedule_reminders(engine: Engine, config: WorkerConfig) -> int:
    """The reminder job: queues the reminders that have come due (one transaction)."""
    now = config.clock()
    queued = 0
    with transaction(engine) as session:
        previous = 0
        for number, days in enumerate(config.reminder_days, start=1):
            gap = timedelta(days=days - previous)
            queued += repo.schedule_reminders(session, number=number, days=days, gap=gap, now=now)
            previous = days
    if queued:
        log.info("queued %d reminders", queued)
    return queued


def deliver_batch(engine: Engine, config: WorkerConfig, transport: Transport) -> Tally:
    """Claims, sends and records one batch; an empty tally when nothing is due."""
    claimed_at = config.clock()
    with transaction(engine) as session:
        ids = repo.claim(session, now=claimed_at, limit=config.batch_size, worker=config.name)
        batch = letters.load(session, ids) if ids else None
    if batch is None:
        return Tally()
    tried = send_all(letters.plans(batch, config.link), config, transport, claimed_at)
    with transaction(engine) as session:
        tally = record(session, tried, config)
    tally.claimed = len(ids)
    return tally


def _envelope(plan: Plan, config: WorkerConfig, mid: str, at: datetime) -> Envelope:
    assert plan.letter is not None
    work = plan.work
    message = compose(
        render(plan.letter), mail_from=config.mail_from, to_email=work.email,
        to_name=work.name, message_id=mid, idempotency_key=work.key, at=at,
    )  # fmt: skip
    return Envelope(sender_address(config.mail_from), work.email, message, mid.strip("<>"))


def send_all(
    plans: list[Plan], config: WorkerConfig, transport: Transport, claimed_at: datetime
) -> list[Tried]:
    """Sends what is to be sent. When the server cannot be reached, the rest is given back
    untried, to be tried later; when half the claim timeout has passed (a slow server), the
    rest is given back due now, before any other worker could take the claim for stale."""
    tried: list[Tried] = []
    down = False
    for plan in plans:
        if plan.action != "send":
            tried.append(Tried(plan, None))
            continue
        at = config.clock()
        if down or at - claimed_at > config.claim_timeout / 2:
            tried.append(Tried(plan, None, wait=down))
            continue
        mid = message_id(plan.work.delivery_id, plan.work.key, config.mail_from)
        try:
            result = transport.send(_envelope(plan, config, mid, at))
        except Exception as error:  # a rendering bug must not stop the other messages
            log.exception("cannot prepare delivery %d", plan.work.delivery_id)
            result = SendResult("temporary", None, f"cannot prepare the message: {error!r}")
        down = result.transport_down
        tried.append(Tried(plan, result, mid, config.clock()))
    return tried


@dataclass
class Writes:
    """What one batch writes when it is recorded."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    attempts: list[dict[str, Any]] = field(default_factory=list)
    suppressions: list[dict[str, Any]] = field(default_factory=list)
    released: list[int] = field(default_factory=list)
    waiting: list[int] = field(default_factory=list)


def record(session: Session, tried: list[Tried], config: WorkerConfig) -> Tally:
    now = config.clock()
    tally, writes = Tally(), Writes()
    for item in tried:
        plan, result = item.plan, item.result
        if plan.action != "send":
            status = "cancelled" if plan.action == "cancel" else "failed"
            writes.rows.append(_final(item, status))
            writes.attempts.append(_attempt(item, config, now, plan.action, None, plan.reason))
            _count(tally, status)
        elif result is None:
            (writes.waiting if item.wait else writes.released).append(plan.work.delivery_id)
        else:
            _tried(item, result, config, writes, tally)
    repo.finish(session, writes.rows, worker=config.name)
    repo.add_attempts(session, writes.attempts)
    repo.add_suppressions(session, writes.suppressions)
    retry_at = now + timedelta(seconds=delay_seconds(1, config.policy, config.rng))
    repo.release(session, writes.waiting, worker=config.name, due_at=retry_at)
    repo.release(session, writes.released, worker=config.name, due_at=now)
    tally.released = len(writes.released) + len(writes.waiting)
    return tally


def _tried(
    item: Tried, result: SendResult, config: WorkerConfig, writes: Writes, tally: Tally
) -> None:
    at = item.at or config.clock()
    writes.attempts.append(_attempt(item, config, at, result.outcome, result.code, result.detail))
    row = _after_try(item, result, config, at)
    writes.rows.append(row)
    _count(tally, row["status"])
    if result.outcome == "permanent" and result.suppress:
        writes.suppressions.append(_suppression(item, result, at))


def _count(tally: Tally, status: str) -> None:
    if status == "sent":
        tally.sent += 1
    elif status == "pending":
        tally.retrying += 1
    elif status == "failed":
        tally.failed += 1
    else:
        tally.cancelled += 1


def _final(item: Tried, status: str) -> dict[str, Any]:
    work = item.plan.work
    return {
        "id": work.delivery_id, "status": status, "attempts": work.attempts,
        "due_at": None, "sent_at": None, "last_error": item.plan.reason, "message_id": None,
        "claimed_at": None, "claimed_by": None,
    }  # fmt: skip


def _after_try(
    item: Tried, result: SendResult, config: WorkerConfig, at: datetime
) -> dict[str, Any]:
    work = item.plan.work
    count = work.attempts + 1
    row: dict[str, Any] = {
        "id": work.delivery_id, "attempts": count, "due_at": None, "sent_at": None,
        "last_error": None, "message_id": item.message_id, "claimed_at": None, "claimed_by": None,
    }  # fmt: skip
    if result.outcome == "accepted":
        return {**row, "status": "sent", "sent_at": at, "claimed_at": at, "claimed_by": config.name}
    retry = (
        next_try(count, at, config.policy, config.rng) if result.outcome == "temporary" else None
    )
    if retry is not None:
        return {**row, "status": "pending", "due_at": retry, "last_error": result.detail}
    reason = (
        result.detail
        if result.outcome == "permanent"
        else f"gave up after {count} tries: {result.detail}"
    )
    return {**row, "status": "failed", "last_error": reason}


def _attempt(
    item: Tried,
    config: WorkerConfig,
    at: datetime,
    outcome: str,
    code: int | None,
    detail: str | None,
) -> dict[str, Any]:
    return {
        "delivery_id": item.plan.work.delivery_id, "at": at, "outcome": outcome,
        "smtp_code": code, "detail": detail, "worker": config.name,
    }  # fmt: skip


def _suppression(item: Tried, result: SendResult, at: datetime) -> dict[str, Any]:
    return {
        "email": item.plan.work.email, "reason": result.detail,
        "delivery_id": item.plan.work.delivery_id, "created_at": at,
    }  # fmt: skip
