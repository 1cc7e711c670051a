"""The network of learning's projection (DESIGN §8): practices and their versions, the
lineage's adoptions, learning exchanges. Read through `projections/practices.py`.

Rows come from the events themselves (each version's fields and figures as its event
carries them, at its position), never from a later state: a rebuild gives the same rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection

from collab.domain.exchange import Exchange
from collab.domain.lineage import Lineage
from collab.domain.practice import Practice
from collab.stores.sql import delete_many, driver_cursor, fetch, insert_many, mark
from projections.follower import Change
from projections.rows import js
from projections.tables import Tables
from projections.views import CHUNK

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
        """One statement per table per batch (not per practice): a rebuild's batch holds
        hundreds of practices."""
        t = self.tables
        practices: dict[str, Practice] = {}
        versions: list[dict[str, Any]] = []
        adoptions: list[dict[str, Any]] = []
        asked: dict[str, dict[str, Any]] = {}  # exchanges asked in this batch
        answered: list[dict[str, Any]] = []  # answers to exchanges asked before it
        for change in changes:
            after, event = change.after, change.event
            name = type(event).__name__
            if isinstance(after, Practice):
                if name in PUBLISHED:
                    versions.append(version_row(change))
                practices[str(after.id)] = after
            elif isinstance(after, Lineage) and name == "PracticeAdopted":
                adoptions.append(adoption_row(change))
            elif isinstance(after, Exchange):
                exchange(change, asked, answered)
        insert_many(conn, t.practice_versions, versions)
        insert_many(conn, t.adoptions, adoptions)
        insert_many(conn, t.exchanges, list(asked.values()))
        if answered:
            e = t.exchanges.name
            sets = ", ".join(f"{k} = {mark(conn)}" for k in ANSWER_COLUMNS)
            with driver_cursor(conn) as cursor:
                cursor.executemany(
                    f'UPDATE "{e}" SET {sets} WHERE exchange_id = {mark(conn)}',
                    [(*(a[k] for k in ANSWER_COLUMNS), a["exchange_id"]) for a in answered],
                )
        if practices:
            ids = list(practices)
            spans = self.spans(conn, ids)
            delete_many(conn, t.practices, "practice_id", ids)
            insert_many(
                conn, t.practices, [practice_row(p, *spans[i]) for i, p in practices.items()]
            )

    def spans(self, conn: Connection, ids: list[str]) -> dict[str, tuple[Any, Any]]:
        """Each practice's first and latest version rows (position, published_at), from the
        versions table (this batch's included): one query per `CHUNK` practices."""
        v = self.tables.practice_versions.name
        out: dict[str, tuple[Any, Any]] = {}
        for part in (ids[i : i + CHUNK] for i in range(0, len(ids), CHUNK)):
            marks = ", ".join([mark(conn)] * len(part))
            rows = fetch(
                conn,
                f'SELECT practice_id, position, published_at FROM "{v}" '
                f"WHERE practice_id IN ({marks}) ORDER BY practice_id, number",
                part,
            )
            for pid, position, published_at in rows:
                first = out[pid][0] if pid in out else (position, published_at)
                out[pid] = (first, (position, published_at))
        return out


ANSWER_COLUMNS = ("status", "answer", "decline_reason", "answered_at", "version")


def exchange(
    change: Change, asked: dict[str, dict[str, Any]], answered: list[dict[str, Any]]
) -> None:
    """An exchange's row as asked, or its answer: applied to the row asked in this batch,
    else kept for one UPDATE per batch."""
    event = change.event
    name, eid = type(event).__name__, str(event.originator_id)
    version = event.originator_version
    if name == "ExchangeRequested":
        asked[eid] = {
            "exchange_id": eid,
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
        return
    if name == "ExchangeAnswered":
        status, answer, reason = "answered", event.answer, None
    elif name == "ExchangeDeclined":
        status, answer, reason = "declined", None, meta_reason(event)
    else:
        return
    values = {
        "status": status,
        "answer": answer,
        "decline_reason": reason,
        "answered_at": recorded_at(event),
        "version": version,
    }
    if eid in asked:
        asked[eid].update(values)
    else:
        answered.append({"exchange_id": eid, **values})


def practice_row(p: Practice, first: tuple[Any, Any], latest: tuple[Any, Any]) -> dict[str, Any]:
    """The practice's row, from its state after the batch and its first and current
    versions' (position, published_at)."""
    return {
        "practice_id": str(p.id),
        "partnership_id": p.partnership_id,
        "current": p.current,
        "status": "published" if p.withdrawn is None else "withdrawn",
        "withdrawn_reason": p.withdrawn,
        "audience": p.audience,
        "adapted_from": p.adapted_from,
        "title": p.content["title"],
        "territory": js(p.content["territory"]),
        "themes": js(p.content["themes"]),
        "evidence_level": p.content["evidence"]["level"],
        "first_position": first[0],
        "position": latest[0],
        "published_at": latest[1],
        "version": p.version,
    }


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
