"""The worker's retry policy, SMTP reply classes, settings and the SMTP URL: pure logic."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from shopsafe.config import Settings, parse_days
from shopsafe.kit.errors import InvalidInput
from shopsafe.notifications.backoff import RetryPolicy, classify, delay_seconds, next_try
from shopsafe.notifications.transport import parse_smtp_url

POLICY = RetryPolicy(max_attempts=5, base_seconds=60, cap_seconds=600)


def test_reply_codes_decide_between_done_again_and_never() -> None:
    assert [classify(c) for c in (250, 251, 421, 450, 451, 452, 550, 552, 554)] == [
        "accepted", "accepted", "temporary", "temporary", "temporary", "temporary",
        "permanent", "permanent", "permanent",
    ]  # fmt: skip
    assert classify(None) == "temporary"  # no answer at all: connection refused, reset, timeout


@given(attempts=st.integers(min_value=1, max_value=200), draw=st.floats(0, 0.999999))
def test_the_wait_doubles_up_to_the_cap_and_never_drops_below_half(
    attempts: int, draw: float
) -> None:
    class Fixed(random.Random):
        def random(self) -> float:
            return draw

    ceiling = min(600.0, 60.0 * 2 ** (attempts - 1))
    wait = delay_seconds(attempts, POLICY, Fixed())
    assert ceiling / 2 <= wait <= ceiling


def test_jitter_spreads_retries_of_messages_that_failed_together() -> None:
    rng = random.Random(7)
    waits = [delay_seconds(3, POLICY, rng) for _ in range(200)]
    assert min(waits) >= 120 and max(waits) <= 240
    assert len({round(w) for w in waits}) > 50  # not all at the same moment


def test_growth_between_tries_and_giving_up_at_the_limit() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    rng = random.Random(1)
    firsts = [delay_seconds(1, POLICY, rng) for _ in range(50)]
    thirds = [delay_seconds(3, POLICY, rng) for _ in range(50)]
    assert max(firsts) < min(thirds)
    assert next_try(4, now, POLICY, rng) is not None
    assert next_try(5, now, POLICY, rng) is None
    later = next_try(1, now, POLICY, rng)
    assert later is not None and timedelta(seconds=30) <= later - now <= timedelta(seconds=60)
    with pytest.raises(ValueError):
        delay_seconds(0, POLICY)


def test_reminder_days_are_configurable_and_checked() -> None:
    assert Settings().reminder_schedule() == (7, 21)
    assert Settings(reminder_days="3, 10,30").reminder_schedule() == (3, 10, 30)
    assert Settings(reminder_days="").reminder_schedule() == ()
    assert parse_days("14") == (14,)
    for bad in ("7,x", "0", "21,7", "7,7", "-1"):
        with pytest.raises(ValidationError):
            Settings(reminder_days=bad)


def test_smtp_urls_of_the_contract() -> None:
    plain = parse_smtp_url("smtp://mail.example:2525")
    assert (plain.host, plain.port, plain.tls, plain.username) == (
        "mail.example",
        2525,
        False,
        None,
    )
    secured = parse_smtp_url("smtps://user%40shop:p%3Ass@mail.example")
    assert (secured.port, secured.tls) == (465, True)
    assert (secured.username, secured.password) == ("user@shop", "p:ss")
    assert parse_smtp_url("smtp://localhost").port == 25
    for bad in ("http://mail.example", "smtp://", "mail.example:25", "smtp://host:port"):
        with pytest.raises(InvalidInput):
            parse_smtp_url(bad)
