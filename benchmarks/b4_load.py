"""B4: loading one partnership whose stream holds 1e2 … 1e5 events, snapshots on and off.

Measured: ``repository.get`` of a partnership with N events. Ceiling: the same load of a
partnership with 1e2 events. Target (issue 2): with snapshots, loading at N takes at most
2 times the 1e2 time, i.e. ratio = t(1e2) ÷ t(N) ≥ 0.5. Without snapshots the same ratios are
printed as comparison lines (not gating): they show what the snapshots buy.

The long streams are written through the domain (``report_result`` on one indicator, the
partnership's most frequent event in a long-lived partnership, each report for the day
after the one before: periods are reported in order) and saved in batches of
1,000 events per transaction through ``Collab.save``, so snapshots are taken exactly as in
service (every 100 versions); each stream is 50 events past its nominal size. The
database is one SQLite file (WAL, synchronous=FULL).
"""

from __future__ import annotations

import shutil
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from uuid import UUID

from benchmarks.harness import Result, Timed, compare
from collab.application import Collab, Context
from collab.domain.envelope import Acting, Actor, make_envelope, utc_now
from collab.domain.partnership import Partnership
from collab.governance.commands import SetIndicator
from collab.partnerships.commands import InitiatePartnership
from collab.stores import StoreConfig

TARGET = 0.5
BATCH = 1000
FIRST_DAY = date(1700, 1, 1)  # 1e5 reports end in 1973: each period over before today


def seed(app: Collab, events: int) -> UUID:
    """A partnership in force with one indicator, padded with results to `events` events."""
    broker = Actor("bench-broker", "broker")
    out = app.execute(
        Context(broker),
        InitiatePartnership(
            title="Bench",
            need_statement="Bench need",
            territory={"country": "PT", "nuts": None, "lau": None},
            partnership_type="other",
        ),
    )
    pid = UUID(out.text("partnership_id"))
    indicator = rounds_indicator(app, broker, str(pid), Decimal(1000000))
    acting = Acting(broker, None)
    p: Partnership = app.repository.get(pid)
    i = 0
    while p.version < events:
        for _ in range(min(BATCH, events - p.version)):
            meta = make_envelope(
                acting,
                recorded_at=utc_now(),
                effective_date=None,
                reason=None,
                correlation_id="bench",
            )
            p.report_result(indicator, Decimal(i), day(i), acting, meta)
            i += 1
        app.save(p)
    return pid


def rounds_indicator(app: Collab, broker: Actor, pid: str, target: Decimal) -> str:
    """An output indicator ("rounds", in sessions, from 0 to `target`) set on `pid`: its id."""
    return app.execute(
        Context(broker),
        SetIndicator(
            pid,
            kind="output",
            name="rounds",
            unit="session",
            baseline=Decimal(0),
            target=target,
        ),
    ).text("indicator_id")


def day(i: int) -> str:
    """The i-th day reported: one period per report, in order (no two overlap)."""
    return (FIRST_DAY + timedelta(days=i)).isoformat()


def loader(app: Collab, pid: UUID, loads: int) -> Timed:
    def run() -> float:
        start = time.perf_counter()
        for _ in range(loads):
            app.repository.get(pid)
        return time.perf_counter() - start

    return run


def run(smoke: bool) -> list[Result]:
    sizes = [100, 1_000, 10_000] if smoke else [100, 1_000, 10_000, 100_000]
    rounds, loads = (5, 20) if smoke else (7, 50)
    workdir = Path(tempfile.mkdtemp(prefix="collab-b4-"))
    config = StoreConfig(f"sqlite:///{workdir}/b4.db")
    writer = Collab(config, snapshot_interval=100)
    with_snapshots = Collab(config, snapshot_interval=100)
    without = Collab(config, snapshot_interval=0)
    try:
        # Half an interval past each size: a load then reads a snapshot plus 50 events, the
        # average case (exact multiples of 100 would read the snapshot alone).
        streams = {n: seed(writer, n + 50) for n in sizes}
        base = streams[sizes[0]]
        results = []
        for n in sizes[1:]:
            for app, label, gating in (
                (with_snapshots, "snapshots", True),
                (without, "no-snapshots", False),
            ):
                if smoke and not gating and n > 1_000:
                    continue  # the comparison line folds every event: 30 s of a 3-minute run
                results.append(
                    compare(
                        f"B4.{label}.{n}",
                        loader(app, streams[n], loads),
                        loader(app, base, loads),
                        target=TARGET,
                        rounds=rounds,
                        settings={
                            "events": n,
                            "baseline_events": sizes[0],
                            "loads_per_round": loads,
                            "snapshot_interval": 100 if gating else 0,
                            "store": "sqlite WAL FULL",
                        },
                        gating=gating,
                    )
                )
        return results
    finally:
        for app in (writer, with_snapshots, without):
            app.close()
        shutil.rmtree(workdir, ignore_errors=True)
