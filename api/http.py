"""What every resource shares: the strict blueprint, commands from requests, reads."""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import time
from collections.abc import Callable
from typing import Any

import flask_smorest
import rfc8785
from flask import request

from api.auth import current_actor
from api.errors import ApiProblem, Unavailable
from api.jsonbody import PARSER
from api.service import service
from collab.commands import Command, Outcome
from collab.domain import values as v

ENVELOPE = ("reason", "effective_date", "on_behalf_of", "correlation_id")
ETAG_RE = re.compile(r'^(W/)?"([0-9]{1,15})"$')


class Blueprint(flask_smorest.Blueprint):
    """flask-smorest's blueprint with our strict JSON parser."""

    ARGUMENTS_PARSER = PARSER


def expected_version() -> int | None:
    """If-Match: "N" (the ETag of the version the caller last saw); * means any."""
    header = request.headers.get("If-Match")
    if header is None or header.strip() == "*":
        return None
    match = ETAG_RE.match(header.strip())
    if match is None:
        raise ApiProblem(422, "invalid-if-match", 'If-Match takes one ETag, e.g. "3"')
    return int(match.group(2))


def fingerprint(body: dict[str, Any]) -> str:
    """Method + path + canonical JSON body (DESIGN §4)."""
    try:
        canonical = rfc8785.dumps(body)
    except (rfc8785.CanonicalizationError, rfc8785.IntegerDomainError, ValueError):
        raise ApiProblem(422, "invalid-json", "the body holds values outside plain JSON") from None
    head = f"{request.method} {request.path}\n".encode()
    return hashlib.sha256(head + canonical).hexdigest()


def command(body: dict[str, Any]) -> tuple[Command, dict[str, Any]]:
    """The caller's Command (identity from the credential) and the use case's arguments."""
    args = {k: val for k, val in body.items() if k not in ENVELOPE}
    key = request.headers.get("Idempotency-Key")
    cmd = Command(
        current_actor(),
        on_behalf_of=body.get("on_behalf_of"),
        reason=body.get("reason"),
        effective_date=body.get("effective_date"),
        correlation_id=body.get("correlation_id"),
        idempotency_key=key,
        fingerprint=fingerprint(body) if key is not None else None,
        expected_version=expected_version(),
    )
    return cmd, args


def run(body: dict[str, Any], use_case: Callable[[Command, dict[str, Any]], Outcome]) -> Any:
    """Run a use case for this request; the outcome as body, position and ETag headers."""
    cmd, args = command(body)
    outcome = use_case(cmd, args)
    return outcome_body(outcome), outcome_headers(outcome)


def outcome_body(outcome: Outcome) -> dict[str, Any]:
    svc = service()
    receipts = []
    if svc.settings.mode == "embedded":  # the leaves were appended before we got here
        receipts = [r.as_dict() for r in svc.audit.receipts(outcome.positions)]
    return {
        "command": outcome.command,
        "result": outcome.result,
        "position": outcome.position,
        "positions": list(outcome.positions),
        "replayed": outcome.replayed,
        "receipts": receipts,
    }


def outcome_headers(outcome: Outcome) -> dict[str, str]:
    headers = {"Collab-Position": str(outcome.position)}
    version = outcome.result.get("version")
    if isinstance(version, int):
        headers["ETag"] = f'"{version}"'
    if outcome.replayed:
        headers["Idempotent-Replayed"] = "true"
    return headers


def wait_for_views(min_position: int | None) -> int:
    """Read-your-writes: wait (bounded) until the views reach min_position; 503 after."""
    svc = service()
    follower = svc.read.follower
    reached = min(follower.positions().values())
    if min_position is None or reached >= min_position:
        return reached
    head = follower.head()
    if min_position > head:
        raise ApiProblem(422, "invalid-input", f"min_position {min_position} is beyond the head")
    deadline = time.monotonic() + svc.settings.read_wait_seconds
    delay = 0.005
    while time.monotonic() < deadline:
        if svc.settings.mode == "embedded":
            svc.read.catch_up(min_position)  # no follower process: catch up here
        reached = min(follower.positions().values())
        if reached >= min_position:
            return reached
        time.sleep(delay)  # waiting on another process's follower, to a deadline
        delay = min(delay * 2, 0.1)
    raise Unavailable(f"the views have not reached position {min_position} yet")


def encode_cursor(value: str) -> str:
    return base64.urlsafe_b64encode(value.encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> str:
    if not cursor:
        return ""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        return v.text(base64.urlsafe_b64decode(padded).decode(), "cursor", max_length=200)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise ApiProblem(
            422, "invalid-input", "unknown cursor", errors={"cursor": ["invalid"]}
        ) from None
