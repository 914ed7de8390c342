"""Jinja2 environment shared by all pages, and how a page is rendered for one request:
its language (all text through gettext), the CSRF token of its forms, its cookies and the
security headers every page carries."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates

from shopsafe.auth import csrf
from shopsafe.auth.sessions import Visitor, cookie_options
from shopsafe.web import i18n

TEMPLATES = Path(__file__).parent / "templates"
PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' https: data:; style-src 'self'; "
        "script-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


def make_templates(*extra: Path) -> Jinja2Templates:
    templates = Jinja2Templates(directory=[*extra, TEMPLATES])
    templates.env.add_extension("jinja2.ext.i18n")
    templates.env.install_null_translations(newstyle=True)  # type: ignore[attr-defined]
    return templates


@dataclass
class Page:
    """What every page of one request needs: who is asking, in which language, and the
    token its forms carry."""

    request: Request
    visitor: Visitor | None
    language: str
    csrf_binding: str
    cookies: dict[str, tuple[str, int | None]] = field(default_factory=dict)

    @property
    def csrf_token(self) -> str:
        return csrf.token_for(self.csrf_binding)

    def context(self) -> dict[str, Any]:
        return {
            "lang": self.language,
            "languages": i18n.LANGUAGE_NAMES,
            "visitor": self.visitor,
            "csrf_token": self.csrf_token,
            "csrf_field": csrf.FIELD,
            "current_path": self.request.url.path,
            **i18n.template_functions(self.language),
        }


def render(
    templates: Jinja2Templates,
    page: Page,
    name: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
) -> HTMLResponse:
    response = templates.TemplateResponse(
        page.request, name, {**page.context(), **(context or {})}, status_code=status_code
    )
    return finish(response, page)


def redirect(page: Page, url: str) -> RedirectResponse:
    """303 See Other (after a form), with the page's cookies."""
    return finish(RedirectResponse(url, status_code=303), page)


Response = TypeVar("Response", HTMLResponse, RedirectResponse)


def finish(response: Response, page: Page | None) -> Response:
    response.headers.update(PAGE_HEADERS)
    response.headers["Cache-Control"] = "no-store"
    if page is not None:
        options = cookie_options()
        for name, (value, max_age) in page.cookies.items():
            if value:
                response.set_cookie(name, value, max_age=max_age, **options)
            else:
                response.delete_cookie(name, **options)
    return response
