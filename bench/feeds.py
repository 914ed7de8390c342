"""Authority feeds: import time of each real file (tests/fixtures/feeds) into SQLite and
PostgreSQL, the time of a second (unchanged) import, and what extraction reads from the
records: the share with model numbers, UPC/EAN codes, sale date ranges, units, remedies …

    python bench/feeds.py            # every real file, both databases, writes docs/benchmarks.md
    python bench/feeds.py --tiny     # 40 records per file on SQLite, checks, writes nothing

Baseline, measured in the same run: reading the file with the standard library alone
(`json.loads` / `csv.DictReader`), so that the import's cost shows as a ratio.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import platform
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, text

from _common import ROOT, start_postgres, stop_postgres, write_section
from shopsafe.db import migrate
from shopsafe.db.engine import make_engine
from shopsafe.db.session import transaction
from shopsafe.feeds import adapters, service
from shopsafe.feeds.extraction import Extraction, extract

FEEDS = ROOT / "tests" / "fixtures" / "feeds"
FILES = (
    ("cpsc", FEEDS / "cpsc_recalls_api_2023-12_to_2026-03.json"),
    ("cpsc-csv", FEEDS / "cpsc_recalls_website_export_2023-12_to_2026-03.csv"),
    ("fda", FEEDS / "fda_ires_enforcement_recalls_2026-04.json"),
)
SECTION = "feeds"
COVERAGE: dict[str, Callable[[Extraction], bool]] = {
    "model numbers": lambda x: bool(x.models),
    "UPC/EAN": lambda x: bool(x.gtins),
    "lot codes": lambda x: bool(x.lots),
    "sale dates": lambda x: x.sold_from is not None,
    "price": lambda x: x.price_low is not None,
    "units": lambda x: x.units is not None,
    "retailers": lambda x: bool(x.retailers),
    "remedies": lambda x: bool(x.remedies),
    "hazard": lambda x: bool(x.hazard),
    "pictures": lambda x: bool(x.pictures),
    "brand": lambda x: bool(x.brand),
}
# What --tiny insists on (share of the 40 records): the CPSC prose is read, not skipped.
FLOORS = {"cpsc": {"sale dates": 0.9, "units": 0.9, "remedies": 0.9, "model numbers": 0.3}}


def baseline(source: str, data: bytes) -> float:
    started = time.perf_counter()
    if source == "cpsc-csv":
        list(csv.DictReader(io.StringIO(data.decode("utf-8"), newline="")))
    else:
        json.loads(data)
    return time.perf_counter() - started


def subset(source: str, data: bytes, count: int) -> bytes:
    if source == "cpsc-csv":
        lines = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
        out = io.StringIO()
        csv.writer(out).writerows(lines[: count + 1])
        return out.getvalue().encode()
    document = json.loads(data)
    if isinstance(document, dict):
        return json.dumps({"RESULT": document["RESULT"][:count]}).encode()
    return json.dumps(document[:count]).encode()


def coverage(source: str, data: bytes) -> tuple[int, int, float, dict[str, float]]:
    """(usable records, rejected, seconds to parse and extract, share per field)."""
    started = time.perf_counter()
    parsed = adapters.parse(source, data)
    read = [extract(e) for e in parsed.entries]
    seconds = time.perf_counter() - started
    shares = {name: sum(map(test, read)) / max(len(read), 1) for name, test in COVERAGE.items()}
    return len(read), len(parsed.rejects), seconds, shares


def fresh(url: str) -> Engine:
    engine = make_engine(url)
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    migrate.upgrade(engine)
    return engine


def timed_import(engine: Engine, source: str, data: bytes) -> tuple[float, str]:
    started = time.perf_counter()
    with transaction(engine) as session:
        summary = service.import_feed(session, source=source, data=data)
    return time.perf_counter() - started, summary.line()


def run(databases: dict[str, str], count: int | None) -> list[dict[str, Any]]:
    coverage("fda", subset("fda", FILES[2][1].read_bytes(), 2))  # compiles the patterns
    results = []
    for source, path in FILES:
        data = path.read_bytes() if count is None else subset(source, path.read_bytes(), count)
        usable, rejected, seconds, shares = coverage(source, data)
        row: dict[str, Any] = {"source": source, "file": path.name, "records": usable,
                               "rejected": rejected, "extract": seconds, "shares": shares,
                               "baseline": baseline(source, data), "bytes": len(data)}  # fmt: skip
        for name, url in databases.items():
            engine = fresh(url)
            row[name], row[f"{name}_line"] = timed_import(engine, source, data)
            row[f"{name}_again"], row[f"{name}_again_line"] = timed_import(engine, source, data)
            engine.dispose()
        results.append(row)
    return results


def report(results: list[dict[str, Any]], databases: list[str], command: str) -> str:
    lines = [
        "## Authority feeds: import and extraction",
        "",
        f"`{command}` on {platform.machine()} with Python {platform.python_version()}. "
        "Import = parse, extract, store with versions and match against the (empty) "
        "catalogue, in one transaction; *again* = the same file a second time (all unchanged). "
        "Baseline = reading the file with the standard library alone.",
        "",
        "| file | records | rejected | baseline | parse + extract | "
        + " | ".join(f"import {d} | again {d}" for d in databases)
        + " |",
        "|---" * (5 + 2 * len(databases)) + "|",
    ]
    for r in results:
        cells = [f"`{r['file']}` ({r['bytes'] / 1e6:.1f} MB)", str(r["records"]),
                 str(r["rejected"]), f"{r['baseline']:.2f} s",
                 f"{r['extract']:.2f} s ({r['extract'] / r['baseline']:.0f}×)"]  # fmt: skip
        for d in databases:
            cells += [f"{r[d]:.2f} s", f"{r[d + '_again']:.2f} s"]
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", "Extraction coverage (share of the usable records):", ""]
    lines.append("| field | " + " | ".join(r["source"] for r in results) + " |")
    lines.append("|---" * (1 + len(results)) + "|")
    for name in COVERAGE:
        shares = " | ".join(f"{r['shares'][name]:.0%}" for r in results)
        lines.append(f"| {name} | {shares} |")
    return "\n".join(lines)


def check(results: list[dict[str, Any]], databases: list[str]) -> list[str]:
    problems = []
    for r in results:
        for d in databases:
            if not r[f"{d}_again_line"].startswith("imported 0, updated 0, unchanged"):
                problems.append(f"{r['source']} on {d}: second import was {r[d + '_again_line']}")
        for name, floor in FLOORS.get(r["source"], {}).items():
            if r["shares"][name] < floor:
                problems.append(f"{r['source']}: {name} {r['shares'][name]:.0%} < {floor:.0%}")
        if r["records"] < 0.95 * (r["records"] + r["rejected"]):
            problems.append(f"{r['source']}: fewer than 95 % of the records imported")
    return problems


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--tiny", action="store_true", help="40 records per file, SQLite only")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="shopsafe-bench-feeds-") as work:
        databases = {"SQLite": f"sqlite:///{Path(work) / 'feeds.db'}"}
        pgdir = None
        if not args.tiny:
            databases["PostgreSQL"], pgdir = start_postgres(Path(work))
        try:
            results = run(databases, 40 if args.tiny else None)
        finally:
            stop_postgres(pgdir)
    command = "python bench/feeds.py" + " --tiny" * args.tiny
    text_out = report(results, list(databases), command)
    print(text_out)
    problems = check(results, list(databases))
    if not args.tiny and not problems:
        write_section(SECTION, text_out)
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
