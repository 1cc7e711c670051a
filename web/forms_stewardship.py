"""Forms of stewardship once a partnership is under way (issue 15, part 4): a member's
terms changed under a passed decision (the API's POST …/members/{id}/terms), a partnership
broker unassigned (…/brokers/{id}/unassign). `stewardship_links` tells the partnership
page which of them the signed-in person may use now."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import marshmallow as ma
from flask import g, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from api import authority
from api.schemas import memberships as s
from api.schemas.common import CommandBody
from api.service import service
from collab.domain import codes
from collab.domain import values as v
from collab.domain.errors import NotFoundError
from collab.domain.partnership import Partnership
from collab.domain.partnership_rules import IN_FORCE
from collab.domain.partnership_values import Decision
from collab.memberships.commands import TERMS, ChangeMembership, UnassignBroker
from web.forms import handle
from web.forms_agreement import (
    ONE,
    acting_here,
    at_partnership,
    identities,
    partnership_for,
    passes,
    recorded,
)
from web.forms_membership import choices
from web.frame import pages
from web.names import Names, names_for

blp = pages("forms_stewardship")
CHANGING = (*IN_FORCE, "suspended")  # Partnership.change_membership's statuses


def current_terms(p: Partnership, org_id: str) -> dict[str, Any]:
    """The member's terms as the form shows them (and compares what is posted with)."""
    m = p.members[org_id]
    return {
        "roles": list(m.roles),
        "weight": str(m.weight),
        "interest_group": m.interest_group,
        "signatory": "true" if m.signatory else "false",
    }


class TermsForm(s.ChangeMembership):
    """The API's body, with the roles from the form's checkboxes and only the terms that
    differ from the member's own (a form shows them all, filled)."""

    def __init__(self, current: Mapping[str, Any]) -> None:
        super().__init__()
        self.current = current

    @ma.pre_load
    def changed_only(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        roles = request.form.getlist("roles")
        data = {**data, **({"roles": roles} if roles else {})}
        same = {
            k for k in TERMS if k in data and str(data[k]).lower() == str(self.current[k]).lower()
        }
        if sorted(data.get("roles") or []) == sorted(self.current["roles"]):
            same.add("roles")
        return {k: x for k, x in data.items() if k not in same}


def waiting_changes(p: Partnership) -> list[tuple[str, Decision]]:
    """Passed, unused decisions to change a member's terms, with their ids."""
    return [
        (d_id, d)
        for d_id, d in p.decisions.items()
        if d.action == "change_membership" and d.passed and not d.used and d.organisation
    ]


def decisions_on(p: Partnership, org_id: str) -> list[tuple[str, str]]:
    """Those about this member, as (id, what it says)."""
    return [
        (d_id, d.summary or _("Decision of %(body)s", body=d.body))
        for d_id, d in waiting_changes(p)
        if d.organisation == org_id
    ]


@blp.route(f"{ONE}/members/<organisation_id>/terms", methods=["GET", "POST"])
def change_terms(partnership_id: str, organisation_id: str) -> ResponseReturnValue:
    """A steward changes a member's terms under a passed decision."""
    p = partnership_for(partnership_id, authority.steward)
    pid, org_id = str(p.id), v.identifier(organisation_id, "organisation_id")
    if org_id not in p.members:
        raise NotFoundError(f"no member {org_id} in this partnership")
    current = current_terms(p, org_id)
    chosen = request.args.get("decision", "")
    names = names_for([org_id])
    return handle(
        "membership_terms.html",
        TermsForm(current),
        lambda a: ChangeMembership(pid, org_id, **a),
        at_partnership(pid, "members"),
        filled={**current, "decision_id": chosen},
        p=p,
        pid=pid,
        org_id=org_id,
        name=names("organisation", org_id) or org_id,
        current=current,
        decisions=decisions_on(p, org_id),
        roles=choices("member_role", codes.ROLES),
        groups=choices("interest_group", codes.INTEREST_GROUPS),
        yes_no=[("true", _("Yes")), ("false", _("No"))],
        acting=acting_here(p),
    )


@blp.route(f"{ONE}/brokers/<broker_id>/unassign", methods=["GET", "POST"])
def unassign(partnership_id: str, broker_id: str) -> ResponseReturnValue:
    """A steward (or the broker itself) unassigns a partnership broker."""
    p = partnership_for(partnership_id, authority.steward)
    pid, broker = str(p.id), v.identifier(broker_id, "broker_id")
    names = names_for([broker])
    return handle(
        "broker_unassign.html",
        CommandBody(),
        lambda a: UnassignBroker(pid, broker, **a),
        at_partnership(pid, "facts"),
        p=p,
        pid=pid,
        broker=broker,
        name=names("actor", broker) or broker,
        acting=acting_here(p),
    )


def stewardship_links(p: Partnership, base: str, names: Names) -> list[tuple[str, str]]:
    """For a steward: each passed decision waiting to change a member's terms, and each
    broker it may unassign."""
    found = []
    if p.status in CHANGING:
        for d_id, d in waiting_changes(p):
            who = names("organisation", str(d.organisation)) or str(d.organisation)
            address = f"{base}/members/{d.organisation}/terms?decision={d_id}"
            found.append((address, _("Change the terms of %(who)s as decided", who=who)))
    for broker in p.brokers:
        who = names("actor", broker) or broker
        found.append((f"{base}/brokers/{broker}/unassign", _("Unassign %(who)s", who=who)))
    return found


def steward_names(p: Partnership) -> Names:
    """Names the links need: the brokers' (one read), and the organisations of decisions
    waiting to change terms (read only when there are any)."""
    waiting = [str(d.organisation) for _id, d in waiting_changes(p)]
    organisations = names_for(waiting).organisations if waiting else {}
    return Names(organisations, service().credentials.names_of(list(p.brokers)))


@blp.app_template_global()
def stewardship_actions(view: Mapping[str, Any]) -> list[tuple[str, str]]:
    """For the partnership page: the stewardship forms the signed-in person may use now
    (none for an auditor, or on a page seen as an invitation)."""
    actor = g.get("actor")
    if actor is None or actor.role == "auditor" or "members" not in view:
        return []
    p = recorded(view["partnership_id"])
    if not passes(p, identities(p), authority.steward):
        return []
    return stewardship_links(p, f"/partnerships/{p.id}", steward_names(p))
