"""`shopsafe demo` runs the delivery worker in the same process as the web server
(CONTRACT §1): the notices the demo's recalls queued are sent while the pages are served,
and the worker stops with the server."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from shopsafe.cli import app
from shopsafe.cli_commands import run_commands
from shopsafe.config import get_settings
from shopsafe.notifications.models import Delivery

WAIT_SECONDS = 120.0


def _accepted(engine: Engine) -> int:
    with Session(engine) as session:
        return int(
            session.scalar(
                select(func.count()).select_from(Delivery).where(Delivery.status == "sent")
            )
            or 0
        )


def _worker_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "shopsafe-worker"]


def test_demo_serves_and_sends_notices_in_one_process(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: dict[str, object] = {}

    def serve_until_sent(host: str = "127.0.0.1", port: int = 8000) -> None:
        """Stands in for the web server: returns once the worker has sent mail (as Ctrl-C
        would end the real one)."""
        seen["alive_while_serving"] = [t.is_alive() for t in _worker_threads()]
        deadline = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < deadline and _accepted(engine) == 0:
            time.sleep(0.2)
        seen["accepted"] = _accepted(engine)

    monkeypatch.setenv("SHOPSAFE_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("SHOPSAFE_VAR_DIR", str(tmp_path))
    monkeypatch.delenv("SHOPSAFE_SMTP_URL", raising=False)
    monkeypatch.setenv("SHOPSAFE_WORKER_POLL_SECONDS", "0.2")
    monkeypatch.setattr(run_commands, "serve", serve_until_sent)
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["demo"], prog_name="shopsafe")
    finally:
        get_settings.cache_clear()

    assert result.exit_code == 0, result.output
    assert seen["alive_while_serving"] == [True]
    assert isinstance(seen["accepted"], int) and seen["accepted"] > 0
    written = list((tmp_path / "outbox").glob("*.eml"))
    assert written, "without SHOPSAFE_SMTP_URL the worker writes .eml files to var/outbox"
    assert "Product safety" in written[0].read_text(errors="replace") or any(
        "Produktr" in f.read_text(errors="replace") for f in written
    )
    assert _worker_threads() == [], "the worker stops with the server"
