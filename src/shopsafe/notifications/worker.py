"""The delivery worker's loop: `shopsafe worker`, `shopsafe worker --once`, and the demo's
background thread all run `run_until`.

PostgreSQL: any number of workers, each claiming with `FOR UPDATE SKIP LOCKED`. SQLite: one
worker per database file, enforced with an exclusive lock on `<database>.worker.lock`
(the operating system releases it when the process ends, however it ends).
"""

from __future__ import annotations

import fcntl
import logging
import os
import secrets
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine

from shopsafe.auth.tasks import purge_expired
from shopsafe.config import Settings, get_settings
from shopsafe.kit.clock import now as utc_now
from shopsafe.kit.errors import Conflict
from shopsafe.notifications.tasks import (
    Tally,
    WorkerConfig,
    deliver_batch,
    reclaim,
    schedule_reminders,
)
from shopsafe.notifications.transport import Transport, transport_for

log = logging.getLogger("shopsafe.worker")
REMINDER_JOB_SECONDS = 600.0  # reminders are due by the day; looking every ten minutes is plenty
FEED_JOB_SECONDS = 60.0  # scheduled feed pulls are due by the hour


class WorkerBusy(Conflict):
    code = "worker_running"


def worker_name() -> str:
    """Who claims: host, process id and a random part (unique even across restarts)."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{secrets.token_hex(3)}"


def lock_path(engine: Engine) -> Path | None:
    """The lock file of a SQLite database; `None` for PostgreSQL or an in-memory database."""
    if engine.dialect.name != "sqlite":
        return None
    database = engine.url.database
    if not database or database == ":memory:":
        return None
    path = Path(database)
    return path.with_name(path.name + ".worker.lock")


@contextmanager
def single_worker(engine: Engine) -> Iterator[None]:
    """On SQLite, holds the database's worker lock, or refuses with a clear message."""
    path = lock_path(engine)
    if path is None:
        yield
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(handle, 200, 0).decode(errors="replace").strip() or "unknown"
            raise WorkerBusy(
                f"another worker is already running on {engine.url.database} "
                f"({holder}); SQLite allows one worker at a time, so this one does not start "
                "(several workers need PostgreSQL)"
            ) from None
        os.ftruncate(handle, 0)
        os.pwrite(handle, f"pid {os.getpid()} on {socket.gethostname()}".encode(), 0)
        yield
    finally:
        os.close(handle)  # closing releases the lock


def run_until(
    engine: Engine,
    stop: threading.Event,
    *,
    settings: Settings | None = None,
    once: bool = False,
    clock: Callable[[], datetime] = utc_now,
    transport: Transport | None = None,
    name: str | None = None,
) -> Tally:
    """Sends due deliveries until `stop` is set (or, with `once`, until nothing is due).

    Safe to run in a background thread (the demo does): it returns when `stop` is set,
    after finishing the batch in hand. Raises `WorkerBusy` when another worker holds a
    SQLite database. Returns what it did.
    """
    settings = settings or get_settings()
    config = WorkerConfig.from_settings(settings, name=name or worker_name(), clock=clock)
    if transport is None:
        outbox = settings.var_dir / "outbox"
        transport = transport_for(settings.smtp_url, outbox, timeout=settings.smtp_timeout_seconds)
    with single_worker(engine):
        log.info("worker %s started (%s)", config.name, engine.dialect.name)
        total = Tally()
        total.reclaimed += reclaim(engine, config, everything=lock_path(engine) is not None)
        try:
            _loop(engine, stop, config, transport, settings, once, total)
        finally:
            transport.close()
        log.info("worker %s stopped: %s", config.name, total)
    return total


