"""Worker mode: `collab projections run` follows the log in its own process.

On PostgreSQL the library NOTIFYs its channel with every append: the worker LISTENs and
wakes at once (the notification is only a wake-up; positions come from the log). On
SQLite it polls. Either way a periodic poll bounds the lag if a wake-up is missed.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import psycopg

from collab.stores import StoreConfig
from projections.readside import ReadSide


def follow(
    read: ReadSide,
    config: StoreConfig,
    stop: threading.Event,
    *,
    poll: float = 0.5,
    on_batch: Callable[[int], None] | None = None,
) -> None:
    """Catch up, wait for a wake-up (or the poll interval), repeat until `stop` is set."""
    wait = waiter(read, config, stop, poll)
    try:
        while not stop.is_set():
            reached = read.catch_up()
            if on_batch is not None:
                on_batch(reached)
            wait()
    finally:
        close = getattr(wait, "close", None)
        if close is not None:
            close()


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
