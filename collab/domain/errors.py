"""Domain errors: each maps to one HTTP status in api/errors.py."""

from __future__ import annotations


class CollabError(Exception):
    """Base of every refusal the service gives; a refused command records nothing."""

    code = "error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidInputError(CollabError):
    """Input outside the accepted domain (DESIGN §2 "Accepted input"): 422."""

    code = "invalid-input"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.reason = message


class NotFoundError(CollabError):
    """The target does not exist or is not visible to the caller: 404."""

    code = "not-found"


class ForbiddenError(CollabError):
    """Visible, but the caller lacks authority (role, mandate, membership): 403."""

    code = "forbidden"


class RuleViolationError(CollabError):
    """A domain rule refuses the command in the current state: 409."""

    code = "rule-violation"


class ConflictError(CollabError):
    """A version conflict remains (stale expected version, or retries exhausted): 409/412."""

    code = "conflict"


class StaleVersionError(ConflictError):
    """The caller's expected version is not the aggregate's current version: 412."""

    code = "stale-version"


class IdempotencyKeyReuseError(CollabError):
    """The same idempotency key was used with a different payload: 422."""

    code = "idempotency-key-reuse"
