"""The embedded writer (DESIGN §1, §6; docs/decisions.md "One embedded writer").

One thread owns the process's write connection to the SQLite file. A command's handler
runs in its request's thread and hands the events it staged to the writer; the writer
takes every command waiting, and in one transaction (BEGIN IMMEDIATE) it first brings the
views up to the log's head (events another process wrote), then inserts each command's
events and side rows in a savepoint of its own (a version or key already taken rolls
that command back alone, and it answers alone), then applies the views and the Merkle
leaves from the events in memory, and commits: one fsync for the group, nothing re-read.

A command is acknowledged only after its group's commit. If the group fails, each of its
commands is tried again alone, so one bad command cannot fail the others. If the thread
ever stops, commands waiting and later ones get OperationalError (503): nothing was
acknowledged that is not on disk.

A command tried again after a version conflict runs in the writer's turn (`held`): the
writer takes the lock and catches up, the command's handler loads and decides while no
process can write, and its events go first in the group. Tried again outside the turn, a
command on an aggregate that another process's clients keep writing can lose every try:
it loads between that process's groups and is inserted after the next one.
"""

from __future__ import annotations

import fcntl
import logging
import os
import queue
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from eventsourcing.persistence import IntegrityError, OperationalError
from sqlalchemy import Connection, Engine

from collab.stores.sql import driver_cursor, fetch
from projections.follower import Change, Follower

log = logging.getLogger("collab.writer")
MOST = 64  # commands in one group: enough to absorb a burst, a bounded transaction
# How long the writer, holding the lock for a command tried again in its turn, waits for
# that command's events; a handler that takes longer is inserted in a later group instead.
HOLD_SECONDS = 2.0


@runtime_checkable
class Inserter(Protocol):
    """The store's insert, on a cursor of the writer's connection (`SQLiteCollabRecorder`)."""

    events_table_name: str

    def insert_on(
        self, cursor: sqlite3.Cursor, stored_events: Sequence[Any], **kwargs: Any
    ) -> Sequence[int]: ...


@dataclass
class Job:
    """One command's events (or rows that are not the log's: snapshots), waiting for its
    group's commit; `insert` writes them on the writer's cursor and gives their positions."""

    events: Sequence[Any]
    stored: Sequence[Any]
    insert: Callable[[sqlite3.Cursor], Sequence[int]]
    positions: Sequence[int] = ()
    error: BaseException | None = None
    done: threading.Event = field(default_factory=threading.Event)

    def answer(self) -> Sequence[int]:
        if self.error is not None:
            raise self.error
        return self.positions


@dataclass
class Turn(Job):
    """A command tried again in the writer's turn: `ready` once the writer holds the lock
    and the views are at the head; the command's events are handed over (`hand`) or it
    is let go (`release`), and its insert runs first in the group."""

    events: Sequence[Any] = ()
    stored: Sequence[Any] = ()
    insert: Callable[[sqlite3.Cursor], Sequence[int]] = lambda cursor: ()
    ready: threading.Event = field(default_factory=threading.Event)
    handed: threading.Event = field(default_factory=threading.Event)
    given_up: bool = False  # the writer stopped waiting: too late to hand anything over
    guard: threading.Lock = field(default_factory=threading.Lock)

    def hand(self, job: Job) -> bool:
        """Give the writer this command's events; False if it no longer waits for them."""
        with self.guard:
            if self.given_up or self.handed.is_set():
                return False
            self.events, self.stored, self.insert = job.events, job.stored, job.insert
            self.handed.set()
            return True

    def release(self) -> None:
        """Nothing (more) to hand over: the writer goes on with the group."""
        with self.guard:
            self.handed.set()

    def awaited(self) -> bool:
        """Called by the writer: whether the command handed its events over in time."""
        self.handed.wait(HOLD_SECONDS)
        with self.guard:
            self.given_up = not self.handed.is_set()
            self.handed.set()
            return not self.given_up


@dataclass
class Counts:
    """What the writer has committed and refused (the tests read them)."""

    groups: int = 0
    commands: int = 0
    refused: int = 0  # commands rolled back to their savepoint (a version or key taken)
    retried_alone: int = 0  # groups that failed and were tried again command by command
    held: int = 0  # turns held for a command tried again after a conflict


