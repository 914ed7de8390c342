"""Browser sessions: a random token in an HttpOnly, SameSite=Lax cookie (Secure when the
base URL is https), its SHA-256 digest in `web_sessions`. Signing out deletes the row, so a
copied cookie is worthless afterwards. See ADR 0007."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from shopsafe.auth import repository as repo
from shopsafe.auth.models import Account, WebSession
from shopsafe.auth.service import digest
from shopsafe.config import get_settings
from shopsafe.kit.clock import now

SESSION_COOKIE = "shopsafe_session"
ANONYMOUS_COOKIE = "shopsafe_visitor"  # binds the CSRF token of forms shown before sign-in
LANGUAGE_COOKIE = "shopsafe_lang"
LIFETIME = {"password": timedelta(days=14), "link": timedelta(days=1)}


@dataclass(frozen=True)
class Visitor:
    """Who a signed-in browser belongs to."""

    account_id: int
    email: str
    role: str
    method: str
    session_digest: str
    customer_id: int | None = None
    customer_external_id: str | None = None
    customer_name: str | None = None
    language: str | None = None

    @property
    def is_customer(self) -> bool:
        return self.role == "customer" and self.customer_id is not None

    @property
    def actor(self) -> str:
        """How the audit log names this person."""
        if self.customer_external_id:
            return f"customer:{self.customer_external_id}"
        return f"{self.role}:{self.email}"  # staff: who did it, as the audit log reader knows them


def start(session: Session, *, account: Account, method: str) -> str:
    """A new session for the account; returns the cookie value (shown once)."""
    stamp = now()
    repo.delete_expired_web_sessions(session, account.id, stamp)
    token = secrets.token_urlsafe(32)
    repo.add_web_session(
        session,
        WebSession(
            token_hash=digest(token),
            account_id=account.id,
            method=method,
            created_at=stamp,
            expires_at=stamp + LIFETIME[method],
        ),
    )
    return token


def find(session: Session, token: str | None) -> Visitor | None:
    if not token or len(token) > 200:
        return None
    found = repo.web_session_with_account(session, digest(token), now())
    if found is None:
        return None
    row, account, customer = found
    return Visitor(
        account_id=account.id,
        email=account.email,
        role=account.role,
        method=row.method,
        session_digest=row.token_hash,
        customer_id=customer.id if customer else None,
        customer_external_id=customer.external_id if customer else None,
        customer_name=customer.name if customer else None,
        language=customer.language if customer else None,
    )


def end(session: Session, token: str | None) -> None:
    if token:
        repo.delete_web_session(session, digest(token))


def cookie_options() -> dict[str, Any]:
    """The flags every Shopsafe cookie gets."""
    secure = get_settings().base_url.lower().startswith("https://")
    return {"httponly": True, "samesite": "lax", "secure": secure, "path": "/"}


def max_age(method: str) -> int:
    return int(LIFETIME[method].total_seconds())
