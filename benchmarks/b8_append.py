"""B8 (second line): appending leaves keeps up with the command rate B1 can reach.

Measured: a follower with only the Merkle log's consumer (``AuditProjection``) appending
the leaves of N stored events into fresh audit tables on a SQLite file (WAL,
synchronous=FULL), batch by batch as the server-mode follower does. Ceiling: B1's ceiling,
N durable single-row INSERT + commit transactions into the same kind of file — the most
commands per second the database could ever acknowledge. Ratio = ceiling time ÷ append
time; ≥ 1 means leaves are appended at least as fast as the database can commit commands
(each of which writes one or more events), so the tree never falls behind B1's rate.
"""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
import time
from pathlib import Path

from benchmarks.b3_rebuild import seed
from benchmarks.harness import Result, Timed, compare
from collab.application import Collab
from collab.audit.keys import KeyRing
from collab.audit.leaves import AuditProjection
from collab.stores import StoreConfig
from projections.engine import read_engine
from projections.follower import Follower
from projections.tables import define

TARGET = 1.0


def appender(app: Collab, origin: str, workdir: Path, head: int) -> Timed:
    def run() -> float:
        path = workdir / "audit.db"
        path.unlink(missing_ok=True)
        engine = read_engine(StoreConfig(f"sqlite:///{path}"), writer=True)
        follower = Follower(app, engine, define("b8_"), [AuditProjection(origin)])
        follower.setup()
        start = time.perf_counter()
        reached = follower.catch_up()
        elapsed = time.perf_counter() - start
        engine.dispose()
        if reached != head:
            raise RuntimeError(f"appended up to {reached}, the head is {head}")
        return elapsed

    return run


def bare_commits(workdir: Path, count: int) -> Timed:
    def run() -> float:
        path = workdir / "bare.db"
        path.unlink(missing_ok=True)
        conn = sqlite3.connect(path, isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT NOT NULL)")
        start = time.perf_counter()
        for i in range(count):
            conn.execute("BEGIN")
            conn.execute("INSERT INTO t (body) VALUES (?)", (f"command {i}",))
            conn.execute("COMMIT")
        elapsed = time.perf_counter() - start
        conn.close()
        return elapsed

    return run


def run(smoke: bool) -> list[Result]:
    events = 1_000 if smoke else 10_000
    workdir = Path(tempfile.mkdtemp(prefix="collab-b8-"))
    try:
        ring = KeyRing.ephemeral()
        app = Collab(StoreConfig(f"sqlite:///{workdir}/collab.db"), keys=ring)
        head = seed(app, events)
        result = compare(
            "B8.append.sqlite",
            appender(app, ring.origin, workdir, head),
            bare_commits(workdir, head),
            target=TARGET,
            rounds=5,
            settings={"events": head, "batch": "follower default"},
        )
        app.close()
        return [result]
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
