"""Running the due-date processor: once (`collab due run`, tests), every interval in the
background of an embedded service, or as its own process in server mode.

Each pass catches the read side up (so the due table knows every event so far), reads
the effects whose day has come by the application's clock and records them
(`collab.due.run_due`). Any number of passes, in any number of processes, record one
event per effect.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from api.wiring import open_read_side
from collab.application import Collab
from collab.commands import Outcome
from collab.due import run_due
from collab.stores import StoreConfig
from projections.due import DueProjection, due_items
from projections.readside import ReadSide

log = logging.getLogger(__name__)


class DueRunner:
    """The processor over one application and its read side."""

    def __init__(self, app: Collab, read: ReadSide) -> None:
        self.app = app
        self.read = read
        found = [p for p in read.follower.projections if isinstance(p, DueProjection)]
        self.projection = found[0] if found else None

    def run_once(self) -> list[Outcome]:
        """One pass: every effect due today or earlier, recorded; the outcomes that did."""
        if self.projection is None:
            return []
        done: list[Outcome] = []
        while True:
            self.read.catch_up()
            today = self.app.clock().date().isoformat()
            with self.read.reader() as conn:
                items = due_items(conn, self.projection.table, today)
            recorded = run_due(self.app, items)
            done += recorded
            if not recorded:  # nothing more recorded: what is left is refused or not due
                return done

    def run_quietly(self) -> None:
        try:
            self.run_once()
        except Exception:  # a database outage: the next pass tries again
            log.exception("the due-date processor failed")


class Background:
    """Embedded mode: a pass now and then every `interval` seconds, in a thread with an
    application and a read side of its own (the request path's follower cache and
    application are not shared between threads), as a process of its own would."""

    def __init__(self, make_app: Callable[[], Collab], config: StoreConfig, interval: float):
        self.make_app = make_app
        self.config = config
        self.interval = interval
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.loop, name="due-date processor", daemon=True)
        self.thread.start()

    def loop(self) -> None:
        runner: DueRunner | None = None
        try:
            while not self.stop.is_set():
                try:
                    if runner is None:
                        app = self.make_app()
                        runner = DueRunner(app, open_read_side(app, self.config))
                    runner.run_once()
                except Exception:  # a database outage: the next pass tries again
                    log.exception("the due-date processor failed")
                self.stop.wait(self.interval)
        finally:
            if runner is not None:
                runner.read.close()
                runner.app.close()

    def close(self) -> None:
        self.stop.set()
        self.thread.join(timeout=30)
