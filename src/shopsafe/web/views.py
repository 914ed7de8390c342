"""The home page and the health check."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse
from sqlalchemy import text

from shopsafe.web.deps import DbSession, PageContext
from shopsafe.web.rendering import make_templates, render

router = APIRouter(include_in_schema=False)
templates = make_templates()


@router.get("/healthz")
def healthz(session: DbSession) -> dict[str, str]:
    session.execute(text("SELECT 1"))
    return {"status": "ok"}


@router.get("/", response_class=HTMLResponse)
def home(page: PageContext) -> HTMLResponse:
    return render(templates, page, "home.html")
