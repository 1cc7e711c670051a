"""Indicators with reporting periods through the service, on every store (issue 15,
part 5): reports kept per period, corrections naming them, snapshots that keep them."""

from __future__ import annotations

import uuid
from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest

from collab.application import Collab
from collab.domain.errors import InvalidInputError, RuleViolationError
from collab.governance.commands import CorrectResult, ReportResult, SetIndicator
from collab.stores import StoreConfig
from tests.application.conftest import fixed_clock
from tests.application.world import World

Q1 = {"start": "2029-01-01", "end": "2029-03-31"}
Q2 = {"start": "2029-04-01", "end": "2029-06-30"}
Q3 = {"start": "2029-07-01", "end": "2029-09-30"}


def indicator(world: World, pid: str) -> str:
    made = world.app.execute(
        world.as_broker(),
        SetIndicator(pid, kind="output", name="Visits", unit="visit", baseline="0", target="90"),
    )
    return str(made.result["indicator_id"])


def report(world: World, pid: str, iid: str, actual: str, period: Any) -> str:
    command = ReportResult(pid, indicator_id=iid, actual=actual, as_of="2030-01-05", period=period)
    return str(world.app.execute(world.as_("b"), command).result["report_id"])


def series(world: World, pid: str, iid: str) -> list[tuple[str, Decimal, bool]]:
    reports = world.partnership_of(pid).indicators[iid].reports
    return [(r.period_start, r.actual, r.corrected) for r in reports]


def test_reports_are_kept_per_period_and_corrected_by_name(world: World) -> None:
    # Given an indicator with the first two quarters reported
    pid = world.in_force()
    iid = indicator(world, pid)
    first = report(world, pid, iid, "20", Q1)
    report(world, pid, iid, "35", Q2)
    # When the first is corrected, with a reason
    fix = CorrectResult(pid, indicator_id=iid, report_id=first, actual="22")
    world.app.execute(world.as_("a", reason="late entries"), fix)
    # Then both reports are kept, the first with its corrected figure
    assert series(world, pid, iid) == [
        ("2029-01-01", Decimal("22"), True),
        ("2029-04-01", Decimal("35"), False),
    ]
    assert world.events(pid)[-3:] == ["ResultReported", "ResultReported", "ResultCorrected"]


def test_an_overlap_or_a_correction_without_reason_records_nothing(world: World) -> None:
    pid = world.in_force()
    iid = indicator(world, pid)
    first = report(world, pid, iid, "20", Q1)
    overlap = ReportResult(pid, indicator_id=iid, actual="1", as_of="2029-02-01")
    world.refused(RuleViolationError, lambda: world.app.execute(world.as_("b"), overlap))
    fix = CorrectResult(pid, indicator_id=iid, report_id=first, actual="22")
    world.refused(InvalidInputError, lambda: world.app.execute(world.as_("b"), fix))
    unknown = replace(fix, report_id=str(uuid.uuid4()))
    ctx = world.as_("b", reason="recount")
    world.refused(RuleViolationError, lambda: world.app.execute(ctx, unknown))
    assert series(world, pid, iid) == [("2029-01-01", Decimal("20"), False)]


@pytest.fixture
def snapshotting(store_config: StoreConfig) -> Any:
    service = Collab(store_config, snapshot_interval=3, clock=fixed_clock)
    yield service
    service.close()


def test_snapshots_keep_the_series(snapshotting: Collab) -> None:
    # Given a partnership snapshotted every three events, with three quarters reported
    world = World(snapshotting)
    pid = world.in_force()
    iid = indicator(world, pid)
    first = report(world, pid, iid, "20", Q1)
    report(world, pid, iid, "35", Q2)
    fix = CorrectResult(pid, indicator_id=iid, report_id=first, actual="22")
    world.app.execute(world.as_("a", reason="late entries"), fix)
    report(world, pid, iid, "51", Q3)
    # When it is loaded (from a snapshot), Then every report is there
    assert snapshotting.snapshots is not None and list(snapshotting.snapshots.get(uuid.UUID(pid)))
    assert series(world, pid, iid) == [
        ("2029-01-01", Decimal("22"), True),
        ("2029-04-01", Decimal("35"), False),
        ("2029-07-01", Decimal("51"), False),
    ]


def test_a_snapshot_from_before_reports_is_completed_from_the_stream(world: World) -> None:
    # Given two quarters reported, and a snapshot as the code before periods took it:
    # class version 2, each indicator with its last figure and no reports
    pid = world.in_force()
    iid = indicator(world, pid)
    report(world, pid, iid, "20", Q1)
    report(world, pid, iid, "35", Q2)
    full = series(world, pid, iid)
    old = world.app.repository.get(uuid.UUID(pid))
    old.indicators[iid] = replace(old.indicators[iid], reports=())
    snapshot = type(old).Snapshot.take(old)
    snapshot.state["class_version"] = 2
    del snapshot.state["reports_unplaced"]
    assert world.app.snapshots is not None
    world.app.snapshots.put([snapshot])
    # And a third quarter reported after it
    report(world, pid, iid, "51", Q3)
    # When the partnership is loaded (from that snapshot), Then its series is complete
    assert series(world, pid, iid) == [*full, ("2029-07-01", Decimal("51"), False)]
    assert world.partnership_of(pid).indicators[iid].actual == Decimal("51")
