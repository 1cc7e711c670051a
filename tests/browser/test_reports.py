"""Reports in a real browser (issue 19): a member opens the partnership's page, follows its
link to the reports, then the IATI link, and receives a file that validates against the
IATI 2.03 schema, offline, and is the API's file; so is the 360Giving file, which holds
the lead's grant and validates against its package schema. With and without JavaScript:
the downloads are plain links."""

from __future__ import annotations

import urllib.request
from pathlib import Path

import pytest

from collab.reports.giving_schema import giving_errors
from collab.reports.iati_schema import xsd_errors
from tests.browser.conftest import Person, Site
from tests.browser.forms import follow, signed_in
from tests.browser.tab import Tab
from tests.integration.conftest import Http
from tests.integration.test_http_scenario import ok


def served(api: Http, path: str) -> bytes:
    """The bytes the API answers `api`'s caller (its client reads JSON only)."""
    sent = urllib.request.Request(api.base + path, headers={"Authorization": f"Bearer {api.token}"})
    with urllib.request.urlopen(sent, timeout=30) as response:
        data: bytes = response.read()
    return data


def downloaded(tab: Tab, link: str) -> tuple[str, bytes]:
    """Follow the link named `link`: the file received, its suggested name and bytes."""
    with tab.page.expect_download() as arrived:
        tab.page.get_by_role("link", name=link, exact=True).click()
    download = arrived.value
    return download.suggested_filename, Path(download.path()).read_bytes()


@pytest.mark.parametrize("js", [True, False], ids=["javascript", "no-javascript"])
def test_a_member_downloads_the_reports_from_the_partnership_page(
    site: Site, person: Person, js: bool
) -> None:
    # Given a partnership in force under a DAC sector, its lead's 40 hours pledged by the ally
    world = site.world
    broker = world.enrol("broker", "Broker of reports")
    lead = world.partner(broker, "public", "Câmara Municipal de Moura", "Rui Lead")
    ally = world.partner(broker, "civil_society", "Associação Moura Solidária", "Eva Ally")
    pid = world.active(broker, "Moura care rounds", [lead, ally])
    sector = {"classifications": [{"vocabulary": "dac5", "code": "16010"}]}
    ok(broker.api.post(f"/v1/partnerships/{pid}/corrections", {"changes": sector}))
    # And the lead's 2000 EUR cash grant to the ally, confirmed (the 360Giving file's grant)
    grant = {
        "contribution_type": "cash",
        "quantity": {"value": "2000.00", "unit": "EUR"},
        "valuation": {"amount": "2000.00", "currency": "EUR", "method": "actual_cost"},
        "recipient": ally.organisation_id,
    }
    cid = ok(lead.api.post(f"/v1/partnerships/{pid}/commitments", grant), 201)["commitment_id"]
    ok(lead.api.post(f"/v1/commitments/{cid}/confirm"))
    world.settle()

    # When the ally, signed in, opens the partnership's page and follows its reports link
    a = signed_in(person, world, ally, "ally", js=js)
    assert a.open(f"/partnerships/{pid}") == 200
    assert follow(a, "Reports") == 200
    assert "For open-data portals and donors" in a.main()

    # Then the IATI link gives a file named after the partnership that the XSD accepts
    name, data = downloaded(a, "IATI 2.03 activity (XML)")
    assert name == f"collab-{pid}-iati.xml"
    assert data.startswith(b"<?xml") and xsd_errors(data) == []
    # And it is the API's file for the same member
    assert data == served(ally.api, f"/v1/partnerships/{pid}/reports/iati")
    # And the 360Giving link gives the API's package too
    name, data = downloaded(a, "360Giving grants (JSON)")
    assert name == f"collab-{pid}-360giving.json"
    assert data == served(ally.api, f"/v1/partnerships/{pid}/reports/360giving")
    assert giving_errors(data) == [] and cid in data.decode()
    # And the page is still the reports page: a download does not navigate away
    assert a.path == f"/partnerships/{pid}/downloads"
