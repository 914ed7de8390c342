"""Settings from the environment (CONTRACT §3)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from shopsafe.feeds.adapters.base import SOURCES

DEFAULT_VAR = Path("var")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SHOPSAFE_", extra="ignore")

    database_url: str = "sqlite:///var/shopsafe.db"
    smtp_url: str | None = None
    mail_from: str = "Shopsafe <safety@localhost>"
    base_url: str = "http://127.0.0.1:8000"
    secret_key: str | None = None
    var_dir: Path = DEFAULT_VAR
    # Delivery of notices by `shopsafe worker` (docs/adr/0006-…).
    # Days after a notice when reminders go out; "" sends none.
    reminder_days: str = "7,21"
    # Temporary failures (4xx, no connection) before a delivery is given up.
    delivery_max_attempts: int = Field(12, ge=1)
    # Wait before the first retry; it doubles with each try (with jitter) up to the cap.
    delivery_retry_seconds: float = Field(60.0, gt=0)
    delivery_retry_cap_seconds: float = Field(4 * 3600.0, gt=0)
    # A 'sending' claim older than this belongs to a worker that died; it is sent again.
    delivery_claim_timeout_seconds: float = Field(600.0, gt=0)
    # Deliveries claimed, and their outcomes recorded, per transaction.
    worker_batch_size: int = Field(100, ge=1, le=5000)
    # How long an idle worker waits before it looks for due work again.
    worker_poll_seconds: float = Field(2.0, gt=0)
    smtp_timeout_seconds: float = Field(30.0, gt=0)
    # Remedies (docs/adr/0011-…). The shared secret carriers sign their events with
    # (HMAC-SHA256 of the body in X-Shopsafe-Signature); unset: derived from the secret key.
    carrier_secret: str | None = None
    # Whether a seller's recall waits for an operator's approval before it is published.
    seller_recalls_need_approval: bool = False
    # The largest disposal photo a customer may upload.
    disposal_photo_max_bytes: int = Field(5 * 1024 * 1024, ge=1024)
    # Tries before a seller webhook is given up, and the wait before the first retry.
    webhook_max_attempts: int = Field(8, ge=1)
    webhook_retry_seconds: float = Field(30.0, gt=0)
    webhook_timeout_seconds: float = Field(10.0, gt=0)
    # Tests and local development only: seller webhooks may also use http:// and loopback
    # addresses (127.0.0.0/8, ::1). Private and link-local addresses stay refused.
    webhook_allow_localhost: bool = False

    # Authority feeds (docs/adr/0012-…): a catalogue match at or above the automatic
    # threshold prepares a recall by itself (published too when feed_auto_publish is on);
    # at or above the review threshold it waits in the operator's review queue.
    feed_auto_threshold: float = Field(0.9, gt=0, le=1)
    feed_review_threshold: float = Field(0.6, gt=0, le=1)
    feed_auto_publish: bool = False
    # Scheduled pulls by the worker (docs/adr/0016-…): whitespace-separated `source=url`
    # pairs, e.g. "cpsc=https://… fda=https://…", each fetched every feed_pull_hours
    # (conditional GET: an unchanged file is not imported again). "" pulls nothing.
    feed_pulls: str = ""
    feed_pull_hours: float = Field(6.0, gt=0)
    feed_pull_timeout_seconds: float = Field(60.0, gt=0)

    @model_validator(mode="after")
    def _feed_thresholds_in_order(self) -> Settings:
        if self.feed_review_threshold > self.feed_auto_threshold:
            raise ValueError(
                f"SHOPSAFE_FEED_REVIEW_THRESHOLD ({self.feed_review_threshold}) must not be "
                f"above SHOPSAFE_FEED_AUTO_THRESHOLD ({self.feed_auto_threshold})"
            )
        return self

    @field_validator("feed_pulls")
    @classmethod
    def _pull_list(cls, value: str) -> str:
        parse_pulls(value)
        return value

    def feed_pull_list(self) -> tuple[tuple[str, str], ...]:
        """The scheduled pulls as (source, url) pairs."""
        return parse_pulls(self.feed_pulls)

    @field_validator("reminder_days")
    @classmethod
    def _days_list(cls, value: str) -> str:
        parse_days(value)
        return value

    def reminder_schedule(self) -> tuple[int, ...]:
        """Days after the notice when reminders go out, e.g. (7, 21)."""
        return parse_days(self.reminder_days)

    def resolved_carrier_secret(self) -> str:
        """The carriers' shared secret: the configured one, or one derived from the secret key."""
        if self.carrier_secret:
            return self.carrier_secret
        key = self.resolved_secret_key().encode()
        return hmac.new(key, b"shopsafe.carrier-events", hashlib.sha256).hexdigest()

    def resolved_secret_key(self) -> str:
        """The configured key, or one generated once into `var/secret_key`."""
        if self.secret_key:
            return self.secret_key
        path = self.var_dir / "secret_key"
        if path.exists():
            return path.read_text().strip()
        path.parent.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        path.write_text(key + "\n")
        path.chmod(0o600)
        return key


def parse_days(value: str) -> tuple[int, ...]:
    """Parses "7,21" into (7, 21): each a whole number of days ≥ 1, in increasing order."""
    parts = [p.strip() for p in value.split(",") if p.strip()]
    if not all(p.isdigit() and int(p) >= 1 for p in parts):
        raise ValueError(f"reminder days must be whole numbers ≥ 1 separated by commas: {value!r}")
    days = tuple(int(p) for p in parts)
    if list(days) != sorted(set(days)):
        raise ValueError(f"reminder days must increase: {value!r}")
    return days


def parse_pulls(value: str) -> tuple[tuple[str, str], ...]:
    """Parses "cpsc=https://a fda=https://b" into (("cpsc", "https://a"), ("fda", …)),
    naming every entry that is not a known source and an http(s) address."""
    pulls: list[tuple[str, str]] = []
    problems: list[str] = []
    for item in value.split():
        source, _, url = item.partition("=")
        if source not in SOURCES:
            problems.append(f"'{item}': the source must be one of {', '.join(SOURCES)}")
        elif urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).netloc:
            problems.append(f"'{item}': the address must be an http:// or https:// URL with a host")
        elif (source, url) in pulls:
            problems.append(f"'{item}': listed twice")
        else:
            pulls.append((source, url))
    if problems:
        raise ValueError("feed pulls are 'source=url' pairs: " + "; ".join(problems))
    return tuple(pulls)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
