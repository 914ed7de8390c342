"""What the seller and operator consoles share: who is signed in (a seller's or an
operator's account), rendering in the visitor's language (the shared catalogue in
`web/locale`), and the stylesheet."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from shopsafe.auth.models import Account
from shopsafe.auth.schemas import Principal
from shopsafe.kit.errors import Forbidden
from shopsafe.remedies import repository as repo
from shopsafe.web import i18n
from shopsafe.web.deps import DbSession, FormPage, PageContext, SignInRequired
from shopsafe.web.rendering import Page, make_templates, render

HERE = Path(__file__).parent
templates = make_templates(HERE / "templates")
STYLESHEET = HERE / "static" / "console.css"


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


def _account(session: Session, page: Page, request: Request, role: str) -> Account:
    if page.visitor is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise SignInRequired(target if request.method == "GET" else "/login")
    account = session.get(Account, page.visitor.account_id)
    if account is None or account.role != role:
        raise Forbidden(f"these pages are for {role}s")
    return account


def _seller(session: Session, page: Page, request: Request) -> Console:
    account = _account(session, page, request, "seller")
    seller = repo.seller(session, account.seller_id)
    if seller is None:
        raise Forbidden("this account belongs to no seller")
    principal = Principal(role="seller", seller_id=seller.id, seller_external_id=seller.external_id)
    return Console(page, principal, "/seller", f"seller:{seller.external_id}")


def _operator(session: Session, page: Page, request: Request) -> Console:
    account = _account(session, page, request, "operator")
    return Console(page, Principal(role="operator"), "/operator", f"operator:{account.email}")


def seller_page(request: Request, page: PageContext, session: DbSession) -> Console:
    return _seller(session, page, request)


def seller_form(request: Request, page: FormPage, session: DbSession) -> Console:
    return _seller(session, page, request)


def operator_page(request: Request, page: PageContext, session: DbSession) -> Console:
    return _operator(session, page, request)


def operator_form(request: Request, page: FormPage, session: DbSession) -> Console:
    return _operator(session, page, request)


SellerPage = Annotated[Console, Depends(seller_page)]
SellerForm = Annotated[Console, Depends(seller_form)]
OperatorPage = Annotated[Console, Depends(operator_page)]
OperatorForm = Annotated[Console, Depends(operator_form)]


def translate(language: str, message: str, **variables: Any) -> str:
    """A page text in `language`, for texts made in Python (the chart's legend)."""
    text: str = i18n.translations(language).gettext(message)
    return text % variables if variables else text


def show(
    page: Page, name: str, context: dict[str, Any] | None = None, *, status_code: int = 200
) -> HTMLResponse:
    """Renders a console or remedy page in the visitor's language."""
    return render(templates, page, name, context, status_code=status_code)
