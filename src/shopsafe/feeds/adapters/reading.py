"""Reading a feed file: UTF-8 text, JSON with the position of the record where it breaks.

Every error names where it is (`record N`, `line L`), so that whoever fixes the file finds
the spot without guessing.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from typing import Any

from shopsafe.feeds.adapters.base import FeedEntry, MalformedFeed, ParsedFeed, Reject

_DECODER = json.JSONDecoder()
_WS = re.compile(r"\s*")
MAX_PROBLEMS = 50


def decode(data: bytes, *, records_keys: tuple[str, ...] | None = None) -> str:
    """The file as text; a byte that is not UTF-8 is reported with its line (and, for JSON,
    the record it is in)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        where = f"line {line}"
        if records_keys is not None:
            text = data.decode("utf-8-sig", errors="replace")
            offset = len(data[: error.start].decode("utf-8-sig", errors="replace"))
            number = record_at(text, offset, records_keys)
            if number is not None:
                where = f"record {number} (line {line})"
        byte = data[error.start]
        raise MalformedFeed(
            [
                f"{where}: the file is not UTF-8 (byte 0x{byte:02x} at offset {error.start}); "
                "save it as UTF-8 and import it again"
            ]
        ) from None


def _array_start(text: str, records_keys: tuple[str, ...]) -> int | None:
    for key in records_keys:
        if key == "":
            index = _WS.match(text).end()  # type: ignore[union-attr]
            if text[index : index + 1] == "[":
                return index
            continue
        found = re.search(r'"' + re.escape(key) + r'"\s*:\s*\[', text)
        if found:
            return found.end() - 1
    return None


def record_at(text: str, offset: int, records_keys: tuple[str, ...]) -> int | None:
    """The 1-based number of the record (an element of the records array) that contains
    `offset`, or that breaks before reaching it. The records array is the top-level array
    (key "") or the array under the first of `records_keys` found."""
    start = _array_start(text, records_keys)
    if start is None or offset < start:
        return None
    index, number = start + 1, 0
    while True:
        index = _WS.match(text, index).end()  # type: ignore[union-attr]
        if index >= offset or text[index : index + 1] == "]":
            return number + 1 if index >= offset else None
        try:
            _value, end = _DECODER.raw_decode(text, index)
        except json.JSONDecodeError:
            return number + 1
        number += 1
        if end > offset:
            return number
        index = _WS.match(text, end).end()  # type: ignore[union-attr]
        if text[index : index + 1] == ",":
            index += 1


def load_json(data: bytes, *, records_keys: tuple[str, ...]) -> Any:
    """The parsed JSON document; on a syntax error, the record and line where it breaks."""
    text = decode(data, records_keys=records_keys)
    if not text.strip():
        raise MalformedFeed(["file: is empty"])
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        number = record_at(text, error.pos, records_keys)
        where = f"record {number} (line {error.lineno}, column {error.colno})"
        if number is None:
            where = f"line {error.lineno}, column {error.colno}"
        ending = ""
        if not text.rstrip().endswith(("]", "}")):
            ending = "; the file ends before the JSON is closed (cut off while copying?)"
        raise MalformedFeed([f"{where}: not valid JSON: {error.msg}{ending}"]) from None


def check(problems: list[str]) -> None:
    """Refuses the file when any record could not be identified (every problem listed)."""
    if problems:
        shown = problems[:MAX_PROBLEMS]
        if len(problems) > MAX_PROBLEMS:
            shown.append(f"… and {len(problems) - MAX_PROBLEMS} more problems")
        raise MalformedFeed(shown)


def collect(
    records: Iterable[tuple[str, Any]],
    *,
    missing_id: Callable[[dict[str, Any]], str | None],
    entry: Callable[[dict[str, Any], str], FeedEntry | Reject],
) -> ParsedFeed:
    """Each (position, record) becomes an entry or a reject. A record that is not an object,
    or that `missing_id` finds without its id, is a problem of the whole file: the file is
    refused with every such problem named, and nothing of it is kept."""
    problems: list[str] = []
    parsed = ParsedFeed()
    for position, record in records:
        if not isinstance(record, dict):
            problems.append(f"{position}: expected an object, found {type(record).__name__}")
            continue
        problem = missing_id(record)
        if problem:
            problems.append(f"{position}: {problem}")
            continue
        made = entry(record, position)
        if isinstance(made, Reject):
            parsed.rejects.append(made)
        else:
            parsed.entries.append(made)
    check(problems)
    return parsed


def numbered(records: Iterable[Any]) -> Iterable[tuple[str, Any]]:
    """The records of a JSON feed with their positions, `record 1` onwards."""
    return ((f"record {index}", record) for index, record in enumerate(records, start=1))


def records_of(document: Any, *, keys: tuple[str, ...], what: str) -> list[Any]:
    """The list of records: the document itself, or the list under one of `keys`."""
    if isinstance(document, list):
        return document
    if isinstance(document, dict):
        for key in keys:
            value = document.get(key)
            if isinstance(value, list):
                return value
    found = type(document).__name__
    named = " or ".join(f'"{k}"' for k in keys)
    raise MalformedFeed(
        [f"file: expected {what} (a JSON array, or an object with {named}), found {found}"]
    )
