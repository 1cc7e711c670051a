"""The read side of one application: engines, tables, the follower and its projections.

Constructing one does no I/O (engines connect lazily); the wiring — tables made, views
rebuilt if their code changed, the audit log's consumer, catching up after commands —
happens at the entrypoints (`api/wiring.py`). The read side knows no use case: it follows
any `eventsourcing` application's notification log.
"""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from eventsourcing.application import Application
from sqlalchemy import Connection

from collab.stores import StoreConfig
from projections.checkpointer import Checkpointer
from projections.engine import read_engine
from projections.follower import Follower, Projection
from projections.group import GroupWriter
from projections.history import HistoryProjection
from projections.learning import PracticeProjection
from projections.search import SearchProjection
from projections.state import StateProjection
from projections.tables import Tables, define


def view_projections(tables: Tables) -> list[Projection]:
    """The projections that write the view tables (rebuilt together, in this order: the
    history's rows are in place before the practices', the practices' and partnerships'
    before the search index's, in one batch)."""
    return [
        StateProjection(tables),
        HistoryProjection(tables),
        PracticeProjection(tables),
        SearchProjection(tables),
    ]


class ReadSide:
    """`catch_up()` after a command gives read-your-writes; `reader()` for queries."""

    def __init__(
        self,
        app: Application[UUID],
        config: StoreConfig,
        *,
        prefix: str = "rm_",
        consumers: Sequence[Projection] = (),
    ) -> None:
        self.app = app
        self.config = config
        self.tables: Tables = define(prefix)
        # A SQLite file's WAL is copied back by a thread of its own, not by the commit
        # that fills it (projections/checkpointer.py).
        self.checkpointer = Checkpointer(config.sqlite_path) if config.kind == "sqlite" else None
        self.writer = read_engine(config, writer=True, checkpointer=self.checkpointer)
        # memory://: one in-memory database, so readers share the writer's engine.
        self.readers = self.writer if config.kind == "memory" else read_engine(config)
        # `consumers`: others fed in the same batch transaction as the views (the Merkle
        # log's leaves: one commit per command in embedded mode).
        views = view_projections(self.tables)
        self.follower = Follower(app, self.writer, self.tables, [*views, *consumers])
        self.rebuilt_on_start: list[str] = []
        # The embedded writer, when commands are committed with their views (api/wiring.py).
        self.group: GroupWriter | None = None

    def catch_up(self, until: int | None = None) -> int:
        if self.group is None:
            return self.follower.catch_up(until)
        # Events another process wrote without a writer (the command line): take the
        # writers' turn, as they do, rather than wait in SQLite's busy handler.
        with self.follower.lock, self.group.turn():
            return self.follower.catch_up(until)

    def reader(self) -> Connection:
        return self.readers.connect()

    def close(self) -> None:
        if self.group is not None:
            self.group.close()
        self.writer.dispose()
        if self.readers is not self.writer:
            self.readers.dispose()
        if self.checkpointer is not None:
            self.checkpointer.close()
