"""A broker's home: the partnerships it brokers with whose turn it is, the drafts waiting
to be opened for signature, and the mandates organisations granted it, with end dates."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select

from api.seen import read, viewer
from collab.domain.organisation import Mandate
from collab.domain.partnership_rules import CLOSED
from collab.visibility import Viewer
from projections.tables import Tables
from projections.views import legal_names
from projections.visibility import seen
from web.turns import Turn, turn_views, turns

SHOWN = 100  # open partnerships with their turns on one home page


@dataclass(frozen=True)
class Brokered:
    """One partnership the broker brokers, and what it waits for."""

    partnership_id: str
    title: str
    status: str
    turns: list[Turn]


def broker_home(broker_id: str) -> dict[str, Any]:
    """The broker home's context: its partnerships, drafts waiting and mandates."""
    who = viewer()

    def gather(conn: Connection, t: Tables) -> dict[str, Any]:
        brokered, more = partnerships(conn, t, who, broker_id)
        granted = mandates(conn, t, who, broker_id)
        ids = [x.who for p in brokered for x in p.turns] + [m["organisation_id"] for m in granted]
        return {
            "brokered": brokered,
            "more": more,
            "drafts": [(p, x) for p in brokered for x in p.turns if x.kind == "open"],
            "mandates": granted,
            "names": legal_names(conn, t, ids),
        }

    return read(gather)


def partnerships(
    conn: Connection, t: Tables, who: Viewer, broker_id: str
) -> tuple[list[Brokered], int]:
    """The partnerships it is a partnership broker of, open ones first (each with its
    turns), then closed ones, at most `SHOWN` of each; and how many open ones were left
    out."""
    b, p = t.brokers, t.partnerships
    rows = conn.execute(
        select(p.c.partnership_id, p.c.title, p.c.status)
        .join(b, b.c.partnership_id == p.c.partnership_id)
        .where(b.c.broker_id == broker_id)
        .order_by(p.c.title, p.c.partnership_id)
    ).all()
    live = [r for r in rows if r.status not in CLOSED]
    views = turn_views(conn, t, who, [r.partnership_id for r in live[:SHOWN]])
    # A partnership missing from `views` is one it no longer sees as it is now.
    out = [
        Brokered(r.partnership_id, r.title, r.status, turns(views[r.partnership_id]))
        for r in live[:SHOWN]
        if r.partnership_id in views
    ]
    closed = [r for r in rows if r.status in CLOSED][:SHOWN]
    out += [Brokered(r.partnership_id, r.title, r.status, []) for r in closed]
    return out, max(0, len(live) - SHOWN)


def mandates(conn: Connection, t: Tables, who: Viewer, broker_id: str) -> list[dict[str, Any]]:
    """The mandates granted to this broker, soonest end first; a scoped one names its
    partnership's title only where the broker sees the partnership."""
    d, p = t.mandates, t.partnerships
    rows = conn.execute(select(d).where(d.c.broker_id == broker_id)).all()
    scoped = sorted({r.partnership_id for r in rows if r.partnership_id})
    visible = seen(conn, t, who, scoped)
    titles = {}
    if scoped:
        query = select(p.c.partnership_id, p.c.title).where(p.c.partnership_id.in_(scoped))
        titles = {
            r.partnership_id: r.title
            for r in conn.execute(query)
            if visible.of(r.partnership_id).visible
        }
    today = who.today
    out = []
    for r in rows:
        held = Mandate(
            r.mandate_id, r.organisation_id, r.broker_id, r.partnership_id, r.until, r.revoked
        )
        state = "revoked" if r.revoked else "in force" if held.in_force(today) else "ended"
        out.append({**r._mapping, "state": state, "title": titles.get(r.partnership_id)})
    return sorted(
        out, key=lambda m: (m["state"] != "in force", m["until"] or "9999", m["mandate_id"])
    )
