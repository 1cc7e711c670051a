"""The event feed: the log in its public, versioned representation, filtered by visibility.

Which events a caller sees (DESIGN §3): a partnership's and its commitments' events where
the partnership is visible (a partner: up to its organisation's exit; while only invited
or after declining, the events of its own invitation); organisation and identifier events
to everyone, except mandates (as `GET /v1/organisations/{id}/mandates` shows them); an
actor's role and grant events to admins and to that actor.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate
from sqlalchemy import Connection, func, select

from api.auth import current_actor
from api.http import Blueprint
from api.schemas import events as s
from api.service import service
from collab.application import Collab
from collab.domain.actor import ActorBinding
from collab.domain.commitment import Commitment
from collab.domain.envelope import Actor, Envelope
from collab.domain.errors import NotFoundError
from collab.domain.organisation import IdentifierClaim, Organisation
from collab.domain.partnership import Partnership
from collab.domain.partnership.core import PartnershipCore
from projections.history import public_data
from projections.rows import js
from projections.tables import Tables
from projections.visibility import INVITATION_ONLY

log = logging.getLogger("collab.api")
blp = Blueprint("events", __name__, url_prefix="/v1", description=__doc__)

STRETCH = 1000  # log positions examined per page at most: bounded work per request
EXITS = ("MemberWithdrew", "MemberRemoved")
MANDATES = ("MandateGranted", "MandateRevoked")
ENVELOPE = tuple(Envelope.__annotations__)  # the keys every event's meta carries
KINDS: tuple[tuple[type[Aggregate], str], ...] = (
    (PartnershipCore, "partnership"),
    (Commitment, "commitment"),
    (Organisation, "organisation"),
    (IdentifierClaim, "identifier"),
    (ActorBinding, "actor"),
)


@dataclass(frozen=True)
class Window:
    """How much of one visible partnership a caller sees: all of it, everything up to a
    former member's exit (`until`), or only the events of its own invitation."""

    invitation_of: str | None = None
    until: int | None = None

    @property
    def content(self) -> bool:
        return self.invitation_of is None

    def sees(self, position: int, data: Mapping[str, Any]) -> bool:
        if self.invitation_of is not None:
            return names(data, self.invitation_of)
        return self.until is None or position <= self.until


def names(data: Mapping[str, Any], org: str) -> bool:
    """Whether an event's data is about this organisation's membership."""
    membership = data.get("membership")
    return data.get("org_id") == org or (
        isinstance(membership, dict) and membership.get("organisation") == org
    )


def partner_window(conn: Connection, t: Tables, org: str, pid: str, status: str | None) -> Window:
    """A partner's window on a partnership its organisation is or was in (or invited to)."""
    if status in INVITATION_ONLY:
        return Window(invitation_of=org)
    if status in ("withdrawn", "removed"):
        h = t.history
        exit_position: int | None = conn.execute(
            select(func.max(h.c.position)).where(
                h.c.partnership_id == pid, h.c.event_type.in_(EXITS), h.c.data.contains(org)
            )
        ).scalar()
        return Window(until=exit_position)
    return Window()


def stream_type(event: Any) -> str:
    for cls, name in KINDS:
        if isinstance(event, cls.Event):
            return name
    return "other"


def public(event: Any, position: int) -> dict[str, Any]:
    """The public representation: class name and schema version, never a Python topic."""
    meta = getattr(event, "meta", None) or {}
    return {
        "position": position,
        "type": type(event).__name__,
        "version": getattr(type(event), "class_version", None) or 1,
        "stream": str(event.originator_id),
        "stream_type": stream_type(event),
        "stream_version": event.originator_version,
        "envelope": {k: meta.get(k) for k in ENVELOPE},
        "data": json.loads(js(public_data(event))),  # decimals as strings, dates as text
    }


