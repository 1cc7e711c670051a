"""Worker mode: `collab projections run` follows the log in its own process.

On PostgreSQL the library NOTIFYs its channel with every append: the worker LISTENs and
wakes at once (the notification is only a wake-up; positions come from the log). On
SQLite it polls. Either way a periodic poll bounds the lag if a wake-up is missed.
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


def follow(
    read: ReadSide,
    config: StoreConfig,
    stop: threading.Event,
    *,
    poll: float = 0.5,
    on_batch: Callable[[int], None] | None = None,
) -> None:
    """Catch up, wait for a wake-up (or the poll interval), repeat until `stop` is set."""
    wait: Callable[[], None] | None = None
    try:
        while not stop.is_set():
            try:
                wait = wait or waiter(read, config, stop, poll)
                reached = read.catch_up()
                if on_batch is not None:
                    on_batch(reached)
                wait()
            except OUTAGE as e:
                log.warning("database unavailable (%s); retrying", type(e).__name__)
                read.follower.cache.states.clear()  # folded past what was committed
                close(wait)
                wait = None  # LISTEN again on a new connection
                stop.wait(poll)
    finally:
        close(wait)


def close(wait: Callable[[], None] | None) -> None:
    closing = getattr(wait, "close", None)
    if closing is not None:
        closing()


def waiter(
    read: ReadSide, config: StoreConfig, stop: threading.Event, poll: float
) -> Callable[[], None]:
    channel = getattr(read.app.recorder, "channel_name", None)
    if config.kind != "postgres" or channel is None:

        def sleep() -> None:
            stop.wait(poll)

        return sleep
    conn = psycopg.connect(**config.psycopg_kwargs(), autocommit=True)
    conn.execute(psycopg.sql.SQL("LISTEN {}").format(psycopg.sql.Identifier(channel)))

    def wait() -> None:
        for _ in conn.notifies(timeout=poll, stop_after=1):
            pass

    wait.close = conn.close  # type: ignore[attr-defined]
    return wait
