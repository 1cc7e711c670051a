"""Indicators' reports over HTTP (issue 15 part 5): a figure per period, never overwritten,
a correction naming its report; the live and as-of views show each indicator's series."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient

from collab.indicators.commands import ReportIndicator
from tests.api.conftest import Auth
from tests.api.setup_partnership import Setup, active_partnership, command, outcome

QUARTERS = (
    ("2029-01-01", "2029-03-31"),
    ("2029-04-01", "2029-06-30"),
    ("2029-07-01", "2029-09-30"),
)


@pytest.fixture
def setup(auth: Auth, client: FlaskClient) -> Setup:
    return active_partnership(auth, client)


def new_indicator(setup: Setup) -> str:
    body = {"kind": "output", "name": "Visits", "unit": "visit", "baseline": "0", "target": "120"}
    created = outcome(setup.post(setup.broker, "./indicators", body), 201)
    return str(created["result"]["indicator_id"])


def report(n: int, actual: str, **more: Any) -> dict[str, Any]:
    start, end = QUARTERS[n - 1]
    return {"period": {"start": start, "end": end}, "actual": actual, **more}


def view(setup: Setup, **query: Any) -> dict[str, Any]:
    response = setup.client.get(
        f"/v1{setup.url}/view", query_string=query, headers=setup.broker.headers()
    )
    assert response.status_code == 200, response.json
    body: dict[str, Any] = response.json  # type: ignore[assignment]
    return body


def series(body: dict[str, Any], indicator_id: str) -> list[tuple[Any, ...]]:
    [found] = [i for i in body["indicators"] if i["indicator_id"] == indicator_id]
    return [(r["period_start"], r["actual"], r["as_of"], r["corrected"]) for r in found["series"]]


def test_three_quarters_reported_show_as_a_series_in_the_live_and_as_of_views(
    setup: Setup,
) -> None:
    # Given an indicator
    iid = new_indicator(setup)
    path = f"./indicators/{iid}/reports"
    # When members report three quarters (the second measured after its end)
    first = outcome(setup.post(setup.partners["b"], path, report(1, "30")), 201)
    second = outcome(
        setup.post(setup.partners["a"], path, report(2, "41", as_of="2029-07-05")), 201
    )
    third = outcome(setup.post(setup.broker, path, report(3, "52.5")), 201)
    # Then each is its own event, named by its number
    assert setup.recorded(first) == ["ResultReportedForPeriod"]
    numbers = [o["result"]["report"] for o in (first, second, third)]
    assert numbers == [
        first["result"]["version"],
        second["result"]["version"],
        third["result"]["version"],
    ]
    # And the live view shows the series in period order, the latest figure as the actual
    live = view(setup)
    assert series(live, iid) == [
        ("2029-01-01", "30", "2029-03-31", False),
        ("2029-04-01", "41", "2029-07-05", False),
        ("2029-07-01", "52.5", "2029-09-30", False),
    ]
    [shown] = [i for i in live["indicators"] if i["indicator_id"] == iid]
    assert (shown["actual"], shown["actual_as_of"]) == ("52.5", "2029-09-30")
    assert [r["report"] for r in shown["series"]] == numbers
    # And the view as of the second report shows two periods
    earlier = view(setup, as_of_position=second["position"])
    assert [r[0] for r in series(earlier, iid)] == ["2029-01-01", "2029-04-01"]


def test_a_correction_names_its_report_and_the_views_show_it_corrected(setup: Setup) -> None:
    # Given two quarters reported
    iid = new_indicator(setup)
    path = f"./indicators/{iid}/reports"
    first = outcome(setup.post(setup.partners["b"], path, report(1, "30")), 201)
    outcome(setup.post(setup.partners["b"], path, report(2, "41")), 201)
    number = first["result"]["report"]
    # When the first is corrected, stating why
    body = {"actual": "33", "reason": "two visits counted twice"}
    fixed = outcome(setup.post(setup.broker, f"{path}/{number}/corrections", body), 200)
    # Then a correction is recorded naming the report's event; the report is kept
    assert setup.recorded(fixed) == ["ResultCorrected"]
    assert fixed["result"]["report"] == number
    history = setup.client.get(f"/v1{setup.url}/history", headers=setup.broker.headers()).json
    [entry] = [e for e in history["items"] if e["event_type"] == "ResultCorrected"]  # type: ignore[index]
    assert (entry["corrects_stream"], entry["corrects_version"]) == (setup.partnership_id, number)
    assert series(view(setup), iid)[0] == ("2029-01-01", "33", "2029-03-31", True)
    # And the view as of before the correction shows the figure as first reported
    before = view(setup, as_of_position=fixed["position"] - 1)
    assert series(before, iid)[0] == ("2029-01-01", "30", "2029-03-31", False)
    # And the latest figure (quarter 2's) is untouched
    [shown] = [i for i in view(setup)["indicators"] if i["indicator_id"] == iid]
    assert shown["actual"] == "41"


def test_reports_are_refused_by_rule_authority_and_input_recording_nothing(
    setup: Setup, auth: Auth
) -> None:
    iid = new_indicator(setup)
    path = f"./indicators/{iid}/reports"
    outcome(setup.post(setup.partners["b"], path, report(2, "41")), 201)
    # An overlapping or earlier period: a rule (correct that report instead)
    setup.refused(409, "rule-violation", setup.partners["b"], path, report(2, "40"))
    setup.refused(409, "rule-violation", setup.partners["b"], path, report(1, "30"))
    # A figure measured before its period begins
    setup.refused(409, "rule-violation", setup.broker, path, report(3, "1", as_of="2029-06-30"))
    # An unknown indicator
    setup.refused(
        409,
        "rule-violation",
        setup.broker,
        "./indicators/" + "0" * 8 + "-0000-4000-8000-" + "0" * 12 + "/reports",
        report(3, "1"),
    )
    # Authority: an auditor reads only; a broker of nothing here does not see it
    setup.refused(403, "forbidden", auth.auditor(setup.partnership_id), path, report(3, "1"))
    setup.refused(404, "not-found", auth.actor("broker"), path, report(3, "1"))
    # Input: 422, never a 500
    bad: list[Any] = [
        report(3, 52),
        report(3, "1e3"),
        {"actual": "1"},
        {**report(3, "1"), "period": {"start": "2029-09-30", "end": "2029-07-01"}},
        {**report(3, "1"), "period": {"start": "2029-07-01"}},
        {**report(3, "1"), "period": {"start": "2029-02-30", "end": "2029-09-30"}},
        {**report(3, "1"), "unexpected": True},
        {**report(3, "1"), "as_of": "2029-9-30"},
    ]
    for body in bad:
        setup.refused(422, "invalid-input", setup.broker, path, body)


def test_corrections_are_refused_by_rule_and_input_recording_nothing(setup: Setup) -> None:
    iid, other = new_indicator(setup), new_indicator(setup)
    path = f"./indicators/{iid}/reports"
    number = outcome(setup.post(setup.partners["b"], path, report(1, "30")), 201)["result"][
        "report"
    ]
    body = {"actual": "33", "reason": "miscounted"}
    # A number that names no report of this indicator: another event, another indicator's
    # report, beyond the stream
    for named in (number - 1, 10**6):
        setup.refused(409, "rule-violation", setup.broker, f"{path}/{named}/corrections", body)
    elsewhere = f"./indicators/{other}/reports/{number}/corrections"
    setup.refused(409, "rule-violation", setup.broker, elsewhere, body)
    # A correction states its reason; its figure is a decimal string
    fix = f"{path}/{number}/corrections"
    setup.refused(422, "invalid-input", setup.broker, fix, {"actual": "33"})
    setup.refused(422, "invalid-input", setup.broker, fix, {"actual": 33, "reason": "x"})
    setup.refused(422, "invalid-input", setup.broker, f"{path}/{2**60}/corrections", body)


def test_a_view_shows_the_latest_hundred_periods_and_counts_them_all(setup: Setup) -> None:
    # Given an indicator reported for 105 days in a row
    iid = new_indicator(setup)
    for n in range(105):
        day = (date(2029, 1, 1) + timedelta(days=n)).isoformat()
        period = {"start": day, "end": day}
        ran = setup.app.execute(
            command(setup.broker),
            ReportIndicator(setup.partnership_id, iid, period, actual=str(n)),
        )
    # Then the live view and the view as of the last report show the latest 100, in
    # period order, and say how many there are in all
    for body in (view(setup), view(setup, as_of_position=ran.position)):
        [shown] = [i for i in body["indicators"] if i["indicator_id"] == iid]
        assert shown["reports"] == 105
        assert [r["actual"] for r in shown["series"]] == [str(n) for n in range(5, 105)]
