"""Error answers: `{"detail": "...", "code": "..."}` with a fitting status for the API,
and a page in the visitor's language for everything else."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException

from shopsafe.auth import sessions
from shopsafe.db.session import session_factory
from shopsafe.kit.errors import DomainError, InvalidInput
from shopsafe.web import i18n
from shopsafe.web.deps import SignInRequired
from shopsafe.web.rendering import Page, finish, make_templates

templates = make_templates()
CODES = {401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed"}
API_PREFIXES = ("/api/", "/openapi.json", "/docs")


def is_page(request: Request) -> bool:
    return not request.url.path.startswith(API_PREFIXES)


def _page(request: Request) -> Page:
    """The page context for an error page, found without the request's own transaction."""
    visitor = None
    token = request.cookies.get(sessions.SESSION_COOKIE)
    if token:
        with session_factory(request.app.state.engine)() as session:
            visitor = sessions.find(session, token)
    language = i18n.choose(
        query=request.query_params.get("lang"),
        cookie=request.cookies.get(sessions.LANGUAGE_COOKIE),
        customer=visitor.language if visitor else None,
        accept_language=request.headers.get("accept-language"),
    )
    binding = visitor.session_digest if visitor else request.cookies.get(sessions.ANONYMOUS_COOKIE)
    return Page(request=request, visitor=visitor, language=language, csrf_binding=binding or "")


def error_page(request: Request, status_code: int, code: str) -> HTMLResponse:
    page = _page(request)
    response = templates.TemplateResponse(
        request, "error.html", {**page.context(), "status": status_code, "code": code},
        status_code=status_code,
    )  # fmt: skip
    return finish(response, None)


def _domain_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, DomainError)
    if is_page(request):
        return error_page(request, error.status_code, error.code)
    body: dict[str, object] = {"detail": error.detail, "code": error.code}
    if isinstance(error, InvalidInput):
        body["problems"] = error.problems
    return JSONResponse(body, status_code=error.status_code)


def _validation_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, RequestValidationError)
    if is_page(request):
        return error_page(request, 400, "invalid_request")
    problems = [
        ".".join(str(part) for part in e["loc"]) + ": " + str(e["msg"]) for e in error.errors()
    ]
    return JSONResponse(
        {"detail": "; ".join(problems), "code": "invalid_request", "problems": problems},
        status_code=422,
    )


def _http_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, HTTPException)
    code = CODES.get(error.status_code, "http_error")
    if is_page(request) and error.status_code >= 400:
        response = error_page(request, error.status_code, code)
        if error.headers:
            response.headers.update(error.headers)
        return response
    return JSONResponse(
        {"detail": str(error.detail), "code": code},
        status_code=error.status_code,
        headers=error.headers,
    )


def _sign_in_required(request: Request, error: Exception) -> Response:
    assert isinstance(error, SignInRequired)
    response = RedirectResponse("/login?" + urlencode({"next": error.next_url}), status_code=303)
    response.headers["Cache-Control"] = "no-store"
    return response


def install(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(SignInRequired, _sign_in_required)
