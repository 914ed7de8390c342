"""`shopsafe tokens create`"""

from __future__ import annotations

from typing import Annotated, Literal

import typer

from shopsafe.auth import service
from shopsafe.cli_commands.common import engine, user_errors
from shopsafe.db.session import transaction

app = typer.Typer(help="API tokens.", no_args_is_help=True)


@app.command("create")
def create(
    role: Annotated[str, typer.Option("--role", help="operator or seller")] = "operator",
    seller_id: Annotated[
        str | None, typer.Option("--seller-id", help="The seller's id (for --role seller).")
    ] = None,
    label: Annotated[str | None, typer.Option("--label", help="A note on what it is for.")] = None,
) -> None:
    """Print a new API token on stdout (only the token, one line)."""
    if role not in ("operator", "seller"):
        raise typer.BadParameter("must be 'operator' or 'seller'", param_hint="--role")
    chosen: Literal["operator", "seller"] = "operator" if role == "operator" else "seller"
    with user_errors(), transaction(engine()) as session:
        token = service.create_token(
            session, role=chosen, seller_external_id=seller_id, label=label
        )
    typer.echo(token)
