"""Queries for tokens, accounts and web sessions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from shopsafe.auth.models import Account, ApiToken, SignInFailure, WebSession
from shopsafe.ledger.models import Customer, Seller
from shopsafe.notifications.models import RecallNotice


def token_with_seller(session: Session, token_hash: str) -> tuple[ApiToken, Seller | None] | None:
    row = session.execute(
        select(ApiToken, Seller)
        .outerjoin(Seller, Seller.id == ApiToken.seller_id)
        .where(ApiToken.token_hash == token_hash, ApiToken.revoked_at.is_(None))
    ).first()
    return None if row is None else (row[0], row[1])


def seller_by_external(session: Session, external_id: str) -> Seller | None:
    return session.scalars(select(Seller).where(Seller.external_id == external_id)).first()


def account_by_email(session: Session, email: str) -> Account | None:
    return session.scalars(select(Account).where(Account.email == email.lower())).first()


def account_of_customer(session: Session, customer_id: int) -> Account | None:
    return session.scalars(
        select(Account)
        .where(Account.customer_id == customer_id, Account.role == "customer")
        .order_by(Account.id)
    ).first()


def customer_by_pk(session: Session, customer_id: int) -> Customer | None:
    return session.get(Customer, customer_id)


def notice_by_pk(session: Session, notice_id: int) -> RecallNotice | None:
    return session.get(RecallNotice, notice_id)


def add_web_session(session: Session, row: WebSession) -> None:
    session.add(row)
    session.flush()


def web_session_with_account(
    session: Session, token_hash: str, at: datetime
) -> tuple[WebSession, Account, Customer | None] | None:
    """A live session with its account and, for a customer, the customer's ledger row."""
    row = session.execute(
        select(WebSession, Account, Customer)
        .join(Account, Account.id == WebSession.account_id)
        .outerjoin(Customer, Customer.id == Account.customer_id)
        .where(WebSession.token_hash == token_hash, WebSession.expires_at > at)
    ).first()
    return None if row is None else (row[0], row[1], row[2])


def delete_web_session(session: Session, token_hash: str) -> None:
    session.execute(delete(WebSession).where(WebSession.token_hash == token_hash))


def delete_expired_web_sessions(session: Session, account_id: int, at: datetime) -> None:
    session.execute(
        delete(WebSession).where(WebSession.account_id == account_id, WebSession.expires_at <= at)
    )


def sign_in_failures_since(
    session: Session, *, email_key: str, client_key: str, since: datetime
) -> tuple[int, int]:
    """Failed sign-ins since `since`: for this e-mail address, and from this client."""
    count = select(func.count()).select_from(SignInFailure).where(SignInFailure.at >= since)
    by_email = session.scalar(count.where(SignInFailure.email_key == email_key)) or 0
    by_client = session.scalar(count.where(SignInFailure.client_key == client_key)) or 0
    return int(by_email), int(by_client)


def add_sign_in_failure(session: Session, row: SignInFailure, *, forget_before: datetime) -> None:
    session.execute(delete(SignInFailure).where(SignInFailure.at < forget_before))
    session.add(row)


def clear_sign_in_failures(session: Session, email_key: str) -> None:
    session.execute(delete(SignInFailure).where(SignInFailure.email_key == email_key))


def purge_expired(session: Session, *, at: datetime, failures_before: datetime) -> tuple[int, int]:
    """Deletes every expired session and every sign-in failure older than `failures_before`;
    how many of each."""
    sessions = session.execute(delete(WebSession).where(WebSession.expires_at <= at))
    failures = session.execute(delete(SignInFailure).where(SignInFailure.at < failures_before))
    return _count(sessions), _count(failures)


def _count(result: object) -> int:
    return int(getattr(result, "rowcount", 0) or 0)
