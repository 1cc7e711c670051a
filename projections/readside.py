"""The read side of one application: engines, tables, the follower and its projections."""

from __future__ import annotations

from sqlalchemy import Connection

from collab.audit.leaves import AuditProjection
from collab.commands import Outcome
from collab.stores import StoreConfig
from collab.use_cases.base import CollabBase
from projections.engine import read_engine
from projections.follower import Follower, Projection
from projections.history import HistoryProjection
from projections.state import StateProjection
from projections.tables import Tables, define


class ReadSide:
    """`catch_up()` after a command gives read-your-writes; `reader()` for queries."""

    def __init__(self, app: CollabBase, config: StoreConfig, *, prefix: str = "rm_") -> None:
        self.app = app
        self.config = config
        self.tables: Tables = define(prefix)
        self.writer = read_engine(config, writer=True)
        # memory://: one in-memory database, so readers share the writer's engine.
        self.readers = self.writer if config.kind == "memory" else read_engine(config)
        consumers: list[Projection] = [StateProjection(self.tables), HistoryProjection(self.tables)]
        if app.keys is not None:
            # The Merkle log is the follower's other consumer: leaves are appended in the
            # same batch transaction as the views (one commit per command in embedded mode).
            consumers.append(AuditProjection(app.keys.origin))
        self.follower = Follower(app, self.writer, self.tables, consumers)
        self.follower.setup()
        from projections.operations import ensure_current  # operations builds on ReadSide

        self.rebuilt_on_start = ensure_current(self)

    def catch_up(self, until: int | None = None) -> int:
        return self.follower.catch_up(until)

    def follow_commands(self) -> None:
        """Embedded mode: bring the views up to each command's position before it returns."""

        def catch_up_to(outcome: Outcome) -> None:
            self.catch_up(outcome.position)

        self.app.after_commit.append(catch_up_to)

    def reader(self) -> Connection:
        return self.readers.connect()

    def close(self) -> None:
        self.writer.dispose()
        if self.readers is not self.writer:
            self.readers.dispose()
