"""Reading the network of learning (DESIGN §8): practices, their lineage, exchanges.

Visibility is the caller's to ask first (`collab.visibility.sees_practice`,
`sees_exchange`): these queries answer what is recorded. A figure's `rests_on` entries
gain the log position of the event they name (from the history view), so a reader can
fetch its leaf and inclusion proof (`GET /v1/practices/{id}/proofs/{position}`).
"""

from __future__ import annotations

import json
from collections.abc import Collection
from typing import Any

from sqlalchemy import Connection, Row, or_, select

from collab.domain.practice_terms import FIELDS
from projections.citations import citations_in, placed_in, positions
from projections.citations import practice_positions as practice_positions  # re-exported
from projections.tables import Tables

Json = dict[str, Any]


def summary(row: Row[Any]) -> Json:
    """A practice in a list: what tells one from another."""
    return {
        "practice_id": row.practice_id,
        "partnership_id": row.partnership_id,
        "title": row.title,
        "territory": json.loads(row.territory),
        "themes": json.loads(row.themes),
        "evidence_level": row.evidence_level,
        "status": row.status,
        "number": row.current,
        "audience": row.audience,
        "published_at": row.published_at,
    }


def practice_row(conn: Connection, t: Tables, practice_id: str) -> Row[Any] | None:
    p = t.practices
    return conn.execute(select(p).where(p.c.practice_id == practice_id)).first()


def practice_list(
    conn: Connection,
    t: Tables,
    *,
    partnership_id: str | None = None,
    anyone_only: bool = False,
    limit: int = 100,
    offset: int = 0,
    status: str | None = None,
) -> list[Json]:
    """Practices in the order they were first published, filtered."""
    p = t.practices
    query = select(p).order_by(p.c.first_position)
    if partnership_id is not None:
        query = query.where(p.c.partnership_id == partnership_id)
    if anyone_only:
        query = query.where(p.c.audience == "anyone")
    if status is not None:
        query = query.where(p.c.status == status)
    return [summary(r) for r in conn.execute(query.limit(limit).offset(offset))]


def practice_view(
    conn: Connection,
    t: Tables,
    practice_id: str,
    number: int | None = None,
    *,
    anyone_only: bool = False,
) -> Json | None:
    """One version of a practice (default the current one) with its figures' positions,
    or None (unknown practice or version). `anyone_only`: only the versions whose own
    decision published them to anyone (what a reader without sign-in may see)."""
    head = practice_row(conn, t, practice_id)
    if head is None:
        return None
    v = t.practice_versions
    query = select(v).where(v.c.practice_id == practice_id)
    if anyone_only:
        query = query.where(v.c.audience == "anyone")
    rows = conn.execute(query.order_by(v.c.number)).all()
    chosen = next((r for r in rows if r.number == (number or head.current)), None)
    if chosen is None:
        return None
    figures = json.loads(chosen.figures)
    placed = positions(conn, t, citations_in(figures))
    content = json.loads(chosen.content)
    return {
        "practice_id": practice_id,
        "partnership_id": head.partnership_id,
        "number": chosen.number,
        "current": head.current,
        "status": head.status,
        "withdrawn_reason": head.withdrawn_reason,
        "audience": head.audience,
        "adapted_from": head.adapted_from,
        "decision_id": chosen.decision_id,
        "position": chosen.position,
        "published_at": chosen.published_at,
        "content": {k: content[k] for k in FIELDS if k in content},
        "figures": placed_in(figures, placed),
        "versions": [
            {
                "number": r.number,
                "position": r.position,
                "published_at": r.published_at,
                "decision_id": r.decision_id,
            }
            for r in rows
        ],
    }


# -- lineage ---------------------------------------------------------------------------


def adoption(row: Row[Any]) -> Json:
    return {
        "adoption_id": row.adoption_id,
        "practice_id": row.practice_id,
        "adopter": row.adopter,
        "relation": row.relation,
        "territory": json.loads(row.territory),
        "why": row.why,
        "changes": row.changes,
        "position": row.position,
        "recorded_at": row.recorded_at,
    }


