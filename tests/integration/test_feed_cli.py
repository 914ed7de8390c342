"""`shopsafe feeds import|pull|match` on the command line, with a real HTTP server for pulls."""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner, Result

from shopsafe.cli import app
from shopsafe.config import get_settings
from shopsafe.feeds.models import FeedRecord
from tests.support.feeds import CPSC_API, FDA, FEEDS, SAFETY_GATE, as_file, cpsc_records


@pytest.fixture
def cli(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    monkeypatch.setenv("SHOPSAFE_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


@pytest.fixture(scope="module")
def feed_server() -> Iterator[str]:
    """A local HTTP server on 127.0.0.1 that serves the fixture files."""
    handler = functools.partial(_QuietHandler, directory=str(FEEDS))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def feeds(runner: CliRunner, *args: str, stdin: bytes | None = None) -> Result:
    return runner.invoke(app, ["feeds", *args], input=stdin)


def records(engine: Engine) -> int:
    with Session(engine) as session:
        return int(session.scalar(select(func.count()).select_from(FeedRecord)) or 0)


@pytest.mark.parametrize("command", [[], ["import"], ["pull"], ["match"]])
def test_help(command: list[str]) -> None:
    result = CliRunner().invoke(app, ["feeds", *command, "--help"], prog_name="shopsafe")
    assert result.exit_code == 0 and "Usage: shopsafe feeds" in result.output


def test_import_prints_the_contract_line(cli: CliRunner, engine: Engine) -> None:
    first = feeds(cli, "import", "safety-gate", str(SAFETY_GATE))
    assert first.exit_code == 0, first.output
    assert first.stdout == "imported 3, updated 0, unchanged 0, rejected 1\n"
    assert "record 4 (A12/00790/26): rejected: no product name, type or brand" in first.stderr
    again = feeds(cli, "import", "safety-gate", str(SAFETY_GATE))
    assert again.stdout == "imported 0, updated 0, unchanged 3, rejected 1\n"
    piped = feeds(cli, "import", "cpsc", "-", stdin=as_file(cpsc_records("26350")))
    assert (
        piped.exit_code == 0 and piped.stdout == "imported 1, updated 0, unchanged 0, rejected 0\n"
    )


def test_bad_file_exits_1_names_the_record_and_writes_nothing(
    cli: CliRunner, engine: Engine, tmp_path: Path
) -> None:
    truncated = tmp_path / "cut.json"
    truncated.write_bytes(CPSC_API.read_bytes()[:100_000])
    result = feeds(cli, "import", "cpsc", str(truncated))
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.startswith("record 32 (line 2232, column")
    latin = tmp_path / "latin.json"
    latin.write_bytes(FDA.read_bytes().replace(b"Philips", "Philîps".encode("latin-1"), 1))
    result = feeds(cli, "import", "fda", str(latin))
    assert result.exit_code == 1 and "record 1 (line 12): the file is not UTF-8" in result.stderr
    missing = feeds(cli, "import", "fda", str(tmp_path / "nowhere.json"))
    assert missing.exit_code == 1 and "nowhere.json: no such file" in missing.stderr
    assert feeds(cli, "import", "rss", str(SAFETY_GATE)).exit_code == 2
    assert records(engine) == 0


def test_pull_from_a_server(cli: CliRunner, engine: Engine, feed_server: str) -> None:
    url = f"{feed_server}/{FDA.name}"
    result = feeds(cli, "pull", "fda", url)
    assert result.exit_code == 0, result.output
    assert result.stdout == "imported 168, updated 0, unchanged 0, rejected 0\n"
    assert feeds(cli, "pull", "fda", url).stdout == (
        "imported 0, updated 0, unchanged 168, rejected 0\n"
    )
    gone = feeds(cli, "pull", "fda", f"{feed_server}/gone.json")
    assert gone.exit_code == 1 and "the server answered 404" in gone.stderr
    wrong = feeds(cli, "pull", "cpsc", f"{feed_server}/{SAFETY_GATE.name}")
    assert wrong.exit_code == 1 and "record 1: RecallNumber is missing" in wrong.stderr
    assert feeds(cli, "pull", "fda", "ftp://example.org/x").exit_code == 1
    assert records(engine) == 168


def test_match_again(cli: CliRunner) -> None:
    result = feeds(cli, "match")
    assert result.exit_code == 0 and result.stdout.startswith("matched 0 offers automatically")
