"""Copying the WAL back into the SQLite file in a thread of its own (issue 21, part 3).

SQLite checkpoints automatically in the connection whose commit takes the WAL past 1,000
pages: that commit then copies every page back into the file and syncs it before its
caller goes on. On a large file the copy is slow (the follower's rows and the leaves land
on pages scattered by random stream ids), and the views' writer paid it in line, batch
after batch: B6's catch-up on 1e6 events ran at 0.64-0.77 of the same on 1e4.

The read side's writer connections (the follower's batches, the embedded writer's groups,
a rebuild) turn the automatic checkpoint off, and each commit of theirs nudges this
thread, which waits `pause` (a second) for more commits to gather and runs a PASSIVE
checkpoint on a connection of its own: it never blocks a writer or a reader, and skips
what a reader still needs (copied on a later run). Durability is unchanged: a commit is
durable in the WAL (synchronous=FULL) before it answers, with or without a checkpoint.

Connections that do not nudge (the event store's own pool, other processes without a read
side) keep SQLite's automatic checkpoint. Several processes may each run one of these on
the same file: SQLite lets one checkpoint run at a time, and a busy one is retried at the
next nudge. A thread that died is started again by the next nudge, and `idle` bounds how
long frames wait when nothing nudges.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger("collab.checkpointer")
# Seconds after a nudge: the commits meanwhile share one checkpoint (each syncs the WAL
# and the file: at 0.2 s B1 counted 0.64 fsyncs per command at 16 connections, against
# 0.33 with SQLite's own checkpoints), and the WAL holds at most about this long's writes.
PAUSE = 1.0
IDLE = 5.0  # seconds between runs when nothing nudges (frames left by a busy run)
TIMEOUT = 5.0  # seconds the checkpoint's connection waits on a lock


@dataclass
class CheckpointCounts:
    """What the checkpointer has done (the tests read them)."""

    runs: int = 0
    busy: int = 0  # runs that found another checkpoint (or a lock) in the way
    failed: int = 0  # runs that raised: logged, tried again at the next nudge
    frames: int = 0  # frames in the WAL at the last run
    copied: int = 0  # of which copied back into the file


class Checkpointer:
    """`nudge()` after a commit (it starts the thread if need be); `close()` stops it."""

    def __init__(self, path: Path, *, pause: float = PAUSE, idle: float = IDLE) -> None:
        self.path = path
        self.pause, self.idle = pause, idle
        self.counts = CheckpointCounts()
        self.nudged = threading.Event()
        self.stopping = threading.Event()
        self.guard = threading.Lock()
        self.thread: threading.Thread | None = None
        self.pid = 0  # the process the thread runs in (a forked worker starts its own)

    def nudge(self) -> None:
        if not self.running():  # checked again under the guard
            self.start()
        self.nudged.set()

    def running(self) -> bool:
        """Whether this process's thread is alive (a forked worker inherits a dead one)."""
        thread = self.thread
        return thread is not None and thread.is_alive() and self.pid == os.getpid()

    def start(self) -> None:
        with self.guard:
            if self.stopping.is_set() or self.running():
                return
            self.pid = os.getpid()
            self.thread = threading.Thread(target=self.run, name="collab-checkpointer", daemon=True)
            self.thread.start()

    def close(self) -> None:
        with self.guard:
            self.stopping.set()
            thread, self.thread = self.thread, None
        self.nudged.set()
        if thread is not None and self.pid == os.getpid():
            thread.join(timeout=TIMEOUT + self.pause + 1)

    def run(self) -> None:
        conn: sqlite3.Connection | None = None
        try:
            while not self.stopping.is_set():
                self.nudged.wait(self.idle)
                self.nudged.clear()
                if self.stopping.wait(self.pause):
                    break
                try:
                    if conn is None:
                        conn = sqlite3.connect(
                            self.path,
                            timeout=TIMEOUT,
                            isolation_level=None,
                            check_same_thread=False,
                        )
                    self.checkpoint(conn)
                except sqlite3.Error:
                    log.warning("collab: a WAL checkpoint failed", exc_info=True)
                    self.counts.failed += 1  # after the log line: who sees one sees both
                    if conn is not None:
                        conn.close()
                    conn = None
        finally:
            if conn is not None:
                conn.close()

    def checkpoint(self, conn: sqlite3.Connection) -> None:
        busy, frames, copied = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        self.counts.runs += 1
        self.counts.busy += int(busy != 0)
        self.counts.frames, self.counts.copied = frames, copied
