"""Visibility (DESIGN §3) as query filters: which partnerships a caller may see."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, and_, exists, false, or_, select, true

from collab.domain.envelope import Actor
from projections.tables import Tables

FULL = ("active", "defaulting", "withdrawn", "removed")
INVITATION_ONLY = ("invited", "declined")


@dataclass(frozen=True)
class Viewer:
    """Who reads, and (for auditors) which partnerships an admin granted: None = all."""

    actor: Actor
    today: str
    grants: frozenset[str] | None = None


def visible(t: Tables, viewer: Viewer, *, invitations: bool = False) -> ColumnElement[bool]:
    """A filter on `t.partnerships.c.partnership_id` for the partnerships the viewer sees.

    `invitations=True` also admits partnerships where the organisation is (or was) only
    invited: such callers see the invitation, never the partnership's content.
    """
    actor = viewer.actor
    pid = t.partnerships.c.partnership_id
    if actor.role == "admin":
        return true()
    if actor.role == "auditor":
        return true() if viewer.grants is None else pid.in_(sorted(viewer.grants))
    if actor.role == "partner":
        statuses = FULL + INVITATION_ONLY if invitations else FULL
        return pid.in_(
            select(t.members.c.partnership_id).where(
                t.members.c.organisation_id == actor.organisation_id,
                t.members.c.status.in_(statuses),
            )
        )
    if actor.role == "broker":
        return or_(
            pid.in_(select(t.brokers.c.partnership_id).where(t.brokers.c.broker_id == actor.id)),
            pid.in_(mandated(t, viewer)),
        )
    return false()


def mandated(t: Tables, viewer: Viewer) -> Select[tuple[str]]:
    """Partnerships where a member organisation gave this broker a live mandate."""
    m, d = t.members, t.mandates
    live = and_(
        d.c.organisation_id == m.c.organisation_id,
        d.c.broker_id == viewer.actor.id,
        d.c.revoked.is_(False),
        or_(d.c.until.is_(None), d.c.until >= viewer.today),
        or_(d.c.partnership_id.is_(None), d.c.partnership_id == m.c.partnership_id),
    )
    return select(m.c.partnership_id).where(exists().where(live))
