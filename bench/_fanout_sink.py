"""The SMTP sink of bench/fanout.py: aiosmtpd in a process of its own that accepts every
message and counts its idempotency key (so lost and duplicated messages show).

    python bench/_fanout_sink.py PORT OUT.json [--profile] [--pipelining]

Prints `ready` once it listens; on SIGTERM writes its counts (and a cProfile) to OUT.json.
"""

from __future__ import annotations

import asyncio
import cProfile
import io
import json
import pstats
import re
import resource
import signal
import sys
import time
from pathlib import Path
from typing import Any

KEY_HEADER = b"X-Shopsafe-Idempotency-Key: "


class CountingSink:
    def __init__(self, pipelining: bool) -> None:
        self.pipelining = pipelining
        self.count = 0
        self.keys: set[bytes] = set()
        self.first = self.last = 0.0

    async def handle_EHLO(
        self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]
    ) -> list[str]:
        session.host_name = hostname
        if self.pipelining:  # as production mail servers do; aiosmtpd reads commands in order
            responses.insert(-1, "250-PIPELINING")
        return responses

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        data: bytes = envelope.content
        at = data.find(KEY_HEADER)
        end = data.find(b"\r\n", at)
        self.keys.add(data[at + len(KEY_HEADER) : end] if at >= 0 else b"")
        self.count += 1
        self.last = time.time()
        if not self.first:
            self.first = self.last
        return "250 OK"


def sink_main(port: int, out: Path, profile: bool, pipelining: bool) -> None:
    from aiosmtpd.smtp import SMTP

    handler = CountingSink(pipelining)
    loop = asyncio.new_event_loop()
    server = loop.run_until_complete(
        loop.create_server(lambda: SMTP(handler), host="127.0.0.1", port=port)
    )
    loop.add_signal_handler(signal.SIGTERM, loop.stop)
    profiler = cProfile.Profile() if profile else None
    print("ready", flush=True)
    if profiler:
        profiler.enable()
    loop.run_forever()
    if profiler:
        profiler.disable()
    server.close()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    result = {
        "count": handler.count, "distinct": len(handler.keys), "first": handler.first,
        "last": handler.last, "cpu": usage.ru_utime + usage.ru_stime,
        "profile": _profile_text(profiler) if profiler else None,
    }  # fmt: skip
    out.write_text(json.dumps(result))


def _profile_text(profiler: cProfile.Profile) -> str:
    buffer = io.StringIO()
    stats = pstats.Stats(profiler, stream=buffer)
    stats.sort_stats("tottime").print_stats(12)
    lines = [
        ln
        for ln in buffer.getvalue().splitlines()
        if re.match(r"\s+\d", ln) and "function calls" not in ln
    ]
    head = "   ncalls  tottime  percall  cumtime  percall filename:lineno(function)"
    return "\n".join([head, *lines])


if __name__ == "__main__":
    flags = sys.argv[3:]
    sink_main(int(sys.argv[1]), Path(sys.argv[2]), "--profile" in flags, "--pipelining" in flags)
