"""A customer's own remedy pages under /account/remedies: ask for a remedy, follow the
case, print the return label, send the photo of the destroyed product. Only the signed-in
customer's cases exist here; anybody else's are simply not found."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Query, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from shopsafe.config import get_settings
from shopsafe.kit.errors import DomainError, NotFound
from shopsafe.recalls import customer_alerts
from shopsafe.remedies import repository as repo
from shopsafe.remedies import service
from shopsafe.remedies.console import show
from shopsafe.remedies.endpoints import label_response
from shopsafe.remedies.models import RemedyCase
from shopsafe.web.deps import CustomerForm, CustomerPage, DbSession
from shopsafe.web.rendering import Page, redirect

router = APIRouter(include_in_schema=False)


def _customer(page: Page) -> tuple[int, str]:
    visitor = page.visitor
    assert visitor is not None and visitor.customer_id is not None
    return visitor.customer_id, visitor.actor


def own_case(session: DbSession, page: Page, case_id: int, *, lock: bool = False) -> RemedyCase:
    customer_id, _ = _customer(page)
    case = repo.case_by_id(session, case_id, lock=lock)
    if case is None or case.customer_id != customer_id:
        raise NotFound("remedy case not found")
    return case


@router.get("/account/remedies/new", response_class=HTMLResponse, response_model=None)
def new_remedy(
    page: CustomerPage, session: DbSession, recall: Annotated[int, Query(ge=1)]
) -> HTMLResponse | RedirectResponse:
    customer_id, _ = _customer(page)
    existing = repo.case_of(session, recall, customer_id)
    if existing is not None:
        return redirect(page, f"/account/remedies/{existing.id}")
    alert = customer_alerts.alert_of(session, customer_id, recall, language=page.language)
    if alert is None:
        raise NotFound("recall not found")
    return show(page, "customer_new_remedy.html", {"alert": alert})


@router.post("/account/remedies", response_model=None)
def request_remedy(
    page: CustomerForm,
    session: DbSession,
    recall_id: Annotated[int, Form(ge=1)],
    remedy: Annotated[str, Form(max_length=20)] = "",
) -> RedirectResponse:
    """What the customer's recall page calls too: records the choice and opens the case."""
    customer_id, actor = _customer(page)
    if customer_alerts.buyer_notice(session, customer_id, recall_id) is None:
        raise NotFound("recall not found")
    case, _ = service.request_remedy(
        session, recall_id=recall_id, customer_id=customer_id, remedy=remedy, actor=actor
    )
    return redirect(page, f"/account/remedies/{case.id}")


@router.get("/account/remedies/{case_id:int}", response_class=HTMLResponse)
def case_page(
    case_id: int, page: CustomerPage, session: DbSession, sent: str | None = None
) -> HTMLResponse:
    return _case(page, session, own_case(session, page, case_id), sent=bool(sent))


def _case(
    page: Page,
    session: DbSession,
    case: RemedyCase,
    *,
    sent: bool = False,
    problem: str | None = None,
) -> HTMLResponse:
    context = {
        "case": case, "shipment": repo.return_of(session, case.id),
        "refunds": repo.refunds_of(session, case.id), "photo": repo.latest_photo(session, case.id),
        "recall": customer_alerts.public_recall(session, case.recall_id), "sent": sent,
        "problem": problem, "max_mb": get_settings().disposal_photo_max_bytes // (1024 * 1024),
    }  # fmt: skip
    return show(page, "customer_case.html", context, status_code=422 if problem else 200)


@router.get("/account/remedies/{case_id:int}/label.pdf")
def label(case_id: int, page: CustomerPage, session: DbSession) -> Response:
    return label_response(session, own_case(session, page, case_id))


@router.post("/account/remedies/{case_id:int}/photo", response_model=None)
async def send_photo(
    case_id: int,
    page: CustomerForm,
    session: DbSession,
    photo: Annotated[UploadFile | None, File()] = None,
) -> HTMLResponse | RedirectResponse:
    case = own_case(session, page, case_id, lock=True)
    limit = get_settings().disposal_photo_max_bytes
    data = await photo.read(limit + 1) if photo is not None else b""
    _, actor = _customer(page)
    try:
        with session.begin_nested():
            service.submit_photo(session, case=case, data=data, actor=actor)
    except DomainError as error:
        return _case(page, session, case, problem=error.detail)
    return redirect(page, f"/account/remedies/{case_id}?sent=1")
