"""Forms: start a partnership, invite an organisation, join or decline, withdraw (DESIGN §7).

Each form is the JSON API's route as a page (api/partnerships.py): the route's authority
check before anything is shown (a partnership the person does not see is not found; one
where it may not act is refused), then its schema and command through `web.forms.handle`.
The pages state what the person is about to do: the terms of an invitation before it is
answered, and the consequences of a withdrawal before it is sent.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from flask import g
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy import Connection, select

from api import authority
from api.schemas import partnerships as s
from api.schemas.common import CommandBody
from api.seen import read, viewer
from api.views import at_cut
from collab.domain import codes
from collab.domain import values as v
from collab.partnerships.commands import (
    DeclineInvitation,
    InitiatePartnership,
    InviteMember,
    JoinPartnership,
    WithdrawMembership,
)
from projections.tables import Tables
from projections.views import view_for
from web.forms import acting_for, handle
from web.forms_organisations import territory_choices
from web.frame import pages, views_reached
from web.labels import label
from web.names import ids_in, names_for
from web.organisations import folded

blp = pages("forms_membership")

PICKABLE = 500  # organisations offered in a list; a larger register asks for the id
# An organisation in one of these is not invited (leaving: in standing until its exit date)
TAKEN = ("invited", "active", "leaving", "defaulting")
OPEN = ("pledged", "confirmed", "in_delivery")  # commitments a withdrawal releases


def choices(kind: str, listed: tuple[str, ...]) -> list[tuple[str, str]]:
    """Codes with their labels (web.labels), in the reader's language."""
    return [(code, label(code, kind)) for code in listed]


def yes_no() -> list[tuple[str, str]]:
    return [("true", _("Yes")), ("false", _("No"))]


def labels() -> dict[str, Any]:
    """The code lists the membership forms offer, named in the reader's language."""
    return {
        "types": choices("partnership_type", codes.PARTNERSHIP_TYPES),
        "roles": choices("member_role", codes.ROLES),
        "groups": choices("interest_group", codes.INTEREST_GROUPS),
        "vocabularies": choices("classification", codes.CLASSIFICATION_VOCABULARIES),
        "yes_no": yes_no(),
    }


def partnership_id_of(raw: str) -> str:
    return v.identifier(raw, "partnership_id")


def current_view(pid: str) -> dict[str, Any]:
    """The partnership as the person sees it now (as its page shows it)."""
    who = viewer()
    view = read(lambda conn, t: view_for(conn, t, who, pid, at_cut))
    for invitation in [view.get("invitation"), *view.get("invitations", [])]:
        if invitation is not None and isinstance(invitation["roles"], str):
            invitation["roles"] = json.loads(invitation["roles"])
    return view


@blp.route("/partnerships/new", methods=["GET", "POST"])
def initiate() -> ResponseReturnValue:
    """Start a partnership (a broker; or a partner, whose organisation leads it: the API's
    POST /v1/partnerships)."""
    views_reached()
    authority.caller(authority.initiator)()
    acting = acting_for()
    return handle(
        "partnership_new.html",
        s.InitiatePartnership(),
        lambda a: InitiatePartnership(**a),
        lambda o: f"/partnerships/{o.text('partnership_id')}",
        acting=acting,
        leads=g.actor.role == "partner" or bool(acting),
        **labels(),
        **territory_choices(),
    )


def invitable(view: dict[str, Any]) -> list[tuple[str, str]] | None:
    """Active organisations of the register not already in the partnership, by name; None
    when the register is too large to list."""
    taken = {m["organisation_id"] for m in view.get("members", []) if m["status"] in TAKEN}

    def ask(conn: Connection, t: Tables) -> list[tuple[str, str]]:
        o = t.organisations
        query = select(o.c.organisation_id, o.c.legal_name).where(o.c.active)
        return [(r.organisation_id, r.legal_name) for r in conn.execute(query.limit(PICKABLE + 1))]

    found = read(ask)
    if len(found) > PICKABLE:
        return None
    return sorted((x for x in found if x[0] not in taken), key=lambda x: folded(x[1]))


