"""Where a practice's figures rest (DESIGN §8): each cited (stream, version) placed at its
log position, from the history view; the positions a practice reveals and nothing else."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, select, tuple_

from projections.tables import Tables

CHUNK = 500  # keys per IN list


def citations_in(value: Any) -> list[tuple[str, int]]:
    """Every (stream, version) a figure rests on, wherever it is nested."""
    found: list[tuple[str, int]] = []
    if isinstance(value, dict):
        for c in value.get("rests_on", []):
            found.append((c["stream"], int(c["version"])))
        for key, item in value.items():
            if key != "rests_on":
                found += citations_in(item)
    elif isinstance(value, list):
        for item in value:
            found += citations_in(item)
    return found


def placed_in(value: Any, placed: dict[tuple[str, int], int]) -> Any:
    """The figures, each `rests_on` entry with its log position (None if not in the views)."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if key == "rests_on":
                item = [
                    {**c, "position": placed.get((c["stream"], int(c["version"])))} for c in item
                ]
            else:
                item = placed_in(item, placed)
            out[key] = item
        return out
    if isinstance(value, list):
        return [placed_in(item, placed) for item in value]
    return value


def positions(
    conn: Connection, t: Tables, keys: Iterable[tuple[str, int]]
) -> dict[tuple[str, int], int]:
    """The log position of each (stream, version), from the history view."""
    wanted = sorted(set(keys))
    h = t.history
    found: dict[tuple[str, int], int] = {}
    for start in range(0, len(wanted), CHUNK):
        query = select(h.c.stream_id, h.c.stream_version, h.c.position).where(
            tuple_(h.c.stream_id, h.c.stream_version).in_(wanted[start : start + CHUNK])
        )
        found.update({(r.stream_id, r.stream_version): r.position for r in conn.execute(query)})
    return found


def practice_positions(
    conn: Connection, t: Tables, practice_id: str, *, anyone_only: bool = False
) -> set[int]:
    """The log positions a practice reveals: those its versions' figures cite, and its own
    events. Nothing else of its partnership. `anyone_only`: those of the versions published
    to anyone (and their own publishing events), for a reader without sign-in."""
    v, h = t.practice_versions, t.history
    query = select(v.c.figures, v.c.position).where(v.c.practice_id == practice_id)
    if anyone_only:
        query = query.where(v.c.audience == "anyone")
    keys: list[tuple[str, int]] = []
    published: set[int] = set()
    for figures, position in conn.execute(query):
        keys += citations_in(json.loads(figures))
        published.add(position)
    if anyone_only:
        return set(positions(conn, t, keys).values()) | published
    own = conn.execute(select(h.c.position).where(h.c.stream_id == practice_id)).scalars()
    return set(positions(conn, t, keys).values()) | set(own)
