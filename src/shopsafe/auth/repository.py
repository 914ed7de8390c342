"""Queries for tokens and accounts."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from shopsafe.auth.models import Account, ApiToken
from shopsafe.ledger.models import Seller


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
