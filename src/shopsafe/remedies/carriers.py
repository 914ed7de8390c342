"""Carriers behind one interface: book a return parcel, read a tracking event.

A real carrier's adapter calls its API in `book_return` (idempotent by the RMA number, so a
retry books nothing twice) and maps its own status words in `read_event`. The test carrier
books locally: its tracking numbers are `TC`, ten digits of the case id and a check digit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final, Protocol

from shopsafe.kit.clock import as_utc


@dataclass(frozen=True)
class Booking:
    carrier: str
    tracking_number: str


@dataclass(frozen=True)
class TrackingEvent:
    """A carrier's event in our words: `reached` is `in_transit` or `received`, or None
    for an event that does not move a return (e.g. a failed delivery attempt)."""

    carrier: str
    event_id: str
    tracking_number: str
    status: str
    reached: str | None
    at: dt.datetime


class Carrier(Protocol):
    name: str

    def book_return(self, *, rma: str, case_id: int) -> Booking: ...

    def read_event(self, body: Mapping[str, Any]) -> TrackingEvent: ...


def luhn_digit(digits: str) -> str:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char) * (2 if position % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return str((10 - total % 10) % 10)


def _text(body: Mapping[str, Any], name: str, limit: int) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{name}: is required")
    if len(value) > limit:
        raise ValueError(f"{name}: is longer than {limit} characters")
    return value.strip()


class TestCarrier:
    """A carrier for tests and the demo: books locally, reads our own event format."""

    name = "test"
    REACHED: Final = {
        "accepted": "in_transit",
        "picked_up": "in_transit",
        "in_transit": "in_transit",
        "delivered": "received",
        "exception": None,
    }

    def book_return(self, *, rma: str, case_id: int) -> Booking:
        digits = f"{case_id:010d}"
        return Booking(self.name, f"TC{digits}{luhn_digit(digits)}")

    def read_event(self, body: Mapping[str, Any]) -> TrackingEvent:
        status = _text(body, "status", 40)
        if status not in self.REACHED:
            raise ValueError(f"status: must be one of {', '.join(self.REACHED)}")
        at_text = body.get("at")
        try:
            at = as_utc(dt.datetime.fromisoformat(str(at_text))) if at_text else None
        except ValueError:
            raise ValueError(f"at: '{at_text}' is not an ISO 8601 date and time") from None
        return TrackingEvent(
            carrier=self.name,
            event_id=_text(body, "event_id", 100),
            tracking_number=_text(body, "tracking_number", 64).upper(),
            status=status,
            reached=self.REACHED[status],
            at=at or dt.datetime.now(dt.UTC),
        )


CARRIERS: Final[dict[str, Carrier]] = {"test": TestCarrier()}
DEFAULT_CARRIER: Final = "test"


def carrier(name: str) -> Carrier:
    found = CARRIERS.get(name)
    if found is None:
        raise ValueError(f"carrier: '{name}' is not a carrier Shopsafe knows")
    return found
