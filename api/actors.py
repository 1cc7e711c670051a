"""Actors, their tokens and auditors' grants: admins manage all, everyone their own."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask import Response, request

from api import authority
from api.auth import current_actor, token_expiry
from api.authority import before_body
from api.http import Blueprint, Body, Reply, context, outcome_body, outcome_headers, run
from api.schemas import actors as s
from api.schemas.common import CommandBody, Outcome
from api.service import service
from collab import access
from collab.actors.commands import DisableActor, EnrolActor, GrantAudit, RemoveAuditGrant
from collab.domain.actor import ActorBinding
from collab.domain.errors import NotFoundError

blp = Blueprint("actors", __name__, url_prefix="/v1/actors", description=__doc__)


def check_self_or_admin(actor_id: str) -> None:
    """Own records, or an admin's: others' actors are not visible (404)."""
    access.check_actor_visible(current_actor(), actor_id)


def as_body(binding: ActorBinding) -> dict[str, object]:
    return {
        "actor_id": str(binding.id),
        "name": service().credentials.name_of(str(binding.id)),
        "role": binding.role,
        "organisation_id": binding.organisation_id,
        "active": binding.active,
        "grants": list(binding.grants),
        "version": binding.version,
    }


@blp.route("", methods=["POST"])
@before_body(authority.caller(authority.admin))
@blp.arguments(s.CreateActor)
@blp.response(201, Outcome)
def create(body: Body) -> Any:
    """Enrol an actor with one role (admins)."""
    ctx, args = context(body)
    name = args.pop("name")
    outcome = service().enrol(ctx, name, EnrolActor(**args))
    return outcome_body(outcome), outcome_headers(outcome)


@blp.route("/me", methods=["GET"])
@blp.response(200, s.Actor)
def me() -> dict[str, object]:
    """The caller's own actor record."""
    return as_body(service().app.get_binding(current_actor().id))


@blp.route("/<actor_id>", methods=["GET"])
@blp.response(200, s.Actor)
def show(actor_id: str) -> Any:
    """One actor: admins see all, others themselves."""
    check_self_or_admin(actor_id)
    binding = service().app.get_binding(actor_id)
    return as_body(binding), {"ETag": f'"{binding.version}"'}


@blp.route("/<actor_id>/disable", methods=["POST"])
@before_body(authority.actor(admin=True))
@blp.arguments(CommandBody)
@blp.response(200, Outcome)
def disable(body: Body, actor_id: str) -> Reply:
    """Disable an actor: its tokens stop working; its events stay (admins)."""
    return run(body, lambda a: DisableActor(actor_id=actor_id))


@blp.route("/<actor_id>/grants", methods=["POST"])
@before_body(authority.actor(admin=True))
@blp.arguments(s.Grant)
@blp.response(201, Outcome)
def grant(body: Body, actor_id: str) -> Reply:
    """Let an auditor read a partnership, or every one with "*" (admins)."""
    return run(body, lambda a: GrantAudit(actor_id=actor_id, **a))


@blp.route("/<actor_id>/grants/removal", methods=["POST"])
@before_body(authority.actor(admin=True))
@blp.arguments(s.Grant)
@blp.response(200, Outcome)
def remove_grant(body: Body, actor_id: str) -> Reply:
    """Withdraw one of an auditor's grants (admins)."""
    return run(body, lambda a: RemoveAuditGrant(actor_id=actor_id, **a))


@blp.route("/<actor_id>/tokens", methods=["POST"])
@before_body(authority.actor(admin=False))
@blp.arguments(s.CreateToken)
@blp.response(201, s.IssuedToken)
def issue_token(body: Body, actor_id: str) -> dict[str, object]:
    """Issue a bearer token (shown once; stored hashed): admins for anyone, others for self."""
    check_self_or_admin(actor_id)
    # Never past the calling token's own expiry, whoever the new token is for.
    token, info = service().issue_token(actor_id, body["label"], body["days"], token_expiry())
    return {**vars(info), "token": token}


@blp.route("/<actor_id>/signin-links", methods=["POST"])
@before_body(authority.link_issuer)
@blp.arguments(CommandBody)
@blp.response(201, s.SigninLink)
def issue_signin_link(body: Body, actor_id: str) -> dict[str, object]:
    """Issue a one-time sign-in link for a person (shown once; stored hashed): admins for
    anyone, brokers for partners of organisations they registered."""
    svc = service()
    token, expires_at = svc.issue_signin_link(current_actor(), actor_id)
    link = svc.signin_url(token, request.host_url)
    return {
        "actor_id": str(svc.app.get_binding(actor_id).id),
        "link": link,
        "expires_at": expires_at,
    }


@blp.route("/<actor_id>/tokens", methods=["GET"])
@blp.response(200, s.TokenList)
def tokens(actor_id: str) -> dict[str, object]:
    """An actor's tokens (never their secrets)."""
    check_self_or_admin(actor_id)
    service().app.get_binding(actor_id)
    return {"items": [vars(t) for t in service().credentials.list(actor_id)]}


@blp.route("/<actor_id>/tokens/<token_id>", methods=["DELETE"])
@blp.response(204)
def revoke_token(actor_id: str, token_id: str) -> Response:
    """Revoke a token: admins any, others their own."""
    check_self_or_admin(actor_id)
    # Both ids checked before they reach SQL: PostgreSQL refuses U+0000 in text (a 500).
    owner = str(service().app.get_binding(actor_id).id)  # 404 unless it names an actor
    if not is_uuid(token_id) or not service().credentials.revoke(token_id, service().now(), owner):
        raise NotFoundError(f"no live token {token_id}")
    return Response(status=204)


def is_uuid(text: str) -> bool:
    """Token ids are UUIDs (api/credentials.py): anything else names no token."""
    try:
        UUID(text)
    except ValueError:
        return False
    return True
