"""B5: as-of reads of a long-lived partnership at N/10, N/2 and N ÷ folding it to now.

Measured: the read ``GET /v1/partnerships/{id}/view`` serves for ``as_of=<time>`` and for
``as_of_position=<position>`` (api/views.py), in process without HTTP: for a time,
``projections.asof.position_at`` (time → position, through the history view's index) and
then, for both, ``projections.asof.view_as_of`` (the partnership's and its commitments'
events up to the position, folded and rendered as the live view is). The position is the
log head N, N/2 or N/10; the time is the recorded time of the event at that position.
Ceiling: ``repository.get`` of the same streams (the partnership and each of its
commitments) to their current versions with snapshots off — folding every event of the
streams, the work an as-of read at N cannot avoid. Target (issue 6): an as-of read costs
at most 1.5 times that fold, i.e. ratio = fold time ÷ as-of time ≥ 1/1.5.

The log is seeded through the domain and ``Collab.save`` in transactions of about 2,000
events: results reported on the partnership (its most frequent event; each for its own
day, in order, as periods are reported), deliveries reported
on its four commitments, and as many results on a second partnership, so half the log
belongs to other streams (an as-of read must not cost what the whole log costs). One
SQLite file (WAL, synchronous=FULL) and, when PostgreSQL is reachable, a schema of its own;
both are removed after the run. The views are caught up once before measuring.
"""

from __future__ import annotations

import json
import time
from decimal import Decimal
from typing import Any
from uuid import UUID

from api.demo import Demo
from api.wiring import open_read_side
from benchmarks.b2_append import postgres_url
from benchmarks.b3_rebuild import postgres_store, sqlite_store
from benchmarks.b4_load import day, rounds_indicator
from benchmarks.harness import Result, Timed, compare
from collab.application import Collab
from collab.domain.commitment import Commitment
from collab.domain.envelope import Acting, make_envelope, utc_now
from collab.domain.partnership import Partnership
from collab.stores import StoreConfig
from projections.asof import position_at, view_as_of
from projections.readside import ReadSide

TARGET = 1 / 1.5
BATCH = 1000  # events per stream and transaction (plus as many of the other partnership)
COMMITTERS = ("municipality", "association", "transport", "olive_mill")
POINTS = {"tenth": 0.1, "half": 0.5, "head": 1.0}