@dataclass
class Gate:
    """Which events one caller sees; decided once per partnership per page."""

    app: Collab
    actor: Actor
    conn: Connection
    tables: Tables
    windows: dict[str, Window | None] = field(default_factory=dict)
    partnership_of: dict[UUID, str] = field(default_factory=dict)

    def sees(self, event: Any, position: int) -> bool:
        kind, role = stream_type(event), self.actor.role
        if kind == "partnership":
            return self.sees_partnership(str(event.originator_id), position, public_data(event))
        if kind == "commitment":
            return self.sees_partnership(self.commitment_partnership(event), position, {})
        if kind == "actor":
            return role == "admin" or str(event.originator_id) == self.actor.id
        if kind == "organisation" and type(event).__name__ in MANDATES:
            return self.sees_mandate(str(event.originator_id), event.mandate_id)
        return kind in ("organisation", "identifier") or role == "admin"

    def sees_partnership(self, pid: str, position: int, data: Mapping[str, Any]) -> bool:
        if pid not in self.windows:
            self.windows[pid] = self.window_on(pid)
        win = self.windows[pid]
        return win is not None and win.sees(position, data)

    def window_on(self, pid: str) -> Window | None:
        """The app's own visibility check on the partnership as recorded now."""
        try:
            partnership = self.app.load(UUID(pid))
            if not isinstance(partnership, Partnership):
                return None
            self.app.check_visible(partnership, self.app.reader(self.actor))
        except NotFoundError:
            return None
        org = self.actor.organisation_id
        if self.actor.role != "partner" or org is None:
            return Window()
        status = partnership.members.get(org, {}).get("status")
        return partner_window(self.conn, self.tables, org, pid, status)

    def commitment_partnership(self, event: Any) -> str:
        cid = event.originator_id
        if cid not in self.partnership_of:
            pledged = getattr(event, "partnership_id", None)
            if pledged is None:
                commitment = self.app.load(cid)
                assert isinstance(commitment, Commitment)
                pledged = commitment.partnership_id
            self.partnership_of[cid] = str(pledged)
        return self.partnership_of[cid]

    def sees_mandate(self, org_id: str, mandate_id: str) -> bool:
        """As the organisation's mandate list: admins, the organisation, the broker, and
        auditors granted the mandate's partnership."""
        role = self.actor.role
        if role == "admin" or (role == "partner" and self.actor.organisation_id == org_id):
            return True
        mandate = self.app.get_organisation(org_id).mandates.get(mandate_id) or {}
        if role == "broker":
            return bool(mandate.get("broker") == self.actor.id)
        scope = mandate.get("partnership")
        return role == "auditor" and scope is not None and self.app.auditor_sees(self.actor, scope)


def within(gate: Gate, pid: str) -> Callable[[Any, int], bool]:
    """The gate narrowed to one partnership's and its commitments' events (exports)."""

    def sees(event: Any, position: int) -> bool:
        kind = stream_type(event)
        if kind == "partnership" and str(event.originator_id) != pid:
            return False
        if kind == "commitment" and gate.commitment_partnership(event) != pid:
            return False
        return kind in ("partnership", "commitment") and gate.sees(event, position)

    return sees


def decoded(notification: Any) -> Any:
    """The domain event, or None when its stored bytes no longer decode (a damaged or
    tampered row: the verifier's business). The feed goes past it instead of failing on
    every page that contains it; the operator finds it in the log."""
    try:
        return service().app.mapper.to_domain_event(notification)
    except Exception:  # any decoding failure: bytes, JSON, topic or upcasting
        log.error("event at position %s does not decode; left out of the feed", notification.id)
        return None


@blp.route("/events", methods=["GET"])
@blp.arguments(s.FeedQuery, location="query")
@blp.response(200, s.FeedPage)
def feed(query: dict[str, Any]) -> dict[str, Any]:
    """The log after a position: the events the caller may see, from a bounded stretch."""
    svc, actor = service(), current_actor()
    after, limit = query["after"], query["limit"]
    stop = None
    if actor.role == "partner":
        # A former member's window ends at its exit, read from the history view: examine
        # no further than the views have come (in embedded mode, the head).
        stop = min(svc.read.follower.positions().values())
    notifications = svc.app.recorder.select_notifications(
        after, STRETCH, stop=stop, inclusive_of_start=False
    )
    items: list[dict[str, Any]] = []
    last = after
    with svc.read.reader() as conn:
        gate = Gate(svc.app, actor, conn, svc.read.tables)
        for n in notifications:
            last = n.id
            event = decoded(n)
            if event is not None and gate.sees(event, n.id):
                items.append(public(event, n.id))
                if len(items) == limit:
                    break
    head = svc.app.recorder.max_notification_id() or 0
    return {"items": items, "next_after": last, "head": head}
