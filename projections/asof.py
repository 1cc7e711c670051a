"""A partnership view as of a log position or a time (DESIGN §4), by folding raw events.

Never from a snapshot taken later, never from the live tables: the events of the
partnership's stream and of its commitments' streams, up to the position, folded with
the domain's own event classes, rendered by the same row builders as the live view.
Each stream is read by its own key (collab/stores/streams.py), so a read costs what its
streams hold, not what the log holds. Only a time's position may come from a view: the
history view's index of recorded times, as far as that view reaches (`position_at`).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any
from uuid import UUID

from eventsourcing.application import Application
from sqlalchemy import ColumnElement, func, select

from collab.domain.commitment import Commitment
from collab.domain.errors import InvalidInputError, NotFoundError
from collab.domain.partnership import Partnership
from collab.stores.streams import fold
from projections.history import HistoryProjection
from projections.rows import Rows, assemble, commitment_rows, partnership_rows
from projections.series import fold_with_series

if TYPE_CHECKING:
    from projections.readside import ReadSide

PAGE = 1000


def view_as_of(app: Application[UUID], partnership_id: str, position: int) -> dict[str, Any]:
    return assemble(rows_as_of(app, partnership_id, position))


def rows_as_of(app: Application[UUID], partnership_id: str, position: int) -> Rows:
    """The rows of the partnership and its commitments as of `position` (what `assemble`
    and the budget view read), from a fold of their streams."""
    head = app.recorder.max_notification_id() or 0
    if position > head:
        raise InvalidInputError("as_of_position", f"is beyond the head of the log ({head})")
    p, last, series = fold_with_series(app, UUID(partnership_id), position)
    if not isinstance(p, Partnership):
        raise NotFoundError(f"no partnership {partnership_id} at position {position}")
    rows: Rows = {**partnership_rows(p, last), "commitments": [], "deliveries": []}
    rows["indicator_reports"] = series
    for commitment_id in p.commitments:
        c, _ = fold(app, UUID(commitment_id), position)
        if isinstance(c, Commitment):
            for name, table_rows in commitment_rows(c).items():
                rows[name] += table_rows
    return rows


def position_at(app: Application[UUID], moment: str, read: ReadSide | None = None) -> int:
    """The end of the longest log prefix whose events were all recorded at or before `moment`.

    `moment` is RFC 3339 UTC text in the envelope's own format (fixed width, so text order
    is time order under any collation). Recorded times need not follow positions (a
    command's time is taken before it waits for the write lock), so the prefix ends just
    before the first position recorded after `moment`. With the read side, that position
    is looked up in the history view's (recorded_at, position) index as far as the view
    reaches, and only the events the view has not reached yet are read from the log;
    without it, the log is read from its start.
    """
    start = 0
    if read is not None:
        found, start = _first_later_in_history(read, moment)
        if found is not None:
            return found
    while True:
        page = app.recorder.select_notifications(start, PAGE, inclusive_of_start=False)
        for n in page:
            if json.loads(n.state)["meta"]["recorded_at"] > moment:
                return start
            start = n.id
        if not page:
            return start


def _first_later_in_history(read: ReadSide, moment: str) -> tuple[int | None, int]:
    """(the answer, if the history view holds an event recorded after `moment`; the
    position the view has reached, from which the log must still be read)."""
    h, tracking = read.tables.history, read.tables.tracking
    with read.reader() as conn:
        # The view's position first: every row at or before it is in place by then.
        reached = conn.execute(
            select(tracking.c.position).where(tracking.c.projection == HistoryProjection.name)
        ).scalar()
        covered = int(reached or 0)
        # The earliest recorded time after `moment`, by one seek in the index: no such
        # event (the usual "as it is now") answers at once.
        first = conn.execute(
            select(h.c.position)
            .where(h.c.recorded_at > moment, h.c.position <= covered)
            .order_by(h.c.recorded_at, h.c.position)
            .limit(1)
        ).scalar()
        if first is None:
            return None, covered
        # An event before it may have been recorded later still (times out of order). Look
        # from the cheaper side: walking positions up from the start costs the prefix,
        # the index's entries after `moment` cost the suffix. When the suffix is the
        # shorter, the planner is told so (`+ 0` hides the position's own index from it):
        # SQLite keeps no statistics, PostgreSQL's may be stale.
        position: ColumnElement[int] = h.c.position
        if first > covered // 2:
            position = position + 0
        later = conn.execute(
            select(func.min(position)).where(h.c.recorded_at > moment, position < first)
        ).scalar()
        end = first if later is None else int(later)
        before = conn.execute(select(func.max(h.c.position)).where(h.c.position < end)).scalar()
    return int(before or 0), covered