class Seeded:
    """The partnership under test, its commitments, and the other partnership's noise."""

    def __init__(self, app: Collab) -> None:
        self.app = app
        self.demo = Demo(app)
        self.demo.register()
        self.pid = self.demo.found()
        self.other = self.demo.found()
        self.cids = [
            self.demo.pledge(self.pid, key, "staff_time", "1000000", "hour") for key in COMMITTERS
        ]
        self.indicators = {p: self.indicator(p) for p in (self.pid, self.other)}

    def indicator(self, pid: str) -> str:
        return rounds_indicator(self.app, self.demo.broker, pid, Decimal(1000000))

    def streams(self) -> list[UUID]:
        return [UUID(self.pid), *(UUID(c) for c in self.cids)]

    def events(self) -> int:
        """Events in the partnership's streams (the fold's work)."""
        return sum(self.app.repository.get(s).version for s in self.streams())

    def pad(self, events: int) -> None:
        """Report results and deliveries until the streams hold at least `events` events."""
        broker = Acting(self.demo.broker, None)
        partners = [Acting(self.demo.partners[k], self.demo.orgs[k], None) for k in COMMITTERS]
        repository = self.app.repository
        i = 0
        while self.events() < events:
            p: Partnership = repository.get(UUID(self.pid))
            other: Partnership = repository.get(UUID(self.other))
            cs: list[Commitment] = [repository.get(UUID(c)) for c in self.cids]
            # Created in the order they are stored: recorded times follow positions.
            for _ in range(BATCH - BATCH // 10):
                i += 1
                p.report_result(self.indicators[self.pid], Decimal(i), day(i), broker, meta(broker))
            for k, c in enumerate(cs):  # one delivery in ten events, spread evenly
                for _ in range(BATCH // 10 // len(cs)):
                    i += 1
                    c.report_delivery(
                        f"d{i}", Decimal(1), "2027-03-31", None, partners[k], meta(partners[k])
                    )
            for _ in range(BATCH):
                i += 1
                other.report_result(
                    self.indicators[self.other], Decimal(i), day(i), broker, meta(broker)
                )
            self.app.save(p, *cs, other)


def meta(acting: Acting) -> Any:
    return make_envelope(
        acting,
        recorded_at=utc_now(),
        effective_date=None,
        reason=None,
        correlation_id="bench-b5",
    )


def recorded_at(app: Collab, position: int) -> str:
    (n,) = app.recorder.select_notifications(position, 1)
    return str(json.loads(n.state)["meta"]["recorded_at"])


def as_of_reader(
    app: Collab, read: ReadSide, pid: str, *, position: int, moment: str | None, reads: int
) -> Timed:
    def run() -> float:
        start = time.perf_counter()
        for _ in range(reads):
            at = position if moment is None else position_at(app, moment, read)
            view = view_as_of(app, pid, at)
        elapsed = time.perf_counter() - start
        if at != position or view["partnership_id"] != pid:
            raise RuntimeError(f"as-of read at {at}, expected {position}")
        return elapsed

    return run


def folder(app: Collab, streams: list[UUID], versions: list[int], reads: int) -> Timed:
    def run() -> float:
        start = time.perf_counter()
        for _ in range(reads):
            got: list[int] = [app.repository.get(s).version for s in streams]
        elapsed = time.perf_counter() - start
        if got != versions:
            raise RuntimeError(f"folded to {got}, expected {versions}")
        return elapsed

    return run


def measure(backend: str, config: StoreConfig, events: int, rounds: int) -> list[Result]:
    writer = Collab(config, snapshot_interval=100)
    without = Collab(config, snapshot_interval=0)
    read: ReadSide | None = None
    try:
        started = time.perf_counter()
        seeded = Seeded(writer)
        seeded.pad(events)
        seconds = time.perf_counter() - started
        read = open_read_side(writer, config)
        head = read.catch_up()
        streams = seeded.streams()
        versions: list[int] = [writer.repository.get(s).version for s in streams]
        # Enough reads per round that a round is not a few milliseconds.
        reads = max(1, 10_000 // sum(versions))
        results = []
        for label, fraction in POINTS.items():
            position = max(1, round(head * fraction))
            moment = recorded_at(writer, position)
            # The position a time maps to: the event after it may share its microsecond.
            position = position_at(writer, moment, read)
            for kind, asked in (("position", None), ("time", moment)):
                results.append(
                    compare(
                        f"B5.{backend}.{kind}.{label}",
                        as_of_reader(
                            writer, read, seeded.pid, position=position, moment=asked, reads=reads
                        ),
                        folder(without, streams, versions, reads),
                        target=TARGET,
                        rounds=rounds,
                        settings={
                            "backend": backend,
                            "log_events": head,
                            "stream_events": sum(versions),
                            "streams": len(streams),
                            "as_of": kind,
                            "as_of_position": position,
                            "reads_per_round": reads,
                            "seed": f"domain + Collab.save, {BATCH} per stream and save "
                            f"({seconds:.1f} s)",
                            "ceiling": "repository.get of each stream, snapshots off",
                            "store": (
                                "sqlite WAL synchronous=FULL"
                                if backend == "sqlite"
                                else "postgres synchronous_commit=on"
                            ),
                        },
                    )
                )
        return results
    finally:
        if read is not None:
            read.close()
        writer.close()
        without.close()


def run(smoke: bool = False) -> list[Result]:
    events, rounds = (2_000, 5) if smoke else (20_000, 7)
    results = []
    with sqlite_store() as config:
        results += measure("sqlite", config, events, rounds)
    if (url := postgres_url("B5")) is not None:
        with postgres_store(url) as config:
            results += measure("postgres", config, events, rounds)
    return results
