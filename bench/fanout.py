"""Fan-out: publish a recall to 100,000 recipients on PostgreSQL and deliver every notice
to an SMTP sink (aiosmtpd, in a process of its own) with one and with two workers.

    python bench/fanout.py            # full size, writes docs/benchmarks.md (section fanout)
    python bench/fanout.py --tiny     # a few hundred recipients; checks, writes nothing

Each run publishes a fresh recall (`shopsafe.recalls.service.publish`, one transaction) to
the same ledger while `shopsafe worker` processes are already waiting, and measures: the
publish, the time from the start of publishing to the last message the sink accepted, and
the delivery rate (messages ÷ time from first to last accepted). The sink counts each
message's idempotency key, so lost or duplicated messages fail the run. CPU seconds of the
sink, the workers and the whole machine show which part is the limit; `--profile-sink` adds
a cProfile of the sink. PostgreSQL: SHOPSAFE_BENCH_PG_URL (disposable: its `public` schema
is dropped), or else a throw-away server from scripts/pg.sh.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select, text

from _common import DOCS, ROOT, cpus_and_memory, start_postgres, stop_postgres, write_section
from _fanout_ledger import GTINS, ledger, recall_body
from shopsafe.auth.schemas import Principal
from shopsafe.db import migrate
from shopsafe.db.engine import make_engine
from shopsafe.db.session import transaction
from shopsafe.ledger import bulk
from shopsafe.notifications.models import Delivery, RecallNotice
from shopsafe.recalls import service as recalls

HERE = Path(__file__).resolve().parent
SECTION = "fanout"
GOAL_RATE = 1_000
TICKS = os.sysconf("SC_CLK_TCK")

# ---------------------------------------------------------------------------------------
# One run: sink, waiting workers, publish, wait until every notice is sent, collect.


@dataclass
class Run:
    workers: int
    recipients: int
    publish_seconds: float
    to_first_accept: float
    to_last_accept: float
    delivery_seconds: float
    accepted: int
    distinct: int
    sent_in_db: int
    sink_cpu: float
    worker_cpu: list[float]
    postgres_cpu: float | None
    machine_cpu: float
    wall: float
    bench_cpu: float
    load: tuple[float, float]
    profile: str | None

    @property
    def rate(self) -> float:
        return self.accepted / self.delivery_seconds if self.delivery_seconds else 0.0

    @property
    def ours_cpu(self) -> float:
        return self.sink_cpu + sum(self.worker_cpu) + (self.postgres_cpu or 0.0)

    @property
    def others_cpu(self) -> float:
        """Busy CPU of the machine that neither the sink, the workers, PostgreSQL nor this
        script used: other work sharing the machine."""
        return max(0.0, self.machine_cpu - self.ours_cpu - self.bench_cpu)

    @property
    def ceiling(self) -> float:
        cores = os.cpu_count() or 1
        return cores * self.accepted / self.ours_cpu if self.ours_cpu else 0.0

    @property
    def cores_wall(self) -> float:
        return self.wall * (os.cpu_count() or 1)

    @property
    def ok(self) -> bool:
        return self.accepted == self.distinct == self.sent_in_db == self.recipients


def load_average() -> float:
    with open("/proc/loadavg", encoding="ascii") as handle:
        return float(handle.read().split()[0])


def machine_busy_seconds() -> float:
    with open("/proc/stat", encoding="ascii") as handle:
        fields = [int(v) for v in handle.readline().split()[1:]]
    idle = fields[3] + fields[4]
    return (sum(fields[:8]) - idle) / TICKS


def postgres_busy_seconds(pgdir: Path | None) -> float | None:
    """CPU seconds of our PostgreSQL server's processes (the postmaster and its children,
    as far as they are alive); `None` for a server we did not start."""
    if pgdir is None:
        return None
    postmaster = int((pgdir / "data" / "postmaster.pid").read_text().split()[0])
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid, ppid = int(stat.parent.name), int(fields[1])
        if postmaster in (pid, ppid):
            total += int(fields[11]) + int(fields[12])
    return total / TICKS


def start_sink(
    workdir: Path, port: int, profile: bool, pipelining: bool = True
) -> tuple[subprocess.Popen[str], Path]:
    out = workdir / f"sink-{port}.json"
    command = [sys.executable, str(HERE / "_fanout_sink.py"), str(port), str(out)]
    flags = (["--profile"] if profile else []) + (["--pipelining"] if pipelining else [])
    sink = subprocess.Popen(command + flags,
                            stdout=subprocess.PIPE, text=True)  # fmt: skip
    assert sink.stdout is not None
    if sink.stdout.readline().strip() != "ready":
        raise SystemExit("the SMTP sink did not start")
    return sink, out


def start_workers(count: int, url: str, smtp: str, workdir: Path) -> list[subprocess.Popen[bytes]]:
    env = {
        **os.environ, "SHOPSAFE_DATABASE_URL": url, "SHOPSAFE_SMTP_URL": smtp,
        "SHOPSAFE_VAR_DIR": str(workdir / "var"), "SHOPSAFE_SECRET_KEY": "bench-secret",
        "SHOPSAFE_WORKER_POLL_SECONDS": "0.2", "SHOPSAFE_BASE_URL": "https://shop.example",
    }  # fmt: skip
    log = (workdir / "workers.log").open("ab")
    return [
        subprocess.Popen([sys.executable, "-m", "shopsafe", "worker"], env=env, stdout=log,
                         stderr=log)
        for _ in range(count)
    ]  # fmt: skip


def stop_workers(workers: list[subprocess.Popen[bytes]]) -> list[float]:
    cpu = []
    for worker in workers:
        worker.send_signal(signal.SIGTERM)
    for worker in workers:
        _, status, usage = os.wait4(worker.pid, 0)
        worker.returncode = os.waitstatus_to_exitcode(status)
        cpu.append(usage.ru_utime + usage.ru_stime)
    return cpu


def sent_count(engine: Engine, recall_id: int) -> int:
    with engine.connect() as connection:
        query = (
            select(func.count(Delivery.id))
            .join(RecallNotice, RecallNotice.id == Delivery.notice_id)
            .where(RecallNotice.recall_id == recall_id, Delivery.kind == "notice",
                   Delivery.status == "sent")
        )  # fmt: skip
        return int(connection.execute(query).scalar_one())


def run_once(
    engine: Engine, url: str, workdir: Path, pgdir: Path | None, spec: dict[str, Any]
) -> Run:
    from shopsafe.kit.errors import InvalidInput

    port, n = spec["port"], spec["recipients"]
    sink, sink_out = start_sink(workdir, port, spec["profile"])
    workers = start_workers(spec["workers"], url, f"smtp://127.0.0.1:{port}", workdir)
    time.sleep(3)  # the workers start and wait for work, as they would in production
    operator = Principal(role="operator")
    with transaction(engine) as session:
        try:
            recall = recalls.create(session, data=recall_body(spec["gtin"]), principal=operator)
        except InvalidInput as error:
            raise SystemExit(f"bench recall rejected: {error.problems}") from None
    load_before, own = load_average(), time.process_time()
    busy, pg_busy, started = machine_busy_seconds(), postgres_busy_seconds(pgdir), time.time()
    with transaction(engine) as session:
        recalls.publish(session, recall_id=recall.id, principal=operator)
    published = time.time()
    deadline = published + max(120, n / 100)
    while sent_count(engine, recall.id) < n and time.time() < deadline:
        time.sleep(1)
    pg_after = postgres_busy_seconds(pgdir)  # while the workers' connections still live
    worker_cpu = stop_workers(workers)
    wall, machine = time.time() - started, machine_busy_seconds() - busy
    sink.send_signal(signal.SIGTERM)
    sink.wait(30)
    got = json.loads(sink_out.read_text())
    return Run(
        workers=spec["workers"], recipients=n, publish_seconds=published - started,
        to_first_accept=got["first"] - started if got["first"] else 0.0,
        to_last_accept=got["last"] - started if got["last"] else 0.0,
        delivery_seconds=got["last"] - got["first"], accepted=got["count"],
        distinct=got["distinct"], sent_in_db=sent_count(engine, recall.id),
        sink_cpu=got["cpu"], worker_cpu=worker_cpu, machine_cpu=machine, wall=wall,
        postgres_cpu=None if pg_busy is None or pg_after is None else pg_after - pg_busy,
        profile=got["profile"], load=(load_before, load_average()),
        bench_cpu=time.process_time() - own,
    )  # fmt: skip


# ---------------------------------------------------------------------------------------
# The database and the whole benchmark.


def prepare(url: str, n: int) -> tuple[Engine, float]:
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    migrate.upgrade(engine)
    started = time.perf_counter()
    bulk.load(engine, ledger(n))
    with engine.begin() as connection:
        connection.execute(text("ANALYZE"))
    return engine, time.perf_counter() - started


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def bench(n: int, worker_counts: list[int], profile: bool) -> tuple[list[Run], float, str]:
    workdir = Path(tempfile.mkdtemp(prefix="shopsafe-fanout-"))
    os.chmod(workdir, 0o755)  # the PostgreSQL server runs as another user
    url, pgdir = start_postgres(workdir)
    runs: list[Run] = []
    try:
        print(f"loading a ledger of {n:,} customers …", file=sys.stderr, flush=True)
        engine, load_seconds = prepare(url, n)
        plan = [(w, False) for w in worker_counts] + (
            [(max(worker_counts), True)] if profile else []
        )
        for index, (workers, profiled) in enumerate(plan):
            spec = {
                "port": free_port(),
                "recipients": n,
                "workers": workers,
                "gtin": GTINS[index % 2],
                "profile": profiled,
            }
            what = " (sink profiled)" if profiled else ""
            print(f"run with {workers} worker(s){what} …", file=sys.stderr, flush=True)
            runs.append(run_once(engine, url, workdir, pgdir, spec))
            print(summary_line(runs[-1]), file=sys.stderr, flush=True)
        engine.dispose()
        log = (workdir / "workers.log").read_text(errors="replace")
    finally:
        stop_postgres(pgdir)
        shutil.rmtree(workdir, ignore_errors=True)
    return runs, load_seconds, log


def summary_line(run: Run) -> str:
    return (
        f"{run.workers} worker(s): {run.accepted:,} accepted ({run.distinct:,} distinct, "
        f"{run.sent_in_db:,} sent in the database) · {run.rate:,.0f} messages/s · publish "
        f"{run.publish_seconds:.1f} s · publish → first accepted {run.to_first_accept:.1f} s, "
        f"→ last accepted {run.to_last_accept:.1f} s · "
        f"CPU s: sink {run.sink_cpu:.0f}, workers {sum(run.worker_cpu):.0f}, postgres "
        f"{run.postgres_cpu or 0:.0f}, machine "
        f"{run.machine_cpu:.0f} of {run.wall * (os.cpu_count() or 1):.0f}"
    )


# ---------------------------------------------------------------------------------------
# Figures for docs/benchmarks.md.


def _goal(r: Run) -> str:
    if r.workers != 2:
        return "–"
    return "yes" if r.rate >= GOAL_RATE else "**no**"


def _per_message(r: Run) -> str:
    ms = [1000 * x / r.accepted for x in (r.sink_cpu, sum(r.worker_cpu), r.postgres_cpu or 0)]
    return f"{sum(ms):.2f} ms ({ms[0]:.2f} + {ms[1]:.2f} + {ms[2]:.2f})"


def _sink_share(r: Run) -> str:
    share = r.sink_cpu / r.delivery_seconds if r.delivery_seconds else 0.0
    return f"{r.sink_cpu:.0f} s ({share:.0%} of a core)"


ROWS: tuple[tuple[str, Any], ...] = (
    ("Recipients (one notice e-mail each)", lambda r: f"{r.recipients:,}"),
    ("Messages accepted by the sink (distinct)", lambda r: f"{r.accepted:,} ({r.distinct:,})"),
    ("Publish (one transaction)", lambda r: f"{r.publish_seconds:.1f} s"),
    ("**Messages/s** (first to last accepted)", lambda r: f"**{r.rate:,.0f}**"),
    ("Publish → first accepted message", lambda r: f"{r.to_first_accept:.1f} s"),
    ("**Publish → last accepted message**", lambda r: f"**{r.to_last_accept:.1f} s**"),
    ("CPU: SMTP sink process", _sink_share),
    ("CPU: worker processes (together)", lambda r: f"{sum(r.worker_cpu):.0f} s"),
    ("CPU: PostgreSQL server", lambda r: f"{r.postgres_cpu or 0:.0f} s"),
    ("CPU: machine (busy of all)", lambda r: f"{r.machine_cpu:.0f} s of {r.cores_wall:.0f} s"),
    ("… of which other work on the machine", lambda r: f"{r.others_cpu:.0f} s"),
    ("CPU per message: sink + workers + PostgreSQL", _per_message),
    ("Rate if those three had both cores (2 ÷ CPU per message)", lambda r: f"{r.ceiling:,.0f}/s"),
    ("Load average (1 min) before → after", lambda r: f"{r.load[0]:.1f} → {r.load[1]:.1f}"),
    (f"Goal ≥ {GOAL_RATE:,} messages/s with two workers met", _goal),
)  # fmt: skip


def table(runs: list[Run]) -> str:
    runs = [r for r in runs if not r.profile]
    head = "| Measure | " + " | ".join(f"{r.workers} worker(s)" for r in runs) + " |"
    body = [f"| {label} | " + " | ".join(cell(r) for r in runs) + " |" for label, cell in ROWS]
    return "\n".join([head, "|---|" + "---:|" * len(runs), *body])


def machine() -> str:
    return cpus_and_memory()


def section_text(runs: list[Run], load_seconds: float, command: str) -> str:
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    extra = next((r for r in runs if r.profile), None)
    profiled = (
        f"\n\ncProfile of the SMTP sink in an extra run with {extra.workers} workers (top "
        f"functions by own time; the profiler slows the sink, so this run, at {extra.rate:,.0f} "
        f"messages/s, is not in the table):\n\n```\n{extra.profile}\n```"
        if extra and extra.profile else ""
    )  # fmt: skip
    return f"""## Notice fan-out

