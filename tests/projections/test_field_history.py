"""Each field's history holds exactly the values each event left (issue 21).

The follower keeps the tracked fields' values by reference between events (never a copy),
trusting the domain to assign new values rather than change one in place. The expectation
here loads every aggregate afresh from the store at every version (no object shared
between versions) and writes down its tracked fields as JSON text: a field changed in
place by some later event would differ from it.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import pytest
from sqlalchemy import select

from api.demo import run_demo
from collab.application import Collab
from projections.follower import TRACKED_FIELDS
from projections.operations import rebuild
from projections.readside import ReadSide
from projections.rows import js
from tests.application.timeflow import later, process_due

Row = tuple[str, str, int, int, str, str]


def expected(app: Collab) -> set[Row]:
    """(stream, field, position, version, event type, value) for every tracked field an
    event set or changed, from aggregates loaded afresh at each version."""
    rows: set[Row] = set()
    before: dict[UUID, dict[str, str]] = {}
    start = 0
    while page := app.recorder.select_notifications(start, 200, inclusive_of_start=False):
        for n in page:
            aggregate = app.repository.get(n.originator_id, version=n.originator_version)
            names = TRACKED_FIELDS.get(type(aggregate).__name__, ())
            now = {f: js(getattr(aggregate, f)) for f in names}
            old = before.get(n.originator_id, {})
            name = n.topic.rsplit(".", 1)[1]
            rows |= {
                (str(n.originator_id), f, n.id, n.originator_version, name, v)
                for f, v in now.items()
                if old.get(f) != v
            }
            before[n.originator_id] = now
        start = page[-1].id
    return rows


def stored(read: ReadSide) -> set[Row]:
    f = read.tables.field_history
    with read.reader() as conn:
        found: list[Any] = conn.execute(
            select(f.c.stream_id, f.c.field, f.c.position, f.c.stream_version).add_columns(
                f.c.event_type, f.c.value
            )
        ).all()
    return {tuple(r) for r in found}  # type: ignore[misc]


@pytest.mark.parametrize("how", ["live", "rebuilt"])
def test_every_field_history_row_is_the_value_its_event_left(
    app: Collab, read: ReadSide, how: str
) -> None:
    # Given the demo, an exit processed and the demo run again (every kind of aggregate,
    # fields replaced by later events), followed live or rebuilt from the log
    run_demo(app)
    partnership = app.recorder.select_notifications(0, 1)[0].originator_id
    later(app, 60)
    process_due(app, str(partnership))
    run_demo(app)
    read.catch_up()
    if how == "rebuilt":
        rebuild(read)
    # Then the field histories hold what aggregates loaded afresh at each version say
    want = expected(app)
    assert {r[1] for r in want} >= {"status", "title", "legal_name", "quantity"}
    assert stored(read) == want
