"""The cursor of a paged list: the id of the last row given out, as text.

One reading for every list, so that a cursor no list could have given out (letters, `²`,
more digits than an id has) is the caller's mistake, named, and never reaches the database.
"""

from __future__ import annotations

from shopsafe.kit.errors import InvalidInput
from shopsafe.kit.limits import INT64_MAX


def parse_cursor(cursor: str | None, *, field: str = "cursor") -> int:
    """The row id in `cursor`; 0 when there is none (the first page)."""
    if not cursor:
        return 0
    if not (cursor.isascii() and cursor.isdigit()):
        raise InvalidInput([f"{field}: '{cursor[:40]}' is not a cursor this API gave out"])
    if len(cursor) > 19 or int(cursor) > INT64_MAX:
        raise InvalidInput([f"{field}: {cursor[:40]} is out of range"])
    return int(cursor)
