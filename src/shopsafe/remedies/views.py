"""The seller console under /seller/: their recalls, starting a recall with a preview of
whom it reaches, the dashboard per recall, remedy cases, the CSV report, and the webhook
settings. Every page shows only the signed-in seller's own data: a recall the marketplace
or an authority started is listed and shown when it affects the seller's sales, with the
numbers, lines and cases of those sales only (`recalls.service.readable`).

The operator console (`operator_views.py`) and the customer's remedy pages
(`customer_views.py`) hang off the same router."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from shopsafe.kit.errors import InvalidInput
from shopsafe.recalls import repository as recall_repo
from shopsafe.recalls import service as recalls
from shopsafe.recalls.models import Recall
from shopsafe.remedies import approvals, console_pages, recall_form, service, state, webhooks
from shopsafe.remedies import repository as repo
from shopsafe.remedies import seller_repository as sellers
from shopsafe.remedies.console import STYLESHEET, SellerForm, SellerPage, show
from shopsafe.remedies.customer_views import router as customer_router
from shopsafe.remedies.operator_views import router as operator_router
from shopsafe.remedies.webhook_addresses import (
    UnresolvedHost,
    UnsafeWebhookUrl,
    WebhookGuard,
    current_guard,
)
from shopsafe.web.deps import DbSession
from shopsafe.web.rendering import redirect

router = APIRouter(include_in_schema=False)
router.include_router(operator_router)
router.include_router(customer_router)


@router.get("/remedies/console.css")
def stylesheet() -> FileResponse:
    return FileResponse(STYLESHEET, media_type="text/css", headers={"Cache-Control": "max-age=600"})


@router.get("/seller", response_class=HTMLResponse)
@router.get("/seller/", response_class=HTMLResponse)
def seller_home(console: SellerPage, session: DbSession) -> HTMLResponse:
    seller_id = console.principal.seller_id
    rows = recall_repo.page_of_recalls(session, status=None, seller_id=seller_id, after=0,
                                       limit=500)  # fmt: skip
    context = {
        "recalls": list(reversed(rows)),
        "approvals": repo.approvals(session, [r.id for r in rows]),
        "seller": repo.seller(session, seller_id),
    }
    return show(console.page, "seller_home.html", context)


@router.get("/seller/recalls/new", response_class=HTMLResponse)
def new_recall(console: SellerPage) -> HTMLResponse:
    values = {"kind": "recall", "risk_level": "serious"}
    return show(console.page, "seller_new_recall.html", {"values": values, "remedies": []})


@router.post("/seller/recalls/new", response_model=None)
async def create_recall(
    console: SellerForm, session: DbSession, request: Request
) -> HTMLResponse | RedirectResponse:
    form = await request.form()
    values = {name: str(form.get(name) or "") for name in recall_form.FIELDS}
    chosen = [str(v) for v in form.getlist("remedies")]
    data = recall_form.recall_data(values, chosen)
    try:
        recall = recalls.create(session, data=data, principal=console.principal)
    except InvalidInput as error:
        context = {"values": values, "remedies": chosen, "problems": error.problems}
        return show(console.page, "seller_new_recall.html", context, status_code=422)
    return redirect(console.page, f"/seller/recalls/{recall.id}/preview")


@router.get("/seller/recalls/{recall_id:int}/preview", response_class=HTMLResponse)
def preview(recall_id: int, console: SellerPage, session: DbSession) -> HTMLResponse:
    recall = console_pages.recall_for(console, session, recall_id)
    numbers = recalls.preview(session, recall)
    affected = recalls.affected(session, recall, cursor=None, limit=50)
    context = {
        "recall": recall, "numbers": numbers, "affected": affected.items,
        "approval": repo.approval_of(session, recall.id),
        "problems": _problems(session, recall),
    }  # fmt: skip
    return show(console.page, "seller_preview.html", context)


def _problems(session: DbSession, recall: Recall) -> list[str]:
    """What stops the recall from being published, listed before anyone clicks."""
    if recall.status != "draft":
        return []
    try:
        recalls.validated(recalls.as_input(session, recall))
    except InvalidInput as error:
        return error.problems
    return []


@router.post("/seller/recalls/{recall_id:int}/publish", response_model=None)
def publish(
    recall_id: int, console: SellerForm, session: DbSession
) -> HTMLResponse | RedirectResponse:
    try:
        with session.begin_nested():
            outcome = approvals.publish(session, recall_id=recall_id, principal=console.principal,
                                        actor=console.actor)  # fmt: skip
    except InvalidInput as error:
        recall = console_pages.recall_for(console, session, recall_id)
        context = {
            "recall": recall, "numbers": recalls.preview(session, recall), "affected": [],
            "approval": repo.approval_of(session, recall.id), "problems": error.problems,
        }  # fmt: skip
        return show(console.page, "seller_preview.html", context, status_code=422)
    if outcome == "pending":
        return redirect(console.page, f"/seller/recalls/{recall_id}/preview?asked=1")
    return redirect(console.page, f"/seller/recalls/{recall_id}")


@router.get("/seller/recalls/{recall_id:int}", response_class=HTMLResponse)
def seller_dashboard(recall_id: int, console: SellerPage, session: DbSession) -> HTMLResponse:
    """The seller's own recall, or (only the part of its sales) one that affects them."""
    reading = console_pages.reading_for(console, session, recall_id)
    return console_pages.dashboard(console, session, reading.recall, seller=reading.seller_id)


