"""Recall API (CONTRACT §5 "Recalls") and the listing check."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from shopsafe.config import get_settings
from shopsafe.kit import json_input
from shopsafe.kit.cursors import parse_cursor
from shopsafe.kit.errors import Forbidden, NotFound
from shopsafe.kit.openapi import json_body
from shopsafe.recalls import customer_alerts, service
from shopsafe.recalls import repository as repo
from shopsafe.recalls.models import Recall
from shopsafe.recalls.schemas import (
    AffectedPage,
    ListingCheck,
    Preview,
    RecallIn,
    RecallOut,
    RecallPage,
    RecallPatch,
)
from shopsafe.web import i18n
from shopsafe.web.deps import ApiPrincipal, DbSession, OperatorPrincipal

router = APIRouter(tags=["recalls"])


async def json_object(request: Request) -> Any:
    """The body as JSON; 422 for whatever JSON cannot be read (even nested too deeply)."""
    return json_input.loads(await request.body())


Body = Annotated[Any, Depends(json_object)]


def out(session: Session, recall: Recall) -> RecallOut:
    content = recall.content
    return RecallOut(
        id=recall.id,
        kind=recall.kind,
        status=recall.status,
        version=recall.version,
        seller_id=repo.seller_external(session, recall.seller_id),
        title=recall.title,
        product_name=content.get("product_name"),
        brand=content.get("brand"),
        hazard=content.get("hazard"),
        risk_level=recall.risk_level,
        instructions=content.get("instructions"),
        remedies=content.get("remedies", []),
        identifier_location=content.get("identifier_location"),
        sold_where=content.get("sold_where"),
        contact=content.get("contact", {}),
        images=content.get("images", []),
        translations=content.get("translations", {}),
        criteria=recall.criteria,
        created_at=recall.created_at,
        updated_at=recall.updated_at,
        published_at=recall.published_at,
        closed_at=recall.closed_at,
    )


@router.post(
    "/recalls",
    status_code=201,
    response_model=RecallOut,
    openapi_extra=json_body(RecallIn),
    summary="Create a recall, safety warning or withdrawal (status draft)",
)
def create_recall(data: Body, session: DbSession, principal: ApiPrincipal) -> RecallOut:
    return out(session, service.create(session, data=data, principal=principal))


@router.get(
    "/recalls",
    response_model=RecallPage,
    summary="Recalls, oldest first",
    description="A seller token lists its own recalls and every recall that affects its sales.",
)
def list_recalls(
    session: DbSession,
    principal: ApiPrincipal,
    status: Annotated[str | None, Query(pattern="^(draft|published|closed)$")] = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> RecallPage:
    after = parse_cursor(cursor)
    rows = repo.page_of_recalls(
        session,
        status=status,
        seller_id=None if principal.is_operator else principal.seller_id,
        after=after,
        limit=limit,
    )
    next_cursor = str(rows[-1].id) if len(rows) == limit else None
    return RecallPage(items=[out(session, r) for r in rows], next_cursor=next_cursor)


@router.get(
    "/recalls/{recall_id}",
    response_model=RecallOut,
    description="A seller token reads its own recalls and every recall that affects its sales.",
)
def get_recall(recall_id: int, session: DbSession, principal: ApiPrincipal) -> RecallOut:
    return out(session, service.readable(session, recall_id, principal).recall)


@router.patch(
    "/recalls/{recall_id}",
    response_model=RecallOut,
    openapi_extra=json_body(RecallPatch),
    summary="Edit a draft, or amend a published recall (a new version; re-matches)",
)
def patch_recall(
    recall_id: int, data: Body, session: DbSession, principal: ApiPrincipal
) -> RecallOut:
    return out(
        session, service.update(session, recall_id=recall_id, data=data, principal=principal)
    )


@router.get(
    "/recalls/{recall_id}/preview",
    response_model=Preview,
    summary="Who publishing would reach; writes nothing",
)
def preview_recall(recall_id: int, session: DbSession, principal: ApiPrincipal) -> Preview:
    return service.preview(session, service.get(session, recall_id, principal))


@router.post(
    "/recalls/{recall_id}/publish", response_model=RecallOut, summary="Publish (idempotent)"
)
def publish_recall(
    recall_id: int, session: DbSession, principal: ApiPrincipal, response: Response
) -> RecallOut:
    """Publishes; when operators approve seller recalls first, a seller's request waits for
    that approval (202, the recall stays a draft)."""
    from shopsafe.remedies import approvals  # remedies builds on recalls; import late

    outcome = approvals.publish(
        session, recall_id=recall_id, principal=principal, actor=service.actor_of(principal)
    )
    if outcome == "pending":
        response.status_code = 202
    return out(session, service.get(session, recall_id, principal))


@router.post("/recalls/{recall_id}/close", response_model=RecallOut)
def close_recall(recall_id: int, session: DbSession, principal: ApiPrincipal) -> RecallOut:
    return out(session, service.close(session, recall_id=recall_id, principal=principal))


@router.get(
    "/recalls/{recall_id}/affected",
    response_model=AffectedPage,
    description="On a recall that is not its own, a seller token gets only the lines it sold.",
)
def affected(
    recall_id: int,
    session: DbSession,
    principal: ApiPrincipal,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 500,
) -> AffectedPage:
    reading = service.readable(session, recall_id, principal)
    return service.affected(session, reading.recall, cursor=cursor, limit=limit,
                            seller_id=reading.seller_id)  # fmt: skip


@router.get(
    "/listings/check",
    response_model=ListingCheck,
    tags=["orders"],
    summary="Whether an offer may still be sold",
    description=(
        "`sellable: false` when a published recall matches the offer (`recall_ids`) or an "
        "operator suspended the seller (`reasons` holds `recalled` and/or `seller_suspended`). "
        "A seller token may only ask about its own offers: another `seller_id` answers 403."
    ),
    responses={403: {"description": "a seller token asked about another seller's offers"}},
)
def listing_check(
    session: DbSession,
    principal: ApiPrincipal,
    seller_id: str | None = None,
    sku: str | None = None,
    gtin: str | None = None,
    brand: str | None = None,
    model: str | None = None,
) -> ListingCheck:
    # A seller token asks about its own offers only: the answer tells whether operators
    # suspended the seller named (`seller_suspended`), which is no other seller's business.
    if not principal.is_operator and seller_id not in (None, principal.seller_external_id):
        raise Forbidden("a seller token can only check its own offers")
    return service.listing_check(
        session, seller_id=seller_id, sku=sku, gtin=gtin, brand=brand, model=model
    )


# --- A customer's recalls and safety alerts, for a shop that renders its own banner. ---


class AlertPurchase(BaseModel):
    order_id: str
    line_id: str
    placed_at: dt.datetime
    product_name: str | None
    quantity: int
    units: int


class CustomerAlertOut(BaseModel):
    id: int
    kind: str
    title: str
    product_name: str | None
    brand: str | None
    risk_level: str
    hazard: str | None
    instructions: str | None
    remedies: list[str]
    images: list[str]
    status: str = Field(
        description="The customer's case: action_needed, stopped_using, no_longer_have, "
        "remedy_requested or recall_closed"
    )
    open: bool = Field(description="Whether it still needs the customer (counts for a banner)")
    recall_status: str
    acknowledgement: str | None
    remedy_choice: str | None
    published_at: dt.datetime | None
    notice_url: str = Field(description="The public notice, without personal data")
    purchases: list[AlertPurchase]


class CustomerAlerts(BaseModel):
    customer_id: str
    language: str
    open_count: int = Field(description="How many alerts a banner should announce")
    alerts: list[CustomerAlertOut]


@router.get(
    "/customers/{customer_id}/alerts",
    response_model=CustomerAlerts,
    tags=["customers"],
    summary="A customer's recalls and safety alerts (operator token), open ones first",
)
def customer_alert_list(
    customer_id: str,
    session: DbSession,
    _operator: OperatorPrincipal,
    lang: Annotated[str | None, Query(max_length=16)] = None,
) -> CustomerAlerts:
    customer = customer_alerts.customer_row(session, customer_id)
    if customer is None:
        raise NotFound(f"customer {customer_id} not found")
    language = i18n.supported(lang) or i18n.supported(customer.language) or "en"
    base = get_settings().base_url.rstrip("/")
    alerts = customer_alerts.alerts_of(session, customer.id, language=language)
    return CustomerAlerts(
        customer_id=customer_id,
        language=language,
        open_count=sum(1 for a in alerts if a.is_open),
        alerts=[
            CustomerAlertOut(
                id=a.recall_id, kind=a.kind, title=a.text["title"],
                product_name=a.text["product_name"] or None, brand=a.brand,
                risk_level=a.risk_level, hazard=a.text["hazard"] or None,
                instructions=a.text["instructions"] or None, remedies=a.remedies,
                images=a.images, status=a.state, open=a.is_open, recall_status=a.status,
                acknowledgement=a.acknowledgement, remedy_choice=a.remedy_choice,
                published_at=a.published_at, notice_url=f"{base}/recalls/{a.recall_id}",
                purchases=[AlertPurchase(**vars(p)) for p in a.purchases],
            )
            for a in alerts
        ],
    )  # fmt: skip
