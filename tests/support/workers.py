"""Many recipients at once (a bulk-loaded ledger) and `shopsafe worker` processes."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from shopsafe.auth.schemas import Principal
from shopsafe.db.session import transaction
from shopsafe.ledger import bulk
from shopsafe.notifications.models import Delivery
from shopsafe.recalls import service as recalls
from tests.support.recalls import recall_body

GTIN = "4006381333931"
OPERATOR = Principal(role="operator")


def ledger(n: int) -> Iterator[bulk.Batch]:
    """n customers, each with one order of one recalled bed rail."""
    product = bulk.ProductRow(1, 1, "BR-200", GTIN, "MPINOI", "BR-200", "Adult portable bed rail")
    yield bulk.Batch(sellers=[bulk.SellerRow(1, "S-3", "Bioenrrty")], products=[product])
    placed = datetime(2025, 3, 1, 10, 0, tzinfo=UTC)
    batch = bulk.Batch()
    for i in range(1, n + 1):
        language = "de" if i % 2 else "en"
        batch.customers.append(
            bulk.CustomerRow(i, f"C-{i}", f"person{i}@example.org", f"Person {i}", language)
        )
        batch.addresses.append(bulk.AddressRow(i, f"Hauptstr. {i}", None, "10115", "Berlin", "DE"))
        when = placed + timedelta(minutes=i)
        batch.orders.append(
            bulk.OrderRow(i, f"A-{i}", i, i, f"Person {i}", None, False, when, f"{i:064x}", when)
        )
        batch.order_lines.append(
            bulk.OrderLineRow(
                i, i, "1", 1, 1, "BR-200", GTIN, "MPINOI", "BR-200", "Adult portable bed rail",
                1, Decimal("29.99"), "EUR", status="delivered",
            )
        )  # fmt: skip
    yield batch


def publish_to(engine: Engine, recipients: int) -> int:
    """A recall of the bed rail published to `recipients` people; returns its id."""
    bulk.load(engine, ledger(recipients))
    with transaction(engine) as session:
        recall = recalls.create(session, data=recall_body(), principal=OPERATOR)
    with transaction(engine) as session:
        recalls.publish(session, recall_id=recall.id, principal=OPERATOR)
    return recall.id


def worker_env(database_url: str, smtp_url: str, var_dir: Path, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "SHOPSAFE_DATABASE_URL": database_url,
        "SHOPSAFE_SMTP_URL": smtp_url,
        "SHOPSAFE_VAR_DIR": str(var_dir),
        "SHOPSAFE_SECRET_KEY": "test-secret",
        "SHOPSAFE_WORKER_POLL_SECONDS": "0.1",
        **extra,
    }


def start_worker(env: dict[str, str], log: Path, *args: str) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "shopsafe", "worker", *args], env=env, stdout=out, stderr=out
        )


def wait_for(log: Path, text: str, count: int = 1, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if log.exists() and log.read_text(errors="replace").count(text) >= count:
            return
        time.sleep(0.05)
    raise AssertionError(f"{text!r} did not appear {count}× in {log}:\n{log.read_text()}")


def count(engine: Engine, *where: Any) -> int:
    with Session(engine) as session:
        return int(session.scalar(select(func.count(Delivery.id)).where(*where)) or 0)
