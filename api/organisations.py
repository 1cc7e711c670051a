"""Organisations: the register, corrections, classification, mandates and contacts."""

from __future__ import annotations

from typing import Any

from flask import Response

from api import authority, seen
from api.auth import current_actor
from api.authority import before_body
from api.http import Blueprint, Body, Reply, decode_cursor, encode_cursor, run, wait_for_views
from api.schemas import organisations as s
from api.schemas.common import CommandBody, Outcome
from api.service import service
from collab import access
from collab.domain import values as v
from collab.domain.organisation import Organisation
from collab.organisations import contacts as contacts_of
from collab.organisations.commands import (
    ClassifyOrganisation,
    CorrectOrganisation,
    DeactivateOrganisation,
    GrantMandate,
    RegisterOrganisation,
    RevokeMandate,
)
from collab.visibility import Ties
from projections.queries import list_organisations
from projections.visibility import ties as organisation_ties

blp = Blueprint("organisations", __name__, url_prefix="/v1/organisations", description=__doc__)


def as_body(org: Organisation) -> dict[str, object]:
    return {
        "organisation_id": str(org.id),
        "identifiers": org.identifiers,
        "legal_name": org.legal_name,
        "org_type": org.org_type,
        "sector": org.sector,
        "territory": org.territory,
        "active": org.active,
        "version": org.version,
    }


@blp.route("", methods=["POST"])
@before_body(authority.caller(authority.registrar))
@blp.arguments(s.RegisterOrganisation)
@blp.response(201, Outcome)
def register(body: Body) -> Reply:
    """Register an organisation (brokers, admins)."""
    return run(body, lambda a: RegisterOrganisation(**a))


@blp.route("", methods=["GET"])
@blp.arguments(s.OrganisationQuery, location="query")
@blp.response(200, s.OrganisationList)
def index(query: Body) -> dict[str, object]:
    """The register, filtered by sector, type and territory; visible to every caller."""
    position = wait_for_views(query.pop("min_position", None))
    limit = query.pop("limit")
    after = decode_cursor(query.pop("cursor", None))
    with service().read.reader() as conn:
        items = list_organisations(conn, service().read.tables, after=after, limit=limit, **query)
    last = items[-1]["organisation_id"] if len(items) == limit else None
    return {
        "items": items,
        "next_cursor": encode_cursor(last) if last else None,
        "position": position,
    }


@blp.route("/<organisation_id>", methods=["GET"])
@blp.response(200, s.Organisation)
def show(organisation_id: str) -> Any:
    """One organisation as recorded now (ETag: its version)."""
    org = service().app.get_organisation(organisation_id)
    return as_body(org), {"ETag": f'"{org.version}"'}


@blp.route("/<organisation_id>/corrections", methods=["POST"])
@before_body(authority.organisation(authority.amender))
@blp.arguments(s.CorrectOrganisation)
@blp.response(200, Outcome)
def correct(body: Body, organisation_id: str) -> Reply:
    """Correct legal name, territory or identifiers, naming the corrected event (admins,
    the broker that registered it, the organisation itself or a broker under its mandate)."""
    return run(body, lambda a: CorrectOrganisation(organisation_id=organisation_id, **a))


@blp.route("/<organisation_id>/classification", methods=["POST"])
@before_body(authority.organisation(authority.amender))
@blp.arguments(s.ClassifyOrganisation)
@blp.response(200, Outcome)
def classify(body: Body, organisation_id: str) -> Reply:
    """Change the IATI type and sector, consistent with each other (admins, the broker
    that registered it, the organisation itself or a broker under its mandate)."""
    return run(body, lambda a: ClassifyOrganisation(organisation_id=organisation_id, **a))


@blp.route("/<organisation_id>/deactivation", methods=["POST"])
@before_body(authority.organisation(authority.deactivator))
@blp.arguments(CommandBody)
@blp.response(200, Outcome)
def deactivate(body: Body, organisation_id: str) -> Reply:
    """Deactivate an organisation (admins); its history stays."""
    return run(body, lambda a: DeactivateOrganisation(organisation_id=organisation_id))


