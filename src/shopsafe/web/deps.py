"""Request dependencies: one transaction per request, the API token's holder, and for
pages the signed-in visitor, language and CSRF check, and the operator console's check
(signed in with an operator's account)."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from shopsafe.auth import csrf, sessions
from shopsafe.auth import service as auth_service
from shopsafe.auth.models import Account
from shopsafe.auth.schemas import Principal
from shopsafe.auth.sessions import Visitor
from shopsafe.db.session import session_factory
from shopsafe.kit.errors import Forbidden, Unauthorized
from shopsafe.web import i18n
from shopsafe.web.rendering import Page

_bearer = HTTPBearer(auto_error=False, description="A token from `shopsafe tokens create`.")


def request_session(request: Request) -> Iterator[Session]:
    """The request's transaction: committed when the handler returns, before the response
    is sent; rolled back on any error."""
    engine: Engine = request.app.state.engine
    session = session_factory(engine)()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


DbSession = Annotated[Session, Depends(request_session, scope="function")]


def api_principal(
    session: DbSession,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthorized("an API token is required: Authorization: Bearer <token>")
    return auth_service.authenticate(session, credentials.credentials)


ApiPrincipal = Annotated[Principal, Depends(api_principal)]


def operator_principal(principal: ApiPrincipal) -> Principal:
    if not principal.is_operator:
        raise Forbidden("this needs an operator token")
    return principal


OperatorPrincipal = Annotated[Principal, Depends(operator_principal)]


# Pages: who the browser belongs to, the page context, CSRF, sign-in.


def page_visitor(request: Request, session: DbSession) -> Visitor | None:
    return sessions.find(session, request.cookies.get(sessions.SESSION_COOKIE))


PageVisitor = Annotated[Visitor | None, Depends(page_visitor)]


def page_context(request: Request, visitor: PageVisitor) -> Page:
    asked = request.query_params.get("lang")
    language = i18n.choose(
        query=asked,
        cookie=request.cookies.get(sessions.LANGUAGE_COOKIE),
        customer=visitor.language if visitor else None,
        accept_language=request.headers.get("accept-language"),
    )
    binding = visitor.session_digest if visitor else request.cookies.get(sessions.ANONYMOUS_COOKIE)
    page = Page(request=request, visitor=visitor, language=language, csrf_binding=binding or "")
    if not binding:
        page.csrf_binding = secrets.token_urlsafe(32)
        page.cookies[sessions.ANONYMOUS_COOKIE] = (page.csrf_binding, None)
    if i18n.supported(asked):
        page.cookies[sessions.LANGUAGE_COOKIE] = (language, 365 * 24 * 3600)
    return page


PageContext = Annotated[Page, Depends(page_context)]


async def checked_form(request: Request, page: PageContext) -> Page:
    """The page context of a form POST, after the CSRF check (403 when it fails)."""
    form = await request.form()
    token = form.get(csrf.FIELD)
    sent_binding = (
        page.visitor.session_digest
        if page.visitor
        else request.cookies.get(sessions.ANONYMOUS_COOKIE)
    )
    csrf.check(
        token=token if isinstance(token, str) else None,
        binding=sent_binding,
        origin=request.headers.get("origin"),
        host=request.headers.get("host", ""),
    )
    return page


FormPage = Annotated[Page, Depends(checked_form)]


class SignInRequired(Exception):
    """The page needs a signed-in customer; the answer is a redirect to the sign-in page."""

    def __init__(self, next_url: str) -> None:
        super().__init__(next_url)
        self.next_url = next_url


def customer_page(request: Request, page: PageContext) -> Page:
    """The page context of a customer page: signed in as a customer, or sent to sign in."""
    if page.visitor is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise SignInRequired(target)
    if not page.visitor.is_customer:
        raise Forbidden("these pages are for customers; you are signed in as staff")
    return page


CustomerPage = Annotated[Page, Depends(customer_page)]


def customer_form(page: FormPage) -> Page:
    if page.visitor is None or not page.visitor.is_customer:
        raise SignInRequired("/login")
    return page


CustomerForm = Annotated[Page, Depends(customer_form)]


# Console pages: a signed-in seller's or operator's account (the seller's side, which needs
# the seller's row, is `remedies.console`).


@dataclass(frozen=True)
class Console:
    """A signed-in seller or operator on a console page."""

    page: Page
    principal: Principal
    prefix: str  # "/seller" or "/operator"
    actor: str

    @property
    def language(self) -> str:
        return self.page.language


def console_account(session: Session, page: Page, request: Request, role: str) -> Account:
    """The visitor's account when it has `role`; sent to sign in when nobody is signed in."""
    if page.visitor is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise SignInRequired(target if request.method == "GET" else "/login")
    account = session.get(Account, page.visitor.account_id)
    if account is None or account.role != role:
        raise Forbidden(f"these pages are for {role}s")
    return account


def _operator(session: Session, page: Page, request: Request) -> Console:
    account = console_account(session, page, request, "operator")
    actor = f"operator:{account.email}"
    return Console(page, Principal(role="operator", name=actor), "/operator", actor)


def operator_page(request: Request, page: PageContext, session: DbSession) -> Console:
    """Lets only operators into the /operator/ pages."""
    return _operator(session, page, request)


def operator_form(request: Request, page: FormPage, session: DbSession) -> Console:
    """An operator's form POST, after the CSRF check."""
    return _operator(session, page, request)


OperatorPage = Annotated[Console, Depends(operator_page)]
OperatorForm = Annotated[Console, Depends(operator_form)]
