"""Work for the worker: forgetting expired sign-in sessions and old sign-in failures, so
that neither table grows with time (the worker runs it with the reminder job)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine

from shopsafe.auth import repository as repo
from shopsafe.auth.throttle import WINDOW
from shopsafe.db.session import transaction


def purge_expired(engine: Engine, *, now: datetime) -> tuple[int, int]:
    """One transaction; returns how many sessions and failures were deleted."""
    with transaction(engine) as session:
        return repo.purge_expired(session, at=now, failures_before=now - WINDOW)
