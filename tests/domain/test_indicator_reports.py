"""Indicators report per period (issue 15 part 5; DESIGN §2 "actuals reported per period,
never overwritten"; invariant 6): Given events, When a report or a correction, Then the
events recorded, or a refusal that records nothing. The aggregate keeps a constant-size
trace per indicator (the end of the latest period and that report's number)."""

from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal
from typing import Any

from collab.domain.envelope import Envelope
from collab.domain.errors import ForbiddenError, InvalidInputError, RuleViolationError
from collab.domain.partnership import Partnership
from collab.domain.partnership_values import record
from collab.domain.terms import Period
from tests.domain.test_partnership import (
    PID,
    A,
    B,
    C,
    Event,
    agreed,
    broker,
    given,
    meta,
    partner,
    refused,
    then,
)

INDICATOR = {
    "indicator_id": "i1",
    "kind": "output",
    "name": "Visits",
    "unit": "visit",
    "baseline": Decimal("0"),
    "target": Decimal("120"),
}

LATE = "2035-01-01"  # reports are recorded once their periods have ended


def indicator_set(indicator_id: str = "i1") -> Event:
    return "IndicatorSet", {"indicator": {**INDICATOR, "indicator_id": indicator_id}}


def quarter(n: int) -> Period:
    starts, ends = ("01-01", "04-01", "07-01", "10-01"), ("03-31", "06-30", "09-30", "12-31")
    return Period(start=f"2027-{starts[n - 1]}", end=f"2027-{ends[n - 1]}")


def reported(actual: str, period: Period, as_of: str | None = None) -> Event:
    return "ResultReportedForPeriod", {
        "indicator_id": "i1",
        "actual": Decimal(actual),
        "as_of": as_of or period["end"],
        "period": period,
    }


def legacy(actual: str, as_of: str, indicator_id: str = "i1") -> Event:
    """A report as recorded before periods: a figure as of a day."""
    return "ResultReported", {
        "indicator_id": indicator_id,
        "actual": Decimal(actual),
        "as_of": as_of,
    }


def why(reason: str | None = "miscounted") -> Envelope:
    return {**meta(LATE), "reason": reason}  # type: ignore[typeddict-item]


def planned(*events: Event) -> Partnership:
    """P in force with members A (lead) and B and indicator i1, then `events`."""
    story = (*agreed(A, B), indicator_set(), *events)
    p = given(*story)
    GIVEN[id(p)] = story
    return p


GIVEN: dict[int, tuple[Event, ...]] = {}
BASE = len(agreed(A, B)) + 1  # the version of the IndicatorSet event


# -- reporting ---------------------------------------------------------------------------


def test_a_report_names_its_period_and_the_indicator_shows_the_latest_figure() -> None:
    p = planned()
    number = p.report_result("i1", Decimal("30"), "2027-04-02", partner(B), meta(LATE), quarter(1))
    [event] = p.collect_events()
    assert type(event).__name__ == "ResultReportedForPeriod"
    assert (event.period, event.as_of, event.actual) == (  # type: ignore[attr-defined]
        quarter(1),
        "2027-04-02",
        Decimal("30"),
    )
    assert number == event.originator_version == BASE + 1
    i = p.indicators["i1"]
    assert (i.actual, i.actual_as_of, i.reported_until, i.latest_report) == (
        Decimal("30"),
        "2027-04-02",
        "2027-03-31",
        number,
    )


def test_without_a_period_a_report_is_for_the_day_it_was_measured() -> None:
    p = planned()
    p.report_result("i1", Decimal("3"), "2027-05-31", broker(), meta(LATE))
    [event] = p.collect_events()
    assert event.period == {"start": "2027-05-31", "end": "2027-05-31"}  # type: ignore[attr-defined]


def test_three_quarters_reported_in_order_each_kept_as_its_own_event() -> None:
    p = planned(reported("30", quarter(1)), reported("41", quarter(2)))
    p.report_result("i1", Decimal("52"), "2027-09-30", partner(A), meta(LATE), quarter(3))
    assert then(p) == ["ResultReportedForPeriod"]
    assert (p.indicators["i1"].actual, p.indicators["i1"].reported_until) == (
        Decimal("52"),
        "2027-09-30",
    )