@blp.route("/partnerships/<partnership_id>/invite", methods=["GET", "POST"])
def invite(partnership_id: str) -> ResponseReturnValue:
    """Invite an organisation before entry into force (a partnership broker or the lead:
    the API's POST /v1/partnerships/<id>/members)."""
    views_reached()
    pid = partnership_id_of(partnership_id)
    authority.partnership(authority.steward)(partnership_id=pid)
    view = current_view(pid)
    return handle(
        "invite.html",
        s.InviteMember(),
        lambda a: InviteMember(partnership_id=pid, **a),
        lambda o: f"/partnerships/{pid}",
        view=view,
        organisations=invitable(view),
        acting=acting_for(pid),
        **labels(),
    )


def open_invitations(view: dict[str, Any], acting: list[tuple[str, str]]) -> list[dict[str, Any]]:
    """The open invitations the person may answer: its organisation's, or for a broker
    those of the organisations it acts for."""
    mine = {g.actor.organisation_id, *(org_id for org_id, _name in acting)}
    shown = [view.get("invitation"), *view.get("invitations", []), *view.get("members", [])]
    return [
        i
        for i in shown
        if i is not None and i["status"] == "invited" and i["organisation_id"] in mine
    ]


@blp.app_template_global()
def answerable(view: dict[str, Any]) -> bool:
    """For the partnership page: whether the person may answer an open invitation here
    (its organisation's, or one of an organisation a broker holds a mandate from). The
    mandates are read only when some invitation is open."""
    shown = [view.get("invitation"), *view.get("invitations", []), *view.get("members", [])]
    if not any(i is not None and i["status"] == "invited" for i in shown):
        return False
    actor = g.get("actor")
    if actor is None:
        return False
    acting = acting_for(view["partnership_id"]) if actor.role == "broker" else []
    return bool(open_invitations(view, acting))


def answer(partnership_id: str, kind: Callable[..., Any]) -> ResponseReturnValue:
    """The invitation page (its terms, and two buttons): join or decline, as `kind`."""
    views_reached()
    pid = partnership_id_of(partnership_id)
    authority.partnership(authority.invited)(partnership_id=pid)
    view, acting = current_view(pid), acting_for(pid)
    invitations = open_invitations(view, acting)
    return handle(
        "invitation_answer.html",
        CommandBody(),
        lambda a: kind(partnership_id=pid),
        lambda o: f"/partnerships/{pid}",
        view=view,
        invitations=invitations,
        names=names_for(ids_in([i["organisation_id"] for i in invitations])),
        acting=acting,
        **labels(),
    )


@blp.route("/partnerships/<partnership_id>/join", methods=["GET", "POST"])
def join(partnership_id: str) -> ResponseReturnValue:
    """The invited organisation accepts (the API's POST …/join)."""
    return answer(partnership_id, JoinPartnership)


@blp.route("/partnerships/<partnership_id>/decline", methods=["GET", "POST"])
def decline(partnership_id: str) -> ResponseReturnValue:
    """The invited organisation declines (the API's POST …/decline)."""
    return answer(partnership_id, DeclineInvitation)


def notice_days(view: dict[str, Any]) -> int | None:
    """The exit notice of the agreement in force, in days (None: no agreement in force)."""
    for text in view.get("versions", []):
        if text["number"] == view.get("in_force_version"):
            return int(text["terms"]["exit_notice_days"])
    return None


def open_commitments(view: dict[str, Any]) -> list[dict[str, Any]] | None:
    """A partner's organisation's open commitments here (None for a broker, who may act
    for several organisations)."""
    org_id = g.actor.organisation_id if g.actor.role == "partner" else None
    if org_id is None:
        return None
    mine = [m for m in view.get("members", []) if m["organisation_id"] == org_id]
    return [c for m in mine for c in m.get("commitments", []) if c["status"] in OPEN]


@blp.route("/partnerships/<partnership_id>/withdraw", methods=["GET", "POST"])
def withdraw(partnership_id: str) -> ResponseReturnValue:
    """Leave the partnership with notice, after its consequences are stated (an active
    member: the API's POST …/withdraw)."""
    views_reached()
    pid = partnership_id_of(partnership_id)
    authority.partnership(authority.member)(partnership_id=pid)
    view = current_view(pid)
    return handle(
        "withdraw.html",
        CommandBody(),
        lambda a: WithdrawMembership(partnership_id=pid),
        lambda o: f"/partnerships/{pid}",
        view=view,
        notice_days=notice_days(view),
        commitments=open_commitments(view),
        acting=acting_for(pid),
    )
