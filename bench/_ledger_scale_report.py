"""The figures of bench/ledger_scale.py: the table it prints and its docs/benchmarks.md
section."""

from __future__ import annotations

import platform
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from _common import cpus_and_memory

GOAL_SECONDS = 600
GOAL_RSS_MB = 2048


def figures(result: dict[str, Any]) -> dict[str, Any]:
    load, imported = result["load"], result["import"]
    rows, lines = sum(load["loaded"].values()), load["loaded"]["order_lines"]
    seconds, generation = load["load_seconds"], load["generation_seconds"]
    timing = load["baseline_seconds"]
    baseline_rate = 2 * load["baseline_rows"] / sum(timing)
    import_lines_rate = imported["lines"] / imported["seconds"]
    return {
        "database": result["database"],
        "customers": load["loaded"]["customers"],
        "orders": load["loaded"]["orders"],
        "lines": lines,
        "rows": rows,
        "seconds": seconds,
        "minutes": f"{int(round(seconds) // 60)} min {int(round(seconds) % 60)} s",
        "generation": generation,
        "rows_rate": rows / seconds,
        "lines_rate": lines / seconds,
        "db_rows_rate": rows / (seconds - generation),
        "peak": load["peak_rss_mb"],
        "size": load["database_mb"],
        "baseline_rows": load["baseline_rows"],
        "baseline_rate": baseline_rate,
        "baseline_each": " / ".join(f"{load['baseline_rows'] / t:,.0f}" for t in timing),
        "vs_baseline": rows / (seconds - generation) / baseline_rate,
        "goal": "met"
        if seconds < GOAL_SECONDS and load["peak_rss_mb"] < GOAL_RSS_MB
        else "**missed**",
        "import_orders": imported["orders"],
        "import_lines": imported["lines"],
        "import_seconds": imported["seconds"],
        "import_orders_rate": imported["orders"] / imported["seconds"],
        "import_lines_rate": import_lines_rate,
        "import_peak": imported["peak_rss_mb"],
        "import_vs_bulk": import_lines_rate / (lines / seconds),
        "import_hours": lines / import_lines_rate / 3600,
    }


ROWS = (
    ("Bulk load: customers / orders / order lines", "{customers:,} / {orders:,} / {lines:,}"),
    ("Bulk load: rows in all nine tables", "{rows:,}"),
    ("**Bulk load: time** (wall clock)", "**{seconds:,.0f} s** ({minutes})"),
    ("… of which the bench's Python generator", "{generation:,.0f} s"),
    ("Bulk load: rows/s, all tables", "{rows_rate:,.0f}"),
    ("Bulk load: rows/s, generator time left out", "{db_rows_rate:,.0f}"),
    ("Bulk load: order lines/s", "{lines_rate:,.0f}"),
    ("**Bulk load: peak memory** (client process)", "**{peak:,.0f} MB**"),
    ("Database size after the load", "{size:,.0f} MB"),
    ("Baseline: plain executemany, rows/s (before / after)", "{baseline_each}"),
    ("Baseline: both runs together, rows/s", "{baseline_rate:,.0f}"),
    ("Bulk rows/s (generator left out) ÷ baseline", "{vs_baseline:.2f}"),
    ("Goal (< 10 min, < 2 GB)", "{goal}"),
    ("JSONL importer: orders / lines", "{import_orders:,} / {import_lines:,}"),
    ("JSONL importer: time", "{import_seconds:,.1f} s"),
    ("**JSONL importer: orders/s**", "**{import_orders_rate:,.0f}**"),
    ("**JSONL importer: lines/s**", "**{import_lines_rate:,.0f}**"),
    ("JSONL importer: peak memory", "{import_peak:,.0f} MB"),
    ("Importer lines/s ÷ bulk-load lines/s", "{import_vs_bulk:.3f}"),
)


def table(all_figures: list[dict[str, Any]]) -> str:
    head = "| Measure | " + " | ".join(f["database"] for f in all_figures) + " |"
    rule = "|---|" + "---:|" * len(all_figures)
    body = [
        f"| {label} | " + " | ".join(pattern.format(**f) for f in all_figures) + " |"
        for label, pattern in ROWS
    ]
    return "\n".join([head, rule, *body])


def machine() -> str:
    return (
        f"{cpus_and_memory()}, "
        f"Python {platform.python_version()}, SQLite {_sqlite_version()}, {_postgres_version()}"
    )


