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
from collab.commands import Command, Context, Json, Outcome
from collab.domain import values as v

ENVELOPE = ("reason", "effective_date", "on_behalf_of", "correlation_id")
# A body as its schema loaded it: JSON data, checked again when a command is built from it.
Body = dict[str, Any]
# A command's answer: the outcome's body and its headers (position, ETag).
Reply = tuple[dict[str, Json], dict[str, str]]
ETAG_RE = re.compile(r'^(W/)?"([0-9]{1,15})"$')


class Blueprint(flask_smorest.Blueprint):
    """flask-smorest's blueprint with our strict JSON parser."""

    ARGUMENTS_PARSER = PARSER


def expected_version() -> int | None:
    """If-Match: "N" (the ETag of the version the caller last saw); * means any."""
    header = request.headers.get("If-Match")
    if header is None or header.strip() == "*":
        return None
    match = ETAG_RE.fullmatch(header.strip())
    if match is None:
        raise ApiProblem(422, "invalid-if-match", 'If-Match takes one ETag, e.g. "3"')
    return int(match.group(2))


def fingerprint(body: Body) -> str:
    """Method + path + canonical JSON body (DESIGN §4)."""
    try:
        canonical = rfc8785.dumps(body)
    except (rfc8785.CanonicalizationError, rfc8785.IntegerDomainError, ValueError):
        raise ApiProblem(422, "invalid-json", "the body holds values outside plain JSON") from None
    head = f"{request.method} {request.path}\n".encode()
    return hashlib.sha256(head + canonical).hexdigest()


def context(body: Body) -> tuple[Context, Body]:
    """The caller's Context (identity from the credential, controls from the request) and
    the body's other fields: the command's."""
    args = {k: val for k, val in body.items() if k not in ENVELOPE}
    key = request.headers.get("Idempotency-Key")
    ctx = Context(
        current_actor(),
        on_behalf_of=body.get("on_behalf_of"),
        reason=body.get("reason"),
        effective_date=body.get("effective_date"),
        correlation_id=body.get("correlation_id"),
        idempotency_key=key,
        fingerprint=fingerprint(body) if key is not None else None,
        expected_version=expected_version(),
    )
    return ctx, args


def run(body: Body, build: Callable[[Body], Command]) -> Reply:
    """Build the route's command from the body (its fields checked when built: 422) and
    execute it; the outcome as body, position and ETag headers."""
    ctx, args = context(body)
    outcome = service().app.execute(ctx, build(args))
    return outcome_body(outcome), outcome_headers(outcome)


def outcome_body(outcome: Outcome) -> dict[str, Json]:
    svc = service()
    receipts: list[Json] = []
    if svc.settings.mode == "embedded":  # the leaves were appended before we got here
        receipts = [dict(r.as_dict()) for r in svc.audit.receipts(outcome.positions)]
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
