"""API tokens and accounts: creation, checking, passwords (argon2)."""

from __future__ import annotations

import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import VerificationError
from sqlalchemy.orm import Session

from shopsafe.auth import repository as repo
from shopsafe.auth.models import Account, ApiToken
from shopsafe.auth.schemas import Principal, Role
from shopsafe.kit.clock import now
from shopsafe.kit.errors import InvalidInput, Unauthorized

TOKEN_PREFIX = "ssk_"
_hasher = PasswordHasher()


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(
    session: Session, *, role: Role, seller_external_id: str | None = None, label: str | None = None
) -> str:
    """A new token; only its digest is stored, so it is shown once."""
    seller_pk: int | None = None
    if role == "seller":
        if not seller_external_id:
            raise InvalidInput(["--seller-id: a seller token needs the seller's id"])
        seller = repo.seller_by_external(session, seller_external_id)
        if seller is None:
            raise InvalidInput([f"--seller-id: no seller '{seller_external_id}' in the ledger"])
        seller_pk = seller.id
    elif seller_external_id:
        raise InvalidInput(["--seller-id: only a seller token takes a seller id"])
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(
        ApiToken(
            token_hash=digest(token), role=role, seller_id=seller_pk, label=label, created_at=now()
        )
    )
    session.flush()
    return token


def authenticate(session: Session, token: str) -> Principal:
    found = repo.token_with_seller(session, digest(token))
    if found is None:
        raise Unauthorized("unknown or revoked API token", code="invalid_token")
    api_token, seller = found
    if api_token.role == "seller" and seller is not None:
        return Principal(role="seller", seller_id=seller.id, seller_external_id=seller.external_id)
    return Principal(role="operator")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except VerificationError:
        return False


def create_account(
    session: Session,
    *,
    email: str,
    password: str,
    role: str,
    customer_id: int | None = None,
    seller_id: int | None = None,
) -> Account:
    account = repo.account_by_email(session, email)
    if account is None:
        account = Account(email=email.lower(), role=role, created_at=now())
        session.add(account)
    account.password_hash = hash_password(password)
    account.role = role
    account.customer_id = customer_id
    account.seller_id = seller_id
    session.flush()
    return account
