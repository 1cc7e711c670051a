"""Handlers of the actors' commands."""

from __future__ import annotations

from collab import access
from collab.actors.commands import DisableActor, EnrolActor, GrantAudit, RemoveAuditGrant
from collab.commands import Result
from collab.domain.actor import ALL, ActorBinding
from collab.domain.envelope import Actor
from collab.domain.errors import ForbiddenError
from collab.domain.partnership import Partnership
from collab.tx import Handlers, Tx, registry

HANDLERS: Handlers = {}
handles = registry(HANDLERS)

# The identity the `collab` command line acts as: an operator with database access.
OPERATOR = Actor("operator", "admin")


def check_admin(actor: Actor, on_behalf_of: str | None = None) -> None:
    """Admins manage actors and grants, in their own right."""
    if actor.role != "admin" or on_behalf_of:
        raise ForbiddenError("only admins manage actors and grants")


def binding(tx: Tx, actor_id: str) -> ActorBinding:
    """The actor's binding, for an admin acting in its own right (404 for others' ids)."""
    access.check_actor_visible(tx.ctx.actor, actor_id)
    check_admin(tx.ctx.actor, tx.ctx.on_behalf_of)
    tx.act_as(None)
    return tx.target(tx.get(ActorBinding, actor_id))


def result(b: ActorBinding) -> Result:
    return {"actor_id": str(b.id), "version": b.version}


@handles(EnrolActor)
def enrol_actor(tx: Tx, c: EnrolActor) -> Result:
    check_admin(tx.ctx.actor, tx.ctx.on_behalf_of)
    tx.act_as(None)
    org = None if c.organisation_id is None else str(tx.organisation(c.organisation_id).id)
    b = ActorBinding(c.role, org, tx.meta())
    tx.save(b)
    return result(b)


@handles(DisableActor)
def disable_actor(tx: Tx, c: DisableActor) -> Result:
    b = binding(tx, c.actor_id)
    b.disable(tx.meta())
    tx.save(b)
    return result(b)


@handles(GrantAudit)
def grant_audit(tx: Tx, c: GrantAudit) -> Result:
    b = binding(tx, c.actor_id)
    if c.partnership_id != ALL:
        tx.get(Partnership, c.partnership_id)  # 404 unless it names a partnership
    b.grant(c.partnership_id, tx.meta())
    tx.save(b)
    return result(b)


@handles(RemoveAuditGrant)
def remove_audit_grant(tx: Tx, c: RemoveAuditGrant) -> Result:
    b = binding(tx, c.actor_id)
    b.remove_grant(c.partnership_id, tx.meta())
    tx.save(b)
    return result(b)
