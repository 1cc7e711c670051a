"""A member giving notice, in a real browser (invariant 8): it reads what withdrawing does,
withdraws, and every member's partnership page shows it leaving with its exit date, its
commitment still confirmed, until the due-date processor records its exit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from babel.dates import format_date

from tests.browser.conftest import Person, Site
from tests.browser.forms import follow, signed_in
from tests.integration.test_http_scenario import ok


def test_a_member_giving_notice_is_shown_leaving_with_its_exit_date(
    site: Site, person: Person
) -> None:
    # Given: a partnership in force whose terms ask 30 days of notice; the giver pledged
    world = site.world
    broker = world.enrol("broker", "Broker of notices")
    lead = world.partner(broker, "public", "Junta de Freguesia de Alcaria", "Lia Lead")
    giver = world.partner(broker, "civil_society", "Associação Rio Vivo", "Rui Giver")
    pid = world.active(broker, "Alcaria care rounds", [lead, giver])
    world.settle()
    g = signed_in(person, world, giver, "giver")

    # When: the giver opens the withdrawal from the partnership page and reads it
    g.open(f"/partnerships/{pid}")
    assert follow(g, "Withdraw from the partnership") == 200
    shown = g.main()
    assert "asks for 30 days of notice" in shown
    assert "released when the membership ends" in shown
    # And: withdraws today
    assert g.press("Withdraw from the partnership") == 200
    assert g.path == f"/partnerships/{pid}"

    # Then: the lead's page shows the giver leaving, on its exit date, still counted
    exit_date = datetime.now(UTC).date() + timedelta(days=30)
    day = format_date(exit_date, format="medium", locale="en")
    world.settle()
    lead_tab = signed_in(person, world, lead, "lead", js=False)
    lead_tab.open(f"/partnerships/{pid}")
    row = lead_tab.page.locator("tr", has_text="Associação Rio Vivo").first.inner_text()
    assert "leaving" in row and f"(exit {day})" in row, row
    # And: its commitment is still confirmed (released only at the exit)
    [member] = [
        m
        for m in ok(lead.api.get(f"/v1/partnerships/{pid}/view"))["members"]
        if m["organisation_id"] == giver.organisation_id
    ]
    assert (member["status"], member["exit_date"]) == ("leaving", exit_date.isoformat())
    assert [c["status"] for c in member["commitments"]] == ["confirmed"]
