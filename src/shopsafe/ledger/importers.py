"""Reading import files: JSON Lines (or a JSON array) into validated records, with every
problem reported as `line N: field: reason`. Pure: no database."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

Record = TypeVar("Record", bound=BaseModel)
MAX_PROBLEMS = 1000


def field_path(loc: tuple[int | str, ...]) -> str:
    """`('lines', 0, 'gtin')` → `lines[0].gtin`."""
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += ("." if path else "") + str(part)
    return path or "record"


def _reason(error: Any) -> str:
    if error["type"] == "missing":
        return "is required"
    message = str(error["msg"])
    for prefix in ("Value error, ", "Assertion failed, "):
        if message.startswith(prefix):
            message = message[len(prefix) :]
    return message


def describe(number: int, error: ValidationError) -> list[str]:
    return [f"line {number}: {field_path(e['loc'])}: {_reason(e)}" for e in error.errors()]


def parse_records(
    lines: Iterable[str], model: type[Record]
) -> Iterator[tuple[int, Record | None, list[str]]]:
    """Yields (line number, record or None, problems) for every non-blank line."""
    for number, raw in enumerate(lines, start=1):
        text = raw.strip()
        if not text:
            continue
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            yield number, None, [f"line {number}: json: {error.msg} at column {error.colno}"]
            continue
        if not isinstance(data, dict):
            yield number, None, [f"line {number}: record: must be a JSON object"]
            continue
        try:
            yield number, model.model_validate(data), []
        except ValidationError as error:
            yield number, None, describe(number, error)


def parse_objects(
    objects: Iterable[Any], model: type[Record]
) -> Iterator[tuple[int, Record | None, list[str]]]:
    """The same for objects that arrived already decoded (a JSON array in a request)."""
    for number, data in enumerate(objects, start=1):
        if not isinstance(data, dict):
            yield number, None, [f"line {number}: record: must be a JSON object"]
            continue
        try:
            yield number, model.model_validate(data), []
        except ValidationError as error:
            yield number, None, describe(number, error)
