"""The FastAPI application: pages, the JSON API under /api/v1, static files."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine

from shopsafe import __version__
from shopsafe.auth import views as auth_views
from shopsafe.brushing import endpoints as brushing_endpoints
from shopsafe.db.session import default_engine
from shopsafe.feeds import endpoints as feed_endpoints
from shopsafe.feeds import views as feed_views
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
from shopsafe.web import errors
from shopsafe.web import views as web_views

STATIC = Path(__file__).parent / "web" / "static"


def create_app(engine: Engine | None = None) -> FastAPI:
    app = FastAPI(
        title="Shopsafe",
        version=__version__,
        description="Recalls that reach the buyers, and an end to unsolicited packages.",
    )
    app.state.engine = engine if engine is not None else default_engine()
    errors.install(app)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
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