class GroupWriter:
    """`submit` blocks until the command's group is durable; `close` stops the thread."""

    def __init__(
        self,
        follower: Follower,
        engine: Engine,
        inserter: Inserter,
        most: int = MOST,
        turns: Path | None = None,
    ) -> None:
        self.follower = follower
        # A lock file beside the database, which the writers of every process share.
        self.turns = None if turns is None else os.open(turns, os.O_RDWR | os.O_CREAT, 0o600)
        self.engine = engine  # the read side's writer engine: BEGIN IMMEDIATE
        self.inserter = inserter
        self.most = most
        self.counts = Counts()
        self.jobs: queue.SimpleQueue[Job | None] = queue.SimpleQueue()
        self.gate = threading.Lock()  # submit's check and put against the writer stopping
        self.stopped: str | None = None
        self.current: list[Job] = []  # the group being committed
        self.later: list[Job] = []  # taken, kept for the next group (one turn held per group)
        self.holding = threading.local()  # the Turn a request thread is running in
        self.conn: Connection | None = None  # the writer thread's connection
        self.thread = threading.Thread(target=self.run, name="collab-writer", daemon=True)
        self.thread.start()

    def submit(
        self, events: Sequence[Any], stored: Sequence[Any], kwargs: dict[str, Any]
    ) -> Sequence[int]:
        def insert(cursor: sqlite3.Cursor) -> Sequence[int]:
            return self.inserter.insert_on(cursor, stored, **kwargs)

        job = Job(events, stored, insert)
        turn: Turn | None = getattr(self.holding, "turn", None)
        if turn is not None:
            self.holding.turn = None  # its first save only: snapshots follow in a group
            if turn.hand(job):
                turn.done.wait()
                return turn.answer()
        return self.wait(job)

    @contextmanager
    def held(self) -> Iterator[None]:
        """Run the body (a command's try) while this writer holds the lock with the views
        at the head: what it loads, no process can change before its first `submit`, whose
        events the writer inserts first. OperationalError (503) if the writer has stopped."""
        turn = Turn()
        self.enqueue(turn)
        turn.ready.wait()
        if turn.error is not None:
            raise turn.error
        self.holding.turn = turn
        try:
            yield
        finally:
            self.holding.turn = None
            turn.release()

    def submit_rows(self, insert: Callable[[sqlite3.Cursor], object]) -> None:
        """Rows beside the log (a snapshot), written in the next group's transaction: a
        write of their own would wait behind the writers for SQLite's lock."""

        def rows(cursor: sqlite3.Cursor) -> Sequence[int]:
            insert(cursor)
            return ()

        self.wait(Job((), (), rows))

    def wait(self, job: Job) -> Sequence[int]:
        self.enqueue(job)
        job.done.wait()
        return job.answer()

    def enqueue(self, job: Job) -> None:
        """Queue `job` for the writer; OperationalError (503) if the writer has stopped."""
        with self.gate:
            if self.stopped is not None:
                raise OperationalError(f"the writer has stopped ({self.stopped})")
            self.jobs.put(job)

    def close(self) -> None:
        with self.gate:
            if self.stopped is None:
                self.jobs.put(None)
        self.thread.join(timeout=30)
        if self.turns is not None and not self.thread.is_alive():
            os.close(self.turns)
            self.turns = None

    # -- the writer's thread -------------------------------------------------------------

    def run(self) -> None:
        reason = "closed"
        try:
            while (jobs := self.take()) is not None:
                self.current = jobs
                self.commit(jobs)
                self.current = []
        except BaseException as e:  # never expected: say so, answer everyone, stop
            reason = f"{type(e).__name__}: {e}"
            log.exception("collab: the embedded writer stopped")
        finally:
            self.drop_connection()
            self.stop(reason)

    def take(self) -> list[Job] | None:
        """The commands waiting (at least one; blocks until there is one); None to stop.
        A turn held goes first, and one per group: the others wait for the next."""
        waiting, self.later = self.later, []
        first = waiting.pop(0) if waiting else self.jobs.get()
        if first is None:
            return None
        jobs = [first]
        while len(jobs) < self.most:
            if waiting:
                jobs.append(waiting.pop(0))
                continue
            try:
                job = self.jobs.get_nowait()
            except queue.Empty:
                break
            if job is None:
                self.jobs.put(None)  # stop after this group
                break
            jobs.append(job)
        turns = [job for job in jobs if isinstance(job, Turn)]
        self.later = turns[1:] + waiting
        rest = [job for job in jobs if not isinstance(job, Turn)]
        return turns[:1] + rest

    def stop(self, reason: str) -> None:
        """Answer the group it was committing (rolled back: not acknowledged) and every
        command waiting with OperationalError; refuse later ones."""
        with self.gate:
            self.stopped = reason
            waiting = [job for job in self.current + self.later if not job.done.is_set()]
            while True:
                try:
                    job = self.jobs.get_nowait()
                except queue.Empty:
                    break
                if job is not None:
                    waiting.append(job)
        for job in waiting:
            job.error = OperationalError(f"the writer has stopped ({reason})")
            job.done.set()
            if isinstance(job, Turn):
                job.ready.set()

    def commit(self, jobs: list[Job]) -> None:
        """Commit the group, or each command alone if one of them may be why it failed;
        answer each."""
        with self.follower.lock:
            try:
                self.write(jobs)
                failed: Exception | None = None
            except Exception as e:
                failed = e
                self.follower.cache.states.clear()  # states folded from what rolled back
                self.drop_connection()  # a fresh one for the next try, whatever broke
        if failed is not None:
            shared = shared_cause(failed)
            if len(jobs) > 1 and not shared:
                self.counts.retried_alone += 1
                for job in jobs:
                    job.positions, job.error = (), None
                    self.commit([job])
                return
            for job in jobs:
                job.error = unavailable(failed) if shared else failed
                job.done.set()
            return
        self.counts.groups += 1
        self.counts.commands += len(jobs)
        for job in jobs:
            job.done.set()

    def write(self, jobs: list[Job]) -> None:
        if self.conn is None:  # the writer's own, kept open: no pool checkout and reset
            self.conn = self.engine.connect()
        conn = self.conn
        with self.turn(), conn.begin(), driver_cursor(conn) as cursor:
            positions = self.caught_up(conn)
            changes: list[Change] = []
            for job in jobs:
                if isinstance(job, Turn) and not job.handed.is_set():
                    self.counts.held += 1
                    job.ready.set()  # the command loads and decides now
                    if not job.awaited():
                        continue  # too slow: it is inserted in a later group
                changes += self.insert(cursor, job)
            if changes and self.follower.apply_changes(conn, positions, changes) is None:
                raise RuntimeError("a tracking row moved while the writer held the lock")

    def drop_connection(self) -> None:
        if self.conn is not None:
            with suppress(Exception):  # already broken: nothing left to release
                self.conn.close()
            self.conn = None

    @contextmanager
    def turn(self) -> Iterator[None]:
        """The writers of several processes on one file take turns here: the kernel wakes
        the next one as this one's group commits, where SQLite's busy handler would make
        it sleep and poll (up to 100 ms at a time)."""
        if self.turns is None:
            yield
            return
        fcntl.flock(self.turns, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(self.turns, fcntl.LOCK_UN)

    def insert(self, cursor: sqlite3.Cursor, job: Job) -> list[Change]:
        """One command in its own savepoint; its changes, or none if it was refused."""
        cursor.execute("SAVEPOINT command")
        try:
            ids = job.insert(cursor)
        except IntegrityError as e:
            cursor.execute("ROLLBACK TO command")
            cursor.execute("RELEASE command")
            self.counts.refused += 1
            job.error = e
            return []
        cursor.execute("RELEASE command")
        job.positions = ids
        change = self.follower.change
        return [change(n, e, s) for n, e, s in zip(ids, job.events, job.stored, strict=True)]

    def caught_up(self, conn: Connection) -> dict[str, int]:
        """The tracking positions, once every projection has reached the log's head (the
        events another process wrote since this writer last held the lock)."""
        table = self.inserter.events_table_name
        head = int(fetch(conn, f"SELECT MAX(rowid) FROM {table}")[0][0] or 0)
        positions = self.follower.positions_in(conn)
        while (low := min(positions.values(), default=head)) < head:
            try:
                reached = self.follower.apply_in(conn, positions, low)
            except Exception as e:  # no command of this group is the cause
                raise CatchUpFailed(f"the views cannot follow position {low + 1}: {e}") from e
            if reached is None:
                raise CatchUpFailed("a tracking row moved while the writer held the lock")
            positions = self.follower.positions_in(conn)
        return positions


class CatchUpFailed(RuntimeError):
    """The views could not be brought to the head before the group's own events."""


def shared_cause(error: Exception) -> bool:
    """A failure no single command caused (the views behind, the database locked or gone):
    trying each command alone would only repeat it, once per command."""
    if isinstance(error, CatchUpFailed):
        return True
    names = {type(e).__name__ for e in (error, error.__cause__, error.__context__) if e}
    return bool(names & {"OperationalError", "InterfaceError", "DatabaseError"})


def unavailable(error: Exception) -> OperationalError:
    """What each command of a group that failed together is told (the API's 503)."""
    failure = OperationalError(f"the group could not be recorded: {type(error).__name__}")
    failure.__cause__ = error
    return failure
