"""Notification API: a recall's counters (CONTRACT §5) and the people e-mail did not reach.

A seller token sees only its own recalls (`shopsafe.recalls.service.get` checks).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from shopsafe.kit.cursors import parse_cursor
from shopsafe.notifications import service
from shopsafe.notifications.schemas import RecallStats, UndeliverablePage
from shopsafe.recalls import service as recalls
from shopsafe.web.deps import ApiPrincipal, DbSession

router = APIRouter(tags=["notifications"])


@router.get(
    "/recalls/{recall_id}/stats",
    response_model=RecallStats,
    summary="Reach and correction of a recall, from the notice and delivery records",
    description=(
        "`notified` counts recipients whose notice e-mail a mail server accepted; "
        "`email_accepted` and `email_failed` count this recall's e-mails of every kind "
        "(notices, reminders, corrections); the remedy counters come from its remedy cases. "
        "A seller token reading another's recall that reaches its buyers gets the counters "
        "of its own sales only."
    ),
)
def recall_stats(recall_id: int, session: DbSession, principal: ApiPrincipal) -> RecallStats:
    reading = recalls.readable(session, recall_id, principal)
    if reading.seller_id is not None:  # another's recall that reaches this seller's buyers
        return service.seller_stats(session, recall=reading.recall, seller_id=reading.seller_id)
    return service.stats(session, recall_id=reading.recall.id)


@router.get(
    "/recalls/{recall_id}/undeliverable",
    response_model=UndeliverablePage,
    summary="People the notice e-mail did not reach, with a postal address for a letter",
)
def undeliverable(
    recall_id: int,
    session: DbSession,
    principal: ApiPrincipal,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 500,
) -> UndeliverablePage:
    recall = recalls.get(session, recall_id, principal)
    after = parse_cursor(cursor)
    return service.undeliverable(session, recall_id=recall.id, after=after, limit=limit)


@router.get(
    "/recalls/{recall_id}/undeliverable.csv",
    response_class=Response,
    summary="The same list as CSV, for a letter mailing",
    responses={200: {"content": {"text/csv": {}}}},
)
def undeliverable_csv(recall_id: int, session: DbSession, principal: ApiPrincipal) -> Response:
    recall = recalls.get(session, recall_id, principal)
    body = service.undeliverable_csv(session, recall_id=recall.id)
    return Response(
        content=body,
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="recall-{recall.id}-undeliverable.csv"'
        },
    )
