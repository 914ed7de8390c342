"""`shopsafe worker [--once]`: send due deliveries (notices, corrections, reminders) and run
the other due jobs (see `notifications.worker.Jobs`)."""

from __future__ import annotations

import logging
import signal
import threading
from types import FrameType
from typing import Annotated

import typer
from sqlalchemy.exc import OperationalError, ProgrammingError

from shopsafe.cli_commands.common import engine, err, user_errors


def worker(
    once: Annotated[bool, typer.Option("--once", help="Send what is due now, then exit.")] = False,
) -> None:
    """Send due deliveries and run due jobs until stopped (Ctrl-C or SIGTERM).

    Jobs: notices and reminders, seller webhooks, e-mail updates to people who reported
    unsolicited parcels, scheduled feed pulls (SHOPSAFE_FEED_PULLS), and clean-ups.
    With SHOPSAFE_SMTP_URL unset, messages are written to var/outbox/*.eml. On PostgreSQL
    several workers may run at once; on SQLite only one.
    """
    from shopsafe.notifications.worker import run_until

    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    stop = threading.Event()

    def finish(_signal: int, _frame: FrameType | None) -> None:
        if stop.is_set():
            raise KeyboardInterrupt
        stop.set()  # finish the batch in hand, then stop

    previous = {s: signal.signal(s, finish) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        with user_errors():
            tally = run_until(engine(), stop, once=once)
    except (OperationalError, ProgrammingError) as error:
        first = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
        err.print(f"the database is not ready ({first}); run `shopsafe db upgrade`", markup=False)
        raise typer.Exit(1) from None
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
    pulled = f", feed pulls {tally.feed_pulls}" if tally.feed_pulls else ""
    typer.echo(
        f"sent {tally.sent}, retrying {tally.retrying}, failed {tally.failed}, "
        f"cancelled {tally.cancelled}{pulled}"
    )


def register(app: typer.Typer) -> None:
    app.command("worker")(worker)
