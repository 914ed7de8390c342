"""`shopsafe feeds import|pull|match`: authority recalls (CPSC, FDA, EU Safety Gate)."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from shopsafe.cli_commands.common import engine, err, user_errors
from shopsafe.db.session import transaction
from shopsafe.feeds import download, service
from shopsafe.feeds.schemas import ImportSummary, MatchSummary
from shopsafe.kit.errors import InvalidInput

app = typer.Typer(
    help="Authority feeds: import CPSC, FDA and EU Safety Gate recalls and match them to "
    "the catalogue.",
    no_args_is_help=True,
)


class Source(StrEnum):
    cpsc = "cpsc"
    cpsc_csv = "cpsc-csv"
    fda = "fda"
    safety_gate = "safety-gate"


SourceArg = Annotated[
    Source,
    typer.Argument(
        help="cpsc (CPSC Recalls API JSON), cpsc-csv (cpsc.gov CSV export), fda (FDA iRES "
        "enforcement JSON) or safety-gate (EU Safety Gate alert JSON)."
    ),
]


def _read(path: str) -> bytes:
    if path == "-":
        return sys.stdin.buffer.read()
    file = Path(path)
    if not file.is_file():
        raise InvalidInput([f"{path}: no such file"])
    return file.read_bytes()


def _matches(summary: MatchSummary) -> str:
    return (
        f"matched {summary.automatic} offers automatically and {summary.review} for review; "
        f"recalls: {summary.recalls_created} prepared, {summary.recalls_published} published, "
        f"{summary.recalls_extended} extended, {summary.recalls_linked} offers already "
        f"recalled; {summary.needs_review} need an operator's edit"
    )


def _import(source: Source, data: bytes) -> ImportSummary:
    with transaction(engine()) as session:
        return service.import_feed(session, source=source.value, data=data)


def _report(summary: ImportSummary) -> None:
    typer.echo(summary.line())
    for reject in summary.rejects:
        err.print(reject, markup=False)
    err.print(_matches(summary.matches), markup=False)


@app.command("import")
def import_file(
    source: SourceArg,
    path: Annotated[str, typer.Argument(help="The file, or - for standard input.")],
) -> None:
    """Import an authority's file; prints `imported N, updated M, unchanged K, rejected R`.

    A file that cannot be read (truncated, not UTF-8, a record without its id) is refused
    with the record's position, and nothing of it is written."""
    with user_errors():
        summary = _import(source, _read(path))
    _report(summary)


@app.command("pull")
def pull(
    source: SourceArg,
    url: Annotated[str, typer.Argument(help="http:// or https:// address of the file.")],
    timeout: Annotated[
        float, typer.Option("--timeout", min=1, help="Seconds to wait for the server.")
    ] = 60.0,
) -> None:
    """Fetch an authority's file over HTTP(S) and import it, as `feeds import` does.

    Prints the same line. For pulls on a schedule, list them in SHOPSAFE_FEED_PULLS and the
    worker fetches them (only when the file changed)."""
    with user_errors():
        summary = _import(source, download.fetch(url, timeout=timeout))
    _report(summary)


@app.command("match")
def match() -> None:
    """Match every stored authority record against the catalogue again.

    Run it after offers were imported; decisions already taken stay."""
    with user_errors(), transaction(engine()) as session:
        summary = service.rematch_all(session)
    typer.echo(_matches(summary))
