"""Customer pages on a large ledger: server time of "Your Orders" (`/orders`) and "Your
Recalls and Product Safety Alerts" (`/account/recalls`) for customers with many orders.

    python bench/customer_pages.py                 # 5,000,000 lines, writes docs/benchmarks.md
    python bench/customer_pages.py --tiny          # a few rows, never writes the docs

The ledger is bulk-loaded (`shopsafe.ledger.bulk`) with bench/ledger_scale.py's generator,
plus "heavy" customers with thousands of orders each, some of which contain products that
are then recalled through the normal publishing service. Each page is requested through the
ASGI app in this process (no network, a signed-in session cookie); the baseline is
`/healthz` (one database round trip) measured in the same run. Goal: p95 under 50 ms.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common
import ledger_scale
from shopsafe.app import create_app
from shopsafe.auth import sessions
from shopsafe.auth.models import Account
from shopsafe.auth.schemas import Principal
from shopsafe.db import migrate
from shopsafe.db.engine import make_engine
from shopsafe.db.session import transaction
from shopsafe.kit.clock import now
from shopsafe.ledger import bulk
from shopsafe.recalls import service as recalls

SECTION = "customer_pages"
GOAL_MS = 50.0
OPERATOR = Principal(role="operator")


@dataclass(frozen=True)
class Plan:
    customers: int
    lines: int
    heavy: int  # customers with many orders
    heavy_orders: int  # orders each
    requests: int  # per page and customer


FULL = Plan(customers=1_000_000, lines=5_000_000, heavy=20, heavy_orders=2_000, requests=50)
TINY = Plan(customers=500, lines=3_000, heavy=3, heavy_orders=60, requests=5)


def heavy_batches(plan: Plan, gen: ledger_scale.Generator, recalled: list[Any]) -> Iterator[Any]:
    """Customers after the generated ones, each with `heavy_orders` orders; every 40th order
    holds one of the `recalled` offers."""
    rnd = random.Random(7)
    first_customer = plan.customers + 1
    order = gen.orders
    line = plan.lines
    batch = bulk.Batch()
    for c in range(first_customer, first_customer + plan.heavy):
        row, address = ledger_scale.customer(c)
        batch.customers.append(row._replace(external_id=f"C-HEAVY-{c}", language="en"))
        batch.addresses.append(address)
        for k in range(plan.heavy_orders):
            order += 1
            placed = datetime(2024, 1, 1, tzinfo=UTC) + timedelta(hours=k * 8 + c % 7)
            batch.orders.append(
                bulk.OrderRow(
                    order, f"H-{order}", c, c, row.name, None, False, placed, f"{order:064x}",
                    placed,
                )
            )  # fmt: skip
            offers = [recalled[k // 40 % len(recalled)]] if k % 40 == 0 else []
            offers += [gen.offers[rnd.randrange(len(gen.offers) // 2)] for _ in range(2)]
            for index, offer in enumerate(offers, start=1):
                line += 1
                p = offer.row
                batch.order_lines.append(
                    bulk.OrderLineRow(
                        line, order, str(index), p.seller_id, p.id, p.sku, p.gtin, p.brand,
                        p.model, p.name, 1, offer.prices["EUR"], "EUR", None, "delivered",
                    )
                )  # fmt: skip
    yield batch


def load(url: str, plan: Plan) -> tuple[Engine, list[int], list[int]]:
    engine = make_engine(url)
    migrate.upgrade(engine)
    gen = ledger_scale.Generator(ledger_scale.Sizes(plan.customers, plan.lines, 0))
    # Recalled products come from the tail of the catalogue, which the generator rarely sells.
    recalled = [o for o in gen.offers[-40:] if o.row.gtin][:3]

    def everything() -> Iterator[Any]:
        yield from gen.batches()
        yield from heavy_batches(plan, gen, recalled)

    started = time.perf_counter()
    bulk.load(engine, everything())
    print(f"  loaded in {time.perf_counter() - started:,.0f} s", file=sys.stderr, flush=True)
    heavy = list(range(plan.customers + 1, plan.customers + 1 + plan.heavy))
    recall_ids = publish(engine, [o.row.gtin for o in recalled])
    return engine, heavy, recall_ids


def recall_body(number: int, gtin: str) -> dict[str, Any]:
    return {
        "kind": "recall",
        "title": f"Benchmark recall {number}: the battery can overheat and burn",
        "product_name": f"Benchmark product {number}",
        "brand": "BENCH",
        "hazard": "The battery can overheat and cause burns or a fire.",
        "risk_level": "serious",
        "instructions": "Stop using the product now and keep it away from children.",
        "remedies": ["refund", "replacement"],
        "identifier_location": "The model number is printed under the base.",
        "contact": {"email": "recall@example.com"},
        "images": ["https://example.com/product.jpg"],
        "criteria": {"gtins": [gtin]},
    }


def publish(engine: Engine, gtins: list[str]) -> list[int]:
    ids = []
    for number, gtin in enumerate(gtins, start=1):
        body = recall_body(number, gtin)
        with transaction(engine) as session:
            recall = recalls.create(session, data=body, principal=OPERATOR)
            recalls.publish(session, recall_id=recall.id, principal=OPERATOR)
            ids.append(recall.id)
    return ids


def cookies_for(engine: Engine, customers: list[int]) -> list[str]:
    tokens = []
    with transaction(engine) as session:
        for customer in customers:
            account = Account(
                email=f"heavy.{customer}@example.com", role="customer", customer_id=customer,
                created_at=now(),
            )  # fmt: skip
            session.add(account)
            session.flush()
            tokens.append(sessions.start(session, account=account, method="password"))
    return tokens


def timed(client: TestClient, path: str, cookie: str | None, count: int) -> list[float]:
    """Milliseconds per request, after two warm-up requests."""
    client.cookies.clear()
    if cookie:
        client.cookies.set(sessions.SESSION_COOKIE, cookie)
    found = []
    for n in range(count + 2):
        started = time.perf_counter()
        answer = client.get(path)
        elapsed = (time.perf_counter() - started) * 1000
        if answer.status_code != 200:
            raise SystemExit(f"{path}: {answer.status_code}")
        if n >= 2:
            found.append(elapsed)
    return found


def measure(engine: Engine, heavy: list[int], recall_ids: list[int], plan: Plan) -> dict[str, Any]:
    cookies = cookies_for(engine, heavy)
    last_page = -(-(plan.heavy_orders) // 10)
    pages = {
        "/healthz (baseline)": "/healthz",
        "/orders": "/orders",
        f"/orders?page={last_page} (oldest)": f"/orders?page={last_page}",
        "/account/recalls": "/account/recalls",
        "/account/recalls/{id}": f"/account/recalls/{recall_ids[0]}",
    }
    results: dict[str, list[float]] = {name: [] for name in pages}
    load_before = os.getloadavg()[0]
    banners = 0
    with TestClient(create_app(engine)) as client:
        for cookie in cookies:
            for name, path in pages.items():
                results[name] += timed(client, path, cookie, plan.requests)
            client.cookies.set(sessions.SESSION_COOKIE, cookie)
            banners += "safety-banner" in client.get("/orders").text
    if banners != len(cookies):
        raise SystemExit(f"only {banners} of {len(cookies)} heavy customers see the banner")
    figures = {name: percentiles(values) for name, values in results.items()}
    figures["/healthz (baseline)"]["load"] = max(load_before, os.getloadavg()[0])
    return figures


def percentiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {
        "n": len(ordered),
        "p50": statistics.median(ordered),
        "p95": ordered[max(0, round(0.95 * len(ordered)) - 1)],
        "max": ordered[-1],
    }


def table(name: str, figures: dict[str, dict[str, float]]) -> str:
    base = figures["/healthz (baseline)"]["p50"]
    load = figures["/healthz (baseline)"].get("load", 0.0)
    rows = [
        f"| {page} | {f['n']:,.0f} | {f['p50']:.1f} | {f['p95']:.1f} | {f['max']:.1f} | "
        f"{f['p50'] / base:.1f}× |"
        for page, f in figures.items()
    ]
    head = "| Page | Requests | p50 | p95 | max | p50 ÷ baseline |"
    title = f"**{name}** — milliseconds per request (load average while measuring: {load:.1f})"
    return "\n".join([title, "", head, "|---|---:|---:|---:|---:|---:|", *rows])


def run_database(name: str, url: str, plan: Plan) -> dict[str, dict[str, float]]:
    print(f"{name}: loading {plan.lines:,} lines …", file=sys.stderr, flush=True)
    ledger_scale.fresh_schema(url)
    engine, heavy, recall_ids = load(url, plan)
    try:
        print(f"{name}: measuring …", file=sys.stderr, flush=True)
        return measure(engine, heavy, recall_ids, plan)
    finally:
        engine.dispose()


def run(plan: Plan, databases: list[str]) -> dict[str, dict[str, dict[str, float]]]:
    results = {}
    workdir = Path(tempfile.mkdtemp(prefix="shopsafe-bench-pages-"))
    workdir.chmod(0o755)  # the PostgreSQL server runs as another user
    try:
        for database in databases:
            if database == "sqlite":
                url = f"sqlite:///{workdir / 'pages.db'}"
                results["SQLite"] = run_database("SQLite", url, plan)
                continue
            url, pgdir = _common.start_postgres(workdir)
            try:
                results["PostgreSQL"] = run_database("PostgreSQL", url, plan)
            finally:
                _common.stop_postgres(pgdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return results


def section(results: dict[str, dict[str, dict[str, float]]], plan: Plan, command: str) -> str:
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    met = all(
        figures[page]["p95"] < GOAL_MS
        for figures in results.values()
        for page in ("/orders", "/account/recalls")
    )
    tables = "\n\n".join(table(name, figures) for name, figures in results.items())
    return f"""## Customer pages

