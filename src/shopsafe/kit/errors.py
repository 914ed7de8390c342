"""Domain errors that carry their HTTP status and a stable code."""

from __future__ import annotations


class DomainError(Exception):
    status_code = 400
    code = "bad_request"

    def __init__(self, detail: str, *, code: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        if code is not None:
            self.code = code


class NotFound(DomainError):
    status_code = 404
    code = "not_found"


class Conflict(DomainError):
    status_code = 409
    code = "conflict"


class Forbidden(DomainError):
    status_code = 403
    code = "forbidden"


class Unauthorized(DomainError):
    status_code = 401
    code = "unauthorized"


class InvalidInput(DomainError):
    """Bad input; `problems` holds one line per problem (e.g. `line 3: buyer.email: …`)."""

    status_code = 422
    code = "invalid_input"

    def __init__(self, problems: list[str], *, code: str | None = None) -> None:
        super().__init__("; ".join(problems), code=code)
        self.problems = problems
