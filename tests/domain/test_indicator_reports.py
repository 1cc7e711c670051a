"""Indicators with reporting periods (issue 15, part 5): Given events, When a report or a
correction, Then the events recorded and the series kept (or a refusal that records
nothing); and a result reported before periods existed, read back as a one-day report."""

from __future__ import annotations

import json
import uuid
from dataclasses import replace
from decimal import Decimal
from typing import Any

from eventsourcing.persistence import JSONTranscoder, Mapper, StoredEvent, Transcoder

from collab.application import Collab
from collab.domain.errors import ForbiddenError, RuleViolationError
from collab.domain.partnership import Partnership, legacy_report_id
from collab.domain.terms import Period
from tests.domain.test_partnership import PID, A, B, Event, agreed, given, meta, partner, refused

VISITS = {
    "indicator_id": "i1",
    "kind": "output",
    "name": "Visits",
    "unit": "visit",
    "baseline": Decimal("0"),
    "target": Decimal("100"),
}
Q1 = Period(start="2027-01-01", end="2027-03-31")
Q2 = Period(start="2027-04-01", end="2027-06-30")
Q3 = Period(start="2027-07-01", end="2027-09-30")


def indicator_set() -> Event:
    return "IndicatorSet", {"indicator": VISITS}


def reported(report_id: str, period: Period, actual: str, as_of: str) -> Event:
    fields = {"indicator_id": "i1", "actual": Decimal(actual), "as_of": as_of}
    return "ResultReported", {**fields, "report_id": report_id, "period": period}


def corrected(report_id: str, actual: str) -> Event:
    return "ResultCorrected", {
        "indicator_id": "i1",
        "report_id": report_id,
        "actual": Decimal(actual),
        "corrects": {"stream": str(PID), "version": 0},
    }


def series(p: Partnership) -> list[tuple[str, str, Decimal, bool]]:
    return [
        (r.period_start, r.period_end, r.actual, r.corrected) for r in p.indicators["i1"].reports
    ]


def test_a_report_per_period_is_kept_beside_the_earlier_ones() -> None:
    # Given visits reported for the first quarter
    p = given(*agreed(A, B), indicator_set(), reported("r1", Q1, "20", "2027-04-02"))
    # When a member reports the second quarter
    report_id = p.report_result("i1", Decimal("35"), "2027-07-03", Q2, partner(B), meta())
    # Then one ResultReported names a new report and its period
    [event] = p.collect_events()
    assert type(event).__name__ == "ResultReported"
    assert (event.report_id, event.period, event.as_of) == (report_id, Q2, "2027-07-03")  # type: ignore[attr-defined]
    # And both quarters are kept, in period order; the indicator shows the latest
    assert series(p) == [
        ("2027-01-01", "2027-03-31", Decimal("20"), False),
        ("2027-04-01", "2027-06-30", Decimal("35"), False),
    ]
    assert (p.indicators["i1"].actual, p.indicators["i1"].actual_as_of) == (
        Decimal("35"),
        "2027-07-03",
    )


def test_a_late_report_of_an_earlier_period_leaves_the_latest_figure_shown() -> None:
    p = given(*agreed(A, B), indicator_set(), reported("r2", Q2, "35", "2027-07-03"))
    p.report_result("i1", Decimal("20"), "2027-08-01", Q1, partner(B), meta())
    assert [r.period_start for r in p.indicators["i1"].reports] == ["2027-01-01", "2027-04-01"]
    assert p.indicators["i1"].actual == Decimal("35")


def test_a_period_already_reported_is_corrected_not_reported_again() -> None:
    p = given(*agreed(A, B), indicator_set(), reported("r1", Q1, "20", "2027-04-02"))
    # When a period overlapping the first quarter is reported, Then it is refused
    overlapping = Period(start="2027-03-01", end="2027-05-31")
    for period in (Q1, overlapping, Period(start="2027-03-31", end="2027-03-31")):
        why = refused(
            p,
            RuleViolationError,
            lambda period=period: p.report_result(  # type: ignore[misc]
                "i1", Decimal("1"), "2027-06-01", period, partner(B), meta()
            ),
        )
        assert "r1" in why and "correct it" in why
    assert series(p) == [("2027-01-01", "2027-03-31", Decimal("20"), False)]


def test_a_correction_names_the_report_and_changes_its_figure_only() -> None:
    p = given(
        *agreed(A, B),
        indicator_set(),
        reported("r1", Q1, "20", "2027-04-02"),
        reported("r2", Q2, "35", "2027-07-03"),
    )
    # When the lead corrects the first quarter
    p.correct_result("i1", "r1", Decimal("22"), partner(A), meta())
    # Then one ResultCorrected names that report
    [event] = p.collect_events()
    assert type(event).__name__ == "ResultCorrected"
    assert (event.report_id, event.actual) == ("r1", Decimal("22"))  # type: ignore[attr-defined]
    # And, as every correction, the event it corrects: the report's (invariant 6)
    assert event.corrects == {"stream": str(PID), "version": p.version - 2}  # type: ignore[attr-defined]
    # And the report keeps its period and date, marked corrected; the latest is unchanged
    assert series(p) == [
        ("2027-01-01", "2027-03-31", Decimal("22"), True),
        ("2027-04-01", "2027-06-30", Decimal("35"), False),
    ]
    assert p.indicators["i1"].actual == Decimal("35")


def test_correcting_the_latest_period_changes_the_figure_shown() -> None:
    p = given(*agreed(A, B), indicator_set(), reported("r1", Q1, "20", "2027-04-02"))
    p.correct_result("i1", "r1", Decimal("19.5"), partner(B), meta())
    assert p.indicators["i1"].actual == Decimal("19.5")


