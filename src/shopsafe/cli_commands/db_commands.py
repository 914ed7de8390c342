"""`shopsafe db …`"""

from __future__ import annotations

import typer

from shopsafe.cli_commands.common import engine
from shopsafe.db import migrate

app = typer.Typer(help="Database schema.", no_args_is_help=True)


@app.command("upgrade")
def upgrade() -> None:
    """Apply all migrations to SHOPSAFE_DATABASE_URL."""
    migrate.upgrade(engine())
    typer.echo("database is up to date")
