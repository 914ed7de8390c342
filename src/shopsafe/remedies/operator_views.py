"""The operator console under /operator/: all recalls, seller recalls waiting for approval
(when the setting asks for it), every dashboard and case, and the audit log with filters."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from shopsafe.config import get_settings
from shopsafe.kit.errors import InvalidInput
from shopsafe.recalls import repository as recall_repo
from shopsafe.remedies import approvals, console_pages, service
from shopsafe.remedies import report_repository as reports
from shopsafe.remedies import repository as repo
from shopsafe.remedies.console import show
from shopsafe.web.deps import DbSession, OperatorForm, OperatorPage
from shopsafe.web.rendering import redirect

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 50


@router.get("/operator", response_class=HTMLResponse)
@router.get("/operator/", response_class=HTMLResponse)
def operator_home(
    console: OperatorPage,
    session: DbSession,
    status: Annotated[str | None, Query(pattern="^(draft|published|closed)$")] = None,
) -> HTMLResponse:
    rows = recall_repo.page_of_recalls(session, status=status, seller_id=None, after=0, limit=500)
    pending = repo.pending_approvals(session)
    sellers = {s.id: s for s in repo.sellers(session, [r.seller_id for r in rows if r.seller_id])}
    context = {
        "recalls": list(reversed(rows)), "status": status, "pending": pending,
        "sellers": sellers, "approval_required": get_settings().seller_recalls_need_approval,
        "titles": {r.id: r.title for r in rows},
    }  # fmt: skip
    return show(console.page, "operator_home.html", context)


@router.post("/operator/approvals/{recall_id:int}", response_model=None)
def decide(
    recall_id: int,
    console: OperatorForm,
    session: DbSession,
    decision: Annotated[str, Form(pattern="^(approve|reject)$")],
    note: Annotated[str, Form(max_length=2000)] = "",
) -> RedirectResponse:
    approvals.decide(session, recall_id=recall_id, approve=decision == "approve",
                     actor=console.actor, note=note.strip() or None)  # fmt: skip
    return redirect(console.page, f"/operator/?decided={recall_id}")


@router.get("/operator/recalls/{recall_id:int}", response_class=HTMLResponse)
def operator_dashboard(recall_id: int, console: OperatorPage, session: DbSession) -> HTMLResponse:
    recall = console_pages.recall_for(console, session, recall_id)
    return console_pages.dashboard(console, session, recall)


@router.get("/operator/recalls/{recall_id:int}/progress-report.csv")
def operator_csv(recall_id: int, console: OperatorPage, session: DbSession) -> Response:
    return console_pages.progress_csv(console, session, recall_id)


@router.get("/operator/cases/{case_id:int}", response_class=HTMLResponse)
def operator_case(case_id: int, console: OperatorPage, session: DbSession) -> HTMLResponse:
    case = service.case_for(session, case_id, console.principal)
    return console_pages.case_page(console, session, case)


@router.post("/operator/cases/{case_id:int}/moves", response_model=None)
async def operator_move(
    case_id: int, console: OperatorForm, session: DbSession, request: Request
) -> HTMLResponse | RedirectResponse:
    form = {k: str(v) for k, v in (await request.form()).items()}
    return console_pages.move_case(console, session, case_id, form)


@router.get("/operator/cases/{case_id:int}/label.pdf")
def operator_label(case_id: int, console: OperatorPage, session: DbSession) -> Response:
    return console_pages.label(console, session, case_id)


@router.get("/operator/cases/{case_id:int}/photos/{photo_id:int}")
def operator_photo(
    case_id: int, photo_id: int, console: OperatorPage, session: DbSession
) -> Response:
    return console_pages.photo(console, session, case_id, photo_id)


def _day(text: str | None, name: str) -> dt.datetime | None:
    if not text:
        return None
    try:
        return dt.datetime.combine(dt.date.fromisoformat(text), dt.time(), tzinfo=dt.UTC)
    except ValueError:
        raise InvalidInput([f"{name}: '{text}' is not a date (YYYY-MM-DD)"]) from None


@router.get("/operator/audit", response_class=HTMLResponse)
def audit_log(
    console: OperatorPage,
    session: DbSession,
    action: Annotated[str | None, Query(max_length=60)] = None,
    actor: Annotated[str | None, Query(max_length=100)] = None,
    subject_type: Annotated[str | None, Query(max_length=40)] = None,
    subject_id: Annotated[str | None, Query(max_length=64)] = None,
    since: Annotated[str | None, Query(max_length=10)] = None,
    until: Annotated[str | None, Query(max_length=10)] = None,
    before: Annotated[int | None, Query(ge=1)] = None,
) -> HTMLResponse:
    given = {"action": action, "actor": actor, "subject_type": subject_type,
             "subject_id": subject_id, "since": since, "until": until}  # fmt: skip
    filters = {name: value or "" for name, value in given.items()}
    problem = None
    try:
        start, end = _day(since, "since"), _day(until, "until")
    except InvalidInput as error:
        start = end = None
        problem = error.problems[0]
    end = end + dt.timedelta(days=1) if end else None
    events = reports.audit_page(
        session, action=action, actor=actor, subject_type=subject_type, subject_id=subject_id,
        since=start, until=end, before_id=before, limit=PAGE_SIZE,
    )  # fmt: skip
    older = events[-1].id if len(events) == PAGE_SIZE else None
    context = {
        "events": events, "filters": filters, "older": older, "problem": problem,
        "actions": reports.audit_actions(session),
    }  # fmt: skip
    return show(console.page, "operator_audit.html", context, status_code=422 if problem else 200)
