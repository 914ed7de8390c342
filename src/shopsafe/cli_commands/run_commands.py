"""`shopsafe serve`, `shopsafe demo`, `shopsafe seed`."""

from __future__ import annotations

from typing import Annotated

import typer

HostOpt = Annotated[str, typer.Option("--host", help="Interface to listen on.")]
PortOpt = Annotated[int, typer.Option("--port", help="Port to listen on.", min=1, max=65535)]


def serve(host: HostOpt = "127.0.0.1", port: PortOpt = 8000) -> None:
    """Run the web pages and the API."""
    import uvicorn

    from shopsafe.app import create_app

    uvicorn.run(create_app(), host=host, port=port, log_level="info")


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
