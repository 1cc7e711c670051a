"""People: who has an account, sign-in links issued for them, and (admins) new people.

Admins see and issue links for everyone; brokers for the partner actors of organisations
they registered (DESIGN §3's table; `access.check_link_issuer` decides, as for the API's
`POST /v1/actors/<id>/signin-links`). A link is shown once, on the page that issued it.
"""

from __future__ import annotations

from typing import Any, cast

from flask import g, redirect, request
from werkzeug.wrappers import Response

from api.errors import status_of
from api.seen import read
from api.service import service
from collab.actors.commands import EnrolActor
from collab.commands import Context
from collab.domain.envelope import ROLES, Actor, Role
from collab.domain.errors import CollabError, ForbiddenError
from projections.tables import Tables
from projections.views import legal_names
from web.frame import acted_at, page, pages, views_reached
from web.roster import Enrolled, enrolled, registered_by
from web.validation_texts import translated

blp = pages("people")


def listed(actor: Actor) -> list[Enrolled]:
    """The people this actor may issue links for: everyone (admins), or the partners of
    organisations it registered (brokers); others none (403)."""
    if actor.role not in ("admin", "broker"):
        raise ForbiddenError("only admins and brokers manage people's sign-in")

    def ask(conn: Any, t: Tables) -> list[Enrolled]:
        everyone = enrolled(conn, t)
        if actor.role == "admin":
            return everyone
        mine = registered_by(conn, t, actor.id)
        return [e for e in everyone if e.role == "partner" and e.organisation_id in mine]

    return read(ask)


def rows(people: list[Enrolled]) -> list[dict[str, Any]]:
    svc = service()
    orgs = organisation_names({p.organisation_id for p in people if p.organisation_id})
    ids = [p.actor_id for p in people]
    names, logins = svc.credentials.names_of(ids), svc.people.logins_of(ids)
    return [
        {
            "actor_id": p.actor_id,
            "name": names.get(p.actor_id),
            "role": p.role,
            "organisation_id": p.organisation_id,
            "organisation": orgs.get(p.organisation_id or ""),
            "active": p.active,
            "login": logins.get(p.actor_id),
        }
        for p in people
    ]


def organisation_names(ids: set[str]) -> dict[str, str]:
    return read(lambda conn, t: legal_names(conn, t, ids)) if ids else {}


def people_page(status: int = 200, **extra: Any) -> tuple[str, int]:
    views_reached()
    actor: Actor = g.actor
    shown = rows(listed(actor))
    context = {"people": shown, "roles": ROLES, "form": {}, "problem": None, **extra}
    return page("people.html", **context), status


@blp.route("/people", methods=["GET"])
def people() -> tuple[str, int]:
    """The people the signed-in admin or broker manages."""
    return people_page()


@blp.route("/people/<actor_id>/link", methods=["POST"])
def issue_link(actor_id: str) -> tuple[str, int]:
    """A one-time sign-in link for one person, shown once."""
    svc = service()
    token, expires_at = svc.issue_signin_link(g.actor, actor_id)
    issued = {
        "actor_id": actor_id,
        "name": svc.credentials.name_of(actor_id),
        "link": svc.signin_url(token, request.host_url),
        "expires_at": expires_at,
    }
    return people_page(201, issued=issued)


@blp.route("/people", methods=["POST"])
def add_person() -> tuple[str, int] | Response:
    """Enrol a person with one role (admins), through the same command as the API."""
    svc = service()
    actor: Actor = g.actor
    if actor.role != "admin":  # authority before the body, as the API's `POST /v1/actors`
        raise ForbiddenError("only admins enrol people")
    form = {k: request.form.get(k, "").strip() for k in ("name", "role", "organisation_id")}
    try:
        command = EnrolActor(cast(Role, form["role"]), form["organisation_id"] or None)
        outcome = svc.enrol(Context(actor), form["name"], command)
    except CollabError as refused:
        return people_page(status_of(refused), form=form, problem=translated(refused.message))
    acted_at(outcome.position)
    return redirect(f"/people#actor-{outcome.text('actor_id')}", 303)
