"""Who has an account: actors as recorded (their bindings' events), for the People page
and for `collab serve`'s first admin.

Read from the history view's rows of actor streams. No view indexes actors by kind yet:
this scans the history (fine for the People page and a start-up check; a roster view is
the fix if either grows hot).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import Connection, select

from projections.tables import Tables


@dataclass(frozen=True)
class Enrolled:
    actor_id: str
    role: str
    organisation_id: str | None
    active: bool
    enrolled_at: str


def enrolled(conn: Connection, t: Tables) -> list[Enrolled]:
    """Every actor ever enrolled, in enrolment order, active or disabled as recorded."""
    h = t.history
    rows = conn.execute(
        select(h.c.stream_id, h.c.event_type, h.c.data, h.c.recorded_at)
        .where(h.c.stream_kind == "actorbinding", h.c.event_type.in_(("Bound", "Disabled")))
        .order_by(h.c.position)
    ).all()
    found: dict[str, Enrolled] = {}
    for row in rows:
        if row.event_type == "Bound":
            data = json.loads(row.data) if isinstance(row.data, str) else row.data
            found[row.stream_id] = Enrolled(
                row.stream_id, data["role"], data.get("organisation_id"), True, row.recorded_at
            )
        elif row.stream_id in found:
            was = found[row.stream_id]
            found[row.stream_id] = Enrolled(
                was.actor_id, was.role, was.organisation_id, False, was.enrolled_at
            )
    return list(found.values())


def registered_by(conn: Connection, t: Tables, actor_id: str) -> set[str]:
    """The organisations this actor registered (the register's own events)."""
    h = t.history
    query = select(h.c.stream_id).where(
        h.c.stream_kind == "organisation", h.c.event_type == "Registered", h.c.actor == actor_id
    )
    return {str(r.stream_id) for r in conn.execute(query)}
