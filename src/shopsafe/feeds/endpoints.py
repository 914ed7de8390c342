"""Feed API for operators: authority records, the review queue, approve / reject."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Query

from shopsafe.feeds import repository as repo
from shopsafe.feeds import review
from shopsafe.feeds.adapters.base import SOURCES
from shopsafe.feeds.models import FeedRecord
from shopsafe.feeds.schemas import (
    CatalogMatchOut,
    DecisionIn,
    FeedRecordOut,
    FeedRecordPage,
    ReviewPage,
    record_out,
)
from shopsafe.kit.cursors import parse_cursor
from shopsafe.kit.errors import InvalidInput, NotFound
from shopsafe.web.deps import DbSession, OperatorPrincipal

router = APIRouter(prefix="/feeds", tags=["feeds"])
Decision = Annotated[DecisionIn | None, Body()]


@router.get(
    "/review",
    response_model=ReviewPage,
    summary="Authority record × offer pairs waiting for an operator, oldest first",
)
def review_queue(
    session: DbSession,
    _operator: OperatorPrincipal,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> ReviewPage:
    return review.review_page(session, cursor=cursor, limit=limit)


@router.get("/matches/{match_id}", response_model=CatalogMatchOut)
def get_match(match_id: int, session: DbSession, _operator: OperatorPrincipal) -> CatalogMatchOut:
    return review.get(session, match_id)


@router.post(
    "/matches/{match_id}/approve",
    response_model=CatalogMatchOut,
    summary="The offer is the recalled product: it goes into a recall (draft)",
    description="Links the offer to a recall that already stops it, extends the record's "
    "recall, or prepares a draft. When the notice rules refuse the draft, the answer is "
    "422 with every problem; send the edits in `recall`. A rejected pair stays rejected "
    "(409).",
)
def approve(
    match_id: int, session: DbSession, operator: OperatorPrincipal, decision: Decision = None
) -> CatalogMatchOut:
    return review.approve(
        session, match_id=match_id, principal=operator, decision=decision or DecisionIn()
    )


@router.post(
    "/matches/{match_id}/reject",
    response_model=CatalogMatchOut,
    summary="The offer is not the recalled product; it is not proposed again",
)
def reject(
    match_id: int, session: DbSession, operator: OperatorPrincipal, decision: Decision = None
) -> CatalogMatchOut:
    return review.reject(
        session, match_id=match_id, principal=operator, decision=decision or DecisionIn()
    )


@router.get("/records", response_model=FeedRecordPage, summary="Authority records, oldest first")
def records(
    session: DbSession,
    _operator: OperatorPrincipal,
    source: str | None = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> FeedRecordPage:
    if source is not None and source not in SOURCES:
        raise InvalidInput([f"source: '{source}' is not one of {', '.join(SOURCES)}"])
    rows = repo.records_page(session, source=source, after=parse_cursor(cursor), limit=limit)
    next_cursor = str(rows[-1].id) if len(rows) == limit else None
    return FeedRecordPage(items=[record_out(r) for r in rows], next_cursor=next_cursor)


@router.get("/records/{record_id}", response_model=FeedRecordOut)
def record(record_id: int, session: DbSession, _operator: OperatorPrincipal) -> FeedRecordOut:
    found = session.get(FeedRecord, record_id)
    if found is None:
        raise NotFound(f"feed record {record_id} not found")
    return record_out(found)
