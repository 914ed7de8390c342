"""Remedy API (CONTRACT §5 "Remedies"): remedy cases and their moves, return labels,
disposal photos, signed carrier events, and a recall's monthly progress report.

Operators may do everything; a seller token sees and moves only cases of its own sales.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy.orm import Session

from shopsafe.config import get_settings
from shopsafe.kit.errors import InvalidInput, NotFound
from shopsafe.recalls import service as recalls
from shopsafe.recalls.models import Recall
from shopsafe.remedies import labels, reporting, returns, service, state
from shopsafe.remedies import repository as repo
from shopsafe.remedies import seller_repository as sellers
from shopsafe.remedies.models import RemedyCase
from shopsafe.remedies.schemas import (
    CarrierEventOut,
    Money,
    Progress,
    RefundOut,
    RemedyCaseIn,
    RemedyCaseOut,
    ReturnOut,
    TransitionIn,
)
from shopsafe.web.deps import ApiPrincipal, DbSession, OperatorPrincipal

router = APIRouter(tags=["remedies"])


def case_out(session: Session, case: RemedyCase, seller_id: int | None = None) -> RemedyCaseOut:
    """The case; with `seller_id` (`service.case_scope`), only that seller's part of it: the
    units it sold, the price paid for them, what it was charged for each refund."""
    customer = repo.customer(session, case.customer_id)
    shipment = repo.return_of(session, case.id)
    base = get_settings().base_url.rstrip("/")
    units, paid = case.units, service.price_paid(session, case)
    refunds = repo.refunds_of(session, case.id)
    charged = {r.id: r.amount for r in refunds}
    if seller_id is not None:
        part = sellers.part_of_case(session, case.id, seller_id)
        units, paid, charged = part.units, part.paid, part.charged
    return RemedyCaseOut(
        id=case.id, recall_id=case.recall_id,
        customer_id=customer.external_id if customer else "", remedy=case.remedy,
        state=case.state, currency=case.currency,
        amount=str(case.amount if seller_id is None else paid.get(case.currency, "0.00")),
        label_url=f"{base}/api/v1/remedy-cases/{case.id}/label.pdf" if shipment else None,
        rma=case.rma, units=units,
        amounts=[Money(amount=str(v), currency=c) for c, v in sorted(paid.items())],
        next_states=state.allowed(case.remedy, case.state, "staff"),
        refunds=[
            RefundOut(id=r.id, amount=str(charged[r.id]),
                      owed=str(r.owed if seller_id is None else paid.get(r.currency, "0.00")),
                      currency=r.currency, status=r.status, issued_at=r.issued_at)
            for r in refunds if r.id in charged
        ],
        return_shipment=ReturnOut.model_validate(shipment, from_attributes=True)
        if shipment else None,
        replacement_order_id=repo.order_external(session, case.replacement_order_id),
        created_at=case.created_at, updated_at=case.updated_at,
    )  # fmt: skip


@router.post(
    "/remedy-cases",
    response_model=RemedyCaseOut,
    status_code=201,
    responses={200: {"description": "The case this customer already has for this recall"}},
    summary="Open a customer's remedy case (operator, acting for the customer)",
)
def open_case(body: RemedyCaseIn, session: DbSession, _operator: OperatorPrincipal) -> Response:
    customer = repo.customer_pk(session, body.customer_id)
    if customer is None:
        raise NotFound(f"customer {body.customer_id} not found")
    case, created = service.request_remedy(
        session, recall_id=body.recall_id, customer_id=customer, remedy=body.remedy,
        actor="operator",
    )  # fmt: skip
    out = case_out(session, case)
    return JSONResponse(out.model_dump(mode="json"), status_code=201 if created else 200)


@router.get("/remedy-cases/{case_id}", response_model=RemedyCaseOut)
def get_case(case_id: int, session: DbSession, principal: ApiPrincipal) -> RemedyCaseOut:
    case = service.case_for(session, case_id, principal)
    return case_out(session, case, service.case_scope(session, case, principal))


@router.post(
    "/remedy-cases/{case_id}/transitions",
    response_model=RemedyCaseOut,
    summary="Move a case (seller or operator); 409 when the state machine forbids it",
)
def move_case(
    case_id: int, body: TransitionIn, session: DbSession, principal: ApiPrincipal
) -> RemedyCaseOut:
    case = service.transition(
        session, case_id=case_id, to=body.to, principal=principal, amount=body.amount,
        disposition=body.disposition, note=body.note,
    )  # fmt: skip
    return case_out(session, case, service.case_scope(session, case, principal))


@router.get(
    "/remedy-cases/{case_id}/label.pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}},
    summary="The return label (PDF)",
)
def label_pdf(case_id: int, session: DbSession, principal: ApiPrincipal) -> Response:
    return label_response(session, service.case_for(session, case_id, principal))


def label_response(session: Session, case: RemedyCase) -> Response:
    label = returns.label_of(session, case)
    if label is None:
        raise NotFound("this case has no return label")
    return Response(
        labels.render(label),
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{case.rma}.pdf"',
                 "Cache-Control": "no-store"},
    )  # fmt: skip


async def _raw(request: Request) -> bytes:
    limit = get_settings().disposal_photo_max_bytes
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit + 1024:
        raise InvalidInput([f"photo: the upload is larger than the limit of {limit} bytes"],
                           code="photo_refused")  # fmt: skip
    return await request.body()


@router.post(
    "/remedy-cases/{case_id}/disposal-photo",
    response_model=RemedyCaseOut,
    openapi_extra={"requestBody": {"required": True, "content": {
        "image/jpeg": {"schema": {"type": "string", "format": "binary"}},
        "image/png": {"schema": {"type": "string", "format": "binary"}}}}},
    summary="The customer's photo of the destroyed product (operator, for the customer)",
)  # fmt: skip
async def disposal_photo(
    case_id: int, request: Request, session: DbSession, principal: OperatorPrincipal
) -> RemedyCaseOut:
    data = await _raw(request)
    case = service.case_for(session, case_id, principal, lock=True)
    service.submit_photo(session, case=case, data=data, actor="operator")
    return case_out(session, case)


@router.get("/remedy-cases/{case_id}/disposal-photo", response_class=Response)
def latest_photo(case_id: int, session: DbSession, principal: ApiPrincipal) -> Response:
    case = service.case_for(session, case_id, principal)
    photo = repo.latest_photo(session, case.id)
    if photo is None:
        raise NotFound("no photo has been sent for this case")
    return Response(photo.data, media_type=photo.content_type,
                    headers={"Cache-Control": "no-store"})  # fmt: skip


@router.post(
    "/carrier-events",
    response_model=CarrierEventOut,
    summary="A carrier's tracking event, signed: HMAC-SHA256 of the body in X-Shopsafe-Signature",
    openapi_extra={"requestBody": {"required": True, "content": {"application/json": {
        "example": {"carrier": "test", "event_id": "evt-1", "tracking_number": "TC00000000018",
                    "status": "delivered", "at": "2025-03-09T10:00:00Z"}}}}},
)  # fmt: skip
async def carrier_event(
    request: Request,
    session: DbSession,
    x_shopsafe_signature: Annotated[str | None, Header(max_length=200)] = None,
) -> CarrierEventOut:
    body = await request.body()
    return service.carrier_event(session, body=body, signature=x_shopsafe_signature)


@router.get(
    "/recalls/{recall_id}/progress-report.csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}},
    summary="The recall's progress as a CPSC monthly progress report (one row per month)",
)
def progress_report(recall_id: int, session: DbSession, principal: ApiPrincipal) -> Response:
    reading = recalls.readable(session, recall_id, principal)
    return csv_response(session, recall_id=reading.recall.id, seller_id=reading.seller_id)


def csv_response(session: Session, *, recall_id: int, seller_id: int | None = None) -> Response:
    """The progress report: of the whole recall, or (`seller_id`) of that seller's sales."""
    recall = recalls_row(session, recall_id)
    seller = repo.seller(session, recall.seller_id)
    firm = (seller.name or seller.external_id) if seller else "Marketplace"
    text = reporting.progress_report_csv(session, recall, firm=firm, seller_id=seller_id)
    return Response(
        text, media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition":
                 f'attachment; filename="recall-{recall.id}-progress-report.csv"',
                 "Cache-Control": "no-store"},
    )  # fmt: skip


