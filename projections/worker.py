"""Worker mode: `collab projections run` follows the log in its own process.

On PostgreSQL the library NOTIFYs its channel with every append: the worker LISTENs and
wakes at once (the notification is only a wake-up; positions come from the log). On
SQLite it polls. Either way a periodic poll bounds the lag if a wake-up is missed.

A batch costs the worker about four times a command's own rows whatever its size
(reading the head, the tracking rows and the log, a statement per table, the commit:
about 1.3 ms of CPU, against 0.3 ms a command, on PostgreSQL here). Woken one command at
a time under load, it spent that for every command, on the cores the commands need. So a
worker whose last catch-up found work lingers a few milliseconds after a wake-up
(`GATHER`), letting the commands arriving meanwhile into the same batch. After a quiet
catch-up it answers a wake-up at once: the linger is paid only under load, where it is a
small part of each command's wait. (Wake-ups that arrive together are taken together:
psycopg reads every notification waiting on the socket at once.)

A database outage (a restart, a dropped connection) is waited out, never fatal: the batch
in flight rolls back and the next one starts again from the tracking rows.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

import psycopg
import sqlalchemy.exc
from eventsourcing import persistence

from collab.stores import StoreConfig
from projections.readside import ReadSide

log = logging.getLogger("collab.projections")
# Connection-level failures of each driver layer: retrying later may succeed.
OUTAGE = (
    sqlalchemy.exc.OperationalError,
    sqlalchemy.exc.InterfaceError,
    psycopg.OperationalError,
    psycopg.InterfaceError,
    persistence.OperationalError,
    persistence.InterfaceError,
)
GATHER = 0.005  # seconds a busy worker lingers after a wake-up (see above)


def follow(
    read: ReadSide,
    config: StoreConfig,
    stop: threading.Event,
    *,
    poll: float = 0.5,
    gather: float = GATHER,
    on_batch: Callable[[int], None] | None = None,
) -> None:
    """Catch up, wait for a wake-up (or the poll interval), repeat until `stop` is set;
    after a catch-up that applied events, linger `gather` seconds past the wake-up."""
    wait: Waiter | None = None
    reached: int | None = None
    try:
        while not stop.is_set():
            try:
                wait = wait or waiter(read, config, stop, poll)
                before, reached = reached, read.catch_up()
                if on_batch is not None:
                    on_batch(reached)
                if not stop.is_set():
                    wait(gather if before is not None and reached > before else 0.0)
            except OUTAGE as e:
                log.warning("database unavailable (%s); retrying", type(e).__name__)
                read.follower.cache.states.clear()  # folded past what was committed
                close(wait)
                wait = None  # LISTEN again on a new connection
                stop.wait(poll)
    finally:
        close(wait)


# Waits for the next wake-up, then lingers the given seconds (see `follow`).
Waiter = Callable[[float], None]


def close(wait: Waiter | None) -> None:
    closing = getattr(wait, "close", None)
    if closing is not None:
        closing()


def waiter(read: ReadSide, config: StoreConfig, stop: threading.Event, poll: float) -> Waiter:
    channel = getattr(read.app.recorder, "channel_name", None)
    if config.kind != "postgres" or channel is None:

        def sleep(_linger: float) -> None:  # a poll gathers more than any linger would
            stop.wait(poll)

        return sleep
    conn = psycopg.connect(**config.psycopg_kwargs(), autocommit=True)
    conn.execute(psycopg.sql.SQL("LISTEN {}").format(psycopg.sql.Identifier(channel)))

    def wait(linger: float) -> None:
        for _ in conn.notifies(timeout=poll, stop_after=1):
            pass
        if linger > 0:
            stop.wait(linger)

    wait.close = conn.close  # type: ignore[attr-defined]
    return wait
