"""Recall matching at scale: preview and publish a recall that hits about 10,000 order lines
on a 1,000,000-line and a 5,000,000-line ledger, on SQLite and PostgreSQL, against a full
scan of the order lines measured in the same run.

    python bench/recall_match.py            # full size, writes docs/benchmarks.md
    python bench/recall_match.py --tiny     # a small ledger, checks, writes nothing

Goal: preview under 0.5 s, publish under 3 s, and time that grows with the number of
matches, not with the size of the ledger.
"""

from __future__ import annotations

import argparse
import platform
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session

import ledger_scale
from _common import start_postgres, stop_postgres, timed, write_section
from shopsafe.auth.schemas import Principal
from shopsafe.db.engine import make_engine
from shopsafe.db.session import transaction
from shopsafe.ledger import bulk
from shopsafe.ledger.models import OrderLine
from shopsafe.notifications.models import RecallNotice
from shopsafe.recalls import service as recalls
from shopsafe.recalls.models import RecallMatch

OPERATOR = Principal(role="operator")
TARGET = 10_000


def build(url: str, lines: int) -> Engine:
    ledger_scale.fresh_schema(url)
    engine = make_engine(url)
    sizes = ledger_scale.Sizes(customers=max(lines // 5, 100), lines=lines, importer_orders=0)
    bulk.load(engine, ledger_scale.Generator(sizes).batches())
    with engine.begin() as connection:
        connection.execute(text("ANALYZE"))
    return engine


def target_gtin(engine: Engine, wanted: int) -> tuple[str, int]:
    """The GTIN whose number of order lines is closest to `wanted`."""
    with Session(engine) as session:
        counts = session.execute(
            select(OrderLine.gtin, func.count())
            .where(OrderLine.gtin.is_not(None))
            .group_by(OrderLine.gtin)
        ).all()
    gtin, count = min(counts, key=lambda row: abs(row[1] - wanted))
    return str(gtin), int(count)


def full_scan(engine: Engine) -> None:
    with engine.connect() as connection:
        connection.execute(
            text("SELECT count(*), sum(quantity) FROM order_lines WHERE unit_price >= 0")
        ).one()


def body(gtin: str) -> dict[str, Any]:
    return {
        "kind": "recall",
        "title": "Benchmark recall: the charger overheats and can start a fire",
        "product_name": "Charger",
        "brand": "Bench",
        "hazard": "The charger overheats and can start a fire.",
        "risk_level": "serious",
        "instructions": "Stop using the charger immediately and unplug it.",
        "remedies": ["refund", "replacement"],
        "identifier_location": "On the label.",
        "contact": {"email": "recall@example.com"},
        "images": ["https://example.com/charger.jpg"],
        "criteria": {"gtins": [gtin]},
    }


def measure(engine: Engine, lines: int) -> dict[str, Any]:
    gtin, hits = target_gtin(engine, min(TARGET, lines // 50))
    with transaction(engine) as session:
        recall_id = recalls.create(session, data=body(gtin), principal=OPERATOR).id

    def preview() -> None:
        with transaction(engine) as session:
            recalls.preview(session, recalls.get(session, recall_id, OPERATOR))

    preview_s = timed(preview, repeat=3)
    scan_s = timed(lambda: full_scan(engine), repeat=3)
    started = time.perf_counter()
    with transaction(engine) as session:
        recalls.publish(session, recall_id=recall_id, principal=OPERATOR)
    publish_s = time.perf_counter() - started
    with Session(engine) as session:
        matches = session.scalar(select(func.count()).select_from(RecallMatch)) or 0
        notices = session.scalar(select(func.count()).select_from(RecallNotice)) or 0
    if matches != hits:
        raise SystemExit(f"published {matches} matches, expected {hits}")
    return {
        "ledger_lines": lines,
        "matched_lines": hits,
        "notices": notices,
        "preview_s": preview_s,
        "publish_s": publish_s,
        "full_scan_s": scan_s,
    }


def run(sizes: list[int], databases: list[str]) -> list[dict[str, Any]]:
    results = []
    with tempfile.TemporaryDirectory(prefix="shopsafe-bench-") as work:
        workdir = Path(work)
        pg_url, pgdir = start_postgres(workdir) if "postgresql" in databases else ("", None)
        try:
            for name in databases:
                for lines in sizes:
                    url = pg_url if name == "postgresql" else f"sqlite:///{workdir}/m{lines}.db"
                    print(f"{name}: building a {lines:,}-line ledger …", flush=True)
                    engine = build(url, lines)
                    result = {"database": name, **measure(engine, lines)}
                    engine.dispose()
                    print(result, flush=True)
                    results.append(result)
        finally:
            stop_postgres(pgdir)
    return results


def section(results: list[dict[str, Any]], command: str) -> str:
    rows = [
        "| database | ledger lines | matched lines | notices | preview | publish | full scan "
        "| preview / scan | publish / scan |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        rows.append(
            f"| {r['database']} | {r['ledger_lines']:,} | {r['matched_lines']:,} | "
            f"{r['notices']:,} | {r['preview_s']:.3f} s | {r['publish_s']:.3f} s | "
            f"{r['full_scan_s']:.3f} s | {r['preview_s'] / r['full_scan_s']:.2f} | "
            f"{r['publish_s'] / r['full_scan_s']:.2f} |"
        )
    return "\n".join(
        [
            "## Recall matching",
            "",
            f"Measured {time.strftime('%Y-%m-%d')} on {platform.machine()}, "
            f"`{command}`. A recall naming one GTIN that about {TARGET:,} order lines carry is "
            "previewed (median of 3) and published (one transaction: matches, notices, "
            "deliveries, holds). The full scan (`count(*)` over every order line, median of 3) "
            "is the baseline measured in the same run. Goal: preview < 0.5 s, publish < 3 s, "
            "and times that follow the matches, not the ledger size.",
            "",
            *rows,
        ]
    )


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tiny", action="store_true", help="small and fast; writes nothing")
    parser.add_argument("--databases", default="sqlite,postgresql")
    args = parser.parse_args(argv)
    sizes = [20_000] if args.tiny else [1_000_000, 5_000_000]
    results = run(sizes, args.databases.split(","))
    if not args.tiny:
        write_section("recall_match", section(results, "python bench/recall_match.py"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
