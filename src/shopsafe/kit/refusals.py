"""Input that a lower layer cannot take, answered as the caller's mistake instead of a 500.

Schemas should refuse such input first (`kit.limits`, `kit.text`, `kit.json_input`); these
rules catch what slips past them on any route (the app installs them as exception handlers):

- a whole number the database cannot hold: SQLite's driver raises OverflowError beyond 64
  bits, PostgreSQL NumericValueOutOfRange beyond the column (32 bits for our ids);
- a number of more digits than Python converts (ValueError, 4300 by default), or a value
  `int()` cannot read at all (`²` passes `str.isdigit()`, not `int()`);
- text with the NUL character, which PostgreSQL's text cannot hold;
- JSON nested deeper than Python's decoder recurses (RecursionError inside `json`).

The value to blame is looked for in the request: in the path it is an id of nothing (404),
in the query or the body a bad value (422), named. An integer overflow that no value of the
request explains (bad stored data, a bug) is no refusal: it stays a 500.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy.exc import DataError

from shopsafe.kit.errors import DomainError, InvalidInput, NotFound
from shopsafe.kit.json_input import TOO_DEEP, too_many_digits
from shopsafe.kit.limits import INT32_MAX, INT64_MAX

Problem = Literal["integer", "digits", "literal", "nul", "nesting"]
Where = Literal["path", "query", "body"]
_INTEGER = re.compile(r"[+-]?[0-9]+")
_NO_INT = "invalid literal for int() with base 10: "  # CPython: then the value's repr, cut at 200
# PostgreSQL names the type whose range was left; anything else: our id columns' 32 bits.
_PG_RANGES = {"smallint": 2**15, "bigint": INT64_MAX + 1, "integer": INT32_MAX + 1}


@dataclass(frozen=True)
class Value:
    """One value the request carried: a path parameter, a query parameter, a body field."""

    where: Where
    name: str
    value: object


def problem_of(error: BaseException) -> tuple[Problem, int] | None:
    """What kind of refused input `error` shows (with the integer bound left), if any."""
    message = str(error)
    if isinstance(error, OverflowError) and "SQLite INTEGER" in message:
        return "integer", INT64_MAX + 1
    if isinstance(error, DataError):
        original = error.orig
        if getattr(original, "sqlstate", None) == "22003":
            kind = next((k for k in _PG_RANGES if str(original).startswith(k)), "integer")
            return "integer", _PG_RANGES[kind]
        if "NUL (0x00)" in str(original):
            return "nul", 0
    if isinstance(error, ValueError) and message.startswith("Exceeds the limit ("):
        return "digits", 0
    if isinstance(error, ValueError) and message.startswith(_NO_INT):
        return "literal", 0
    if isinstance(error, RecursionError) and _raised_in_json(error):
        return "nesting", 0
    return None


def refusal(error: BaseException, values: Iterable[Value]) -> DomainError | None:
    """The 404 or 422 to answer instead of `error`, or None when it is no refused input."""
    found = problem_of(error)
    if found is None:
        return None
    problem, bound = found
    if problem == "nesting":
        return InvalidInput([TOO_DEEP], code="json_too_deep")
    literal = str(error).removeprefix(_NO_INT)
    culprit = next((v for v in values if _is_culprit(problem, bound, v.value, literal)), None)
    if culprit is None:
        return _unnamed(problem)
    reason = {
        "integer": f"{_shown(culprit.value)} is out of range",
        "digits": f"{_shown(culprit.value)} has more than {_max_digits()} digits",
        "literal": f"{_shown(culprit.value)} is not a whole number",
        "nul": "contains the NUL character (U+0000), which cannot be stored",
    }[problem]
    if culprit.where == "path":
        return NotFound(f"{culprit.name}: not found ({reason})")
    code = {"nul": "nul_character", "literal": "invalid_input"}.get(problem, "out_of_range")
    return InvalidInput([f"{culprit.name}: {reason}"], code=code)


def _unnamed(problem: Problem) -> DomainError | None:
    if problem == "digits":
        return InvalidInput([f"body: {too_many_digits()}"], code="out_of_range")
    if problem == "nul":  # the app writes no NUL of its own: it came with the request
        return InvalidInput(
            ["a text in the request contains the NUL character (U+0000), which cannot be stored"],
            code="nul_character",
        )
    return None


def _is_culprit(problem: Problem, bound: int, value: object, literal: str) -> bool:
    if problem == "literal":
        return isinstance(value, str) and repr(value)[:200] == literal
    if problem == "nul":
        return isinstance(value, str) and "\x00" in value
    if problem == "digits":
        return isinstance(value, str) and sum(c.isdigit() for c in value) > _max_digits()
    number = _integer(value)
    return number is not None and not -bound <= number < bound


def _integer(value: object) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and _INTEGER.fullmatch(text := value.strip()):
        if len(text) > 40:  # far out of any range, and maybe too long for int()
            return 10**40
        return int(text)
    return None


def _max_digits() -> int:
    return sys.get_int_max_str_digits() or 4300


def _shown(value: object) -> str:
    try:
        text = str(value)
    except ValueError:  # an int beyond the digit limit
        return "a number"
    return text if len(text) <= 30 else f"{text[:20]}… ({len(text)} characters)"


def _raised_in_json(error: BaseException) -> bool:
    """Whether the innermost Python frame of the traceback is in the `json` package."""
    module = ""
    trace = error.__traceback__
    while trace is not None:
        module = str(trace.tb_frame.f_globals.get("__name__", ""))
        trace = trace.tb_next
    return module == "json" or module.startswith("json.")


# --- The values of a request body: JSON (or JSON Lines) leaves, or form fields. ---


def json_values(body: bytes) -> Iterator[Value]:
    """Every key and leaf of a JSON body, or of each line of JSON Lines (what parses)."""
    try:
        data = json.loads(body)
    except (RecursionError, ValueError):
        pass
    else:
        yield from _leaves(data, "body")
        return
    for number, line in enumerate(body.splitlines(), start=1):
        try:
            data = json.loads(line)
        except (RecursionError, ValueError):
            continue
        yield from _leaves(data, f"line {number}:")


def form_values(items: Iterable[tuple[str, Any]]) -> Iterator[Value]:
    for name, value in items:
        yield Value("body", name, name)
        if isinstance(value, str):
            yield Value("body", name, value)


def _leaves(data: Any, root: str) -> Iterator[Value]:
    stack: list[tuple[str, Any]] = [(root, data)]
    while stack:  # no recursion: the JSON may be nested hundreds deep
        path, node = stack.pop()
        joint = " " if path.endswith(":") else ""  # after "line 3:"
        if isinstance(node, dict):
            children = []
            for key, child in node.items():
                child_path = f"{path}{joint or '.'}{key}"
                yield Value("body", child_path, key)
                children.append((child_path, child))
            stack.extend(reversed(children))
        elif isinstance(node, list):
            items = [(f"{path}{joint}[{i}]", child) for i, child in enumerate(node)]
            stack.extend(reversed(items))
        else:
            yield Value("body", path, node)
