"""Forms: register an organisation, grant and revoke mandates (DESIGN §7).

Each form is the JSON API's route as a page (api/organisations.py): the same authority
check before anything is shown, the same schema and the same command through
`web.forms.handle`. The choices a form offers (the org-id.guide register's schemes in
use, the IATI organisation types, the countries in the reader's language) are only a
help: the schema and the command still check every value, as they do for programs.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import pycountry
from flask import g
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from sqlalchemy import Connection, select

from api import authority
from api.organisations import as_body
from api.schemas import organisations as s
from api.schemas.common import CommandBody
from api.seen import read, viewer
from api.service import service
from api.views import at_cut
from collab import access
from collab.domain import codes, reference
from collab.organisations.commands import GrantMandate, RegisterOrganisation, RevokeMandate
from projections.queries import organisation_partnerships
from projections.tables import Tables
from web.forms import handle
from web.frame import pages, views_reached
from web.labels import label
from web.organisations import folded, organisation_id

blp = pages("forms_organisations")

SCOPABLE = ("invited", "active", "leaving", "defaulting")  # memberships a mandate may be scoped to


def org_types() -> list[tuple[str, str]]:
    """IATI OrganisationType codes with their labels, in the reader's language."""
    return [(str(code), f"{label(code, 'org_type')} ({code})") for code in codes.ORG_TYPES]


def sectors() -> list[tuple[str, str]]:
    return [(code, label(code, "sector")) for code in codes.SECTORS]


@cache
def schemes_in_use() -> tuple[tuple[str, str], ...]:
    """The register's schemes a new identifier may use (not deprecated), by code."""
    found = sorted(reference.schemes().values(), key=lambda x: x.code)
    return tuple((x.code, f"{x.code} — {x.name}") for x in found if not x.deprecated)


def country_choices() -> list[tuple[str, str]]:
    """ISO 3166 countries, named in the reader's language, by name."""
    locale = get_locale()
    names = locale.territories if locale else {}
    listed = [(c.alpha_2, names.get(c.alpha_2, c.name)) for c in pycountry.countries]
    return sorted(listed, key=lambda pair: folded(pair[1]))


def sector_table() -> list[tuple[str, str]]:
    """Which sectors each organisation type may declare (codes.SECTORS_BY_ORG_TYPE)."""
    return [
        (f"{label(code, 'org_type')} ({code})", ", ".join(label(x, "sector") for x in allowed))
        for code, allowed in codes.SECTORS_BY_ORG_TYPE.items()
    ]


def territory_choices() -> dict[str, Any]:
    """What a form with a territory offers (also the partnership forms')."""
    return {"countries": country_choices()}


@blp.route("/organisations/new", methods=["GET", "POST"])
def register() -> ResponseReturnValue:
    """Register an organisation (brokers and admins: the API's POST /v1/organisations)."""
    views_reached()
    authority.caller(authority.registrar)()
    return handle(
        "organisation_new.html",
        s.RegisterOrganisation(),
        lambda a: RegisterOrganisation(**a),
        lambda o: f"/organisations/{o.text('organisation_id')}",
        schemes=schemes_in_use(),
        org_types=org_types(),
        sectors=sectors(),
        sector_table=sector_table(),
        **territory_choices(),
    )


def mandate_rows(oid: str) -> list[dict[str, Any]]:
    """The organisation's mandates the person sees (as the API's GET …/mandates lists
    them), in force first, with their state today."""
    app = service().app
    org, tx = app.get_organisation(oid), app.reader(g.actor)
    today = service().now().date().isoformat()
    rows = []
    for mandate_id in org.mandates:
        m = org.mandate(mandate_id)
        if m is not None and access.sees_mandate(tx, m):
            state = "revoked" if m.revoked else "in_force" if m.in_force(today) else "ended"
            rows.append({**vars(m), "state": state})
    return sorted(rows, key=lambda r: (r["state"] != "in_force", r["until"] or "9999"))


def partnerships_of(oid: str) -> tuple[list[dict[str, Any]], set[str]]:
    """The organisation's partnerships the person sees, and their partnership brokers."""
    who = viewer()

    def ask(conn: Connection, t: Tables) -> tuple[list[dict[str, Any]], set[str]]:
        listed = organisation_partnerships(conn, t, who, at_cut, oid)
        ids = [p["partnership_id"] for p in listed]
        b = t.brokers
        query = select(b.c.broker_id).where(b.c.partnership_id.in_(ids))
        return listed, {r.broker_id for r in conn.execute(query)} if ids else set()

    return read(ask)


def mandate_context(oid: str) -> dict[str, Any]:
    """The mandates page's facts: the organisation, its mandates, the partnerships a
    mandate may be scoped to and the brokers the person may know, with names."""
    rows = mandate_rows(oid)
    listed, brokers = partnerships_of(oid)
    brokers |= {r["broker_id"] for r in rows}
    names = service().credentials.names_of(sorted(brokers))
    scoped = {p["partnership_id"]: p["title"] for p in listed if p["membership_status"] in SCOPABLE}
    return {
        "org": as_body(service().app.get_organisation(oid)),
        "mandates": rows,
        "titles": {p["partnership_id"]: p["title"] for p in listed},
        "scopes": list(scoped.items()),
        "brokers": sorted(((b, names.get(b) or b) for b in brokers), key=lambda x: folded(x[1])),
        "broker_names": names,
    }


@blp.route("/organisations/<raw_id>/mandates", methods=["GET", "POST"])
def mandates(raw_id: str) -> ResponseReturnValue:
    """The mandates an organisation gave, and a form to grant one (its partners: the
    API's POST /v1/organisations/<id>/mandates)."""
    views_reached()
    oid = organisation_id(raw_id)
    authority.organisation(authority.mandator)(organisation_id=oid)
    return handle(
        "mandate_new.html",
        s.GrantMandate(),
        lambda a: GrantMandate(organisation_id=oid, **a),
        lambda o: f"/organisations/{oid}/mandates#mandate-{o.text('mandate_id')}",
        **mandate_context(oid),
    )


@blp.route("/organisations/<raw_id>/mandates/<mandate_id>/revocation", methods=["GET", "POST"])
def revocation(raw_id: str, mandate_id: str) -> ResponseReturnValue:
    """Revoke a mandate, after a confirmation (a partner of the organisation: the API's
    POST …/mandates/<mandate_id>/revocation)."""
    views_reached()
    oid = organisation_id(raw_id)
    authority.mandate(organisation_id=oid, mandate_id=mandate_id)
    context = mandate_context(oid)
    shown = next(m for m in context["mandates"] if m["mandate_id"] == mandate_id)
    return handle(
        "mandate_revoke.html",
        CommandBody(),
        lambda a: RevokeMandate(oid, mandate_id),
        lambda o: f"/organisations/{oid}/mandates#mandate-{mandate_id}",
        mandate=shown,
        **context,
    )