Server time of "Your Orders" and "Your Recalls and Product Safety Alerts" for customers with
many orders, on a bulk-loaded ledger of {plan.customers:,} customers and {plan.lines:,}
order lines plus {plan.heavy} customers with {plan.heavy_orders:,} orders each (every 40th
order holds a product that three published recalls cover). Each request goes through the
whole application in-process (session cookie, CSRF token, queries, Jinja rendering, no
network); {plan.requests} requests per page and customer after two warm-up requests.
Baseline: `/healthz`, one database round trip, in the same run. Goal: p95 under
{GOAL_MS:.0f} ms for `/orders` and `/account/recalls` — **{"met" if met else "not met"}**.

Measured {stamp} on {ledger_scale.machine()}. Reproduce with:

    {command}

{tables}"""


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--tiny", action="store_true", help="a few rows; never writes the docs")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--lines", type=int, default=FULL.lines)
    parser.add_argument("--customers", type=int, default=FULL.customers)
    options = parser.parse_args(argv)
    plan = (
        TINY
        if options.tiny
        else Plan(options.customers, options.lines, FULL.heavy, FULL.heavy_orders, FULL.requests)
    )
    databases = [d.strip() for d in options.databases.split(",") if d.strip()]
    if set(databases) - {"sqlite", "postgresql"}:
        raise SystemExit("--databases takes sqlite and/or postgresql")
    results = run(plan, databases)
    for name, figures in results.items():
        print(table(name, figures))
    if not options.tiny:
        command = "python bench/customer_pages.py " + " ".join(argv)
        _common.write_section(SECTION, section(results, plan, command.strip()))
        print(f"wrote {_common.DOCS.relative_to(_common.ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
