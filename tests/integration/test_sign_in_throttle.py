"""Password guessing is throttled: ten wrong passwords for one address, or fifty from one
client, and sign-in answers 429 (even to the right password) until the window has passed;
a successful sign-in forgets the address's failures; nothing readable is stored."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from shopsafe.auth import sessions, throttle
from shopsafe.auth import views as auth_views
from shopsafe.auth.models import SignInFailure, WebSession
from shopsafe.kit.clock import now
from tests.support.consoles import account
from tests.support.customer_pages import PASSWORD, sign_in
from tests.support.delivery import run_worker, worker_settings

EMAIL = "ada@home.example"


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> list[datetime]:
    """The sign-in page's clock, moved by the test."""
    current = [now()]
    monkeypatch.setattr(auth_views, "now", lambda: current[0])
    return current


def _guess(client: TestClient, email: str = EMAIL, times: int = 1) -> list[int]:
    return [sign_in(client, email, "wrong-password").status_code for _ in range(times)]


def test_ten_wrong_passwords_lock_the_address_until_the_window_passed(
    app_client: TestClient, engine: Engine, clock: list[datetime]
) -> None:
    account(engine, EMAIL, "operator")
    assert _guess(app_client, times=throttle.PER_ADDRESS) == [401] * throttle.PER_ADDRESS
    refused = sign_in(app_client, EMAIL, PASSWORD)
    assert refused.status_code == 429
    assert "Too many failed sign-ins" in refused.text
    assert "session" not in refused.headers.get("set-cookie", "")
    assert _guess(app_client, EMAIL.upper()) == [429]  # the same address, however written

    clock[0] += throttle.WINDOW + timedelta(seconds=1)
    assert sign_in(app_client, EMAIL, PASSWORD).status_code == 303
    with Session(engine) as session:
        stored = session.scalars(select(SignInFailure)).all()
    assert stored == []  # a successful sign-in forgets the address's failures


def test_a_successful_sign_in_forgets_the_failures(
    app_client: TestClient, engine: Engine, clock: list[datetime]
) -> None:
    account(engine, EMAIL, "operator")
    _guess(app_client, times=throttle.PER_ADDRESS - 1)
    assert sign_in(app_client, EMAIL, PASSWORD).status_code == 303
    assert _guess(app_client, times=throttle.PER_ADDRESS - 1) == [401] * 9


def test_one_client_guessing_many_addresses_is_stopped(
    app_client: TestClient, engine: Engine, clock: list[datetime]
) -> None:
    account(engine, EMAIL, "operator")
    for n in range(throttle.PER_CLIENT):
        assert _guess(app_client, f"nobody{n}@home.example") == [401]
    assert sign_in(app_client, EMAIL, PASSWORD).status_code == 429
    with Session(engine) as session:
        rows = session.scalars(select(SignInFailure)).all()
    assert len(rows) == throttle.PER_CLIENT
    assert all("@" not in r.email_key and "testclient" not in r.client_key for r in rows)
    assert len({r.email_key for r in rows}) == throttle.PER_CLIENT
    assert len({r.client_key for r in rows}) == 1


def test_the_worker_forgets_expired_sessions_and_old_failures(
    app_client: TestClient, engine: Engine, clock: list[datetime], tmp_path: Path
) -> None:
    account(engine, EMAIL, "operator")
    assert sign_in(app_client, EMAIL, PASSWORD).status_code == 303
    _guess(app_client, "nobody@home.example", times=3)
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(WebSession)) == 1
    later = now() + sessions.LIFETIME["password"] + timedelta(minutes=1)
    run_worker(engine, worker_settings(tmp_path, None), at=lambda: later)
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(WebSession)) == 0
        assert session.scalar(select(func.count()).select_from(SignInFailure)) == 0


def test_the_worker_keeps_live_sessions_and_recent_failures(
    app_client: TestClient, engine: Engine, clock: list[datetime], tmp_path: Path
) -> None:
    account(engine, EMAIL, "operator")
    assert sign_in(app_client, EMAIL, PASSWORD).status_code == 303
    _guess(app_client, "nobody@home.example", times=3)
    run_worker(engine, worker_settings(tmp_path, None))
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(WebSession)) == 1
        assert session.scalar(select(func.count()).select_from(SignInFailure)) == 3
