"""B3: a full projection rebuild ÷ a raw paged scan and decode of the same events.

Measured: ``projections.operations.rebuild(read)`` of the whole log: every event read in
pages of 500 and decoded, folded into its aggregate and written to fresh read-model tables
(synchronous=FULL on SQLite, synchronous_commit=on on PostgreSQL), then swapped in. Ceiling:
the same events read through the same driver and recorder
(``recorder.select_notifications(start, 500, inclusive_of_start=False)``) and decoded with
``mapper.to_domain_event``, as the follower does, and nothing else. The ceiling only reads,
so there is no durability to match. Target (issue 3): ratio = scan time ÷ rebuild time
≥ 0.4, i.e. a rebuild costs at most 2.5 times reading the log.

The log is seeded through the service by running the demo scenario (``api.demo``) until it
holds at least the nominal number of events, on a SQLite file created for the run and, when
PostgreSQL is reachable, in a schema of its own; both are removed after the run.
"""

from __future__ import annotations

import shutil
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from psycopg.sql import SQL, Identifier

from api.demo import run_demo
from api.wiring import open_read_side
from benchmarks.b2_append import admin_connection, postgres_url
from benchmarks.harness import Result, Timed, compare
from collab.application import Collab
from collab.stores import StoreConfig
from projections.follower import BATCH
from projections.operations import rebuild
from projections.readside import ReadSide

TARGET = 0.4
PAGE = 500


def seed(app: Collab, events: int) -> int:
    """Run the demo scenario until the log holds at least ``events`` events."""
    while (app.recorder.max_notification_id() or 0) < events:
        run_demo(app)
    return app.recorder.max_notification_id() or 0


def rebuilder(read: ReadSide, head: int) -> Timed:
    def run() -> float:
        start = time.perf_counter()
        reached = rebuild(read)
        elapsed = time.perf_counter() - start
        if reached != head:
            raise RuntimeError(f"rebuild reached {reached}, the log's head is {head}")
        return elapsed

    return run


def scanner(app: Collab, head: int) -> Timed:
    recorder, mapper = app.recorder, app.mapper

    def run() -> float:
        start = time.perf_counter()
        position, count = 0, 0
        while True:
            page = recorder.select_notifications(position, PAGE, inclusive_of_start=False)
            if not page:
                break
            for n in page:
                mapper.to_domain_event(n)
            position = page[-1].id
            count += len(page)
        elapsed = time.perf_counter() - start
        if position != head or count != head:
            raise RuntimeError(f"scan read {count} events up to {position}, head is {head}")
        return elapsed

    return run


@contextmanager
def sqlite_store() -> Iterator[StoreConfig]:
    workdir = Path(tempfile.mkdtemp(prefix="collab-b3-"))
    try:
        yield StoreConfig(f"sqlite:///{workdir}/b3.db")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


@contextmanager
def postgres_store(url: str, prefix: str = "b3") -> Iterator[StoreConfig]:
    """A schema of its own for one benchmark store, dropped afterwards."""
    schema = f"{prefix}_{uuid.uuid4().hex[:8]}"
    with admin_connection(url) as conn:
        conn.execute(SQL("CREATE SCHEMA {}").format(Identifier(schema)))
    try:
        yield StoreConfig(f"{url}?schema={schema}")
    finally:
        with admin_connection(url) as conn:
            conn.execute(SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(Identifier(schema)))


def measure(backend: str, config: StoreConfig, events: int, rounds: int) -> Result:
    app = Collab(config)
    read: ReadSide | None = None
    try:
        started = time.perf_counter()
        head = seed(app, events)
        seeded = time.perf_counter() - started
        read = open_read_side(app, config)
        return compare(
            f"B3.{backend}",
            rebuilder(read, head),
            scanner(app, head),
            target=TARGET,
            rounds=rounds,
            settings={
                "backend": backend,
                "events": head,
                "nominal_events": events,
                "seed": f"api.demo.run_demo repeated ({seeded:.1f} s)",
                "scan_page": PAGE,
                "follower_batch": BATCH,
                "read_model_writes": (
                    "sqlite WAL synchronous=FULL"
                    if backend == "sqlite"
                    else "postgres synchronous_commit=on"
                ),
                "ceiling": "recorder.select_notifications + mapper.to_domain_event (read only)",
            },
        )
    finally:
        if read is not None:
            read.close()
        app.close()


def run(smoke: bool = False) -> list[Result]:
    events, rounds = (3_000, 5) if smoke else (20_000, 7)
    results = []
    with sqlite_store() as config:
        results.append(measure("sqlite", config, events, rounds))
    if (url := postgres_url("B3")) is not None:
        with postgres_store(url) as config:
            results.append(measure("postgres", config, events, rounds))
    return results
