"""Memberships under way: a member's terms changed by a passed decision (weight, roles,
interest group, signatory; the CLLD balance re-checked), a partnership broker unassigned."""

from __future__ import annotations

from api import authority
from api.authority import before_body
from api.http import Blueprint, Body, Reply, run
from api.schemas import memberships as s
from api.schemas.common import CommandBody, Outcome
from collab.memberships.commands import ChangeMembership, UnassignBroker

blp = Blueprint("memberships", __name__, url_prefix="/v1", description=__doc__)

PARTNERSHIP = "/partnerships/<partnership_id>"


@blp.route(f"{PARTNERSHIP}/members/<organisation_id>/terms", methods=["POST"])
@before_body(authority.partnership(authority.steward))
@blp.arguments(s.ChangeMembership)
@blp.response(200, Outcome)
def change_membership(body: Body, partnership_id: str, organisation_id: str) -> Reply:
    """Change a member's terms under a passed `change_membership` decision (broker, lead)."""
    return run(body, lambda a: ChangeMembership(partnership_id, organisation_id, **a))


@blp.route(f"{PARTNERSHIP}/brokers/<broker_id>/unassign", methods=["POST"])
@before_body(authority.partnership(authority.steward))
@blp.arguments(CommandBody)
@blp.response(200, Outcome)
def unassign_broker(body: Body, partnership_id: str, broker_id: str) -> Reply:
    """Unassign a partnership broker (a partnership broker — itself too — or the lead)."""
    return run(body, lambda a: UnassignBroker(partnership_id, broker_id, **a))
