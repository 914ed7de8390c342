"""Scheduled feed pulls by the worker (`SHOPSAFE_FEED_PULLS`): a real HTTP server on
127.0.0.1 that answers conditional GETs, the real FDA records, and the worker's own loop."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from shopsafe.auth import service as auth_service
from shopsafe.config import Settings, parse_pulls
from shopsafe.db.session import transaction
from shopsafe.feeds import repository as repo
from shopsafe.feeds.models import FeedPull, FeedRecord, FeedSubscription
from shopsafe.feeds.tasks import RETRY_AFTER_FAILURE, pull_due
from shopsafe.notifications.worker import drain
from tests.support.customer_pages import PASSWORD, sign_in
from tests.support.feeds import FDA

T0 = datetime(2026, 4, 1, 6, 0, tzinfo=UTC)


@dataclass
class Published:
    """What the authority's server serves now, and what it was asked."""

    body: bytes = b""
    etag: str = '"v1"'
    status: int = 200
    requests: list[dict[str, str]] = field(default_factory=list)


@pytest.fixture
def authority() -> Iterator[tuple[str, Published]]:
    published = Published(body=FDA.read_bytes())

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            published.requests.append(dict(self.headers.items()))
            if published.status != 200:
                self.send_error(published.status)
                return
            if self.headers.get("If-None-Match") == published.etag:
                self.send_response(304)
                self.send_header("ETag", published.etag)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("ETag", published.etag)
            self.send_header("Content-Length", str(len(published.body)))
            self.end_headers()
            self.wfile.write(published.body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/enforcement.json", published
    server.shutdown()
    server.server_close()


def settings_for(url: str, tmp_path: Path, **changes: object) -> Settings:
    values: dict[str, object] = {"feed_pulls": f"fda={url}", "var_dir": tmp_path}
    values.update(changes)
    return Settings(**values)  # type: ignore[arg-type]


def counts(engine: Engine) -> tuple[int, list[tuple[str, int, int, str | None]]]:
    with Session(engine) as session:
        records = int(session.scalar(select(func.count()).select_from(FeedRecord)) or 0)
        columns = (FeedPull.outcome, FeedPull.imported, FeedPull.unchanged, FeedPull.error)
        pulls = session.execute(select(*columns).order_by(FeedPull.id))
        return records, [tuple(row) for row in pulls]  # type: ignore[misc]


def test_pulls_when_due_and_asks_whether_the_file_changed(
    engine: Engine, authority: tuple[str, Published], tmp_path: Path
) -> None:
    url, published = authority
    settings = settings_for(url, tmp_path)
    assert pull_due(engine, settings=settings, clock=lambda: T0) == ["imported"]
    records, pulls = counts(engine)
    assert records > 100 and pulls == [("imported", records, 0, None)]
    assert "If-None-Match" not in published.requests[0]

    assert pull_due(engine, settings=settings, clock=lambda: T0 + timedelta(hours=5)) == []
    assert len(published.requests) == 1  # not due before feed_pull_hours (6)

    later = T0 + timedelta(hours=6)
    assert pull_due(engine, settings=settings, clock=lambda: later) == ["not_modified"]
    assert published.requests[1]["If-None-Match"] == '"v1"'
    assert counts(engine) == (records, [pulls[0], ("not_modified", 0, 0, None)])

    published.etag = '"v2"'  # the authority republished the same records
    assert pull_due(engine, settings=settings, clock=lambda: later + timedelta(hours=6)) == [
        "imported"
    ]
    assert counts(engine)[1][-1] == ("imported", 0, records, None)
    with Session(engine) as session:
        assert session.scalars(select(FeedSubscription.etag)).one() == '"v2"'


@pytest.mark.parametrize(
    ("body", "status", "reason"),
    [
        (b'{"RESULT": [1]}', 200, "record 1: expected an object, found int"),
        (b"<html>maintenance</html>", 200, "not valid JSON"),
        (b"", 503, "the server answered 503"),
    ],
)
def test_a_failed_pull_keeps_nothing_says_why_and_is_tried_again_within_the_hour(
    engine: Engine,
    authority: tuple[str, Published],
    tmp_path: Path,
    body: bytes,
    status: int,
    reason: str,
) -> None:
    url, published = authority
    published.body, published.status = body, status
    settings = settings_for(url, tmp_path)
    assert pull_due(engine, settings=settings, clock=lambda: T0) == ["failed"]
    records, pulls = counts(engine)
    assert records == 0 and len(pulls) == 1 and pulls[0][0] == "failed"
    assert reason in (pulls[0][3] or "")
    with Session(engine) as session:
        subscription = session.scalars(select(FeedSubscription)).one()
        assert subscription.next_pull_at == T0 + RETRY_AFTER_FAILURE and subscription.etag is None

    published.body, published.status = FDA.read_bytes(), 200
    assert pull_due(engine, settings=settings, clock=lambda: T0 + RETRY_AFTER_FAILURE) == [
        "imported"
    ]
    assert counts(engine)[0] > 100


def test_a_due_pull_is_taken_by_one_worker_only(
    engine: Engine, authority: tuple[str, Published]
) -> None:
    url, _published = authority
    with transaction(engine) as session:
        repo.subscribe(session, [("fda", url)], now=T0)
        subscription = session.scalars(select(FeedSubscription)).one()
    until = T0 + timedelta(hours=6)
    taken = []
    for _worker in range(2):  # both saw it due; each claims in its own transaction
        with transaction(engine) as session:
            taken.append(repo.claim_subscription(session, subscription.id, now=T0, until=until))
    assert taken == [True, False]


def test_two_workers_claiming_at_the_same_moment_get_it_once(
    engine: Engine, authority: tuple[str, Published]
) -> None:
    url, _published = authority
    with transaction(engine) as session:
        repo.subscribe(session, [("fda", url)], now=T0)
        subscription_id = session.scalars(select(FeedSubscription.id)).one()
    until = T0 + timedelta(hours=6)
    second: list[bool] = []

    def other_worker() -> None:
        with transaction(engine) as session:
            second.append(repo.claim_subscription(session, subscription_id, now=T0, until=until))

    with transaction(engine) as first:
        assert repo.claim_subscription(first, subscription_id, now=T0, until=until)
        racing = threading.Thread(target=other_worker)
        racing.start()
        racing.join(0.5)
        assert racing.is_alive()  # it waits for the first claim's transaction
    racing.join(10)
    assert second == [False]


def test_the_worker_runs_the_pulls_and_forgets_no_unconfigured_history(
    engine: Engine, authority: tuple[str, Published], tmp_path: Path
) -> None:
    url, published = authority
    tally = drain(engine, settings=settings_for(url, tmp_path), clock=lambda: T0)
    assert tally.feed_pulls == 1 and len(published.requests) == 1
    assert counts(engine)[0] > 100
    # Taken off the list: never pulled again, its history stays.
    other = settings_for(url, tmp_path, feed_pulls="")
    assert drain(engine, settings=other, clock=lambda: T0 + timedelta(days=2)).feed_pulls == 0
    assert len(published.requests) == 1 and len(counts(engine)[1]) == 1


def test_the_operator_sees_each_pull_and_its_outcome(
    app_client: TestClient,
    engine: Engine,
    authority: tuple[str, Published],
    tmp_path: Path,
) -> None:
    url, published = authority
    published.status = 503
    pull_due(engine, settings=settings_for(url, tmp_path), clock=lambda: T0)
    with transaction(engine) as session:
        auth_service.create_account(
            session, email="ops@example.com", password=PASSWORD, role="operator"
        )
    assert sign_in(app_client, "ops@example.com").status_code == 303
    page = app_client.get("/operator/feeds").text
    assert "Scheduled pulls" in page and url in page
    assert "the server answered 503" in page and "no longer configured" in page


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("recalls=https://a.example/x", "the source must be one of cpsc, cpsc-csv, fda"),
        ("fda=ftp://a.example/x", "must be an http:// or https:// URL with a host"),
        ("fda=https://", "must be an http:// or https:// URL with a host"),
        ("fda=https://a.example/x fda=https://a.example/x", "listed twice"),
    ],
)
def test_bad_pull_settings_name_the_entry(value: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        parse_pulls(value)
    assert parse_pulls(" cpsc=https://a.example/r?x=1\nfda=http://b.example/f ") == (
        ("cpsc", "https://a.example/r?x=1"),
        ("fda", "http://b.example/f"),
    )
