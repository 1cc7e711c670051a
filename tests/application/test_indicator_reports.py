"""Indicators' reports through the application service, on memory, SQLite and PostgreSQL
(issue 15 part 5): reports per period never overwritten, corrections naming a report,
the order rule kept under concurrency, and reports stored before periods still served."""

from __future__ import annotations

import uuid
from dataclasses import replace
from decimal import Decimal

import pytest
from eventsourcing.persistence import IntegrityError

from collab.domain.envelope import Acting, make_envelope
from collab.domain.errors import InvalidInputError, RuleViolationError
from collab.domain.partnership import Partnership
from collab.governance.commands import SetIndicator
from collab.indicators.commands import CorrectReport, ReportIndicator
from tests.application.world import World

Q = {
    1: {"start": "2029-01-01", "end": "2029-03-31"},
    2: {"start": "2029-04-01", "end": "2029-06-30"},
    3: {"start": "2029-07-01", "end": "2029-09-30"},
}


def planned(world: World) -> tuple[str, str]:
    pid = world.in_force()
    out = world.app.execute(
        world.as_broker(),
        SetIndicator(pid, kind="outcome", name="Isolation", unit="score", baseline="7", target="5"),
    )
    return pid, str(out.result["indicator_id"])


def test_three_quarters_and_a_correction_each_an_event_none_overwritten(world: World) -> None:
    # Given an indicator of a partnership in force
    pid, iid = planned(world)
    # When three quarters are reported by members and the broker
    numbers = [
        world.app.execute(world.as_(key), ReportIndicator(pid, iid, Q[n], actual=f"6.{n}")).result[
            "report"
        ]
        for n, key in ((1, "a"), (2, "b"), (3, "c"))
    ]
    # And the first is corrected, stating why
    world.app.execute(
        world.as_broker(reason="the survey's first wave was miscoded"),
        CorrectReport(pid, iid, numbers[0], actual="6.15"),
    )
    # Then each is its own event in the stream, the correction last
    assert world.events(pid)[-4:] == [
        "ResultReportedForPeriod",
        "ResultReportedForPeriod",
        "ResultReportedForPeriod",
        "ResultCorrected",
    ]
    stored = list(world.app.events.get(uuid.UUID(pid), gt=numbers[0] - 1, lte=numbers[0]))
    assert stored[0].actual == Decimal("6.1")  # the first report, as reported: kept
    # And the aggregate keeps the latest period and figure only
    i = world.partnership_of(pid).indicators[iid]
    assert (i.actual, i.reported_until, i.latest_report) == (
        Decimal("6.3"),
        "2029-09-30",
        numbers[2],
    )


def test_an_overlapping_period_is_refused_and_records_nothing(world: World) -> None:
    pid, iid = planned(world)
    world.app.execute(world.as_("b"), ReportIndicator(pid, iid, Q[2], actual="6"))
    for period in (Q[1], Q[2], {"start": "2029-06-30", "end": "2029-12-31"}):
        world.refused(
            RuleViolationError,
            lambda p=period: world.app.execute(  # type: ignore[misc]
                world.as_("b"), ReportIndicator(pid, iid, p, actual="1")
            ),
        )


def test_a_correction_without_a_reason_or_of_no_report_is_refused(world: World) -> None:
    pid, iid = planned(world)
    n = world.app.execute(world.as_("a"), ReportIndicator(pid, iid, Q[1], actual="6")).result[
        "report"
    ]
    fix = world.runs(CorrectReport)
    world.refused(InvalidInputError, lambda: fix(world.as_("a"), pid, iid, n, actual="5"))
    for other in (n - 1, n + 50):
        world.refused(
            RuleViolationError,
            lambda o=other: fix(world.as_("a", reason="x"), pid, iid, o, actual="5"),  # type: ignore[misc]
        )


