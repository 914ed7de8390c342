"""Unsolicited-packages API (CONTRACT §5 "Unsolicited packages")."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from shopsafe.auth import service as auth_service
from shopsafe.auth.schemas import Principal
from shopsafe.kit.errors import NotFound
from shopsafe.unsolicited import actions, answers, links, uploads
from shopsafe.unsolicited import repository as repo
from shopsafe.unsolicited import service as reports
from shopsafe.unsolicited.schemas import (
    CaseOut,
    CasePage,
    DecisionIn,
    RankingAdjustmentPage,
    ReportAnswer,
    ReportIn,
)
from shopsafe.web.deps import DbSession, OperatorPrincipal

router = APIRouter(tags=["unsolicited packages"])
_optional_bearer = HTTPBearer(auto_error=False)

_REPORT_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": ReportIn.model_json_schema()},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "tracking_numbers": {"type": "string", "description": "one or more, "
                                             "separated by commas or new lines"},
                        "postal_code": {"type": "string"},
                        "country": {"type": "string"},
                        "name": {"type": "string"},
                        "email": {"type": "string"},
                        "note": {"type": "string"},
                        "language": {"type": "string"},
                        "photos": {"type": "array", "items": {"type": "string",
                                                              "format": "binary"}},
                    },
                    "required": ["postal_code", "country"],
                }
            },
        },
    }
}  # fmt: skip


def client_of(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def base_url_of(request: Request) -> str:
    return str(request.base_url)


@router.post(
    "/unsolicited-reports",
    status_code=201,
    response_model=ReportAnswer,
    summary="Report packages nobody ordered (no token; rate-limited per client)",
    openapi_extra=_REPORT_BODY,
)
def submit(
    request: Request,
    submission: Annotated[uploads.Submission, Depends(uploads.read_submission)],
    session: DbSession,
) -> ReportAnswer:
    report = uploads.parse(submission)
    return reports.submit_report(
        session,
        report=report,
        photos=submission.photos,
        client=client_of(request),
        base_url=base_url_of(request),
    )


def _operator_or_none(
    session: DbSession,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_optional_bearer)],
) -> Principal | None:
    if credentials is None:
        return None
    return auth_service.authenticate(session, credentials.credentials)


@router.get(
    "/unsolicited-reports/{case_id}",
    response_model=ReportAnswer | CaseOut,
    summary="A case: the reporter's view with the status link's key, everything for operators",
)
def get_case(
    case_id: str,
    request: Request,
    session: DbSession,
    principal: Annotated[Principal | None, Depends(_operator_or_none)],
    key: Annotated[
        str | None, Query(description="the last part of the private status link")
    ] = None,
) -> ReportAnswer | CaseOut:
    case = repo.case_by_number(session, case_id)
    if case is not None and principal is not None and principal.is_operator:
        return answers.operator_view(session, case)
    if (
        case is None
        or case.origin != "report"  # a detection case has no reporter and no status link
        or not links.key_matches(case.number, case.access_salt, key)
    ):
        raise NotFound(f"case '{case_id}' not found (or the link is not complete)")
    return answers.reporter_answer(session, case, base_url=base_url_of(request))


@router.get("/unsolicited-reports", response_model=CasePage, summary="Cases, newest first")
def list_cases(
    session: DbSession,
    _principal: OperatorPrincipal,
    status: Annotated[str | None, Query(pattern="^(unverified|open|confirmed|dismissed)$")] = None,
    cursor: Annotated[str | None, Query(pattern="^[0-9]{1,12}$")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    origin: Annotated[
        str | None,
        Query(pattern="^(report|detection)$", description="reported, or found by detection"),
    ] = None,
) -> CasePage:
    before = int(cursor) if cursor else None
    return answers.case_page(session, status=status, before=before, limit=limit, origin=origin)


_DECISIONS = {
    "confirm": "Confirm the case (a brushing case leaves the rankings)",
    "dismiss": "Dismiss the case: blocks lifted, ranking adjustments reversed",
    "suspend-seller": "Suspend the seller's offers",
    "lift-suspension": "Lift the case's suspension of the seller's offers",
    "lift-blocks": "Lift the case's delivery blocks and release its holds",
}


def _decide(action: str, case_id: str, decision: DecisionIn | None, session: DbSession) -> CaseOut:
    body = decision or DecisionIn()
    actor = "operator (API token)"
    if action == "confirm":
        case = actions.confirm(
            session, number=case_id, actor=actor, note=body.note, classification=body.classification
        )
    elif action == "dismiss":
        case = actions.dismiss(session, number=case_id, actor=actor, note=body.note)
    elif action == "suspend-seller":
        case = actions.suspend_seller(session, number=case_id, actor=actor, note=body.note)
    elif action == "lift-suspension":
        case = actions.lift_suspension(session, number=case_id, actor=actor, note=body.note)
    else:
        case = actions.lift_blocks(session, number=case_id, actor=actor, note=body.note)
    session.flush()
    return answers.operator_view(session, case)


def _decision_route(action: str) -> None:
    def decide(
        case_id: str,
        session: DbSession,
        _principal: OperatorPrincipal,
        decision: DecisionIn | None = None,
    ) -> CaseOut:
        return _decide(action, case_id, decision, session)

    router.post(
        f"/unsolicited-reports/{{case_id}}/{action}",
        response_model=CaseOut,
        summary=_DECISIONS[action],
        name=f"unsolicited_{action.replace('-', '_')}",
    )(decide)


for _action in _DECISIONS:
    _decision_route(_action)


@router.get(
    "/ranking-adjustments",
    response_model=RankingAdjustmentPage,
    summary="Orders and reviews to leave out of sales-rank and rating signals (and put back)",
)
def ranking_adjustments(
    session: DbSession,
    _principal: OperatorPrincipal,
    since: Annotated[datetime | None, Query(description="changes at or after this time")] = None,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 500,
) -> RankingAdjustmentPage:
    return answers.ranking_page(session, since=since, cursor=cursor, limit=limit)
