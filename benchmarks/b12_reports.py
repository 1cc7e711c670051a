"""B12: each report of a partnership with 5,000 events ÷ reading its views (issue 19).

The partnership: the demo's founding (its organisations registered, members joined, the
agreement signed), then cash and in-kind commitments pledged and confirmed through the
application (``Collab.execute``), then deliveries reported and confirmed on them and
indicator results reported, through the domain and ``Collab.save`` in transactions of
``BATCH`` events, until the partnership's streams (it and its commitments) hold 5,000
events (1,000 in a smoke run). One SQLite file (WAL, synchronous=FULL) and, when
PostgreSQL is reachable, a schema of its own; both removed after. The views are caught up
once before measuring.

Measured, per report (``projections.reports.REPORTS``): what the API does for it,
in process without HTTP — ``report_state_for`` as the admin on a reader connection, then
the report's ``render``. Ceiling, alternating in the same rounds: reading the views the
report is built from, as ``GET …/view`` and ``GET …/budget`` read them
(``partnership_view`` and ``budget_view`` of ``partnership_rows_from``). Ratio = views ÷
report, target 0.5 (a report costs at most twice reading its views); an honest reading of
"as a ratio to reading its views", the issue sets no figure.
"""

from __future__ import annotations

import time
from decimal import Decimal
from typing import Any
from uuid import UUID

from api.demo import Demo
from api.wiring import open_read_side
from benchmarks.b2_append import postgres_url
from benchmarks.b3_rebuild import postgres_store, sqlite_store
from benchmarks.b4_load import day, rounds_indicator
from benchmarks.b5_asof import meta
from benchmarks.harness import Result, Timed, compare
from collab.application import Collab
from collab.domain.commitment import Commitment
from collab.domain.envelope import Acting, Actor
from collab.domain.partnership import Partnership
from collab.stores import StoreConfig
from collab.visibility import Viewer
from projections.asof import rows_as_of
from projections.budget import budget_view
from projections.readside import ReadSide
from projections.reports import REPORTS, report_state_for
from projections.views import partnership_rows_from, partnership_view

TARGET = 0.5
BATCH = 1000
# (organisation key, contribution type, unit, recipient key: None for the pool): cash and
# in kind to the pool, and cash grants from the municipality to the association.
KINDS = (
    ("municipality", "cash", "EUR", None),
    ("municipality", "cash", "EUR", "association"),
    ("association", "staff_time", "hour", None),
    ("transport", "services", "session", None),
    ("olive_mill", "premises", "m2", None),
)
ADMIN = Viewer(Actor("b12-admin", "admin"), "2100-01-01")


def seed(app: Collab, events: int) -> tuple[str, int]:
    """The partnership and the events in its streams."""
    demo = Demo(app)
    demo.register()
    pid = demo.found()
    indicator = rounds_indicator(app, demo.broker, pid, Decimal(9))
    made = [
        (demo.pledge(pid, key, kind, "1000000.00" if kind == "cash" else "1000000", unit,
                     demo.orgs[to] if to else "pool"), key, to)
        for _ in range(max(1, events // 60))
        for key, kind, unit, to in KINDS
    ]  # fmt: skip
    cids = [cid for cid, _, _ in made]
    lead = Acting(demo.partners["municipality"], demo.orgs["municipality"], None)
    givers = {cid: Acting(demo.partners[k], demo.orgs[k], None) for cid, k, _ in made}
    # Who answers a delivery: the recipient; for the pool the lead, or a partnership broker
    # for the lead's own commitment to the pool.
    answers = {
        cid: (Acting(demo.partners[to], demo.orgs[to], None), False) if to
        else (Acting(demo.broker, None), True) if k == "municipality" else (lead, False)
        for cid, k, to in made
    }  # fmt: skip
    total, i = count(app, pid, cids), 0
    while total < events:
        p: Partnership = app.repository.get(UUID(pid))
        batch: list[Commitment] = []
        for cid in cids[i % len(cids) :][: BATCH // 3]:
            c: Commitment = app.repository.get(UUID(cid))
            i += 1
            c.report_delivery(f"d{i}", Decimal(1), "2026-03-31", None, givers[cid], meta(lead))
            answer, broker = answers[cid]
            c.confirm_delivery(f"d{i}", answer, lead.organisation_id, meta(answer), broker=broker)
            batch.append(c)
        for _ in range(BATCH // 3):
            i += 1
            p.report_result(indicator, Decimal(i), day(i), Acting(demo.broker, None), meta(lead))
        app.save(p, *batch)
        total = count(app, pid, cids)
    return pid, total


def count(app: Collab, pid: str, cids: list[str]) -> int:
    return sum(app.repository.get(UUID(s)).version for s in (pid, *cids))


def reporter(app: Collab, read: ReadSide, pid: str, name: str) -> Timed:
    render = REPORTS[name].render

    def timed() -> float:
        start = time.perf_counter()
        with read.reader() as conn:
            state = report_state_for(
                conn, read.tables, ADMIN, pid, lambda p, n: rows_as_of(app, p, n)
            )
        body = render(state, "en")
        elapsed = time.perf_counter() - start
        assert body
        return elapsed

    return timed


def viewer(read: ReadSide, pid: str) -> Timed:
    def timed() -> float:
        start = time.perf_counter()
        with read.reader() as conn:
            partnership_view(conn, read.tables, pid)
            budget_view(partnership_rows_from(conn, read.tables, pid))
        return time.perf_counter() - start

    return timed


def measure(backend: str, config: StoreConfig, events: int, rounds: int) -> list[Result]:
    app = Collab(config, snapshot_interval=100)
    read: ReadSide | None = None
    try:
        started = time.perf_counter()
        pid, total = seed(app, events)
        seconds = time.perf_counter() - started
        read = open_read_side(app, config)
        read.catch_up()
        settings: dict[str, Any] = {
            "backend": backend,
            "partnership_events": total,
            "seed": f"demo founding, commitments by command, then domain + save ({seconds:.1f} s)",
            "ceiling": "partnership_view + budget_view of the same partnership",
        }
        return [
            compare(f"B12.{backend}.{name}", reporter(app, read, pid, name), viewer(read, pid),
                    target=TARGET, rounds=rounds, settings={**settings, "report": name})
            for name in REPORTS
        ]  # fmt: skip
    finally:
        if read is not None:
            read.close()
        app.close()


def run(smoke: bool = False) -> list[Result]:
    events, rounds = (1_000, 5) if smoke else (5_000, 7)
    results = []
    with sqlite_store() as config:
        results += measure("sqlite", config, events, rounds)
    if (url := postgres_url("B12")) is not None:
        with postgres_store(url, "b12") as config:
            results += measure("postgres", config, events, rounds)
    return results
