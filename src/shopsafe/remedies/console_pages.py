"""Pages both consoles show: a recall's dashboard and a remedy case with its moves. The
caller has checked who may see the recall or case."""

from __future__ import annotations

from typing import Any

from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from shopsafe.kit.errors import DomainError, NotFound
from shopsafe.recalls import service as recalls
from shopsafe.recalls.models import Recall
from shopsafe.remedies import chart, reporting, service, state
from shopsafe.remedies import repository as repo
from shopsafe.remedies.console import show, translate
from shopsafe.remedies.endpoints import csv_response, label_response
from shopsafe.remedies.models import RemedyCase
from shopsafe.web.deps import Console
from shopsafe.web.rendering import redirect

DISPOSITIONS = ("destroyed", "recycled", "refurbished", "returned_to_supplier")


def dashboard(console: Console, session: Session, recall: Recall) -> HTMLResponse:
    numbers = reporting.dashboard(session, recall)
    line = reporting.timeline(session, recall)
    lang = console.language
    names = {
        "notified": translate(lang, "Notified"),
        "acknowledged": translate(lang, "Acknowledged"),
        "remedies_requested": translate(lang, "Remedies requested"),
        "units_corrected": translate(lang, "Units corrected"),
    }
    svg = chart.svg(
        line.days,
        [chart.Line(names[name], line.series[name]) for name in reporting.SERIES],
        title=translate(lang, "Responses over time"),
    )
    seller = None if console.principal.is_operator else console.principal.seller_id
    if seller is not None and recall.seller_id == seller:
        seller = None
    cases = repo.cases_of_recall(session, recall.id, seller_id=seller, state=None, after=0,
                                 limit=200)  # fmt: skip
    context: dict[str, Any] = {
        "recall": recall, "numbers": numbers, "chart": svg, "table": line, "names": names,
        "cases": cases, "prefix": console.prefix,
        "approval": repo.approval_of(session, recall.id),
    }  # fmt: skip
    return show(console.page, "console_dashboard.html", context)


def recall_for(console: Console, session: Session, recall_id: int) -> Recall:
    return recalls.get(session, recall_id, console.principal)


def progress_csv(console: Console, session: Session, recall_id: int) -> Response:
    recall = recall_for(console, session, recall_id)
    return csv_response(session, recall_id=recall.id)


def case_page(
    console: Console,
    session: Session,
    case: RemedyCase,
    *,
    error: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    customer = repo.customer(session, case.customer_id)
    context: dict[str, Any] = {
        "case": case, "customer": customer, "prefix": console.prefix, "error": error,
        "recall": session.get(Recall, case.recall_id),
        "shipment": repo.return_of(session, case.id),
        "refunds": repo.refunds_of(session, case.id),
        "photo": repo.latest_photo(session, case.id),
        "lines": repo.case_lines(session, case.id),
        "paid": service.price_paid(session, case),
        "next_states": state.allowed(case.remedy, case.state, "staff"),
        "dispositions": DISPOSITIONS,
        "replacement_order": repo.order_external(session, case.replacement_order_id),
    }  # fmt: skip
    return show(console.page, "console_case.html", context, status_code=status_code)


def move_case(
    console: Console, session: Session, case_id: int, form: dict[str, str]
) -> HTMLResponse | RedirectResponse:
    """A move from the case page. A refused move is shown on the page and changes nothing."""
    try:
        with session.begin_nested():
            service.transition(
                session, case_id=case_id, to=form.get("to", ""), principal=console.principal,
                amount=form.get("amount") or None, disposition=form.get("disposition") or None,
                note=form.get("note") or None,
            )  # fmt: skip
    except DomainError as error:
        case = service.case_for(session, case_id, console.principal)
        if isinstance(error, NotFound) or error.status_code == 403:
            raise
        return case_page(console, session, case, error=error.detail,
                         status_code=error.status_code)  # fmt: skip
    return redirect(console.page, f"{console.prefix}/cases/{case_id}?moved=1")


def label(console: Console, session: Session, case_id: int) -> Response:
    return label_response(session, service.case_for(session, case_id, console.principal))


def photo(console: Console, session: Session, case_id: int, photo_id: int) -> Response:
    case = service.case_for(session, case_id, console.principal)
    found = repo.photo(session, case.id, photo_id)
    if found is None:
        raise NotFound("photo not found")
    return Response(found.data, media_type=found.content_type,
                    headers={"Cache-Control": "no-store"})  # fmt: skip