def test_a_period_overlapping_one_reported_is_refused() -> None:
    p = planned(reported("30", quarter(1)), reported("41", quarter(2)))
    for period in (quarter(2), quarter(1), Period(start="2027-06-30", end="2027-07-31")):
        message = refused(
            p,
            RuleViolationError,
            lambda x=period: p.report_result(  # type: ignore[misc]
                "i1", Decimal("1"), "2027-08-01", broker(), meta(LATE), x
            ),
        )
        assert "reported until 2027-06-30" in message


def test_a_figure_measured_before_its_period_begins_is_refused() -> None:
    p = planned()
    message = refused(
        p,
        RuleViolationError,
        lambda: p.report_result("i1", Decimal("1"), "2026-12-31", broker(), meta(LATE), quarter(1)),
    )
    assert "on or after its period's start" in message


def test_only_reporters_report_and_only_on_known_indicators() -> None:
    p = planned()
    refused(
        p,
        ForbiddenError,
        lambda: p.report_result("i1", Decimal("1"), "2027-01-01", partner(C), meta(LATE)),
    )
    refused(
        p,
        RuleViolationError,
        lambda: p.report_result("nope", Decimal("1"), "2027-01-01", broker(), meta(LATE)),
    )


def test_each_indicator_has_its_own_series() -> None:
    p = planned(indicator_set("i2"), reported("30", quarter(2)))
    p.report_result("i2", Decimal("5"), "2027-03-31", broker(), meta(LATE), quarter(1))
    assert then(p) == ["ResultReportedForPeriod"]


def test_re_setting_an_indicator_keeps_what_its_reports_left() -> None:
    p = planned(
        reported("30", quarter(1)),
        ("IndicatorSet", {"indicator": {**INDICATOR, "target": Decimal("99")}}),
    )
    i = p.indicators["i1"]
    assert (i.target, i.actual, i.reported_until, i.latest_report) == (
        Decimal("99"),
        Decimal("30"),
        "2027-03-31",
        BASE + 1,
    )


def test_the_aggregate_keeps_a_constant_size_however_many_periods_are_reported() -> None:
    p = planned()
    sizes = []
    for day in range(1, 301):
        start = f"2027-{1 + (day - 1) // 28 % 12:02d}-{1 + (day - 1) % 28:02d}"
        end = start
        if day > 28 * 12:
            break
        p.report_result("i1", Decimal(day), end, broker(), meta(LATE), Period(start=start, end=end))
        sizes.append(len(json.dumps(record(p.indicators["i1"]), default=str)))
    assert max(sizes) - min(sizes) <= 6  # digits of the figure and the report number only


# -- correcting ----------------------------------------------------------------------------


def test_a_correction_names_the_report_and_both_stay_in_history() -> None:
    p = planned(reported("30", quarter(1)), reported("41", quarter(2)))
    first = BASE + 1
    p.correct_result("i1", first, stored(p, first), Decimal("33"), partner(A), why())
    [event] = p.collect_events()
    assert type(event).__name__ == "ResultCorrected"
    assert (event.report, event.actual, event.corrects) == (  # type: ignore[attr-defined]
        first,
        Decimal("33"),
        {"stream": str(PID), "version": first},
    )
    # The latest figure is quarter 2's, untouched by a correction of quarter 1
    assert p.indicators["i1"].actual == Decimal("41")


def test_correcting_the_latest_report_changes_the_figure_shown() -> None:
    p = planned(reported("30", quarter(1)), reported("41", quarter(2)))
    latest = BASE + 2
    p.correct_result("i1", latest, stored(p, latest), Decimal("40"), broker(), why())
    assert (p.indicators["i1"].actual, p.indicators["i1"].actual_as_of) == (
        Decimal("40"),
        "2027-06-30",
    )


