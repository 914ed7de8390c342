"""Work for the worker: the scheduled pulls of authorities' files (`SHOPSAFE_FEED_PULLS`).

Each configured `source=url` is a subscription. A due one is claimed (its next pull moved
forward in one conditional UPDATE, so that two workers never fetch the same file), fetched
outside any transaction with the validators of the file imported last time, and imported in
one transaction exactly as `shopsafe feeds import` does. Every pull leaves a row: imported,
not modified (304), or failed with the reason; a failed pull is tried again within the hour,
and nothing of a file that could not be fetched or read is kept.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine

from shopsafe.config import Settings
from shopsafe.db.session import transaction
from shopsafe.feeds import download, matching, service
from shopsafe.feeds import repository as repo
from shopsafe.feeds.models import FeedPull, FeedSubscription
from shopsafe.kit.errors import InvalidInput

log = logging.getLogger("shopsafe.feeds")
RETRY_AFTER_FAILURE = timedelta(hours=1)
VALIDATOR_MAX = 500  # longer ETags are not kept (the next pull then fetches the whole file)

Fetch = Callable[..., download.Fetched]


@dataclass(frozen=True)
class Due:
    id: int
    source: str
    url: str
    etag: str | None
    last_modified: str | None


def pull_due(
    engine: Engine,
    *,
    settings: Settings,
    clock: Callable[[], datetime],
    fetch: Fetch = download.fetch_if_changed,
) -> list[str]:
    """Pulls every configured file that is due; returns the outcome of each pull taken."""
    pulls = settings.feed_pull_list()
    if not pulls:
        return []
    now = clock()
    with transaction(engine) as session:
        repo.subscribe(session, pulls, now=now)
        due = [
            Due(s.id, s.source, s.url, s.etag, s.last_modified)
            for s in repo.due_subscriptions(session, pulls, now=now)
        ]
    every = timedelta(hours=settings.feed_pull_hours)
    outcomes: list[str] = []
    for subscription in due:
        with transaction(engine) as session:
            taken = repo.claim_subscription(session, subscription.id, now=now, until=now + every)
        if taken:
            outcome = _pull(engine, subscription, settings=settings, clock=clock, fetch=fetch)
            outcomes.append(outcome)
    return outcomes


def _pull(
    engine: Engine,
    subscription: Due,
    *,
    settings: Settings,
    clock: Callable[[], datetime],
    fetch: Fetch,
) -> str:
    started = clock()
    try:
        fetched = fetch(
            subscription.url,
            etag=subscription.etag,
            last_modified=subscription.last_modified,
            timeout=settings.feed_pull_timeout_seconds,
        )
        if fetched.data is None:
            with transaction(engine) as session:
                session.add(_pull_row(subscription, started, clock(), "not_modified"))
            return "not_modified"
        with transaction(engine) as session:
            summary = service.import_feed(
                session,
                source=subscription.source,
                data=fetched.data,
                thresholds=matching.Thresholds(
                    auto=settings.feed_auto_threshold, review=settings.feed_review_threshold
                ),
                auto_publish=settings.feed_auto_publish,
            )
            row = session.get_one(FeedSubscription, subscription.id)
            row.etag = _kept(fetched.etag)
            row.last_modified = _kept(fetched.last_modified)
            pull = _pull_row(subscription, started, clock(), "imported")
            pull.imported, pull.updated = summary.imported, summary.updated
            pull.unchanged, pull.rejected = summary.unchanged, summary.rejected
            session.add(pull)
        return "imported"
    except InvalidInput as refused:
        reason = "; ".join(refused.problems)[:4000]
    except Exception as error:  # the worker goes on; the pull says what broke
        log.exception("pulling %s from %s failed", subscription.source, subscription.url)
        reason = f"unexpected error: {type(error).__name__}: {error}"[:4000]
    log.warning("pull of %s from %s failed: %s", subscription.source, subscription.url, reason)
    with transaction(engine) as session:
        row = session.get_one(FeedSubscription, subscription.id)
        row.next_pull_at = min(row.next_pull_at, started + RETRY_AFTER_FAILURE)
        failed = _pull_row(subscription, started, clock(), "failed")
        failed.error = reason
        session.add(failed)
    return "failed"


def _pull_row(subscription: Due, started: datetime, finished: datetime, outcome: str) -> FeedPull:
    return FeedPull(
        subscription_id=subscription.id,
        started_at=started,
        finished_at=finished,
        outcome=outcome,
        imported=0,
        updated=0,
        unchanged=0,
        rejected=0,
    )


def _kept(validator: str | None) -> str | None:
    return validator if validator and len(validator) <= VALIDATOR_MAX else None
