"""Bearer-token authentication; runs before any body validation (DESIGN §3).

Every failure gets one and the same 401 body: whether a token is unknown, expired,
revoked or belongs to a disabled actor is not for its holder (perhaps a thief) to learn.
"""

from __future__ import annotations

import re
from datetime import datetime

from flask import Flask, g, request

from api.callers import Caller
from api.credentials import digest
from api.errors import ApiProblem
from api.service import service
from collab.domain.envelope import Actor
from collab.domain.errors import NotFoundError

# Paths anyone may read: the process probes and the API's self-description.
PUBLIC = ("/healthz", "/readyz", "/v1/openapi.json", "/v1/docs")
CHALLENGE = {"WWW-Authenticate": 'Bearer realm="collab"'}
DETAIL = "send Authorization: Bearer <token> with a valid token"
# A practice (and the proofs of the positions it cites) may be read without a credential
# where its publishing decision said "anyone" (DESIGN §8): the route decides, and answers
# the same 401 as here for every other practice.
OPEN_PRACTICE = re.compile(
    r"^/v1/practices(/[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}"
    r"(/proofs/[0-9]{1,16}|/similar)?)?$"
)


def unauthenticated() -> ApiProblem:
    """The one 401: it never says why the credential failed."""
    return ApiProblem(401, "unauthenticated", DETAIL, headers=CHALLENGE)


def authenticate() -> None:
    if request.path.startswith(PUBLIC) or not request.path.startswith("/v1/"):
        return
    header = request.headers.get("Authorization", "")
    if not header and request.method == "GET" and OPEN_PRACTICE.fullmatch(request.path):
        g.actor = None  # anonymous: the route serves only a practice open to anyone
        return
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise unauthenticated()
    svc = service()
    now, key = svc.now(), digest(token.strip())
    callers = svc.credentials.callers
    caller = callers.get(key, now)
    if caller is None:
        caller = verified(token.strip(), now)
        callers.put(key, caller)
    g.actor = caller.actor
    g.token_expires_at = caller.expires_at


def verified(token: str, now: datetime) -> Caller:
    """The token's actor, read from the database: a live token of an active actor."""
    svc = service()
    bearer = svc.credentials.bearer(token, now)
    if bearer is None:  # unknown, expired or revoked
        raise unauthenticated()
    try:
        binding = svc.app.get_binding(bearer.actor_id)
    except NotFoundError:
        raise unauthenticated() from None
    if not binding.active:
        raise unauthenticated()
    return Caller(binding.actor(), bearer.expires_at)


def current_actor() -> Actor:
    actor: Actor = g.actor
    return actor


def optional_actor() -> Actor | None:
    """The caller, or None on the one read open to anonymous callers (OPEN_PRACTICE)."""
    actor: Actor | None = g.get("actor")
    return actor


def token_expiry() -> datetime:
    """When the caller's token expires: no token it mints may outlive it."""
    expires: datetime = g.token_expires_at
    return expires


def init_app(app: Flask) -> None:
    app.before_request(authenticate)
