"""The child processes of bench/ledger_scale.py: one bulk load or one import each, so that
each reports its own peak memory (ru_maxrss only grows)."""

from __future__ import annotations

import json
import resource
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, text

from _ledger_scale_import_file import write_import_file
from _ledger_scale_rows import Generator, Sizes
from shopsafe.db.engine import make_engine
from shopsafe.ledger import bulk

BASELINE_ROWS = 250_000


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def baseline(engine: Engine, generator: Generator, rows: int) -> float:
    """Seconds for a plain DB-API executemany of the first `rows` order-line rows into a
    scratch table without indexes or constraints."""
    sample: list[tuple[Any, ...]] = []
    for batch in generator.order_batches():
        sample.extend(batch.order_lines)
        if len(sample) >= rows:
            break
    del sample[rows:]
    dialect = engine.dialect.name
    price = bulk.OrderLineRow._fields.index("unit_price")
    if dialect == "sqlite":
        sample = [(*r[:price], float(r[price]), *r[price + 1 :]) for r in sample]
    columns = bulk.OrderLineRow._fields
    mark = "?" if dialect == "sqlite" else "%s"
    insert = f"INSERT INTO bench_scratch VALUES ({', '.join(mark for _ in columns)})"
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute(
            f"CREATE TEMP TABLE bench_scratch AS SELECT {', '.join(columns)} "
            "FROM order_lines WHERE 1 = 0"
        )
        started = time.perf_counter()
        cursor.executemany(insert, sample)
        raw.commit()
        seconds = time.perf_counter() - started
        cursor.execute("DROP TABLE bench_scratch")
        raw.commit()
    finally:
        raw.close()
    return seconds


class TimedBatches:
    """Wraps the generator to tell generation time apart from database time."""

    def __init__(self, batches: Iterator[bulk.Batch]) -> None:
        self.batches, self.seconds = batches, 0.0
        self.generated: dict[str, int] = dict.fromkeys(bulk.TABLES, 0)

    def __iter__(self) -> Iterator[bulk.Batch]:
        while True:
            started = time.perf_counter()
            batch = next(self.batches, None)
            self.seconds += time.perf_counter() - started
            if batch is None:
                return
            for table in bulk.TABLES:
                self.generated[table] += len(getattr(batch, table))
            yield batch


def child_load(url: str, sizes: Sizes) -> dict[str, Any]:
    engine = make_engine(url)
    generator = Generator(sizes)
    # The baseline runs before and after the load: the machine is shared and its speed drifts.
    sample = min(BASELINE_ROWS, sizes.lines)
    before = baseline(engine, generator, sample)
    timed = TimedBatches(generator.batches())
    started = last = time.perf_counter()

    def progress(table: str, rows: int) -> None:
        nonlocal last
        if time.perf_counter() - last > 30:
            last = time.perf_counter()
            print(f"  {last - started:4.0f} s: {table} +{rows:,}", file=sys.stderr, flush=True)

    loaded = bulk.load(engine, timed, progress=progress)
    seconds, peak = time.perf_counter() - started, peak_rss_mb()
    after = baseline(engine, generator, sample)
    result = {
        "load_seconds": seconds,
        "generation_seconds": timed.seconds,
        "generated": timed.generated,
        "loaded": loaded,
        "counted": count_rows(engine),
        "peak_rss_mb": peak,
        "database_mb": database_mb(engine),
        "baseline_rows": sample,
        "baseline_seconds": (before, after),
    }
    engine.dispose()
    return result


def count_rows(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {
            table: int(connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())
            for table in bulk.TABLES
        }


def database_mb(engine: Engine) -> float:
    if engine.dialect.name == "sqlite":
        path = Path(str(engine.url.database))
        return sum(p.stat().st_size for p in path.parent.glob(path.name + "*")) / 2**20
    with engine.connect() as connection:
        size = connection.execute(text("SELECT pg_database_size(current_database())"))
        return int(size.scalar_one()) / 2**20


def child_import(url: str, sizes: Sizes, workdir: Path) -> dict[str, Any]:
    from shopsafe.db.session import transaction
    from shopsafe.ledger import service
    from shopsafe.ledger.importers import parse_records
    from shopsafe.ledger.schemas import OrderIn

    path = workdir / "orders.jsonl"
    orders, lines = write_import_file(path, sizes)
    engine = make_engine(url)

    def source() -> Iterator[tuple[int, OrderIn | None, list[str]]]:
        with path.open(encoding="utf-8") as handle:
            yield from parse_records(handle, OrderIn)

    started = time.perf_counter()
    with transaction(engine) as session:
        summary = service.import_orders(session, source=source)
    seconds = time.perf_counter() - started
    engine.dispose()
    if (summary.orders, summary.lines, summary.created) != (orders, lines, orders):
        raise SystemExit(
            f"importer summary {summary} does not match {orders} orders, {lines} lines"
        )
    return {"orders": orders, "lines": lines, "seconds": seconds, "peak_rss_mb": peak_rss_mb()}


def child_main(spec: str) -> None:
    arguments = json.loads(spec)
    sizes = Sizes(**arguments["sizes"])
    if arguments["kind"] == "load":
        result = child_load(arguments["url"], sizes)
    else:
        result = child_import(arguments["url"], sizes, Path(arguments["workdir"]))
    print(json.dumps(result))
