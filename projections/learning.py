"""The network of learning's projection (DESIGN §8): practices and their versions, the
lineage's adoptions, learning exchanges. Read through `projections/practices.py`.

Rows come from the events themselves (each version's fields and figures as its event
carries them, at its position), never from a later state: a rebuild gives the same rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, delete, select, update

from collab.domain.exchange import Exchange
from collab.domain.lineage import Lineage
from collab.domain.practice import Practice
from collab.stores.sql import insert_many
from projections.follower import Change
from projections.rows import js
from projections.tables import Tables

PUBLISHED = ("Published", "VersionPublished")


def recorded_at(event: Any) -> str | None:
    meta = getattr(event, "meta", None) or {}
    found: str | None = meta.get("recorded_at")
    return found


def meta_reason(event: Any) -> str | None:
    meta = getattr(event, "meta", None) or {}
    found: str | None = meta.get("reason")
    return found


class PracticeProjection:
    """Practices, adoptions and exchanges, from their events in the batch."""

    name = "practices"
    code_version = 1

    def __init__(self, tables: Tables) -> None:
        self.tables = tables

    def apply(self, conn: Connection, changes: Sequence[Change]) -> None:
        practices: dict[str, Practice] = {}
        for change in changes:
            after, event = change.after, change.event
            name = type(event).__name__
            if isinstance(after, Practice):
                if name in PUBLISHED:
                    conn.execute(self.tables.practice_versions.insert().values(version_row(change)))
                practices[str(after.id)] = after
            elif isinstance(after, Lineage) and name == "PracticeAdopted":
                insert_many(conn, self.tables.adoptions, [adoption_row(change)])
            elif isinstance(after, Exchange):
                self.exchange(conn, change)
        for practice in practices.values():
            self.practice(conn, practice)

    def practice(self, conn: Connection, p: Practice) -> None:
        """The practice's row, from its state after the batch and its current version's."""
        t, pid = self.tables, str(p.id)
        v = t.practice_versions
        versions = conn.execute(
            select(v.c.number, v.c.position, v.c.published_at)
            .where(v.c.practice_id == pid)
            .order_by(v.c.number)
        ).all()
        first, latest = versions[0], versions[-1]
        conn.execute(delete(t.practices).where(t.practices.c.practice_id == pid))
        conn.execute(
            t.practices.insert().values(
                practice_id=pid,
                partnership_id=p.partnership_id,
                current=p.current,
                status="published" if p.withdrawn is None else "withdrawn",
                withdrawn_reason=p.withdrawn,
                audience=p.audience,
                adapted_from=p.adapted_from,
                title=p.content["title"],
                territory=js(p.content["territory"]),
                themes=js(p.content["themes"]),
                evidence_level=p.content["evidence"]["level"],
                first_position=first.position,
                position=latest.position,
                published_at=latest.published_at,
                version=p.version,
            )
        )

    def exchange(self, conn: Connection, change: Change) -> None:
        event, e = change.event, self.tables.exchanges
        name = type(event).__name__
        version = event.originator_version
        if name == "ExchangeRequested":
            row = {
                "exchange_id": str(event.originator_id),
                "practice_id": event.practice_id,
                "owner": event.owner,
                "asker": event.asker,
                "question": event.question,
                "status": "asked",
                "answer": None,
                "decline_reason": None,
                "position": change.position,
                "asked_at": recorded_at(event),
                "answered_at": None,
                "version": version,
            }
            insert_many(conn, e, [row])
            return
        values: dict[str, Any] = {"answered_at": recorded_at(event), "version": version}
        if name == "ExchangeAnswered":
            values.update(status="answered", answer=event.answer)
        elif name == "ExchangeDeclined":
            values.update(status="declined", decline_reason=meta_reason(event))
        else:
            return
        conn.execute(update(e).where(e.c.exchange_id == str(event.originator_id)).values(values))


def version_row(change: Change) -> dict[str, Any]:
    """One version as its event published it, at its position."""
    event = change.event
    number = getattr(event, "number", 1)
    return {
        "practice_id": str(event.originator_id),
        "number": number,
        "decision_id": event.decision_id,
        "audience": event.audience,
        "content": js(event.content),
        "figures": js(event.figures),
        "position": change.position,
        "published_at": recorded_at(event),
    }


def adoption_row(change: Change) -> dict[str, Any]:
    a = change.event.adoption
    return {
        "adoption_id": a["adoption_id"],
        "practice_id": a["practice_id"],
        "practice_version": a["practice_version"],
        "source": a["source"],
        "adopter": a["adopter"],
        "relation": a["relation"],
        "territory": js(a["territory"]),
        "why": a["why"],
        "changes": a["changes"],
        "position": change.position,
        "recorded_at": recorded_at(change.event),
    }
