""" "Your Recalls and Product Safety Alerts" (only the signed-in customer's), one notice with
the customer's answers and remedy choice, and the public notice page to pass on."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Form
from fastapi.responses import HTMLResponse, RedirectResponse

from shopsafe.config import get_settings
from shopsafe.kit.errors import NotFound
from shopsafe.recalls import customer_actions, customer_alerts
from shopsafe.remedies import service as remedies
from shopsafe.web.deps import CustomerForm, CustomerPage, DbSession, PageContext
from shopsafe.web.rendering import Page, make_templates, redirect, render

router = APIRouter(include_in_schema=False)
templates = make_templates(Path(__file__).parent / "templates")


def _customer(page: Page) -> tuple[int, str]:
    visitor = page.visitor
    assert visitor is not None and visitor.customer_id is not None
    return visitor.customer_id, visitor.actor


@router.get("/account/recalls", response_class=HTMLResponse)
def your_recalls(page: CustomerPage, session: DbSession) -> HTMLResponse:
    customer_id, _ = _customer(page)
    alerts = customer_alerts.alerts_of(session, customer_id, language=page.language)
    context = {
        "open_alerts": [a for a in alerts if a.is_open],
        "closed_alerts": [a for a in alerts if not a.is_open],
    }
    return render(templates, page, "your_recalls.html", context)


@router.get("/account/recalls/{recall_id:int}", response_class=HTMLResponse)
def your_recall(
    recall_id: int, page: CustomerPage, session: DbSession, done: str | None = None
) -> HTMLResponse:
    customer_id, _ = _customer(page)
    alert = customer_alerts.alert_of(session, customer_id, recall_id, language=page.language)
    if alert is None:
        raise NotFound("recall not found")
    share_url = f"{get_settings().base_url.rstrip('/')}/recalls/{recall_id}"
    case = remedies.customer_case(session, recall_id=recall_id, customer_id=customer_id)
    context = {"alert": alert, "done": done, "share_url": share_url, "case": case}
    return render(templates, page, "your_recall.html", context)


@router.post("/account/recalls/{recall_id:int}/acknowledge")
def acknowledge(
    recall_id: int,
    page: CustomerForm,
    session: DbSession,
    answer: Annotated[str, Form(max_length=40)] = "",
) -> RedirectResponse:
    customer_id, actor = _customer(page)
    customer_actions.acknowledge(
        session, customer_id=customer_id, recall_id=recall_id, answer=answer, actor=actor
    )
    return redirect(page, f"/account/recalls/{recall_id}?done={answer}#your-answer")


@router.post("/account/recalls/{recall_id:int}/remedy")
def choose_remedy(
    recall_id: int,
    page: CustomerForm,
    session: DbSession,
    remedy: Annotated[str, Form(max_length=20)] = "",
) -> RedirectResponse:
    customer_id, actor = _customer(page)
    customer_actions.choose_remedy(
        session, customer_id=customer_id, recall_id=recall_id, remedy=remedy, actor=actor
    )
    # The choice opens the remedy case that the seller's console runs (refund, label …).
    remedies.request_remedy(
        session, recall_id=recall_id, customer_id=customer_id, remedy=remedy, actor=actor
    )
    return redirect(page, f"/account/recalls/{recall_id}?done=remedy#remedy")


@router.get("/recalls/{recall_id:int}", response_class=HTMLResponse, name="public_recall")
def public_recall(recall_id: int, page: PageContext, session: DbSession) -> HTMLResponse:
    """The notice as anyone may read it: no names, orders or addresses."""
    recall = customer_alerts.public_recall(session, recall_id)
    if recall is None:
        raise NotFound("recall not found")
    content = recall.content
    context = {
        "recall": recall,
        "text": customer_alerts.localised(content, recall.title, page.language),
        "remedies": list(content.get("remedies") or []),
        "images": list(content.get("images") or []),
        "contact": dict(content.get("contact") or {}),
        "brand": content.get("brand"),
    }
    return render(templates, page, "public_recall.html", context)
