"""API tokens and accounts: creation, checking, passwords (argon2), notice links."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import VerificationError
from sqlalchemy.orm import Session

from shopsafe.auth import links
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


# A hash to verify against when no account has the e-mail address, so that a wrong address
# takes as long as a wrong password and answers do not reveal who has an account.
_NOBODY = _hasher.hash("shopsafe: no such account")


def check_password(session: Session, *, email: str, password: str) -> Account | None:
    """The account whose e-mail and password these are, or None (same time either way)."""
    account = repo.account_by_email(session, email.strip())
    if account is None or not account.password_hash:
        verify_password(_NOBODY, password)
        return None
    if not verify_password(account.password_hash, password):
        return None
    if _hasher.check_needs_rehash(account.password_hash):
        account.password_hash = hash_password(password)
    return account


@dataclass(frozen=True)
class LinkSignIn:
    """Where a notice link leads: a customer's account to sign in, or (for a gift recipient,
    who must not see the buyer's orders) only the public notice."""

    recall_id: int
    account: Account | None


def check_link(session: Session, *, token: str) -> LinkSignIn:
    """Reads a notice link (`links.read_token`) and finds the customer account it signs in,
    creating a password-less account for a customer who has none yet."""
    claim = links.read_token(token)
    notice = repo.notice_by_pk(session, claim.notice_id)
    if (
        notice is None
        or notice.customer_id != claim.customer_id
        or notice.recall_id != claim.recall_id
    ):
        raise Unauthorized("this link is not valid", code="link_invalid")
    if notice.role not in SIGN_IN_ROLES:
        return LinkSignIn(recall_id=claim.recall_id, account=None)
    account = repo.account_of_customer(session, claim.customer_id)
    if account is None:
        account = _account_for_customer(session, claim.customer_id)
    return LinkSignIn(recall_id=claim.recall_id, account=account)


# The people a notice link signs in as the customer: the buyer, and the admin addresses a
# business buyer gave the shop. A gift recipient is not the customer.
SIGN_IN_ROLES = ("buyer", "admin")


def _account_for_customer(session: Session, customer_id: int) -> Account:
    customer = repo.customer_by_pk(session, customer_id)
    if customer is None:
        raise Unauthorized("this link is not valid", code="link_invalid")
    taken = repo.account_by_email(session, customer.email)
    if taken is not None:
        # The address belongs to another kind of account: do not merge them silently.
        raise Unauthorized("please sign in with your password", code="link_needs_password")
    account = Account(
        email=customer.email.lower(), role="customer", customer_id=customer.id, created_at=now()
    )
    session.add(account)
    session.flush()
    return account
