"""What the benchmarks share: docs sections, a throw-away PostgreSQL, timing."""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs" / "benchmarks.md"
DOCS_HEADER = """# Benchmarks

Each benchmark in `bench/` rewrites only its own section below, between its
`<!-- bench:NAME -->` and `<!-- /bench:NAME -->` markers; text outside the markers is kept.
"""


def write_section(name: str, text: str) -> None:
    """Replaces (or appends) the section `name` of docs/benchmarks.md."""
    begin, end = f"<!-- bench:{name} -->", f"<!-- /bench:{name} -->"
    block = f"{begin}\n{text.strip()}\n{end}"
    current = DOCS.read_text(encoding="utf-8") if DOCS.exists() else DOCS_HEADER
    pattern = re.compile(re.escape(begin) + ".*?" + re.escape(end), re.DOTALL)
    if pattern.search(current):
        updated = pattern.sub(lambda _: block, current)
    else:
        updated = current.rstrip() + "\n\n" + block + "\n"
    DOCS.parent.mkdir(parents=True, exist_ok=True)
    DOCS.write_text(updated, encoding="utf-8")


def start_postgres(workdir: Path) -> tuple[str, Path | None]:
    """SHOPSAFE_BENCH_PG_URL if set (disposable), else a throw-away server (scripts/pg.sh)."""
    url = os.environ.get("SHOPSAFE_BENCH_PG_URL")
    if url:
        return url, None
    workdir.chmod(0o755)  # the server runs as the `postgres` user when we are root
    pgdir = workdir / "pg"
    started = subprocess.run(
        ["bash", str(ROOT / "scripts" / "pg.sh"), "start", str(pgdir)],
        stdout=subprocess.PIPE,
        text=True,
        check=True,
    )
    return started.stdout.strip().splitlines()[-1], pgdir


def stop_postgres(pgdir: Path | None) -> None:
    if pgdir is not None:
        subprocess.run(["bash", str(ROOT / "scripts" / "pg.sh"), "stop", str(pgdir)], check=False)


def timed(action: Callable[[], object], repeat: int = 1) -> float:
    """The median wall time of `repeat` runs, in seconds."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def cpus_and_memory() -> str:
    """This machine as benchmarks report it: "2 CPUs (model), 23.5 GiB RAM"."""
    with open("/proc/meminfo", encoding="ascii") as handle:
        total_kb = int(handle.readline().split()[1])
    cpu = "unknown CPU"
    with open("/proc/cpuinfo", encoding="ascii", errors="replace") as handle:
        for line in handle:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return f"{os.cpu_count()} CPUs ({cpu}), {total_kb / 2**20:.1f} GiB RAM"