class Jobs:
    """The other due jobs, run between batches of deliveries: putting stale claims back in
    the queue (every quarter of the claim timeout), queueing reminders and forgetting
    expired sign-in sessions (every ten minutes, and first thing), the authorities' files
    due for a scheduled pull (every minute, and first thing), and, a batch each time, the
    sellers' webhooks and the e-mail updates to people who reported unsolicited parcels."""

    def __init__(self, engine: Engine, config: WorkerConfig) -> None:
        self.engine, self.config = engine, config
        self.reclaim_every = config.claim_timeout.total_seconds() / 4
        self.last_reclaim = time.monotonic()
        self.last_reminders: float | None = None
        self.last_feed_pulls: float | None = None

    def run_due(self) -> int:
        reclaimed = 0
        if time.monotonic() - self.last_reclaim > self.reclaim_every:
            reclaimed = reclaim(self.engine, self.config)
            self.last_reclaim = time.monotonic()
        if self.last_reminders is None or (
            time.monotonic() - self.last_reminders > REMINDER_JOB_SECONDS
        ):
            schedule_reminders(self.engine, self.config)
            purge_expired(self.engine, now=self.config.clock())
            self.last_reminders = time.monotonic()
        return reclaimed

    def pull_feeds(self, settings: Settings) -> list[str]:
        """The scheduled feed pulls that are due (`shopsafe.feeds.tasks`); their outcomes."""
        if self.last_feed_pulls is not None and (
            time.monotonic() - self.last_feed_pulls < FEED_JOB_SECONDS
        ):
            return []
        from shopsafe.feeds.tasks import pull_due

        self.last_feed_pulls = time.monotonic()
        return pull_due(self.engine, settings=settings, clock=self.config.clock)

    def send_webhooks(self, settings: Settings) -> int:
        """One batch of the sellers' webhooks (`shopsafe.remedies.tasks`); how many it took."""
        from shopsafe.remedies.tasks import send_due_webhooks

        tally = send_due_webhooks(
            self.engine, worker=self.config.name, settings=settings, clock=self.config.clock
        )
        return tally.claimed

    def send_case_updates(self, transport: Transport, settings: Settings) -> int:
        """One batch of e-mail updates to reporters (`shopsafe.unsolicited.tasks`); how many
        were accepted."""
        from shopsafe.unsolicited.tasks import deliver_due

        return deliver_due(
            self.engine,
            transport=transport,
            mail_from=self.config.mail_from,
            base_url=settings.base_url,
            now=self.config.clock(),
        )


def _loop(
    engine: Engine,
    stop: threading.Event,
    config: WorkerConfig,
    transport: Transport,
    settings: Settings,
    once: bool,
    total: Tally,
) -> None:
    jobs = Jobs(engine, config)
    while not stop.is_set():
        try:
            total.reclaimed += jobs.run_due()
            total.feed_pulls += len(jobs.pull_feeds(settings))
            tally = deliver_batch(engine, config, transport)
            busy = jobs.send_webhooks(settings) > 0
            busy = jobs.send_case_updates(transport, settings) > 0 or busy
        except Exception:
            if once:
                raise
            log.exception("a batch failed; trying again in %s s", settings.worker_poll_seconds)
            transport.close()
            stop.wait(settings.worker_poll_seconds)
            continue
        total.add(tally)
        if tally.claimed or busy:
            log.debug("batch: %s", tally)
            continue
        if once:
            return
        transport.close()  # idle: do not keep the mail server's connection open
        stop.wait(settings.worker_poll_seconds)


def drain(
    engine: Engine,
    *,
    settings: Settings | None = None,
    clock: Callable[[], datetime] = utc_now,
    transport: Transport | None = None,
) -> Tally:
    """Sends everything that is due now, then returns (`shopsafe worker --once`)."""
    return run_until(
        engine, threading.Event(), settings=settings, once=True, clock=clock, transport=transport
    )


class BackgroundWorker:
    """The worker in a daemon thread of this process: the demo serves pages and sends
    notices in one process (CONTRACT §1). `stop` lets the batch in hand finish."""

    def __init__(self, engine: Engine, *, settings: Settings | None = None) -> None:
        self.engine, self.settings = engine, settings
        self.stopping = threading.Event()
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="shopsafe-worker", daemon=True)

    def _run(self) -> None:
        try:
            run_until(self.engine, self.stopping, settings=self.settings)
        except WorkerBusy as busy:
            self.error = busy
            log.warning("the demo's worker does not run: %s", busy)
        except BaseException as failure:  # a dead thread must say why
            self.error = failure
            log.exception("the demo's worker stopped")

    def start(self) -> BackgroundWorker:
        self.thread.start()
        return self

    def stop(self, timeout: float = 30.0) -> None:
        self.stopping.set()
        self.thread.join(timeout)
