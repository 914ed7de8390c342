"""Feed adapters: each turns one authority's file into `FeedEntry`s and the records it could
not use (`Reject`, with the record's position), or refuses the file (`MalformedFeed`)."""

from __future__ import annotations

from collections.abc import Callable

from shopsafe.feeds.adapters import cpsc, cpsc_csv, fda, safety_gate
from shopsafe.feeds.adapters.base import SOURCES, FeedEntry, MalformedFeed, ParsedFeed, Reject

PARSERS: dict[str, Callable[[bytes], ParsedFeed]] = {
    cpsc.SOURCE: cpsc.parse,
    cpsc_csv.SOURCE: cpsc_csv.parse,
    fda.SOURCE: fda.parse,
    safety_gate.SOURCE: safety_gate.parse,
}
assert tuple(PARSERS) == SOURCES


def parse(source: str, data: bytes) -> ParsedFeed:
    """The file's usable entries and its rejects. An id that occurs twice keeps the entry
    with the later publish date; the other is rejected, naming the one that was kept."""
    if source not in PARSERS:
        raise MalformedFeed([f"SOURCE: '{source}' is not one of {', '.join(SOURCES)}"])
    parsed = PARSERS[source](data)
    kept: dict[str, int] = {}
    entries: list[FeedEntry] = []
    for entry in parsed.entries:
        earlier = kept.get(entry.source_id)
        if earlier is None:
            kept[entry.source_id] = len(entries)
            entries.append(entry)
            continue
        first = entries[earlier]
        newer, older = (entry, first) if entry.published_at > first.published_at else (first, entry)
        entries[earlier] = newer
        parsed.rejects.append(
            Reject(older.position, older.source_id, f"the same id as {newer.position}")
        )
    parsed.entries = entries
    return parsed