def _sqlite_version() -> str:
    import sqlite3

    return sqlite3.sqlite_version


def _postgres_version() -> str:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/postgres"))
    if not found:
        return "PostgreSQL not installed"
    done = subprocess.run([str(found[-1]), "--version"], capture_output=True, text=True)
    return done.stdout.strip().replace("postgres (PostgreSQL)", "PostgreSQL")


def section_text(
    all_figures: list[dict[str, Any]], command: str, total: float, load: tuple[float, float]
) -> str:
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    shares = ", ".join(f"{f['database']} {f['generation'] / f['seconds']:.0%}" for f in all_figures)
    return f"""## Ledger scale

Bulk loading of an empty ledger (`shopsafe.ledger.bulk.load`) and the JSON Lines order importer
(`shopsafe.ledger.service.import_orders`) on the loaded ledger. Goal: each bulk load under
10 minutes on a 2-core machine with under 2 GB of memory.

- Machine: {machine()}.
- Run: {stamp}, {total / 60:.1f} min in all; 1-minute load average {load[0]:.1f} at the start
  and {load[1]:.1f} at the end (the machine is shared with other work).
- Command: `{command}`
  (`--tiny` runs the same pipeline on 2,000 customers and 10,000 lines and writes nothing here).

{table(all_figures)}

{findings(all_figures)}

How it was measured, and what to keep in mind:

- Each load and each import ran in a child process of its own; peak memory is that process's
  `ru_maxrss` (the bench's generator, the driver and, on SQLite, the 256 MB page cache the
  load asks for). The PostgreSQL server's own processes are not counted. The 2 GB limit was
  measured, not enforced: the machine has more memory.
- The load time is the whole `bulk.load` call, fed by the bench's deterministic generator
  (`random.Random`, no Faker); the generator's share of it ({shares}) is Python making up
  rows, which a real export reader would spend in its own way.
- The machine is shared and absolute times drift from run to run; the ratios against the
  baseline are the steadier figures. Baseline: a plain DB-API `executemany` of the first
  {all_figures[0]["baseline_rows"]:,} order-line rows into a scratch table without indexes or
  constraints (sqlite3; psycopg 3, which pipelines `executemany`), timed in the same child
  process just before and just after the load, the two taken together. A wide gap between
  the two means the machine's speed changed meanwhile: other work, or the operating system
  still writing the file just loaded back to disk (the load does not wait for that).
- Rows: one address per customer; sellers = customers / 500; products = lines / 50; orders
  hold 1 to 5 lines (2.5 on average); every 20th product carries a serial number; 92 % of
  orders have a shipment (85 % delivered). The bulk load derives every key the importer
  would (address, offer, GTIN-14, brand, model, lot and tracking keys).
- SQLite: one transaction; the file leaves WAL for a rollback journal during the load when
  no other connection has it open (a WAL would take a second copy of every page), secondary
  indexes are rebuilt and foreign keys checked once at the end.
- PostgreSQL: a throw-away server from `scripts/pg.sh` (fsync, synchronous_commit and
  full_page_writes off, default shared_buffers). `COPY` per batch and table in one
  transaction; secondary indexes and foreign keys dropped and rebuilt around it (256 MB
  maintenance_work_mem), sequences moved past the loaded ids, tables analysed. A server
  with fsync on writes the same data more slowly.
- The importer imports new orders by existing customers for existing products into the
  loaded ledger in one transaction (all validated first, then written 1,000 at a time): the
  daily path, as opposed to the one-off bulk load.
"""


def findings(all_figures: list[dict[str, Any]]) -> str:
    """What this run's figures say, in words."""

    def each(pattern: str) -> str:
        return " and ".join(pattern.format(**f) for f in all_figures)

    return f"""- Goal: {each("{database} {goal} ({minutes}, {peak:,.0f} MB)")}.
- With the generator left out, the bulk path wrote {each("{vs_baseline:.2f} × ({database})")}
  the rows per second of the plain executemany baseline, although it also derives the keys,
  fills nine tables with their primary and unique indexes, rebuilds the secondary indexes
  and checks every foreign key, none of which the baseline does.
- Through the JSONL importer, {all_figures[0]["lines"]:,} lines would take about
  {each("{import_hours:.1f} h ({database})")}: it is the daily path (validation, upserts,
  content digests), not the way to fill an empty ledger."""


def print_summary(all_figures: list[dict[str, Any]]) -> None:
    print(table(all_figures))
