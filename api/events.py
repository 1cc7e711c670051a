"""The event feed: the log in its public, versioned representation, filtered by visibility.

Which events a caller sees is `collab.visibility`'s to decide (DESIGN §3): a partnership's
and its commitments' events inside the caller's window on it (a former member: up to its
exit; an invited or declined organisation, or a broker under its mandate: the events of
its own invitation); organisation and identifier events to everyone, except mandates (as
`GET /v1/organisations/{id}/mandates` shows them); an actor's role and grant events to
admins and to that actor; practices' and the lineage's events to every signed-in caller
(DESIGN §8); a learning exchange's to those who see the content of the asking or the
answering partnership.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate
from sqlalchemy import Connection

from api.auth import current_actor
from api.http import Blueprint, Body
from api.schemas import events as s
from api.service import service
from collab import visibility
from collab.application import Collab
from collab.domain.actor import ActorBinding
from collab.domain.commitment import Commitment
from collab.domain.envelope import Actor, Envelope
from collab.domain.exchange import Exchange
from collab.domain.lineage import Lineage
from collab.domain.organisation import IdentifierClaim, Organisation
from collab.domain.partnership import Partnership
from collab.domain.practice import Practice
from collab.visibility import Viewer, Window
from projections.history import public_data
from projections.rows import js
from projections.tables import Tables
from projections.visibility import window

log = logging.getLogger("collab.api")
blp = Blueprint("events", __name__, url_prefix="/v1", description=__doc__)

STRETCH = 1000  # log positions examined per page at most: bounded work per request
MANDATES = ("MandateGranted", "MandateRevoked", "MandateEnded")
ENVELOPE = tuple(Envelope.__annotations__)  # the keys every event's meta carries
KINDS: tuple[tuple[type[Aggregate], str], ...] = (
    (Partnership, "partnership"),
    (Commitment, "commitment"),
    (Organisation, "organisation"),
    (IdentifierClaim, "identifier"),
    (ActorBinding, "actor"),
    (Practice, "practice"),
    (Lineage, "lineage"),
    (Exchange, "exchange"),
)
PUBLISHED = ("practice", "lineage")  # read by every signed-in caller (DESIGN §8)


def stream_type(event: Any) -> str:
    for cls, name in KINDS:
        if isinstance(event, cls.Event):
            return name
    return "other"


def public(event: Any, position: int) -> dict[str, object]:
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
    """Which events one caller sees (collab.visibility decides, on the views' facts);
    each partnership's window decided once per page."""

    app: Collab
    viewer: Viewer
    conn: Connection
    tables: Tables
    windows: dict[str, Window] = field(default_factory=dict)
    partnership_of: dict[UUID, str] = field(default_factory=dict)
    parties: dict[UUID, tuple[str, str]] = field(default_factory=dict)

    def sees(self, event: Any, position: int) -> bool:
        kind, actor = stream_type(event), self.viewer.actor
        if kind == "partnership":
            pid = str(event.originator_id)
            return self.window_on(pid).sees(position, public_data(event))
        if kind == "commitment":
            return self.window_on(self.commitment_partnership(event)).reaches(position)
        if kind == "actor":
            return visibility.sees_actor(actor, str(event.originator_id))
        if kind in PUBLISHED:
            return visibility.sees_practice(actor, "signed_in")
        if kind == "exchange":
            asker, owner = self.exchange_parties(event)
            return visibility.sees_exchange(self.window_on(asker), self.window_on(owner), position)
        if kind == "organisation" and type(event).__name__ in MANDATES:
            mandate = self.app.get_organisation(str(event.originator_id)).mandate(event.mandate_id)
            return mandate is not None and visibility.sees_mandate(
                self.viewer, mandate, self.window_on
            )
        return kind in ("organisation", "identifier") or actor.role == "admin"

    def window_on(self, pid: str) -> Window:
        if pid not in self.windows:
            self.windows[pid] = window(self.conn, self.tables, self.viewer, pid)
        return self.windows[pid]

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

    def exchange_parties(self, event: Any) -> tuple[str, str]:
        """The asking and the answering partnership of an exchange's event."""
        eid = event.originator_id
        if eid not in self.parties:
            asker = getattr(event, "asker", None)
            if asker is None:
                exchange = self.app.load(eid)
                assert isinstance(exchange, Exchange)
                self.parties[eid] = (exchange.asker, exchange.owner)
            else:
                self.parties[eid] = (str(asker), str(event.owner))
        return self.parties[eid]


def gate(conn: Connection, actor: Actor | None = None) -> Gate:
    """The caller's (or `actor`'s) gate over a read-model connection."""
    svc = service()
    who = current_actor() if actor is None else actor
    return Gate(svc.app, svc.app.viewer(who, svc.now()), conn, svc.read.tables)


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
def feed(query: Body) -> dict[str, object]:
    """The log after a position: the events the caller may see, from a bounded stretch."""
    svc = service()
    # Past the head is a 422: a client that stored a `next_after` beyond it would skip
    # the events written later. At the head is an empty page.
    after, limit = svc.within_head(query["after"], "after"), query["limit"]
    with svc.read.reader() as conn:
        seer = gate(conn)
        stop = None
        if seer.viewer.actor.role != "admin":
            # Windows are decided on the views' facts (a former member's exit, a broker's
            # mandates): examine no further than the views have come (embedded: the head).
            stop = min(svc.read.follower.positions().values())
        notifications = svc.app.recorder.select_notifications(
            after, STRETCH, stop=stop, inclusive_of_start=False
        )
        items: list[dict[str, Any]] = []
        last = after
        for n in notifications:
            last = n.id
            event = decoded(n)
            if event is not None and seer.sees(event, n.id):
                items.append(public(event, n.id))
                if len(items) == limit:
                    break
    return {"items": items, "next_after": last, "head": svc.head()}