def test_two_writers_of_one_period_cannot_both_save(world: World) -> None:
    # Given two copies of the partnership loaded at the same version
    pid, iid = planned(world)
    first: Partnership = world.app.repository.get(uuid.UUID(pid))
    second: Partnership = world.app.repository.get(uuid.UUID(pid))
    broker = Acting(world.broker, None)
    meta = make_envelope(
        broker, recorded_at=world.app.clock(), effective_date=None, reason=None, correlation_id="c"
    )
    # When both report the same quarter, each passing its own check
    first.report_result(iid, Decimal("1"), "2029-03-31", broker, meta, Q[1])  # type: ignore[arg-type]
    second.report_result(iid, Decimal("2"), "2029-03-31", broker, meta, Q[1])  # type: ignore[arg-type]
    # Then only the first is saved: the order rule holds at commit (the executor retries
    # the second command on the new version, where the rule refuses it)
    world.app.save(first)
    with pytest.raises(IntegrityError):
        world.app.save(second)
    assert world.partnership_of(pid).indicators[iid].actual == Decimal("1")


def test_a_report_stored_before_periods_is_served_ordered_and_corrected(world: World) -> None:
    # Given a figure stored as reports were before periods (a day's figure, as_of)
    pid, iid = planned(world)
    p: Partnership = world.app.repository.get(uuid.UUID(pid))
    broker = Acting(world.broker, None)
    meta = make_envelope(
        broker, recorded_at=world.app.clock(), effective_date=None, reason=None, correlation_id="c"
    )
    p._result_reported(iid, Decimal("6.5"), "2029-05-31", meta)
    world.app.save(p)
    old = p.version
    assert world.events(pid)[-1] == "ResultReported"
    # Then a period reaching that day is refused; one after it is reported
    world.refused(
        RuleViolationError,
        lambda: world.app.execute(world.as_("a"), ReportIndicator(pid, iid, Q[2], actual="1")),
    )
    world.app.execute(world.as_("a"), ReportIndicator(pid, iid, Q[3], actual="6.2"))
    # And the old report is corrected by its number like any other
    world.app.execute(world.as_("a", reason="typo"), CorrectReport(pid, iid, old, actual="6.4"))
    assert world.events(pid)[-1] == "ResultCorrected"


def test_a_snapshot_older_than_periods_is_completed_from_the_stream_on_load(
    world: World,
) -> None:
    # Given a figure stored before periods, and a snapshot taken as code of that time did:
    # the indicator's figure without its period
    pid, iid = planned(world)
    p: Partnership = world.app.repository.get(uuid.UUID(pid))
    broker = Acting(world.broker, None)
    meta = make_envelope(
        broker, recorded_at=world.app.clock(), effective_date=None, reason=None, correlation_id="c"
    )
    p._result_reported(iid, Decimal("6.5"), "2029-05-31", meta)
    world.app.save(p)
    p.indicators[iid] = replace(p.indicators[iid], reported_until=None, latest_report=None)
    snapshots = world.app.snapshots
    assert snapshots is not None
    snapshots.put([Partnership.Snapshot.take(p)])
    # When it is loaded, Then the period is placed from the stream's own events
    loaded = world.app.repository.get(uuid.UUID(pid))
    assert loaded.indicators[iid].reported_until == "2029-05-31"
    # And a period reaching that day is refused
    world.refused(
        RuleViolationError,
        lambda: world.app.execute(world.as_("a"), ReportIndicator(pid, iid, Q[2], actual="1")),
    )
    # And a correction recorded after that snapshot is folded in too: the figure shown is
    # the corrected one, however the aggregate is loaded
    fix = CorrectReport(pid, iid, p.version, actual="6.6")
    world.app.execute(world.as_("a", reason="typo"), fix)
    again = world.app.repository.get(uuid.UUID(pid))
    assert (again.indicators[iid].actual, again.indicators[iid].latest_report) == (
        Decimal("6.6"),
        p.version,
    )
