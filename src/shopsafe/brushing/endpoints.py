"""Operator API for detected rings: list, look at one, confirm or dismiss.

Mounted under /api/v1 by the app (`app.include_router(brushing.endpoints.router, ...)`).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from shopsafe.brushing import service
from shopsafe.brushing.schemas import RingDecision, RingDetail, RingPage
from shopsafe.web.deps import DbSession, OperatorPrincipal

router = APIRouter(tags=["brushing"])


@router.get("/brushing/rings", response_model=RingPage, summary="Detected brushing rings")
def list_rings(
    session: DbSession,
    principal: OperatorPrincipal,
    status: Annotated[str | None, Query(pattern="^(open|confirmed|dismissed)$")] = None,
    cursor: Annotated[str | None, Query(max_length=20)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> RingPage:
    del principal
    items, next_cursor = service.list_rings(session, status=status, cursor=cursor, limit=limit)
    return RingPage(items=items, next_cursor=next_cursor)


@router.get("/brushing/rings/{ring_id}", response_model=RingDetail, summary="One ring")
def get_ring(ring_id: int, session: DbSession, principal: OperatorPrincipal) -> RingDetail:
    del principal
    return service.get_ring(session, ring_id)


@router.post(
    "/brushing/rings/{ring_id}/status",
    response_model=RingDetail,
    summary="Confirm or dismiss a ring (or open it again)",
)
def decide(
    ring_id: int, body: RingDecision, session: DbSession, principal: OperatorPrincipal
) -> RingDetail:
    return service.decide(session, ring_id=ring_id, status=body.status, actor=principal.role)
