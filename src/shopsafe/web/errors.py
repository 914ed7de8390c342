"""Every error answer is `{"detail": "...", "code": "..."}` with a fitting status."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from shopsafe.kit.errors import DomainError, InvalidInput


def _domain_error(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, DomainError)
    body: dict[str, object] = {"detail": error.detail, "code": error.code}
    if isinstance(error, InvalidInput):
        body["problems"] = error.problems
    return JSONResponse(body, status_code=error.status_code)


def _validation_error(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    problems = [
        ".".join(str(part) for part in e["loc"]) + ": " + str(e["msg"]) for e in error.errors()
    ]
    return JSONResponse(
        {"detail": "; ".join(problems), "code": "invalid_request", "problems": problems},
        status_code=422,
    )


def _http_error(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, HTTPException)
    code = {401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed"}
    return JSONResponse(
        {"detail": str(error.detail), "code": code.get(error.status_code, "http_error")},
        status_code=error.status_code,
        headers=error.headers,
    )


def install(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
