"""One table: exception → status + problem type; every error is RFC 9457 problem+json."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, g, json, request
from werkzeug.exceptions import HTTPException

from collab.domain.errors import (
    CollabError,
    ConflictError,
    ForbiddenError,
    IdempotencyKeyReuseError,
    InvalidInputError,
    NotFoundError,
    RuleViolationError,
    StaleVersionError,
)
from web.sessions import is_page

log = logging.getLogger("collab.api")
PROBLEM = "application/problem+json"
TYPE_BASE = "urn:collab:problem:"

# Most specific first: StaleVersionError is a ConflictError.
STATUS: tuple[tuple[type[CollabError], int], ...] = (
    (InvalidInputError, 422),
    (IdempotencyKeyReuseError, 422),
    (NotFoundError, 404),
    (ForbiddenError, 403),
    (StaleVersionError, 412),
    (ConflictError, 409),
    (RuleViolationError, 409),
)


class ApiProblem(Exception):
    """An HTTP-level refusal raised by the API layer itself (not by the domain)."""

    def __init__(
        self,
        status: int,
        code: str,
        detail: str,
        *,
        errors: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status, self.code, self.detail = status, code, detail
        self.errors = errors
        self.headers = headers or {}


class Unavailable(ApiProblem):
    """503 with Retry-After: the database is unreachable or the views are behind."""

    def __init__(self, detail: str, retry_after: int = 1) -> None:
        super().__init__(503, "unavailable", detail, headers={"Retry-After": str(retry_after)})


def problem(
    status: int,
    code: str,
    title: str,
    detail: str | None = None,
    *,
    errors: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    if is_page(request.path):  # a person's page: the same answer, as HTML
        from web.errors import error_page  # web imports the API's modules

        return error_page(status, title, detail, headers)
    body: dict[str, Any] = {"type": f"{TYPE_BASE}{code}", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    if errors:
        body["errors"] = errors
    request_id = getattr(g, "request_id", None)
    if request_id:
        body["instance"] = f"urn:collab:request:{request_id}"
    response = Response(json.dumps(body), status=status, mimetype=PROBLEM)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def status_of(error: CollabError) -> int:
    for kind, status in STATUS:
        if isinstance(error, kind):
            return status
    return 409


def on_collab_error(error: CollabError) -> Response:
    status = status_of(error)
    errors = None
    if isinstance(error, InvalidInputError):
        errors = {error.field: [error.reason]}
    return problem(status, error.code, TITLES.get(status, "Refused"), error.message, errors=errors)


def on_api_problem(error: ApiProblem) -> Response:
    return problem(
        error.status,
        error.code,
        TITLES.get(error.status, "Error"),
        error.detail,
        errors=error.errors,
        headers=error.headers,
    )


def on_http_exception(error: HTTPException) -> Response:
    status = error.code or 500
    headers = {k: v for k, v in error.get_headers() if k.lower() in ("allow", "retry-after")}
    code = (error.name or "error").lower().replace(" ", "-")
    return problem(status, code, error.name or "Error", error.description, headers=headers)


def on_unexpected(error: Exception) -> Response:
    if database_unreachable(error):
        log.warning("database unavailable: %s", type(error).__name__)
        return problem(
            503,
            "unavailable",
            TITLES[503],
            "the database is unavailable; retry shortly",
            headers={"Retry-After": "1"},
        )
    log.exception("unhandled error")
    # Never a stack trace, SQL or a library's name in a body.
    return problem(500, "internal", TITLES[500], "the request could not be completed")


def database_unreachable(error: Exception) -> bool:
    """Connection-level failures of any driver layer: retrying later may succeed."""
    names = {type(e).__name__ for e in _chain(error)}
    # A pool with no connection free in time (SQLAlchemy's TimeoutError, the library's
    # ConnectionUnavailableError) is also a moment's unavailability, not a defect.
    return bool(names & UNREACHABLE)


UNREACHABLE = {
    "OperationalError",
    "InterfaceError",
    "PoolTimeout",
    "PoolError",
    "TimeoutError",
    "ConnectionUnavailableError",
}


def _chain(error: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and current not in seen and len(seen) < 10:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


TITLES = {
    400: "Bad request",
    401: "Authentication required",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    412: "Precondition failed",
    413: "Payload too large",
    415: "Unsupported media type",
    422: "Invalid input",
    428: "Precondition required",
    500: "Internal error",
    503: "Service unavailable",
}


def init_app(app: Flask) -> None:
    app.register_error_handler(CollabError, on_collab_error)
    app.register_error_handler(ApiProblem, on_api_problem)
    app.register_error_handler(HTTPException, on_http_exception)
    app.register_error_handler(Exception, on_unexpected)
