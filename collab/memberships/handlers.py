"""Handlers of membership changes and broker unassignment: get, call, save."""

from __future__ import annotations

from collab.commands import Result
from collab.memberships.commands import ChangeMembership, UnassignBroker
from collab.partnerships.handlers import result
from collab.tx import Handlers, Tx, registry

HANDLERS: Handlers = {}
handles = registry(HANDLERS)


@handles(ChangeMembership)
def change_membership(tx: Tx, c: ChangeMembership) -> Result:
    p, acting = tx.partnership(c.partnership_id)
    p.change_membership(c.organisation_id, c.changes(), c.decision_id, acting, tx.meta())
    tx.save(p)
    return result(p)


@handles(UnassignBroker)
def unassign_broker(tx: Tx, c: UnassignBroker) -> Result:
    p, acting = tx.partnership(c.partnership_id)
    p.unassign_broker(c.broker_id, acting, tx.meta())
    tx.save(p)
    return result(p)
