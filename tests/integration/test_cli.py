"""Every command has `--help`; bad usage exits 2; tokens work with the API."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from typer.testing import CliRunner

from shopsafe.cli import app

COMMANDS = [
    [],
    ["db"],
    ["db", "upgrade"],
    ["import"],
    ["import", "orders"],
    ["import", "reviews"],
    ["tokens"],
    ["tokens", "create"],
    ["serve"],
    ["demo"],
    ["seed"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "shopsafe")
def test_help(command: list[str]) -> None:
    result = CliRunner().invoke(app, [*command, "--help"], prog_name="shopsafe")
    assert result.exit_code == 0, result.output
    assert "Usage: shopsafe" in result.output


@pytest.mark.parametrize(
    "args",
    [
        ["nonsense"],
        ["import", "orders"],
        ["tokens", "create", "--role", "king"],
        ["seed", "--customers", "x"],
        ["serve", "--port", "0"],
    ],
)
def test_bad_usage_exits_2(args: list[str]) -> None:
    result = CliRunner().invoke(app, args, prog_name="shopsafe")
    assert result.exit_code == 2
    assert "Usage:" in result.output


def test_token_from_the_command_opens_the_api(
    engine: Engine, app_client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from shopsafe.config import get_settings

    monkeypatch.setenv("SHOPSAFE_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["tokens", "create", "--role", "operator"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    token = result.stdout.strip()
    assert len(token.splitlines()) == 1 and token.startswith("ssk_")
    answer = app_client.get("/api/v1/orders/X", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 404


def test_wrong_settings_are_named_without_a_traceback(tmp_path: Path) -> None:
    environment = {
        **os.environ,
        "SHOPSAFE_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}",
        "SHOPSAFE_VAR_DIR": str(tmp_path),
        "SHOPSAFE_FEED_PULLS": "cpsc=https://example.org/recalls.json fda=ftp://example.org/x",
        "SHOPSAFE_REMINDER_DAYS": "21,7",
    }
    run = subprocess.run(
        [sys.executable, "-m", "shopsafe", "worker", "--once"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 1 and "Traceback" not in run.stderr
    assert run.stderr.splitlines() == [
        "shopsafe: SHOPSAFE_REMINDER_DAYS: reminder days must increase: '21,7'",
        "shopsafe: SHOPSAFE_FEED_PULLS: feed pulls are 'source=url' pairs: "
        "'fda=ftp://example.org/x': the address must be an http:// or https:// URL with a host",
    ]
