"""Handlers of the register's commands: get the aggregates, call one domain method, save."""

from __future__ import annotations

import uuid

from collab import access
from collab.commands import Result
from collab.domain.envelope import Actor
from collab.domain.errors import ForbiddenError, RuleViolationError
from collab.domain.organisation import IdentifierClaim, Organisation
from collab.organisations.commands import (
    ClassifyOrganisation,
    CorrectOrganisation,
    DeactivateOrganisation,
    GrantMandate,
    RegisterOrganisation,
    RevokeMandate,
)
from collab.tx import Handlers, Tx, correction, registry

HANDLERS: Handlers = {}
handles = registry(HANDLERS)


def check_registrar(actor: Actor, on_behalf_of: str | None = None) -> None:
    """Brokers and admins register organisations, in their own right."""
    if actor.role not in ("admin", "broker") or on_behalf_of:
        raise ForbiddenError("organisations are registered by brokers and admins")


def check_deactivator(actor: Actor) -> None:
    if actor.role != "admin":
        raise ForbiddenError("only admins deactivate organisations")


def claims(tx: Tx, identifiers: list[dict[str, str]], org_id: str) -> list[IdentifierClaim]:
    """Uniqueness: one uuid5 claim per identifier, saved with the organisation.

    A claim is the first and only event of its stream, so the store refuses a second one
    as it refuses any version taken. The first try therefore does not read the claims: a
    taken identifier fails its insert as a conflict, and the next try reads them and
    refuses with the identifier's name. A registration saves a read (a round trip on
    PostgreSQL) and a taken identifier costs one try more."""
    found = []
    for ident in identifiers:
        if not tx.first and tx.app.exists(IdentifierClaim.create_id(ident["scheme"], ident["id"])):
            raise RuleViolationError(
                f"identifier {ident['scheme']}:{ident['id']} is already registered"
            )
        found.append(IdentifierClaim(ident["scheme"], ident["id"], org_id, tx.meta()))
    return found


def result(org: Organisation) -> Result:
    return {"organisation_id": str(org.id), "version": org.version}


@handles(RegisterOrganisation)
def register_organisation(tx: Tx, c: RegisterOrganisation) -> Result:
    check_registrar(tx.ctx.actor, tx.ctx.on_behalf_of)
    tx.act_as(None)
    territory = dict(c.territory)
    org = Organisation(c.identifiers, c.legal_name, c.org_type, c.sector, territory, tx.meta())
    tx.save(org, *claims(tx, c.identifiers, str(org.id)))
    return result(org)


@handles(CorrectOrganisation)
def correct_organisation(tx: Tx, c: CorrectOrganisation) -> Result:
    org = tx.target(tx.get(Organisation, c.organisation_id))
    acting = tx.act_as(None)
    new_ids = [i for i in c.changes.get("identifiers", []) if i not in org.identifiers]
    org.correct(c.changes, correction(org, c.corrects_version), acting, tx.meta())
    tx.save(org, *claims(tx, new_ids, str(org.id)))
    return result(org)


@handles(ClassifyOrganisation)
def classify_organisation(tx: Tx, c: ClassifyOrganisation) -> Result:
    org = tx.target(tx.get(Organisation, c.organisation_id))
    acting = tx.act_as(None)
    org.classify(c.org_type, c.sector, acting, tx.meta())
    tx.save(org)
    return result(org)


@handles(DeactivateOrganisation)
def deactivate_organisation(tx: Tx, c: DeactivateOrganisation) -> Result:
    org = tx.target(tx.get(Organisation, c.organisation_id))
    check_deactivator(tx.ctx.actor)
    tx.act_as(None)
    org.deactivate(tx.meta())
    tx.save(org)
    return result(org)


@handles(GrantMandate)
def grant_mandate(tx: Tx, c: GrantMandate) -> Result:
    org = tx.target(tx.get(Organisation, c.organisation_id))
    acting = tx.act_as(c.partnership_id)
    org.check_own_partner(acting)  # authority (403) before the scope's state (409)
    if c.partnership_id is not None:
        access.check_mandate_scope(tx, org, c.partnership_id)
    broker = access.check_broker(tx, c.broker_id, "broker_id")
    mandate_id = str(uuid.uuid4())
    org.grant_mandate(mandate_id, broker, c.partnership_id, c.until, acting, tx.meta())
    tx.save(org)
    return {**result(org), "mandate_id": mandate_id}


@handles(RevokeMandate)
def revoke_mandate(tx: Tx, c: RevokeMandate) -> Result:
    org = tx.target(tx.get(Organisation, c.organisation_id))
    access.check_mandate_visible(tx, org, c.mandate_id)
    acting = tx.act_as(None)
    org.revoke_mandate(c.mandate_id, acting, tx.meta())
    tx.save(org)
    return {**result(org), "mandate_id": c.mandate_id}
