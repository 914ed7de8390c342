"""Every "ADR N" named in the brushing and unsolicited-package code is a decision record
that exists and is about that code (brushing: ADR 13, 14; unsolicited packages: ADR 10)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ADR = ROOT / "docs" / "adr"
REFERENCE = re.compile(r"\bADR (\d+)\b")
TOPIC = {"brushing": "brushing", "unsolicited": "unsolicited"}


def _title(number: int) -> str:
    found = sorted(ADR.glob(f"{number:04d}-*.md"))
    assert found, f"ADR {number} does not exist in docs/adr"
    return found[0].read_text(encoding="utf-8").splitlines()[0].lower()


@pytest.mark.parametrize("package", sorted(TOPIC))
def test_adr_references_point_at_records_about_the_package(package: str) -> None:
    sources = sorted((ROOT / "src" / "shopsafe" / package).glob("*.py"))
    named = {
        (path.name, int(number))
        for path in sources
        for number in REFERENCE.findall(path.read_text(encoding="utf-8"))
    }
    assert named, f"no ADR references in {package}"
    for name, number in sorted(named):
        title = _title(number)
        assert TOPIC[package] in title, (name, number, title)
