"""Ledger scale: bulk-load 1,000,000 customers and 5,000,000 order lines into SQLite and
PostgreSQL, and measure the JSON Lines order importer on top of the loaded ledger.

    python bench/ledger_scale.py                 # full size, writes docs/benchmarks.md
    python bench/ledger_scale.py --tiny          # the whole pipeline on a few rows, no docs

Every load and every import runs in a child process of its own, so that each reports its
own peak memory (ru_maxrss only grows). PostgreSQL: the database named by
SHOPSAFE_BENCH_PG_URL (disposable: its `public` schema is dropped first), or else a
throw-away server started with scripts/pg.sh. SQLite: a fresh file in a temporary directory.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from sqlalchemy import text

from _common import DOCS, ROOT, start_postgres, stop_postgres, write_section
from _ledger_scale_children import child_main
from _ledger_scale_report import figures, machine, print_summary, section_text
from _ledger_scale_rows import START, Generator, Sizes, customer, name_of
from shopsafe.db import migrate
from shopsafe.db.engine import make_engine
from shopsafe.ledger import bulk

# What the other benchmarks take from here: the ledger's generator and a fresh database.
__all__ = ["START", "Generator", "Sizes", "customer", "fresh_schema", "machine", "name_of"]

SECTION = "ledger_scale"

# ---------------------------------------------------------------------------------------
# The parent: databases, children, checks, the report.


def run_child(kind: str, **arguments: Any) -> dict[str, Any]:
    command = [sys.executable, __file__, "--child", json.dumps({"kind": kind, **arguments})]
    done = subprocess.run(command, stdout=subprocess.PIPE, check=False, text=True)
    if done.returncode != 0:
        raise SystemExit(f"the {kind} child failed with exit code {done.returncode}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def fresh_schema(url: str) -> None:
    engine = make_engine(url)
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    migrate.upgrade(engine)
    engine.dispose()


def bench_database(name: str, url: str, sizes: Sizes, workdir: Path) -> dict[str, Any]:
    fresh_schema(url)
    print(f"{name}: loading …", file=sys.stderr, flush=True)
    load = run_child("load", url=url, sizes=asdict(sizes))
    problems = [
        f"{table}: generated {load['generated'][table]}, loaded {load['loaded'][table]}, "
        f"counted {load['counted'][table]}"
        for table in bulk.TABLES
        if not load["generated"][table] == load["loaded"][table] == load["counted"][table]
    ]
    print(f"{name}: importing …", file=sys.stderr, flush=True)
    imported = run_child("import", url=url, sizes=asdict(sizes), workdir=str(workdir))
    return {"database": name, "load": load, "import": imported, "problems": problems}


def run(sizes: Sizes, databases: list[str]) -> list[dict[str, Any]]:
    results = []
    workdir = Path(tempfile.mkdtemp(prefix="shopsafe-bench-"))
    os.chmod(workdir, 0o755)  # the PostgreSQL server runs as another user
    try:
        for name in databases:
            if name == "sqlite":
                url = f"sqlite:///{workdir / 'ledger.db'}"
                results.append(bench_database("SQLite", url, sizes, workdir))
                continue
            url, pgdir = start_postgres(workdir)
            try:
                results.append(bench_database("PostgreSQL", url, sizes, workdir))
            finally:
                stop_postgres(pgdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return results


def parse_arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--lines", type=int, default=5_000_000)
    parser.add_argument("--importer-orders", type=int, default=20_000)
    parser.add_argument("--tiny", action="store_true", help="a few rows; never writes the docs")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--write-docs", action=argparse.BooleanOptionalAction, default=None)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: list[str]) -> int:
    options = parse_arguments(argv)
    if options.child:
        child_main(options.child)
        return 0
    if options.tiny:
        sizes = Sizes(2_000, 10_000, 200)
    else:
        sizes = Sizes(options.customers, options.lines, options.importer_orders)
    databases = [d.strip() for d in options.databases.split(",") if d.strip()]
    if set(databases) - {"sqlite", "postgresql"}:
        raise SystemExit("--databases takes sqlite and/or postgresql")
    started, load_before = time.perf_counter(), os.getloadavg()[0]
    results = run(sizes, databases)
    total, load_after = time.perf_counter() - started, os.getloadavg()[0]
    all_figures = [figures(r) for r in results]
    print_summary(all_figures)
    problems = [f"{r['database']}: {p}" for r in results for p in r["problems"]]
    for problem in problems:
        print("COUNT MISMATCH " + problem, file=sys.stderr)
    write = options.write_docs if options.write_docs is not None else not options.tiny
    if write and not options.tiny:
        command = "python bench/ledger_scale.py " + " ".join(argv)
        section = section_text(all_figures, command.strip(), total, (load_before, load_after))
        write_section(SECTION, section)
        print(f"wrote {DOCS.relative_to(ROOT)}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
