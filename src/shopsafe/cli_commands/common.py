"""What every command shares: the engine, and turning domain errors into exit code 1."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.console import Console
from sqlalchemy import Engine

from shopsafe.db.session import default_engine
from shopsafe.kit.errors import DomainError, InvalidInput

err = Console(stderr=True, highlight=False, soft_wrap=True)


def engine() -> Engine:
    return default_engine()


@contextmanager
def user_errors() -> Iterator[None]:
    """A domain error becomes its message on stderr (one line per problem) and exit code 1."""
    try:
        yield
    except InvalidInput as error:
        for problem in error.problems:
            err.print(problem, markup=False)
        raise typer.Exit(1) from None
    except DomainError as error:
        err.print(error.detail, markup=False)
        raise typer.Exit(1) from None
