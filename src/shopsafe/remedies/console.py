"""What the seller console needs: who is signed in (a seller's account; the operator's
check, `OperatorPage`, and `Console` live in `web/deps.py`), rendering in the visitor's
language (the shared catalogue in `web/locale`), and the stylesheet."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from shopsafe.auth.schemas import Principal
from shopsafe.kit.errors import Forbidden
from shopsafe.remedies import repository as repo
from shopsafe.web import i18n
from shopsafe.web.deps import Console, DbSession, FormPage, PageContext, console_account
from shopsafe.web.rendering import Page, make_templates, render

HERE = Path(__file__).parent
templates = make_templates(HERE / "templates")
STYLESHEET = HERE / "static" / "console.css"


def _seller(session: Session, page: Page, request: Request) -> Console:
    account = console_account(session, page, request, "seller")
    seller = repo.seller(session, account.seller_id)
    if seller is None:
        raise Forbidden("this account belongs to no seller")
    principal = Principal(role="seller", seller_id=seller.id, seller_external_id=seller.external_id)
    return Console(page, principal, "/seller", f"seller:{seller.external_id}")


def seller_page(request: Request, page: PageContext, session: DbSession) -> Console:
    return _seller(session, page, request)


def seller_form(request: Request, page: FormPage, session: DbSession) -> Console:
    return _seller(session, page, request)


SellerPage = Annotated[Console, Depends(seller_page)]
SellerForm = Annotated[Console, Depends(seller_form)]


def translate(language: str, message: str, **variables: Any) -> str:
    """A page text in `language`, for texts made in Python (the chart's legend)."""
    text: str = i18n.translations(language).gettext(message)
    return text % variables if variables else text


def show(
    page: Page, name: str, context: dict[str, Any] | None = None, *, status_code: int = 200
) -> HTMLResponse:
    """Renders a console or remedy page in the visitor's language."""
    return render(templates, page, name, context, status_code=status_code)
