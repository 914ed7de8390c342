"""The remedy state machine (pure: no database). docs/adr/0011.

Every remedy starts `requested`. Returns go `label_issued → in_transit → received`, then
the remedy is delivered (`refunded`, `replaced` or `repaired`) and the case is `closed`.
A repair is either a return or a kit sent to the customer (`kit_shipped → repaired`).
Refund-after-disposal (`dispose`): the customer sends a photo of the destroyed product
(`photo_submitted`); the seller or an operator accepts it by refunding, or rejects it
(`photo_rejected`), and the customer may send another.

Each transition names who may make it: `customer`, `carrier` (signed tracking events),
`staff` (the seller or an operator) or `system` (Shopsafe itself, e.g. the label issued when
a case that needs a return is opened). Anything not listed is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

Remedy = Literal["refund", "replacement", "repair", "dispose"]
Actor = Literal["customer", "carrier", "staff", "system"]

REMEDIES: Final = ("refund", "replacement", "repair", "dispose")
STATES: Final = (
    "requested",
    "label_issued",
    "in_transit",
    "received",
    "kit_shipped",
    "photo_submitted",
    "photo_rejected",
    "refunded",
    "replaced",
    "repaired",
    "closed",
)
COMPLETED: Final = frozenset({"refunded", "replaced", "repaired", "closed"})
# The units are out of the customer's hands, destroyed, or made safe.
CORRECTED: Final = COMPLETED | {"received"}
RETURN_PATH: Final = ("label_issued", "in_transit", "received")
DELIVERED: Final = {"refund": "refunded", "replacement": "replaced", "repair": "repaired"}

_STAFF: Final = frozenset({"staff"})
_CARRIER: Final = frozenset({"carrier", "staff"})
_OPENING: Final = frozenset({"system", "staff"})


def _return(remedy: str) -> dict[tuple[str, str], frozenset[str]]:
    done = DELIVERED[remedy]
    return {
        ("requested", "label_issued"): _OPENING,
        ("label_issued", "in_transit"): _CARRIER,
        ("in_transit", "received"): _CARRIER,
        ("received", done): _STAFF | {"system"},
        (done, "closed"): _STAFF,
    }


TRANSITIONS: Final[dict[str, dict[tuple[str, str], frozenset[str]]]] = {
    "refund": _return("refund"),
    "replacement": _return("replacement"),
    "repair": {
        **_return("repair"),
        ("requested", "kit_shipped"): _STAFF,
        ("kit_shipped", "repaired"): _STAFF | {"customer"},
    },
    "dispose": {
        ("requested", "photo_submitted"): frozenset({"customer"}),
        ("photo_rejected", "photo_submitted"): frozenset({"customer"}),
        ("photo_submitted", "photo_rejected"): _STAFF,
        ("photo_submitted", "refunded"): _STAFF,
        ("refunded", "closed"): _STAFF,
    },
}


class TransitionRefused(Exception):
    """The state machine does not allow this step; `reason` says why in words."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Step:
    before: str
    after: str


def is_state(name: str) -> bool:
    return name in STATES


def allowed(remedy: str, current: str, actor: Actor) -> list[str]:
    """The states `actor` may move a case in `current` to."""
    table = TRANSITIONS.get(remedy, {})
    return [to for (frm, to), who in table.items() if frm == current and actor in who]


def check(remedy: str, current: str, to: str, actor: Actor) -> Step:
    """The step from `current` to `to`, or `TransitionRefused` with the reason."""
    if remedy not in TRANSITIONS:
        raise TransitionRefused(f"unknown remedy '{remedy}'")
    if not is_state(to):
        raise TransitionRefused(f"'{to}' is not a state of a remedy case")
    who = TRANSITIONS[remedy].get((current, to))
    if who is None:
        nexts = sorted({t for (f, t) in TRANSITIONS[remedy] if f == current})
        options = ", ".join(nexts) if nexts else "nothing (the case is finished)"
        raise TransitionRefused(
            f"a {remedy} case cannot go from {current} to {to}; from {current} it can go to "
            f"{options}"
        )
    if actor not in who:
        raise TransitionRefused(f"{actor} cannot move a {remedy} case from {current} to {to}")
    return Step(current, to)


def needs_return(remedy: str) -> bool:
    """Whether opening the case issues a return label at once."""
    return remedy in ("refund", "replacement")


def carrier_path(remedy: str, current: str, reached: str) -> list[str]:
    """The states a carrier scan moves a case through: a `received` scan for a parcel only
    `label_issued` moves it through `in_transit` too (carriers skip scans). Nothing when the
    case is already there or past it (late or repeated events)."""
    if remedy not in DELIVERED or current not in RETURN_PATH or reached not in RETURN_PATH:
        return []
    here, there = RETURN_PATH.index(current), RETURN_PATH.index(reached)
    return list(RETURN_PATH[here + 1 : there + 1])