@blp.route("/<organisation_id>/mandates", methods=["POST"])
@before_body(authority.organisation(authority.mandator))
@blp.arguments(s.GrantMandate)
@blp.response(201, Outcome)
def grant_mandate(body: Body, organisation_id: str) -> Reply:
    """A partner of the organisation lets a broker act for it (one partnership or all)."""
    return run(body, lambda a: GrantMandate(organisation_id=organisation_id, **a))


@blp.route("/<organisation_id>/mandates", methods=["GET"])
@blp.response(200, s.MandateList)
def mandates(organisation_id: str) -> dict[str, object]:
    """Mandates: admins see all; a broker its own; a partner its organisation's and those
    for partnerships it sees; an auditor those of its granted partnerships."""
    svc = service()
    org = svc.app.get_organisation(organisation_id)
    tx = svc.app.reader(current_actor())
    items = []
    for mandate_id in org.mandates:
        m = org.mandate(mandate_id)
        if m is not None and access.sees_mandate(tx, m):
            items.append(
                {
                    "mandate_id": mandate_id,
                    "broker_id": m.broker_id,
                    "partnership_id": m.partnership_id,
                    "until": m.until,
                    "revoked": m.revoked,
                }
            )
    return {"items": items}


@blp.route("/<organisation_id>/mandates/<mandate_id>/revocation", methods=["POST"])
@before_body(authority.mandate)
@blp.arguments(CommandBody)
@blp.response(200, Outcome)
def revoke_mandate(body: Body, organisation_id: str, mandate_id: str) -> Reply:
    """Revoke a mandate (a partner of the organisation)."""
    return run(body, lambda a: RevokeMandate(organisation_id, mandate_id))


def ties_with(organisation_id: str) -> Ties:
    """How the caller stands to the organisation, from the views (collab.visibility.Ties)."""
    who, org_id = seen.viewer(), v.identifier(organisation_id, "organisation_id")
    return seen.read(lambda c, t: organisation_ties(c, t, who, org_id))


def contact_keeper(organisation_id: str, **_: str) -> None:
    """Before the body: 404 for an unknown organisation, 403 unless the caller sees its
    contacts and may amend it (DESIGN §3)."""
    contacts_of.keeper(service().app, current_actor(), organisation_id, ties_with(organisation_id))


# GET and DELETE take no body or query: the module's own check, run once in the view, is
# already before anything the caller sent is parsed. POST checks before its body too.
@blp.route("/<organisation_id>/contacts", methods=["GET"])
@blp.response(200, s.ContactList)
def contacts(organisation_id: str) -> dict[str, object]:
    """Representatives' contact details (personal data): admins, the organisation and its
    fellow members, its mandated brokers and the brokers of its partnerships."""
    app, ties = service().app, ties_with(organisation_id)
    found = contacts_of.list_contacts(app, current_actor(), organisation_id, ties)
    return {"items": [vars(c) for c in found]}


@blp.route("/<organisation_id>/contacts", methods=["POST"])
@before_body(contact_keeper)
@blp.arguments(s.ContactBody)
@blp.response(201, s.Contact)
def add_contact(body: Body, organisation_id: str) -> dict[str, object]:
    """Record a representative's contact details (erasable; never in the log): those who
    see the contacts and may amend the organisation."""
    ties = ties_with(organisation_id)
    contact = contacts_of.set_contact(service().app, current_actor(), organisation_id, ties, **body)
    return vars(contact)


@blp.route("/<organisation_id>/contacts/<contact_id>", methods=["DELETE"])
@blp.response(204)
def erase_contact(organisation_id: str, contact_id: str) -> Response:
    """Erase a representative's personal data; the event log stays complete."""
    ties = ties_with(organisation_id)
    contacts_of.erase_contact(service().app, current_actor(), organisation_id, contact_id, ties)
    return Response(status=204)
