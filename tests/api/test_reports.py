"""Reports over HTTP (DESIGN §9): each report of a partnership is a download of its bytes,
with its media type, an attachment's name and an ETag of their SHA-256, for those who see
the partnership's content (404 for the rest, 401 without a credential); as of a position
it is the live report of then, and a former member's report stops at its exit."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from decimal import Decimal

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from api import create_app
from api.service import Service, Settings
from collab.commitments.commands import ConfirmCommitment, Pledge
from collab.partnerships.commands import CorrectPartnership, WithdrawMembership
from collab.reports.iati_schema import xsd_errors
from collab.stores import StoreConfig
from projections.reports import REPORTS
from tests.api.conftest import Auth, Caller, make_app
from tests.api.setup_partnership import Setup, command, problem_type
from tests.application.conftest import fixed_clock

MEDIA = {
    "iati": "application/xml",
    "360giving": "application/json",
    "commitments": "text/csv; charset=utf-8",
    "deliveries": "text/csv; charset=utf-8",
    "budget": "text/csv; charset=utf-8",
    "funding": "text/csv; charset=utf-8",
}


def started(s: Setup) -> Setup:
    """Organisations a (the lead), b and c in a partnership in force, classified under a
    DAC sector (an IATI activity needs one)."""
    s.start()
    sector = [{"vocabulary": "dac5", "code": "16010"}]
    s.app.execute(
        command(s.broker), CorrectPartnership(s.partnership_id, {"classifications": sector})
    )
    return s


def cash_grant(s: Setup, key: str, to: str, amount: str = "5000.00") -> str:
    """A confirmed cash commitment of `key`'s organisation to `to`'s: a 360Giving grant."""
    out = s.app.execute(
        s.as_(key),
        Pledge(
            s.partnership_id,
            contribution_type="cash",
            quantity={"value": Decimal(amount), "unit": "EUR"},
            valuation={"amount": Decimal(amount), "currency": "EUR", "method": "actual_cost"},
            recipient=s.orgs[to],
        ),
    )
    cid = str(out.result["commitment_id"])
    s.app.execute(s.as_(key), ConfirmCommitment(cid))
    return cid


@pytest.fixture
def setup(auth: Auth, client: FlaskClient) -> Setup:
    return started(Setup(auth, client))


@pytest.fixture
def stored(store_config: StoreConfig) -> Iterator[Setup]:
    """The same partnership on each store (memory, SQLite, PostgreSQL)."""
    app = make_app(store_config)
    yield started(Setup(Auth(app), app.test_client()))
    app.extensions["collab"].close()


def get(s: Setup, who: Caller | None, report: str, **query: str) -> TestResponse:
    headers = who.headers() if who is not None else {}
    path = f"/v1{s.url}/reports/{report}"
    return s.client.get(path, query_string=query, headers=headers)


def test_the_kinds_of_report_are_listed_for_signed_in_callers(setup: Setup) -> None:
    # When a member asks which reports there are
    response = setup.client.get("/v1/reports", headers=setup.partners["b"].headers())
    # Then every report is named with its media type and what it is
    assert response.status_code == 200
    items = response.json["items"]  # type: ignore[index]
    assert [i["name"] for i in items] == list(MEDIA)
    assert {i["name"]: i["media_type"] for i in items}["iati"] == "application/xml"
    assert all(i["summary"] for i in items)
    # And an anonymous caller is refused
    assert setup.client.get("/v1/reports").status_code == 401


@pytest.mark.parametrize("report", list(MEDIA))
def test_a_member_downloads_each_report_as_an_attachment(setup: Setup, report: str) -> None:
    # Given a partnership in force with a confirmed commitment of b, and a's cash grant to c
    cid = setup.pledge("b")
    grant = cash_grant(setup, "a", "c")
    # When a member downloads the report
    response = get(setup, setup.partners["c"], report)
    # Then it gets the report's bytes, as an attachment named after the partnership
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_data()
    assert body
    assert response.headers["Content-Type"] == MEDIA[report]
    extension = REPORTS[report].extension
    name = f"collab-{setup.partnership_id}-{report}.{extension}"
    assert response.headers["Content-Disposition"] == f'attachment; filename="{name}"'
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    # And its ETag is the SHA-256 of those bytes
    assert response.headers["ETag"] == f'"{hashlib.sha256(body).hexdigest()}"'
    if report == "commitments":
        assert cid in body.decode("utf-8")
    if report == "360giving":
        assert grant in body.decode("utf-8") and cid not in body.decode("utf-8")


def test_the_same_state_gives_the_same_bytes_and_a_known_etag_is_304(stored: Setup) -> None:
    # Given a partnership with a commitment and a cash grant, on each store
    s = stored
    s.pledge("b")
    cash_grant(s, "a", "b")
    for report in ("commitments", "360giving", "iati"):
        # When a member downloads the report twice
        first, again = (get(s, s.partners["a"], report) for _ in range(2))
        # Then the bytes and the ETag are the same
        assert first.status_code == 200, first.get_data(as_text=True)
        assert first.get_data() == again.get_data()
        assert first.headers["ETag"] == again.headers["ETag"]
        # And asking with that ETag answers 304, without a body
        etag = first.headers["ETag"]
        cached = s.client.get(
            f"/v1{s.url}/reports/{report}",
            headers=s.partners["a"].headers(**{"If-None-Match": etag}),
        )
        assert (cached.status_code, cached.get_data()) == (304, b"")


def test_as_of_a_position_gives_the_bytes_the_live_report_gave_then(stored: Setup) -> None:
    # Given the reports read live at one position
    s = stored
    s.pledge("b")
    then = s.head()
    live_then = {r: get(s, s.broker, r).get_data() for r in ("commitments", "iati")}
    # When c pledges afterwards
    later = s.pledge("c")
    # Then the live commitments report names the new commitment
    assert later in get(s, s.broker, "commitments").get_data().decode("utf-8")
    for report, before in live_then.items():
        # And as of the earlier position, each report is byte for byte the one read then
        at = get(s, s.broker, report, as_of_position=str(then))
        assert at.status_code == 200, at.get_data(as_text=True)
        assert at.get_data() == before


def test_a_former_members_report_stops_at_its_exit(setup: Setup) -> None:
    # Given c leaves the partnership, then b pledges
    s = setup
    s.app.execute(s.as_("c"), WithdrawMembership(s.partnership_id))
    exit_at = s.head()
    later = s.pledge("b")
    former = s.partners["c"]
    for report in ("commitments", "iati"):
        # When c downloads the report, live or as of a position past its exit
        live = get(s, former, report)
        past = get(s, former, report, as_of_position=str(s.head()))
        # Then both are the broker's report as of c's exit
        at_exit = get(s, s.broker, report, as_of_position=str(exit_at))
        assert live.status_code == 200, live.get_data(as_text=True)
        assert live.get_data() == past.get_data() == at_exit.get_data()
    # And the commitment made after its exit is not in it
    assert later not in get(s, former, "commitments").get_data().decode("utf-8")


def test_those_who_do_not_see_the_content_get_404_and_anonymous_callers_401(
    setup: Setup, auth: Auth
) -> None:
    s = setup
    stranger = auth.actor("partner", s.org("z"))
    for who in (stranger, auth.actor("broker")):
        response = get(s, who, "commitments")
        assert response.status_code == 404
        assert problem_type(response) == "not-found"
        # the same answer for an unknown report: nothing tells them apart
        assert get(s, who, "nonsense").status_code == 404
    assert get(s, None, "commitments").status_code == 401
    assert get(s, None, "nonsense").status_code == 401


def test_an_unknown_report_is_a_404_problem_like_an_unknown_id(setup: Setup) -> None:
    response = get(setup, setup.partners["a"], "pdf")
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    assert problem_type(response) == "not-found"
    assert "no report pdf" in response.json["detail"]  # type: ignore[index]
    unknown = setup.client.get(
        "/v1/partnerships/00000000-0000-4000-8000-000000000000/reports/iati",
        headers=setup.partners["a"].headers(),
    )
    assert (unknown.status_code, problem_type(unknown)) == (404, "not-found")


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"language": "english"}, "language"),
        ({"language": "EN"}, "language"),
        ({"as_of_position": "-1"}, "as_of_position"),
        ({"as_of_position": "99999999"}, "as_of_position"),
        ({"as_of_position": "1", "as_of": "2030-01-01T00:00:00Z"}, "as_of"),
        ({"as_of": "yesterday"}, "as_of"),
        ({"format": "pdf"}, "format"),
    ],
)
def test_a_query_no_report_takes_is_a_422_naming_the_field(
    setup: Setup, query: dict[str, str], field: str
) -> None:
    response = get(setup, setup.partners["a"], "commitments", **query)
    assert response.status_code == 422, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    assert field in str(response.json)


def test_a_report_in_another_iati_language_is_served(setup: Setup) -> None:
    # Given the IATI Language code list's Portuguese
    # When a member asks for the reports' texts in it
    response = get(setup, setup.partners["a"], "iati", language="pt")
    # Then the report is served
    assert response.status_code == 200, response.get_data(as_text=True)
    assert b'xml:lang="pt"' in response.get_data()


def test_each_report_is_documented_with_its_content_types(setup: Setup) -> None:
    # When the OpenAPI document is read
    spec = setup.client.get("/v1/openapi.json").json
    assert spec is not None
    path = spec["paths"]["/v1/partnerships/{partnership_id}/reports/{report}"]
    operation = path["get"]
    # Then the download names each of its media types
    content = operation["responses"]["200"]["content"]
    assert set(content) == {"application/xml", "application/json", "text/csv"}
    # And the report's name and the language are chosen from their lists
    parameters = path.get("parameters", []) + operation["parameters"]
    named = [p for p in parameters if p["name"] == "report"]
    assert named[0]["schema"]["enum"] == list(MEDIA)
    languages = [p for p in parameters if p["name"] == "language"]
    assert "pt" in languages[0]["schema"]["enum"]


def test_an_iati_report_the_partnership_cannot_fill_is_a_409_problem(
    auth: Auth, client: FlaskClient
) -> None:
    # Given a partnership in force classified under no sector
    s = Setup(auth, client)
    s.start()
    # When a member asks for its IATI report
    response = get(s, s.partners["a"], "iati")
    # Then it is refused with a problem saying what is missing, never a 500
    assert response.status_code == 409, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    assert "sector" in response.json["detail"]  # type: ignore[index]
    # And its CSV reports are served all the same
    assert get(s, s.partners["a"], "commitments").status_code == 200
    # And with no cash grant to a partner, its 360Giving file is a 409 saying so
    giving = get(s, s.partners["a"], "360giving")
    assert (giving.status_code, problem_type(giving)) == (409, "rule-violation")
    assert "cash grant" in giving.json["detail"]  # type: ignore[index]


def test_as_of_a_position_the_views_have_not_reached_is_a_503_not_another_report(
    memory_config: StoreConfig,
) -> None:
    # Given a server-mode service (no follower runs in the request) whose views have read
    # the partnership, and a cash grant recorded after them
    settings = Settings(
        store=memory_config, mode="server", read_wait_seconds=0.05, clock=fixed_clock
    )
    flask_app = create_app(settings)
    service: Service = flask_app.extensions["collab"]
    try:
        s = started(Setup(Auth(flask_app), flask_app.test_client()))
        service.read.catch_up()
        grant = cash_grant(s, "a", "b")
        # When a member asks for a report as of the log's head, past the views
        early = {r: get(s, s.partners["a"], r, as_of_position=str(s.head())) for r in MEDIA}
        # Then it is refused for now (its event dates come from the views), never a report
        # missing those dates, nor a 500
        assert {r: x.status_code for r, x in early.items()} == dict.fromkeys(MEDIA, 503)
        # And once the views have caught up, the report as of that position holds the grant
        service.read.catch_up()
        late = get(s, s.partners["a"], "360giving", as_of_position=str(s.head()))
        assert late.status_code == 200, late.get_data(as_text=True)
        assert grant in late.get_data(as_text=True)
    finally:
        service.close()


def test_a_former_member_as_of_position_zero_is_answered_as_anyone_else(setup: Setup) -> None:
    # Given c has left the partnership
    s = setup
    s.app.execute(s.as_("c"), WithdrawMembership(s.partnership_id))
    # When c and the broker ask for a report as of position 0, before the partnership
    former = get(s, s.partners["c"], "commitments", as_of_position="0")
    broker = get(s, s.broker, "commitments", as_of_position="0")
    # Then both get the same answer: position 0 is not read as "at the exit"
    assert former.status_code == broker.status_code == 404


def test_a_title_with_a_control_character_still_gives_a_valid_iati_file(setup: Setup) -> None:
    # Given a title holding a vertical tab (the domain refuses only U+0000)
    s = setup
    s.app.execute(
        command(s.broker), CorrectPartnership(s.partnership_id, {"title": "Care\x0brounds"})
    )
    # When a member downloads the IATI report
    response = get(s, s.partners["a"], "iati")
    # Then it is served, valid against the XSD, the character replaced (never a 500)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert xsd_errors(response.get_data()) == []
    assert "Care\ufffdrounds" in response.get_data(as_text=True)
