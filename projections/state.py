"""The state projection: partnership views, commitments with deliveries, organisations."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection

from collab.domain.commitment import Commitment
from collab.domain.organisation import Organisation
from collab.domain.partnership import Partnership
from collab.stores.sql import delete_many, insert_many, streams_begun
from projections.follower import Change
from projections.rows import (
    COMMITMENT_TABLES,
    PARTNERSHIP_TABLES,
    commitment_rows,
    organisation_rows,
    partnership_rows,
)
from projections.series import apply_series
from projections.tables import Tables

KEYS = ("partnership_id", "commitment_id", "organisation_id")
# Each state table and the key of the aggregate its rows belong to.
OWNER = {
    **dict.fromkeys(PARTNERSHIP_TABLES, "partnership_id"),
    **dict.fromkeys(COMMITMENT_TABLES, "commitment_id"),
    "organisations": "organisation_id",
    "mandates": "organisation_id",
}


class StateProjection:
    """Rows per touched aggregate, from its state after the batch: one DELETE and one
    multi-row INSERT per table per batch, whatever the number of events."""

    name = "state"
    # 2: members keep their exit version; 3: indicators' series; 4: commitments' surplus,
    # fulfilment, revision and proposed lapse, deliveries' pending corrections; 5: budgets
    code_version = 5

    def __init__(self, tables: Tables) -> None:
        self.tables = tables

    def apply(self, conn: Connection, changes: Sequence[Change]) -> None:
        last: dict[object, Change] = {}
        for change in changes:
            last[change.after.id] = change
        touched: dict[str, list[str]] = {key: [] for key in KEYS}
        rows: dict[str, list[dict[str, Any]]] = {}
        for change in last.values():
            aggregate = change.after
            if isinstance(aggregate, Partnership):
                built = partnership_rows(aggregate, change.position)
                touched["partnership_id"].append(str(aggregate.id))
            elif isinstance(aggregate, Commitment):
                built = commitment_rows(aggregate)
                touched["commitment_id"].append(str(aggregate.id))
            elif isinstance(aggregate, Organisation):
                built = organisation_rows(aggregate)
                touched["organisation_id"].append(str(aggregate.id))
            else:
                continue
            for name, table_rows in built.items():
                rows.setdefault(name, []).extend(table_rows)
        new = streams_begun(c.event for c in changes)
        for name, key in OWNER.items():
            if not touched[key]:
                continue
            table = getattr(self.tables, name)
            if held := [i for i in touched[key] if i not in new]:
                delete_many(conn, table, key, held)
            insert_many(conn, table, rows.get(name, []))
        apply_series(conn, self.tables, changes)  # rows from the events themselves
