"""Indicators with reporting periods over HTTP (issue 15, part 5): a figure per period,
never overwritten; a correction names its report; the view (live and as of) shows the
series."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.api.conftest import Auth
from tests.api.setup_partnership import Setup, active_partnership, outcome

Q1 = {"start": "2030-01-01", "end": "2030-03-31"}
Q2 = {"start": "2030-04-01", "end": "2030-06-30"}


@pytest.fixture
def setup(auth: Auth, client: FlaskClient) -> Setup:
    return active_partnership(auth, client)


@pytest.fixture
def indicator_id(setup: Setup) -> str:
    body = {"kind": "output", "name": "Visits", "unit": "visit", "baseline": "0", "target": "90"}
    return str(
        outcome(setup.post(setup.broker, "./indicators", body), 201)["result"]["indicator_id"]
    )


def report(setup: Setup, indicator_id: str, actual: str, as_of: str, **period: Any) -> str:
    body = {"indicator_id": indicator_id, "actual": actual, "as_of": as_of, **period}
    done = outcome(setup.post(setup.partners["b"], "./results", body), 201)
    assert setup.recorded(done) == ["ResultReported"]
    return str(done["result"]["report_id"])


def fix_path(indicator_id: str, report_id: str) -> str:
    return f"./indicators/{indicator_id}/results/{report_id}/corrections"


def view(setup: Setup, **query: Any) -> dict[str, Any]:
    response = setup.client.get(
        f"/v1{setup.url}/view", query_string=query, headers=setup.broker.headers()
    )
    assert response.status_code == 200, response.json
    body: dict[str, Any] = response.json  # type: ignore[assignment]
    return body


def series_of(v: dict[str, Any], indicator_id: str) -> list[tuple[str, str, str, str, bool]]:
    [i] = [i for i in v["indicators"] if i["indicator_id"] == indicator_id]
    return [
        (r["period_start"], r["period_end"], r["actual"], r["as_of"], r["corrected"])
        for r in i["series"]
    ]


def test_each_period_is_reported_once_and_kept(setup: Setup, indicator_id: str) -> None:
    # Given the first quarter reported, then the second
    first = report(setup, indicator_id, "20", "2030-04-02", period=Q1)
    second = report(setup, indicator_id, "35", "2030-07-03", period=Q2)
    # Then both reports are kept, ordered by period; the indicator shows the latest
    assert first != second
    v = view(setup)
    assert series_of(v, indicator_id) == [
        ("2030-01-01", "2030-03-31", "20", "2030-04-02", False),
        ("2030-04-01", "2030-06-30", "35", "2030-07-03", False),
    ]
    [i] = v["indicators"]
    assert (i["actual"], i["actual_as_of"]) == ("35", "2030-07-03")
    assert [r["report_id"] for r in i["series"]] == [first, second]


def test_without_a_period_the_figure_is_for_the_day_as_of(setup: Setup, indicator_id: str) -> None:
    report(setup, indicator_id, "7.25", "2030-05-31")
    assert series_of(view(setup), indicator_id) == [
        ("2030-05-31", "2030-05-31", "7.25", "2030-05-31", False)
    ]


def test_an_overlapping_period_is_409_and_records_nothing(setup: Setup, indicator_id: str) -> None:
    report(setup, indicator_id, "20", "2030-04-02", period=Q1)
    body = {"indicator_id": indicator_id, "actual": "21", "as_of": "2030-04-05"}
    for period in (Q1, {"start": "2030-03-31", "end": "2030-04-30"}):
        setup.refused(
            409, "rule-violation", setup.partners["b"], "./results", {**body, "period": period}
        )
    # (a day inside the quarter, given as as_of without a period, overlaps too)
    setup.refused(
        409, "rule-violation", setup.partners["b"], "./results", {**body, "as_of": "2030-02-01"}
    )


@pytest.mark.parametrize(
    "period",
    [
        {"start": "2030-04-01", "end": "2030-03-31"},
        {"start": "2030-02-30", "end": "2030-03-31"},
        {"start": "2030-01-01"},
        {"start": "2030-01-01", "end": "2030-03-31", "days": 90},
        "2030-Q1",
    ],
)
def test_a_malformed_period_is_422(setup: Setup, indicator_id: str, period: Any) -> None:
    body = {"indicator_id": indicator_id, "actual": "1", "as_of": "2030-04-02", "period": period}
    setup.refused(422, "invalid-input", setup.partners["b"], "./results", body)


def test_a_correction_names_its_report_and_keeps_it(setup: Setup, indicator_id: str) -> None:
    # Given two quarters reported
    first = report(setup, indicator_id, "20", "2030-04-02", period=Q1)
    report(setup, indicator_id, "35", "2030-07-03", period=Q2)
    # When the lead corrects the first, stating why
    body = {"actual": "22", "reason": "two visits were logged late"}
    done = outcome(setup.post(setup.partners["a"], fix_path(indicator_id, first), body), 200)
    # Then one ResultCorrected is recorded, naming the report
    assert setup.recorded(done) == ["ResultCorrected"]
    assert done["result"]["report_id"] == first
    # And the series shows the corrected figure for that period, marked corrected
    assert series_of(view(setup), indicator_id) == [
        ("2030-01-01", "2030-03-31", "22", "2030-04-02", True),
        ("2030-04-01", "2030-06-30", "35", "2030-07-03", False),
    ]
    # And the history keeps both, the correction naming the report's event
    response = setup.client.get(f"/v1{setup.url}/history", headers=setup.broker.headers())
    entries = response.json["items"]  # type: ignore[index]
    [fixed] = [e for e in entries if e["event_type"] == "ResultCorrected"]
    [reported] = [
        e
        for e in entries
        if e["data"].get("report_id") == first and e["event_type"] == "ResultReported"
    ]
    assert fixed["reason"] == "two visits were logged late"
    assert fixed["data"]["corrects"] == {
        "stream": setup.partnership_id,
        "version": reported["stream_version"],
    }


def test_a_correction_is_refused_by_rule_input_and_authority(
    setup: Setup, indicator_id: str, auth: Auth
) -> None:
    first = report(setup, indicator_id, "20", "2030-04-02", period=Q1)
    body = {"actual": "22", "reason": "recounted"}
    b = setup.partners["b"]
    # An unknown report, or an unknown indicator: 409, as an unknown indicator always was
    setup.refused(409, "rule-violation", b, fix_path(indicator_id, str(uuid.uuid4())), body)
    setup.refused(409, "rule-violation", b, fix_path(str(uuid.uuid4()), first), body)
    # The figure already reported: nothing to correct
    setup.refused(
        409, "rule-violation", b, fix_path(indicator_id, first), {**body, "actual": "20.0"}
    )
    # No reason, or a figure that is not a decimal string: 422
    setup.refused(422, "invalid-input", b, fix_path(indicator_id, first), {"actual": "22"})
    setup.refused(422, "invalid-input", b, fix_path(indicator_id, first), {**body, "actual": 22})
    # An auditor may not; a stranger does not see the partnership
    setup.refused(
        403, "forbidden", auth.auditor(setup.partnership_id), fix_path(indicator_id, first), body
    )
    setup.refused(404, "not-found", auth.auditor(), fix_path(indicator_id, first), body)
    assert series_of(view(setup), indicator_id) == [
        ("2030-01-01", "2030-03-31", "20", "2030-04-02", False)
    ]


def test_the_view_as_of_a_position_gives_the_series_then(setup: Setup, indicator_id: str) -> None:
    first = report(setup, indicator_id, "20", "2030-04-02", period=Q1)
    report(setup, indicator_id, "35", "2030-07-03", period=Q2)
    before = setup.head()
    body = {"actual": "22", "reason": "recounted"}
    outcome(setup.post(setup.partners["b"], fix_path(indicator_id, first), body), 200)
    # Then the view as of the position before the correction has the figures reported
    then = view(setup, as_of_position=before)
    assert series_of(then, indicator_id) == [
        ("2030-01-01", "2030-03-31", "20", "2030-04-02", False),
        ("2030-04-01", "2030-06-30", "35", "2030-07-03", False),
    ]
    # And as of now it equals the live view
    now = view(setup, as_of_position=setup.head())
    assert now["indicators"] == view(setup)["indicators"]


def test_the_openapi_document_shows_the_period_and_the_correction(setup: Setup) -> None:
    doc: dict[str, Any] = setup.client.get("/v1/openapi.json").json  # type: ignore[assignment]
    path = "/v1/partnerships/{partnership_id}/indicators/{indicator_id}/results/{report_id}"
    assert "post" in doc["paths"][path + "/corrections"]
    schemas = doc["components"]["schemas"]
    assert set(schemas["ReportResult"]["properties"]) >= {
        "indicator_id",
        "actual",
        "as_of",
        "period",
    }
    assert "reason" in schemas["CorrectResult"]["required"]
    assert "series" in schemas["ViewIndicator"]["properties"]
