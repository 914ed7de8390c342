"""`shopsafe import orders|reviews PATH`"""

from __future__ import annotations

import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress

from shopsafe.cli_commands.common import engine, err, user_errors
from shopsafe.db.session import transaction
from shopsafe.kit.errors import InvalidInput
from shopsafe.ledger import hooks, service
from shopsafe.ledger.importers import parse_records
from shopsafe.ledger.schemas import OrderIn, ReviewIn

app = typer.Typer(
    help="Import the shop's records (JSON Lines, all-or-nothing).", no_args_is_help=True
)

PathArg = Annotated[str, typer.Argument(help="A JSON Lines file, or - for standard input.")]


@contextmanager
def readable_twice(path: str) -> Iterator[Path]:
    """The import reads its input twice (check, then write); stdin is spooled to a file."""
    if path != "-":
        file = Path(path)
        if not file.is_file():
            raise InvalidInput([f"{path}: no such file"])
        yield file
        return
    with tempfile.NamedTemporaryFile("wb", suffix=".jsonl", delete=False) as spool:
        shutil.copyfileobj(sys.stdin.buffer, spool)
    try:
        yield Path(spool.name)
    finally:
        Path(spool.name).unlink(missing_ok=True)


def _lines(file: Path) -> Iterator[str]:
    with file.open("r", encoding="utf-8", errors="strict", newline=None) as handle:
        try:
            yield from handle
        except UnicodeDecodeError as error:
            raise InvalidInput([f"{file}: not UTF-8 ({error.reason})"]) from None


@app.command("orders")
def orders(path: PathArg) -> None:
    """Import orders; prints `imported N orders, M lines`."""
    with (
        user_errors(),
        readable_twice(path) as file,
        Progress(console=err, transient=True) as progress,
        transaction(engine()) as session,
    ):
        task = progress.add_task("importing orders", total=None)
        summary = service.import_orders(
            session,
            source=lambda: parse_records(_lines(file), OrderIn),
            on_batch=lambda n: progress.advance(task, n),
            on_written=hooks.after_import,
        )
    typer.echo(f"imported {summary.orders} orders, {summary.lines} lines")
    err.print(f"new {summary.created}, updated {summary.updated}, unchanged {summary.unchanged}")


@app.command("reviews")
def reviews(path: PathArg) -> None:
    """Import reviews; prints `imported N reviews`."""
    with user_errors(), readable_twice(path) as file, transaction(engine()) as session:
        count = service.import_reviews(
            session, source=lambda: parse_records(_lines(file), ReviewIn)
        )
    typer.echo(f"imported {count} reviews")