def test_a_correction_of_an_unknown_report_or_the_same_figure_is_refused() -> None:
    p = given(*agreed(A, B), indicator_set(), reported("r1", Q1, "20", "2027-04-02"))
    why = refused(
        p,
        RuleViolationError,
        lambda: p.correct_result("i1", "r9", Decimal("3"), partner(B), meta()),
    )
    assert "no such report" in why
    refused(
        p,
        RuleViolationError,
        lambda: p.correct_result("i9", "r1", Decimal("3"), partner(B), meta()),
    )
    refused(
        p,
        RuleViolationError,
        lambda: p.correct_result("i1", "r1", Decimal("20.0"), partner(B), meta()),
    )


def test_only_a_reporter_corrects() -> None:
    p = given(*agreed(A, B), indicator_set(), reported("r1", Q1, "20", "2027-04-02"))
    stranger = partner(str(uuid.uuid4()))
    refused(
        p,
        ForbiddenError,
        lambda: p.correct_result("i1", "r1", Decimal("3"), stranger, meta()),
    )


def test_a_replay_with_corrections_gives_the_same_series() -> None:
    p = given(
        *agreed(A, B),
        indicator_set(),
        reported("r1", Q1, "20", "2027-04-02"),
        reported("r2", Q2, "35", "2027-07-03"),
        reported("r3", Q3, "51", "2027-10-02"),
        corrected("r2", "33"),
    )
    assert series(p) == [
        ("2027-01-01", "2027-03-31", Decimal("20"), False),
        ("2027-04-01", "2027-06-30", Decimal("33"), True),
        ("2027-07-01", "2027-09-30", Decimal("51"), False),
    ]


# -- a result stored before periods existed (ResultReported version 1) ---------------------


def transcoder() -> Transcoder:
    t = JSONTranscoder()
    Collab.register_transcodings(Collab.__new__(Collab), t)
    return t


def stored_v1(version: int, actual: str, as_of: str) -> StoredEvent:
    """A version-1 ResultReported, as the store holds it (no class_version, no period)."""
    state: dict[str, Any] = {
        "timestamp": {"_type_": "datetime_iso", "_data_": "2027-06-01T10:00:00+00:00"},
        "indicator_id": "i1",
        "actual": {"_type_": "decimal_str", "_data_": actual},
        "as_of": as_of,
        "meta": meta(),
    }
    topic = "collab.domain.partnership.plans:PartnershipPlans.ResultReported"
    return StoredEvent(PID, version, topic, json.dumps(state).encode())


def test_a_version_1_result_reads_back_as_a_report_of_its_day() -> None:
    mapper: Mapper[uuid.UUID] = Mapper(transcoder=transcoder())
    event: Any = mapper.to_domain_event(stored_v1(9, "7", "2026-05-31"))
    assert type(event) is Partnership.ResultReported
    assert event.period == {"start": "2026-05-31", "end": "2026-05-31"}
    assert event.report_id == legacy_report_id("i1", "2026-05-31")
    # And the id is the same every time it is read (derived from the event's own fields)
    again: Any = mapper.to_domain_event(stored_v1(9, "7", "2026-05-31"))
    assert again.report_id == event.report_id and uuid.UUID(event.report_id).version == 5


def test_version_1_results_fold_as_they_did_the_same_day_again_standing_in_place() -> None:
    mapper: Mapper[uuid.UUID] = Mapper(transcoder=transcoder())
    p = given(*agreed(A, B), indicator_set())
    for actual, day in (("5", "2026-04-30"), ("7", "2026-05-31"), ("8", "2026-05-31")):
        e: Any = mapper.to_domain_event(stored_v1(p.version + 1, actual, day))
        e.mutate(p)
    assert series(p) == [
        ("2026-04-30", "2026-04-30", Decimal("5"), False),
        ("2026-05-31", "2026-05-31", Decimal("8"), False),
    ]
    assert (p.indicators["i1"].actual, p.indicators["i1"].actual_as_of) == (
        Decimal("8"),
        "2026-05-31",
    )


def test_a_snapshot_from_before_reports_is_completed_from_the_streams_events() -> None:
    # Given a partnership folded with two quarters reported
    events = [
        *agreed(A, B),
        indicator_set(),
        reported("r1", Q1, "20", "2027-04-02"),
        reported("r2", Q2, "35", "2027-07-03"),
    ]
    full = given(*events)
    # And its state as an older snapshot held it: the last figure, no reports
    older = given(*events)
    older.indicators["i1"] = replace(older.indicators["i1"], reports=())
    state: dict[str, Any] = {"indicators": older.indicators}
    Partnership.upcast_v2_v3(state)
    older.reports_unplaced = state["reports_unplaced"]
    # When it is completed from its stream's events (as the repository does)
    assert older.unplaced_exits()
    older.place_exits(stream_events(events))
    # Then it holds the series a fold from the events gives
    assert older.indicators == full.indicators and not older.unplaced_exits()


def stream_events(events: list[Event]) -> list[Any]:
    """The domain events of a stream made of `events`, as the event store gives them."""
    out = []
    for version, (name, fields) in enumerate(events, start=1):
        cls = getattr(Partnership, name)
        extra = {"originator_topic": "x"} if name == "Initiated" else {}
        out.append(
            cls(
                originator_id=PID,
                originator_version=version,
                timestamp=cls.create_timestamp(),
                meta=meta(),
                **fields,
                **extra,
            )
        )
    return out
