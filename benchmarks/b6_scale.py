"""B6: appending and catching up with 1e6 events stored ÷ the same with 1e4 stored.

Two lines per backend, each timing the same work in two stores that differ only in how
many events they already hold (the large one measured, the small one its ceiling; ratio =
small-store time ÷ large-store time, target ≥ 0.8 from issue 6):

* ``append``: a fixed batch of commands through the application service (``api.demo.Demo``
  enrolling a broker, registering six organisations with their partners and founding a
  partnership in force: 35 commands, each its own durable transaction, every event
  signed), as the server-mode workers do; the views are caught up afterwards, untimed.
* ``catch-up``: the follower of ``ReadSide`` (views, history and the Merkle log's leaves)
  applying a fixed number of new events (copies as below), appended untimed just before.

Both stores grow as rounds append to them (the small one by at most about 2e4 events in a
full run, 7e3 in a smoke run): that is kept small against the factor of 100 between them.

Seeding must take minutes, not hours: ``api.demo.run_demo`` runs once on ``memory://`` and
its stored events (every kind of stream) are copied with fresh ids, the streams' and every
other id they carry (replaced in the stored bytes, so each copy is a self-consistent little
world: an adoption or a delivery id is unique in the views as in the service), and
recorded times set to the moment of copying, then inserted through the application's
recorder in transactions of 20,000 events. The copies' writer signatures are one real
signature repeated (same key, same size): nobody verifies them here, and signing a million
events would add minutes; the measured commands are signed for real. The views and leaves
are brought up to the head once before measuring (not measured).

The large store holds 1e6 events (5e4 with ``--smoke``), the small one 1e4 (5e2). Each is
a SQLite file (WAL, synchronous=FULL) and, when PostgreSQL is reachable, a schema of its
own; all are removed after the run.
"""

from __future__ import annotations

import re
import shutil
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from eventsourcing.persistence import StoredEvent

from api.demo import Demo, run_demo
from api.wiring import open_read_side
from benchmarks.b2_append import postgres_url
from benchmarks.b3_rebuild import postgres_store
from benchmarks.harness import Result, Timed, compare
from collab.application import Collab
from collab.audit.keys import KeyRing
from collab.domain.envelope import rfc3339, utc_now
from collab.stores import StoreConfig
from projections.follower import BATCH
from projections.readside import ReadSide

