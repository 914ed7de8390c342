"""The sign-in throttle: password guessing is slowed down per e-mail address and per client.

After `PER_ADDRESS` wrong passwords for one address within `WINDOW`, or `PER_CLIENT` from
one client (any addresses), sign-in with a password is refused with 429 until the window
has passed, whether the password is right or not (so the answer tells a guesser nothing).
A successful sign-in forgets the address's failures. Only keyed digests of the address and
of the client are stored. The link in a notice e-mail is signed and does not count.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from shopsafe.auth import repository as repo
from shopsafe.auth.models import SignInFailure
from shopsafe.config import get_settings
from shopsafe.kit.errors import DomainError

WINDOW = timedelta(minutes=15)
PER_ADDRESS = 10
PER_CLIENT = 50


class TooManySignIns(DomainError):
    status_code = 429
    code = "too_many_sign_ins"


def _key(kind: str, value: str) -> str:
    secret = get_settings().resolved_secret_key().encode()
    return hmac.new(secret, f"sign-in-{kind}:{value}".encode(), hashlib.sha256).hexdigest()


def keys(email: str, client: str) -> tuple[str, str]:
    return _key("email", email.strip().lower()), _key("client", client)


def check(session: Session, *, email: str, client: str, at: datetime) -> None:
    """Raises `TooManySignIns` while the address or the client is throttled."""
    email_key, client_key = keys(email, client)
    by_email, by_client = repo.sign_in_failures_since(
        session, email_key=email_key, client_key=client_key, since=at - WINDOW
    )
    if by_email >= PER_ADDRESS or by_client >= PER_CLIENT:
        minutes = int(WINDOW.total_seconds() // 60)
        raise TooManySignIns(
            f"too many failed sign-ins; please wait {minutes} minutes and try again"
        )


def failed(session: Session, *, email: str, client: str, at: datetime) -> None:
    email_key, client_key = keys(email, client)
    row = SignInFailure(email_key=email_key, client_key=client_key, at=at)
    repo.add_sign_in_failure(session, row, forget_before=at - WINDOW)


def succeeded(session: Session, *, email: str) -> None:
    email_key, _ = keys(email, "")
    repo.clear_sign_in_failures(session, email_key)