A recall published to every buyer of a product, delivered by `shopsafe worker` over SMTP
to an aiosmtpd sink in its own process, with one and with two worker processes, all on
one PostgreSQL server on the same machine (ledger bulk-loaded in {load_seconds:.0f} s).
Goal: at least {GOAL_RATE:,} messages/s with two workers.

Measured {stamp} on {machine()}. Reproduce with:

    {command}

{table(runs)}

{REMARKS}{profiled}"""


REMARKS = """Every message is a personal multipart e-mail (text + HTML, the buyer's purchases, a
signed link) in its own SMTP transaction over one reused connection per worker; the sink
offers PIPELINING, as production mail servers do. Workers claim 100 deliveries per
transaction with `FOR UPDATE SKIP LOCKED` and record the outcomes in a second one (ADR 6).
Sink, workers, PostgreSQL and this script share the machine's two cores with whatever else
runs on it; the CPU rows show where the time went and how much the machine had to spare.
The last rows divide the two cores by the CPU the three parts need per message: an upper
bound for an otherwise idle machine. The sink is the largest single consumer: aiosmtpd
reads the message line by line (one `readuntil` per line, about 150 per message), as the
profile below shows; a worker waits for each of its answers."""


def parse_arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--recipients", type=int, default=100_000)
    parser.add_argument("--workers", default="1,2", help="worker counts, one run each")
    parser.add_argument("--tiny", action="store_true", help="a few hundred; never writes docs")
    parser.add_argument("--profile-sink", action="store_true", help="cProfile the sink")
    parser.add_argument("--write-docs", action=argparse.BooleanOptionalAction, default=None)
    return parser.parse_args(argv)


def main(argv: list[str]) -> int:
    options = parse_arguments(argv)
    n = 300 if options.tiny else options.recipients
    counts = [int(c) for c in options.workers.split(",") if c.strip()]
    runs, load_seconds, log = bench(n, counts, options.profile_sink)
    for run in runs:
        print(summary_line(run))
    failed = [r for r in runs if not r.ok]
    for run in failed:
        print(f"FAILED: {run.workers} worker(s) delivered {run.accepted} messages "
              f"({run.distinct} distinct, {run.sent_in_db} sent) to {run.recipients} recipients",
              file=sys.stderr)  # fmt: skip
    if failed:
        print(log[-4000:], file=sys.stderr)
    write = options.write_docs if options.write_docs is not None else not options.tiny
    if write and not options.tiny and not failed:
        command = ("python bench/fanout.py " + " ".join(argv)).strip()
        write_section(SECTION, section_text(runs, load_seconds, command))
        print(f"wrote {DOCS.relative_to(ROOT)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
