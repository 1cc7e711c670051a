"""Wiring the read side to an application, in one place for every entrypoint.

The HTTP service, the command line, the demo, the tests and the benchmarks open their read
side here: its tables made, its views rebuilt when their code changed, the Merkle log
fed beside the views when the application signs, and (embedded mode) caught up after
every command before it returns.
"""

from __future__ import annotations

from collab.application import Collab
from collab.audit.leaves import AuditProjection
from collab.commands import Outcome
from collab.stores import StoreConfig
from projections.due import DueProjection
from projections.follower import Projection
from projections.group import GroupWriter, Inserter
from projections.operations import ensure_current
from projections.readside import ReadSide


def open_read_side(app: Collab, config: StoreConfig, *, prefix: str = "rm_") -> ReadSide:
    """The application's read side, its tables made and its views current."""
    consumers: list[Projection] = [DueProjection(prefix)]  # the due-date processor's table
    if app.keys is not None:
        consumers.append(AuditProjection(app.keys.origin))
    read = ReadSide(app, config, prefix=prefix, consumers=consumers)
    read.follower.setup()
    read.rebuilt_on_start = ensure_current(read)
    return read


def follow_commands(app: Collab, read: ReadSide) -> None:
    """Embedded mode: a command returns with the views at its position. On a SQLite file
    the embedded writer commits commands in groups with their views (one transaction, one
    fsync); elsewhere the views are caught up after each command's own commit."""
    if read.config.kind == "sqlite" and isinstance(app.recorder, Inserter):
        turns = read.config.sqlite_path.with_name(read.config.sqlite_path.name + "-writer")
        read.group = GroupWriter(read.follower, read.writer, app.recorder, turns=turns)
        app.commit_through(read.group)
        return

    def catch_up_to(outcome: Outcome) -> None:
        read.catch_up(outcome.position)

    app.after_commit.append(catch_up_to)
