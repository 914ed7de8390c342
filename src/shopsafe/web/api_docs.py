"""`/docs`: the API's description as Swagger UI, served from this server.

The page and its scripts come from the installed swagger-ui bundle, not from a CDN, so the
API's documentation works on a back office without internet access. `/openapi.json` is
FastAPI's own.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from swagger_ui_bundle import swagger_ui_path

ASSETS = "/docs/assets"
router = APIRouter(include_in_schema=False)


@router.get("/docs", response_class=HTMLResponse)
def api_docs() -> HTMLResponse:
    return get_swagger_ui_html(
        openapi_url="/openapi.json",
        title="Shopsafe API",
        swagger_js_url=f"{ASSETS}/swagger-ui-bundle.js",
        swagger_css_url=f"{ASSETS}/swagger-ui.css",
        swagger_favicon_url=f"{ASSETS}/favicon-32x32.png",
    )


def install(app: FastAPI) -> None:
    """Serves `/docs` and its assets (the app is created with `docs_url=None`)."""
    app.mount(ASSETS, StaticFiles(directory=Path(str(swagger_ui_path))), name="api-docs-assets")
    app.include_router(router)
