"""A partnership view as of a log position or a time (DESIGN §4), by folding raw events.

Never from a snapshot taken later, never from the live tables: the events of the
partnership's stream and of its commitments' streams, up to the position, folded with
the domain's own event classes, rendered by the same row builders as the live view.
"""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate

from collab.domain.commitment import Commitment
from collab.domain.errors import InvalidInputError, NotFoundError
from collab.domain.partnership import Partnership
from projections.rows import Rows, assemble, commitment_rows, partnership_rows

PAGE = 1000


def fold(app: Application[UUID], stream: UUID, position: int) -> tuple[Aggregate | None, int]:
    """The stream's state from its events at or before `position`, and the last position."""
    aggregate: Aggregate | None = None
    last = 0
    for event, pos in events_with_positions(app, stream, position):
        aggregate = event.mutate(aggregate)
        last = pos
    return aggregate, last


def events_with_positions(
    app: Application[UUID], stream: UUID, position: int
) -> list[tuple[Any, int]]:
    found = []
    start = 0
    while start < position:
        page = app.recorder.select_notifications(
            start, PAGE, stop=position, inclusive_of_start=False
        )
        if not page:
            break
        found += [(app.mapper.to_domain_event(n), n.id) for n in page if n.originator_id == stream]
        start = page[-1].id
    return found


def view_as_of(app: Application[UUID], partnership_id: str, position: int) -> dict[str, Any]:
    head = app.recorder.max_notification_id() or 0
    if position > head:
        raise InvalidInputError("as_of_position", f"is beyond the head of the log ({head})")
    p, last = fold(app, UUID(partnership_id), position)
    if not isinstance(p, Partnership):
        raise NotFoundError(f"no partnership {partnership_id} at position {position}")
    rows: Rows = {**partnership_rows(p, last), "commitments": [], "deliveries": []}
    for commitment_id in p.commitments:
        c, _ = fold(app, UUID(commitment_id), position)
        if isinstance(c, Commitment):
            for name, table_rows in commitment_rows(c).items():
                rows[name] += table_rows
    return assemble(rows)


def position_at(app: Application[UUID], moment: str) -> int:
    """The end of the longest log prefix whose events were all recorded at or before `moment`.

    `moment` is RFC 3339 UTC text in the envelope's own format, so text order is time order.
    """
    start = 0
    while True:
        page = app.recorder.select_notifications(start, PAGE, inclusive_of_start=False)
        for n in page:
            if json.loads(n.state)["meta"]["recorded_at"] > moment:
                return start
            start = n.id
        if not page:
            return start
