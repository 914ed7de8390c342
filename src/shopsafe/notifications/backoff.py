"""What to do after a try: the retry policy of the worker. Pure: no database, no network.

A mail server's answer decides: a 2xx reply means accepted; a 4xx reply or no answer at all
(connection refused, reset, timed out) is temporary and tried again later with exponential
backoff and jitter, up to a limit; a 5xx reply is permanent and ends the delivery.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

Outcome = Literal["accepted", "temporary", "permanent"]


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 12
    base_seconds: float = 60.0
    cap_seconds: float = 4 * 3600.0


def classify(code: int | None) -> Outcome:
    """The outcome of an SMTP reply code; `None` means no answer (a connection problem)."""
    if code is None:
        return "temporary"
    if 200 <= code < 400:
        return "accepted"
    if 500 <= code < 600:
        return "permanent"
    return "temporary"


def delay_seconds(attempts: int, policy: RetryPolicy, rng: random.Random | None = None) -> float:
    """How long to wait after the `attempts`-th failed try (1, 2, …).

    The ceiling doubles with every try, from `base_seconds` up to `cap_seconds`; the wait is
    drawn from its upper half ("equal jitter"), so retries of many messages that failed at
    the same moment spread out but never come back sooner than half the ceiling.
    """
    if attempts < 1:
        raise ValueError("attempts counts from 1")
    ceiling = min(policy.cap_seconds, policy.base_seconds * 2.0 ** min(attempts - 1, 62))
    draw = (rng or random).random()
    return ceiling / 2 + draw * ceiling / 2


def next_try(
    attempts: int, now: datetime, policy: RetryPolicy, rng: random.Random | None = None
) -> datetime | None:
    """When to try again after `attempts` failed tries, or `None` when it is time to give up."""
    if attempts >= policy.max_attempts:
        return None
    return now + timedelta(seconds=delay_seconds(attempts, policy, rng))
