"""Bearer-token authentication; runs before any body validation (DESIGN §3)."""

from __future__ import annotations

from flask import Flask, g, request

from api.errors import ApiProblem
from api.service import service
from collab.domain.envelope import Actor
from collab.domain.errors import NotFoundError

# Paths anyone may read: the process probes and the API's self-description.
PUBLIC = ("/healthz", "/readyz", "/v1/openapi.json", "/v1/docs")
CHALLENGE = {"WWW-Authenticate": 'Bearer realm="collab"'}


def unauthenticated(detail: str) -> ApiProblem:
    return ApiProblem(401, "unauthenticated", detail, headers=CHALLENGE)


def authenticate() -> None:
    if request.path.startswith(PUBLIC) or not request.path.startswith("/v1/"):
        return
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise unauthenticated("send Authorization: Bearer <token>")
    svc = service()
    actor_id = svc.credentials.actor_of(token.strip(), svc.now())
    if actor_id is None:
        raise unauthenticated("the token is unknown, expired or revoked")
    try:
        binding = svc.app.get_binding(actor_id)
    except NotFoundError:
        raise unauthenticated("the token's actor does not exist") from None
    if not binding.active:
        raise unauthenticated("the token's actor is disabled")
    g.actor = binding.actor()
    g.actor_version = binding.version


def current_actor() -> Actor:
    actor: Actor = g.actor
    return actor


def init_app(app: Flask) -> None:
    app.before_request(authenticate)
