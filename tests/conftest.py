"""Shared fixtures: a migrated database (SQLite by default, PostgreSQL when
SHOPSAFE_TEST_DATABASE_URL points at one), emptied after every test; the web app; tokens."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from shopsafe.app import create_app
from shopsafe.auth import service as auth_service
from shopsafe.db import migrate
from shopsafe.db.engine import make_engine
from shopsafe.db.registry import Base
from shopsafe.db.session import session_factory, transaction

FIXTURES = Path(__file__).parent / "fixtures"


def pytest_report_header() -> str:
    return f"database: {database_url_for_report()}"


def database_url_for_report() -> str:
    return os.environ.get("SHOPSAFE_TEST_DATABASE_URL", "sqlite (temporary file)")


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("SHOPSAFE_TEST_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    _drop_everything(engine)
    migrate.upgrade(engine)
    yield engine
    engine.dispose()


def _drop_everything(engine: Engine) -> None:
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        else:
            Base.metadata.drop_all(connection)
            connection.execute(text("DROP TABLE IF EXISTS alembic_version"))


@pytest.fixture(autouse=True)
def _empty_tables(request: pytest.FixtureRequest) -> Iterator[None]:
    """Tests commit for real (as requests and commands do); afterwards every table is emptied."""
    yield
    if "engine" not in request.fixturenames:
        return
    empty_database(request.getfixturevalue("engine"))


def empty_database(engine: Engine) -> None:
    tables = [t.name for t in Base.metadata.sorted_tables]
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for name in reversed(tables):
                connection.execute(text(f"DELETE FROM {name}"))


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session for arranging and checking; commit explicitly when a test needs to."""
    with session_factory(engine)() as session:
        yield session


@pytest.fixture
def app_client(engine: Engine) -> Iterator[TestClient]:
    with TestClient(create_app(engine)) as client:
        yield client


@pytest.fixture
def operator_token(engine: Engine) -> str:
    with transaction(engine) as session:
        return auth_service.create_token(session, role="operator")


@pytest.fixture
def operator_headers(operator_token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {operator_token}"}
