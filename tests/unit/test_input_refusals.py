"""The kit's checks of input: text without control characters, web addresses, reading a JSON
body, and which low-level errors are the caller's bad input (`kit.refusals`)."""

from __future__ import annotations

import json
import re
import sqlite3

import pytest
from pydantic_core import PydanticCustomError
from sqlalchemy.exc import DataError

from shopsafe.kit import json_input, refusals, text
from shopsafe.kit.errors import InvalidInput, NotFound
from shopsafe.kit.refusals import Value


@pytest.mark.parametrize("value", ["plain", "tab\tand\nlines\r\n", "Grüße – ✓", ""])
def test_plain_text(value: str) -> None:
    assert text.check_plain(value) == value


@pytest.mark.parametrize(
    ("value", "named"),
    [("a\x00b", "the NUL character"), ("\x07", "U+0007"), ("x\x1b[0m", "U+001B"),
     ("\x0b", "U+000B"), ("\x1f", "U+001F")],
)  # fmt: skip
def test_control_characters(value: str, named: str) -> None:
    with pytest.raises(PydanticCustomError, match=re.escape(named)):
        text.check_plain(value)


@pytest.mark.parametrize(
    ("value", "ok"),
    [("https://example.com/a.jpg", True), ("http://example.com", True),
     ("HTTPS://EXAMPLE.COM/A b.png", True), ("https://[2001:db8::1]/x", True),
     ("javascript:alert(1)", False), ("file:///etc/passwd", False), ("data:image/png,AA", False),
     ("//example.com/a.jpg", False), ("https://", False), ("https:///a", False),
     ("http://[::1/a", False), ("https://a.com:70000/", False), ("ftp://a.com/x", False),
     ("https://a.com/\nx", False), ("java\tscript:alert(1)", False)],
)  # fmt: skip
def test_web_addresses(value: str, ok: bool) -> None:
    assert text.is_web_address(value) is ok


def test_json_input() -> None:
    assert json_input.loads(b"") is None
    assert json_input.loads(b'{"a": [1]}') == {"a": [1]}
    for body, problem in [
        (b"[" * 5000 + b"]" * 5000, "body: the JSON is nested too deeply"),
        (b"1" * 5000, "body: a number has more than 4300 digits"),
        (b"{", "body: not valid JSON"),
        (b"\xff\xfe\xfa", "body: not valid JSON"),
    ]:
        with pytest.raises(InvalidInput) as raised:
            json_input.loads(body)
        assert raised.value.problems[0].startswith(problem)


def _overflow() -> OverflowError:
    try:
        sqlite3.connect(":memory:").execute("select ?", (10**30,))
    except OverflowError as error:
        return error
    raise AssertionError("sqlite3 took a 100-bit integer")


def _recursion() -> RecursionError:
    try:
        json.loads("[" * 100_000)
    except RecursionError as error:
        return error
    raise AssertionError("json read 100000 levels")


class _PgError(Exception):
    sqlstate = "22003"


def test_which_errors_are_refused_input() -> None:
    assert refusals.problem_of(_overflow()) == ("integer", 2**63)
    pg = DataError("SELECT", {}, _PgError("integer out of range"))
    assert refusals.problem_of(pg) == ("integer", 2**31)
    bigint = DataError("SELECT", {}, _PgError("bigint out of range"))
    assert refusals.problem_of(bigint) == ("integer", 2**63)
    nul = DataError("SELECT", {}, Exception("PostgreSQL text fields cannot contain NUL (0x00)"))
    assert refusals.problem_of(nul) == ("nul", 0)
    assert refusals.problem_of(_recursion()) == ("nesting", 0)
    assert refusals.problem_of(RecursionError("a bug of ours")) is None
    assert refusals.problem_of(OverflowError("math range error")) is None
    assert refusals.problem_of(ValueError("not ours")) is None
    try:
        int("²")
    except ValueError as error:
        found = refusals.refusal(error, [Value("query", "cursor", "1"), Value("query", "c", "²")])
        assert isinstance(found, InvalidInput) and found.problems == ["c: ² is not a whole number"]


def test_the_value_to_blame() -> None:
    big = "99999999999999999999999"
    values = [Value("path", "recall_id", 5), Value("query", "cursor", big)]
    found = refusals.refusal(_overflow(), values)
    assert isinstance(found, InvalidInput) and found.problems == [f"cursor: {big} is out of range"]
    found = refusals.refusal(_overflow(), [Value("path", "recall_id", int(big)), *values])
    assert (
        isinstance(found, NotFound)
        and found.detail == f"recall_id: not found ({big} is out of range)"
    )
    # Nothing in the request explains it (stored data, a bug): no refusal, a 500.
    assert refusals.refusal(_overflow(), [Value("path", "recall_id", 5)]) is None
    digits = ValueError("Exceeds the limit (4300 digits) for integer string conversion")
    found = refusals.refusal(digits, [Value("query", "before", "9" * 5000)])
    assert isinstance(found, InvalidInput)
    assert found.problems == ["before: 99999999999999999999… (5000 characters) has more than "
                              "4300 digits"]  # fmt: skip


def test_json_and_form_values() -> None:
    body = b'{"lines": [{"name": "a\\u0000"}], "id": 12345678901234567890}'
    leaves = {(v.name, v.value) for v in refusals.json_values(body)}
    assert ("body.lines[0].name", "a\x00") in leaves and ("body.id", 12345678901234567890) in leaves
    lines = {(v.name, v.value) for v in refusals.json_values(b'{"a": 1}\n[{"b": "x"}]\n')}
    assert lines >= {("line 1: a", 1), ("line 2: [0].b", "x")}
    assert list(refusals.json_values(b"\x89PNG\r\n\x1a\n")) == []
    form = {(v.name, v.value) for v in refusals.form_values([("note", "a\x00"), ("f", object())])}
    assert ("note", "a\x00") in form
