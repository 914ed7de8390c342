"""`shopsafe serve`, `shopsafe demo`, `shopsafe seed`."""

from __future__ import annotations

import datetime as dt
import os
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from shopsafe.cli_commands.common import engine, err, user_errors
from shopsafe.config import get_settings
from shopsafe.db import migrate
from shopsafe.db.session import transaction

if TYPE_CHECKING:
    from shopsafe.demo.service import DemoLogins

HostOpt = Annotated[str, typer.Option("--host", help="Interface to listen on.")]
PortOpt = Annotated[int, typer.Option("--port", help="Port to listen on.", min=1, max=65535)]


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
    )


def serve(host: HostOpt = "127.0.0.1", port: PortOpt = 8000) -> None:
    """Run the web pages and the API."""
    import uvicorn

    from shopsafe.app import create_app

    uvicorn.run(create_app(), host=host, port=port, log_level="info")


def seed(
    customers: Annotated[int, typer.Option("--customers", min=1, help="How many customers.")],
    orders: Annotated[int, typer.Option("--orders", min=0, help="How many orders.")],
    seed: Annotated[int, typer.Option("--seed", help="Same seed, same marketplace.")] = 1,
    today: Annotated[
        dt.datetime | None,
        typer.Option("--today", formats=["%Y-%m-%d"], help="Last day of the three years."),
    ] = None,
) -> None:
    """Generate a realistic synthetic marketplace (deterministic for a seed and day)."""
    from shopsafe.demo import service as demo

    day = today.date() if today else dt.date.today()
    with user_errors(), _progress() as progress:
        migrate.upgrade(engine())
        task = progress.add_task("orders", total=orders)
        with transaction(engine()) as session:
            _, summary = demo.seed(
                session,
                customers=customers,
                orders=orders,
                seed=seed,
                today=day,
                on_orders=lambda n: progress.advance(task, n),
            )
    typer.echo(
        f"seeded {summary.sellers} sellers, {summary.orders} orders, {summary.lines} lines, "
        f"{summary.reviews} reviews"
    )


def demo(
    host: HostOpt = "127.0.0.1",
    port: PortOpt = 8000,
    fresh: Annotated[
        bool, typer.Option("--fresh", help="Start again from an empty database.")
    ] = False,
) -> None:
    """Fill the database with the demo marketplace (once), print the logins, and serve the
    web pages and the delivery worker in this one process."""
    from shopsafe.demo import service as demo_service

    _links_to_this_server(host, port)

    with user_errors(), _progress() as progress:
        task = progress.add_task("demo orders", total=demo_service.DEMO_ORDERS)
        logins = demo_service.prepare(
            engine(),
            fresh=fresh,
            today=dt.date.today(),
            on_orders=lambda n: progress.advance(task, n),
        )
    _print_logins(logins, host, port, database=engine().url.render_as_string(hide_password=True))
    from shopsafe.notifications.worker import BackgroundWorker

    worker = BackgroundWorker(engine()).start()
    try:
        serve(host=host, port=port)
    finally:
        worker.stop()


def _links_to_this_server(host: str, port: int) -> None:
    """Links in the demo's e-mails and pages lead to the server it runs, unless
    SHOPSAFE_BASE_URL says otherwise (the worker runs in this process, so it knows)."""
    if not os.environ.get("SHOPSAFE_BASE_URL"):
        shown = f"[{host}]" if ":" in host else host
        os.environ["SHOPSAFE_BASE_URL"] = f"http://{shown}:{port}"
        get_settings.cache_clear()


def _print_logins(logins: DemoLogins, host: str, port: int, *, database: str) -> None:
    lines = [
        f"Shopsafe demo on http://{host}:{port}   (password for every login: {logins.password})",
        f"  operator   {logins.operator_email}",
        f"  seller     {logins.seller_email}   (seller {logins.seller_id})",
    ]
    for person in logins.customers:
        lines.append(
            f"  customer   {person['email']}   ({person['customer_id']}, {person['language']})"
        )
    lines += [
        f"  API token (operator): {logins.operator_token}",
        f"  API token (seller {logins.seller_id}): {logins.seller_token}",
    ]
    if logins.unsolicited is not None:
        lines.append("Unsolicited parcels to try at /unsolicited:")
        lines += ["  " + line for line in logins.unsolicited(f"http://{host}:{port}")]
    lines.append(f"Ctrl-C stops the demo; starting it again reuses {database} (--fresh: anew).")
    typer.echo("\n".join(lines))


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
    app.command("demo")(demo)
    app.command("seed")(seed)
