"""The FastAPI application: pages, the JSON API under /api/v1, static files."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import cast

from fastapi import FastAPI, Request, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine
from sqlalchemy.exc import DataError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from shopsafe import __version__
from shopsafe.auth import views as auth_views
from shopsafe.brushing import endpoints as brushing_endpoints
from shopsafe.db.session import default_engine
from shopsafe.feeds import endpoints as feed_endpoints
from shopsafe.feeds import views as feed_views
from shopsafe.kit import refusals
from shopsafe.kit.errors import DomainError
from shopsafe.ledger import endpoints as ledger_endpoints
from shopsafe.ledger import views as ledger_views
from shopsafe.notifications import endpoints as notification_endpoints
from shopsafe.notifications import views as notification_views
from shopsafe.recalls import endpoints as recall_endpoints
from shopsafe.recalls import views as recall_views
from shopsafe.remedies import endpoints as remedy_endpoints
from shopsafe.remedies import views as remedy_views
from shopsafe.unsolicited import endpoints as unsolicited_endpoints
from shopsafe.unsolicited import views as unsolicited_views
from shopsafe.web import api_docs, errors
from shopsafe.web import views as web_views

STATIC = Path(__file__).parent / "web" / "static"
Handler = Callable[[Request, Exception], Response]
FORMS = ("multipart/form-data", "application/x-www-form-urlencoded")


def create_app(engine: Engine | None = None) -> FastAPI:
    app = FastAPI(
        title="Shopsafe",
        version=__version__,
        description="Recalls that reach the buyers, and an end to unsolicited packages.",
        docs_url=None,  # served by web.api_docs from local assets
        redoc_url=None,
    )
    app.state.engine = engine if engine is not None else default_engine()
    errors.install(app)
    refuse_what_lower_layers_cannot_take(app)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    api_docs.install(app)
    app.include_router(web_views.router)
    app.include_router(auth_views.router)
    app.include_router(ledger_views.router)
    app.include_router(recall_views.router)
    app.include_router(remedy_views.router)
    app.include_router(unsolicited_views.router)
    app.include_router(feed_views.router)
    app.include_router(notification_views.router)
    app.include_router(ledger_endpoints.router, prefix="/api/v1")
    app.include_router(recall_endpoints.router, prefix="/api/v1")
    app.include_router(feed_endpoints.router, prefix="/api/v1")
    app.include_router(remedy_endpoints.router, prefix="/api/v1")
    app.include_router(notification_endpoints.router, prefix="/api/v1")
    app.include_router(unsolicited_endpoints.router, prefix="/api/v1")
    app.include_router(brushing_endpoints.router, prefix="/api/v1")
    return app


def refuse_what_lower_layers_cannot_take(app: FastAPI) -> None:
    """Numbers out of the database's range, NUL in text, JSON nested too deeply: 404 or 422
    naming the value, wherever they reach the driver or a parser (`kit.refusals`)."""
    answer = cast(Handler, app.exception_handlers[DomainError])
    answer_http = cast(Handler, app.exception_handlers[HTTPException])

    async def refuse(request: Request, error: Exception) -> Response:
        if refusals.problem_of(error) is None:
            raise error
        found = refusals.refusal(error, await _values(request))
        if found is None:
            raise error
        return await run_in_threadpool(answer, request, found)

    async def http_error(request: Request, error: Exception) -> Response:
        # FastAPI answers a JSON body it cannot read with a bare 400, the reason as cause.
        cause = error.__cause__
        found = refusals.refusal(cause, []) if cause is not None else None
        return await run_in_threadpool(answer if found else answer_http, request, found or error)

    for kind in (OverflowError, ValueError, RecursionError, DataError):
        app.add_exception_handler(kind, refuse)
    app.add_exception_handler(HTTPException, http_error)


async def _values(request: Request) -> list[refusals.Value]:
    """What the request carried: path parameters (and the path's parts, for errors raised
    while routing), query parameters, and the fields of a JSON or form body."""
    path = request.scope.get("path", "")
    values = [refusals.Value("path", k, v) for k, v in request.path_params.items()]
    values += [refusals.Value("path", "path", part) for part in path.split("/") if part]
    for name, value in request.query_params.multi_items():
        values += [refusals.Value("query", name, name), refusals.Value("query", name, value)]
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    try:
        if kind in FORMS:
            return values + list(refusals.form_values((await request.form()).multi_items()))
        return values + list(refusals.json_values(await request.body()))
    except Exception:  # the body was streamed away or cannot be read: nothing to blame there
        return values
