"""`shopsafe brushing detect|evaluate`"""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from shopsafe.cli_commands.common import engine, err, user_errors
from shopsafe.db.session import transaction
from shopsafe.kit.errors import InvalidInput

if TYPE_CHECKING:
    from shopsafe.brushing.service import Outcome

app = typer.Typer(help="Find brushing rings in the ledger.", no_args_is_help=True)


def _since(value: str | None) -> dt.datetime | None:
    if value is None:
        return None
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise InvalidInput([f"--since: '{value}' is not a date (YYYY-MM-DD)"]) from None
    return dt.datetime.combine(day, dt.time(), dt.UTC)


@app.command("detect")
def detect(
    since: Annotated[
        str | None, typer.Option(help="Only orders placed on or after this date (YYYY-MM-DD).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the rings as JSON.")] = False,
    no_cases: Annotated[
        bool,
        typer.Option(
            "--no-cases",
            help="Keep the rings but open or update no case in the operators' case list.",
        ),
    ] = False,
) -> None:
    """Find brushing rings; each opens (or updates) a case in the operators' case list
    (/operator/cases). Everything of one run is written in one transaction."""
    from shopsafe.brushing import service as brushing  # NumPy/SciPy load only when used
    from shopsafe.brushing.schemas import DetectOut

    with user_errors():
        start = _since(since)
        with transaction(engine()) as session:
            outcome = brushing.detect(session, since=start, open_cases=not no_cases)
    if as_json:  # stdout is exactly CONTRACT §2; the counts go to stderr
        typer.echo(json.dumps(DetectOut(rings=outcome.rings).model_dump(mode="json")))
        err.print(_counts(outcome))
        return
    table = Table(title=f"{len(outcome.rings)} rings (run {outcome.run.id})")
    for column in ("ring", "kind", "score", "accounts", "orders", "sellers", "why"):
        table.add_column(column, overflow="fold")
    for ring in outcome.rings:
        table.add_row(
            str(ring.id), ring.kind, f"{ring.score:.1f}", str(len(ring.accounts)),
            str(len(ring.orders)), ", ".join(ring.sellers), "\n".join(ring.evidence),
        )  # fmt: skip
    Console(width=160).print(table)
    err.print(_counts(outcome))


def _counts(outcome: Outcome) -> str:
    rings = f"rings: opened {outcome.opened}, updated {outcome.updated}"
    found = outcome.cases
    if found is None:
        return f"{rings}; cases: none opened or updated (--no-cases)"
    return (
        f"{rings}; cases: opened {found.opened}, updated {found.updated}, "
        f"left dismissed {found.left_dismissed}"
    )


@app.command("evaluate")
def evaluate(
    seeds: Annotated[int, typer.Option(min=3, max=50, help="Marketplaces to score on.")] = 3,
    customers: Annotated[int, typer.Option(min=500, help="Customers per marketplace.")] = 20_000,
    orders: Annotated[int, typer.Option(min=2_000, help="Orders per marketplace.")] = 80_000,
    scenarios: Annotated[
        str, typer.Option(help="Comma-separated scenarios: a-random, a-biased, b, c, d.")
    ] = "a-random,a-biased,b,c,d",
    as_json: Annotated[bool, typer.Option("--json", help="Print the figures as JSON.")] = False,
) -> None:
    """Inject known rings into synthetic marketplaces and score the detector against the
    FRAUDAR baseline (precision, recall, F1 per scenario and level)."""
    from shopsafe.brushing import evaluation, injections

    chosen = tuple(s.strip() for s in scenarios.split(",") if s.strip())
    unknown = sorted(set(chosen) - set(injections.SCENARIOS))
    if unknown or not chosen:
        raise typer.BadParameter(f"unknown scenario: {', '.join(unknown) or '(none)'}")
    config = evaluation.Config(seeds=seeds, customers=customers, orders=orders, scenarios=chosen)
    report = evaluation.evaluate(config, progress=lambda text: err.print(text))
    if as_json:
        typer.echo(json.dumps(evaluation.as_dict(report)))
        return
    typer.echo(evaluation.markdown(report))
