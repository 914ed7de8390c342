"""Request dependencies: one transaction per request, and the API token's holder."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from shopsafe.auth import service as auth_service
from shopsafe.auth.schemas import Principal
from shopsafe.db.session import session_factory
from shopsafe.kit.errors import Forbidden, Unauthorized

_bearer = HTTPBearer(auto_error=False, description="A token from `shopsafe tokens create`.")


def request_session(request: Request) -> Iterator[Session]:
    """The request's transaction: committed when the handler returns, before the response
    is sent; rolled back on any error."""
    engine: Engine = request.app.state.engine
    session = session_factory(engine)()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


DbSession = Annotated[Session, Depends(request_session, scope="function")]


def api_principal(
    session: DbSession,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthorized("an API token is required: Authorization: Bearer <token>")
    return auth_service.authenticate(session, credentials.credentials)


ApiPrincipal = Annotated[Principal, Depends(api_principal)]


def operator_principal(principal: ApiPrincipal) -> Principal:
    if not principal.is_operator:
        raise Forbidden("this needs an operator token")
    return principal


OperatorPrincipal = Annotated[Principal, Depends(operator_principal)]