TARGET = 0.8
CHUNK = 20_000  # seeded events per transaction
SEED_BATCH = 5_000  # the follower's batch for the untimed first catch-up
RECORDED = b'"recorded_at":"'
UUID_TEXT = re.compile(rb"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


class PlaceholderSigner:
    """The ring's key id and one real signature of its key, for every seeded event."""

    def __init__(self, keys: KeyRing) -> None:
        self.key_id = keys.signer.key_id
        self.signature = keys.signer.sign_event("seed", 1, "seed", "0" * 64)

    def sign_event(self, stream: str, version: int, topic: str, state_sha256: str) -> str:
        return self.signature


class Template:
    """One run of the demo's stored events, copied with fresh ids on demand."""

    def __init__(self) -> None:
        app = Collab(StoreConfig("memory://"))
        try:
            run_demo(app)
            self.events = list(app.recorder.select_notifications(1, 10_000))
        finally:
            app.close()
        self.streams = sorted({n.originator_id for n in self.events}, key=str)
        # Every other id the events carry (an adoption's, a delivery's, a correlation's):
        # fresh in each copy too, or the views' unique keys would refuse the second copy.
        found = {m.decode() for n in self.events for m in UUID_TEXT.findall(n.state)}
        self.ids = sorted({*self.streams, *(uuid.UUID(x) for x in found)}, key=str)

    def __len__(self) -> int:
        return len(self.events)

    def copy(self) -> list[StoredEvent]:
        fresh = {s: uuid.uuid4() for s in self.ids}
        # Ids appear in the stored JSON as text (str fields) and as hex (UUID fields).
        swaps = [(str(s).encode(), str(f).encode()) for s, f in fresh.items()]
        swaps += [(uuid.UUID(str(s)).hex.encode(), f.hex.encode()) for s, f in fresh.items()]
        copied = []
        for n in self.events:
            state = n.state
            for old, new in swaps:
                if old in state:
                    state = state.replace(old, new)
            # Recorded now, as the service would record it (times follow positions).
            at = state.find(RECORDED) + len(RECORDED)
            end = state.index(b'"', at)
            state = state[:at] + rfc3339(utc_now()).encode() + state[end:]
            copied.append(StoredEvent(fresh[n.originator_id], n.originator_version, n.topic, state))
        return copied


def insert_copies(app: Collab, template: Template, events: int) -> int:
    """At least `events` more events as template copies, CHUNK per transaction; the head."""
    added = 0
    while added < events:
        chunk: list[StoredEvent] = []
        while len(chunk) < min(CHUNK, events - added):
            chunk += template.copy()
        app.recorder.insert_events(chunk)
        added += len(chunk)
    return app.recorder.max_notification_id() or 0


@dataclass
class Store:
    """One store: the service (signing as the server does) and its read side."""

    label: str
    app: Collab
    read: ReadSide
    seeded: float = 0.0
    caught_up: float = 0.0

    @classmethod
    def open(cls, label: str, config: StoreConfig, template: Template, events: int) -> Store:
        keys = KeyRing.ephemeral()
        app = Collab(config, keys=keys)
        real = app.side.signer
        started = time.perf_counter()
        app.side.signer = PlaceholderSigner(keys)
        try:
            insert_copies(app, template, events)
        finally:
            app.side.signer = real
        seeded = time.perf_counter() - started
        read = open_read_side(app, config)
        started = time.perf_counter()
        read.follower.batch = SEED_BATCH
        read.catch_up()
        read.follower.batch = BATCH
        caught_up = time.perf_counter() - started
        print(
            f"  B6 {label}: {app.recorder.max_notification_id()} events seeded in "
            f"{seeded:.1f} s, caught up in {caught_up:.1f} s",
            file=sys.stderr,
        )
        return cls(label, app, read, seeded, caught_up)

    def close(self) -> None:
        self.read.close()
        self.app.close()

    def head(self) -> int:
        return self.app.recorder.max_notification_id() or 0


def appender(store: Store, demos: int) -> Timed:
    def run() -> float:
        start = time.perf_counter()
        for _ in range(demos):
            demo = Demo(store.app)
            demo.register()
            demo.found()
        elapsed = time.perf_counter() - start
        store.read.catch_up()  # untimed: the next measurement starts at the head
        return elapsed

    return run


def catcher(store: Store, template: Template, events: int) -> Timed:
    def run() -> float:
        head = insert_copies(store.app, template, events)
        start = time.perf_counter()
        reached = store.read.catch_up()
        elapsed = time.perf_counter() - start
        if reached != head:
            raise RuntimeError(f"{store.label}: caught up to {reached}, the head is {head}")
        return elapsed

    return run


def measure(
    backend: str, stores: tuple[Store, Store], template: Template, smoke: bool
) -> list[Result]:
    large, small = stores
    rounds, demos, events = (5, 2, 1_000) if smoke else (7, 4, 2_000)
    common = {
        "backend": backend,
        "store": (
            "sqlite WAL synchronous=FULL"
            if backend == "sqlite"
            else "postgres synchronous_commit=on"
        ),
        "events_large": large.head(),
        "events_small": small.head(),
        "seed": f"run_demo copies ({len(template)} events, {len(template.streams)} streams), "
        f"{CHUNK} per transaction; large seeded {large.seeded:.0f} s + first catch-up "
        f"{large.caught_up:.0f} s",
        "signing": "every measured event signed (Ed25519); seeded copies: placeholder",
    }
    return [
        compare(
            f"B6.{backend}.append",
            appender(large, demos),
            appender(small, demos),
            target=TARGET,
            rounds=rounds,
            settings={
                **common,
                "work": f"{demos} x Demo register + found (35 commands, one transaction each)",
            },
        ),
        compare(
            f"B6.{backend}.catch-up",
            catcher(large, template, events),
            catcher(small, template, events),
            target=TARGET,
            rounds=rounds,
            settings={
                **common,
                "work": f"catch up views + history + audit leaves on {events} new events "
                f"(follower batch {BATCH})",
            },
        ),
    ]


@contextmanager
def sqlite_store(label: str) -> Iterator[StoreConfig]:
    workdir = Path(tempfile.mkdtemp(prefix=f"collab-b6-{label}-"))
    try:
        yield StoreConfig(f"sqlite:///{workdir}/b6.db")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def run(smoke: bool = False) -> list[Result]:
    backends: list[tuple[str, str | None]] = [("sqlite", None)]
    if (url := postgres_url("B6")) is not None:
        backends.append(("postgres", url))
    sizes = (50_000, 500) if smoke else (1_000_000, 10_000)
    return scale(backends, *sizes, smoke=smoke)


def scale(
    backends: list[tuple[str, str | None]], large_events: int, small_events: int, *, smoke: bool
) -> list[Result]:
    template = Template()
    results = []
    for backend, backend_url in backends:
        with ExitStack() as stack:
            opened = []
            for label, events in (("large", large_events), ("small", small_events)):
                config = stack.enter_context(
                    sqlite_store(label)
                    if backend_url is None
                    else postgres_store(backend_url, f"b6_{label}")
                )
                store = Store.open(f"{backend}.{label}", config, template, events)
                stack.callback(store.close)
                opened.append(store)
            results += measure(backend, (opened[0], opened[1]), template, smoke)
    return results
