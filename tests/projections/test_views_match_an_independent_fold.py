"""After `collab demo`, every view holds exactly what the stored events say (issue 3).

The expectation is folded in the test from the raw stored JSON (`fold.py`, `expected.py`),
never by the projection's own code nor by the domain aggregates.
"""

from __future__ import annotations

from typing import Any

import pytest

from api.demo import run_demo
from collab.application import Actor, Collab
from projections.readside import ReadSide
from projections.views import field_history, history, partnership_view
from tests.application.timeflow import later, process_due
from tests.projections.expected import expected_view
from tests.projections.fold import PartnershipFold, Raw, raw_events
from tests.projections.scenario import drive, enrich
from tests.projections.support import assert_same, partnership_ids

META = ("actor", "on_behalf_of", "mandate", "reason", "recorded_at", "effective_date")


def partnerships(raws: list[Raw]) -> list[str]:
    return [e.stream for e in raws if e.name == "Initiated" and e.kind == "Partnership"]


@pytest.fixture
def demo(app: Collab, read: ReadSide) -> list[Raw]:
    """Given `collab demo` and a few more commands, and the read side caught up."""
    run_demo(app)
    raws = raw_events(app)
    pid, other = partnerships(raws)[:2]  # Mértola and its replica (a third adapts)
    # The cooperative gave 60 days' notice: on its exit date the processor records the exit
    later(app, 60)
    assert [o.result["kind"] for o in process_due(app, pid)] == ["exit"]
    broker = next(e.data["broker_id"] for e in raws if e.stream == pid)
    enrich(app, Actor(broker, "broker"), pid, other)
    read.catch_up()
    return raw_events(app)


def test_every_partnership_view_equals_the_independent_fold(
    read: ReadSide, demo: list[Raw]
) -> None:
    assert_views_equal_the_fold(read, demo)


def assert_views_equal_the_fold(read: ReadSide, raws: list[Raw]) -> None:
    pids = sorted(partnerships(raws))
    # When every partnership view is read, Then there is one per partnership in the log
    assert partnership_ids(read) == pids and len(pids) >= 2
    with read.reader() as conn:
        for pid in pids:
            # And each holds, field by field, what the independent fold says
            assert_same(partnership_view(conn, read.tables, pid), expected_view(pid, raws), pid)


def test_views_equal_the_fold_after_a_longer_life_in_small_batches(
    app: Collab, read: ReadSide
) -> None:
    # Given a rejected amendment, a suspension and a resumption besides the demo's life
    drive(app)
    # And a read side that followed it in batches of 7
    read.follower.batch = 7
    read.catch_up()
    raws = raw_events(app)
    assert {"AmendmentRejected", "Suspended", "Resumed"} <= {e.name for e in raws}
    assert_views_equal_the_fold(read, raws)


def test_the_demo_reaches_every_part_of_the_view(read: ReadSide, demo: list[Raw]) -> None:
    # Then the scenario is rich enough for the comparison above to mean something
    first, second = partnerships(demo)[:2]
    with read.reader() as conn:
        view = partnership_view(conn, read.tables, first)
        lineage = partnership_view(conn, read.tables, second)
    statuses = {c["status"] for m in view["members"] for c in m["commitments"]}
    assert {"fulfilled", "in_delivery", "confirmed", "released"} <= statuses
    assert {m["status"] for m in view["members"]} == {"active", "withdrawn"}
    assert [v["status"] for v in view["versions"]] == ["superseded", "in_force"]
    assert len(view["signatures"]) == 12 and len(view["brokers"]) == 2
    assert len(view["milestones"]) == 2 and any(i["actual"] for i in view["indicators"])
    assert [r["relation"] for r in view["related"]] == ["replicated_by"]
    assert [r["relation"] for r in lineage["related"]] == ["replicates", "scales"]


def test_history_has_every_event_of_the_partnership_and_its_commitments(
    read: ReadSide, demo: list[Raw]
) -> None:
    pid = partnerships(demo)[0]
    # (its commitments' streams and its practices' streams are its own)
    streams = {pid} | {
        e.stream
        for e in demo
        if e.name in ("Pledged", "Published") and e.data["partnership_id"] == pid
    }
    expected = [e for e in demo if e.stream in streams]
    # When the partnership's history is read
    with read.reader() as conn:
        entries = history(conn, read.tables, partnership_id=pid)
    # Then it has one entry per event of its streams, in log order
    assert [h["position"] for h in entries] == [e.position for e in expected]
    for h, e in zip(entries, expected, strict=True):
        where = f"position {e.position}"
        assert (h["stream_id"], h["stream_version"]) == (e.stream, e.version), where
        assert h["event_type"] == e.name and h["partnership_id"] == pid, where
        # And who, for whom, under which mandate, when, and for when come from the envelope
        assert {k: h[k] for k in META} == {k: e.data["meta"][k] for k in META}, where
        corrects: dict[str, Any] = e.data.get("corrects") or {}
        assert h["corrects_stream"] == corrects.get("stream"), where
        assert h["corrects_version"] == corrects.get("version"), where
    # And the corrections name the entry they correct, which is still there
    corrections = [h for h in entries if h["event_type"].endswith("Corrected")]
    assert {h["event_type"] for h in corrections} == {
        "DeliveryCorrected",
        "DetailsCorrected",
        "ResultCorrected",
    }
    for c in corrections:
        corrected = [h for h in entries if h["stream_id"] == c["corrects_stream"]]
        assert c["corrects_version"] in [h["stream_version"] for h in corrected]


def successive(raws: list[Raw], pid: str, field: str) -> list[tuple[Any, int, str]]:
    """Each change of a field: (value, position, event), from the independent fold."""
    fold = PartnershipFold()
    changes: list[tuple[Any, int, str]] = []
    for e in raws:
        if e.stream == pid:
            fold.apply(e)
            value = fold.p[field]
            if not changes or changes[-1][0] != value:
                changes.append((value, e.position, e.name))
    return changes


@pytest.mark.parametrize("field", ["status", "title", "in_force"])
def test_field_history_shows_each_successive_value(
    read: ReadSide, demo: list[Raw], field: str
) -> None:
    pid = partnerships(demo)[0]
    # When the per-field history of the partnership is read
    with read.reader() as conn:
        versions = field_history(conn, read.tables, pid)[field]
    # Then it lists the field's successive values with the event that set each
    got = [(v["value"], v["position"], v["event_type"]) for v in versions]
    assert got == successive(demo, pid, field)
    if field == "status":
        assert [v for v, _p, _e in got] == [
            "scoping",
            "negotiating",
            "awaiting_signatures",
            "active",
            "in_modification",
            "active",
            "moving_on",
        ]
