"""The undeliverable list in the consoles: the people whose notice e-mail failed for good,
with the postal address a letter can go to, and the same as CSV for a letter mailing.
A seller sees it for their own recalls, an operator for every recall."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from shopsafe.notifications import service
from shopsafe.recalls import service as recalls
from shopsafe.remedies.console import SellerPage
from shopsafe.web.deps import Console, DbSession, OperatorPage
from shopsafe.web.rendering import make_templates, render

HERE = Path(__file__).parent
CONSOLE_TEMPLATES = HERE.parent / "remedies" / "templates"  # the consoles' layout
templates = make_templates(HERE / "templates", CONSOLE_TEMPLATES)
PAGE_SIZE = 200

router = APIRouter(include_in_schema=False)
After = Annotated[int, Query(ge=0)]


def _page(console: Console, session: Session, recall_id: int, after: int) -> HTMLResponse:
    recall = recalls.get(session, recall_id, console.principal)
    found = service.undeliverable(session, recall_id=recall.id, after=after, limit=PAGE_SIZE)
    context = {"recall": recall, "page": found, "prefix": console.prefix, "after": after}
    return render(templates, console.page, "undeliverable.html", context)


def _csv(console: Console, session: Session, recall_id: int) -> Response:
    recall = recalls.get(session, recall_id, console.principal)
    name = f"recall-{recall.id}-undeliverable.csv"
    return Response(
        service.undeliverable_csv(session, recall_id=recall.id),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/seller/recalls/{recall_id:int}/undeliverable", response_class=HTMLResponse)
def seller_list(
    recall_id: int, console: SellerPage, session: DbSession, after: After = 0
) -> HTMLResponse:
    return _page(console, session, recall_id, after)


@router.get("/seller/recalls/{recall_id:int}/undeliverable.csv")
def seller_csv(recall_id: int, console: SellerPage, session: DbSession) -> Response:
    return _csv(console, session, recall_id)


@router.get("/operator/recalls/{recall_id:int}/undeliverable", response_class=HTMLResponse)
def operator_list(
    recall_id: int, console: OperatorPage, session: DbSession, after: After = 0
) -> HTMLResponse:
    return _page(console, session, recall_id, after)


@router.get("/operator/recalls/{recall_id:int}/undeliverable.csv")
def operator_csv(recall_id: int, console: OperatorPage, session: DbSession) -> Response:
    return _csv(console, session, recall_id)
