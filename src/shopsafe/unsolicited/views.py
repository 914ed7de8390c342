"""Pages: `/unsolicited` (anyone reports), the reporter's private status page, and the
operators' `/operator/cases` with the evidence and the decisions."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Final
from urllib.parse import urlsplit

import pycountry
from babel import Locale
from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from shopsafe.kit.errors import Forbidden, InvalidInput, NotFound
from shopsafe.unsolicited import actions, answers, form_messages, links, uploads
from shopsafe.unsolicited import repository as repo
from shopsafe.unsolicited import service as reports
from shopsafe.unsolicited.classification import KINDS, Kind, as_kind
from shopsafe.web import i18n
from shopsafe.web.deps import DbSession, FormPage, PageContext, SignInRequired
from shopsafe.web.rendering import Page, make_templates, redirect, render

router = APIRouter(include_in_schema=False)
templates = make_templates(Path(__file__).parent / "templates")
DECISIONS: Final = ("confirm", "dismiss", "suspend-seller", "lift-blocks")
_FIRST_COUNTRIES: Final = ("US", "DE", "GB", "AT", "CH", "FR", "NL", "IT", "ES", "PL", "CA")


def countries(language: str) -> list[tuple[str, str]]:
    """(code, name in the page's language) with the most common first, then the others."""
    names = Locale.parse(language).territories
    every = {c.alpha_2: names.get(c.alpha_2, c.name) for c in pycountry.countries}
    rest = sorted((name, code) for code, name in every.items() if code not in _FIRST_COUNTRIES)
    return [(c, every[c]) for c in _FIRST_COUNTRIES] + [(code, name) for name, code in rest]


def _form_context(page: Page, values: dict[str, object], problems: list[str]) -> dict[str, object]:
    default_country = "DE" if page.language == "de" else "US"
    return {
        "countries": countries(page.language),
        "values": {"country": default_country, **values},
        "problems": problems,
    }


@router.get("/unsolicited", response_class=HTMLResponse)
def report_form(page: PageContext) -> HTMLResponse:
    return render(templates, page, "unsolicited_report.html", _form_context(page, {}, []))


@router.post("/unsolicited", response_model=None)
def report(
    request: Request,
    submission: Annotated[uploads.Submission, Depends(uploads.read_submission)],
    page: FormPage,
    session: DbSession,
) -> HTMLResponse | RedirectResponse:
    """The form's photos are read (with the report's limits) before the CSRF check looks
    at the same, already parsed form."""
    data = {**submission.data, "language": page.language}
    shown = {**submission.data, "tracking_numbers": "\n".join(submission.data["tracking_numbers"])}
    try:
        report = uploads.parse(uploads.Submission(data, submission.photos))
        answer = reports.submit_report(
            session,
            report=report,
            photos=submission.photos,
            client=request.client.host if request.client else "unknown",
            base_url=str(request.base_url),
        )
    except InvalidInput as error:
        said = form_messages.for_reader(error.problems, i18n.translations(page.language).gettext)
        context = _form_context(page, shown, said)
        return render(templates, page, "unsolicited_report.html", context, status_code=422)
    except reports.TooManyReports:
        context = {**_form_context(page, shown, []), "too_many": True}
        return render(templates, page, "unsolicited_report.html", context, status_code=429)
    return redirect(page, urlsplit(answer.status_url).path)


@router.get("/unsolicited/cases/{number}/{key}", response_class=HTMLResponse)
def status_page(
    number: str, key: str, request: Request, page: PageContext, session: DbSession
) -> HTMLResponse:
    """The reporter's private page (the key is in the path, so the language links keep it)."""
    case = repo.case_by_number(session, number)
    if (
        case is None
        or case.origin != "report"
        or not links.key_matches(case.number, case.access_salt, key)
    ):
        raise NotFound("case not found")
    answer = answers.reporter_answer(
        session, case, base_url=str(request.base_url), language=page.language
    )
    return render(templates, page, "unsolicited_status.html", {"answer": answer})


def operator_page(request: Request, page: PageContext) -> Page:
    """The page context of an operator page: signed in as an operator, or sent to sign in."""
    if page.visitor is None:
        query = f"?{request.url.query}" if request.url.query else ""
        raise SignInRequired(request.url.path + query)
    if page.visitor.role != "operator":
        raise Forbidden("these pages are for operators")
    return page


def operator_form(page: FormPage) -> Page:
    if page.visitor is None or page.visitor.role != "operator":
        raise Forbidden("these pages are for operators")
    return page


OperatorPage = Annotated[Page, Depends(operator_page)]
OperatorForm = Annotated[Page, Depends(operator_form)]


@router.get("/operator/cases", response_class=HTMLResponse)
def case_list(
    page: OperatorPage,
    session: DbSession,
    status: Annotated[str | None, Query(pattern="^(unverified|open|confirmed|dismissed)$")] = None,
    before: Annotated[int | None, Query(ge=1)] = None,
    origin: Annotated[str | None, Query(pattern="^(report|detection)$")] = None,
) -> HTMLResponse:
    found = answers.case_page(session, status=status, before=before, limit=50, origin=origin)
    context = {"cases": found, "status": status}
    return render(templates, page, "operator_cases.html", context)


@router.get("/operator/cases/{number}", response_class=HTMLResponse)
def case_page(
    number: str, page: OperatorPage, session: DbSession, done: str | None = None
) -> HTMLResponse:
    case = repo.case_by_number(session, number)
    if case is None:
        raise NotFound("case not found")
    context = {
        "case": answers.operator_view(session, case),
        "held": repo.held_orders(session, case.id),
        "related": repo.related_cases(session, case),
        "kinds": KINDS,
        "done": done if done in DECISIONS else None,
    }
    return render(templates, page, "operator_case.html", context)


@router.post("/operator/cases/{number}/{decision}")
def decide(
    number: str,
    decision: str,
    page: OperatorForm,
    session: DbSession,
    note: Annotated[str, Form(max_length=2000)] = "",
    classification: Annotated[str, Form(max_length=30)] = "",
) -> RedirectResponse:
    if decision not in DECISIONS:
        raise NotFound("no such decision")
    assert page.visitor is not None
    actor = page.visitor.actor
    text = note.strip() or None
    if decision == "confirm":
        kind: Kind | None = as_kind(classification) if classification else None
        actions.confirm(session, number=number, actor=actor, note=text, classification=kind)
    elif decision == "dismiss":
        actions.dismiss(session, number=number, actor=actor, note=text)
    elif decision == "suspend-seller":
        actions.suspend_seller(session, number=number, actor=actor, note=text)
    else:
        actions.lift_blocks(session, number=number, actor=actor, note=text)
    return redirect(page, f"/operator/cases/{number}?done={decision}")