def recalls_row(session: Session, recall_id: int) -> Recall:
    recall = session.get(Recall, recall_id)
    if recall is None:
        raise NotFound(f"recall {recall_id} not found")
    return recall


@router.get(
    "/recalls/{recall_id}/remedy-progress",
    response_model=Progress,
    summary="Remedy cases of a recall by state, units corrected and refunds paid",
)
def remedy_progress(recall_id: int, session: DbSession, principal: ApiPrincipal) -> Progress:
    """A seller reading a recall that is not its own gets the part of its sales only."""
    reading = recalls.readable(session, recall_id, principal)
    return service.progress(session, reading.recall.id, reading.seller_id)


@router.get("/recalls/{recall_id}/remedy-cases", response_model=list[RemedyCaseOut])
def cases_of_recall(
    recall_id: int,
    session: DbSession,
    principal: ApiPrincipal,
    state_: Annotated[str | None, Query(alias="state", max_length=20)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    after: Annotated[int, Query(ge=0)] = 0,
) -> list[RemedyCaseOut]:
    """The recall's cases (a seller, on a recall not its own: only those of its sales), by
    id after `after`."""
    reading = recalls.readable(session, recall_id, principal)
    cases = repo.cases_of_recall(session, reading.recall.id, seller_id=reading.seller_id,
                                 state=state_, after=after, limit=limit)  # fmt: skip
    return [case_out(session, c, reading.seller_id) for c in cases]
