"""The feed review queue for operators, `/operator/feeds`: the authority's record and the
catalogue's offer side by side, with approve and reject.

Signed-in operators only (the operator console's check, `web.deps.OperatorPage`);
forms carry the CSRF token. A decision the notice rules or an earlier decision refuse is
shown on the page with every problem, and nothing is written.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Form
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy.orm import Session

from shopsafe.config import get_settings
from shopsafe.feeds import repository as repo
from shopsafe.feeds import review
from shopsafe.feeds.schemas import DecisionIn, RecallEdits
from shopsafe.kit.errors import Conflict, InvalidInput
from shopsafe.web.deps import Console, DbSession, OperatorForm, OperatorPage
from shopsafe.web.rendering import make_templates, redirect, render

router = APIRouter(include_in_schema=False)
templates = make_templates(Path(__file__).parent / "templates")
PAGE_SIZE = 20
REMEDIES = ("refund", "replacement", "repair", "dispose")
Note = Annotated[str, Form(max_length=2000)]


def _page(
    console: Console,
    session: Session,
    *,
    cursor: str | None,
    done: str | None = None,
    problems: list[str] | None = None,
    failed: int | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    queue = review.review_page(session, cursor=cursor, limit=PAGE_SIZE)
    configured = set(get_settings().feed_pull_list())
    pulls = [
        (subscription, pull, (subscription.source, subscription.url) in configured)
        for subscription, pull in repo.subscriptions_with_last_pull(session)
    ]
    context = {
        "pulls": pulls,
        "queue": queue,
        "done": done,
        "problems": problems or [],
        "failed": failed,
        "remedies": REMEDIES,
        "cursor": cursor,
    }
    return render(templates, console.page, "feed_review.html", context, status_code=status_code)


@router.get("/operator/feeds", response_class=HTMLResponse)
@router.get("/operator/feeds/", response_class=HTMLResponse)
def review_queue(
    console: OperatorPage,
    session: DbSession,
    cursor: str | None = None,
    done: str | None = None,
) -> HTMLResponse:
    return _page(console, session, cursor=cursor, done=done)


def _refused(
    console: Console, session: Session, match_id: int, error: InvalidInput | Conflict
) -> HTMLResponse:
    session.rollback()  # nothing of a refused decision stays
    problems = error.problems if isinstance(error, InvalidInput) else [error.detail]
    status = 409 if isinstance(error, Conflict) else 422
    return _page(console, session, cursor=None, problems=problems, failed=match_id,
                 status_code=status)  # fmt: skip


@router.post("/operator/feeds/matches/{match_id:int}/approve", response_model=None)
def approve(
    match_id: int,
    console: OperatorForm,
    session: DbSession,
    note: Note = "",
    remedies: Annotated[list[str] | None, Form()] = None,
) -> HTMLResponse | RedirectResponse:
    chosen = [r for r in REMEDIES if r in (remedies or [])]
    edits = RecallEdits.model_validate({"remedies": chosen}) if chosen else None
    decision = DecisionIn(note=note.strip() or None, recall=edits)
    try:
        review.approve(
            session,
            match_id=match_id,
            principal=console.principal,
            decision=decision,
            actor=console.actor,
        )
    except (InvalidInput, Conflict) as error:
        return _refused(console, session, match_id, error)
    return redirect(console.page, "/operator/feeds?done=approved")


@router.post("/operator/feeds/matches/{match_id:int}/reject", response_model=None)
def reject(
    match_id: int, console: OperatorForm, session: DbSession, note: Note = ""
) -> HTMLResponse | RedirectResponse:
    decision = DecisionIn(note=note.strip() or None)
    try:
        review.reject(
            session,
            match_id=match_id,
            principal=console.principal,
            decision=decision,
            actor=console.actor,
        )
    except (InvalidInput, Conflict) as error:
        return _refused(console, session, match_id, error)
    return redirect(console.page, "/operator/feeds?done=rejected")
