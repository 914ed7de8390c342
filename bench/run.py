"""Runs every benchmark in bench/: at full size (`make bench`, writes docs/benchmarks.md) or
at a tiny size (`make test`, so that none of them rots; writes nothing)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent


def main(argv: list[str]) -> int:
    tiny = "--tiny" in argv
    failed = []
    for script in sorted(HERE.glob("*.py")):
        if script.name in ("run.py", "__init__.py") or script.name.startswith("_"):
            continue
        print(f"--- {script.name} {'(tiny)' if tiny else ''}", flush=True)
        args = [sys.executable, str(script)] + (["--tiny"] if tiny else [])
        if subprocess.run(args, check=False).returncode != 0:
            failed.append(script.name)
    if failed:
        print("benchmarks failed: " + ", ".join(failed), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
