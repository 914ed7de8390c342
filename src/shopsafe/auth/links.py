"""Signed, expiring links that sign a person in without a password (notice e-mails)."""

from __future__ import annotations

from dataclasses import dataclass

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from shopsafe.config import get_settings
from shopsafe.kit.errors import Unauthorized

SALT = "shopsafe.notice-link"
DEFAULT_MAX_AGE = 60 * 60 * 24 * 60  # sixty days: reminders go out up to three weeks later


@dataclass(frozen=True)
class LinkClaim:
    customer_id: int
    notice_id: int
    recall_id: int


def _serializer(secret: str | None = None) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret or get_settings().resolved_secret_key(), salt=SALT)


def make_token(claim: LinkClaim, *, secret: str | None = None) -> str:
    return _serializer(secret).dumps([claim.customer_id, claim.notice_id, claim.recall_id])


def read_token(
    token: str, *, max_age: int = DEFAULT_MAX_AGE, secret: str | None = None
) -> LinkClaim:
    try:
        customer, notice, recall = _serializer(secret).loads(token, max_age=max_age)
    except SignatureExpired:
        raise Unauthorized(
            "this link has expired; sign in with your password", code="link_expired"
        ) from None
    except (BadSignature, ValueError, TypeError):
        raise Unauthorized("this link is not valid", code="link_invalid") from None
    return LinkClaim(int(customer), int(notice), int(recall))


def sign_in_url(claim: LinkClaim, *, base_url: str | None = None, secret: str | None = None) -> str:
    """The link in a notice e-mail: signs in and opens that person's recall page."""
    base = (base_url or get_settings().base_url).rstrip("/")
    return f"{base}/login/link?token={make_token(claim, secret=secret)}"
