"""Pages both consoles show: a recall's dashboard and a remedy case with its moves. The
caller has checked who may see the recall or case; a seller reading a recall that is not its
own (a marketplace or authority recall that affects its sales) sees its own part only."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from shopsafe.kit.errors import DomainError, NotFound
from shopsafe.recalls import service as recalls
from shopsafe.recalls.models import Recall
from shopsafe.remedies import chart, reporting, service, state
from shopsafe.remedies import repository as repo
from shopsafe.remedies import seller_repository as sellers
from shopsafe.remedies.console import show, translate
from shopsafe.remedies.endpoints import csv_response, label_response
from shopsafe.remedies.models import RemedyCase
from shopsafe.web.deps import Console
from shopsafe.web.rendering import redirect

DISPOSITIONS = ("destroyed", "recycled", "refurbished", "returned_to_supplier")


@dataclass(frozen=True)
class CaseRow:
    """A case in a list, with the units and price paid the reader may see of it."""

    case: RemedyCase
    units: int
    paid: list[tuple[Decimal, str]]
    recall_title: str | None = None


def case_rows(
    session: Session, cases: Sequence[RemedyCase], seller_id: int | None,
    titles: Sequence[str | None] = (),
) -> list[CaseRow]:  # fmt: skip
    """Rows of whole cases (`seller_id` None), or of the seller's part of each."""
    names = list(titles) or [None] * len(cases)
    if seller_id is None:
        whole = zip(cases, names, strict=True)
        return [CaseRow(c, c.units, [(c.amount, c.currency)], t) for c, t in whole]
    parts = sellers.parts_of_cases(session, [c.id for c in cases], seller_id)
    rows = []
    for case, title in zip(cases, names, strict=True):
        units, paid = parts.get(case.id, (0, {}))
        rows.append(CaseRow(case, units, [(v, k) for k, v in sorted(paid.items())], title))
    return rows


def dashboard(
    console: Console, session: Session, recall: Recall, *, seller: int | None = None
) -> HTMLResponse:
    """The recall's dashboard: of all of it, or of the sales of `seller` only (a seller
    reading a marketplace or authority recall that affects its sales: `Reading.seller_id`)."""
    numbers = reporting.dashboard(session, recall, seller)
    line = reporting.timeline(session, recall, seller_id=seller)
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
    cases = repo.cases_of_recall(session, recall.id, seller_id=seller, state=None, after=0,
                                 limit=200)  # fmt: skip
    context: dict[str, Any] = {
        "recall": recall, "numbers": numbers, "chart": svg, "table": line, "names": names,
        "cases": case_rows(session, cases, seller), "prefix": console.prefix,
        "approval": repo.approval_of(session, recall.id), "limited": seller is not None,
    }  # fmt: skip
    return show(console.page, "console_dashboard.html", context)


def recall_for(console: Console, session: Session, recall_id: int) -> Recall:
    """The recall, for its owner or an operator (acting on it, or pages of all of it)."""
    return recalls.get(session, recall_id, console.principal)


def reading_for(console: Console, session: Session, recall_id: int) -> recalls.Reading:
    """The recall for reading, with the part of it the reader may see."""
    return recalls.readable(session, recall_id, console.principal)


def progress_csv(console: Console, session: Session, recall_id: int) -> Response:
    reading = reading_for(console, session, recall_id)
    return csv_response(session, recall_id=reading.recall.id, seller_id=reading.seller_id)


@dataclass(frozen=True)
class RefundShown:
    amount: Decimal
    currency: str
    issued_at: datetime


def _part(
    session: Session, console: Console, case: RemedyCase
) -> tuple[int, dict[str, Decimal], list[RefundShown]]:
    """(units, price paid, refunds) of the case as the reader may see them: all of it, or a
    seller's part of a case of a recall that is not its own (its lines, its charges)."""
    seller = service.case_scope(session, case, console.principal)
    refunds = repo.refunds_of(session, case.id)
    if seller is None:
        shown = [RefundShown(r.amount, r.currency, r.issued_at) for r in refunds]
        return case.units, service.price_paid(session, case), shown
    part = sellers.part_of_case(session, case.id, seller)
    shown = [RefundShown(part.charged[r.id], r.currency, r.issued_at)
             for r in refunds if r.id in part.charged]  # fmt: skip
    return part.units, part.paid, shown


def case_page(
    console: Console,
    session: Session,
    case: RemedyCase,
    *,
    error: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    customer = repo.customer(session, case.customer_id)
    recall = session.get(Recall, case.recall_id)
    units, paid, refunds = _part(session, console, case)
    to_recall = recall is not None and recalls.may_read(session, recall, console.principal)
    context: dict[str, Any] = {
        "case": case, "customer": customer, "prefix": console.prefix, "error": error,
        "recall": recall, "units": units, "paid": paid, "refunds": refunds,
        "shared": units != case.units,  # other sellers' lines too: the total is not shown
        "back": f"{console.prefix}/recalls/{case.recall_id}" if to_recall
        else f"{console.prefix}/cases",
        "shipment": repo.return_of(session, case.id),
        "photo": repo.latest_photo(session, case.id),
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
