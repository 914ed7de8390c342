"""`shopsafe worker` as processes: one worker per SQLite database, stale claims sent again,
a worker killed in the middle of sending (PostgreSQL), two workers sharing the work without
sending anything twice (PostgreSQL)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from shopsafe.app import create_app
from shopsafe.auth import service as auth_service
from shopsafe.db import migrate
from shopsafe.db.engine import make_engine
from shopsafe.db.session import transaction
from shopsafe.kit.clock import now as utc_now
from shopsafe.notifications.models import Delivery, DeliveryAttempt
from shopsafe.notifications.tasks import Tally
from shopsafe.notifications.worker import WorkerBusy, run_until, single_worker
from shopsafe.recalls import service as recalls
from tests.factories import order
from tests.support.delivery import Headers, load, publish, run_worker, worker_settings
from tests.support.recalls import recall_body
from tests.support.smtp import Sink, smtp_server
from tests.support.workers import (
    OPERATOR,
    count,
    publish_to,
    start_worker,
    wait_for,
    worker_env,
)

ON_POSTGRES = os.environ.get("SHOPSAFE_TEST_DATABASE_URL", "").startswith("postgresql")
postgres_only = pytest.mark.skipif(not ON_POSTGRES, reason="several workers need PostgreSQL")


def cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "shopsafe", *args], env=env, capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip


def test_one_worker_per_sqlite_database_and_the_once_command(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    env = {**os.environ, "SHOPSAFE_DATABASE_URL": url, "SHOPSAFE_VAR_DIR": str(tmp_path)}
    env.pop("SHOPSAFE_SMTP_URL", None)
    with transaction(engine) as session:
        token = auth_service.create_token(session, role="operator")
    with TestClient(create_app(engine)) as client:
        load(client, {"Authorization": f"Bearer {token}"}, [order(1)])
    with transaction(engine) as session:
        recall = recalls.create(session, data=recall_body(), principal=OPERATOR)
        recalls.publish(session, recall_id=recall.id, principal=OPERATOR)

    with single_worker(engine):  # another worker holds the database
        refused = cli(env, "worker", "--once")
        with pytest.raises(WorkerBusy), single_worker(engine):
            pass
    assert refused.returncode == 1
    assert "another worker is already running" in refused.stderr
    assert "SQLite allows one worker at a time" in refused.stderr
    assert count(engine, Delivery.status == "pending") == 1

    done = cli(env, "worker", "--once")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "sent 1, retrying 0, failed 0, cancelled 0"
    assert len(list((tmp_path / "outbox").glob("*.eml"))) == 1
    bad = cli({**env, "SHOPSAFE_SMTP_URL": "http://mail"}, "worker", "--once")
    assert bad.returncode == 1 and "SHOPSAFE_SMTP_URL" in bad.stderr
    engine.dispose()


def test_claims_left_by_a_stopped_worker_are_sent_again(
    app_client: TestClient, operator_headers: Headers, engine: Engine, tmp_path: Path
) -> None:
    load(app_client, operator_headers, [order(1), order(2)])
    publish(app_client, operator_headers)
    now = utc_now()
    with transaction(engine) as session:
        stale, fresh = session.scalars(select(Delivery.id).order_by(Delivery.id)).all()
        session.execute(
            update(Delivery).where(Delivery.id == stale)
            .values(status="sending", claimed_by="dead:1", claimed_at=now - timedelta(hours=1))
        )  # fmt: skip
        session.execute(
            update(Delivery).where(Delivery.id == fresh)
            .values(status="sending", claimed_by="busy:2", claimed_at=now)
        )  # fmt: skip
    sink = Sink()
    with smtp_server(sink) as url:
        tally = run_worker(engine, worker_settings(tmp_path, url), at=lambda: now)
    with Session(engine) as session:
        states = {pk: state for pk, state in session.execute(select(Delivery.id, Delivery.status))}
        abandoned = session.scalars(
            select(DeliveryAttempt.delivery_id).where(DeliveryAttempt.outcome == "abandoned")
        ).all()
    assert states[stale] == "sent" and stale in abandoned
    if engine.dialect.name == "sqlite":
        # The only worker a SQLite database can have knows every claim is stale.
        assert tally.reclaimed == 2 and states[fresh] == "sent"
    else:
        # On PostgreSQL a fresh claim belongs to a live worker and is left alone.
        assert tally.reclaimed == 1 and states[fresh] == "sending"


@postgres_only
def test_a_worker_killed_in_the_middle_of_sending_loses_nothing(
    engine: Engine, database_url: str, tmp_path: Path
) -> None:
    recipients = 2_000
    recall_id = publish_to(engine, recipients)
    sink = Sink(stall_at=777)  # the 777th message hangs until the worker is dead
    log = tmp_path / "worker.log"
    with smtp_server(sink) as url:
        env = worker_env(database_url, url, tmp_path, SHOPSAFE_WORKER_BATCH_SIZE="100")
        worker = start_worker(env, log)
        assert sink.stalled.wait(120), log.read_text()
        worker.send_signal(signal.SIGKILL)
        worker.wait(30)
        with Session(engine) as session:
            in_flight = set(
                session.scalars(select(Delivery.key).where(Delivery.status == "sending"))
            )
        accepted_unrecorded = sum(1 for r in sink.received if r.key in in_flight)
        sink.release.set()
        time.sleep(1.2)  # older than the restarted worker's claim timeout
        restart = env | {"SHOPSAFE_DELIVERY_CLAIM_TIMEOUT_SECONDS": "1"}
        again = subprocess.run(
            [sys.executable, "-m", "shopsafe", "worker", "--once"], env=restart,
            capture_output=True, text=True, timeout=300,
        )  # fmt: skip
    assert again.returncode == 0, again.stderr
    per_key = Counter(r.key for r in sink.received)
    duplicates = sum(n - 1 for n in per_key.values())
    print(
        f"\ncrash test: {recipients} recipients, killed with {len(in_flight)} messages in "
        f"flight ({accepted_unrecorded} of them already accepted); after the restart "
        f"{len(sink.received)} messages accepted, {duplicates} duplicates"
    )
    assert 0 < len(in_flight) <= 100
    assert len(per_key) == recipients  # every recipient has at least one accepted message
    assert duplicates == accepted_unrecorded <= len(in_flight)
    assert all(per_key[k] == 2 for k in in_flight if per_key[k] > 1)
    assert count(engine, Delivery.status == "sent") == recipients
    with Session(engine) as session:
        abandoned = session.scalars(
            select(Delivery.key)
            .join(DeliveryAttempt, DeliveryAttempt.delivery_id == Delivery.id)
            .where(DeliveryAttempt.outcome == "abandoned")
        ).all()
    assert set(abandoned) == in_flight
    repeated = [r for r in sink.received if per_key[r.key] > 1]
    by_key: dict[str, set[str]] = {}
    for r in repeated:
        by_key.setdefault(r.key, set()).add(str(r.message["Message-ID"]))
    assert all(len(ids) == 1 for ids in by_key.values())  # a repeat is the same message
    assert recall_id > 0


@postgres_only
def test_two_workers_share_the_work_and_never_send_a_delivery_twice(
    engine: Engine, database_url: str, tmp_path: Path
) -> None:
    recipients = 1_500
    sink = Sink(delay=0.001)
    log = tmp_path / "workers.log"
    with smtp_server(sink) as url:
        env = worker_env(database_url, url, tmp_path, SHOPSAFE_WORKER_BATCH_SIZE="25")
        workers = [start_worker(env, log), start_worker(env, log)]
        try:
            wait_for(log, "started", count=2)  # both wait for work before it exists
            publish_to(engine, recipients)
            deadline = time.monotonic() + 180
            while count(engine, Delivery.status == "sent") < recipients:
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.2)
        finally:
            for worker in workers:
                worker.send_signal(signal.SIGTERM)
            codes = [worker.wait(30) for worker in workers]
    assert codes == [0, 0], log.read_text()
    per_key = Counter(r.key for r in sink.received)
    assert len(per_key) == recipients and max(per_key.values()) == 1
    with Session(engine) as session:
        by_worker = Counter(
            session.scalars(select(Delivery.claimed_by).where(Delivery.status == "sent"))
        )
        tries = Counter(session.scalars(select(DeliveryAttempt.delivery_id)))
    assert len(by_worker) == 2 and min(by_worker.values()) > 0, by_worker
    assert set(tries.values()) == {1}  # one accepted attempt per delivery, nothing else


def test_the_worker_runs_in_a_background_thread_until_told_to_stop(
    app_client: TestClient, operator_headers: Headers, engine: Engine, tmp_path: Path
) -> None:
    """How the demo runs it: web server and worker in one process."""
    settings = worker_settings(tmp_path, None, worker_poll_seconds=0.05)
    stop = threading.Event()
    done: list[Tally] = []
    thread = threading.Thread(
        target=lambda: done.append(run_until(engine, stop, settings=settings))
    )
    thread.start()
    try:
        load(app_client, operator_headers, [order(1), order(2)])
        publish(app_client, operator_headers)  # published while the worker waits
        deadline = time.monotonic() + 30
        while count(engine, Delivery.status == "sent") < 2:
            assert time.monotonic() < deadline and thread.is_alive()
            time.sleep(0.05)
    finally:
        stop.set()
        thread.join(10)
    assert not thread.is_alive() and done[0].sent == 2
    assert len(list((tmp_path / "outbox").glob("*.eml"))) == 2