@router.get("/seller/recalls/{recall_id:int}/progress-report.csv")
def seller_csv(recall_id: int, console: SellerPage, session: DbSession) -> Response:
    return console_pages.progress_csv(console, session, recall_id)


CASES_PER_PAGE = 50
StateFilter = Annotated[str, Query(alias="state", pattern=f"^({'|'.join(state.STATES)})?$")]


@router.get("/seller/cases", response_class=HTMLResponse)
def seller_cases(
    console: SellerPage,
    session: DbSession,
    state_: StateFilter = "",
    before: Annotated[int | None, Query(ge=1)] = None,
) -> HTMLResponse:
    """The seller's remedy cases of every recall, newest first (its part of each)."""
    seller_id = console.principal.seller_id
    assert seller_id is not None
    found = sellers.cases_of_seller(session, seller_id, state=state_ or None, before=before,
                                    limit=CASES_PER_PAGE + 1)  # fmt: skip
    shown = found[:CASES_PER_PAGE]
    rows = console_pages.case_rows(session, [c for c, _ in shown], seller_id,
                                   [title for _, title in shown])  # fmt: skip
    context = {
        "cases": rows, "state": state_, "states": state.STATES, "before": before,
        "older": shown[-1][0].id if len(found) > CASES_PER_PAGE else None,
    }  # fmt: skip
    return show(console.page, "seller_cases.html", context)


@router.get("/seller/cases/{case_id:int}", response_class=HTMLResponse)
def seller_case(case_id: int, console: SellerPage, session: DbSession) -> HTMLResponse:
    case = service.case_for(session, case_id, console.principal)
    return console_pages.case_page(console, session, case)


@router.post("/seller/cases/{case_id:int}/moves", response_model=None)
async def seller_move(
    case_id: int, console: SellerForm, session: DbSession, request: Request
) -> HTMLResponse | RedirectResponse:
    form = {k: str(v) for k, v in (await request.form()).items()}
    return console_pages.move_case(console, session, case_id, form)


@router.get("/seller/cases/{case_id:int}/label.pdf")
def seller_label(case_id: int, console: SellerPage, session: DbSession) -> Response:
    return console_pages.label(console, session, case_id)


@router.get("/seller/cases/{case_id:int}/photos/{photo_id:int}")
def seller_photo(case_id: int, photo_id: int, console: SellerPage, session: DbSession) -> Response:
    return console_pages.photo(console, session, case_id, photo_id)


@router.get("/seller/settings", response_class=HTMLResponse)
def settings_page(
    console: SellerPage, session: DbSession, saved: str | None = None
) -> HTMLResponse:
    return _settings(console, session, saved=bool(saved))


def _settings(
    console: SellerPage,
    session: DbSession,
    *,
    saved: bool = False,
    problem: str | None = None,
    entered: str | None = None,
) -> HTMLResponse:
    seller = repo.seller(session, console.principal.seller_id)
    assert seller is not None
    context = {
        "seller": seller, "secret": webhooks.secret_for(seller.external_id), "saved": saved,
        "problem": problem, "deliveries": repo.webhooks_of_seller(session, seller.id),
        "entered": entered,
    }  # fmt: skip
    return show(console.page, "seller_settings.html", context, status_code=422 if problem else 200)


@router.post("/seller/settings", response_model=None)
def save_settings(
    console: SellerForm,
    session: DbSession,
    guard: Annotated[WebhookGuard, Depends(current_guard)],
    webhook_url: Annotated[str, Form(max_length=500)] = "",
) -> HTMLResponse | RedirectResponse:
    """Saves the webhook endpoint after the SSRF check (`webhook_addresses`); a refused
    address is a 422 naming the reason, and the stored endpoint stays as it was."""
    url = webhook_url.strip()
    if url:
        try:
            guard.check(url)
        except UnsafeWebhookUrl as refused:
            return _settings(console, session, problem=refused.reason, entered=url)
        except UnresolvedHost as error:
            return _settings(console, session, problem=str(error), entered=url)
    assert console.principal.seller_id is not None
    repo.set_webhook_url(session, console.principal.seller_id, url or None)
    return redirect(console.page, "/seller/settings?saved=1")
