"""The register's and the membership's forms in a real browser: each form refused once (the
problem's text beside the form, the input kept, or the API's 403/404 page), then sent.

Register an organisation, grant and revoke a mandate, start a partnership, invite, join,
withdraw. Data around the forms is set up over the JSON API (tests/browser/world.py).
"""

from __future__ import annotations

import uuid

from tests.browser.conftest import Person, Site
from tests.browser.tab import Tab, welcome

NOTHING = "Nothing was recorded."


def follow(tab: Tab, link: str) -> None:
    """Open the page a link of the current page leads to (checked as every page is)."""
    href = tab.page.get_by_role("link", name=link, exact=True).first.get_attribute("href")
    assert href is not None, link
    assert tab.open(href) == 200, tab.main()


def refused(tab: Tab, status: int, expected: int, *texts: str) -> None:
    """Then: the form came back with `expected`, saying nothing was recorded and why."""
    shown = tab.main()
    assert status == expected, shown
    assert NOTHING in shown, shown
    for text in texts:
        assert text in shown, shown


def test_a_broker_registers_an_organisation_whose_partner_grants_and_revokes_a_mandate(
    site: Site, person: Person
) -> None:
    # Given: a broker signed in
    world = site.world
    broker = world.enrol("broker", "Beatriz Broker")
    tab = person("broker")
    welcome(tab, world.link(broker.actor_id), f"beatriz-{uuid.uuid4().hex[:6]}")

    # When: the broker registers a company declared public, from the register's link
    tab.open("/organisations")
    follow(tab, "Register an organisation")
    tab.fill(**{"f-legal_name": "Olaria do Guadiana, Lda.", "f-identifiers-0-id": "5" * 9})
    tab.page.select_option("#f-identifiers-0-scheme", "PT-NIPPC")
    tab.page.select_option("#f-org_type", "70")
    tab.page.select_option("#f-sector", "public")
    tab.page.select_option("#f-territory-country", "PT")
    tab.fill(**{"f-territory-nuts": "PT1C2"})
    status = tab.press("Register the organisation")
    # Then: it is refused beside the form, its input kept
    refused(tab, status, 422, "must be private for organisation type Private sector")
    assert tab.page.input_value("#f-legal_name") == "Olaria do Guadiana, Lda."
    # When: it corrects the sector
    tab.page.select_option("#f-sector", "private")
    # Then: the organisation is registered and its page shown
    assert tab.press("Register the organisation") == 200
    assert tab.h1() == "Olaria do Guadiana, Lda."
    oid = tab.path.rsplit("/", 1)[1]

    # Given: a partner of that organisation, signed in
    partner = world.enrol("partner", "Olga Partner", oid)
    own = person("partner")
    welcome(own, world.link(partner.actor_id), f"olga-{uuid.uuid4().hex[:6]}")
    # When: it grants a mandate to an id no broker has
    own.open(f"/organisations/{oid}")
    follow(own, "Mandates: grant or revoke")
    own.fill(**{"f-broker_id": str(uuid.uuid4())})
    refused(own, own.press("Grant the mandate"), 409, "no active broker has this id")
    # When: it grants one to the broker
    own.fill(**{"f-broker_id": broker.actor_id, "f-until": "2099-12-31"})
    assert own.press("Grant the mandate") == 200
    row = own.page.locator("tr", has_text="Beatriz Broker")
    assert "in force" in row.inner_text()
    # And: revokes it after the confirmation
    revocation = row.get_by_role("link", name="Revoke").get_attribute("href") or ""
    assert own.open(revocation) == 200
    assert own.press("Revoke the mandate") == 200
    assert "revoked" in own.page.locator("tr", has_text="Beatriz Broker").inner_text()

    # Then: the broker may not revoke the organisation's mandates itself
    assert tab.open(revocation) == 403


def test_a_partnership_is_started_an_organisation_invited_joins_and_withdraws(
    site: Site, person: Person
) -> None:
    # Given: a broker, and the partner of a registered organisation
    world = site.world
    broker = world.enrol("broker", "Bruno Starter")
    partner = world.partner(broker, "civil_society", "Casa do Povo de Alcaria", "Carla Partner")
    world.settle()
    tab = person("broker")
    welcome(tab, world.link(broker.actor_id), f"bruno-{uuid.uuid4().hex[:6]}")

    # When: the broker starts a partnership whose NUTS region lies in another country
    tab.open("/partnerships")
    follow(tab, "Start a partnership")
    need = "Older residents of scattered villages lack regular care"
    tab.fill(**{"f-title": "Cuidar em rede", "f-need_statement": need, "f-territory-nuts": "ES300"})
    tab.page.select_option("#f-partnership_type", "social_innovation")
    tab.page.select_option("#f-territory-country", "PT")
    refused(tab, tab.press("Start the partnership"), 422, "must lie in the territory")
    assert tab.page.input_value("#f-need_statement") == need
    # Then: corrected, the partnership is started and shown
    tab.fill(**{"f-territory-nuts": "PT1C2"})
    assert tab.press("Start the partnership") == 200
    assert tab.h1() == "Cuidar em rede"
    pid = tab.path.rsplit("/", 1)[1]

    # When: it invites the organisation without ticking a role
    follow(tab, "Invite an organisation")
    tab.page.select_option("#f-organisation_id", partner.organisation_id or "")
    tab.fill(**{"f-weight": "2"})
    refused(tab, tab.press("Send the invitation"), 422, "roles")
    # Then: with a role ticked, the invitation is sent
    tab.page.check("#f-roles-implementer")
    assert tab.press("Send the invitation") == 200
    assert tab.path == f"/partnerships/{pid}"

    # When: the broker opens the invitation, it may not answer it for the organisation
    assert tab.open(f"/partnerships/{pid}/join") == 403
    # And: the invited partner reads the terms and joins
    own = person("partner")
    welcome(own, world.link(partner.actor_id), f"carla-{uuid.uuid4().hex[:6]}")
    assert own.open(f"/partnerships/{pid}/join") == 200
    assert need in own.main() and "implementer" in own.main()
    assert own.press("Join the partnership") == 200

    # When: it withdraws with a notice dated in the future
    follow(own, "Withdraw from the partnership")
    own.fill(**{"f-effective_date": "2099-01-01"})
    refused(own, own.press("Withdraw from the partnership"), 422, "effective_date")
    assert own.page.input_value("#f-effective_date") == "2099-01-01"
    # Then: with today's date, the withdrawal is recorded
    own.fill(**{"f-effective_date": ""})
    assert own.press("Withdraw from the partnership") == 200
    assert own.path == f"/partnerships/{pid}"
