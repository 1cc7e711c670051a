"""A partnership's reports page (DESIGN §9), linked from the partnership's page: a download
link per report and what each format is for, or what the partnership lacks for it; each
link serves the API's bytes through the session, with the same visibility (a stranger gets
the 404 of an unknown id, as on the partnership's page)."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient

from collab.partnerships.commands import CorrectPartnership
from projections.reports import REPORTS
from tests.api.conftest import Auth
from tests.api.setup_partnership import Setup, active_partnership, command
from tests.api.test_reports import cash_grant
from tests.web.test_forms_commitments import People

LINK_RE = re.compile(r'<a href="(/partnerships/[^"]+/downloads/[^"]+)">([^<]+)</a>')


@pytest.fixture
def setup(auth: Auth, client: FlaskClient) -> Setup:
    """Organisations a (the lead), b and c in a partnership in force, under a DAC sector,
    with a's cash grant to b (a 360Giving file needs one)."""
    s = active_partnership(auth, client)
    sector = [{"vocabulary": "dac5", "code": "16010"}]
    s.app.execute(
        command(s.broker), CorrectPartnership(s.partnership_id, {"classifications": sector})
    )
    cash_grant(s, "a", "b")
    return s


def section(html: str) -> str:
    found = re.search(r'<section class="reports".*?</section>', html, re.S)
    assert found is not None, "the page has no reports section"
    return found.group(0)


def test_a_member_sees_a_download_per_report_with_what_it_is_for(
    setup: Setup, person: People
) -> None:
    # Given a member signed in, on the partnership's page
    member = person(setup.partners["b"])
    _, partnership = member.get(setup.url)
    assert f'<a href="{setup.url}/downloads">Reports</a>' in partnership
    # When it follows the link to the reports
    code, html = member.get(f"{setup.url}/downloads")
    # Then the page links each report, saying what the format is for
    assert code == 200, html
    reports = section(html)
    links = LINK_RE.findall(reports)
    assert [href for href, _ in links] == [f"{setup.url}/downloads/{name}" for name in REPORTS]
    assert "IATI 2.03 activity (XML)" in reports and "open-data portals and donors" in reports
    assert "360Giving" in reports and "For spreadsheets" in reports


@pytest.mark.parametrize("report", ["iati", "360giving", "commitments"])
def test_a_download_is_the_apis_bytes_through_the_session(
    setup: Setup, person: People, report: str
) -> None:
    # Given b's confirmed commitment and a member signed in
    setup.pledge("b")
    member = person(setup.partners["c"])
    # When the member follows the report's link
    page = member.client.get(f"{setup.url}/downloads/{report}")
    # Then it gets the bytes the API serves the same member, as an attachment
    api = setup.client.get(
        f"/v1{setup.url}/reports/{report}", headers=setup.partners["c"].headers()
    )
    assert page.status_code == 200, page.text
    assert page.get_data() == api.get_data()
    for header in ("Content-Type", "Content-Disposition", "ETag"):
        assert page.headers[header] == api.headers[header]
    assert page.headers["Content-Disposition"].startswith("attachment;")


def test_on_an_earlier_state_the_links_ask_for_that_position(setup: Setup, person: People) -> None:
    # Given the partnership's page as of an earlier position
    then = setup.head()
    setup.pledge("b")
    member = person(setup.partners["a"])
    _, partnership = member.get(f"{setup.url}?as_of_position={then}")
    # Then its reports link asks for that position
    reports_page = f"{setup.url}/downloads?as_of_position={then}"
    assert f'href="{reports_page}"' in partnership
    code, html = member.get(reports_page)
    # And on the reports page, each link asks for the report as of that position
    assert code == 200, html
    hrefs = [href for href, _ in LINK_RE.findall(section(html))]
    assert hrefs and all(h.endswith(f"?as_of_position={then}") for h in hrefs)
    # And the report served there is the API's as of that position
    page = member.client.get(hrefs[0])
    api = setup.client.get(
        f"/v1{setup.url}/reports/iati?as_of_position={then}",
        headers=setup.partners["a"].headers(),
    )
    assert page.status_code == 200 and page.get_data() == api.get_data()


def test_a_stranger_gets_the_not_found_page_and_no_bytes(
    setup: Setup, auth: Auth, person: People
) -> None:
    # Given a partner of an organisation outside the partnership
    stranger = person(auth.actor("partner", setup.org("z")))
    # When it opens the partnership's page, its reports or a report's link
    page_code, _ = stranger.get(setup.url)
    reports_code, _ = stranger.get(f"{setup.url}/downloads")
    download = stranger.client.get(f"{setup.url}/downloads/iati")
    # Then each is the explorer's 404 page, naming nothing of it
    assert page_code == reports_code == 404
    assert download.status_code == 404
    assert download.mimetype == "text/html"
    assert b"<iati-activities" not in download.get_data()


def test_an_unknown_report_is_the_not_found_page(setup: Setup, person: People) -> None:
    response = person(setup.partners["a"]).client.get(f"{setup.url}/downloads/pdf")
    assert (response.status_code, response.mimetype) == (404, "text/html")


def test_someone_signed_out_is_sent_to_sign_in(setup: Setup, client: FlaskClient) -> None:
    for path in (f"{setup.url}/downloads", f"{setup.url}/downloads/iati"):
        response = client.get(path)
        assert response.status_code in (302, 303)
        assert response.headers["Location"].startswith("/signin")


def test_the_page_reads_in_portuguese(setup: Setup, person: People) -> None:
    # When a member reading Portuguese opens the reports page
    member = person(setup.partners["b"])
    response = member.client.get(f"{setup.url}/downloads", headers={"Accept-Language": "pt"})
    # Then the page and its links are in Portuguese
    assert "<h1>Relatórios</h1>" in response.text
    reports = section(response.text)
    assert "Transferências" in reports and "Atividade IATI 2.03 (XML)" in reports
    assert "Para folhas de cálculo" in reports


def test_a_report_the_partnership_cannot_fill_says_why_instead_of_a_link(
    auth: Auth, client: FlaskClient, person: People
) -> None:
    # Given a partnership in force classified under no sector
    s = active_partnership(auth, client)
    member = person(s.partners["a"])
    # When a member opens its reports page
    _, html = member.get(f"{s.url}/downloads")
    # Then the IATI report is named with what it lacks, and no link leads to a refusal
    reports = section(html)
    hrefs = [href for href, _ in LINK_RE.findall(reports)]
    assert f"{s.url}/downloads/iati" not in hrefs and f"{s.url}/downloads/commitments" in hrefs
    assert "Not available yet: an IATI report needs a sector" in reports
    # And in Portuguese too
    pt = member.client.get(f"{s.url}/downloads", headers={"Accept-Language": "pt"}).text
    assert "Ainda não disponível: um relatório IATI precisa de um setor" in section(pt)
    # And its address, asked anyway, is the refusal's page in the reader's language
    response = member.client.get(f"{s.url}/downloads/iati", headers={"Accept-Language": "pt"})
    assert (response.status_code, response.mimetype) == (409, "text/html")
    assert "um relatório IATI precisa de um setor" in response.text