def test_a_correction_must_name_a_report_of_that_indicator_and_say_why() -> None:
    p = planned(indicator_set("i2"), reported("30", quarter(1)))
    report = BASE + 2
    for number, event in ((BASE, stored(p, BASE)), (99, None), (BASE + 1, stored(p, BASE + 1))):
        message = refused(
            p,
            RuleViolationError,
            lambda n=number, e=event: p.correct_result("i1", n, e, Decimal("1"), broker(), why()),  # type: ignore[misc]
        )
        assert f"no report {number}" in message
    refused(
        p,
        RuleViolationError,
        lambda: p.correct_result("i2", report, stored(p, report), Decimal("1"), broker(), why()),
    )
    refused(
        p,
        InvalidInputError,
        lambda: p.correct_result(
            "i1", report, stored(p, report), Decimal("1"), broker(), why(None)
        ),
    )
    refused(
        p,
        ForbiddenError,
        lambda: p.correct_result("i1", report, stored(p, report), Decimal("1"), partner(C), why()),
    )


# -- reports recorded before periods (stored meaning kept) -----------------------------------


def test_a_report_recorded_before_periods_replays_as_a_report_of_its_single_day() -> None:
    p = planned(legacy("7", "2027-05-31"), legacy("5", "2027-04-30"))
    i = p.indicators["i1"]
    # The figure shown is the last recorded, as before; the periods reach the latest day
    assert (i.actual, i.actual_as_of, i.reported_until, i.latest_report) == (
        Decimal("5"),
        "2027-04-30",
        "2027-05-31",
        BASE + 2,
    )
    refused(
        p,
        RuleViolationError,
        lambda: p.report_result("i1", Decimal("1"), "2027-05-31", broker(), meta(LATE), quarter(2)),
    )
    p.report_result(
        "i1",
        Decimal("9"),
        "2027-06-30",
        broker(),
        meta(LATE),
        Period(start="2027-06-01", end="2027-06-30"),
    )
    first = BASE + 1
    p.correct_result("i1", first, stored(p, first), Decimal("8"), broker(), why())
    assert then(p) == ["ResultReportedForPeriod", "ResultCorrected"]


def test_state_from_a_snapshot_older_than_periods_is_told_apart() -> None:
    events = (*agreed(A, B), indicator_set(), legacy("7", "2027-05-31"))
    p = given(*events)
    assert not p.unplaced_reports()
    # As a snapshot from before reports kept their period restores it: the repository
    # then folds the stream instead (tests/application/test_indicator_reports.py)
    p.indicators["i1"] = replace(p.indicators["i1"], reported_until=None, latest_report=None)
    assert p.unplaced_reports()


def stored(p: Partnership, version: int) -> Any:
    """The stream's event number `version`, as the handler reads it from the store."""
    story = GIVEN[id(p)]
    return replayed(*story)[version - 1] if version <= len(story) else None


def replayed(*events: Event) -> list[Any]:
    """Events as stored in a stream (what `given` folds)."""
    out = []
    for version, (name, fields) in enumerate(events, start=1):
        cls = getattr(Partnership, name)
        out.append(
            cls(
                originator_id=PID,
                originator_version=version,
                timestamp=cls.create_timestamp(),
                meta=meta(LATE),
                **fields,
                **({"originator_topic": "x"} if name == "Initiated" else {}),
            )
        )
    return out


def test_a_period_not_yet_over_is_refused_so_a_future_one_cannot_block_the_indicator() -> None:
    p = planned()
    today = meta("2027-06-01")
    for period, as_of in (
        (Period(start="2027-04-01", end="2027-06-30"), "2027-06-01"),  # the running quarter
        (Period(start="2300-01-01", end="2300-03-31"), "2300-03-31"),  # far ahead
    ):
        message = refused(
            p,
            RuleViolationError,
            lambda x=period, y=as_of: p.report_result(  # type: ignore[misc]
                "i1", Decimal("1"), y, broker(), today, x
            ),
        )
        assert "once it has ended" in message
    p.report_result("i1", Decimal("1"), "2027-03-31", broker(), today, quarter(1))
    assert then(p) == ["ResultReportedForPeriod"]
