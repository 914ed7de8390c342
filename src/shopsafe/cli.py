"""The `shopsafe` command (CONTRACT §2). Exit 0 on success, 1 on a user error, 2 on bad usage."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from pydantic import ValidationError

from shopsafe.cli_commands import (
    brushing_commands,
    db_commands,
    feed_commands,
    import_commands,
    run_commands,
    token_commands,
    worker_commands,
)

app = typer.Typer(
    name="shopsafe",
    help="Shopsafe: recalls that reach the buyers, and an end to unsolicited packages.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(db_commands.app, name="db")
app.add_typer(import_commands.app, name="import")
app.add_typer(feed_commands.app, name="feeds")
app.add_typer(token_commands.app, name="tokens")
app.add_typer(brushing_commands.app, name="brushing")
run_commands.register(app)
worker_commands.register(app)


@app.callback()
def _root(
    version: Annotated[bool, typer.Option("--version", help="Print the version and exit.")] = False,
) -> None:
    if version:
        from shopsafe import __version__

        typer.echo(__version__)
        raise typer.Exit(0)


def main() -> None:
    try:
        app(prog_name="shopsafe")
    except ValidationError as error:
        if error.title != "Settings":
            raise
        for line in settings_problems(error):
            print(f"shopsafe: {line}", file=sys.stderr)
        sys.exit(1)
    sys.exit(0)


def settings_problems(error: ValidationError) -> list[str]:
    """One line per wrong setting, named as it is set: `SHOPSAFE_FEED_PULLS: …`."""
    lines = []
    for problem in error.errors():
        message = str(problem["msg"]).removeprefix("Value error, ")
        names = [f"SHOPSAFE_{str(part).upper()}" for part in problem["loc"]]
        lines.append(f"{'.'.join(names)}: {message}" if names else f"settings: {message}")
    return lines
