"""Sign-in with e-mail and password, sign-in by the link in a notice e-mail, sign-out."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from shopsafe.auth import service, sessions, throttle
from shopsafe.auth.models import Account
from shopsafe.kit.clock import now
from shopsafe.kit.errors import Unauthorized
from shopsafe.web.deps import DbSession, FormPage, PageContext
from shopsafe.web.rendering import Page, make_templates, redirect, render

router = APIRouter(include_in_schema=False)
templates = make_templates(Path(__file__).parent / "templates")


def safe_next(target: str | None) -> str | None:
    """A path on this site to go to after sign-in, or None (no open redirects)."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return None
    if any(ch in target for ch in "\r\n\\"):
        return None
    return target


def _home_of(account: Account) -> str:
    return "/orders" if account.role == "customer" else "/"


def _signed_in(page: Page, session: DbSession, account: Account, method: str) -> None:
    sessions.end(session, page.request.cookies.get(sessions.SESSION_COOKIE))
    token = sessions.start(session, account=account, method=method)
    page.cookies[sessions.SESSION_COOKIE] = (token, sessions.max_age(method))


@router.get("/login", response_class=HTMLResponse)
def login_form(page: PageContext, next: Annotated[str | None, Query()] = None) -> HTMLResponse:
    return render(templates, page, "login.html", {"next": safe_next(next), "email": ""})


@router.post("/login", response_class=HTMLResponse)
def login(
    page: FormPage,
    session: DbSession,
    email: Annotated[str, Form(max_length=320)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
    next: Annotated[str | None, Form(max_length=2000)] = None,
) -> Response:
    client = page.request.client.host if page.request.client else "unknown"
    at = now()
    try:
        throttle.check(session, email=email, client=client, at=at)
    except throttle.TooManySignIns:
        context = {"next": safe_next(next), "email": email, "throttled": True}
        return render(templates, page, "login.html", context, status_code=429)
    account = service.check_password(session, email=email, password=password)
    if account is None:
        throttle.failed(session, email=email, client=client, at=at)
        context = {"next": safe_next(next), "email": email, "failed": True}
        return render(templates, page, "login.html", context, status_code=401)
    throttle.succeeded(session, email=email)
    _signed_in(page, session, account, "password")
    return redirect(page, safe_next(next) or _home_of(account))


@router.get("/login/link", response_class=HTMLResponse)
def login_by_link(
    page: PageContext, session: DbSession, token: Annotated[str, Query(max_length=2000)] = ""
) -> Response:
    try:
        found = service.check_link(session, token=token)
    except Unauthorized as error:
        context = {"next": None, "email": "", "link_problem": error.code}
        return render(templates, page, "login.html", context, status_code=401)
    if found.account is None:
        return redirect(page, f"/recalls/{found.recall_id}")
    _signed_in(page, session, found.account, "link")
    return redirect(page, f"/account/recalls/{found.recall_id}")


@router.get("/logout", response_class=HTMLResponse)
def logout_form(page: PageContext) -> HTMLResponse:
    return render(templates, page, "logout.html")


@router.post("/logout")
def logout(page: FormPage, session: DbSession, request: Request) -> RedirectResponse:
    sessions.end(session, request.cookies.get(sessions.SESSION_COOKIE))
    page.cookies[sessions.SESSION_COOKIE] = ("", None)
    return redirect(page, "/login?signed_out=1")
