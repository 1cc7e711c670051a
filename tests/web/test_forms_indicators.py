"""Indicators' report forms and series on the partnership page (issue 15 part 5): each form
builds the JSON API route's command; refusals show the API's status and record nothing; the
page shows each indicator's latest periods, and says where the others are."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from collab.governance.commands import SetIndicator
from collab.indicators.commands import ReportIndicator
from tests.api.conftest import Auth
from tests.api.setup_partnership import Setup, active_partnership, command
from tests.web.test_forms_commitments import People, api, refused, send


@pytest.fixture
def setup(auth: Auth, client: FlaskClient) -> Setup:
    """Organisations a (the lead), b and c, members of a partnership in force."""
    return active_partnership(auth, client)


def indicator(setup: Setup) -> str:
    out = setup.app.execute(
        command(setup.broker),
        SetIndicator(
            setup.partnership_id,
            kind="output",
            name="Home visits",
            unit="visit",
            baseline="0",
            target="400",
        ),
    )
    return str(out.result["indicator_id"])


def series(setup: Setup, iid: str) -> list[tuple[str, str, bool]]:
    view = api(setup, f"{setup.url}/view")
    [found] = [i for i in view["indicators"] if i["indicator_id"] == iid]
    return [(r["period_start"], r["actual"], r["corrected"]) for r in found["series"]]


def test_a_member_reports_a_period_and_the_lead_corrects_it(setup: Setup, person: People) -> None:
    iid = indicator(setup)
    form = f"{setup.url}/indicators/{iid}"
    b, a = person(setup.partners["b"]), person(setup.partners["a"])
    # The partnership page offers b the report form
    _, page = b.get(setup.url)
    assert f'href="{form}/report"' in page
    # b reports the first quarter; the form lands at the indicator
    quarter = {"period.start": "2030-01-01", "period.end": "2030-03-31", "actual": "90"}
    done = send(b, f"{form}/report", quarter)
    assert done.status_code == 303 and done.location == f"{setup.url}#indicator-{iid}"
    assert series(setup, iid) == [("2030-01-01", "90", False)]
    # The same quarter again is refused (409), saying until when it is reported
    html = refused(setup, b, f"{form}/report", {**quarter, "actual": "91"}, 409)
    assert "reported until" in html
    # The lead corrects it: without a reason first (422), then saying why
    [number] = [r["report"] for r in api(setup, f"{setup.url}/view")["indicators"][0]["series"]]
    fix = f"{form}/reports/{number}/correct"
    _, page = a.get(setup.url)
    assert f'href="{fix}"' in page
    refused(setup, a, fix, {"actual": "92", "reason": ""}, 422)
    assert send(a, fix, {"actual": "92", "reason": "logged late"}).status_code == 303
    assert series(setup, iid) == [("2030-01-01", "92", True)]
    # And the timeline tells both in words, the correction naming the report
    _, timeline = b.get(f"{setup.url}/timeline")
    said = 'reported 90 for <bdi dir="auto">Home visits</bdi> for Jan 1, 2030 to Mar 31, 2030'
    assert said in timeline
    assert f'corrected report {number} of <bdi dir="auto">Home visits</bdi> to 92' in timeline


def test_an_auditor_gets_no_form_and_a_stranger_no_page(setup: Setup, person: People) -> None:
    iid = indicator(setup)
    auditor = person(setup.auth.auditor(setup.partnership_id))
    _, page = auditor.get(setup.url)
    assert "/report" not in page
    assert auditor.get(f"{setup.url}/indicators/{iid}/report")[0] == 403
    stranger = person(setup.auth.actor("broker"))
    assert stranger.get(f"{setup.url}/indicators/{iid}/report")[0] == 404


def test_the_page_shows_the_latest_ten_periods_and_points_to_the_timeline(
    setup: Setup, person: People
) -> None:
    iid = indicator(setup)
    for month in range(1, 13):
        day = f"2029-{month:02d}-01"
        period = {"start": day, "end": day}
        setup.app.execute(
            command(setup.broker),
            ReportIndicator(setup.partnership_id, iid, period, actual=str(month)),
        )
    _, page = person(setup.partners["b"]).get(setup.url)
    assert "The latest 10 of 12 periods" in page
    assert f'href="{setup.url}/timeline"' in page
    # The latest ten by period: March to December, January and February left out
    assert page.count('id="report-') == 10