def adoptions_by(conn: Connection, t: Tables, partnership_id: str) -> list[Json]:
    """The adoptions a partnership recorded, in log order."""
    a = t.adoptions
    query = select(a).where(a.c.adopter == partnership_id).order_by(a.c.position)
    return [adoption(r) for r in conn.execute(query)]


def with_outcomes(conn: Connection, t: Tables, row: Row[Any]) -> Json:
    """A practice's summary and the outcomes its current version published (or None)."""
    v = t.practice_versions
    figures = conn.execute(
        select(v.c.figures).where(v.c.practice_id == row.practice_id, v.c.number == row.current)
    ).scalar()
    outcomes = json.loads(figures or "{}").get("outcomes")
    return {**summary(row), "outcomes": outcomes}


def lineage_of(conn: Connection, t: Tables, practice_id: str) -> Json:
    """Where a practice came from (its ancestors, nearest first) and, generation by
    generation, who took it up and how they fared (their own published practices)."""
    p, a = t.practices, t.adoptions
    ancestors: list[Json] = []
    seen = {practice_id}
    row = practice_row(conn, t, practice_id)
    while row is not None and row.adapted_from is not None and row.adapted_from not in seen:
        seen.add(row.adapted_from)
        row = practice_row(conn, t, row.adapted_from)
        if row is not None:
            ancestors.append(summary(row))
    adoptions: list[Json] = []
    generation, sources, done = 1, [practice_id], {practice_id}
    while sources:
        query = select(a).where(a.c.practice_id.in_(sources)).order_by(a.c.position)
        found = conn.execute(query).all()
        sources = []
        for r in found:
            taken = conn.execute(
                select(p)
                .where(p.c.partnership_id == r.adopter, p.c.adapted_from == r.practice_id)
                .order_by(p.c.first_position)
            ).all()
            practices = [with_outcomes(conn, t, x) for x in taken]
            adoptions.append({**adoption(r), "practices": practices, "generation": generation})
            sources += [x.practice_id for x in taken if x.practice_id not in done]
            done |= {x.practice_id for x in taken}
        generation += 1
    return {"practice_id": practice_id, "ancestors": ancestors, "adoptions": adoptions}


# -- exchanges -------------------------------------------------------------------------


def exchange(row: Row[Any]) -> Json:
    return {
        "exchange_id": row.exchange_id,
        "practice_id": row.practice_id,
        "owner": row.owner,
        "asker": row.asker,
        "question": row.question,
        "status": row.status,
        "answer": row.answer,
        "decline_reason": row.decline_reason,
        "asked_at": row.asked_at,
        "answered_at": row.answered_at,
        "version": row.version,
    }


def exchange_view(conn: Connection, t: Tables, exchange_id: str) -> Json | None:
    e = t.exchanges
    row = conn.execute(select(e).where(e.c.exchange_id == exchange_id)).first()
    return None if row is None else exchange(row)


def exchanges_of(
    conn: Connection,
    t: Tables,
    partnership_ids: Collection[str],
    practice_id: str | None = None,
) -> list[Json]:
    """The exchanges these partnerships asked or were asked (of one practice), in order."""
    ids = sorted(partnership_ids)
    if not ids:
        return []
    e = t.exchanges
    query = select(e).where(or_(e.c.asker.in_(ids), e.c.owner.in_(ids))).order_by(e.c.position)
    if practice_id is not None:
        query = query.where(e.c.practice_id == practice_id)
    return [exchange(r) for r in conn.execute(query)]


def exchanges_about(conn: Connection, t: Tables, practice_id: str) -> list[Json]:
    """Every exchange about one practice, in order (the caller filters by visibility)."""
    e = t.exchanges
    query = select(e).where(e.c.practice_id == practice_id).order_by(e.c.position)
    return [exchange(r) for r in conn.execute(query)]
